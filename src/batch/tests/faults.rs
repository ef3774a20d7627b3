//! ENOSPC and EIO at every file operation of an export and of an import (the process lives on,
//! unlike the kill tests in [`super::export`] and [`super::aggregate`]): an export reported done
//! is a complete, valid batch and a failed one leaves no part of a batch under its final name; an
//! import is all or nothing, before and after a power cut; the next try completes either.

use std::path::{Path, PathBuf};

use super::fixture::{self, OUT};
use crate::batch::export::{ExportOptions, export_with};
use crate::batch::{aggregate, file};
use crate::fsio::Fs;
use crate::fsio::mem::{Fault, MemFs};
use crate::store::testkit;

const SITE: &str = "/north";
const AGG: &str = "/agg";

/// A site store with `n` responses whose records the aggregation store can read, and the
/// aggregation store's identity.
fn stores(n: usize) -> (MemFs, age::x25519::Identity) {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, AGG, false);
    fixture::site(&fs, SITE, "North", false, &[agg.to_public()]);
    fixture::submit(&fs, SITE, n, "response");
    (fs, agg)
}

/// A copy of every file, all durable, with the (empty) folders the batches go to.
fn restore(files: &[(PathBuf, Vec<u8>)]) -> MemFs {
    testkit::restore_files(files, &[OUT, "/agg/imported"].map(PathBuf::from))
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
    let after = fixture::read(&fs, AGG, &agg);
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
                let got = fixture::read(&fs, AGG, &agg);
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
            assert_eq!(
                fixture::read(&fs, AGG, &agg),
                after,
                "{fault:?} at op {n}, again"
            );
        }
    }
    eprintln!(
        "import faults: {} injected ({ops} operations x ENOSPC, EIO)",
        2 * ops
    );
}
