//! Recovery when a writer opens the store: a write cut short between its two renames is finished,
//! temporary files are removed, every records file is checked against the signed ledger, and a
//! store written by an older version is adopted into a new ledger (its version-1 torn tails cut
//! off first and kept in quarantine, never silently deleted). Needs no key that opens a record.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::format::{self, Damage, KIND_GROUP_RECORD, KIND_RECORD, hex};
use super::ledger::{self, Ledger, is_temp, sha256_hex};
use super::problem::Problem;
use super::{META_FILE, QUARANTINE_DIR, RECORDS_DIR, StoreError, StoreMeta};
use crate::crypto::sign::{self, SignError, SiteSigner};
use crate::fsio::{self, EntryKind, Fs};

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
    /// What recovery did besides: a write finished, files adopted into a new ledger.
    pub notes: Vec<String>,
}

/// What a writer needs once recovery is done.
pub(crate) struct Opened {
    pub meta: StoreMeta,
    pub signer: SiteSigner,
    pub ledger: Ledger,
    pub ledger_bytes: Vec<u8>,
    pub report: OpenReport,
}

/// Recover the store in `dir` for a writer that holds its lock (see the module documentation).
pub(crate) fn open(fs: &dyn Fs, dir: &Path) -> Result<Opened, StoreError> {
    let (meta, meta_bytes) = StoreMeta::load_raw(fs, dir)?;
    let signer = match sign::load(fs, dir) {
        Ok(s) => s,
        // A store from before batches: its first writer of this version makes the key.
        Err(SignError::NoSigningKey(_)) if meta.signing_key.is_none() => {
            sign::create_signer(fs, dir)?
        }
        Err(SignError::NoSigningKey(_)) => {
            return Err(StoreError::Untrusted {
                path: sign::key_path(dir),
                what: "missing, but store.meta names the kiosk's signing key: only that key can save responses readers count; put the key file back (it must stay on the kiosk)".into(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    match meta.signing_key {
        None => adopt(fs, dir, meta, signer),
        Some(key) if key != signer.public() => Err(StoreError::Untrusted {
            path: dir.join(META_FILE),
            what: format!(
                "names the signing key {key}, but this kiosk's key ({}) is {}: store.meta was changed, or the key file replaced",
                sign::key_path(dir).display(),
                signer.public()
            ),
        }),
        Some(_) => open_signed(fs, dir, meta, &meta_bytes, signer),
    }
}

/// The SHA-256 of every regular records file, by name; other entries are reported.
fn hashes(
    fs: &dyn Fs,
    dir: &Path,
    report: &mut OpenReport,
) -> Result<BTreeMap<String, String>, StoreError> {
    let rdir = dir.join(RECORDS_DIR);
    let mut out = BTreeMap::new();
    for path in records_files(fs, dir)? {
        let name = file_name(&path);
        match fs.read(&path) {
            Ok(bytes) => {
                // A newer program wrote it: stop rather than judge it (or write beside it).
                if let Err(source @ format::HeaderError::NewerVersion(_)) =
                    format::RECORDS.scan(&bytes)
                {
                    return Err(StoreError::Header { path, source });
                }
                out.insert(name, sha256_hex(&bytes));
            }
            Err(e) => report
                .damaged
                .push(Problem::new(&path, None, e.to_string())),
        }
    }
    for name in fs.list(&rdir).map_err(|source| StoreError::Io {
        path: rdir.clone(),
        source,
    })? {
        let path = rdir.join(&name);
        if !name.ends_with(".icr") && fs.kind(&path).is_ok_and(|k| k != EntryKind::File) {
            let what = fsio::not_regular(fs.kind(&path).unwrap_or(EntryKind::File));
            report
                .damaged
                .push(Problem::new(&path, None, what.to_string()));
        }
    }
    Ok(out)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Remove every temporary file left in `records/` by a write that did not finish.
fn remove_temps(fs: &dyn Fs, dir: &Path) -> Result<usize, StoreError> {
    let rdir = dir.join(RECORDS_DIR);
    let io = |p: &Path| {
        let p = p.to_owned();
        move |source| StoreError::Io { path: p, source }
    };
    let mut removed = 0;
    for name in fs.list(&rdir).map_err(io(&rdir))? {
        if is_temp(&name) {
            let p = rdir.join(&name);
            fs.remove_file(&p).map_err(io(&p))?;
            removed += 1;
        }
    }
    if removed > 0 {
        fs.sync_dir(&rdir).map_err(io(&rdir))?;
    }
    Ok(removed)
}

/// A store whose `store.meta` names this kiosk's key: check the ledger, finish a write cut short
/// between its renames, remove temporary files, report files the ledger does not vouch for.
fn open_signed(
    fs: &dyn Fs,
    dir: &Path,
    meta: StoreMeta,
    meta_bytes: &[u8],
    signer: SiteSigner,
) -> Result<Opened, StoreError> {
    let key = signer.public();
    let lpath = ledger::path(dir);
    let untrusted = |path: &Path, what: String| StoreError::Untrusted {
        path: path.to_owned(),
        what,
    };
    let mut ledger_bytes = match fs.read(&lpath) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(untrusted(
                &lpath,
                "missing, but store.meta names a signing key, so there must be one (removed?)"
                    .into(),
            ));
        }
        Err(source) => {
            return Err(StoreError::Io {
                path: lpath,
                source,
            });
        }
    };
    let mut main =
        Ledger::parse(&lpath, &ledger_bytes, &key).map_err(|e| untrusted(&lpath, e.to_string()))?;
    if main.store_id != hex(&meta.store_id) {
        return Err(untrusted(
            &lpath,
            "the ledger belongs to another store".into(),
        ));
    }
    if main.meta_sha256 != sha256_hex(meta_bytes) {
        return Err(untrusted(
            &dir.join(META_FILE),
            "differs from the store description the signed ledger vouches for (its recipients, site or key were changed)".into(),
        ));
    }
    let mut report = OpenReport::default();
    let present = hashes(fs, dir, &mut report)?;
    // Exactly the files present, each as it is.
    let all_vouched = |l: &Ledger| {
        l.files.len() == present.len()
            && l.files
                .iter()
                .all(|e| present.get(&e.name) == Some(&e.sha256))
    };
    if !all_vouched(&main) {
        let rdir = dir.join(RECORDS_DIR);
        let next = ledger::next_ledgers(fs, dir, &key)
            .into_iter()
            .find(|(_, l, _)| l.generation == main.generation + 1 && all_vouched(l));
        if let Some((tmp, next, bytes)) = next {
            let io = |source| StoreError::Io {
                path: lpath.clone(),
                source,
            };
            fs.rename(&tmp, &lpath).map_err(io)?;
            fs.sync_dir(&rdir).map_err(|source| StoreError::Io {
                path: rdir.clone(),
                source,
            })?;
            main = next;
            ledger_bytes = bytes;
            report
                .notes
                .push("finished a write that a crash cut short between its two renames".into());
        }
    }
    remove_temps(fs, dir)?;
    let rdir = dir.join(RECORDS_DIR);
    for (name, sha) in &present {
        let vouched = main.entry(name).is_some_and(|e| &e.sha256 == sha);
        if !vouched {
            let path = rdir.join(name);
            let what = match main.entry(name) {
                Some(_) => {
                    "does not match the signed ledger (changed outside the kiosk, or damaged); its records are not counted: run `icare verify`"
                }
                None => {
                    "not in the signed ledger (added outside the kiosk); its records are not counted: run `icare verify`"
                }
            };
            report.damaged.push(Problem::new(&path, None, what.into()));
        }
    }
    for e in &main.files {
        if !present.contains_key(&e.name)
            && !report.damaged.iter().any(|p| file_name(&p.path) == e.name)
        {
            report.damaged.push(Problem::new(
                &rdir.join(&e.name),
                None,
                format!(
                    "listed in the signed ledger with {} records, but missing (removed?)",
                    e.records
                ),
            ));
        }
    }
    Ok(Opened {
        meta,
        signer,
        ledger: main,
        ledger_bytes,
        report,
    })
}

/// A store from an older version (no signing key in `store.meta`): cut its torn tails into
/// quarantine as before, then vouch for its records files as they are (trust on first use) in a
/// new ledger, and name this kiosk's key in `store.meta`. A version-2 file has no business in
/// such a store and is not adopted. The ledger is written before `store.meta`: a crash between
/// the two leaves a store that is adopted again at the next open.
fn adopt(
    fs: &dyn Fs,
    dir: &Path,
    mut meta: StoreMeta,
    signer: SiteSigner,
) -> Result<Opened, StoreError> {
    let mut report = recover(fs, dir)?;
    remove_temps(fs, dir)?;
    meta.signing_key = Some(signer.public());
    let meta_bytes = meta.to_bytes();
    let mut ledger = Ledger::new(&meta, &meta_bytes);
    let mut adopted = 0;
    for path in records_files(fs, dir)? {
        let bytes = match fs.read(&path) {
            Ok(b) => b,
            Err(e) => {
                report
                    .damaged
                    .push(Problem::new(&path, None, e.to_string()));
                continue;
            }
        };
        let Ok(scan) = format::RECORDS.scan(&bytes) else {
            report.damaged.push(Problem::new(
                &path,
                Some(0),
                "not a records file: not adopted into the ledger".into(),
            ));
            continue;
        };
        if scan.version >= 2 {
            report.damaged.push(Problem::new(
                &path,
                None,
                "a version-2 records file in a store that had no ledger: not adopted, its records are not counted".into(),
            ));
            continue;
        }
        let records = scan
            .frames
            .iter()
            .filter(|f| f.kind == KIND_RECORD || f.kind == KIND_GROUP_RECORD)
            .count() as u64;
        ledger.set(&file_name(&path), records, &bytes);
        adopted += 1;
    }
    let ledger_bytes = ledger.to_bytes(&signer);
    let lpath = ledger::path(dir);
    let mpath = dir.join(META_FILE);
    fsio::write_atomic(fs, &lpath, &ledger_bytes).map_err(|source| StoreError::Io {
        path: lpath,
        source,
    })?;
    fsio::write_atomic(fs, &mpath, &meta_bytes).map_err(|source| StoreError::Io {
        path: mpath,
        source,
    })?;
    report.notes.push(format!(
        "adopted {adopted} records file(s) of an older version into a new signed ledger (trusted as they were found)"
    ));
    Ok(Opened {
        meta,
        signer,
        ledger,
        ledger_bytes,
        report,
    })
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

/// Cut the torn tails of version-1 records files into quarantine, and remove empty ones.
pub(crate) fn recover(fs: &dyn Fs, dir: &Path) -> Result<OpenReport, StoreError> {
    let mut report = OpenReport::default();
    for path in records_files(fs, dir)? {
        let bytes = match fs.read(&path) {
            Ok(b) => b,
            // Not a regular file: reported, never opened.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
                report
                    .damaged
                    .push(Problem::new(&path, None, e.to_string()));
                continue;
            }
            Err(source) => return Err(StoreError::Io { path, source }),
        };
        let scan = match format::RECORDS.scan(&bytes) {
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
        if scan.version >= 2 {
            // Written whole and renamed into place: never torn.
            continue;
        }
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
    let file = format::QUARANTINE.single_frame_file(&payload);
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
