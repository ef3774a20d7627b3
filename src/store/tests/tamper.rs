//! The set of records is authentic: a record added, duplicated, removed or moved between files,
//! a whole file added, removed or rolled back, is reported by `verify` (with and without the key)
//! naming the file, and never counted by a reader; writing what readers accept needs the kiosk's
//! signing key. Also what it cannot catch (a rollback of the whole folder).

use super::*;
use crate::crypto::DataKey;
use crate::store::format::{EpochInfo, KIND_GROUP, KIND_GROUP_RECORD};

/// A store with three responses in week 46 and two in week 47; the files' bytes after each step.
fn store() -> (MemFs, age::x25519::Identity, Vec<(PathBuf, Vec<u8>)>) {
    let (fs, id) = memory_store(false);
    let s = survey();
    let mut store = open(&fs);
    for (w, tag) in [(46, "a"), (46, "b"), (47, "c"), (47, "d")] {
        store.submit(&s, &tagged(&s, week(w), tag)).unwrap();
    }
    let before = fs.snapshot();
    store.submit(&s, &tagged(&s, week(46), "e")).unwrap();
    (fs, id, before)
}

fn path(w: u8) -> PathBuf {
    Path::new(DIR)
        .join(RECORDS_DIR)
        .join(period_file::file_name(week(w)))
}

/// A period file's whole group frames and record frames.
fn frames(fs: &MemFs, w: u8) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let (bytes, file) = period_file(fs, week(w));
    let groups = file
        .groups
        .iter()
        .map(|(_, f, _)| bytes[period_file::whole(f)].to_vec());
    let records = file
        .records
        .iter()
        .map(|f| bytes[period_file::whole(f)].to_vec());
    (groups.collect(), records.collect())
}

fn rebuild(fs: &MemFs, w: u8, groups: &[Vec<u8>], records: &[Vec<u8>]) {
    let g = groups.iter().map(Vec::as_slice).collect();
    let r = records.iter().map(Vec::as_slice).collect();
    fs.put(&path(w), period_file::build(g, r));
}

/// What someone with the public keys in store.meta (not the kiosk's signing key) can make: a
/// group of their own, wrapped to the store's recipients, and a record sealed in it.
fn forged(fs: &MemFs, w: u8, tag: &str) -> (Vec<u8>, Vec<u8>) {
    let meta = StoreMeta::load(fs, Path::new(DIR)).unwrap();
    let s = survey();
    let info = EpochInfo {
        store_id: meta.store_id,
        epoch_id: [0x5a; 16],
        synthetic: meta.synthetic,
        period: week(w),
        survey_id: s.id.clone(),
        survey_hash: s.hash,
    };
    let binding = info.binding();
    let key = DataKey::generate();
    let mut secret = key.as_bytes().to_vec();
    secret.extend_from_slice(&binding);
    let mut header = binding.clone();
    header.extend(crypto::wrap(&meta.recipients, &secret).unwrap());
    let plain = postcard::to_stdvec(&tagged(&s, week(w), tag)).unwrap();
    let mut record = info.epoch_id.to_vec();
    record.extend(key.cipher().seal(&binding, &plain).unwrap());
    (
        format::frame(KIND_GROUP, &header),
        format::frame(KIND_GROUP_RECORD, &record),
    )
}

/// Every problem `verify` reports about `file`, with the key and without.
fn problems(fs: &MemFs, id: &age::x25519::Identity, file: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for key in [None, Some(id)] {
        let report = verify_mem(fs, key).unwrap();
        let about: Vec<String> = report
            .problems
            .iter()
            .filter(|p| p.path == file)
            .map(|p| p.what.clone())
            .collect();
        assert!(
            !about.is_empty(),
            "key {}: {:?}",
            key.is_some(),
            report.problems
        );
        out.extend(about);
    }
    out
}

/// The comments readers count, and the files they report.
fn counted(fs: &MemFs, id: &age::x25519::Identity) -> (Vec<String>, Vec<String>) {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for r in read_all(fs, id) {
        match r {
            Ok(r) => ok.push(r.comment.unwrap_or_default()),
            Err(e) => errors.push(e),
        }
    }
    ok.sort();
    (ok, errors)
}

