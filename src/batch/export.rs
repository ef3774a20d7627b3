//! `icare export`: gather a store's sealed records (no key needed) into one signed batch file,
//! written atomically. With `--since-last`, only records after the watermark left by the previous
//! `--since-last` export; with `--to`, epoch keys re-wrapped for extra recipients.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::file::{self, BatchEpoch, Manifest};
use super::{BatchError, aggregate, sign};
use crate::crypto;
use crate::fsio::{self, Fs};
use crate::store::format::{self, Damage, KIND_RECORD, MAGIC_RECORDS, hex, record_id, unhex};
use crate::store::ledger::Vouch;
use crate::store::period_file::{PeriodFile, split_record};
use crate::store::read::{epoch_info, record_frames};
use crate::store::recover::records_files;
use crate::store::{Problem, StoreError, StoreMeta};

/// The `--since-last` watermark, relative to the data folder.
pub const WATERMARK_FILE: &str = "export.watermark";
/// Magic of the watermark file.
pub const MAGIC_WATERMARK: [u8; 8] = *b"iCAREwm\x01";
/// Frame kind of the watermark's JSON.
pub const KIND_WATERMARK: u8 = 50;

/// What to export.
#[derive(Default)]
pub struct ExportOptions<'a> {
    /// Only records after the previous `--since-last` export, and move the watermark.
    pub since_last: bool,
    /// Extra recipients the epoch keys are wrapped to (needs `identity`).
    pub to: Vec<age::x25519::Recipient>,
    /// The manager identity, to unwrap epoch keys for `to`.
    pub identity: Option<&'a age::x25519::Identity>,
}

/// What `export` wrote.
#[derive(Debug, Clone)]
pub struct Exported {
    pub out: PathBuf,
    pub manifest: Manifest,
    /// Damaged frames left out (their records cannot be exported; `icare verify` tells more).
    pub skipped: Vec<Problem>,
    /// Whether the watermark was moved.
    pub watermark_moved: bool,
}

/// The watermark: for each version-1 records file, the offset up to which its records were
/// exported; for version-2 files (whose records stand in random order, so no offset divides old
/// from new), the id ([`record_id`], hex) of every record exported.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Watermark {
    store_id: String,
    files: BTreeMap<String, u64>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    records: BTreeSet<String>,
}

impl Watermark {
    fn load(fs: &dyn Fs, dir: &Path, meta: &StoreMeta) -> Result<Watermark, BatchError> {
        let path = dir.join(WATERMARK_FILE);
        let bytes = match fs.read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Watermark {
                    store_id: hex(&meta.store_id),
                    ..Watermark::default()
                });
            }
            Err(source) => return Err(BatchError::Io { path, source }),
        };
        let w: Watermark = aggregate::parse_json_file(
            &path,
            &bytes,
            MAGIC_WATERMARK,
            KIND_WATERMARK,
            "export watermark",
        )?;
        if unhex(&w.store_id).as_deref() != Some(&meta.store_id[..]) {
            return Err(StoreError::Corrupt {
                path,
                offset: format::FILE_HEADER_LEN as u64,
                what:
                    "the watermark belongs to another store; remove it to export everything again"
                        .into(),
            }
            .into());
        }
        Ok(w)
    }

    fn save(&self, fs: &dyn Fs, dir: &Path) -> Result<(), BatchError> {
        let path = dir.join(WATERMARK_FILE);
        let bytes = aggregate::json_file(MAGIC_WATERMARK, KIND_WATERMARK, self);
        fsio::write_atomic(fs, &path, &bytes).map_err(BatchError::io(&path))
    }
}

