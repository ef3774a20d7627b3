//! The kiosk's [`Backend`] on the real encrypted store: seal and save, check the exit PIN, and
//! first-run setup.

use std::path::{Path, PathBuf};
use std::time::Duration;

use age::secrecy::SecretString;

use super::backend::{Backend, BackendError, SetupInfo};
use crate::fsio;
use crate::keys::{
    self,
    lockout::{self, Verdict},
};
use crate::response::{Period, PeriodKind, Response};
use crate::store::{self, InitOptions, Store, StoreError};
use crate::survey::Survey;

/// Folder of the data folder where the kiosk keeps a copy of every survey it ran, named by content
/// hash, so that reports can name and score the items of any response in the store.
pub const SURVEYS_DIR: &str = "surveys";

/// The store in `data_dir`, opened for appending (public keys only), or nothing yet.
pub struct StoreBackend {
    data_dir: PathBuf,
    survey: Survey,
    survey_source: String,
    store: Option<Store>,
    /// This process's own count of wrong exit PINs (the file beside the hash is the lasting one).
    tries: lockout::PinTries,
}

impl StoreBackend {
    /// Open the store in `data_dir` (running its recovery), or prepare for first-run setup when
    /// there is none. `survey_source` is the survey file's text, saved beside the store.
    pub fn open(
        data_dir: &Path,
        survey: Survey,
        survey_source: String,
    ) -> Result<Self, StoreError> {
        let store = match Store::open(data_dir) {
            Ok(store) => Some(store),
            Err(StoreError::NotAStore(_)) => None,
            Err(e) => return Err(e),
        };
        let pin = data_dir.join(keys::EXIT_PIN_FILE);
        if store.is_some() && pin.exists() {
            // The exit PIN's hash is a secret file too.
            fsio::check_private(&fsio::RealFs, &pin)
                .map_err(|source| StoreError::Io { path: pin, source })?;
        }
        let backend = StoreBackend {
            data_dir: data_dir.to_owned(),
            survey,
            survey_source,
            store,
            tries: lockout::PinTries::default(),
        };
        if backend.store.is_some() {
            backend.save_survey_copy()?;
        }
        Ok(backend)
    }

    /// What recovery found when the store was opened (torn tails kept in quarantine).
    pub fn store(&self) -> Option<&Store> {
        self.store.as_ref()
    }

    /// Write `surveys/<hash>.toml` once, atomically; the survey text is not secret.
    fn save_survey_copy(&self) -> Result<(), StoreError> {
        let dir = self.data_dir.join(SURVEYS_DIR);
        let path = dir.join(format!("{}.toml", self.survey.hash));
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| StoreError::Io { path, source }
        };
        if path.exists() {
            return Ok(());
        }
        fsio::Fs::create_dir_all(&fsio::RealFs, &dir).map_err(io(&dir))?;
        fsio::write_atomic(&fsio::RealFs, &path, self.survey_source.as_bytes()).map_err(io(&path))
    }
}

/// Name of the scratch file the saving check writes and removes in the data folder.
const CHECK_FILE: &str = ".saving-check";

/// Write, sync and remove a small scratch file in `data_dir`, as saving a response writes and
/// syncs its file there: a full disk, a read-only mount or a missing permission fails here too.
fn check_writable(data_dir: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let path = data_dir.join(CHECK_FILE);
    let _ = std::fs::remove_file(&path);
    let written = (|| {
        let mut f = std::fs::File::create_new(&path)?;
        f.write_all(&[0u8; 4096])?;
        f.sync_data()
    })();
    let removed = std::fs::remove_file(&path);
    written?;
    removed?;
    std::fs::File::open(data_dir)?.sync_all()
}

impl Backend for StoreBackend {
    fn submit(&mut self, response: &Response) -> Result<(), BackendError> {
        let Some(store) = self.store.as_mut() else {
            return Err(BackendError::NotSetUp);
        };
        // The store decides how coarse the period is (week or month); file today under it.
        let mut response = response.clone();
        let today = chrono::Local::now().date_naive();
        response.period = Period::of_date(store.meta().period, today);
        let saved = store.submit(&self.survey, &response);
        if let Some(comment) = response.comment.as_mut() {
            zeroize::Zeroize::zeroize(comment);
        }
        Ok(saved?)
    }

    fn check_exit_pin(&mut self, pin: &str) -> Result<Verdict, BackendError> {
        let pin = SecretString::from(pin.to_string());
        let now = lockout::unix_now();
        Ok(lockout::check_exit_pin(
            &self.data_dir,
            &pin,
            now,
            &mut self.tries,
        )?)
    }

    fn pin_locked_for(&mut self) -> Option<Duration> {
        lockout::locked_for(&self.data_dir, lockout::unix_now(), &self.tries)
    }

    fn check_saving(&mut self) -> Result<(), BackendError> {
        if self.store.is_none() {
            return Err(BackendError::NotSetUp);
        }
        check_writable(&self.data_dir).map_err(BackendError::Saving)
    }

    fn needs_setup(&self) -> bool {
        self.store.is_none()
    }

    fn new_day(&mut self, today: chrono::NaiveDate) {
        if let Some(store) = self.store.as_mut() {
            store.end_group_unless(Period::of_date(store.meta().period, today));
        }
    }

    fn setup(
        &mut self,
        site: &str,
        passphrase: &str,
        pin: &str,
    ) -> Result<SetupInfo, BackendError> {
        let options = InitOptions {
            site: site.to_string(),
            recipients: Vec::new(),
            synthetic: false,
            period: PeriodKind::Week,
            passphrase_work_factor: None,
        };
        let made = store::init(
            &self.data_dir,
            &options,
            &SecretString::from(passphrase.to_string()),
            &SecretString::from(pin.to_string()),
        )?;
        self.store = Some(Store::open(&self.data_dir)?);
        self.save_survey_copy()?;
        Ok(SetupInfo {
            public_key: made.public_key,
            identity_file: made.identity_path,
        })
    }
}