#[test]
fn a_forged_record_is_reported_and_never_counted() {
    let (fs, id, _) = store();
    let (mut groups, mut records) = frames(&fs, 46);
    let (g, r) = forged(&fs, 46, "forged");
    groups.push(g);
    records.push(r);
    rebuild(&fs, 46, &groups, &records);
    // It opens with the manager's key: only the ledger tells it apart.
    let p = problems(&fs, &id, &path(46));
    assert!(p.iter().all(|w| w.contains("records were added")), "{p:?}");
    let (ok, errors) = counted(&fs, &id);
    assert_eq!(ok, ["comment c", "comment d"], "nothing of week 46 counted");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("2026-W46.icr") && e.contains("added")),
        "{errors:?}"
    );
    // The kiosk will not write into it (nor sign it).
    let s = survey();
    let err = open(&fs)
        .submit(&s, &tagged(&s, week(46), "f"))
        .unwrap_err();
    assert!(matches!(err, StoreError::NotVouched { .. }), "{err}");
    assert_eq!(counted(&fs, &id).0.len(), 2);
}

#[test]
fn a_duplicated_or_removed_record_is_reported_naming_the_file() {
    let (fs, id, _) = store();
    let (groups, records) = frames(&fs, 46);
    let mut twice = records.clone();
    twice.push(records[0].clone());
    rebuild(&fs, 46, &groups, &twice);
    let p = problems(&fs, &id, &path(46));
    assert!(
        p.iter()
            .any(|w| w.contains("is a copy of the one at offset")),
        "{p:?}"
    );
    assert!(p.iter().any(|w| w.contains("added or copied in")), "{p:?}");
    assert_eq!(counted(&fs, &id).0, ["comment c", "comment d"]);
    rebuild(&fs, 46, &groups, &records[1..]);
    let p = problems(&fs, &id, &path(46));
    assert!(
        p.iter().any(|w| w.contains("records were removed")),
        "{p:?}"
    );
    assert_eq!(counted(&fs, &id).0, ["comment c", "comment d"]);
}

#[test]
fn a_record_moved_or_copied_between_files_is_reported_in_both() {
    let (fs, id, _) = store();
    let original = fs.read(&path(46)).unwrap();
    let (g46, r46) = frames(&fs, 46);
    let (g47, r47) = frames(&fs, 47);
    // Moved, with a copy of its group header, from week 46's file into week 47's.
    let mut groups = g47.clone();
    groups.extend(g46.iter().cloned());
    let mut records = r47.clone();
    records.push(r46[0].clone());
    rebuild(&fs, 47, &groups, &records);
    rebuild(&fs, 46, &g46, &r46[1..]);
    let p46 = problems(&fs, &id, &path(46));
    assert!(
        p46.iter().any(|w| w.contains("records were removed")),
        "{p46:?}"
    );
    let p47 = problems(&fs, &id, &path(47));
    assert!(
        p47.iter().any(|w| w.contains("records were added")),
        "{p47:?}"
    );
    assert!(counted(&fs, &id).0.is_empty());
    // Copied: the original left in place as well.
    fs.put(&path(46), original);
    let p47 = problems(&fs, &id, &path(47));
    assert!(
        p47.iter().any(|w| w.contains("also in")
            && w.contains("2026-W46.icr")
            && w.contains("moved or copied between files")),
        "{p47:?}"
    );
    assert_eq!(counted(&fs, &id).0, ["comment a", "comment b", "comment e"]);
}

