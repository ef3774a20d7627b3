//! Tests of aggregation stores: trust, dedupe, mixing, crash safety, and export's chain. The
//! rules of keys and stores are in [`keys`], batches never received in [`gaps`].

mod gaps;
mod keys;

use std::path::Path;
use std::sync::Arc;

use crate::batch::BatchError;
use crate::batch::aggregate::*;
use crate::batch::export::{self, ExportOptions};
use crate::batch::file::{self, Batch};
use crate::batch::tests::fixture::{self, OUT, read};
use crate::fsio::Fs;
use crate::fsio::mem::{Fault, MemFs};
use crate::store::testkit;

const AGG: &str = "/agg";

fn import(
    fs: &MemFs,
    batch: &Path,
    trust_new: bool,
    identity: &age::x25519::Identity,
) -> Result<ImportReport, BatchError> {
    fixture::import(fs, AGG, batch, trust_new, identity)
}

/// Everything under `dir`, for before/after comparisons.
fn files_under(fs: &MemFs, dir: &str) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    fs.snapshot()
        .into_iter()
        .filter(|(p, _)| p.starts_with(dir))
        .collect()
}

#[test]
fn a_replayed_batch_adds_nothing_and_overlapping_exports_merge_to_the_right_count() {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, AGG, true);
    fixture::site(&fs, "/north", "North", true, &[agg.to_public()]);
    fixture::submit(&fs, "/north", 4, "first");
    let since1 = fixture::export(&fs, "/north", "since1.icb", true);
    fixture::submit(&fs, "/north", 3, "second");
    let since2 = fixture::export(&fs, "/north", "since2.icb", true);
    let full = fixture::export(&fs, "/north", "full.icb", false);
    let r = import(&fs, &since1, true, &agg).unwrap();
    assert_eq!((r.added, r.records), (4, 4));
    assert_eq!(r.trusted_now.unwrap().site, "North");
    assert_eq!(read(&fs, AGG, &agg).len(), 4);
    // Replay: nothing added, nothing written.
    let before = files_under(&fs, AGG);
    let r = import(&fs, &since1, false, &agg).unwrap();
    assert_eq!((r.added, r.records), (0, 4));
    assert_eq!(files_under(&fs, AGG), before);
    // The full export overlaps both: only the three new records are added.
    let r = import(&fs, &full, false, &agg).unwrap();
    assert_eq!((r.added, r.records), (3, 7));
    let r = import(&fs, &since2, false, &agg).unwrap();
    assert_eq!(r.added, 0);
    let got = read(&fs, AGG, &agg);
    assert_eq!(got.len(), 7);
    assert!(got.iter().all(|(site, _)| site == "North"));
    assert_eq!(
        got,
        read(&fs, "/north", &agg),
        "the same responses as the site's store"
    );
}

#[test]
fn an_unknown_signer_is_refused_until_trusted_and_a_key_has_one_site() {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, AGG, false);
    fixture::site(&fs, "/north", "North", false, &[agg.to_public()]);
    fixture::submit(&fs, "/north", 2, "n");
    let batch = fixture::export(&fs, "/north", "n.icb", false);
    let before = files_under(&fs, AGG);
    let err = import(&fs, &batch, false, &agg).unwrap_err();
    assert!(matches!(err, BatchError::UnknownSigner { .. }), "{err}");
    assert!(err.to_string().contains("icare trust"), "{err}");
    assert_eq!(files_under(&fs, AGG), before, "nothing changed");
    let key = crate::batch::sign::public(&fs, Path::new("/north"))
        .unwrap()
        .unwrap();
    let new = Trust::New;
    assert!(trust(&fs, Path::new(AGG), &key, "North practice", new).unwrap());
    assert!(!trust(&fs, Path::new(AGG), &key, "North practice", new).unwrap());
    for bad in ["", " ", "North\u{1b}[2J", "a\u{202e}b"] {
        let err = trust(&fs, Path::new(AGG), &key, bad, new).unwrap_err();
        assert!(matches!(err, BatchError::BadSiteName(_)), "{bad:?}: {err}");
    }
    let err = trust(&fs, Path::new(AGG), &key, "Elsewhere", new).unwrap_err();
    assert!(matches!(err, BatchError::TrustConflict { .. }), "{err}");
    let r = import(&fs, &batch, false, &agg).unwrap();
    assert_eq!((r.site.as_str(), r.added), ("North practice", 2));
    assert!(
        read(&fs, AGG, &agg)
            .iter()
            .all(|(s, _)| s == "North practice")
    );
}

