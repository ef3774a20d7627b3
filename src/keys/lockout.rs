//! The exit PIN's lock-out: five wrong PINs in a row lock the staff menu for five minutes, and
//! the count and the lock are kept in a small file beside the PIN hash so that a restart does not
//! reset them.
//!
//! The file (`keys/exit-pin-tries.json`, 0600) holds only staff actions: how many wrong PINs were
//! typed since the last right one, and until when the menu is locked (wall-clock seconds, since a
//! restart forgets every monotonic clock). A lock longer than [`LOCKOUT`] from now, as a clock set
//! back would make it, counts as [`LOCKOUT`] from now.
//!
//! A running kiosk and `icare pin` both read, check and write the PIN files (this one, and the
//! hash when it is made again at today's cost), so each does that holding [`hold`], a lock on the
//! `keys/` folder taken for well under a second. Not the store's writer lock (`DATA/lock`), which
//! a kiosk holds for as long as it runs: `icare pin` works while the kiosk runs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::KeysError;
use crate::fsio::{self, Fs, FsLock, RealFs};

/// The lock-out file, relative to the data folder.
pub const TRIES_FILE: &str = "keys/exit-pin-tries.json";
/// Wrong exit PINs in a row before the staff menu locks.
pub const MAX_WRONG: u32 = 5;
/// How long the staff menu stays locked.
pub const LOCKOUT: Duration = Duration::from_secs(5 * 60);

/// Wrong PINs so far and the lock they caused, as kept on disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinTries {
    /// Wrong PINs since the last right one or the last lock.
    pub wrong: u32,
    /// The staff menu stays shut until this time (seconds since the Unix epoch).
    pub locked_until: Option<u64>,
}

/// What a PIN check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The right PIN: the count starts again.
    Right,
    /// A wrong PIN; this many tries are left before the lock.
    Wrong { left: u32 },
    /// That wrong PIN was the last try: the menu is now locked for [`LOCKOUT`].
    LockedNow { left: Duration },
    /// The menu was already locked for this much longer; the PIN was not even checked.
    StillLocked { left: Duration },
}

impl PinTries {
    /// How much longer the menu stays locked at `now` (Unix seconds), if it is.
    pub fn locked_for(&self, now: u64) -> Option<Duration> {
        let until = self.locked_until?;
        (until > now).then(|| Duration::from_secs(until - now).min(LOCKOUT))
    }

    /// Check a PIN at `now`: `is_right` runs only when the menu is not locked.
    pub fn check(&mut self, now: u64, is_right: impl FnOnce() -> bool) -> Verdict {
        if let Some(left) = self.locked_for(now) {
            return Verdict::StillLocked { left };
        }
        if is_right() {
            *self = PinTries::default();
            return Verdict::Right;
        }
        self.locked_until = None;
        self.wrong += 1;
        if self.wrong >= MAX_WRONG {
            *self = PinTries {
                wrong: 0,
                locked_until: Some(now + LOCKOUT.as_secs()),
            };
            Verdict::LockedNow { left: LOCKOUT }
        } else {
            Verdict::Wrong {
                left: MAX_WRONG - self.wrong,
            }
        }
    }
}

fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(TRIES_FILE)
}

/// The tries kept for the store in `data_dir`: none yet when there is no file. A damaged file
/// counts as a fresh lock from `now`, so that breaking the file never opens the menu.
pub fn load(data_dir: &Path, now: u64) -> Result<PinTries, KeysError> {
    let path = path(data_dir);
    match RealFs.read(&path) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).unwrap_or(PinTries {
            wrong: 0,
            locked_until: Some(now + LOCKOUT.as_secs()),
        })),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PinTries::default()),
        Err(source) => Err(KeysError::Io { path, source }),
    }
}

