//! ENOSPC and EIO at every file operation of an export and of an import (the process lives on,
//! unlike the kill tests beside the batch code): an export reported done is a complete, valid
//! batch and a failed one leaves no part of a batch under its final name; an import is all or
//! nothing, before and after a power cut; the next try completes either.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use icare::batch::aggregate::{self, AggregateMeta};
use icare::batch::export::{ExportOptions, export_with};
use icare::batch::{file, sign};
use icare::fsio::Fs;
use icare::fsio::mem::{Fault, MemFs};
use icare::response::{Answer, Period, PeriodKind, Response};
use icare::store::{QUARANTINE_DIR, RECORDS_DIR, Store, StoreMeta};

const SITE: &str = "/north";
const AGG: &str = "/agg";
const OUT: &str = "/out";

/// A site store with `n` responses whose records the aggregation store can read; its identity.
fn stores(n: usize) -> (MemFs, age::x25519::Identity) {
    let fs = MemFs::new();
    let agg = age::x25519::Identity::generate();
    fs.create_dir_all(&Path::new(AGG).join(aggregate::IMPORTED_DIR))
        .unwrap();
    fs.put(
        &Path::new(AGG).join(aggregate::AGGREGATE_FILE),
        AggregateMeta {
            store_id: [7; 16],
            name: "Commissioner".into(),
            synthetic: false,
            recipients: vec![agg.to_public()],
        }
        .to_bytes(),
    );
    let site = Path::new(SITE);
    for d in [RECORDS_DIR, QUARANTINE_DIR, "keys"] {
        fs.create_dir_all(&site.join(d)).unwrap();
    }
    fs.create_dir_all(Path::new(OUT)).unwrap();
    let meta = StoreMeta {
        store_id: [9; 16],
        site: "North".into(),
        synthetic: false,
        period: PeriodKind::Week,
        recipients: vec![
            age::x25519::Identity::generate().to_public(),
            agg.to_public(),
        ],
        signing_key: None,
    };
    fs.put(&StoreMeta::path(site), meta.to_bytes());
    sign::create(&fs, site).unwrap();
    let s = icare::survey::embedded().unwrap();
    let mut store = Store::open_with(Arc::new(fs.clone()), site).unwrap();
    for i in 0..n {
        let r = Response {
            survey_id: s.id.clone(),
            survey_hash: s.hash,
            language: "en".into(),
            period: Period::Week {
                year: 2026,
                week: 40 + (i % 2) as u8,
            },
            answers: vec![Answer::Skipped; s.items.len()],
            headline: Answer::Skipped,
            comment: Some(format!("response {i}")),
        };
        store.submit(&s, &r).unwrap();
    }
    (fs, agg)
}

/// A copy of every file, all durable.
fn restore(files: &[(PathBuf, Vec<u8>)]) -> MemFs {
    let fs = MemFs::new();
    for (p, b) in files {
        fs.create_dir_all(icare::fsio::parent(p)).unwrap();
        fs.put(p, b.clone());
    }
    for d in [OUT, "/agg/imported"] {
        fs.create_dir_all(Path::new(d)).unwrap();
    }
    fs
}

fn export(fs: &MemFs, name: &str) -> Result<PathBuf, String> {
    let out = Path::new(OUT).join(name);
    export_with(fs, Path::new(SITE), &out, &ExportOptions::default())
        .map(|_| out)
        .map_err(|e| e.to_string())
}

fn import(fs: &MemFs, batch: &Path, agg: &age::x25519::Identity) -> Result<(), String> {
    let options = aggregate::ImportOptions {
        trust_new_site: true,
        identity: agg,
    };
    aggregate::import_with(fs, Path::new(AGG), batch, &options)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn comments(fs: &MemFs, id: &age::x25519::Identity) -> Vec<String> {
    let mut out: Vec<String> =
        icare::store::read_all_with(Arc::new(fs.clone()), Path::new(AGG), id)
            .unwrap()
            .map(|r| r.unwrap().1.comment.unwrap_or_default())
            .collect();
    out.sort();
    out
}

#[test]
fn an_export_with_a_fault_at_any_operation_is_complete_or_absent() {
    let (fs, _) = stores(4);
    let pristine = fs.snapshot();
    let start = fs.ops();
    export(&fs, "probe.icb").unwrap();
    let ops = fs.ops() - start;
    for fault in [Fault::NoSpace, Fault::Io] {
        for n in 0..ops {
            let fs = restore(&pristine);
            fs.fail_at(fs.ops() + n, fault);
            let outcome = export(&fs, "b.icb");
            let out = Path::new(OUT).join("b.icb");
            for cut in [false, true] {
                if cut {
                    fs.power_cut(usize::MAX);
                }
                match fs.read(&out) {
                    Ok(bytes) => {
                        let batch = file::check(&out, &bytes);
                        assert!(batch.is_ok(), "{fault:?} at op {n}: a broken batch");
                    }
                    Err(_) => assert!(
                        outcome.is_err(),
                        "{fault:?} at op {n} (power cut: {cut}): reported done, no batch"
                    ),
                }
                let temps: Vec<_> = fs
                    .list(Path::new(OUT))
                    .unwrap()
                    .into_iter()
                    .filter(|n| n.starts_with('.'))
                    .collect();
                assert!(temps.is_empty(), "{fault:?} at op {n}: left {temps:?}");
            }
            // The next try works.
            export(&fs, "again.icb").unwrap();
        }
    }
    eprintln!(
        "export faults: {} injected ({ops} operations x ENOSPC, EIO)",
        2 * ops
    );
}

#[test]
fn an_import_with_a_fault_at_any_operation_is_all_or_nothing() {
    let (fs, agg) = stores(5);
    let batch = export(&fs, "b.icb").unwrap();
    let pristine = fs.snapshot();
    let start = fs.ops();
    import(&fs, &batch, &agg).unwrap();
    let ops = fs.ops() - start;
    let after = comments(&fs, &agg);
    assert_eq!(after.len(), 5);
    for fault in [Fault::NoSpace, Fault::Io] {
        for n in 0..ops {
            let fs = restore(&pristine);
            fs.fail_at(fs.ops() + n, fault);
            let outcome = import(&fs, &batch, &agg);
            for cut in [false, true] {
                if cut {
                    fs.power_cut(usize::MAX);
                }
                let got = comments(&fs, &agg);
                match &outcome {
                    Ok(()) => assert_eq!(got, after, "{fault:?} at op {n}: reported done"),
                    _ => assert!(
                        got.is_empty() || got == after,
                        "{fault:?} at op {n} (power cut: {cut}): part of a batch: {} responses",
                        got.len()
                    ),
                }
            }
            // Importing again completes it, once.
            import(&fs, &batch, &agg).unwrap();
            assert_eq!(comments(&fs, &agg), after, "{fault:?} at op {n}, again");
        }
    }
    eprintln!(
        "import faults: {} injected ({ops} operations x ENOSPC, EIO)",
        2 * ops
    );
}
