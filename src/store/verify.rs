//! `verify`: check every file's framing without a key and, with one, open every record. Changes
//! nothing on disk.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::format::{self, Damage, MAGIC_QUARANTINE, MAGIC_RECORDS};
use super::read::{epoch_info, open_epoch, open_record};
use super::recover::records_files;
use super::{QUARANTINE_DIR, StoreError, StoreMeta};
use crate::crypto::CryptoError;
use crate::fsio::{Fs, RealFs};
use crate::response::Period;

/// One problem, with the file and the offset where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub offset: Option<u64>,
    pub what: String,
}

impl Problem {
    pub(crate) fn new(path: &Path, offset: Option<u64>, what: String) -> Self {
        Problem {
            path: path.to_owned(),
            offset,
            what,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(o) => write!(f, "{}: offset {o}: {}", self.path.display(), self.what),
            None => write!(f, "{}: {}", self.path.display(), self.what),
        }
    }
}

/// What `verify` found.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    /// The store holds demo data only.
    pub synthetic: bool,
    pub site: String,
    /// Whether every record was opened with a key (otherwise only framing was checked).
    pub opened: bool,
    /// Records per period (framed records, or opened ones when `opened`).
    pub counts: BTreeMap<Period, u64>,
    /// Records files checked.
    pub files: usize,
    /// Quarantine files (torn tails kept aside by earlier recoveries).
    pub quarantined: usize,
    /// Every problem found.
    pub problems: Vec<Problem>,
}

/// Verify the store in `data_dir`; with an identity, also open every record.
pub fn verify(
    data_dir: &Path,
    identity: Option<&age::x25519::Identity>,
) -> Result<VerifyReport, StoreError> {
    verify_with(Arc::new(RealFs), data_dir, identity)
}

/// [`verify`] through a given file layer.
pub fn verify_with(
    fs: Arc<dyn Fs>,
    data_dir: &Path,
    identity: Option<&age::x25519::Identity>,
) -> Result<VerifyReport, StoreError> {
    let fs = fs.as_ref();
    let meta = StoreMeta::load(fs, data_dir)?;
    let mut report = VerifyReport {
        synthetic: meta.synthetic,
        site: meta.site.clone(),
        opened: identity.is_some(),
        ..VerifyReport::default()
    };
    let mut buf = Vec::new();
    for path in records_files(fs, data_dir)? {
        report.files += 1;
        let bytes = fs.read(&path).map_err(|source| StoreError::Io {
            path: path.clone(),
            source,
        })?;
        let mut problem = |offset: Option<u64>, what: String| {
            report.problems.push(Problem::new(&path, offset, what));
        };
        let scan = match format::scan(&bytes, MAGIC_RECORDS, "records") {
            Ok(s) => s,
            // Not damage: this program cannot judge a newer format at all.
            Err(source @ format::HeaderError::NewerVersion(_)) => {
                return Err(StoreError::Header { path, source });
            }
            Err(e) => {
                problem(Some(0), e.to_string());
                continue;
            }
        };
        for d in &scan.damage {
            match d {
                Damage::BadFrameHeader { offset } => problem(
                    Some(*offset as u64),
                    "frame header checksum mismatch; the rest of the file cannot be read".into(),
                ),
                Damage::BadPayload { offset } => {
                    problem(Some(*offset as u64), "frame checksum mismatch".into())
                }
            }
        }
        if let Some(at) = scan.torn_at {
            problem(
                Some(at as u64),
                format!(
                    "torn tail of {} bytes (a write cut short); the kiosk moves it to quarantine when it next starts",
                    bytes.len() - at
                ),
            );
        }
        let records = scan.frames.iter().skip(1);
        match identity {
            None => match epoch_info(&path, &bytes, &scan.frames, &meta) {
                Ok((info, _)) => {
                    for f in records.clone() {
                        if f.kind != format::KIND_RECORD {
                            problem(
                                Some(f.offset as u64),
                                format!("unexpected frame kind {}", f.kind),
                            );
                        }
                    }
                    *report.counts.entry(info.period).or_default() +=
                        records.filter(|f| f.kind == format::KIND_RECORD).count() as u64;
                }
                Err(e) => problem(None, without_path(&e, &path)),
            },
            Some(id) => match open_epoch(&path, &bytes, &scan.frames, &meta, id) {
                Ok(epoch) => {
                    for f in records {
                        match open_record(&path, &epoch, f, &bytes, &mut buf) {
                            Ok(r) => *report.counts.entry(r.period).or_default() += 1,
                            Err(e) => problem(None, without_path(&e, &path)),
                        }
                    }
                }
                // Not damage: the key given is not a recipient of this store.
                Err(
                    e @ StoreError::Crypto {
                        source: CryptoError::NoMatchingIdentity,
                        ..
                    },
                ) => return Err(e),
                Err(e) => problem(None, without_path(&e, &path)),
            },
        }
    }
    let qdir = data_dir.join(QUARANTINE_DIR);
    if fs.exists(&qdir) {
        let names = fs.list(&qdir).map_err(|source| StoreError::Io {
            path: qdir.clone(),
            source,
        })?;
        for name in names.iter().filter(|n| n.ends_with(".torn")) {
            let path = qdir.join(name);
            report.quarantined += 1;
            let bytes = fs.read(&path).map_err(|source| StoreError::Io {
                path: path.clone(),
                source,
            })?;
            match format::scan(&bytes, MAGIC_QUARANTINE, "quarantine") {
                Ok(s) if s.damage.is_empty() && s.torn_at.is_none() && s.frames.len() == 1 => {}
                Ok(_) => report.problems.push(Problem::new(
                    &path,
                    None,
                    "damaged quarantine file".into(),
                )),
                Err(e) => report
                    .problems
                    .push(Problem::new(&path, Some(0), e.to_string())),
            }
        }
    }
    Ok(report)
}

/// An error's message as a problem line (the path is printed once, by [`Problem`]).
fn without_path(e: &StoreError, path: &Path) -> String {
    let text = e.to_string();
    let prefix = format!("{}: ", path.display());
    text.strip_prefix(&prefix).unwrap_or(&text).to_string()
}
