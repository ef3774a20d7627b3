//! The store opened for writing (the kiosk's side, public keys and its own signing key only):
//! every response sealed under its group's key and saved by writing the period's records file anew,
//! records in random order, with the signed ledger, through temporary files and renames that a
//! crash at any point leaves as before or after the write. See `docs/format.md`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use zeroize::Zeroizing;

use super::format::{self, EpochInfo, KIND_GROUP, KIND_GROUP_RECORD};
use super::ledger::{self, Ledger};
use super::period_file::{self, GROUP_ID_LEN, PeriodFile};
use super::recover::{self, OpenReport};
use super::{META_FILE, RECORDS_DIR, StoreError, StoreMeta, check_response};
use crate::crypto::sign::SiteSigner;
use crate::crypto::{self, DataKey, Sealer};
use crate::fsio::{self, Fs, FsLock, RealFs};
use crate::response::{Period, Response};
use crate::survey::Survey;

/// A group (one data key) ends after this many responses, so a memory image of the running
/// kiosk opens at most this many.
pub const GROUP_MAX_RECORDS: u32 = 32;

/// When submitted responses are made durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// The period's file is written anew, synced and renamed into place for every response,
    /// before [`Store::submit`] returns: what the kiosk promises patients, and the only choice
    /// for a store that may hold real answers.
    #[default]
    EveryResponse,
    /// The period's file is written anew once every this many responses, when the period changes
    /// and on [`Store::flush`]. Same format, far fewer writes; a crash loses the responses since
    /// the last write. Synthetic stores only (bulk demo and benchmark data).
    Batched(u32),
}

/// The group being sealed into: its clear header, the bytes records bind to, and its key.
struct Group {
    info: EpochInfo,
    binding: Vec<u8>,
    /// Wipes the key when dropped.
    sealer: Sealer,
    count: u32,
}

/// Sealed frames not yet written: all of one period.
struct Pending {
    period: Period,
    /// Whole group header frames.
    groups: Vec<Vec<u8>>,
    /// Whole record frames.
    records: Vec<Vec<u8>>,
}

/// A store opened for writing. Holds the store's writer lock until dropped.
pub struct Store {
    fs: Arc<dyn Fs>,
    dir: PathBuf,
    meta: StoreMeta,
    signer: SiteSigner,
    ledger: Ledger,
    /// The ledger file's bytes as last written (put back if a write has to be undone).
    ledger_bytes: Vec<u8>,
    group: Option<Group>,
    pending: Option<Pending>,
    stopped: Option<String>,
    report: OpenReport,
    durability: Durability,
    _lock: Box<dyn FsLock>,
}

/// Local midnight at the start of a period: the modification time every file of that period
/// gets, so no file time is finer than the period.
pub fn period_start(period: Period) -> SystemTime {
    use chrono::TimeZone;
    let date = match period {
        Period::Week { year, week } => {
            chrono::NaiveDate::from_isoywd_opt(year, u32::from(week), chrono::Weekday::Mon)
        }
        Period::Month { year, month } => chrono::NaiveDate::from_ymd_opt(year, u32::from(month), 1),
    };
    let Some(midnight) = date.and_then(|d| d.and_hms_opt(0, 0, 0)) else {
        return SystemTime::UNIX_EPOCH;
    };
    match chrono::Local.from_local_datetime(&midnight).earliest() {
        Some(t) => t.into(),
        None => chrono::Utc.from_utc_datetime(&midnight).into(),
    }
}

