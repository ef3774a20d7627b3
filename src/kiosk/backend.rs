//! What the kiosk needs from the store, as a small trait: the event loop carries out the model's
//! effects through it, and `StoreBackend` is it on the real encrypted store.

use std::path::PathBuf;
use std::time::Duration;

use crate::keys::KeysError;
use crate::keys::lockout::Verdict;
use crate::response::Response;
use crate::store::StoreError;

/// What staff must see once after first-run setup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupInfo {
    /// The manager's public key, to write down or copy.
    pub public_key: String,
    /// Where the (passphrase-protected) manager identity file was written.
    pub identity_file: PathBuf,
}

/// Why the store could not do what the kiosk asked. Reasons for the staff log and the staff menu
/// ("No space left on device"); they never reach the patient and never contain answers.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// There is no store yet: first-run set-up has not been completed.
    #[error("no store: set-up has not been completed")]
    NotSetUp,
    /// The store refused or failed (saving, creating or opening it).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The exit PIN could not be checked (its hash file is missing or damaged).
    #[error(transparent)]
    Keys(#[from] KeysError),
    /// The saving check could not write, sync or remove its scratch file in the data folder.
    #[error(transparent)]
    Saving(std::io::Error),
}

/// The store as the kiosk's event loop uses it.
pub trait Backend {
    /// Seal and save one response; `Ok` only once it is safely stored.
    fn submit(&mut self, response: &Response) -> Result<(), BackendError>;
    /// Whether `pin` is this kiosk's exit PIN, counting wrong ones: the count and the lock-out
    /// are the backend's, so that they outlive the kiosk process.
    fn check_exit_pin(&mut self, pin: &str) -> Result<Verdict, BackendError>;
    /// How much longer the staff menu stays locked, if it is (asked once at start).
    fn pin_locked_for(&mut self) -> Option<Duration>;
    /// Check that a response could be saved now (the store is open and its folder takes a
    /// synced write), without saving one.
    fn check_saving(&mut self) -> Result<(), BackendError>;
    /// True when there is no store yet, so staff must set one up first.
    fn needs_setup(&self) -> bool;
    /// Create the store for `site` with the manager passphrase and the exit PIN.
    fn setup(&mut self, site: &str, passphrase: &str, pin: &str)
    -> Result<SetupInfo, BackendError>;
    /// The date changed: a store wipes a group key whose period is over.
    fn new_day(&mut self, _today: chrono::NaiveDate) {}
}
