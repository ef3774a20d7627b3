//! The encrypted, anonymous, crash-safe response store: creating it, appending sealed responses
//! durably, recovering torn tails on open, reading and verifying.
//!
//! Layout of a data folder (see `docs/format.md`):
//! `store.meta`, `records/<period>-<epoch id>.icr` (one file per epoch), `quarantine/*.torn`,
//! `keys/manager.age`, `keys/exit-pin.phc`.

pub mod format;
pub mod meta;
pub(crate) mod read;
pub(crate) mod recover;
mod verify;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use age::secrecy::SecretString;

pub use crate::batch::read::{SiteResponses, StoreKind, read_all, read_all_with};
pub use meta::{META_FILE, StoreMeta};
pub use read::{Responses, read_responses, read_responses_split, read_responses_with};
pub use recover::{OpenReport, Quarantined};
pub use verify::{Problem, VerifyReport, verify, verify_with};

use crate::crypto::{self, CryptoError, DataKey, Sealer};
use crate::fsio::{self, Fs, FsFile, RealFs};
use crate::keys::{self, KeysError};
use crate::response::{Answer, PeriodKind, Response};
use crate::survey::Survey;
use format::{EpochInfo, KIND_EPOCH, KIND_RECORD, MAGIC_RECORDS};

/// Folder of the records files, relative to the data folder.
pub const RECORDS_DIR: &str = "records";
/// Folder of quarantined torn tails, relative to the data folder.
pub const QUARANTINE_DIR: &str = "quarantine";
/// A new epoch (and data key) starts after this many responses.
pub const EPOCH_MAX_RECORDS: u32 = 10_000;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The folder holds no store.
    #[error(
        "{0}: no iCARE store here (no store.meta); create one with `icare init` or give --data"
    )]
    NotAStore(PathBuf),
    /// `init` found a store already.
    #[error("{0}: a store already exists here; refusing to overwrite it")]
    Exists(PathBuf),
    /// A file's header is wrong: wrong kind of file, newer version or damaged.
    #[error("{path}: {source}")]
    Header {
        path: PathBuf,
        #[source]
        source: format::HeaderError,
    },
    /// A file's contents fail a check at an offset.
    #[error("{path}: damaged at offset {offset}: {what}")]
    Corrupt {
        path: PathBuf,
        offset: u64,
        what: String,
    },
    /// A record or epoch header does not decrypt.
    #[error("{path}: offset {offset}: {source}")]
    Crypto {
        path: PathBuf,
        offset: u64,
        #[source]
        source: CryptoError,
    },
    /// A key file problem.
    #[error(transparent)]
    Keys(#[from] KeysError),
    /// The response does not belong to the survey it was submitted with.
    #[error("the response does not match survey {survey} ({what})")]
    WrongSurvey { survey: String, what: String },
    /// A response too large to seal (a comment far over any survey's limit).
    #[error("response not saved: {0}")]
    TooLarge(#[source] CryptoError),
    /// Batched durability was asked of a store that may hold real answers.
    #[error(
        "{0}: not a synthetic store; writing with one fsync per batch is only for stores made with `icare init --synthetic`"
    )]
    NotSynthetic(PathBuf),
    /// The folder holds an aggregation store (imported batches), which takes no responses.
    #[error(
        "{0}: an aggregation store (batches imported from sites): it takes no responses; read it with `icare decrypt`, add batches with `icare import`"
    )]
    IsAggregate(PathBuf),
    /// An earlier write failed and could not be undone; the store takes no more responses.
    #[error(
        "the store stopped taking responses after a write failure that could not be undone ({0}); restart the kiosk"
    )]
    Stopped(String),
}

/// Choices made when a store is created.
#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    /// The practice's name, shown in reports.
    pub site: String,
    /// Recipients besides the manager (a commissioner, a research team).
    pub recipients: Vec<age::x25519::Recipient>,
    /// A store for demo data only.
    pub synthetic: bool,
    /// Weeks (default) or months.
    pub period: PeriodKind,
    /// scrypt log2(N) for the identity file; `None`: age's default (about a second of work).
    pub passphrase_work_factor: Option<u8>,
}

