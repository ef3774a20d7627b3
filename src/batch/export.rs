//! `icare export`: gather a store's sealed records (no key needed) into one signed batch file,
//! one period's files in memory at a time. The contents go to a temporary file first (hashed and
//! counted on the way), then the batch is written atomically: header, manifest, contents,
//! signature. With `--since-last`, only records files that changed since the previous
//! `--since-last` batch, which gets the next number of the store's chain ([`chain`]); with
//! `--to`, epoch keys re-wrapped for extra recipients.

pub mod chain;

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::file::{self, Chain, ContentsWriter, Manifest, Sent};
use super::{BatchError, aggregate, sign};
use crate::crypto;
use crate::fsio::{self, Fs};
use crate::store::format::{self, Damage, EpochInfo, KIND_RECORD, hex};
use crate::store::ledger::{Vouch, sha256_hex};
use crate::store::period_file::{PeriodFile, split_record};
use crate::store::read::{epoch_info, record_frames};
use crate::store::recover::records_files;
use crate::store::{Problem, StoreError, StoreMeta};
pub use chain::{CHAIN_FILE, ExportChain, WATERMARK_FILE};

/// What to export.
#[derive(Default)]
pub struct ExportOptions<'a> {
    /// Only records files changed since the previous `--since-last` batch; the batch gets the
    /// next number of the chain.
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
    /// Damaged frames or files left out (their records cannot be exported; `icare verify` tells
    /// more).
    pub skipped: Vec<Problem>,
    /// Whether the chain was moved on (a `--since-last` batch).
    pub chain_moved: bool,
}

/// The period part of a records file's name: `2026-W47` for `2026-W47.icr` (version 2) and for
/// `2026-W47-<32 hex>.icr` (version 1), so that one period's files are exported together.
fn period_part(name: &str) -> &str {
    let stem = name.strip_suffix(".icr").unwrap_or(name);
    match stem.rsplit_once('-') {
        Some((p, id)) if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) => p,
        _ => stem,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// An epoch to write: its clear part, header bytes (re-wrapped or as stored) and records.
struct Epoch<'b> {
    info: EpochInfo,
    header: Cow<'b, [u8]>,
    records: Vec<&'b [u8]>,
}

/// Everything the export of one store needs while it walks the files.
struct Walk<'a> {
    fs: &'a dyn Fs,
    dir: &'a Path,
    meta: &'a StoreMeta,
    vouch: Vouch,
    chain: ExportChain,
    options: &'a ExportOptions<'a>,
    skipped: Vec<Problem>,
    /// With `--since-last`: the SHA-256 of each file now vouched for, for the chain.
    seen: Vec<(String, String)>,
}