impl Store {
    /// Open the store in `data_dir` for writing: take its writer lock, check the ledger against
    /// the kiosk's own key, finish or undo a write a crash cut short, and report damage (see
    /// [`Store::report`]). A store written by an older version is adopted: its records files
    /// enter a new signed ledger.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        Self::open_with(Arc::new(RealFs), data_dir)
    }

    /// [`Store::open`] through a given file layer.
    pub fn open_with(fs: Arc<dyn Fs>, data_dir: &Path) -> Result<Store, StoreError> {
        // The description is read first, so that a folder without a store says so.
        StoreMeta::load(fs.as_ref(), data_dir)?;
        let lock = super::lock(fs.as_ref(), data_dir)?;
        let opened = recover::open(fs.as_ref(), data_dir)?;
        let store = Store {
            fs,
            dir: data_dir.to_owned(),
            meta: opened.meta,
            signer: opened.signer,
            ledger: opened.ledger,
            ledger_bytes: opened.ledger_bytes,
            group: None,
            pending: None,
            stopped: None,
            report: opened.report,
            durability: Durability::EveryResponse,
            _lock: lock,
        };
        store.set_all_times();
        Ok(store)
    }

    /// What recovery found when the store was opened.
    pub fn report(&self) -> &OpenReport {
        &self.report
    }

    /// Whether the store holds demo data only.
    pub fn is_synthetic(&self) -> bool {
        self.meta.synthetic
    }

    /// The store's description.
    pub fn meta(&self) -> &StoreMeta {
        &self.meta
    }

    /// Choose when responses are made durable. [`Durability::Batched`] is refused unless the
    /// store is synthetic. Writes what is pending first.
    pub fn set_durability(&mut self, durability: Durability) -> Result<(), StoreError> {
        if durability != Durability::EveryResponse && !self.meta.synthetic {
            return Err(StoreError::NotSynthetic(self.dir.clone()));
        }
        self.flush()?;
        self.durability = durability;
        Ok(())
    }

    /// End the current group (its key is wiped) unless it belongs to `period`. The kiosk calls
    /// this when the day changes, so no key outlives its period even with no one answering.
    pub fn end_group_unless(&mut self, period: Period) {
        if self.group.as_ref().is_some_and(|g| g.info.period != period) {
            self.group = None;
        }
    }

    /// Whether a group key is held in memory now (for tests of its lifetime).
    pub fn holds_group_key(&self) -> bool {
        self.group.is_some()
    }

    /// Write every pending response (only batched mode leaves any). On `Err` they are dropped
    /// and will not appear later.
    pub fn flush(&mut self) -> Result<(), StoreError> {
        let Some(pending) = self.pending.take() else {
            return Ok(());
        };
        let written = self.write_period(&pending);
        if written.is_err() {
            // Its header may not be on disk: the group cannot go on.
            self.group = None;
        }
        written
    }

    /// Seal and save one response; on `Ok` it is durable on disk (the kiosk may say "thank
    /// you"), or with [`Durability::Batched`] at the next write. On `Err` it is not saved and
    /// will not appear later.
    pub fn submit(&mut self, survey: &Survey, response: &Response) -> Result<(), StoreError> {
        if let Some(why) = &self.stopped {
            return Err(StoreError::Stopped(why.clone()));
        }
        check_response(survey, response, self.meta.period)?;
        let mut clean = response.clone();
        clean.comment = clean
            .comment
            .as_deref()
            .map(crate::scrub::scrub_comment)
            .filter(|c| !c.is_empty());
        let plain =
            Zeroizing::new(
                postcard::to_stdvec(&clean).map_err(|e| StoreError::WrongSurvey {
                    survey: survey.id.clone(),
                    what: e.to_string(),
                })?,
            );
        if let Some(c) = clean.comment.as_mut() {
            zeroize::Zeroize::zeroize(c);
        }
        let period = response.period;
        if self.pending.as_ref().is_some_and(|p| p.period != period) {
            self.flush()?;
        }
        let ends = |g: &Group| {
            g.info.period != period
                || g.info.survey_hash != survey.hash
                || g.info.survey_id != survey.id
                || g.count >= GROUP_MAX_RECORDS
        };
        if self.group.as_ref().is_some_and(ends) {
            self.group = None;
        }
        let pending = self.pending.get_or_insert_with(|| Pending {
            period,
            groups: Vec::new(),
            records: Vec::new(),
        });
        if self.group.is_none() {
            let (group, header) = start_group(&self.meta, &self.dir, survey, period)?;
            pending.groups.push(header);
            self.group = Some(group);
        }
        let Some(group) = self.group.as_mut() else {
            return Err(StoreError::Stopped("no group".into()));
        };
        let sealed = group
            .sealer
            .seal(&group.binding, &plain)
            .map_err(StoreError::TooLarge)?;
        let mut payload = Vec::with_capacity(GROUP_ID_LEN + sealed.len());
        payload.extend_from_slice(&group.info.epoch_id);
        payload.extend_from_slice(&sealed);
        pending
            .records
            .push(format::frame(KIND_GROUP_RECORD, &payload));
        group.count += 1;
        if group.count >= GROUP_MAX_RECORDS {
            // Wipe the key now: nothing more is sealed with it.
            self.group = None;
        }
        let batch = match self.durability {
            Durability::EveryResponse => 1,
            Durability::Batched(n) => n.max(1) as usize,
        };
        if pending.records.len() >= batch {
            self.flush()?;
        }
        Ok(())
    }

    /// Write the period's file anew with the pending frames, and the ledger with it (see
    /// [`Store::commit`]).
    fn write_period(&mut self, pending: &Pending) -> Result<(), StoreError> {
        let name = period_file::file_name(pending.period);
        let rdir = self.dir.join(RECORDS_DIR);
        let path = rdir.join(&name);
        let not_vouched = |why: &str| StoreError::NotVouched {
            path: path.clone(),
            why: format!(
                "{why}; no response can be saved into it (restore the file from a backup, or see docs/security.md, promise 5)"
            ),
        };
        let old = if self.fs.exists(&path) {
            Some(self.fs.read(&path).map_err(|source| StoreError::Io {
                path: path.clone(),
                source,
            })?)
        } else {
            None
        };
        match (&old, self.ledger.entry(&name)) {
            (None, None) => {}
            (Some(bytes), Some(_)) if self.ledger.vouches(&name, bytes) => {}
            (Some(_), None) => return Err(not_vouched("not in the signed ledger")),
            (None, Some(_)) => {
                return Err(not_vouched("listed in the signed ledger but missing"));
            }
            (Some(_), Some(_)) => {
                return Err(not_vouched("does not match the signed ledger"));
            }
        }
        let mut groups: Vec<&[u8]> = pending.groups.iter().map(Vec::as_slice).collect();
        let mut records: Vec<&[u8]> = pending.records.iter().map(Vec::as_slice).collect();
        if let Some(bytes) = &old {
            let scan = format::RECORDS
                .scan(bytes)
                .map_err(|source| StoreError::Header {
                    path: path.clone(),
                    source,
                })?;
            let file = PeriodFile::parse(&path, bytes, &scan, &self.meta)?;
            groups.extend(
                file.groups
                    .iter()
                    .map(|(_, f, _)| &bytes[period_file::whole(f)]),
            );
            records.extend(file.records.iter().map(|f| &bytes[period_file::whole(f)]));
        }
        let count = records.len() as u64;
        let new = period_file::build(groups, records);
        let mut ledger = self.ledger.clone();
        ledger.generation += 1;
        ledger.set(&name, count, &new);
        let ledger_bytes = ledger.to_bytes(&self.signer);
        self.commit(&path, old.as_deref(), &new, &ledger_bytes)?;
        self.ledger = ledger;
        self.ledger_bytes = ledger_bytes;
        // Best effort: a failure leaves the time of this write, which the next write or open
        // sets again.
        let t = period_start(pending.period);
        for p in [path, ledger::path(&self.dir), rdir] {
            let _ = self.fs.set_times(&p, t);
        }
        Ok(())
    }

    /// Replace `path` (holding `old`, or absent) by `new` and the ledger by `ledger_bytes`,
    /// crash-safely: both written to temporary files and synced, the folder synced, the records
    /// file renamed into place and the folder synced, then the ledger renamed and the folder
    /// synced. A crash before the first rename leaves the old state (the temporary files are
    /// removed on open); between the renames, the new ledger waits as a temporary file that
    /// vouches for the new records file (readers accept it; the next open renames it into place).
    /// On an error the old state is put back; if even that fails the store stops.
    fn commit(
        &mut self,
        path: &Path,
        old: Option<&[u8]>,
        new: &[u8],
        ledger_bytes: &[u8],
    ) -> Result<(), StoreError> {
        let fs = self.fs.as_ref();
        let rdir = self.dir.join(RECORDS_DIR);
        let lpath = ledger::path(&self.dir);
        let tf = fsio::temp_name(path);
        let tl = fsio::temp_name(&lpath);
        let err = |p: &Path| {
            let p = p.to_owned();
            move |source| StoreError::Io { path: p, source }
        };
        let before = (|| {
            fsio::write_synced(fs, &tf, |w| w.write_all(new)).map_err(err(path))?;
            fsio::write_synced(fs, &tl, |w| w.write_all(ledger_bytes)).map_err(err(&lpath))?;
            fs.sync_dir(&rdir).map_err(err(&rdir))?;
            fs.rename(&tf, path).map_err(err(path))
        })();
        if let Err(e) = before {
            let _ = fs.remove_file(&tf);
            let _ = fs.remove_file(&tl);
            return Err(e);
        }
        let mut ledger_renamed = false;
        let after = (|| {
            fs.sync_dir(&rdir).map_err(err(&rdir))?;
            fs.rename(&tl, &lpath).map_err(err(&lpath))?;
            ledger_renamed = true;
            fs.sync_dir(&rdir).map_err(err(&rdir))
        })();
        let Err(e) = after else {
            return Ok(());
        };
        // Put the old records file and ledger back, so the response never appears later.
        let undone = (|| {
            match old {
                Some(bytes) => fsio::write_atomic(fs, path, bytes)?,
                None => {
                    fs.remove_file(path)?;
                    fs.sync_dir(&rdir)?;
                }
            }
            if ledger_renamed {
                fsio::write_atomic(fs, &lpath, &self.ledger_bytes)?;
            } else {
                fs.remove_file(&tl)?;
                fs.sync_dir(&rdir)?;
            }
            Ok::<(), std::io::Error>(())
        })();
        if let Err(undo) = undone {
            self.stopped = Some(format!("{}: {undo}", path.display()));
        }
        Err(e)
    }

    /// Set every records file's times to its period's start, and those of the ledger and the
    /// records folder to the latest period's start (on open: a crash may have left the time of
    /// a write). Best effort, as after a write.
    fn set_all_times(&self) {
        let rdir = self.dir.join(RECORDS_DIR);
        let mut latest = None;
        for name in self.fs.list(&rdir).unwrap_or_default() {
            if let Some(p) = period_file::period_of_name(&name) {
                let t = period_start(p);
                let _ = self.fs.set_times(&rdir.join(&name), t);
                latest = latest.max(Some(t));
            }
        }
        if let Some(t) = latest {
            let _ = self.fs.set_times(&ledger::path(&self.dir), t);
            let _ = self.fs.set_times(&rdir, t);
        }
    }
}