/// What `init` made.
#[derive(Debug, Clone)]
pub struct Initialized {
    /// The manager's `age1...` public key.
    pub public_key: String,
    /// Where the passphrase-protected manager identity was written.
    pub identity_path: PathBuf,
}

/// Create a store in `data_dir` with a new manager identity protected by `passphrase` and the
/// staff exit PIN `exit_pin`. Refuses when a store or identity already exists there.
pub fn init(
    data_dir: &Path,
    options: &InitOptions,
    passphrase: &SecretString,
    exit_pin: &SecretString,
) -> Result<Initialized, StoreError> {
    init_with(&RealFs, data_dir, options, passphrase, exit_pin)
}

/// [`init`] through a given file layer.
pub fn init_with(
    fs: &dyn Fs,
    data_dir: &Path,
    options: &InitOptions,
    passphrase: &SecretString,
    exit_pin: &SecretString,
) -> Result<Initialized, StoreError> {
    let meta_path = StoreMeta::path(data_dir);
    let identity_path = data_dir.join(keys::IDENTITY_FILE);
    for p in [&meta_path, &identity_path] {
        if fs.exists(p) {
            return Err(StoreError::Exists(p.clone()));
        }
    }
    keys::check_passphrase(passphrase)?;
    keys::check_pin(exit_pin)?;
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| StoreError::Io { path, source }
    };
    for d in [RECORDS_DIR, QUARANTINE_DIR, "keys"] {
        let d = data_dir.join(d);
        fs.create_dir_all(&d).map_err(io(&d))?;
    }
    fs.sync_dir(data_dir).map_err(io(data_dir))?;
    let identity = age::x25519::Identity::generate();
    keys::write_identity(
        fs,
        &identity_path,
        &identity,
        passphrase,
        options.passphrase_work_factor,
    )?;
    let pin_path = data_dir.join(keys::EXIT_PIN_FILE);
    let hash = keys::hash_exit_pin(exit_pin)?;
    fsio::write_atomic(fs, &pin_path, format!("{hash}\n").as_bytes()).map_err(io(&pin_path))?;
    // The key that signs exported batches (see `docs/batches.md`).
    crate::batch::sign::create(fs, data_dir).map_err(|e| match e {
        crate::batch::BatchError::Io { path, source } => StoreError::Io { path, source },
        _ => StoreError::Exists(crate::batch::sign::key_path(data_dir)),
    })?;
    let mut recipients = vec![identity.to_public()];
    for r in &options.recipients {
        if !recipients.iter().any(|x| x.to_string() == r.to_string()) {
            recipients.push(r.clone());
        }
    }
    let mut store_id = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut store_id);
    let meta = StoreMeta {
        store_id,
        site: options.site.clone(),
        synthetic: options.synthetic,
        period: options.period,
        recipients,
    };
    // The description goes last: its presence is what makes the folder a store.
    fsio::write_atomic(fs, &meta_path, &meta.to_bytes()).map_err(io(&meta_path))?;
    Ok(Initialized {
        public_key: crypto::public_key(&identity),
        identity_path,
    })
}

/// When appended responses are made durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `fdatasync` after every response, before [`Store::submit`] returns: what the kiosk
    /// promises patients, and the only choice for a store that may hold real answers.
    #[default]
    EveryResponse,
    /// `fdatasync` once every this many responses, before an epoch file is left and on
    /// [`Store::flush`]. Same format, far fewer syncs; a crash may lose the responses since the
    /// last sync. Synthetic stores only (bulk demo and benchmark data).
    Batched(u32),
}

/// The epoch being appended to.
struct Epoch {
    info: EpochInfo,
    binding: Vec<u8>,
    sealer: Sealer,
    file: Box<dyn FsFile>,
    path: PathBuf,
    /// Length of the file up to its last acknowledged record.
    len: u64,
    /// Length of the file up to its last synced record (`len` except in batched mode).
    synced_len: u64,
    /// Records appended since the last sync.
    unsynced: u32,
    count: u32,
}

/// A store opened for appending, with public keys only (the kiosk's side).
pub struct Store {
    fs: Arc<dyn Fs>,
    dir: PathBuf,
    meta: StoreMeta,
    epoch: Option<Epoch>,
    stopped: Option<String>,
    report: OpenReport,
    durability: Durability,
}

