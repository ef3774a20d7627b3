//! Crashes and power cuts the store's own property tests leave to chance, tried at every single
//! operation: the process dies there, the power is cut (un-synced writes and folder changes
//! dropped, the last write torn), and the next open must hold exactly the acknowledged
//! responses, never a half file.
//!
//! - During a submission on the version-2 write path (whole period file and ledger written to
//!   temporary files, renamed into place).
//! - During the open that recovers a version-1 store with a torn tail and adopts it into a
//!   signed ledger: the torn bytes are kept in quarantine (never lost, at most kept twice).

use std::sync::OnceLock;

use super::*;
use crate::fsio::mem::Fault;
use crate::store::format::{self, MAGIC_QUARANTINE, MAGIC_RECORDS};
use crate::store::testkit::{Files, restore};

/// Open the store at [`DIR`], or say why not.
fn try_open(fs: &MemFs) -> Result<Store, String> {
    Store::open_with(Arc::new(fs.clone()), Path::new(DIR)).map_err(|e| e.to_string())
}

/// The tails kept in quarantine: (records file name, offset, bytes).
fn quarantined(fs: &MemFs) -> Vec<(String, u64, Vec<u8>)> {
    let qdir = Path::new(DIR).join(QUARANTINE_DIR);
    let mut out = Vec::new();
    for (path, bytes) in fs.snapshot() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if crate::fsio::parent(&path) != qdir || name.starts_with('.') {
            continue;
        }
        let scan = format::scan(&bytes, MAGIC_QUARANTINE, "quarantine").unwrap();
        let f = scan.frames[0];
        let p = &bytes[f.start..f.end];
        let n = u16::from_le_bytes([p[0], p[1]]) as usize;
        let file = String::from_utf8(p[2..2 + n].to_vec()).unwrap();
        let offset = u64::from_le_bytes(p[2 + n..10 + n].try_into().unwrap());
        out.push((file, offset, p[10 + n..].to_vec()));
    }
    out
}

/// Every records file is whole (no torn tail, no damage).
fn assert_no_half_file(fs: &MemFs, what: &str) {
    for (p, b) in fs.snapshot() {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".icr") && !name.starts_with('.') {
            let scan = format::scan(&b, MAGIC_RECORDS, "records").unwrap();
            assert!(
                scan.torn_at.is_none() && scan.damage.is_empty(),
                "{what}: {name}"
            );
        }
    }
}

/// The version-1 test vector's files in the data folder, and its identity (unlocked once).
fn vector() -> &'static (Files, age::x25519::Identity) {
    static VECTOR: OnceLock<(Files, age::x25519::Identity)> = OnceLock::new();
    VECTOR.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/store-v1");
        let files = super::vector_files::vector_files(&src, Path::new(DIR));
        let fs = restore(&files);
        let pass = age::secrecy::SecretString::from("test-only passphrase 1".to_string());
        let path = Path::new(DIR).join(crate::keys::IDENTITY_FILE);
        let id = crate::keys::unlock_identity_file(&fs, &path, Some(&pass)).unwrap();
        (files, id)
    })
}

/// The vector with a copy of its last record frame appended to its last file, cut to
/// `keep` bytes: a torn tail. The files, the torn file's name and its tail.
fn torn_store(keep: usize) -> (Files, String, Vec<u8>) {
    let (files, _) = vector();
    let mut files = files.clone();
    let last = files
        .iter_mut()
        .rfind(|(p, _)| p.extension().is_some_and(|e| e == "icr"))
        .unwrap();
    let scan = format::scan(&last.1, MAGIC_RECORDS, "records").unwrap();
    let f = *scan.frames.last().unwrap();
    let frame = last.1[f.offset..f.end + 4].to_vec();
    let at = last.1.len();
    last.1.extend_from_slice(&frame[..keep]);
    let name = last.0.file_name().unwrap().to_string_lossy().into_owned();
    let tail = last.1[at..].to_vec();
    (files, name, tail)
}

