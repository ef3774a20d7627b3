//! What the kiosk needs from the store, as a small trait, plus an in-memory version for tests.

use std::path::PathBuf;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::keys::lockout::{PinTries, Verdict, unix_now};
use crate::response::Response;

/// What staff must see once after first-run setup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupInfo {
    /// The manager's public key, to write down or copy.
    pub public_key: String,
    /// Where the (passphrase-protected) manager identity file was written.
    pub identity_file: PathBuf,
}

/// The store as the kiosk's event loop uses it. Errors are reasons for the staff log
/// ("No space left on device"); they never reach the patient and never contain answers.
pub trait Backend {
    /// Seal and save one response; `Ok` only once it is safely stored.
    fn submit(&mut self, response: &Response) -> Result<(), String>;
    /// Whether `pin` is this kiosk's exit PIN, counting wrong ones: the count and the lock-out
    /// are the backend's, so that they outlive the kiosk process.
    fn check_exit_pin(&mut self, pin: &str) -> Result<Verdict, String>;
    /// How much longer the staff menu stays locked, if it is (asked once at start).
    fn pin_locked_for(&mut self) -> Option<Duration>;
    /// Check that a response could be saved now (the store is open and its folder takes a
    /// synced write), without saving one.
    fn check_saving(&mut self) -> Result<(), String>;
    /// True when there is no store yet, so staff must set one up first.
    fn needs_setup(&self) -> bool;
    /// Create the store for `site` with the manager passphrase and the exit PIN.
    fn setup(&mut self, site: &str, passphrase: &str, pin: &str) -> Result<SetupInfo, String>;
    /// The date changed: a store wipes a group key whose period is over.
    fn new_day(&mut self, _today: chrono::NaiveDate) {}
}

/// A store kept in memory, for tests. Nothing is written to disk.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    /// Every response accepted so far.
    pub responses: Vec<Response>,
    /// When set, the next `submit` fails with this reason (then it is cleared).
    pub fail_next_submit: Option<String>,
    /// When set, every saving check fails with this reason.
    pub saving_broken: Option<String>,
    pin: Option<Zeroizing<String>>,
    site: Option<String>,
    tries: PinTries,
}

impl MemoryBackend {
    /// A backend that is already set up with this exit PIN.
    pub fn with_pin(pin: &str) -> Self {
        MemoryBackend {
            pin: Some(Zeroizing::new(pin.to_string())),
            site: Some("memory".to_string()),
            ..Self::default()
        }
    }

    /// A backend with no store yet: the kiosk starts with first-run setup.
    pub fn unset() -> Self {
        Self::default()
    }

    /// The site name given at setup.
    pub fn site(&self) -> Option<&str> {
        self.site.as_deref()
    }
}

impl Backend for MemoryBackend {
    fn submit(&mut self, response: &Response) -> Result<(), String> {
        if let Some(reason) = self.fail_next_submit.take() {
            return Err(reason);
        }
        if self.pin.is_none() {
            return Err("the in-memory store is not set up".to_string());
        }
        self.responses.push(response.clone());
        Ok(())
    }

    fn check_exit_pin(&mut self, pin: &str) -> Result<Verdict, String> {
        match &self.pin {
            Some(p) => Ok(self.tries.check(unix_now(), || p.as_str() == pin)),
            None => Err("the in-memory store is not set up".to_string()),
        }
    }

    fn pin_locked_for(&mut self) -> Option<Duration> {
        self.tries.locked_for(unix_now())
    }

    fn check_saving(&mut self) -> Result<(), String> {
        match (&self.saving_broken, &self.pin) {
            (Some(reason), _) => Err(reason.clone()),
            (None, None) => Err("the in-memory store is not set up".to_string()),
            (None, Some(_)) => Ok(()),
        }
    }

    fn needs_setup(&self) -> bool {
        self.pin.is_none()
    }

    fn setup(&mut self, site: &str, _passphrase: &str, pin: &str) -> Result<SetupInfo, String> {
        if self.pin.is_some() {
            return Err("the in-memory store is already set up".to_string());
        }
        self.pin = Some(Zeroizing::new(pin.to_string()));
        self.site = Some(site.to_string());
        Ok(SetupInfo {
            public_key: "(in-memory test store: no key is made)".to_string(),
            identity_file: PathBuf::from("(in-memory test store: no file is written)"),
        })
    }
}