impl Store {
    /// Open the store in `data_dir`, cutting any torn tail into quarantine (see [`Store::report`]).
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        Self::open_with(Arc::new(RealFs), data_dir)
    }

    /// [`Store::open`] through a given file layer.
    pub fn open_with(fs: Arc<dyn Fs>, data_dir: &Path) -> Result<Store, StoreError> {
        let meta = StoreMeta::load(fs.as_ref(), data_dir)?;
        let report = recover::recover(fs.as_ref(), data_dir, &meta)?;
        Ok(Store {
            fs,
            dir: data_dir.to_owned(),
            meta,
            epoch: None,
            stopped: None,
            report,
            durability: Durability::EveryResponse,
        })
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
    /// store is synthetic. Syncs what is pending first.
    pub fn set_durability(&mut self, durability: Durability) -> Result<(), StoreError> {
        if durability != Durability::EveryResponse && !self.meta.synthetic {
            return Err(StoreError::NotSynthetic(self.dir.clone()));
        }
        self.flush()?;
        self.durability = durability;
        Ok(())
    }

    /// Make every appended response durable (only batched mode leaves any pending). On `Err`
    /// the pending responses are cut off and the next response starts a new epoch file.
    pub fn flush(&mut self) -> Result<(), StoreError> {
        let Some(epoch) = self.epoch.as_mut() else {
            return Ok(());
        };
        if epoch.unsynced == 0 {
            return Ok(());
        }
        match epoch.file.sync_data() {
            Ok(()) => {
                epoch.unsynced = 0;
                epoch.synced_len = epoch.len;
                Ok(())
            }
            Err(source) => Err(self.abandon_epoch(source)),
        }
    }

    /// After a failed write: cut the epoch's file back to its last synced record so the failed
    /// ones cannot reappear, and never append to it again.
    fn abandon_epoch(&mut self, source: std::io::Error) -> StoreError {
        let Some(epoch) = self.epoch.take() else {
            return StoreError::Stopped(source.to_string());
        };
        let path = epoch.path.clone();
        let good = epoch.synced_len;
        drop(epoch);
        if let Err(e) = self.fs.truncate(&path, good) {
            self.stopped = Some(format!("{}: {e}", path.display()));
        }
        StoreError::Io { path, source }
    }

    /// Seal and append one response; on `Ok` it is durable on disk (the kiosk may say "thank
    /// you"), or with [`Durability::Batched`] at the next sync. On `Err` it is not saved and
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
        let plain = zeroize::Zeroizing::new(postcard::to_stdvec(&clean).map_err(|e| {
            StoreError::WrongSurvey {
                survey: survey.id.clone(),
                what: e.to_string(),
            }
        })?);
        let needs_new = match &self.epoch {
            None => true,
            Some(e) => {
                e.info.period != response.period
                    || e.info.survey_hash != survey.hash
                    || e.info.survey_id != survey.id
                    || e.count >= EPOCH_MAX_RECORDS
            }
        };
        if needs_new {
            self.flush()?;
            self.epoch = None;
            self.epoch = Some(self.start_epoch(survey, response)?);
        }
        let Some(epoch) = self.epoch.as_mut() else {
            return Err(StoreError::Stopped("no epoch".into()));
        };
        let sealed = epoch
            .sealer
            .seal(&epoch.binding, &plain)
            .map_err(StoreError::TooLarge)?;
        let bytes = format::frame(KIND_RECORD, &sealed);
        let batch = match self.durability {
            Durability::EveryResponse => 1,
            Durability::Batched(n) => n.max(1),
        };
        let sync = epoch.unsynced + 1 >= batch;
        let written = epoch
            .file
            .append(&bytes)
            .and_then(|_| if sync { epoch.file.sync_data() } else { Ok(()) });
        match written {
            Ok(()) => {
                epoch.len += bytes.len() as u64;
                epoch.count += 1;
                epoch.unsynced += 1;
                if sync {
                    epoch.unsynced = 0;
                    epoch.synced_len = epoch.len;
                }
                Ok(())
            }
            // Start a fresh epoch for the next response.
            Err(source) => Err(self.abandon_epoch(source)),
        }
    }

    /// Create a records file for a new epoch: header written and synced, folder entry synced.
    fn start_epoch(&self, survey: &Survey, response: &Response) -> Result<Epoch, StoreError> {
        let mut epoch_id = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut epoch_id);
        let info = EpochInfo {
            store_id: self.meta.store_id,
            epoch_id,
            synthetic: self.meta.synthetic,
            period: response.period,
            survey_id: survey.id.clone(),
            survey_hash: survey.hash,
        };
        let binding = info.binding();
        let key = DataKey::generate();
        // Sized up front so no reallocation leaves a copy of the key behind.
        let mut secret = zeroize::Zeroizing::new(Vec::with_capacity(32 + binding.len()));
        secret.extend_from_slice(key.as_bytes());
        secret.extend_from_slice(&binding);
        let wrapped =
            crypto::wrap(&self.meta.recipients, &secret).map_err(|source| StoreError::Crypto {
                path: self.dir.join(META_FILE),
                offset: 0,
                source,
            })?;
        let mut payload = binding.clone();
        payload.extend_from_slice(&wrapped);
        let mut bytes = format::file_header(MAGIC_RECORDS).to_vec();
        bytes.extend(format::frame(KIND_EPOCH, &payload));
        let dir = self.dir.join(RECORDS_DIR);
        let path = dir.join(format!("{}-{}.icr", info.period, format::hex(&epoch_id)));
        let io = |source| StoreError::Io {
            path: path.clone(),
            source,
        };
        let mut file = self.fs.create_new(&path).map_err(io)?;
        let written = file
            .append(&bytes)
            .and_then(|_| file.sync_data())
            .and_then(|_| self.fs.sync_dir(&dir));
        if let Err(e) = written {
            // Best effort: a file without a complete header holds no record, and recovery
            // quarantines whatever is left of it.
            drop(file);
            let _ = self.fs.remove_file(&path);
            return Err(io(e));
        }
        Ok(Epoch {
            info,
            binding,
            sealer: key.cipher(),
            file,
            len: bytes.len() as u64,
            synced_len: bytes.len() as u64,
            unsynced: 0,
            path,
            count: 0,
        })
    }
}

