//! An append-only log of an aggregation store (`keys.log`, `batches.log`): a file header, then one
//! frame of JSON per entry, each with its CRC-32C. Entries are only ever added: each addition
//! writes the old bytes unchanged plus the new frames to a temporary file, synced and renamed
//! into place, so a crash leaves the log as it was or with the new entries, never part of one.
//! A log that fails any check is an error naming the offset; nothing is added to it.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::BatchError;
use crate::fsio::{self, Fs};
use crate::store::StoreError;
use crate::store::format;

/// One kind of log: a registered format ([`format::FORMATS`]) whose files are a header and
/// frames of its one kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Journal(pub format::FileFormat);

/// A log as read: its entries and bytes (to which entries are added).
#[derive(Debug)]
pub(crate) struct Read<T> {
    pub entries: Vec<T>,
    bytes: Option<Vec<u8>>,
}

impl<T> Default for Read<T> {
    fn default() -> Self {
        Read {
            entries: Vec::new(),
            bytes: None,
        }
    }
}

impl<T> Read<T> {
    /// Whether the log file exists.
    pub fn exists(&self) -> bool {
        self.bytes.is_some()
    }
}

impl Journal {
    /// The frame kind of every entry.
    fn kind(&self) -> u8 {
        self.0.kinds[0]
    }

    /// Every entry of the log at `path` (none when there is no log yet).
    pub fn read<T: DeserializeOwned>(
        &self,
        fs: &dyn Fs,
        path: &Path,
    ) -> Result<Read<T>, BatchError> {
        let bytes = match fs.read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Read::default()),
            Err(source) => {
                return Err(BatchError::Io {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let corrupt = |offset: usize, what: String| StoreError::Corrupt {
            path: path.to_owned(),
            offset: offset as u64,
            what,
        };
        let scan = self.0.scan(&bytes).map_err(|source| StoreError::Header {
            path: path.to_owned(),
            source,
        })?;
        scan.check_whole(path)?;
        let mut entries = Vec::with_capacity(scan.frames.len());
        for f in &scan.frames {
            if f.kind != self.kind() {
                return Err(corrupt(f.offset, format!("unexpected frame kind {}", f.kind)).into());
            }
            entries.push(
                serde_json::from_slice(&bytes[f.start..f.end])
                    .map_err(|e| corrupt(f.start, format!("{e} (made by a newer icare?)")))?,
            );
        }
        Ok(Read {
            entries,
            bytes: Some(bytes),
        })
    }

    /// Add `new` entries after those of `log` (as [`Journal::read`] gave it), atomically.
    pub fn append<T: Serialize>(
        &self,
        fs: &dyn Fs,
        path: &Path,
        log: &mut Read<T>,
        new: Vec<T>,
    ) -> Result<(), BatchError> {
        if new.is_empty() {
            return Ok(());
        }
        let mut bytes = log
            .bytes
            .clone()
            .unwrap_or_else(|| self.0.header().to_vec());
        for entry in &new {
            // Plain strings, numbers and lists always serialize.
            let json = serde_json::to_vec(entry).unwrap_or_default();
            bytes.extend(format::frame(self.kind(), &json));
        }
        fsio::write_atomic(fs, path, &bytes).map_err(BatchError::io(path))?;
        log.bytes = Some(bytes);
        log.entries.extend(new);
        Ok(())
    }
}