#[test]
fn a_batch_from_an_impostor_key_is_refused_even_with_the_same_site_name() {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, AGG, false);
    fixture::site(&fs, "/north", "North", false, &[agg.to_public()]);
    fixture::site(&fs, "/fake", "North", false, &[agg.to_public()]);
    let key = crate::batch::sign::public(&fs, Path::new("/north"))
        .unwrap()
        .unwrap();
    trust(&fs, Path::new(AGG), &key, "North", Trust::New).unwrap();
    fixture::submit(&fs, "/fake", 1, "fake");
    let batch = fixture::export(&fs, "/fake", "fake.icb", false);
    assert!(matches!(
        import(&fs, &batch, false, &agg),
        Err(BatchError::UnknownSigner { .. })
    ));
    assert!(read(&fs, AGG, &agg).is_empty());
}

#[test]
fn synthetic_and_real_batches_never_mix() {
    let fs = MemFs::new();
    let real_agg = fixture::aggregation(&fs, AGG, false);
    let demo_agg = fixture::aggregation(&fs, "/demo-agg", true);
    fixture::site(&fs, "/demo", "Demo", true, &[real_agg.to_public()]);
    fixture::site(&fs, "/real", "Real", false, &[real_agg.to_public()]);
    fixture::submit(&fs, "/demo", 1, "d");
    fixture::submit(&fs, "/real", 1, "r");
    let demo = fixture::export(&fs, "/demo", "demo.icb", false);
    let real = fixture::export(&fs, "/real", "real.icb", false);
    let err = import(&fs, &demo, true, &real_agg).unwrap_err();
    assert!(
        err.to_string()
            .contains("a synthetic batch cannot go into a real aggregation store"),
        "{err}"
    );
    let options = ImportOptions {
        trust_new_site: true,
        identity: &demo_agg,
    };
    let err = import_with(&fs, Path::new("/demo-agg"), &real, &options).unwrap_err();
    assert!(
        err.to_string()
            .contains("a real batch cannot go into a synthetic aggregation store"),
        "{err}"
    );
    assert!(read(&fs, AGG, &real_agg).is_empty());
    assert!(
        trusted(&fs, Path::new(AGG)).unwrap().is_empty(),
        "nothing trusted either"
    );
}

#[test]
fn a_tampered_batch_imports_nothing() {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, AGG, false);
    fixture::site(&fs, "/north", "North", false, &[agg.to_public()]);
    fixture::submit(&fs, "/north", 2, "n");
    let batch = fixture::export(&fs, "/north", "n.icb", false);
    let mut bytes = fs.read(&batch).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0x40;
    fs.put(&batch, bytes);
    let err = import(&fs, &batch, true, &agg).unwrap_err();
    assert!(err.to_string().contains("nothing from this batch"), "{err}");
    assert!(read(&fs, AGG, &agg).is_empty());
    assert!(trusted(&fs, Path::new(AGG)).unwrap().is_empty());
}

/// The process dies at every operation of an import (nothing reaches the disk from then on),
/// then the power is cut, tearing the last un-synced write at several lengths: the store holds
/// the records of before the batch or after it, never part, and a second import completes it.
#[test]
fn a_kill_at_any_step_of_an_import_leaves_the_store_before_or_after_the_batch() {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, AGG, false);
    fixture::site(&fs, "/north", "North", false, &[agg.to_public()]);
    fixture::submit(&fs, "/north", 3, "old");
    let first = fixture::export(&fs, "/north", "first.icb", true);
    fixture::submit(&fs, "/north", 4, "new");
    let second = fixture::export(&fs, "/north", "second.icb", false);
    import(&fs, &first, true, &agg).unwrap();
    let before = read(&fs, AGG, &agg);
    let pristine = fs.snapshot();
    // Count the operations of a whole import.
    let start = fs.ops();
    import(&fs, &second, false, &agg).unwrap();
    let total = fs.ops() - start;
    let after = read(&fs, AGG, &agg);
    assert_eq!((before.len(), after.len()), (3, 7));
    for crash_at in 0..=total {
        for keep in [0usize, 1, 100, usize::MAX] {
            let fs = testkit::restore_files(&pristine, &[]);
            fs.fail_from(fs.ops() + crash_at, Fault::Io);
            let outcome = import(&fs, &second, false, &agg);
            fs.power_cut(keep.min(fs.unsynced_tail()));
            let got = read(&fs, AGG, &agg);
            let ok = if outcome.is_ok() {
                got == after
            } else {
                got == before || got == after
            };
            assert!(
                ok,
                "crash at op {crash_at}, keep {keep}: {} responses",
                got.len()
            );
            // Importing again finishes the job, and leftovers are cleaned away.
            import(&fs, &second, false, &agg).unwrap();
            assert_eq!(read(&fs, AGG, &agg), after, "crash at op {crash_at}");
            let leftovers = fs.list(&Path::new(AGG).join(IMPORTED_DIR)).unwrap();
            assert!(
                leftovers.iter().all(|n| !n.starts_with('.')),
                "{leftovers:?}"
            );
        }
    }
}