/// Keep `tries` for the store in `data_dir` (atomically, readable by the owner only, as every
/// file [`fsio::write_atomic`] makes).
pub fn save(data_dir: &Path, tries: &PinTries) -> Result<(), KeysError> {
    let path = path(data_dir);
    let io = |source| KeysError::Io {
        path: path.clone(),
        source,
    };
    let bytes = serde_json::to_vec(tries).map_err(|e| io(std::io::Error::other(e)))?;
    fsio::write_atomic(&RealFs, &path, &bytes).map_err(io)
}

/// Wait for, and hold until dropped, the lock under which a process reads, checks and writes the
/// PIN files of the store in `data_dir` (see the module's documentation).
pub fn hold(data_dir: &Path) -> Result<Box<dyn FsLock>, KeysError> {
    let dir = fsio::parent(&path(data_dir)).to_owned();
    RealFs
        .lock_dir(&dir)
        .map_err(|source| KeysError::Io { path: dir, source })
}

/// Check `pin` against the store in `data_dir` at `now` (Unix seconds), counting wrong ones and
/// keeping the count: while locked, the PIN is not checked at all. `held` is the process's own
/// copy of the count: the stricter of it and the file counts, and it is kept even when the file
/// cannot be read or written (a full or read-only disk must not give unlimited tries). A right PIN
/// on a store whose hash was made at a lower cost is hashed again at today's
/// ([`super::upgrade_exit_pin`]).
pub fn check_exit_pin(
    data_dir: &Path,
    pin: &age::secrecy::SecretString,
    now: u64,
    held: &mut PinTries,
) -> Result<Verdict, KeysError> {
    let _lock = hold(data_dir)?;
    let on_disk = load(data_dir, now).ok();
    let mut tries = stricter(on_disk.unwrap_or_default(), *held);
    if let Some(left) = tries.locked_for(now) {
        *held = tries;
        return Ok(Verdict::StillLocked { left });
    }
    let right = super::verify_exit_pin(data_dir, pin)?;
    let verdict = tries.check(now, || right);
    *held = tries;
    if on_disk != Some(tries) {
        // Best effort: `held` keeps the count for this process if the file cannot be written.
        let _ = save(data_dir, &tries);
    }
    if right {
        super::upgrade_exit_pin(data_dir, pin)?;
    }
    Ok(verdict)
}

/// How much longer the menu stays locked, by the stricter of the file and `held`.
pub fn locked_for(data_dir: &Path, now: u64, held: &PinTries) -> Option<Duration> {
    stricter(load(data_dir, now).unwrap_or_default(), *held).locked_for(now)
}

/// The more wrong PINs and the later lock of two counts.
fn stricter(a: PinTries, b: PinTries) -> PinTries {
    PinTries {
        wrong: a.wrong.max(b.wrong),
        locked_until: a.locked_until.max(b.locked_until),
    }
}

