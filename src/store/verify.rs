//! `verify`: check every file of the store without a key (framing, the signed ledger, what each
//! entry is) and, with one, open every record the ledger vouches for. Changes nothing on disk.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod entries;

use super::format::{self, Damage, record_id};
use super::ledger::{LEDGER_FILE, Vouch, is_temp, sha256_hex};
use super::period_file::{PeriodFile, split_record};
use super::problem::Problem;
use super::read::{epoch_info, open_epoch, open_record, record_frames, unwrap_header};
use super::{META_FILE, RECORDS_DIR, StoreError, StoreMeta};
use crate::crypto::CryptoError;
use crate::crypto::sign;
use crate::fsio::{self, EntryKind, Fs, RealFs};
use crate::keys;
use crate::response::Period;

/// What `verify` found.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    /// The store holds demo data only.
    pub synthetic: bool,
    pub site: String,
    /// Whether every record was opened with a key (otherwise only framing was checked).
    pub opened: bool,
    /// Records per period that the ledger vouches for (framed records, or opened ones when
    /// `opened`).
    pub counts: BTreeMap<Period, u64>,
    /// Records files checked.
    pub files: usize,
    /// Quarantine files (torn tails kept aside by earlier recoveries).
    pub quarantined: usize,
    /// The key the ledger was checked with (named in `store.meta`), to compare with the one
    /// `icare init` printed.
    pub signing_key: Option<String>,
    /// A store from an older version that no kiosk of this version has opened: no ledger, so
    /// its records are not authenticated.
    pub unauthenticated: bool,
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
    let (meta, meta_bytes) = StoreMeta::load_raw(fs, data_dir)?;
    let vouch = Vouch::load(fs, data_dir, &meta);
    let mut report = VerifyReport {
        synthetic: meta.synthetic,
        site: meta.site.clone(),
        opened: identity.is_some(),
        signing_key: meta.signing_key.map(|k| k.to_string()),
        unauthenticated: matches!(vouch, Vouch::Legacy),
        ..VerifyReport::default()
    };
    check_ledger(fs, data_dir, &meta, &meta_bytes, &vouch, &mut report);
    let rdir = data_dir.join(RECORDS_DIR);
    let names = fs.list(&rdir).map_err(|source| StoreError::Io {
        path: rdir.clone(),
        source,
    })?;
    let mut seen = HashMap::new();
    let mut present = Vec::new();
    for name in &names {
        let path = rdir.join(name);
        let problem = |what: String| Problem::new(&path, None, what);
        match fs.kind(&path) {
            Ok(EntryKind::File) => {}
            Ok(kind) => {
                report
                    .problems
                    .push(problem(fsio::not_regular(kind).to_string()));
                continue;
            }
            Err(e) => {
                report.problems.push(problem(e.to_string()));
                continue;
            }
        }
        if name == LEDGER_FILE {
            continue;
        }
        if is_temp(name) {
            report.problems.push(problem(
                "temporary file of a write that did not finish (the kiosk removes it when it next starts)".into(),
            ));
            continue;
        }
        if !name.ends_with(".icr") {
            report
                .problems
                .push(problem("not a file of the store (unexpected name)".into()));
            continue;
        }
        present.push(name.clone());
        report.files += 1;
        let checked = File {
            fs,
            path: &path,
            name,
            meta: &meta,
            vouch: &vouch,
            identity,
        };
        checked.check(&mut report, &mut seen)?;
    }
    let missing = vouch.missing(&present);
    for e in missing {
        report.problems.push(Problem::new(
            &rdir.join(&e.name),
            None,
            format!(
                "listed in the signed ledger with {} records, but missing: the whole file was removed",
                e.records
            ),
        ));
    }
    entries::check_quarantine(fs, data_dir, &mut report)?;
    entries::check_entries(fs, data_dir, &mut report);
    Ok(report)
}