/// Start a group: a fresh random id and data key, the key wrapped to every recipient with the
/// group's clear fields. Returns the group and its whole header frame.
fn start_group(
    meta: &StoreMeta,
    dir: &Path,
    survey: &Survey,
    period: Period,
) -> Result<(Group, Vec<u8>), StoreError> {
    let mut group_id = [0u8; GROUP_ID_LEN];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut group_id);
    let info = EpochInfo {
        store_id: meta.store_id,
        epoch_id: group_id,
        synthetic: meta.synthetic,
        period,
        survey_id: survey.id.clone(),
        survey_hash: survey.hash,
    };
    let binding = info.binding();
    let key = DataKey::generate();
    // Sized up front so no reallocation leaves a copy of the key behind.
    let mut secret = Zeroizing::new(Vec::with_capacity(32 + binding.len()));
    secret.extend_from_slice(key.as_bytes());
    secret.extend_from_slice(&binding);
    let wrapped = crypto::wrap(&meta.recipients, &secret).map_err(|source| StoreError::Crypto {
        path: dir.join(META_FILE),
        offset: 0,
        source,
    })?;
    let mut payload = binding.clone();
    payload.extend_from_slice(&wrapped);
    let header = format::frame(KIND_GROUP, &payload);
    let group = Group {
        info,
        binding,
        sealer: key.cipher(),
        count: 0,
    };
    Ok((group, header))
}
