//! Aggregation stores: a commissioner's store of batches from many sites. `init --aggregate`
//! makes one (with its own manager identity), `trust` names the site keys it accepts, `import`
//! checks a batch completely and then adds its new records in one atomic step.
//!
//! Layout: `aggregate.meta`, `keys/manager.age`, `trusted-sites`, `imported/<random>.ici` (one
//! file per imported batch, holding only the records that were new). See `docs/batches.md`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::file::{self, Batch, BatchEpoch};
use super::sign::SiteKey;
use super::{BatchError, Check};
use crate::crypto;
use crate::fsio::{self, Fs};
use crate::keys;
use crate::store::StoreError;
pub use crate::store::aggregate::{
    AGGREGATE_FILE, AggregateMeta, IMPORTED_DIR, KIND_AGGREGATE, KIND_ORIGIN, KIND_TRUST,
    MAGIC_AGGREGATE, MAGIC_IMPORTED, MAGIC_TRUST, Origin, TRUST_FILE, is_aggregate,
};
pub(crate) use crate::store::aggregate::{imported_files, json_file, parse_json_file};
use crate::store::format::{self, KIND_EPOCH, KIND_RECORD, hex};

/// Create an aggregation store in `dir` with a new manager identity protected by `passphrase`.
/// Returns the manager's `age1...` public key.
pub fn init_with(
    fs: &dyn Fs,
    dir: &Path,
    name: &str,
    synthetic: bool,
    passphrase: &SecretString,
    work_factor: Option<u8>,
) -> Result<String, BatchError> {
    let meta_path = dir.join(AGGREGATE_FILE);
    let identity_path = dir.join(keys::IDENTITY_FILE);
    for p in [
        &meta_path,
        &identity_path,
        &dir.join(crate::store::META_FILE),
    ] {
        if fs.exists(p) {
            return Err(StoreError::Exists(p.clone()).into());
        }
    }
    keys::check_passphrase(passphrase)?;
    for d in [IMPORTED_DIR, "keys"] {
        let d = dir.join(d);
        fs.create_dir_all(&d).map_err(BatchError::io(&d))?;
    }
    fs.sync_dir(dir).map_err(BatchError::io(dir))?;
    let identity = age::x25519::Identity::generate();
    keys::write_identity(fs, &identity_path, &identity, passphrase, work_factor)?;
    let mut store_id = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut store_id);
    let meta = AggregateMeta {
        store_id,
        name: name.to_string(),
        synthetic,
        recipients: vec![identity.to_public()],
    };
    // The description goes last: its presence is what makes the folder an aggregation store.
    fsio::write_atomic(fs, &meta_path, &meta.to_bytes()).map_err(BatchError::io(&meta_path))?;
    Ok(crypto::public_key(&identity))
}

/// One trusted site key and the site name its responses are reported under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedSite {
    pub site: String,
    /// `icare-site-ed25519:<64 hex>`.
    pub key: String,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TrustJson {
    sites: Vec<TrustedSite>,
}

/// The trusted site keys of the aggregation store in `dir`.
pub fn trusted(fs: &dyn Fs, dir: &Path) -> Result<Vec<TrustedSite>, BatchError> {
    let path = dir.join(TRUST_FILE);
    match fs.read(&path) {
        Ok(bytes) => {
            let t: TrustJson =
                parse_json_file(&path, &bytes, MAGIC_TRUST, KIND_TRUST, "trusted sites")?;
            Ok(t.sites)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(BatchError::Io { path, source }),
    }
}

/// Trust `key` as site `site` (written atomically). Returns `false` when it already was.
/// A key belongs to one site; a site may have several keys (several kiosks).
pub fn trust(fs: &dyn Fs, dir: &Path, key: &SiteKey, site: &str) -> Result<bool, BatchError> {
    AggregateMeta::load(fs, dir)?;
    if site.trim().is_empty() || site.chars().any(crate::sanitize::is_unsafe) {
        return Err(BatchError::BadSiteName(site.to_string()));
    }
    let mut sites = trusted(fs, dir)?;
    let key = key.to_string();
    if let Some(t) = sites.iter().find(|t| t.key == key) {
        if t.site == site {
            return Ok(false);
        }
        return Err(BatchError::TrustConflict {
            key,
            existing: t.site.clone(),
        });
    }
    sites.push(TrustedSite {
        site: site.to_string(),
        key,
    });
    let path = dir.join(TRUST_FILE);
    let bytes = json_file(MAGIC_TRUST, KIND_TRUST, &TrustJson { sites });
    fsio::write_atomic(fs, &path, &bytes).map_err(BatchError::io(&path))?;
    Ok(true)
}

/// What importing one batch did.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub path: PathBuf,
    /// The trusted site name its responses count under.
    pub site: String,
    pub batch_id: String,
    /// Records in the batch.
    pub records: u64,
    /// Records that were new and were added.
    pub added: u64,
    /// Records already here, stored again with a new epoch header (keys wrapped for more
    /// recipients); they count once.
    pub carried: u64,
    /// The key trusted by `--trust-new-site` for this batch, if any.
    pub trusted_now: Option<TrustedSite>,
    /// The file that holds the added records.
    pub saved_as: Option<PathBuf>,
}