impl Walk<'_> {
    /// Read, check and (when it is to be exported) split one records file into epochs.
    fn file<'b>(&mut self, path: &Path, bytes: &'b [u8]) -> Result<Vec<Epoch<'b>>, BatchError> {
        let name = file_name(path);
        let scan = match format::RECORDS.scan(bytes) {
            Ok(s) => s,
            Err(source @ format::HeaderError::NewerVersion(_)) => {
                return Err(StoreError::Header {
                    path: path.to_owned(),
                    source,
                }
                .into());
            }
            Err(e) => {
                self.skipped
                    .push(Problem::new(path, Some(0), e.to_string()));
                return Ok(Vec::new());
            }
        };
        if let Err(why) = self
            .vouch
            .check(&name, bytes, scan.version, record_frames(&scan))
        {
            self.skipped.push(Problem::new(
                path,
                None,
                format!("{why}: left out of the batch"),
            ));
            return Ok(Vec::new());
        }
        for d in &scan.damage {
            let (Damage::BadFrameHeader { offset } | Damage::BadPayload { offset }) = d;
            self.skipped.push(Problem::new(
                path,
                Some(*offset as u64),
                "checksum mismatch: left out of the batch".into(),
            ));
        }
        let mut epochs = Vec::new();
        let mut seen = chain::FileSeen {
            name: &name,
            sha256: &sha256_hex(bytes),
            v1_end: None,
            v2_records: Vec::new(),
        };
        if scan.version >= 2 {
            let file = match PeriodFile::parse(path, bytes, &scan, self.meta) {
                Ok(f) => f,
                Err(e) => {
                    self.skipped.push(Problem::new(path, None, e.to_string()));
                    return Ok(Vec::new());
                }
            };
            // Record ids only to take over an earlier version's watermark.
            let ids = self.options.since_last && self.chain.needs_record_ids(&name);
            let mut by_group: HashMap<[u8; 16], Vec<&'b [u8]>> = HashMap::new();
            for r in &file.records {
                if let Some((gid, sealed)) = split_record(&bytes[r.start..r.end]) {
                    by_group.entry(gid).or_default().push(sealed);
                    if ids {
                        seen.v2_records.push(format::record_id(sealed));
                    }
                }
            }
            for (info, f, _) in &file.groups {
                let records = by_group.remove(&info.epoch_id).unwrap_or_default();
                epochs.push(Epoch {
                    info: info.clone(),
                    header: Cow::Borrowed(&bytes[f.start..f.end]),
                    records,
                });
            }
        } else if let Some(first) = scan.frames.first().copied() {
            let info = match epoch_info(path, bytes, &scan.frames, self.meta) {
                Ok((info, _)) => info,
                Err(e) => {
                    self.skipped.push(Problem::new(path, None, e.to_string()));
                    return Ok(Vec::new());
                }
            };
            let mut records = Vec::new();
            for f in scan.frames.iter().skip(1) {
                if f.kind == KIND_RECORD {
                    records.push(&bytes[f.start..f.end]);
                } else {
                    self.skipped.push(Problem::new(
                        path,
                        Some(f.offset as u64),
                        format!("unexpected frame kind {}", f.kind),
                    ));
                }
            }
            seen.v1_end = scan
                .frames
                .last()
                .map(|f| (f.end + format::FRAME_TRAILER_LEN) as u64);
            epochs.push(Epoch {
                info,
                header: Cow::Borrowed(&bytes[first.start..first.end]),
                records,
            });
        }
        // A file still being created (no complete epoch header yet) holds no record.
        if self.options.since_last {
            let sent = self.chain.was_sent(&seen);
            self.seen.push((name.clone(), seen.sha256.to_string()));
            if sent {
                return Ok(Vec::new());
            }
        }
        if !self.options.to.is_empty() {
            for e in &mut epochs {
                e.header = Cow::Owned(rewrap(path, &e.header, &e.info, self.meta, self.options)?);
            }
        }
        Ok(epochs)
    }

    /// Write every period's epochs, in order of (period, epoch id), into `out` (the file at
    /// `path`).
    fn contents<W: Write>(
        &mut self,
        out: &mut ContentsWriter<W>,
        path: &Path,
    ) -> Result<(), BatchError> {
        let files = records_files(self.fs, self.dir)?;
        let mut at = 0;
        while at < files.len() {
            let name = file_name(&files[at]);
            let period = period_part(&name).to_string();
            let group: Vec<PathBuf> = files[at..]
                .iter()
                .take_while(|p| period_part(&file_name(p)) == period)
                .cloned()
                .collect();
            at += group.len();
            let mut loaded = Vec::new();
            for path in group {
                match self.fs.read(&path) {
                    Ok(b) => loaded.push((path, b)),
                    Err(e) => self.skipped.push(Problem::new(&path, None, e.to_string())),
                }
            }
            let mut epochs = Vec::new();
            for (path, bytes) in &loaded {
                epochs.extend(self.file(path, bytes)?);
            }
            epochs.sort_by_key(|e| (e.info.period, e.info.epoch_id));
            for e in epochs {
                out.epoch(&e.info, &e.header, e.records)
                    .map_err(BatchError::io(path))?;
            }
        }
        Ok(())
    }
}

