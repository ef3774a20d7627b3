//! The kiosk process keeps its memory to itself: no core dumps and no attaching by other users
//! (`PR_SET_DUMPABLE` 0, `RLIMIT_CORE` 0), and its pages kept out of swap (`mlockall`) where the
//! system allows it, so answers and keys never reach a disk through the back door.

/// What could not be done, one staff-log line each (nothing when everything was done).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hardening {
    pub problems: Vec<String>,
}

/// Switch core dumps off and, when `lock` is true, lock the process's memory, now and for every
/// later allocation.
///
/// The kiosk passes `lock = false` while first-run set-up is still to come, and calls [`lock`]
/// once it is done: set-up protects the manager identity with scrypt, whose memory (age
/// sizes it to about a second of work: hundreds of MiB) would pass a finite `RLIMIT_MEMLOCK` under
/// `MCL_FUTURE` and abort the kiosk in the middle of set-up. No patient has used the kiosk before
/// then.
pub fn harden(lock: bool) -> Hardening {
    let mut problems = Vec::new();
    if let Err(e) = no_dumps() {
        problems.push(format!(
            "core dumps could not be switched off ({e}): a crash could write answers to disk; \
             set LimitCORE=0 in the kiosk's systemd unit (docs/deploy.md)"
        ));
    }
    if lock {
        problems.extend(self::lock().problems);
    }
    Hardening { problems }
}

/// Lock the process's memory against swap, now and for every later allocation (see [`harden`]).
pub fn lock() -> Hardening {
    let problems = match lock_memory() {
        Ok(()) => Vec::new(),
        Err(e) => vec![format!(
            "memory not locked against swap ({e}): answers could be paged out to disk; give the \
             kiosk LimitMEMLOCK=infinity in its systemd unit, or use encrypted swap or none \
             (docs/deploy.md)"
        )],
    };
    Hardening { problems }
}

#[cfg(target_os = "linux")]
pub(crate) fn no_dumps() -> Result<(), String> {
    use rustix::process::{DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit};
    set_dumpable_behavior(DumpableBehavior::NotDumpable)
        .map_err(|e| format!("prctl PR_SET_DUMPABLE: {e}"))?;
    let none = Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    setrlimit(Resource::Core, none).map_err(|e| format!("setrlimit RLIMIT_CORE: {e}"))
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn no_dumps() -> Result<(), String> {
    Err("not supported on this system".to_string())
}

/// Room to grow that a finite `RLIMIT_MEMLOCK` must leave above what is mapped when the kiosk
/// starts: the exit PIN's Argon2id memory, which a PIN check allocates at once, and 128 MiB for
/// the rest (a running kiosk maps about 75 MiB, most of it the C library's reserved heap).
pub const HEADROOM_KIB: u64 = crate::keys::EXIT_PIN_COST.0 as u64 + 128 * 1024;

#[cfg(target_os = "linux")]
fn lock_memory() -> Result<(), String> {
    use rustix::mm::{MlockAllFlags, mlockall};
    use rustix::process::{Resource, geteuid, getrlimit};
    let limit = getrlimit(Resource::Memlock).current;
    room_to_lock(limit, geteuid().is_root(), mapped_kib().unwrap_or(0))?;
    mlockall(MlockAllFlags::CURRENT | MlockAllFlags::FUTURE).map_err(|e| format!("mlockall: {e}"))
}

/// Whether locking all memory, now and later, leaves the kiosk room to grow: `limit` is
/// `RLIMIT_MEMLOCK` in bytes (`None`: unlimited), `mapped_kib` the memory mapped now. With
/// `MCL_FUTURE` an allocation that would pass the limit fails and the kiosk would stop, so the
/// lock is only taken with [`HEADROOM_KIB`] to spare. Root (`CAP_IPC_LOCK`) has no limit.
pub fn room_to_lock(limit: Option<u64>, root: bool, mapped_kib: u64) -> Result<(), String> {
    match limit {
        Some(limit) if !root && mapped_kib + HEADROOM_KIB > limit / 1024 => Err(format!(
            "RLIMIT_MEMLOCK allows {} MiB; the kiosk maps {} MiB and needs {} MiB more to grow",
            limit / (1024 * 1024),
            mapped_kib / 1024,
            HEADROOM_KIB / 1024
        )),
        _ => Ok(()),
    }
}

#[cfg(not(target_os = "linux"))]
fn lock_memory() -> Result<(), String> {
    Err("not supported on this system".to_string())
}

/// The process's mapped memory (`VmSize`), which `mlockall` must fit under the limit.
#[cfg(target_os = "linux")]
fn mapped_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmSize:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_is_locked_only_with_room_to_grow_under_the_limit() {
        let mib = 1024 * 1024;
        assert_eq!(room_to_lock(None, false, 30 * 1024), Ok(()));
        assert_eq!(room_to_lock(Some(8 * mib), true, 30 * 1024), Ok(()));
        assert_eq!(room_to_lock(Some(256 * mib), false, 30 * 1024), Ok(()));
        assert_eq!(room_to_lock(Some(256 * mib), false, 60 * 1024), Ok(()));
        let refused = room_to_lock(Some(8 * mib), false, 30 * 1024).unwrap_err();
        assert_eq!(
            refused,
            "RLIMIT_MEMLOCK allows 8 MiB; the kiosk maps 30 MiB and needs 192 MiB more to grow"
        );
        assert!(room_to_lock(Some(200 * mib), false, 30 * 1024).is_err());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_process_is_made_undumpable_with_no_core_size() {
        use rustix::process::{DumpableBehavior, Resource, dumpable_behavior, getrlimit};
        no_dumps().unwrap();
        assert_eq!(dumpable_behavior().unwrap(), DumpableBehavior::NotDumpable);
        let core = getrlimit(Resource::Core);
        assert_eq!((core.current, core.maximum), (Some(0), Some(0)));
    }
}