#[test]
fn a_whole_file_added_removed_or_rolled_back_is_reported() {
    let (fs, id, before) = store();
    // Added: a file of a new week, made with the public keys only.
    let (g, r) = forged(&fs, 48, "forged");
    fs.put(&path(48), period_file::build(vec![&g], vec![&r]));
    let p = problems(&fs, &id, &path(48));
    assert!(
        p.iter().all(|w| w.contains("not in the signed ledger")),
        "{p:?}"
    );
    assert!(!counted(&fs, &id).0.contains(&"comment forged".to_string()));
    fs.remove_file(&path(48)).unwrap();
    // Rolled back: week 46's file as it was before its last response.
    let old = before
        .iter()
        .find(|(p, _)| *p == path(46))
        .unwrap()
        .1
        .clone();
    let now = fs.read(&path(46)).unwrap();
    fs.put(&path(46), old);
    let p = problems(&fs, &id, &path(46));
    assert!(p.iter().any(|w| w.contains("older copy")), "{p:?}");
    fs.put(&path(46), now);
    // Removed.
    fs.remove_file(&path(47)).unwrap();
    let p = problems(&fs, &id, &path(47));
    assert!(
        p.iter().all(|w| w.contains("the whole file was removed")),
        "{p:?}"
    );
    let (ok, errors) = counted(&fs, &id);
    assert_eq!(ok.len(), 3);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("2026-W47.icr") && e.contains("missing")),
        "{errors:?}"
    );
}

#[test]
fn without_the_ledger_nothing_counts_and_the_kiosk_will_not_write() {
    let (fs, id, _) = store();
    let lpath = ledger::path(Path::new(DIR));
    let ledger = fs.read(&lpath).unwrap();
    fs.remove_file(&lpath).unwrap();
    let report = verify_mem(&fs, Some(&id)).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.path == lpath && p.what.contains("missing"))
    );
    assert!(report.counts.is_empty());
    assert!(counted(&fs, &id).0.is_empty());
    let err = Store::open_with(Arc::new(fs.clone()), Path::new(DIR))
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Untrusted { .. }), "{err}");
    // A ledger signed by another key is no better.
    let other = crate::crypto::sign::SiteSigner::generate();
    let meta_bytes = fs.read(&StoreMeta::path(Path::new(DIR))).unwrap();
    let meta = StoreMeta::load(&fs, Path::new(DIR)).unwrap();
    let mut forged = ledger::Ledger::new(&meta, &meta_bytes);
    for (p, b) in record_files(&fs) {
        forged.set(&p.file_name().unwrap().to_string_lossy(), 0, &b);
    }
    fs.put(&lpath, forged.to_bytes(&other));
    let report = verify_mem(&fs, None).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.path == lpath && p.what.contains("does not verify"))
    );
    assert!(report.counts.is_empty());
    fs.put(&lpath, ledger);
    assert_eq!(counted(&fs, &id).0.len(), 5);
}

#[test]
fn a_changed_store_description_is_refused_by_the_kiosk_and_reported() {
    let (fs, id, _) = store();
    let mpath = StoreMeta::path(Path::new(DIR));
    let original = fs.read(&mpath).unwrap();
    // A recipient added: later groups would be wrapped to it too.
    let mut meta = StoreMeta::load(&fs, Path::new(DIR)).unwrap();
    meta.recipients
        .push(age::x25519::Identity::generate().to_public());
    fs.put(&mpath, meta.to_bytes());
    let err = Store::open_with(Arc::new(fs.clone()), Path::new(DIR))
        .err()
        .unwrap();
    assert!(err.to_string().contains("recipients"), "{err}");
    let report = verify_mem(&fs, None).unwrap();
    assert!(
        report.problems.iter().any(|p| p.path == mpath),
        "{:?}",
        report.problems
    );
    // Another signing key named, with a ledger re-signed by it: the kiosk knows its own key,
    // and so does verify where it can read keys/site-signing.key.
    let other = crate::crypto::sign::SiteSigner::generate();
    let mut meta = StoreMeta::load(&fs, Path::new(DIR)).unwrap();
    meta.recipients.pop();
    meta.signing_key = Some(other.public());
    let meta_bytes = meta.to_bytes();
    let mut l = ledger::Ledger::new(&meta, &meta_bytes);
    for (p, b) in record_files(&fs) {
        l.set(&p.file_name().unwrap().to_string_lossy(), 0, &b);
    }
    fs.put(&mpath, meta_bytes);
    fs.put(&ledger::path(Path::new(DIR)), l.to_bytes(&other));
    let err = Store::open_with(Arc::new(fs.clone()), Path::new(DIR))
        .err()
        .unwrap();
    assert!(err.to_string().contains("this kiosk's key"), "{err}");
    let report = verify_mem(&fs, Some(&id)).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.path == mpath && p.what.contains("keys/site-signing.key")),
        "{:?}",
        report.problems
    );
    // Where the secret key cannot be read, verify has only store.meta to go by: the limit
    // written down in docs/security.md (it prints the key, to compare with the one `init` did).
    fs.remove_file(&crate::crypto::sign::key_path(Path::new(DIR)))
        .unwrap();
    let report = verify_mem(&fs, Some(&id)).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.signing_key, Some(other.public().to_string()));
    fs.put(&mpath, original);
}

