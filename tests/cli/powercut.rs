//! The gap the store's own power-cut tests leave: a crash and power cut *during recovery* (the
//! open that quarantines a torn tail). At every operation of that open the process dies, the
//! power is cut, and the next open must still hold exactly the acknowledged responses, with the
//! torn bytes kept in quarantine (never lost, at most kept twice).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use icare::fsio::Fs;
use icare::fsio::mem::{Fault, MemFs};
use icare::response::{Answer, Period, PeriodKind, Response};
use icare::store::format::{self, MAGIC_QUARANTINE};
use icare::store::{QUARANTINE_DIR, RECORDS_DIR, Store, StoreMeta, verify_with};

const DIR: &str = "/data";

fn response(s: &icare::survey::Survey, tag: &str) -> Response {
    Response {
        survey_id: s.id.clone(),
        survey_hash: s.hash,
        language: "en".into(),
        period: Period::Week {
            year: 2026,
            week: 47,
        },
        answers: vec![Answer::Skipped; s.items.len()],
        headline: Answer::Value(1),
        comment: Some(format!("comment {tag}")),
    }
}

fn open(fs: &MemFs) -> Result<Store, String> {
    Store::open_with(Arc::new(fs.clone()), Path::new(DIR)).map_err(|e| e.to_string())
}

fn comments(fs: &MemFs, id: &age::x25519::Identity) -> Vec<String> {
    let mut out: Vec<String> =
        icare::store::read_responses_with(Arc::new(fs.clone()), Path::new(DIR), id)
            .unwrap()
            .map(|r| r.unwrap().comment.unwrap_or_default())
            .collect();
    out.sort();
    out
}

/// The tails kept in quarantine: (records file name, offset, bytes).
fn quarantined(fs: &MemFs) -> Vec<(String, u64, Vec<u8>)> {
    let qdir = Path::new(DIR).join(QUARANTINE_DIR);
    let mut out = Vec::new();
    for (path, bytes) in fs.snapshot() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if icare::fsio::parent(&path) != qdir || name.starts_with('.') {
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

/// Every file of a store and its bytes.
type Files = Vec<(PathBuf, Vec<u8>)>;

/// A store with three acknowledged responses and a torn fourth one; the torn file and tail.
fn torn_store(keep: usize) -> (Files, age::x25519::Identity, String, Vec<u8>) {
    let fs = MemFs::new();
    let id = age::x25519::Identity::generate();
    for d in [RECORDS_DIR, QUARANTINE_DIR] {
        fs.create_dir_all(&Path::new(DIR).join(d)).unwrap();
    }
    let meta = StoreMeta {
        store_id: [5; 16],
        site: "Test practice".into(),
        synthetic: false,
        period: PeriodKind::Week,
        recipients: vec![id.to_public()],
    };
    fs.put(&StoreMeta::path(Path::new(DIR)), meta.to_bytes());
    let s = icare::survey::embedded().unwrap();
    let mut store = open(&fs).unwrap();
    for t in ["a", "b", "c"] {
        store.submit(&s, &response(&s, t)).unwrap();
    }
    // The fourth record is appended, then the process dies before its fdatasync.
    fs.fail_from(fs.ops() + 1, Fault::Io);
    assert!(store.submit(&s, &response(&s, "torn")).is_err());
    fs.power_cut(keep);
    let (path, bytes) = fs
        .snapshot()
        .into_iter()
        .find(|(p, _)| p.extension().is_some_and(|e| e == "icr"))
        .unwrap();
    let scan = format::scan(&bytes, format::MAGIC_RECORDS, "records").unwrap();
    let at = scan.torn_at.expect("a torn tail");
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let tail = bytes[at..].to_vec();
    let files = fs.snapshot();
    (files, id, name, tail)
}

fn restore(files: &[(PathBuf, Vec<u8>)]) -> MemFs {
    let fs = MemFs::new();
    for d in [RECORDS_DIR, QUARANTINE_DIR] {
        fs.create_dir_all(&Path::new(DIR).join(d)).unwrap();
    }
    for (p, b) in files {
        fs.put(p, b.clone());
    }
    fs
}

#[test]
fn a_crash_and_power_cut_during_recovery_loses_nothing_and_counts_nothing_twice() {
    let expect: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|t| format!("comment {t}"))
        .collect();
    let mut cases = 0;
    for keep in [1usize, 9, 150, 308] {
        let (files, id, name, tail) = torn_store(keep);
        // How many operations a recovering open takes.
        let probe = restore(&files);
        let start = probe.ops();
        let report = open(&probe).unwrap().report().clone();
        assert_eq!(report.quarantined.len(), 1);
        let ops = probe.ops() - start;
        for n in 0..=ops {
            for cut_keep in [0usize, usize::MAX] {
                let fs = restore(&files);
                fs.fail_from(fs.ops() + n, Fault::Io);
                let _ = open(&fs);
                fs.power_cut(cut_keep.min(fs.unsynced_tail()));
                // The next open recovers whatever is left, and the store works on.
                let mut store = open(&fs).unwrap_or_else(|e| panic!("op {n}: {e}"));
                assert_eq!(comments(&fs, &id), expect, "keep {keep}, crash at op {n}");
                let kept = quarantined(&fs);
                assert!(
                    kept.iter().any(|(f, _, b)| *f == name && *b == tail),
                    "keep {keep}, crash at op {n}: the torn tail is not in quarantine: {kept:?}"
                );
                assert!(kept.len() <= 2, "kept {} times", kept.len());
                let v = verify_with(Arc::new(fs.clone()), Path::new(DIR), Some(&id)).unwrap();
                assert!(v.problems.is_empty(), "op {n}: {:?}", v.problems);
                let s = icare::survey::embedded().unwrap();
                store.submit(&s, &response(&s, "after")).unwrap();
                assert_eq!(comments(&fs, &id).len(), 4);
                cases += 1;
            }
        }
    }
    eprintln!("power cut during recovery: {cases} crash points survived");
}
