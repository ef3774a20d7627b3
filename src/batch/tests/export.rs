//! Export under crashes: the batch file is whole or absent, the store is untouched, and the
//! export chain never claims records that no durable batch holds.

use std::path::Path;

use crate::batch::BatchError;
use crate::batch::export::*;
use crate::batch::file;
use crate::batch::tests::fixture::{self, OUT};
use crate::fsio::Fs;
use crate::fsio::mem::{Fault, MemFs};
use crate::store::testkit;

fn since_last(fs: &MemFs, name: &str) -> Result<Exported, BatchError> {
    let options = ExportOptions {
        since_last: true,
        ..ExportOptions::default()
    };
    export_with(
        fs,
        Path::new("/north"),
        &Path::new(OUT).join(name),
        &options,
    )
}

/// The process dies at every file operation of a `--since-last` export, then the power is cut:
/// the batch is a complete, valid file or absent, the records files are unchanged, and the next
/// `--since-last` export plus the batches that survived hold every response exactly once.
#[test]
fn a_kill_at_any_step_of_an_export_never_loses_or_doubles_a_response() {
    let fs = MemFs::new();
    let agg = fixture::aggregation(&fs, "/agg", false);
    fixture::site(&fs, "/north", "North", false, &[agg.to_public()]);
    fixture::submit(&fs, "/north", 3, "old");
    since_last(&fs, "1.icb").unwrap();
    fixture::submit(&fs, "/north", 2, "new");
    let pristine = fs.snapshot();
    let records = |fs: &MemFs| {
        fs.snapshot()
            .into_iter()
            .filter(|(p, _)| p.extension().is_some_and(|e| e == "icr"))
            .collect::<Vec<_>>()
    };
    let start = fs.ops();
    since_last(&fs, "2.icb").unwrap();
    let total = fs.ops() - start;
    for crash_at in 0..=total {
        for keep in [0usize, usize::MAX] {
            let fs = testkit::restore_files(&pristine, &[]);
            fs.create_dir_all(Path::new("/agg/imported")).unwrap();
            fs.fail_from(fs.ops() + crash_at, Fault::Io);
            let outcome = since_last(&fs, "2.icb");
            fs.power_cut(keep.min(fs.unsynced_tail()));
            assert_eq!(
                records(&fs),
                records(&testkit::restore_files(&pristine, &[]))
            );
            let two = Path::new(OUT).join("2.icb");
            if fs.exists(&two) {
                file::check(&two, &fs.read(&two).unwrap()).unwrap();
            } else {
                assert!(outcome.is_err(), "crash at {crash_at}: Ok but no batch");
            }
            let three = since_last(&fs, "3.icb");
            for name in ["1.icb", "2.icb", "3.icb"] {
                let p = Path::new(OUT).join(name);
                if fs.exists(&p) {
                    fixture::import(&fs, "/agg", &p, true, &agg).unwrap();
                }
            }
            let got = fixture::read(&fs, "/agg", &agg);
            assert_eq!(
                got.len(),
                5,
                "crash at {crash_at}, keep {keep}: {got:?} (third export: {:?})",
                three.map(|e| e.manifest.records)
            );
        }
    }
}