/// Seconds since the Unix epoch now.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_795_000_000;

    #[test]
    fn five_wrong_pins_lock_for_five_minutes_and_the_right_pin_is_not_even_checked() {
        let mut t = PinTries::default();
        for left in (1..MAX_WRONG).rev() {
            assert_eq!(t.check(T0, || false), Verdict::Wrong { left });
        }
        assert_eq!(t.check(T0, || false), Verdict::LockedNow { left: LOCKOUT });
        let checked = std::cell::Cell::new(false);
        let v = t.check(T0 + 240, || {
            checked.set(true);
            true
        });
        assert_eq!(
            v,
            Verdict::StillLocked {
                left: Duration::from_secs(60)
            }
        );
        assert!(!checked.get(), "the PIN is not checked while locked");
        // Time passes: unlocked, with a full five tries again.
        assert_eq!(t.check(T0 + 300, || false), Verdict::Wrong { left: 4 });
        assert_eq!(t.check(T0 + 301, || true), Verdict::Right);
        assert_eq!(t, PinTries::default());
    }

    #[test]
    fn a_clock_set_back_locks_for_five_minutes_at_most() {
        let t = PinTries {
            wrong: 0,
            locked_until: Some(T0 + 300),
        };
        assert_eq!(t.locked_for(T0 - 86_400), Some(LOCKOUT));
        assert_eq!(t.locked_for(T0 + 300), None);
    }

    #[test]
    fn the_count_and_the_lock_survive_a_restart_and_end_when_time_passes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("keys")).unwrap();
        assert_eq!(load(dir.path(), T0).unwrap(), PinTries::default());
        let mut t = PinTries::default();
        for _ in 0..3 {
            t.check(T0, || false);
        }
        save(dir.path(), &t).unwrap();
        // "Restart": a new reader of the file.
        let mut t = load(dir.path(), T0).unwrap();
        assert_eq!(t.wrong, 3);
        t.check(T0, || false);
        assert_eq!(t.check(T0, || false), Verdict::LockedNow { left: LOCKOUT });
        save(dir.path(), &t).unwrap();
        let mut t = load(dir.path(), T0 + 10).unwrap();
        assert!(matches!(
            t.check(T0 + 10, || true),
            Verdict::StillLocked { .. }
        ));
        let mut t = load(dir.path(), T0 + 300).unwrap();
        assert_eq!(t.check(T0 + 300, || true), Verdict::Right);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(TRIES_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn the_process_keeps_counting_when_the_file_cannot_be_written() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("keys")).unwrap();
        let pin = |p: &str| age::secrecy::SecretString::from(p.to_string());
        let hash = super::super::hash_exit_pin(&pin("246813")).unwrap();
        std::fs::write(dir.path().join(super::super::EXIT_PIN_FILE), hash).unwrap();
        // The tries file's name taken by a folder: it can be neither read nor replaced.
        std::fs::create_dir_all(dir.path().join(TRIES_FILE).join("x")).unwrap();
        let mut held = PinTries::default();
        for left in (1..MAX_WRONG).rev() {
            let v = check_exit_pin(dir.path(), &pin("000000"), T0, &mut held).unwrap();
            assert_eq!(v, Verdict::Wrong { left });
        }
        let v = check_exit_pin(dir.path(), &pin("000000"), T0, &mut held).unwrap();
        assert_eq!(v, Verdict::LockedNow { left: LOCKOUT });
        let v = check_exit_pin(dir.path(), &pin("246813"), T0 + 1, &mut held).unwrap();
        assert!(matches!(v, Verdict::StillLocked { .. }), "{v:?}");
        assert!(locked_for(dir.path(), T0 + 1, &held).is_some());
        let v = check_exit_pin(dir.path(), &pin("246813"), T0 + 300, &mut held).unwrap();
        assert_eq!(v, Verdict::Right);
    }

    /// A PIN check waits while another process (here another handle) holds the PIN files' lock,
    /// as a kiosk's check waits for `icare pin` writing a new hash. With no hash file the check
    /// would fail at once: only the lock can make it wait.
    #[test]
    fn a_pin_check_waits_while_another_holds_the_pin_files_lock() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("keys")).unwrap();
        let held = hold(dir.path()).unwrap();
        let (send, done) = std::sync::mpsc::channel();
        let data = dir.path().to_owned();
        std::thread::spawn(move || {
            let pin = age::secrecy::SecretString::from("246813".to_string());
            let checked = check_exit_pin(&data, &pin, T0, &mut PinTries::default());
            send.send(checked.map_err(|e| e.to_string())).unwrap();
        });
        let waited = done.recv_timeout(Duration::from_millis(300));
        assert!(waited.is_err(), "checked under another's lock: {waited:?}");
        drop(held);
        let checked = done.recv_timeout(Duration::from_secs(30)).unwrap();
        assert!(checked.unwrap_err().contains("exit PIN hash"));
    }

    #[test]
    fn a_damaged_file_locks_rather_than_opens() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("keys")).unwrap();
        std::fs::write(dir.path().join(TRIES_FILE), b"{ not json").unwrap();
        let t = load(dir.path(), T0).unwrap();
        assert_eq!(t.locked_for(T0), Some(LOCKOUT));
    }
}
