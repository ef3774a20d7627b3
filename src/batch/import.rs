//! `icare import`: a batch added to an aggregation store all or nothing, in two passes over the
//! file, one frame in memory at a time. The first pass checks everything: every byte
//! ([`file::check_reader`]), every epoch key unwrapped with the aggregation store's identity
//! (the key wrap only: no answer is decrypted), the signer trusted and the store bound to it
//! ([`keylog`]). Only then does the second pass copy what is new into a temporary file, hashing
//! the batch again to prove it read the same bytes; the file is synced and renamed into
//! `imported/`, and the batch is logged as received ([`intake`]).

use std::io::BufReader;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::file::{self, Checked, Visitor};
use super::intake::{self, Received};
use super::keylog::{self, KeyEvent, Keys, Trust};
use super::{BatchError, Check};
use crate::crypto::{self, CryptoError};
use crate::fsio::{self, Fs};
use crate::store::aggregate::{AggregateMeta, IMPORTED_DIR, Origin, imported_files, open_imported};
use crate::store::format::{
    self, EpochInfo, KIND_EPOCH, KIND_MANIFEST, KIND_RECORD, KIND_SIGNATURE, hex,
};
use crate::store::stream::{FrameReader, Step};

/// How to import.
pub struct ImportOptions<'a> {
    /// Trust the signer of a batch from a site with no key yet, under the site name the batch
    /// gives.
    pub trust_new_site: bool,
    /// The identity the store is read with (its own, or an analyst's for an analyst's store):
    /// every epoch key of the batch must open with it.
    pub identity: &'a age::x25519::Identity,
}

/// What importing one batch did.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub path: PathBuf,
    /// The trusted site name its responses count under.
    pub site: String,
    pub batch_id: String,
    /// The batch's manifest.
    pub manifest: file::Manifest,
    /// Records in the batch.
    pub records: u64,
    /// Records that were new and were added.
    pub added: u64,
    /// Records already here, stored again with a new epoch header (keys wrapped for more
    /// recipients); they count once.
    pub carried: u64,
    /// The key trusted by `--trust-new-site` for this batch, if any.
    pub trusted_now: Option<keylog::TrustedSite>,
    /// The file that holds the added records.
    pub saved_as: Option<PathBuf>,
}

/// Unwraps every epoch key of a batch as the check reads it, and counts those that do not open.
struct Unwrap<'a> {
    identity: &'a age::x25519::Identity,
    epochs: u64,
    /// Epochs whose key is not wrapped for the identity.
    not_ours: u64,
    /// The first epoch whose key part fails otherwise (a changed clear part, a broken age
    /// file): its offset and what failed.
    broken: Option<(u64, String)>,
}

impl Visitor for Unwrap<'_> {
    fn epoch(&mut self, offset: u64, info: &EpochInfo, payload: &[u8]) {
        self.epochs += 1;
        let binding = info.binding();
        match crypto::unwrap(self.identity, &payload[binding.len()..]) {
            Ok(secret) if secret.len() == 32 + binding.len() && secret[32..] == binding[..] => {}
            Ok(_) => {
                self.broken
                    .get_or_insert((offset, "the key header's clear fields were altered".into()));
            }
            Err(CryptoError::NoMatchingIdentity) => self.not_ours += 1,
            Err(e) => {
                self.broken.get_or_insert((offset, e.to_string()));
            }
        }
    }
    fn record(&mut self, _: &[u8]) {}
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
    for log in [keylog::KEYS_LOG, intake::RECEIVED_LOG] {
        let p = dir.join(log);
        fsio::remove_leftovers(fs, &p).map_err(BatchError::io(&p))?;
    }
    Ok(())
}

