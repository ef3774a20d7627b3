//! Stores in format version 1 (`tests/testdata/store-v1/`): read and verified as before, adopted
//! into a signed ledger by the first writer of this version, and their torn tails still cut into
//! quarantine on the way.

use super::*;

const PASSPHRASE: &str = "test-only passphrase 1";

/// Files and their bytes.
type Files = Vec<(PathBuf, Vec<u8>)>;

/// The version-1 test vector's files (as they would be in the data folder) and its manager
/// identity, read and unlocked once (scrypt is slow in a debug build).
fn vector_files() -> &'static (Files, age::x25519::Identity) {
    static FILES: std::sync::OnceLock<(Files, age::x25519::Identity)> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/store-v1");
        let files = super::vector_files::vector_files(&src, Path::new(DIR));
        let fs = MemFs::new();
        for (p, b) in &files {
            fs.put(p, b.clone());
        }
        let pass = SecretString::from(PASSPHRASE.to_string());
        let path = Path::new(DIR).join(keys::IDENTITY_FILE);
        let id = keys::unlock_identity_file(&fs, &path, Some(&pass)).unwrap();
        (files, id)
    })
}

/// The version-1 test vector in memory; the last records file cut to `cut` bytes if given.
fn vector(cut: Option<usize>) -> (MemFs, age::x25519::Identity, PathBuf) {
    let (files, id) = vector_files();
    let fs = MemFs::new();
    for sub in ["keys", RECORDS_DIR, QUARANTINE_DIR] {
        fs.create_dir_all(&Path::new(DIR).join(sub)).unwrap();
    }
    for (p, b) in files {
        fs.put(p, b.clone());
    }
    let last = files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "icr"))
        .map(|(p, _)| p.clone())
        .next_back()
        .unwrap();
    if let Some(cut) = cut {
        let bytes = fs.read(&last).unwrap();
        fs.put(&last, bytes[..cut].to_vec());
    }
    (fs, id.clone(), last)
}

#[test]
fn a_version_1_store_reads_as_before_and_its_first_writer_adopts_it_into_a_signed_ledger() {
    let (fs, id, _) = vector(None);
    assert_eq!(comments(&fs, &id).len(), 5);
    let report = verify_mem(&fs, Some(&id)).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(report.unauthenticated && report.signing_key.is_none());
    let mut store = open(&fs);
    assert!(
        store
            .report()
            .notes
            .iter()
            .any(|n| n.contains("adopted 4 records file(s)")),
        "{:?}",
        store.report().notes
    );
    let key = store
        .meta()
        .signing_key
        .expect("store.meta names the kiosk's key now");
    let s = survey();
    store.submit(&s, &tagged(&s, week(47), "new")).unwrap();
    drop(store);
    assert_eq!(comments(&fs, &id).len(), 6);
    let report = verify_mem(&fs, Some(&id)).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(!report.unauthenticated);
    assert_eq!(report.signing_key, Some(key.to_string()));
    assert_eq!(report.counts.values().sum::<u64>(), 6);
    assert_eq!(
        report.files, 5,
        "four version-1 files and one version-2 file"
    );
    // A version-1 file edited after the adoption is caught like any other.
    let (path, mut bytes) = record_files(&fs).remove(0);
    let scan = format::RECORDS.scan(&bytes).unwrap();
    let last = *scan.frames.last().unwrap();
    let copy = bytes[last.offset..last.end + 4].to_vec();
    bytes.extend(copy);
    fs.put(&path, bytes);
    let report = verify_mem(&fs, None).unwrap();
    assert!(
        report.problems.iter().any(|p| p.path == path),
        "{:?}",
        report.problems
    );
}

#[test]
fn a_version_2_file_in_a_store_without_a_ledger_is_neither_counted_nor_adopted() {
    let (fs, id, _) = vector(None);
    let (other, _) = memory_store(false);
    let s = survey();
    open(&other).submit(&s, &tagged(&s, week(47), "x")).unwrap();
    let (p, b) = record_files(&other).remove(0);
    fs.put(&p, b);
    let report = verify_mem(&fs, None).unwrap();
    assert!(
        report.problems.iter().any(|q| q.path == p),
        "{:?}",
        report.problems
    );
    assert_eq!(comments_ok(&fs, &id), 5);
    let store = open(&fs);
    assert!(
        store
            .report()
            .damaged
            .iter()
            .any(|q| q.path == p && q.what.contains("not adopted"))
    );
}

fn comments_ok(fs: &MemFs, id: &age::x25519::Identity) -> usize {
    read_all(fs, id).iter().filter(|r| r.is_ok()).count()
}

#[test]
fn cutting_the_last_version_1_file_at_every_offset_keeps_exactly_the_complete_records() {
    let (_, _, last) = vector(None);
    let (fs, _, _) = vector(None);
    let bytes = fs.read(&last).unwrap();
    let scan = format::RECORDS.scan(&bytes).unwrap();
    let ends: Vec<usize> = scan.frames.iter().map(|f| f.end + 4).collect();
    // Every other file holds one record each.
    let others = 5 - (ends.len() - 1);
    for cut in 0..=bytes.len() {
        let (fs, id, _) = vector(Some(cut));
        let store = open(&fs);
        let complete = ends.iter().skip(1).filter(|&&e| e <= cut).count();
        let torn = !ends.contains(&cut) && cut != 0;
        assert_eq!(
            store.report().quarantined.len(),
            usize::from(torn),
            "cut at {cut}"
        );
        if let Some(q) = store.report().quarantined.first() {
            assert_eq!(q.offset + q.len, cut as u64);
        }
        drop(store);
        let got = read_all(&fs, &id);
        assert_eq!(got.len(), others + complete, "cut at {cut}");
        assert!(got.iter().all(Result::is_ok), "cut at {cut}: {got:?}");
        let report = verify_mem(&fs, None).unwrap();
        assert!(
            report.problems.is_empty(),
            "cut at {cut}: {:?}",
            report.problems
        );
    }
}