/// Check that a response fits its survey and the store before sealing it.
fn check_response(survey: &Survey, r: &Response, kind: PeriodKind) -> Result<(), StoreError> {
    let wrong = |what: String| StoreError::WrongSurvey {
        survey: survey.id.clone(),
        what,
    };
    if r.survey_id != survey.id || r.survey_hash != survey.hash {
        return Err(wrong(format!(
            "it names {} {}",
            r.survey_id,
            r.survey_hash.short()
        )));
    }
    if survey.id.len() > 255 {
        return Err(wrong("survey id longer than 255 bytes".into()));
    }
    if r.answers.len() != survey.items.len() {
        return Err(wrong(format!(
            "{} answers for {} items",
            r.answers.len(),
            survey.items.len()
        )));
    }
    for (item, answer) in survey.items.iter().zip(&r.answers) {
        check_answer(survey.item_scale(item), *answer)
            .map_err(|what| wrong(format!("item {}: {what}", item.id)))?;
    }
    let headline_scale = survey
        .headline
        .as_ref()
        .and_then(|h| survey.scale(&h.scale));
    match (headline_scale, r.headline) {
        (None, Answer::Skipped) => {}
        (None, _) => return Err(wrong("a headline answer but the survey has none".into())),
        (Some(scale), a) => {
            check_answer(Some(scale), a).map_err(|what| wrong(format!("headline: {what}")))?
        }
    }
    if r.period.kind() != kind {
        return Err(wrong(format!(
            "period {} but the store records by {kind}",
            r.period
        )));
    }
    Ok(())
}

/// Whether an answer is possible on a scale.
fn check_answer(scale: Option<&crate::survey::Scale>, answer: Answer) -> Result<(), String> {
    let Some(scale) = scale else {
        return Err("no scale".into());
    };
    match answer {
        Answer::Skipped => Ok(()),
        Answer::NotApplicable if scale.not_applicable => Ok(()),
        Answer::NotApplicable => Err(format!("scale {} has no \"does not apply\"", scale.id)),
        Answer::Value(v) if scale.point(v).is_some() => Ok(()),
        Answer::Value(v) => Err(format!("{v} is not a value of scale {}", scale.id)),
    }
}

#[cfg(test)]
mod tests;