/// Export the store in `data_dir` to a new batch file `out` (refused if it exists). The store is
/// not changed, except its export chain with `since_last`.
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
    let chain = ExportChain::load(fs, data_dir, &meta)?;
    let mut walk = Walk {
        fs,
        dir: data_dir,
        meta: &meta,
        vouch: Vouch::load(fs, data_dir, &meta),
        chain,
        options,
        skipped: Vec::new(),
        seen: Vec::new(),
    };
    // The contents are written beside the batch (or, for a device or FIFO, in the system's
    // temporary folder): encrypted records and headers only, as in the batch itself.
    let contents_path =
        fsio::temp_name(&new_file.unwrap_or_else(|| std::env::temp_dir().join("icare-export.icb")));
    let result = write_through(fs, data_dir, out, &contents_path, &mut walk, &signer);
    // Removed as soon as it was opened again for the batch, or here after an error.
    let _ = fs.remove_file(&contents_path);
    let manifest = result?;
    let mut chain_moved = false;
    if options.since_last {
        // Only once the batch is durable: a crash before this line sends these files again in
        // the next `--since-last` batch, under the same number, and importing skips what it
        // already has.
        let mut chain = walk.chain;
        chain.sequence += 1;
        chain.batches.push(Sent {
            sequence: chain.sequence,
            periods: manifest.periods.clone(),
        });
        chain.sent.extend(walk.seen);
        chain.save(fs, data_dir)?;
        chain_moved = true;
    }
    Ok(Exported {
        out: out.to_owned(),
        manifest,
        skipped: walk.skipped,
        chain_moved,
    })
}

/// Write the contents to `contents_path`, then the batch to `out` from them; the manifest.
fn write_through(
    fs: &dyn Fs,
    data_dir: &Path,
    out: &Path,
    contents_path: &Path,
    walk: &mut Walk<'_>,
    signer: &crate::crypto::sign::SiteSigner,
) -> Result<Manifest, BatchError> {
    let mut summary = None;
    let mut failed = None;
    let written = fsio::write_synced(fs, contents_path, |w| -> io::Result<()> {
        let mut writer = ContentsWriter::new(w);
        if let Err(e) = walk.contents(&mut writer, contents_path) {
            failed = Some(e);
            return Err(io::Error::other("stopped"));
        }
        summary = Some(writer.finish().1);
        Ok(())
    });
    if let Some(e) = failed {
        return Err(e);
    }
    written.map_err(BatchError::io(contents_path))?;
    let summary =
        summary.ok_or_else(|| BatchError::io(contents_path)(io::Error::other("no contents")))?;
    let options = walk.options;
    if summary.records == 0 {
        return Err(BatchError::NothingToExport(if options.since_last {
            format!(
                "{}: no new records since the last --since-last export (recorded in {}); no batch written",
                data_dir.display(),
                data_dir.join(CHAIN_FILE).display()
            )
        } else {
            format!(
                "{}: the store holds no records; no batch written",
                data_dir.display()
            )
        }));
    }
    let chain = Chain {
        sequence: walk.chain.sequence + u64::from(options.since_last),
        since_last: options.since_last,
        earlier: walk.chain.earlier(),
    };
    let meta = walk.meta;
    let manifest = Manifest::new(
        &meta.site,
        meta.store_id,
        meta.synthetic,
        &signer.public(),
        chain,
        &summary,
    );
    let mut contents = fs
        .open_read(contents_path)
        .map_err(BatchError::io(contents_path))?;
    fs.remove_file(contents_path)
        .map_err(BatchError::io(contents_path))?;
    fsio::write_out(fs, out, |w| {
        file::write_batch(w, &manifest, &mut contents, signer)
    })
    .map_err(BatchError::io(out))?;
    Ok(manifest)
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
