//! `icare passwd` as a manager runs it: from files, at the prompt, refused when it should be, and
//! killed with SIGKILL midway without losing the working passphrase. (`icare pin` is in
//! `pincare.rs`, on the same [`Site`].)
//!
//! Argon2 (the PIN) and age's scrypt calibration are slow in a debug build, so each test counts
//! its hashes; file contents are compared byte for byte where that proves as much.

use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use age::secrecy::SecretString;
use icare::keys;

use crate::pty::Pty;
use crate::util::{file_names, icare, texts, with_umask};

pub(crate) const OLD: &str = "correct horse battery staple";
pub(crate) const NEW: &str = "a brand new passphrase";
pub(crate) const WAIT: Duration = Duration::from_secs(60);

pub(crate) struct Site {
    tmp: tempfile::TempDir,
    pub(crate) data: PathBuf,
}

impl Site {
    /// A synthetic store with 3 responses, passphrase [`OLD`], exit PIN 246813.
    pub(crate) fn new() -> Site {
        let tmp = tempfile::tempdir().unwrap();
        let site = Site {
            data: tmp.path().join("data"),
            tmp,
        };
        let pass = site.file("pass", OLD);
        let pin = site.file("pin", "246813");
        site.ok(&[
            "init",
            "--synthetic",
            "--kdf-work-factor",
            "8",
            "--passphrase-file",
            &pass,
            "--exit-pin-file",
            &pin,
        ]);
        site.ok(&["simulate", "--count", "3", "--seed", "1"]);
        site
    }

    /// Write `text` into a file of the test's folder; its path.
    pub(crate) fn file(&self, name: &str, text: &str) -> String {
        let path = self.tmp.path().join(name);
        std::fs::write(&path, format!("{text}\n")).unwrap();
        path.display().to_string()
    }

    pub(crate) fn run(&self, args: &[&str]) -> (Output, String, String) {
        let out = icare(&self.data).args(args).output().unwrap();
        let (o, e) = texts(&out);
        (out, o, e)
    }

    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let (out, stdout, stderr) = self.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stdout}{stderr}");
        stdout
    }

    pub(crate) fn fails(&self, args: &[&str]) -> String {
        let (out, stdout, stderr) = self.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stdout}{stderr}");
        stderr
    }

    pub(crate) fn identity(&self) -> PathBuf {
        self.data.join(keys::IDENTITY_FILE)
    }

    pub(crate) fn key_files(&self) -> Vec<String> {
        file_names(&self.data.join("keys"))
    }

    /// Whether `passphrase` opens the manager identity (and it is the store's manager key).
    pub(crate) fn opens(&self, passphrase: &str) -> bool {
        let secret = SecretString::from(passphrase.to_string());
        keys::unlock_identity_file(&icare::fsio::RealFs, &self.identity(), Some(&secret)).is_ok()
    }

    /// Start `icare ARGS`, SIGKILL it once `midway` is true or after `at_most`; whether it was
    /// killed (rather than finished first).
    pub(crate) fn kill_when(
        &self,
        args: &[&str],
        at_most: Duration,
        midway: impl Fn() -> bool,
    ) -> bool {
        let mut child = icare(&self.data)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while start.elapsed() < at_most && !midway() {
            if child.try_wait().unwrap().is_some() {
                return false;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        // std's kill is SIGKILL on Unix: nothing of the program runs after it.
        let _ = child.kill();
        let status = child.wait().unwrap();
        status.code().is_none()
    }
}

#[test]
fn passwd_from_files_changes_the_passphrase_and_every_record_still_opens() {
    let s = Site::new();
    let (old, new) = (s.file("old", OLD), s.file("new", NEW));
    let said = s.ok(&[
        "passwd",
        "--passphrase-file",
        &old,
        "--new-passphrase-file",
        &new,
        "--kdf-work-factor",
        "8",
    ]);
    assert!(said.contains("Changed the passphrase"), "{said}");
    assert!(
        said.contains("still open with the old passphrase"),
        "{said}"
    );
    let verified = s.ok(&["verify", "--passphrase-file", &new]);
    assert!(verified.contains("every record opened"), "{verified}");
    assert!(
        verified.contains("total") && verified.contains("3"),
        "{verified}"
    );
    let err = s.fails(&["verify", "--passphrase-file", &old]);
    assert!(err.contains("wrong passphrase"), "{err}");
    assert_eq!(
        s.key_files(),
        ["exit-pin.phc", "manager.age", "site-signing.key"]
    );
}

/// What `passwd` and `pin` write (the identity, the PIN hash, the lock-out's tries file) is for
/// the kiosk's user only, whatever the umask: 0600 files in 0700 folders, so every check that
/// refuses a secret others can read (the kiosk's start, `verify`, each command that opens the
/// identity) accepts them afterwards.
#[test]
fn passwd_and_pin_leave_private_files_that_every_check_accepts() {
    let s = Site::new();
    let (old, new) = (s.file("old", OLD), s.file("new", NEW));
    let (pin, new_pin, wrong) = (
        s.file("pin", "246813"),
        s.file("new-pin", "135797"),
        s.file("wrong", "999999"),
    );
    let under_umask_022 = |args: &[&str], code: i32| {
        let mut cmd = icare(&s.data);
        cmd.args(args);
        let out = with_umask(&cmd, "022").output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {:?}", texts(&out));
    };
    under_umask_022(
        &[
            "passwd",
            "--passphrase-file",
            &old,
            "--new-passphrase-file",
            &new,
            "--kdf-work-factor",
            "8",
        ],
        0,
    );
    under_umask_022(
        &["pin", "--exit-pin-file", &pin, "--new-pin-file", &new_pin],
        0,
    );
    under_umask_022(
        &["pin", "--exit-pin-file", &wrong, "--new-pin-file", &pin],
        2,
    );
    let mode = |p: &std::path::Path| {
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(p).unwrap().permissions())
            & 0o777
    };
    let keys_dir = s.data.join("keys");
    assert_eq!((mode(&s.data), mode(&keys_dir)), (0o700, 0o700));
    let names = s.key_files();
    assert_eq!(
        names,
        [
            "exit-pin-tries.json",
            "exit-pin.phc",
            "manager.age",
            "site-signing.key"
        ]
    );
    for name in names {
        assert_eq!(mode(&keys_dir.join(&name)), 0o600, "{name}");
    }
    let verified = s.ok(&["verify", "--passphrase-file", &new]);
    assert!(
        verified.contains("every record opened") && verified.contains("OK: no problems"),
        "{verified}"
    );
}

