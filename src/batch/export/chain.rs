//! The store's export chain (`export.chain`): the number of its latest `--since-last` batch, the
//! periods each one held, and each records file's SHA-256 as it was last sent. Records files of
//! format 2 are rewritten whole, their records in a new random order, whenever a response is
//! saved: a file whose bytes changed since it was last sent goes whole into the next
//! `--since-last` batch (the importer skips the records it already holds).
//!
//! It replaces `export.watermark` (record offsets and the id of every record sent), which is still
//! read once, the first time the chain is made.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::batch::BatchError;
use crate::batch::file::Sent;
use crate::fsio::{self, Fs};
use crate::store::format::{self, hex, unhex};
use crate::store::{StoreError, StoreMeta};

/// The chain file, relative to the data folder.
pub const CHAIN_FILE: &str = "export.chain";
/// The watermark of earlier versions, relative to the data folder.
pub const WATERMARK_FILE: &str = "export.watermark";

/// What the store has sent in `--since-last` batches.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportChain {
    pub store_id: String,
    /// The number of the latest `--since-last` batch written (0: none yet).
    pub sequence: u64,
    /// Every `--since-last` batch written, oldest first.
    pub batches: Vec<Sent>,
    /// Each records file's SHA-256 (hex) as it was when its records last went into a
    /// `--since-last` batch.
    pub sent: BTreeMap<String, String>,
    /// The watermark of an earlier version, read when there is no chain yet.
    #[serde(skip)]
    legacy: Option<Watermark>,
}

/// `export.watermark` of earlier versions: for each version-1 records file the offset up to
/// which its records were exported, and the id of every version-2 record exported.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct WatermarkJson {
    store_id: String,
    files: BTreeMap<String, u64>,
    #[serde(default)]
    records: BTreeSet<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Watermark {
    files: BTreeMap<String, u64>,
    records: HashSet<[u8; 32]>,
}

/// A records file as export read it, for [`ExportChain::was_sent`].
pub struct FileSeen<'a> {
    pub name: &'a str,
    pub sha256: &'a str,
    /// Version 1: the offset just past its last frame.
    pub v1_end: Option<u64>,
    /// Version 2: the id of each record.
    pub v2_records: Vec<[u8; 32]>,
}

fn wrong_store(path: &Path) -> BatchError {
    StoreError::Corrupt {
        path: path.to_owned(),
        offset: format::FILE_HEADER_LEN as u64,
        what: "it belongs to another store; remove it to send everything again".into(),
    }
    .into()
}

impl ExportChain {
    /// The chain of the store in `dir` (an empty one if none was written yet, taking over an
    /// earlier version's watermark if there is one).
    pub fn load(fs: &dyn Fs, dir: &Path, meta: &StoreMeta) -> Result<ExportChain, BatchError> {
        let path = dir.join(CHAIN_FILE);
        match fs.read(&path) {
            Ok(bytes) => {
                let chain: ExportChain = format::CHAIN.parse_json(&path, &bytes)?;
                if unhex(&chain.store_id).as_deref() != Some(&meta.store_id[..]) {
                    return Err(wrong_store(&path));
                }
                return Ok(chain);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(BatchError::Io { path, source }),
        }
        let mut chain = ExportChain {
            store_id: hex(&meta.store_id),
            ..ExportChain::default()
        };
        let wpath = dir.join(WATERMARK_FILE);
        match fs.read(&wpath) {
            Ok(bytes) => {
                let w: WatermarkJson = format::WATERMARK.parse_json(&wpath, &bytes)?;
                if unhex(&w.store_id).as_deref() != Some(&meta.store_id[..]) {
                    return Err(wrong_store(&wpath));
                }
                chain.legacy = Some(Watermark {
                    files: w.files,
                    records: w
                        .records
                        .iter()
                        .filter_map(|r| unhex(r)?.try_into().ok())
                        .collect(),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(BatchError::Io {
                    path: wpath,
                    source,
                });
            }
        }
        Ok(chain)
    }

    /// Whether every record of this file went into an earlier `--since-last` batch.
    pub fn was_sent(&self, file: &FileSeen<'_>) -> bool {
        if let Some(sha) = self.sent.get(file.name) {
            return sha == file.sha256;
        }
        let Some(w) = &self.legacy else {
            return false;
        };
        match file.v1_end {
            Some(end) => w.files.get(file.name).is_some_and(|&at| at >= end),
            None => file.v2_records.iter().all(|id| w.records.contains(id)),
        }
    }

    /// Whether [`Self::was_sent`] needs the ids of a version-2 file's records: only to take over
    /// an earlier version's watermark.
    pub fn needs_record_ids(&self, name: &str) -> bool {
        self.legacy.is_some() && !self.sent.contains_key(name)
    }

    /// What the next `--since-last` batch is told about the earlier ones, and a full export
    /// about all of them.
    pub fn earlier(&self) -> Vec<Sent> {
        self.batches.clone()
    }

    /// Write the chain (atomically) and remove an earlier version's watermark it took over.
    pub fn save(&self, fs: &dyn Fs, dir: &Path) -> Result<(), BatchError> {
        let path = dir.join(CHAIN_FILE);
        let bytes = format::CHAIN.json_file(self);
        fsio::write_atomic(fs, &path, &bytes).map_err(BatchError::io(&path))?;
        if self.legacy.is_some() {
            let wpath = dir.join(WATERMARK_FILE);
            match fs.remove_file(&wpath) {
                Ok(()) => fs.sync_dir(dir).map_err(BatchError::io(dir))?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(BatchError::Io {
                        path: wpath,
                        source,
                    });
                }
            }
        }
        Ok(())
    }
}