#[test]
fn a_rollback_of_the_whole_folder_is_not_detected_as_documented() {
    let (fs, id, before) = store();
    for (p, b) in &before {
        fs.put(p, b.clone());
    }
    let report = verify_mem(&fs, Some(&id)).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(
        counted(&fs, &id).0.len(),
        4,
        "the last response is gone, unseen"
    );
}

#[test]
fn every_single_bit_flip_is_detected_with_its_file() {
    let (fs, _) = memory_store(false);
    let s = survey();
    let mut store = open(&fs);
    store.submit(&s, &tagged(&s, week(46), "a")).unwrap();
    store.submit(&s, &tagged(&s, week(46), "b")).unwrap();
    drop(store);
    let files: Vec<_> = fs
        .snapshot()
        .into_iter()
        .filter(|(p, _)| p.starts_with(Path::new(DIR).join(RECORDS_DIR)) || p.ends_with(META_FILE))
        .collect();
    assert_eq!(files.len(), 3, "records, ledger, store.meta");
    for (path, bytes) in &files {
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut bad = bytes.clone();
                bad[i] ^= 1 << bit;
                fs.put(path, bad);
                match verify_mem(&fs, None) {
                    Ok(report) => {
                        let p = report.problems.first();
                        assert!(
                            p.is_some_and(|p| &p.path == path && p.offset.is_some()),
                            "flip of bit {bit} at {i} in {} not reported: {:?}",
                            path.display(),
                            report.problems
                        );
                        assert!(report.counts.is_empty(), "a damaged store counted records");
                    }
                    Err(e) => assert!(e.to_string().contains(&*path.to_string_lossy()), "{e}"),
                }
            }
        }
        fs.put(path, bytes.clone());
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// With a key, a flipped bit anywhere in a records file is reported by verify, and reading
    /// counts nothing of the file.
    #[test]
    fn bit_flips_are_detected_when_opening_records(pos in 0usize..100_000, bit in 0u8..8) {
        let (fs, id) = memory_store(false);
        let s = survey();
        open(&fs).submit(&s, &tagged(&s, week(46), "a")).unwrap();
        let (path, mut bytes) = record_files(&fs).remove(0);
        let i = pos % bytes.len();
        bytes[i] ^= 1 << bit;
        fs.put(&path, bytes);
        // A flip in the header's version field reads as a newer format: an error naming the file.
        match verify_mem(&fs, Some(&id)) {
            Ok(report) => proptest::prop_assert!(!report.problems.is_empty()),
            Err(e) => proptest::prop_assert!(e.to_string().contains(&*path.to_string_lossy()), "{}", e),
        }
        proptest::prop_assert!(read_all(&fs, &id).iter().all(|r| r.is_err()));
    }
}

#[test]
fn without_its_signing_key_the_kiosk_will_not_write_rather_than_make_a_new_one() {
    let (fs, _, _) = store();
    fs.remove_file(&crate::crypto::sign::key_path(Path::new(DIR)))
        .unwrap();
    let err = Store::open_with(Arc::new(fs.clone()), Path::new(DIR))
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Untrusted { .. }), "{err}");
    assert!(err.to_string().contains("put the key file back"), "{err}");
    assert!(!fs.exists(&crate::crypto::sign::key_path(Path::new(DIR))));
}