/// Export the store in `data_dir` to a new batch file `out` (refused if it exists). The store is
/// not changed, except the watermark with `since_last`.
pub fn export_with(
    fs: &dyn Fs,
    data_dir: &Path,
    out: &Path,
    options: &ExportOptions<'_>,
) -> Result<Exported, BatchError> {
    if aggregate::is_aggregate(fs, data_dir) {
        return Err(BatchError::IsAggregate(data_dir.to_owned()));
    }
    let meta = StoreMeta::load(fs, data_dir)?;
    let signer = sign::load(fs, data_dir)?;
    // An existing regular file (or a link to one) is refused; a device or FIFO is written into.
    let new_file = match fs.out_target(out).map_err(BatchError::io(out))? {
        fsio::OutTarget::File(target) if fs.exists(&target) => {
            return Err(BatchError::OutExists(out.to_owned()));
        }
        fsio::OutTarget::File(target) => Some(target),
        fsio::OutTarget::Special(_) => None,
    };
    if let Some(out_dir) = new_file
        .as_deref()
        .map(fsio::parent)
        .filter(|d| !fs.exists(d))
    {
        return Err(BatchError::Io {
            path: out.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the folder {} does not exist", out_dir.display()),
            ),
        });
    }
    if !options.to.is_empty() && options.identity.is_none() {
        return Err(BatchError::NoIdentityForTo);
    }
    let old = if options.since_last {
        Watermark::load(fs, data_dir, &meta)?
    } else {
        Watermark::default()
    };
    let mut mark = old.clone();
    mark.store_id = hex(&meta.store_id);
    let mut skipped = Vec::new();
    let mut epochs = Vec::new();
    let vouch = Vouch::load(fs, data_dir, &meta);
    for path in records_files(fs, data_dir)? {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = match fs.read(&path) {
            Ok(b) => b,
            Err(e) => {
                skipped.push(Problem::new(&path, None, e.to_string()));
                continue;
            }
        };
        let scan = match format::scan(&bytes, MAGIC_RECORDS, "records") {
            Ok(s) => s,
            Err(source @ format::HeaderError::NewerVersion(_)) => {
                return Err(StoreError::Header { path, source }.into());
            }
            Err(e) => {
                skipped.push(Problem::new(&path, Some(0), e.to_string()));
                continue;
            }
        };
        if let Err(why) = vouch.check(&name, &bytes, scan.version, record_frames(&scan)) {
            skipped.push(Problem::new(
                &path,
                None,
                format!("{why}: left out of the batch"),
            ));
            continue;
        }
        for d in &scan.damage {
            let (Damage::BadFrameHeader { offset } | Damage::BadPayload { offset }) = d;
            skipped.push(Problem::new(
                &path,
                Some(*offset as u64),
                "checksum mismatch: left out of the batch".into(),
            ));
        }
        if scan.version >= 2 {
            let file = match PeriodFile::parse(&path, &bytes, &scan, &meta) {
                Ok(f) => f,
                Err(e) => {
                    skipped.push(Problem::new(&path, None, e.to_string()));
                    continue;
                }
            };
            // Each record to its group, in one pass (its id computed once).
            let mut by_group: std::collections::HashMap<[u8; 16], Vec<Vec<u8>>> =
                std::collections::HashMap::new();
            for r in &file.records {
                let Some((gid, sealed)) = split_record(&bytes[r.start..r.end]) else {
                    continue;
                };
                let id = hex(&record_id(sealed));
                if !old.records.contains(&id) {
                    by_group.entry(gid).or_default().push(sealed.to_vec());
                }
                if options.since_last {
                    mark.records.insert(id);
                }
            }
            for (info, f, _) in &file.groups {
                let Some(records) = by_group.remove(&info.epoch_id) else {
                    continue;
                };
                let mut header = bytes[f.start..f.end].to_vec();
                if !options.to.is_empty() {
                    header = rewrap(&path, &header, info, &meta, options)?;
                }
                epochs.push(BatchEpoch {
                    info: info.clone(),
                    header,
                    records,
                });
            }
            continue;
        }
        // A file still being created (no complete epoch header yet) holds no record.
        if scan.frames.is_empty() {
            continue;
        }
        let (info, _) = match epoch_info(&path, &bytes, &scan.frames, &meta) {
            Ok(x) => x,
            Err(e) => {
                skipped.push(Problem::new(&path, None, e.to_string()));
                continue;
            }
        };
        let from = old.files.get(&name).copied().unwrap_or(0);
        let mut records = Vec::new();
        for f in scan.frames.iter().skip(1) {
            if f.kind != KIND_RECORD {
                skipped.push(Problem::new(
                    &path,
                    Some(f.offset as u64),
                    format!("unexpected frame kind {}", f.kind),
                ));
            } else if f.offset as u64 >= from {
                records.push(bytes[f.start..f.end].to_vec());
            }
        }
        if let Some(last) = scan.frames.last() {
            let end = (last.end + format::FRAME_TRAILER_LEN) as u64;
            mark.files.insert(name, end.max(from));
        }
        if records.is_empty() {
            continue;
        }
        let first = scan.frames[0];
        let mut header = bytes[first.start..first.end].to_vec();
        if !options.to.is_empty() {
            header = rewrap(&path, &header, &info, &meta, options)?;
        }
        epochs.push(BatchEpoch {
            info,
            header,
            records,
        });
    }
    if epochs.is_empty() {
        return Err(BatchError::NothingToExport(if options.since_last {
            format!(
                "{}: no new records since the last --since-last export (recorded in {}); no batch written",
                data_dir.display(),
                data_dir.join(WATERMARK_FILE).display()
            )
        } else {
            format!(
                "{}: the store holds no records; no batch written",
                data_dir.display()
            )
        }));
    }
    let bytes = file::build(&meta.site, meta.store_id, meta.synthetic, &signer, epochs);
    // The batch must pass the importer's checks before it leaves this program.
    let manifest = file::check(out, &bytes)?.manifest;
    fsio::write_out(fs, out, |w| w.write_all(&bytes)).map_err(BatchError::io(out))?;
    // Only once the batch is durable: a crash before this line repeats these records in the
    // next `--since-last` batch, and importing skips what it already has.
    let watermark_moved = options.since_last && mark != old;
    if watermark_moved {
        mark.save(fs, data_dir)?;
    }
    Ok(Exported {
        out: out.to_owned(),
        manifest,
        skipped,
        watermark_moved,
    })
}

/// An epoch header whose key part is re-wrapped to the store's recipients and the extra ones.
fn rewrap(
    path: &Path,
    header: &[u8],
    info: &format::EpochInfo,
    meta: &StoreMeta,
    options: &ExportOptions<'_>,
) -> Result<Vec<u8>, BatchError> {
    let err = |source| BatchError::Rewrap {
        path: path.to_owned(),
        epoch: format!("{} {}", info.period, hex(&info.epoch_id)),
        source,
    };
    let identity = options.identity.ok_or(BatchError::NoIdentityForTo)?;
    let binding = info.binding();
    let secret = crypto::unwrap(identity, &header[binding.len()..]).map_err(err)?;
    if secret.len() != 32 + binding.len() || secret[32..] != binding[..] {
        return Err(err(crypto::CryptoError::Unwrap(
            "the epoch header's clear fields were altered".into(),
        )));
    }
    let mut recipients = meta.recipients.clone();
    for r in &options.to {
        if !recipients.iter().any(|x| x.to_string() == r.to_string()) {
            recipients.push(r.clone());
        }
    }
    let wrapped = crypto::wrap(&recipients, &secret).map_err(err)?;
    let mut out = binding;
    out.extend_from_slice(&wrapped);
    Ok(out)
}

#[cfg(test)]
mod tests;
