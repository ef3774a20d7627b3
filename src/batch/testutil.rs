//! Fixtures for the batch tests: site stores and aggregation stores in memory, without the
//! scrypt and Argon2 cost of `init`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::aggregate::{self, AggregateMeta};
use super::export::{self, ExportOptions};
use super::sign;
use crate::fsio::Fs;
use crate::fsio::mem::MemFs;
use crate::response::{Answer, Period, PeriodKind, Response};
use crate::store::{QUARANTINE_DIR, RECORDS_DIR, Store, StoreMeta};

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
    let s = crate::survey::embedded().unwrap();
    let mut store = Store::open_with(Arc::new(fs.clone()), Path::new(dir)).unwrap();
    for (i, &week) in weeks.iter().enumerate() {
        let r = Response {
            survey_id: s.id.clone(),
            survey_hash: s.hash,
            language: "en".into(),
            period: Period::Week { year: 2026, week },
            answers: vec![Answer::Skipped; s.items.len()],
            headline: Answer::Skipped,
            comment: Some(format!("{tag} {i}")),
        };
        store.submit(&s, &r).unwrap();
    }
}

/// Import the batch at `batch` into the aggregation store at `dir` with its identity.
pub fn import(
    fs: &MemFs,
    dir: &str,
    batch: &Path,
    trust_new_site: bool,
    identity: &age::x25519::Identity,
) -> Result<aggregate::ImportReport, super::BatchError> {
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

/// A new in-memory file system holding `files` (from [`MemFs::snapshot`]), all durable.
pub fn restore(files: &[(PathBuf, Vec<u8>)]) -> MemFs {
    let fs = MemFs::new();
    for (p, b) in files {
        fs.create_dir_all(crate::fsio::parent(p)).unwrap();
        fs.put(p, b.clone());
    }
    fs
}

/// Add a batch to the aggregation store at `dir` as an earlier version did: checked, but with no
/// key opened, no trust or store binding, no log.
pub fn import_unchecked(fs: &MemFs, dir: &str, batch: &Path) {
    use crate::store::format::{self, KIND_EPOCH, KIND_RECORD};
    let b = super::file::check(batch, &fs.read(batch).unwrap()).unwrap();
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