/// The ledger itself, `store.meta` against it, the secret key against `store.meta`, and the
/// secret files' permissions.
fn check_ledger(
    fs: &dyn Fs,
    dir: &Path,
    meta: &StoreMeta,
    meta_bytes: &[u8],
    vouch: &Vouch,
    report: &mut VerifyReport,
) {
    match vouch {
        Vouch::Legacy => {}
        Vouch::Broken { path, offset, what } => {
            report.problems.push(Problem::new(
                path,
                *offset,
                format!("{what}; nothing is counted"),
            ));
        }
        Vouch::Signed { main, .. } => {
            if main.meta_sha256 != sha256_hex(meta_bytes) {
                report.problems.push(Problem::new(
                    &dir.join(META_FILE),
                    None,
                    "differs from the store description the signed ledger vouches for (its recipients, site or key were changed); the kiosk will not write until it is put back".into(),
                ));
            }
        }
    }
    for secret in [
        keys::IDENTITY_FILE,
        keys::EXIT_PIN_FILE,
        sign::SIGNING_KEY_FILE,
    ] {
        let path = dir.join(secret);
        if fs.exists(&path)
            && let Err(e) = fsio::check_private(fs, &path)
        {
            report
                .problems
                .push(Problem::new(&path, None, e.to_string()));
        }
    }
    // Only when the secret key is here and private: is store.meta's key the kiosk's own?
    if let (Ok(signer), Some(named)) = (sign::load(fs, dir), meta.signing_key)
        && signer.public() != named
    {
        report.problems.push(Problem::new(
            &dir.join(META_FILE),
            None,
            format!(
                "names the signing key {named}, but keys/site-signing.key is {}: store.meta was changed, or the key file replaced",
                signer.public()
            ),
        ));
    }
}

/// One records file being verified.
struct File<'a> {
    fs: &'a dyn Fs,
    path: &'a Path,
    name: &'a str,
    meta: &'a StoreMeta,
    vouch: &'a Vouch,
    identity: Option<&'a age::x25519::Identity>,
}