#[test]
fn passwd_refuses_what_it_cannot_prove_and_changes_nothing() {
    let s = Site::new();
    let before = std::fs::read(s.identity()).unwrap();
    let (old, new) = (s.file("old", OLD), s.file("new", NEW));
    let short = s.file("short", "too short");
    let wrong = s.file("wrong", "correct horse battery stable");
    let cases: [(&[&str], &str); 4] = [
        (
            &["--passphrase-file", &wrong, "--new-passphrase-file", &new],
            "wrong passphrase",
        ),
        (
            &["--passphrase-file", &old, "--new-passphrase-file", &short],
            "first line: the passphrase must be at least 12 characters",
        ),
        (
            &["--passphrase-file", &old, "--new-passphrase-file", &old],
            "the same as the current one",
        ),
        // No terminal to ask for the new passphrase on, and no file: no environment variable
        // stands in for the new one.
        (
            &["--passphrase-file", &old],
            "no new manager passphrase given",
        ),
    ];
    for (args, says) in cases {
        let mut all = vec!["passwd"];
        all.extend(args);
        let err = s.fails(&all);
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(std::fs::read(s.identity()).unwrap(), before, "{args:?}");
    }
    // Another store's identity, opened by its own passphrase, opens nothing here.
    let other = Site::new();
    let err = s.fails(&[
        "passwd",
        "--identity",
        other.identity().to_str().unwrap(),
        "--passphrase-file",
        &old,
        "--new-passphrase-file",
        &new,
    ]);
    assert!(err.contains("opens nothing in the store"), "{err}");
    assert!(other.opens(OLD));
    assert_eq!(
        s.key_files(),
        ["exit-pin.phc", "manager.age", "site-signing.key"]
    );
}

/// SIGKILL while the new identity file is staged beside the old one (being read back): the old
/// passphrase still opens the store; run again, the change completes and the staged file goes.
/// Then kills at spread moments of a run (fractions of a measured whole run): always exactly one
/// of the two passphrases opens the key.
#[test]
fn passwd_killed_midway_leaves_a_working_passphrase() {
    let s = Site::new();
    let before = std::fs::read(s.identity()).unwrap();
    let (old, new) = (s.file("old", OLD), s.file("new", NEW));
    let args = |from: &str, to: &str| -> Vec<String> {
        [
            "passwd",
            "--passphrase-file",
            from,
            "--new-passphrase-file",
            to,
        ]
        .into_iter()
        .chain(["--kdf-work-factor", "12"])
        .map(String::from)
        .collect()
    };
    let forward = args(&old, &new);
    let forward: Vec<&str> = forward.iter().map(String::as_str).collect();
    let staged = s.data.join("keys/manager.age.new");
    let killed = s.kill_when(&forward, WAIT, || staged.exists());
    assert!(
        killed,
        "the change finished before the staged file was seen"
    );
    assert_eq!(std::fs::read(s.identity()).unwrap(), before, "untouched");
    let start = Instant::now();
    s.ok(&forward);
    let whole = start.elapsed();
    assert!(s.opens(NEW) && !s.opens(OLD));
    assert_eq!(
        s.key_files(),
        ["exit-pin.phc", "manager.age", "site-signing.key"]
    );

    // Back and forth between the two passphrases.
    let mut current = NEW;
    let mut killed = 0;
    for part in [0.05, 0.15, 0.3, 0.5, 0.7] {
        let (from, to) = if current == NEW {
            (&new, &old)
        } else {
            (&old, &new)
        };
        let run = args(from, to);
        let run: Vec<&str> = run.iter().map(String::as_str).collect();
        killed += usize::from(s.kill_when(&run, whole.mul_f64(part), || false));
        let (now_old, now_new) = (s.opens(OLD), s.opens(NEW));
        assert!(
            now_old != now_new,
            "killed at {part} of a run: old {now_old}, new {now_new}"
        );
        current = if now_new { NEW } else { OLD };
    }
    assert!(
        killed >= 2,
        "only {killed} runs were killed before they ended"
    );
}

#[test]
fn passwd_at_the_prompt_asks_the_new_passphrase_twice() {
    let s = Site::new();
    let mut pty = Pty::spawn(&s.data, &["passwd", "--kdf-work-factor", "8"], &[], 100, 24);
    pty.wait_for("current manager passphrase:", WAIT);
    pty.send(format!("{OLD}\r").as_bytes());
    pty.wait_for("new manager passphrase:", WAIT);
    pty.send(format!("{NEW}\r").as_bytes());
    pty.wait_for("new manager passphrase again:", WAIT);
    pty.send(format!("{NEW}\r").as_bytes());
    pty.wait_for("Changed the passphrase", WAIT);
    assert_eq!(pty.wait_exit(WAIT), Some(0));
    assert!(s.opens(NEW));
}