#[test]
fn a_crash_and_power_cut_during_recovery_and_adoption_loses_nothing_and_counts_nothing_twice() {
    let (clean, id) = vector();
    let expect = comments(&restore(clean), id);
    assert_eq!(expect.len(), 5);
    let mut cases = 0;
    for keep in [1usize, 9, 150, 308] {
        let (files, name, tail) = torn_store(keep);
        // How many operations a recovering open takes.
        let probe = restore(&files);
        let start = probe.ops();
        let report = try_open(&probe).unwrap().report().clone();
        assert_eq!(report.quarantined.len(), 1);
        let ops = probe.ops() - start;
        for n in 0..=ops {
            for cut_keep in [0usize, usize::MAX] {
                let fs = restore(&files);
                fs.fail_from(fs.ops() + n, Fault::Io);
                drop(try_open(&fs));
                fs.power_cut(cut_keep.min(fs.unsynced_tail()));
                // The next open recovers whatever is left, and the store works on.
                let mut store = try_open(&fs).unwrap_or_else(|e| panic!("op {n}: {e}"));
                assert_eq!(comments(&fs, id), expect, "keep {keep}, crash at op {n}");
                let kept = quarantined(&fs);
                assert!(
                    kept.iter().any(|(f, _, b)| *f == name && *b == tail),
                    "keep {keep}, crash at op {n}: the torn tail is not in quarantine: {kept:?}"
                );
                assert!(kept.len() <= 2, "kept {} times", kept.len());
                let v = verify_with(Arc::new(fs.clone()), Path::new(DIR), Some(id)).unwrap();
                assert!(v.problems.is_empty(), "op {n}: {:?}", v.problems);
                assert!(!v.unauthenticated, "op {n}: adopted into a ledger");
                let s = survey();
                store.submit(&s, &tagged(&s, week(47), "after")).unwrap();
                drop(store);
                assert_eq!(comments(&fs, id).len(), 6);
                cases += 1;
            }
        }
    }
    eprintln!("power cut during recovery: {cases} crash points survived");
}

#[test]
fn a_kill_at_every_operation_of_a_submission_then_a_power_cut_keeps_exactly_the_acknowledged() {
    let (clean, id) = vector();
    let s = survey();
    // The vector, adopted, with two responses already in this week's file.
    let base = restore(clean);
    let mut store = try_open(&base).unwrap();
    store.submit(&s, &tagged(&s, week(47), "a")).unwrap();
    store.submit(&s, &tagged(&s, week(47), "b")).unwrap();
    drop(store);
    let files = base.snapshot();
    let before = comments(&base, id);
    let probe = restore(&files);
    let mut store = try_open(&probe).unwrap();
    let start = probe.ops();
    store.submit(&s, &tagged(&s, week(47), "c")).unwrap();
    let ops = probe.ops() - start;
    let mut cases = 0;
    for n in 0..=ops {
        for keep in [0usize, usize::MAX] {
            let fs = restore(&files);
            let mut store = try_open(&fs).unwrap();
            fs.fail_from(fs.ops() + n, Fault::Io);
            let acked = store.submit(&s, &tagged(&s, week(47), "c")).is_ok();
            drop(store);
            fs.power_cut(keep.min(fs.unsynced_tail()));
            drop(try_open(&fs).unwrap_or_else(|e| panic!("op {n}: {e}")));
            assert_no_half_file(&fs, &format!("op {n}"));
            let got = comments(&fs, id);
            let mut with = before.clone();
            with.push("comment c".into());
            with.sort();
            // Acknowledged: there. Not: absent, or (the write had passed its first rename) there
            // once, a response in flight that never showed "thank you".
            assert!(
                got == with || (!acked && got == before),
                "op {n}, acked {acked}: {got:?}"
            );
            let v = verify_with(Arc::new(fs.clone()), Path::new(DIR), Some(id)).unwrap();
            assert!(v.problems.is_empty(), "op {n}: {:?}", v.problems);
            cases += 1;
        }
    }
    eprintln!("kill during a submission: {cases} crash points survived ({ops} operations)");
}