#[test]
fn export_changes_nothing_in_the_store_but_the_since_last_chain() {
    let fs = MemFs::new();
    fixture::site(&fs, "/north", "North", false, &[]);
    fixture::submit(&fs, "/north", 3, "n");
    let before = files_under(&fs, "/north");
    fixture::export(&fs, "/north", "full.icb", false);
    assert_eq!(files_under(&fs, "/north"), before);
    fixture::export(&fs, "/north", "since.icb", true);
    let mut after = files_under(&fs, "/north");
    after.retain(|(p, _)| !p.ends_with(export::CHAIN_FILE));
    assert_eq!(after, before);
    // Nothing new: refused, no batch written, chain unchanged.
    let out = Path::new(OUT).join("empty.icb");
    let options = ExportOptions {
        since_last: true,
        ..ExportOptions::default()
    };
    let err = export::export_with(&fs, Path::new("/north"), &out, &options).unwrap_err();
    assert!(err.to_string().contains("no new records"), "{err}");
    assert!(!fs.exists(&out));
    // An existing output file is never overwritten.
    let err = export::export_with(
        &fs,
        Path::new("/north"),
        &Path::new(OUT).join("full.icb"),
        &ExportOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, BatchError::OutExists(_)), "{err}");
}

#[test]
fn export_to_a_new_recipient_rewraps_keys_and_leaves_records_untouched() {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, AGG, false);
    // The site did not name the aggregator at init.
    let manager = fixture::site(&fs, "/north", "North", false, &[]);
    fixture::submit(&fs, "/north", 3, "n");
    let plain = fixture::export(&fs, "/north", "plain.icb", false);
    let out = Path::new(OUT).join("to.icb");
    let options = ExportOptions {
        to: vec![agg.to_public()],
        ..ExportOptions::default()
    };
    let err = export::export_with(&fs, Path::new("/north"), &out, &options).unwrap_err();
    assert!(matches!(err, BatchError::NoIdentityForTo), "{err}");
    let options = ExportOptions {
        to: vec![agg.to_public()],
        identity: Some(&manager),
        ..ExportOptions::default()
    };
    export::export_with(&fs, Path::new("/north"), &out, &options).unwrap();
    let a = file::check(&plain, &fs.read(&plain).unwrap()).unwrap();
    let b = file::check(&out, &fs.read(&out).unwrap()).unwrap();
    let sorted = |b: &Batch| {
        let mut v: Vec<Vec<u8>> = b.epochs.iter().flat_map(|e| e.records.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(sorted(&a), sorted(&b), "records untouched");
    // The plain batch is refused: its keys do not open for the aggregator.
    let before = files_under(&fs, AGG);
    let err = import(&fs, &plain, true, &agg).unwrap_err();
    assert!(matches!(err, BatchError::NotForUs { .. }), "{err}");
    assert_eq!(
        files_under(&fs, AGG),
        before,
        "nothing added, nothing trusted"
    );
    // An earlier version imported such batches: it is held, but does not open.
    fixture::import_unchecked(&fs, AGG, &plain);
    let unread: Vec<_> = crate::store::read_all_with(Arc::new(fs.clone()), Path::new(AGG), &agg)
        .unwrap()
        .collect();
    assert!(
        matches!(
            &unread[..],
            [Err(crate::store::ReadError {
                site: Some(_),
                error: crate::store::StoreError::Crypto {
                    source: crate::crypto::CryptoError::NoMatchingIdentity,
                    ..
                }
            })]
        ),
        "{unread:?}"
    );
    // The re-wrapped batch brings the same records under readable headers: each counts once.
    let r = import(&fs, &out, true, &agg).unwrap();
    assert_eq!((r.added, r.carried), (0, 3));
    assert_eq!(read(&fs, AGG, &agg).len(), 3);
    let r = import(&fs, &out, false, &agg).unwrap();
    assert_eq!((r.added, r.carried), (0, 0), "a replay adds nothing");
    // The site's manager opens both copies and still sees each response once.
    assert_eq!(read(&fs, AGG, &manager).len(), 3);
}

#[test]
fn the_reader_names_the_site_and_the_kiosk_refuses_an_aggregation_store() {
    let fs = MemFs::new();
    let id = fixture::site(&fs, "/north", "North", false, &[]);
    fixture::submit(&fs, "/north", 2, "n");
    assert!(read(&fs, "/north", &id).iter().all(|(s, _)| s == "North"));
    fixture::aggregation(&fs, AGG, false);
    let err = crate::store::Store::open_with(Arc::new(fs.clone()), Path::new(AGG))
        .err()
        .unwrap();
    assert!(err.to_string().contains("aggregation store"), "{err}");
    let err = export::export_with(
        &fs,
        Path::new(AGG),
        &Path::new(OUT).join("x.icb"),
        &ExportOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, BatchError::IsAggregate(_)), "{err}");
}

