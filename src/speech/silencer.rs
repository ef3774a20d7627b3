//! Stopping the speech engine from any thread, for good: for a program about to exit on a signal.
//! The engine runs as a process of its own, so without this it would finish what it was saying
//! (up to half a minute of a long question) after the program had gone.

use std::process::Child;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rustix::process::{Pid, Signal, kill_process};

/// A handle that kills the engine's running process and lets no other start. Clones share it:
/// one goes to the [`super::Speaker`], another to whatever stops the program.
#[derive(Debug, Clone, Default)]
pub struct Silencer(Arc<Mutex<Running>>);

/// The engine's process, while it has not been reaped (after that its pid may belong to another
/// process, so it is cleared first, under the same lock).
#[derive(Debug, Default)]
pub(super) struct Running {
    pub(super) pid: Option<u32>,
    silenced: bool,
}

impl Silencer {
    /// Kill the engine's process if one is running (SIGKILL: the sound stops at once), and refuse
    /// every later one. Safe from any thread; returns at once.
    pub fn silence(&self) {
        let mut running = self.lock();
        running.silenced = true;
        if let Some(pid) = running.pid.take()
            && let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw)
        {
            let _ = kill_process(pid, Signal::KILL);
        }
    }

    /// Whether [`Silencer::silence`] has been called.
    pub fn is_silenced(&self) -> bool {
        self.lock().silenced
    }

    /// Note `child` as the engine's running process; false, with the child killed and reaped,
    /// when speech has been silenced meanwhile.
    pub(super) fn track(&self, child: &mut Child) -> bool {
        let mut running = self.lock();
        if running.silenced {
            let _ = child.kill();
            let _ = child.wait();
            return false;
        }
        running.pid = Some(child.id());
        true
    }

    /// The running process, to be cleared before the child is reaped.
    pub(super) fn lock(&self) -> MutexGuard<'_, Running> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::{Duration, Instant};

    use super::*;
    use crate::speech::{Engine, Output, Speaker, Utterance};

    /// An engine that notes its pid in `pids` and then says nothing for 30 seconds.
    fn slow_engine(dir: &Path, pids: &Path) -> Engine {
        use std::os::unix::fs::PermissionsExt;
        let program = dir.join("slow-espeak-ng");
        let script = format!(
            "#!/bin/sh\necho $$ >> '{}'\nexec sleep 30\n",
            pids.display()
        );
        std::fs::write(&program, script).unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        Engine {
            program,
            ..Engine::default()
        }
    }

    fn pids(file: &Path) -> Vec<u32> {
        std::fs::read_to_string(file)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect()
    }

    fn gone(pid: u32) -> bool {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status.is_empty() || status.contains("State:\tZ")
    }

    #[test]
    fn silencing_kills_the_engine_while_it_speaks_and_starts_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pids");
        let silencer = Silencer::default();
        let speaker = Speaker::start(
            slow_engine(dir.path(), &file),
            Output::Play,
            Box::new(|_| {}),
            silencer.clone(),
        )
        .unwrap();
        let question = || Utterance::new("question-01", "en", "A long question.".into());
        // Said again if a first start failed (a script just written can be busy for a moment).
        let until = Instant::now() + Duration::from_secs(10);
        while pids(&file).is_empty() {
            speaker.say(question());
            std::thread::sleep(Duration::from_millis(200));
            assert!(Instant::now() < until, "the engine never started");
        }
        let started = pids(&file).len();
        let pid = *pids(&file).last().unwrap();
        assert!(!gone(pid), "the engine should still be speaking");
        silencer.silence();
        let until = Instant::now() + Duration::from_secs(5);
        while !gone(pid) {
            assert!(Instant::now() < until, "the engine {pid} still runs");
            std::thread::sleep(Duration::from_millis(10));
        }
        speaker.say(question());
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(
            pids(&file).len(),
            started,
            "a silenced speaker started the engine again"
        );
        assert!(silencer.is_silenced());
    }
}