/// What an aggregation store already holds: the ids ([`file::record_id`]) of its records and
/// the SHA-256 of each epoch header (frames whose checksums pass).
#[derive(Default)]
struct Known {
    records: HashSet<[u8; 32]>,
    headers: HashSet<[u8; 32]>,
}

fn known(fs: &dyn Fs, dir: &Path) -> Result<Known, BatchError> {
    let mut known = Known::default();
    for path in imported_files(fs, dir)? {
        let bytes = fs.read(&path).map_err(BatchError::io(&path))?;
        let scan = format::scan(&bytes, MAGIC_IMPORTED, "imported batch")
            .map_err(|source| StoreError::Header { path, source })?;
        for f in &scan.frames {
            let id = file::record_id(&bytes[f.start..f.end]);
            match f.kind {
                KIND_RECORD => known.records.insert(id),
                KIND_EPOCH => known.headers.insert(id),
                _ => false,
            };
        }
    }
    Ok(known)
}

/// Remove what a killed import left behind: temporary files (names starting with `.`).
fn remove_leftovers(fs: &dyn Fs, dir: &Path) -> Result<(), BatchError> {
    let idir = dir.join(IMPORTED_DIR);
    for name in fs.list(&idir).map_err(BatchError::io(&idir))? {
        if name.starts_with('.') {
            let p = idir.join(name);
            fs.remove_file(&p).map_err(BatchError::io(&p))?;
        }
    }
    Ok(())
}

/// Check the batch at `batch_path` completely, then add its new records to the aggregation store
/// in `dir` in one atomic step (a temporary file, synced, renamed into `imported/`, folder
/// synced). A crash at any point leaves the store as before or after this batch.
pub fn import_with(
    fs: &dyn Fs,
    dir: &Path,
    batch_path: &Path,
    trust_new_site: bool,
) -> Result<ImportReport, BatchError> {
    let meta = AggregateMeta::load(fs, dir)?;
    // One writer at a time: two imports would each miss the other's records when deduplicating.
    let _lock = crate::store::lock(fs, dir)?;
    remove_leftovers(fs, dir)?;
    let bytes = fs.read(batch_path).map_err(BatchError::io(batch_path))?;
    let batch: Batch = file::check(batch_path, &bytes)?;
    drop(bytes);
    let m = &batch.manifest;
    if m.synthetic != meta.synthetic {
        let kind = |s: bool| if s { "synthetic" } else { "real" };
        return Err(BatchError::Mixing {
            path: batch_path.to_owned(),
            batch: kind(m.synthetic),
            store: kind(meta.synthetic),
        });
    }
    let key = batch.signer.to_string();
    let mut trusted_now = None;
    let site = match trusted(fs, dir)?.into_iter().find(|t| t.key == key) {
        Some(t) => t.site,
        None if trust_new_site => {
            if m.site.trim().is_empty() {
                return Err(BatchError::Rejected {
                    path: batch_path.to_owned(),
                    check: Check::Manifest,
                    detail: format!(
                        "the batch names no site, so --trust-new-site has no name to give it; run `icare trust {key} --site NAME` first"
                    ),
                });
            }
            trust(fs, dir, &batch.signer, &m.site)?;
            trusted_now = Some(TrustedSite {
                site: m.site.clone(),
                key: key.clone(),
            });
            m.site.clone()
        }
        None => {
            return Err(BatchError::UnknownSigner {
                path: batch_path.to_owned(),
                key,
                site: m.site.clone(),
            });
        }
    };
    let known = known(fs, dir)?;
    let (mut added, mut carried) = (0u64, 0u64);
    let mut body = Vec::new();
    for BatchEpoch {
        header, records, ..
    } in &batch.epochs
    {
        // An epoch header not seen before (keys wrapped again with `export --to`) brings all of
        // its records again, so they can be read with a key the earlier copy was not wrapped
        // for; the reader still yields each record once.
        let new_header = !known.headers.contains(&file::record_id(header));
        let take: Vec<(&Vec<u8>, bool)> = records
            .iter()
            .map(|r| (r, !known.records.contains(&file::record_id(r))))
            .filter(|(_, new)| *new || new_header)
            .collect();
        if take.is_empty() {
            continue;
        }
        body.extend(format::frame(KIND_EPOCH, header));
        for (r, new) in take {
            body.extend(format::frame(KIND_RECORD, r));
            if new {
                added += 1;
            } else {
                carried += 1;
            }
        }
    }
    let mut report = ImportReport {
        path: batch_path.to_owned(),
        site: site.clone(),
        batch_id: m.batch_id.clone(),
        records: m.records,
        added,
        carried,
        trusted_now,
        saved_as: None,
    };
    if added + carried == 0 {
        return Ok(report);
    }
    let origin = Origin {
        site,
        signing_key: key,
        batch_id: m.batch_id.clone(),
        store_id: m.store_id.clone(),
    };
    let mut out = json_file(MAGIC_IMPORTED, KIND_ORIGIN, &origin);
    out.extend(body);
    let mut name = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut name);
    let path = dir.join(IMPORTED_DIR).join(format!("{}.ici", hex(&name)));
    fsio::write_atomic(fs, &path, &out).map_err(BatchError::io(&path))?;
    report.saved_as = Some(path);
    Ok(report)
}

#[cfg(test)]
mod tests;