#[test]
fn damage_in_an_imported_file_is_reported_with_its_file_and_offset() {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, AGG, false);
    fixture::site(&fs, "/north", "North", false, &[agg.to_public()]);
    fixture::submit(&fs, "/north", 2, "n");
    let batch = fixture::export(&fs, "/north", "n.icb", false);
    let saved = import(&fs, &batch, true, &agg).unwrap().saved_as.unwrap();
    let mut bytes = fs.read(&saved).unwrap();
    let n = bytes.len();
    bytes[n - 10] ^= 1;
    fs.put(&saved, bytes);
    let results: Vec<_> = crate::store::read_all_with(Arc::new(fs.clone()), Path::new(AGG), &agg)
        .unwrap()
        .collect();
    let errors: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(|e| e.to_string()))
        .collect();
    assert_eq!(
        results.len() - errors.len(),
        1,
        "the undamaged record still reads"
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains(&*saved.to_string_lossy()) && errors[0].contains("offset"),
        "{}",
        errors[0]
    );
    for key in [None, Some(&agg)] {
        let report = crate::batch::verify::verify_with(Arc::new(fs.clone()), Path::new(AGG), key)
            .unwrap()
            .0;
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        assert_eq!(report.problems[0].path, saved);
        assert!(report.problems[0].offset.is_some());
        assert_eq!(report.counts.values().sum::<u64>(), 1);
    }
    // Importing the batch again repairs it: the damaged record is not "known".
    assert_eq!(import(&fs, &batch, false, &agg).unwrap().added, 1);
    let (report, _) =
        crate::batch::verify::verify_with(Arc::new(fs.clone()), Path::new(AGG), None).unwrap();
    assert_eq!(report.counts.values().sum::<u64>(), 2);
}

/// A batch written by the earlier version (format 1: no export chain), from the store-v2 test
/// vector with `export --to` the key in `tests/testdata/batch-v1.identity`: it still imports,
/// every response once, as a batch with no number.
#[test]
fn a_batch_of_format_1_still_imports() {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata");
    let bytes = std::fs::read(testdata.join("batch-v1.icb")).unwrap();
    assert_eq!(&bytes[8..10], &[1, 0], "a version-1 file");
    let text = std::fs::read_to_string(testdata.join("batch-v1.identity")).unwrap();
    let agg: age::x25519::Identity = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap()
        .parse()
        .unwrap();
    let fs = MemFs::new();
    fs.create_dir_all(&Path::new(AGG).join(IMPORTED_DIR))
        .unwrap();
    let meta = AggregateMeta {
        store_id: [7; 16],
        name: "Commissioner".into(),
        synthetic: true,
        recipients: vec![agg.to_public()],
    };
    fs.put(&Path::new(AGG).join(AGGREGATE_FILE), meta.to_bytes());
    let batch = Path::new("/batch-v1.icb");
    fs.put(batch, bytes.clone());
    let r = import(&fs, batch, true, &agg).unwrap();
    assert_eq!((r.added, r.records), (40, 40));
    assert!(r.manifest.chain.is_none());
    let got = read(&fs, AGG, &agg);
    assert_eq!(got.len(), 40);
    assert!(got.iter().all(|(site, _)| site == "Test vector practice"));
    let sites = crate::batch::intake::Log::load(&fs, Path::new(AGG))
        .unwrap()
        .sites();
    assert_eq!(
        sites[0].stores[0].last, None,
        "no number, so nothing can be missing"
    );
    assert_eq!(sites[0].latest.unwrap().to_string(), "2026-W49");
    // A batch from a newer program is refused, saying what to do.
    let mut newer = bytes;
    newer[8] = 3;
    let err = file::check(batch, &newer).unwrap_err();
    assert!(err.to_string().contains("update icare"), "{err}");
}
