//! The encrypted, anonymous, crash-safe response store: creating it, saving sealed responses
//! durably in one records file per period (each write a whole new file in random order, renamed
//! into place), a signed ledger that vouches for every records file, recovery on open, and one
//! reader and one verifier for every kind of store.
//!
//! Layout of a data folder (see `docs/format.md`): `store.meta`, `records/<period>.icr` (one file
//! per period; version-1 stores have `records/<period>-<epoch id>.icr`), `records/ledger`,
//! `quarantine/*.torn`, `keys/manager.age`, `keys/exit-pin.phc`, `keys/site-signing.key`, `lock`.

pub mod aggregate;
pub mod format;
pub mod ledger;
pub mod meta;
pub mod period_file;
mod problem;
pub(crate) mod read;
pub(crate) mod recover;
pub mod stream;
mod verify;
mod write;

use std::path::{Path, PathBuf};

use age::secrecy::SecretString;

pub use meta::{META_FILE, StoreMeta};
pub use problem::Problem;
pub use read::sited::{
    ReadError, SiteResponses, StoreKind, Unreadable, read_all, read_all_with, summarize,
};
pub use read::{Responses, read_responses, read_responses_split, read_responses_with};
pub use recover::{OpenReport, Quarantined};
pub use verify::{VerifyReport, verify, verify_with};
pub use write::{Durability, GROUP_MAX_RECORDS, Store, period_start};

use crate::crypto::sign::{self, SignError};
use crate::crypto::{self, CryptoError};
use crate::fsio::{self, Fs, FsLock, RealFs};
use crate::keys::{self, KeysError};
use crate::response::{Answer, PeriodKind, Response};
use crate::survey::Survey;

/// Folder of the records files, relative to the data folder.
pub const RECORDS_DIR: &str = "records";
/// Folder of quarantined torn tails, relative to the data folder.
pub const QUARANTINE_DIR: &str = "quarantine";
/// The lock file every writer holds (kiosk, `simulate`, `import`), relative to the data folder.
pub const LOCK_FILE: &str = "lock";

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
    /// A record, or a group or epoch header, does not decrypt.
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
    /// The folder holds no aggregation store.
    #[error(
        "{0}: not an aggregation store (no aggregate.meta); create one with `icare init --aggregate` (add --synthetic for demo batches)"
    )]
    NotAggregate(PathBuf),
    /// Another process holds the store's writer lock.
    #[error(
        "{0}: another icare process (a kiosk, `icare simulate` or `icare import`) is writing to this store, and only one may at a time; stop it first (staff menu: quit, or `systemctl stop icare-kiosk`)"
    )]
    Locked(PathBuf),
    /// A signing key problem.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// A records file the signed ledger does not vouch for: none of its records is counted.
    #[error("{path}: {why}; run `icare verify` for the whole store")]
    NotVouched { path: PathBuf, why: String },
    /// The ledger or `store.meta` is not as the kiosk signed it, so it will not write.
    #[error(
        "{path}: {what}; the kiosk writes nothing until this is resolved (see docs/security.md, promise 5)"
    )]
    Untrusted { path: PathBuf, what: String },
}

/// Take the writer lock of the store (either kind) in `data_dir`; held until dropped.
pub fn lock(fs: &dyn Fs, data_dir: &Path) -> Result<Box<dyn FsLock>, StoreError> {
    let path = data_dir.join(LOCK_FILE);
    match fs.try_lock(&path) {
        Ok(Some(lock)) => Ok(lock),
        Ok(None) => Err(StoreError::Locked(data_dir.to_owned())),
        Err(source) => Err(StoreError::Io { path, source }),
    }
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
    // The kiosk's key: it signs the ledger and exported batches (see `docs/format.md`).
    let signer = sign::create_signer(fs, data_dir)?;
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
        signing_key: Some(signer.public()),
    };
    let meta_bytes = meta.to_bytes();
    let ledger = ledger::Ledger::new(&meta, &meta_bytes);
    let lpath = ledger::path(data_dir);
    fsio::write_atomic(fs, &lpath, &ledger.to_bytes(&signer)).map_err(io(&lpath))?;
    // The description goes last: its presence is what makes the folder a store.
    fsio::write_atomic(fs, &meta_path, &meta_bytes).map_err(io(&meta_path))?;
    Ok(Initialized {
        public_key: crypto::public_key(&identity),
        identity_path,
    })
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
pub(crate) mod testkit;
#[cfg(test)]
mod tests;