/// Which of the batch's records and epoch headers the aggregation store holds already, by
/// reading every imported file as a stream (frames whose checks pass).
fn known(fs: &dyn Fs, dir: &Path, batch: &Checked) -> Result<(Vec<bool>, Vec<bool>), BatchError> {
    let mut records = vec![false; batch.records.len()];
    let mut headers = vec![false; batch.epochs.len()];
    let by_header: std::collections::HashMap<[u8; 32], Vec<usize>> = batch
        .epochs
        .iter()
        .enumerate()
        .fold(Default::default(), |mut m, (i, e)| {
            m.entry(e.header_sha256).or_default().push(i);
            m
        });
    for path in imported_files(fs, dir)? {
        let mut frames = match open_imported(fs, &path) {
            Ok((_, frames)) => frames,
            // Cut short or without its origin: nothing in it is read, so nothing in it is known,
            // and the batch brings its records again.
            Err(crate::store::StoreError::Corrupt { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        loop {
            match frames.next_frame().map_err(BatchError::io(&path))? {
                Step::Frame(f) if f.kind == KIND_RECORD => {
                    if let Some(i) = batch.find(&format::short_id(f.payload)) {
                        records[i] = true;
                    }
                }
                Step::Frame(f) if f.kind == KIND_EPOCH => {
                    let h: [u8; 32] = Sha256::digest(f.payload).into();
                    for &i in by_header.get(&h).into_iter().flatten() {
                        headers[i] = true;
                    }
                }
                Step::Frame(_) | Step::BadPayload { .. } => {}
                _ => break,
            }
        }
    }
    Ok((records, headers))
}

/// Check the batch at `batch_path` completely, then add its new records to the aggregation store
/// in `dir` in one atomic step (a temporary file, synced, renamed into `imported/`, folder
/// synced). A crash at any point leaves the store as before or after this batch.
pub fn import_with(
    fs: &dyn Fs,
    dir: &Path,
    batch_path: &Path,
    options: &ImportOptions<'_>,
) -> Result<ImportReport, BatchError> {
    let meta = AggregateMeta::load(fs, dir)?;
    // One writer at a time: two imports would each miss the other's records when deduplicating.
    let _lock = crate::store::lock(fs, dir)?;
    remove_leftovers(fs, dir)?;
    let open = || -> Result<_, BatchError> {
        Ok(BufReader::with_capacity(
            256 * 1024,
            fs.open_read(batch_path)
                .map_err(BatchError::io(batch_path))?,
        ))
    };
    let mut unwrap = Unwrap {
        identity: options.identity,
        epochs: 0,
        not_ours: 0,
        broken: None,
    };
    let batch = file::check_reader(batch_path, open()?, &mut unwrap)?;
    let m = &batch.manifest;
    if m.synthetic != meta.synthetic {
        let kind = |s: bool| if s { "synthetic" } else { "real" };
        return Err(BatchError::Mixing {
            path: batch_path.to_owned(),
            batch: kind(m.synthetic),
            store: kind(meta.synthetic),
        });
    }
    let mut keys = Keys::load(fs, dir)?;
    let (site, mut events) = admit(&keys, batch_path, &batch, options.trust_new_site)?;
    if let Some((offset, what)) = unwrap.broken {
        return Err(BatchError::Rejected {
            path: batch_path.to_owned(),
            check: Check::EpochHeaders,
            detail: format!("offset {offset}: the epoch key does not open: {what}"),
        });
    }
    if unwrap.not_ours > 0 {
        return Err(BatchError::NotForUs {
            path: batch_path.to_owned(),
            site: m.site.clone(),
            unreadable: unwrap.not_ours,
            epochs: unwrap.epochs,
            recipient: options.identity.to_public().to_string(),
        });
    }
    let trusted_now = events.iter().find_map(|e| match e {
        KeyEvent::Trusted { site, key, .. } => Some(keylog::TrustedSite {
            site: site.clone(),
            key: key.clone(),
        }),
        _ => None,
    });
    let (known_records, known_headers) = known(fs, dir, &batch)?;
    // An epoch header not seen before (keys wrapped again with `export --to`) brings all of its
    // records again, so they can be read with a key the earlier copy was not wrapped for; the
    // reader still yields each record once.
    let take: Vec<bool> = batch
        .epochs
        .iter()
        .enumerate()
        .flat_map(|(e, entry)| {
            let all = !known_headers[e];
            (entry.first..entry.first + entry.count).map(move |i| (i, all))
        })
        .map(|(i, all)| all || !known_records[i])
        .collect();
    let added = known_records.iter().filter(|k| !**k).count() as u64;
    let carried = take.iter().filter(|t| **t).count() as u64 - added;
    let mut report = ImportReport {
        path: batch_path.to_owned(),
        site: site.clone(),
        batch_id: m.batch_id.clone(),
        manifest: m.clone(),
        records: m.records,
        added,
        carried,
        trusted_now,
        saved_as: None,
    };
    let mut log = intake::Log::load(fs, dir)?;
    if added + carried > 0 {
        let origin = Origin {
            site: site.clone(),
            signing_key: m.signing_key.clone(),
            batch_id: m.batch_id.clone(),
            store_id: m.store_id.clone(),
        };
        let mut name = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut name);
        let path = dir.join(IMPORTED_DIR).join(format!("{}.ici", hex(&name)));
        let tmp = fsio::temp_name(&path);
        let written = copy(fs, &tmp, &origin, &batch, &take, open()?, batch_path).and_then(|()| {
            // The site's trust and the store's binding first: a crash before the rename leaves
            // them logged and the batch not imported (import it again).
            keys.record(fs, dir, std::mem::take(&mut events))?;
            fs.rename(&tmp, &path).map_err(BatchError::io(&path))?;
            let idir = dir.join(IMPORTED_DIR);
            fs.sync_dir(&idir).map_err(BatchError::io(&idir))
        });
        if written.is_err() {
            let _ = fs.remove_file(&tmp);
        }
        written?;
        report.saved_as = Some(path);
    } else {
        keys.record(fs, dir, events)?;
    }
    let before: Vec<Received> = log.entries().cloned().collect();
    log.add(fs, dir, Received::of(m, &site, &before))?;
    Ok(report)
}

/// The site a batch's records count under, and what the keys log must record first; or why the
/// batch is refused. Nothing is written here.
fn admit(
    keys: &Keys,
    path: &Path,
    batch: &Checked,
    trust_new_site: bool,
) -> Result<(String, Vec<KeyEvent>), BatchError> {
    let m = &batch.manifest;
    let key = batch.signer.to_string();
    let mut events = Vec::new();
    let site = match keys.site_of(&key) {
        Some(site) => site.to_string(),
        None if trust_new_site && !keys.replaced.contains_key(&key) => {
            if m.site.trim().is_empty() {
                return Err(BatchError::Rejected {
                    path: path.to_owned(),
                    check: Check::Manifest,
                    detail: format!(
                        "the batch names no site, so --trust-new-site has no name to give it; run `icare trust {key} --site NAME` first"
                    ),
                });
            }
            let event = keys
                .plan_trust(&key, &m.site, Trust::New, "icare import --trust-new-site")
                .map_err(|e| e.with_path(path))?;
            events.extend(event);
            m.site.clone()
        }
        None => {
            if let Some((by, site)) = keys.replaced.get(&key) {
                return Err(BatchError::KeyReplaced {
                    path: Some(path.to_owned()),
                    key: key.clone(),
                    by: keylog::fingerprint(by),
                    site: site.clone(),
                });
            }
            return Err(BatchError::UnknownSigner {
                path: path.to_owned(),
                key: key.clone(),
                site: m.site.clone(),
                taken: keys
                    .keys_of(&m.site)
                    .iter()
                    .map(|k| keylog::fingerprint(k))
                    .collect(),
            });
        }
    };
    match (keys.key_of_store(&m.store_id), keys.store_of_key(&key)) {
        (Some(bound), _) if bound != key => Err(BatchError::StoreOfAnotherKey(Box::new(
            super::StoreConflict {
                path: path.to_owned(),
                store_id: m.store_id.clone(),
                bound: keylog::fingerprint(bound),
                bound_site: keys
                    .site_of(bound)
                    .unwrap_or("(no longer trusted)")
                    .to_string(),
                key: keylog::fingerprint(&key),
                site,
            },
        ))),
        (Some(_), _) => Ok((site, events)),
        (None, Some(other)) => Err(BatchError::KeyOfAnotherStore {
            path: path.to_owned(),
            key: keylog::fingerprint(&key),
            site,
            store_id: m.store_id.clone(),
            other: other.to_string(),
        }),
        (None, None) => {
            events.push(keylog::bound(&m.store_id, &key, &site));
            Ok((site, events))
        }
    }
}

/// The second pass: copy the epochs and records marked in `take` into a new imported file at
/// `tmp` (synced), proving the batch still has the bytes the first pass checked.
pub(super) fn copy(
    fs: &dyn Fs,
    tmp: &Path,
    origin: &Origin,
    batch: &Checked,
    take: &[bool],
    input: impl std::io::Read,
    batch_path: &Path,
) -> Result<(), BatchError> {
    let changed = || BatchError::Changed(batch_path.to_owned());
    let mut frames = FrameReader::of(input, &format::BATCH, true).map_err(|_| changed())?;
    let mut failed = None;
    fsio::write_synced(fs, tmp, |w| -> std::io::Result<()> {
        w.write_all(&format::json_file(
            format::MAGIC_IMPORTED,
            format::KIND_ORIGIN,
            origin,
        ))?;
        let (mut epoch, mut record) = (0usize, 0usize);
        loop {
            match frames.next_frame()? {
                Step::Frame(f) if f.kind == KIND_EPOCH => {
                    let Some(e) = batch.epochs.get(epoch) else {
                        failed = Some(changed());
                        break;
                    };
                    epoch += 1;
                    if take[e.first..e.first + e.count].iter().any(|t| *t) {
                        w.write_all(f.head)?;
                        w.write_all(f.payload)?;
                        w.write_all(f.trailer)?;
                    }
                }
                Step::Frame(f) if f.kind == KIND_RECORD => {
                    if take.get(record).copied().unwrap_or(false) {
                        w.write_all(f.head)?;
                        w.write_all(f.payload)?;
                        w.write_all(f.trailer)?;
                    }
                    record += 1;
                }
                Step::Frame(f) if f.kind == KIND_MANIFEST || f.kind == KIND_SIGNATURE => {}
                Step::End => break,
                _ => {
                    failed = Some(changed());
                    break;
                }
            }
        }
        if frames.sha256() != Some(batch.file_sha256) {
            failed.get_or_insert_with(changed);
        }
        match failed {
            Some(_) => Err(std::io::Error::other("the batch changed")),
            None => Ok(()),
        }
    })
    .map_err(|e| failed.take().unwrap_or_else(|| BatchError::io(tmp)(e)))
}
