//! Recovery when the kiosk opens the store: a torn tail is cut off and kept in quarantine, never
//! silently deleted. Works on framing alone, without any key.

use std::path::{Path, PathBuf};

use super::format::{self, Damage, KIND_QUARANTINE, MAGIC_QUARANTINE, MAGIC_RECORDS};
use super::verify::Problem;
use super::{QUARANTINE_DIR, RECORDS_DIR, StoreError, StoreMeta};
use crate::fsio::{self, Fs};

/// A torn tail moved into quarantine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    /// The records file it was cut from.
    pub file: PathBuf,
    /// Where the cut was made.
    pub offset: u64,
    /// How many bytes were cut.
    pub len: u64,
    /// The quarantine file that keeps them.
    pub saved_as: PathBuf,
}

/// What recovery did and found.
#[derive(Debug, Clone, Default)]
pub struct OpenReport {
    /// Torn tails cut and kept aside.
    pub quarantined: Vec<Quarantined>,
    /// Damage recovery leaves alone (`icare verify` reports it in full).
    pub damaged: Vec<Problem>,
}

/// The records files of a store (names ending in `.icr`), sorted.
pub(crate) fn records_files(fs: &dyn Fs, dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let rdir = dir.join(RECORDS_DIR);
    let names = fs.list(&rdir).map_err(|source| StoreError::Io {
        path: rdir.clone(),
        source,
    })?;
    Ok(names
        .into_iter()
        .filter(|n| n.ends_with(".icr") && !n.starts_with('.'))
        .map(|n| rdir.join(n))
        .collect())
}

pub(crate) fn recover(
    fs: &dyn Fs,
    dir: &Path,
    _meta: &StoreMeta,
) -> Result<OpenReport, StoreError> {
    let mut report = OpenReport::default();
    for path in records_files(fs, dir)? {
        let bytes = fs.read(&path).map_err(|source| StoreError::Io {
            path: path.clone(),
            source,
        })?;
        let scan = match format::scan(&bytes, MAGIC_RECORDS, "records") {
            Ok(s) => s,
            Err(format::HeaderError::NewerVersion(v)) => {
                return Err(StoreError::Header {
                    path,
                    source: format::HeaderError::NewerVersion(v),
                });
            }
            Err(e) => {
                report
                    .damaged
                    .push(Problem::new(&path, Some(0), e.to_string()));
                continue;
            }
        };
        for d in &scan.damage {
            let (offset, what) = match d {
                Damage::BadFrameHeader { offset } => (offset, "frame header checksum mismatch"),
                Damage::BadPayload { offset } => (offset, "frame checksum mismatch"),
            };
            report
                .damaged
                .push(Problem::new(&path, Some(*offset as u64), what.to_string()));
        }
        if bytes.is_empty() {
            // Created but never written: nothing to keep.
            fs.remove_file(&path).map_err(|source| StoreError::Io {
                path: path.clone(),
                source,
            })?;
            continue;
        }
        // A file without its epoch header holds no record: keep all of it aside.
        let no_frames = scan.frames.is_empty() && scan.damage.is_empty();
        let torn = scan.torn_at.or(no_frames.then_some(bytes.len()));
        if let Some(at) = torn {
            report
                .quarantined
                .push(quarantine(fs, dir, &path, &bytes, at, no_frames)?);
        }
    }
    Ok(report)
}

/// Save `bytes[at..]` in quarantine, then cut the file at `at` (or remove it when nothing in it
/// is worth keeping: its bytes are all in quarantine).
fn quarantine(
    fs: &dyn Fs,
    dir: &Path,
    path: &Path,
    bytes: &[u8],
    at: usize,
    empty: bool,
) -> Result<Quarantined, StoreError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let qdir = dir.join(QUARANTINE_DIR);
    let io = |p: &Path| {
        let p = p.to_owned();
        move |source| StoreError::Io { path: p, source }
    };
    fs.create_dir_all(&qdir).map_err(io(&qdir))?;
    let (keep_from, tail) = if empty {
        (0, bytes)
    } else {
        (at, &bytes[at..])
    };
    let mut saved_as = qdir.join(format!("{name}.at-{keep_from}.torn"));
    if fs.exists(&saved_as) {
        // A crash after an earlier quarantine but before its cut: keep both copies.
        saved_as = qdir.join(format!(
            "{name}.at-{keep_from}.{:08x}.torn",
            rand::random::<u32>()
        ));
    }
    let mut payload = Vec::with_capacity(name.len() + 10 + tail.len());
    payload.extend_from_slice(&(name.len() as u16).to_le_bytes());
    payload.extend_from_slice(name.as_bytes());
    payload.extend_from_slice(&(keep_from as u64).to_le_bytes());
    payload.extend_from_slice(tail);
    let mut file = format::file_header(MAGIC_QUARANTINE).to_vec();
    file.extend(format::frame(KIND_QUARANTINE, &payload));
    fsio::write_atomic(fs, &saved_as, &file).map_err(io(&saved_as))?;
    if empty {
        fs.remove_file(path).map_err(io(path))?;
        fs.sync_dir(fsio::parent(path)).map_err(io(path))?;
    } else {
        fs.truncate(path, at as u64).map_err(io(path))?;
    }
    Ok(Quarantined {
        file: path.to_owned(),
        offset: keep_from as u64,
        len: tail.len() as u64,
        saved_as,
    })
}