impl File<'_> {
    fn problem(&self, report: &mut VerifyReport, offset: Option<usize>, what: String) {
        report
            .problems
            .push(Problem::new(self.path, offset.map(|o| o as u64), what));
    }

    fn check(
        &self,
        report: &mut VerifyReport,
        seen: &mut HashMap<[u8; 32], (PathBuf, usize)>,
    ) -> Result<(), StoreError> {
        let bytes = match self.fs.read(self.path) {
            Ok(b) => b,
            Err(e) => {
                self.problem(report, None, e.to_string());
                return Ok(());
            }
        };
        let scan = match format::RECORDS.scan(&bytes) {
            Ok(s) => s,
            // Not damage: this program cannot judge a newer format at all.
            Err(source @ format::HeaderError::NewerVersion(_)) => {
                return Err(StoreError::Header {
                    path: self.path.to_owned(),
                    source,
                });
            }
            Err(e) => {
                self.problem(report, Some(0), e.to_string());
                return Ok(());
            }
        };
        for d in &scan.damage {
            match d {
                Damage::BadFrameHeader { offset } => self.problem(
                    report,
                    Some(*offset),
                    "frame header checksum mismatch; the rest of the file cannot be read".into(),
                ),
                Damage::BadPayload { offset } => {
                    self.problem(report, Some(*offset), "frame checksum mismatch".into())
                }
            }
        }
        if let Some(at) = scan.torn_at {
            let what = if scan.version >= 2 {
                "the file is cut short".to_string()
            } else {
                format!(
                    "torn tail of {} bytes (a write cut short); the kiosk moves it to quarantine when it next starts",
                    bytes.len() - at
                )
            };
            self.problem(report, Some(at), what);
        }
        self.copies(&bytes, &scan, report, seen);
        if let Err(why) = self
            .vouch
            .check(self.name, &bytes, scan.version, record_frames(&scan))
        {
            self.problem(report, None, why);
            return Ok(());
        }
        if scan.version >= 2 {
            self.check_v2(&bytes, &scan, report)
        } else {
            self.check_v1(&bytes, &scan, report)
        }
    }

    /// Report a record that is in the store twice, in this file or another.
    fn copies(
        &self,
        bytes: &[u8],
        scan: &format::Scan,
        report: &mut VerifyReport,
        seen: &mut HashMap<[u8; 32], (PathBuf, usize)>,
    ) {
        for f in &scan.frames {
            let payload = &bytes[f.start..f.end];
            let sealed = match f.kind {
                format::KIND_RECORD => payload,
                format::KIND_GROUP_RECORD => match split_record(payload) {
                    Some((_, s)) => s,
                    None => continue,
                },
                _ => continue,
            };
            let id = record_id(sealed);
            if let Some((first, at)) = seen.get(&id) {
                let what = if first == self.path {
                    format!("the record is a copy of the one at offset {at} of this file")
                } else {
                    format!(
                        "the record is also in {} at offset {at}: moved or copied between files",
                        first.display()
                    )
                };
                self.problem(report, Some(f.offset), what);
            } else {
                seen.insert(id, (self.path.to_owned(), f.offset));
            }
        }
    }

    fn check_v1(
        &self,
        bytes: &[u8],
        scan: &format::Scan,
        report: &mut VerifyReport,
    ) -> Result<(), StoreError> {
        let records = scan.frames.iter().skip(1);
        let Some(id) = self.identity else {
            match epoch_info(self.path, bytes, &scan.frames, self.meta) {
                Ok((info, _)) => {
                    for f in records.clone() {
                        if f.kind != format::KIND_RECORD {
                            self.problem(
                                report,
                                Some(f.offset),
                                format!("unexpected frame kind {}", f.kind),
                            );
                        }
                    }
                    *report.counts.entry(info.period).or_default() +=
                        records.filter(|f| f.kind == format::KIND_RECORD).count() as u64;
                }
                Err(e) => self.problem(report, None, without_path(&e, self.path)),
            }
            return Ok(());
        };
        let mut buf = Vec::new();
        match open_epoch(self.path, bytes, &scan.frames, self.meta, id) {
            Ok(epoch) => {
                for f in records {
                    let r = if f.kind == format::KIND_RECORD {
                        open_record(
                            self.path,
                            &epoch,
                            f.offset,
                            &bytes[f.start..f.end],
                            &mut buf,
                        )
                    } else {
                        Err(StoreError::Corrupt {
                            path: self.path.to_owned(),
                            offset: f.offset as u64,
                            what: format!("unexpected frame kind {}", f.kind),
                        })
                    };
                    match r {
                        Ok(r) => *report.counts.entry(r.period).or_default() += 1,
                        Err(e) => self.problem(report, None, without_path(&e, self.path)),
                    }
                }
            }
            Err(e) => return not_a_recipient(e).map(|e| self.problem(report, None, e)),
        }
        Ok(())
    }

    fn check_v2(
        &self,
        bytes: &[u8],
        scan: &format::Scan,
        report: &mut VerifyReport,
    ) -> Result<(), StoreError> {
        let file = match PeriodFile::parse(self.path, bytes, scan, self.meta) {
            Ok(f) => f,
            Err(e) => {
                self.problem(report, None, without_path(&e, self.path));
                return Ok(());
            }
        };
        let Some(id) = self.identity else {
            *report.counts.entry(file.period).or_default() += file.records.len() as u64;
            return Ok(());
        };
        let mut buf = Vec::new();
        let mut opened = HashMap::new();
        for (info, f, age_at) in &file.groups {
            let payload = &bytes[f.start..f.end];
            match unwrap_header(self.path, f, payload, info.clone(), *age_at, id) {
                Ok(g) => {
                    opened.insert(info.epoch_id, g);
                }
                Err(e) => not_a_recipient(e).map(|e| self.problem(report, None, e))?,
            }
        }
        for f in &file.records {
            let Some((gid, sealed)) = split_record(&bytes[f.start..f.end]) else {
                continue;
            };
            // Records of a group that failed to open were reported with their group.
            let Some(g) = opened.get(&gid) else {
                continue;
            };
            match open_record(self.path, g, f.offset, sealed, &mut buf) {
                Ok(r) => *report.counts.entry(r.period).or_default() += 1,
                Err(e) => self.problem(report, None, without_path(&e, self.path)),
            }
        }
        Ok(())
    }
}

/// A key header that does not open: `Err` (stop verifying) when the key given is simply not a
/// recipient of this store, else the problem's text.
fn not_a_recipient(e: StoreError) -> Result<String, StoreError> {
    match e {
        e @ StoreError::Crypto {
            source: CryptoError::NoMatchingIdentity,
            ..
        } => Err(e),
        e => {
            let path = match &e {
                StoreError::Crypto { path, .. } | StoreError::Corrupt { path, .. } => path.clone(),
                _ => PathBuf::new(),
            };
            Ok(without_path(&e, &path))
        }
    }
}

/// An error's message as a problem line (the path is printed once, by [`Problem`]).
fn without_path(e: &StoreError, path: &Path) -> String {
    let text = e.to_string();
    let prefix = format!("{}: ", path.display());
    text.strip_prefix(&prefix).unwrap_or(&text).to_string()
}
