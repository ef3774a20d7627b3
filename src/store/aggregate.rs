//! The layout of an aggregation store (a commissioner's store of imported batches), as far as
//! reading it needs: `aggregate.meta`, `imported/<random>.ici` and each imported file's origin.
//! Importing, trusting and `init --aggregate` are in `crate::batch::aggregate`.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::StoreError;
use super::format::{self, hex, unhex};
use super::stream::{FrameReader, OpenError, Step};
use crate::fsio::Fs;

/// The aggregation store's description, relative to its folder.
pub const AGGREGATE_FILE: &str = "aggregate.meta";
/// The list of trusted site keys.
pub const TRUST_FILE: &str = "trusted-sites";
/// Folder of imported batches.
pub const IMPORTED_DIR: &str = "imported";

/// What `aggregate.meta` says.
#[derive(Debug, Clone)]
pub struct AggregateMeta {
    pub store_id: [u8; 16],
    /// The commissioner's or research team's name.
    pub name: String,
    /// Made with `init --aggregate --synthetic`: takes synthetic batches only.
    pub synthetic: bool,
    /// The aggregation store's own manager key (practices add it with `init --recipient`).
    pub recipients: Vec<age::x25519::Recipient>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AggregateJson {
    store_id: String,
    name: String,
    synthetic: bool,
    recipients: Vec<String>,
}

impl AggregateMeta {
    pub fn to_bytes(&self) -> Vec<u8> {
        let json = AggregateJson {
            store_id: hex(&self.store_id),
            name: self.name.clone(),
            synthetic: self.synthetic,
            recipients: self.recipients.iter().map(|r| r.to_string()).collect(),
        };
        format::AGGREGATE.json_file(&json)
    }

    /// Read `aggregate.meta` in `dir`; [`StoreError::NotAggregate`] when there is none.
    pub fn load(fs: &dyn Fs, dir: &Path) -> Result<AggregateMeta, StoreError> {
        let path = dir.join(AGGREGATE_FILE);
        let bytes = fs.read(&path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                StoreError::NotAggregate(dir.to_owned())
            } else {
                StoreError::Io {
                    path: path.clone(),
                    source,
                }
            }
        })?;
        let json: AggregateJson = format::AGGREGATE.parse_json(&path, &bytes)?;
        let bad = |what: String| StoreError::Corrupt {
            path: path.clone(),
            offset: format::FILE_HEADER_LEN as u64,
            what,
        };
        let store_id = unhex(&json.store_id)
            .and_then(|v| <[u8; 16]>::try_from(v).ok())
            .ok_or_else(|| bad("store_id is not 32 hex digits".into()))?;
        let recipients = json
            .recipients
            .iter()
            .map(|r| r.parse().map_err(|_| bad(format!("bad recipient {r:?}"))))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(AggregateMeta {
            store_id,
            name: json.name,
            synthetic: json.synthetic,
            recipients,
        })
    }
}

/// Whether `dir` holds an aggregation store.
pub fn is_aggregate(fs: &dyn Fs, dir: &Path) -> bool {
    fs.exists(&dir.join(AGGREGATE_FILE))
}

/// The imported files of an aggregation store (names ending in `.ici`), sorted.
pub(crate) fn imported_files(fs: &dyn Fs, dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let idir = dir.join(IMPORTED_DIR);
    let names = fs.list(&idir).map_err(|source| StoreError::Io {
        path: idir.clone(),
        source,
    })?;
    Ok(names
        .into_iter()
        .filter(|n| n.ends_with(".ici") && !n.starts_with('.'))
        .map(|n| idir.join(n))
        .collect())
}

/// Where an imported file's records came from (its first frame).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    /// The site name on the trust list when the batch was imported.
    pub site: String,
    pub signing_key: String,
    pub batch_id: String,
    pub store_id: String,
}

/// An imported file read as a stream of frames, after its origin.
pub(crate) type ImportedFrames = FrameReader<BufReader<Box<dyn std::io::Read + Send>>>;

/// Open the imported file at `path` as a stream (its header checked) and read its origin, the
/// first frame; the frames after it are left to read.
pub(crate) fn open_imported(
    fs: &dyn Fs,
    path: &Path,
) -> Result<(Origin, ImportedFrames), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let corrupt = |offset: usize, what: &str| StoreError::Corrupt {
        path: path.to_owned(),
        offset: offset as u64,
        what: what.into(),
    };
    let file = BufReader::with_capacity(64 * 1024, fs.open_read(path).map_err(io)?);
    let opened = FrameReader::of(file, &format::IMPORTED, false);
    let mut frames = match opened {
        Ok(f) => f,
        Err(OpenError::Io(e)) => return Err(io(e)),
        Err(OpenError::Header(source)) => {
            return Err(StoreError::Header {
                path: path.to_owned(),
                source,
            });
        }
        Err(OpenError::Torn) => return Err(corrupt(0, "the file is cut short")),
    };
    let origin = match frames.next_frame().map_err(io)? {
        Step::Frame(f) if f.kind == format::KIND_ORIGIN => serde_json::from_slice(f.payload).ok(),
        _ => None,
    };
    let origin = origin.ok_or_else(|| {
        corrupt(
            format::FILE_HEADER_LEN,
            "no readable origin (site) as the first frame",
        )
    })?;
    Ok((origin, frames))
}

/// The origin of the imported file at `path`: its first frame, read without reading the rest.
pub(crate) fn read_origin(fs: &dyn Fs, path: &Path) -> Result<Origin, StoreError> {
    open_imported(fs, path).map(|(origin, _)| origin)
}
