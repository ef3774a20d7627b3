//! Fixtures for the batch tests: site stores and aggregation stores in memory, without the
//! scrypt and Argon2 cost of `init`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::batch::aggregate::{self, AggregateMeta};
use crate::batch::export::{self, ExportOptions};
use crate::batch::sign;
use crate::fsio::Fs;
use crate::fsio::mem::MemFs;
use crate::response::PeriodKind;
use crate::store::{QUARANTINE_DIR, RECORDS_DIR, Store, StoreMeta, testkit};

/// Folder of batch files.
pub const OUT: &str = "/out";

/// A site store at `dir` readable by its manager and `also`; returns the manager identity.
pub fn site(
    fs: &MemFs,
    dir: &str,
    name: &str,
    synthetic: bool,
    also: &[age::x25519::Recipient],
) -> age::x25519::Identity {
    let dir = Path::new(dir);
    for d in [RECORDS_DIR, QUARANTINE_DIR, "keys"] {
        fs.create_dir_all(&dir.join(d)).unwrap();
    }
    fs.create_dir_all(Path::new(OUT)).unwrap();
    let id = age::x25519::Identity::generate();
    let mut recipients = vec![id.to_public()];
    recipients.extend(also.iter().cloned());
    let mut store_id = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut store_id);
    let meta = StoreMeta {
        store_id,
        site: name.into(),
        synthetic,
        period: PeriodKind::Week,
        recipients,
        signing_key: None,
    };
    fs.put(&StoreMeta::path(dir), meta.to_bytes());
    sign::create(fs, dir).unwrap();
    id
}

/// An aggregation store at `dir` and its manager identity.
pub fn aggregation(fs: &MemFs, dir: &str, synthetic: bool) -> age::x25519::Identity {
    let dir = Path::new(dir);
    fs.create_dir_all(&dir.join(aggregate::IMPORTED_DIR))
        .unwrap();
    let id = age::x25519::Identity::generate();
    let meta = AggregateMeta {
        store_id: [7; 16],
        name: "Commissioner".into(),
        synthetic,
        recipients: vec![id.to_public()],
    };
    fs.put(&dir.join(aggregate::AGGREGATE_FILE), meta.to_bytes());
    id
}

/// Submit `n` responses whose comments are `<tag> <i>`, spread over two weeks, in one process.
pub fn submit(fs: &MemFs, dir: &str, n: usize, tag: &str) {
    let weeks: Vec<u8> = (0..n).map(|i| 40 + (i % 2) as u8).collect();
    submit_weeks(fs, dir, &weeks, tag);
}

/// Submit one response in each of `weeks` (of 2026), comments `<tag> <i>`, in one process.
pub fn submit_weeks(fs: &MemFs, dir: &str, weeks: &[u8], tag: &str) {
    let s = testkit::survey();
    let mut store = Store::open_with(Arc::new(fs.clone()), Path::new(dir)).unwrap();
    for (i, &week) in weeks.iter().enumerate() {
        let mut r = testkit::tagged(&s, testkit::week(week), tag);
        r.comment = Some(format!("{tag} {i}"));
        store.submit(&s, &r).unwrap();
    }
}

/// An aggregation store at `agg_dir` and a site "North" readable by it that saves responses in the `weeks` of
/// each step and then exports `--since-last`: the store's memory, its identity and the batches.
pub fn chain_of(agg_dir: &str, steps: &[&[u8]]) -> (MemFs, age::x25519::Identity, Vec<PathBuf>) {
    let fs = MemFs::new();
    let agg = aggregation(&fs, agg_dir, false);
    site(&fs, "/north", "North", false, &[agg.to_public()]);
    let batches = steps
        .iter()
        .enumerate()
        .map(|(i, weeks)| {
            submit_weeks(&fs, "/north", weeks, &format!("step {i}"));
            export(&fs, "/north", &format!("{}.icb", i + 1), true)
        })
        .collect();
    (fs, agg, batches)
}

/// Import the batch at `batch` into the aggregation store at `dir` with its identity.
pub fn import(
    fs: &MemFs,
    dir: &str,
    batch: &Path,
    trust_new_site: bool,
    identity: &age::x25519::Identity,
) -> Result<aggregate::ImportReport, crate::batch::BatchError> {
    let options = aggregate::ImportOptions {
        trust_new_site,
        identity,
    };
    aggregate::import_with(fs, Path::new(dir), batch, &options)
}

/// Export `dir` to `/out/<name>` and return the batch path.
pub fn export(fs: &MemFs, dir: &str, name: &str, since_last: bool) -> PathBuf {
    let out = Path::new(OUT).join(name);
    let options = ExportOptions {
        since_last,
        ..ExportOptions::default()
    };
    export::export_with(fs, Path::new(dir), &out, &options).unwrap();
    out
}

/// Every `(site, comment)` of a store (either kind), sorted; panics on any read error.
pub fn read(fs: &MemFs, dir: &str, id: &age::x25519::Identity) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        crate::store::read_all_with(Arc::new(fs.clone()), Path::new(dir), id)
            .unwrap()
            .map(|r| {
                let (site, r) = r.unwrap();
                (site, r.comment.unwrap_or_default())
            })
            .collect();
    out.sort();
    out
}

/// Add a batch to the aggregation store at `dir` as an earlier version did: checked, but with no
/// key opened, no trust or store binding, no log.
pub fn import_unchecked(fs: &MemFs, dir: &str, batch: &Path) {
    use crate::store::format::{self, KIND_EPOCH, KIND_RECORD};
    let b = crate::batch::file::check(batch, &fs.read(batch).unwrap()).unwrap();
    let origin = aggregate::Origin {
        site: b.manifest.site.clone(),
        signing_key: b.manifest.signing_key.clone(),
        batch_id: b.manifest.batch_id.clone(),
        store_id: b.manifest.store_id.clone(),
    };
    let mut out = format::json_file(format::MAGIC_IMPORTED, format::KIND_ORIGIN, &origin);
    for e in &b.epochs {
        out.extend(format::frame(KIND_EPOCH, &e.header));
        for r in &e.records {
            out.extend(format::frame(KIND_RECORD, r));
        }
    }
    let name = format!("{}.ici", format::hex(&rand::random::<[u8; 16]>()));
    fs.put(
        &Path::new(dir).join(aggregate::IMPORTED_DIR).join(name),
        out,
    );
}
