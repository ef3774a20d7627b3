//! `icare passwd` and `icare pin` as a manager runs them: from files, at the prompt, refused
//! when they should be, and killed with SIGKILL midway without losing the working secret.
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

const OLD: &str = "correct horse battery staple";
const NEW: &str = "a brand new passphrase";
const WAIT: Duration = Duration::from_secs(60);

struct Site {
    tmp: tempfile::TempDir,
    data: PathBuf,
}

impl Site {
    /// A synthetic store with 3 responses, passphrase [`OLD`], exit PIN 246813.
    fn new() -> Site {
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
    fn file(&self, name: &str, text: &str) -> String {
        let path = self.tmp.path().join(name);
        std::fs::write(&path, format!("{text}\n")).unwrap();
        path.display().to_string()
    }

    fn run(&self, args: &[&str]) -> (Output, String, String) {
        let out = icare(&self.data).args(args).output().unwrap();
        let (o, e) = texts(&out);
        (out, o, e)
    }

    fn ok(&self, args: &[&str]) -> String {
        let (out, stdout, stderr) = self.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stdout}{stderr}");
        stdout
    }

    fn fails(&self, args: &[&str]) -> String {
        let (out, stdout, stderr) = self.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stdout}{stderr}");
        stderr
    }

    fn identity(&self) -> PathBuf {
        self.data.join(keys::IDENTITY_FILE)
    }

    fn key_files(&self) -> Vec<String> {
        file_names(&self.data.join("keys"))
    }

    /// Whether `passphrase` opens the manager identity (and it is the store's manager key).
    fn opens(&self, passphrase: &str) -> bool {
        let secret = SecretString::from(passphrase.to_string());
        keys::unlock_identity_file(&icare::fsio::RealFs, &self.identity(), Some(&secret)).is_ok()
    }

    /// Start `icare ARGS`, SIGKILL it once `midway` is true or after `at_most`; whether it was
    /// killed (rather than finished first).
    fn kill_when(&self, args: &[&str], at_most: Duration, midway: impl Fn() -> bool) -> bool {
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

/// The PIN hash file as `init` or `pin` wrote it, and whether `pin` is its PIN.
fn pin_is(s: &Site, pin: &str) -> bool {
    keys::verify_exit_pin(&s.data, &SecretString::from(pin.to_string())).unwrap()
}

#[test]
fn pin_changes_with_the_old_pin_or_the_manager_passphrase_only() {
    let s = Site::new();
    let pin_file = s.data.join(keys::EXIT_PIN_FILE);
    let (old_pin, new_pin, other) = (
        s.file("pin", "246813"),
        s.file("new-pin", "135797"),
        s.file("other", "808080"),
    );
    let said = s.ok(&[
        "pin",
        "--exit-pin-file",
        &old_pin,
        "--new-pin-file",
        &new_pin,
    ]);
    assert!(said.contains("Changed the staff exit PIN"), "{said}");
    let hash = std::fs::read(&pin_file).unwrap();
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&pin_file).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "the hash is for the kiosk's user only");
    // The old PIN no longer proves anything; nor does a bad new PIN get written.
    let err = s.fails(&["pin", "--exit-pin-file", &old_pin, "--new-pin-file", &other]);
    assert!(err.contains("wrong exit PIN"), "{err}");
    // A new PIN must be 6 to 12 digits, as at `init` and the kiosk's set-up.
    for bad in ["12ab56", "2468", "13579", "1234567890123"] {
        let bad = s.file("bad", bad);
        let err = s.fails(&["pin", "--exit-pin-file", &new_pin, "--new-pin-file", &bad]);
        assert!(
            err.contains("first line: the exit PIN must be 6 to 12 digits"),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&pin_file).unwrap(), hash);
    // A forgotten PIN: the manager passphrase proves the change instead (from the environment).
    let (out, _, err) = {
        let out = icare(&s.data)
            .env("ICARE_PASSPHRASE", OLD)
            .args(["pin", "--new-pin-file", &other])
            .output()
            .unwrap();
        let (o, e) = texts(&out);
        (out, o, e)
    };
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(pin_is(&s, "808080"));
    // A damaged PIN file (verify says how to fix it): the passphrase proves the change, even
    // with a PIN in the environment too.
    std::fs::write(&pin_file, "damaged\n").unwrap();
    let out = icare(&s.data)
        .env("ICARE_EXIT_PIN", "808080")
        .env("ICARE_PASSPHRASE", OLD)
        .args(["pin", "--new-pin-file", &new_pin])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", texts(&out));
    assert!(pin_is(&s, "135797"));
    // The wrong old PIN above was counted, as at the kiosk.
    assert_eq!(
        s.key_files(),
        [
            "exit-pin-tries.json",
            "exit-pin.phc",
            "manager.age",
            "site-signing.key"
        ]
    );
}

#[test]
fn pin_at_the_prompt_takes_the_passphrase_after_a_wrong_pin() {
    let s = Site::new();
    let mut pty = Pty::spawn(&s.data, &["pin"], &[], 100, 24);
    pty.wait_for("current exit PIN (or the manager passphrase):", WAIT);
    pty.send(b"1111\r");
    pty.wait_for(
        "neither the exit PIN nor the manager passphrase (4 more wrong PINs lock the exit PIN \
         for 5 minutes); try again (2 tries left)",
        WAIT,
    );
    pty.send(format!("{OLD}\r").as_bytes());
    pty.wait_for("new staff exit PIN:", WAIT);
    pty.send(b"975312\r");
    pty.wait_for("new staff exit PIN again:", WAIT);
    pty.send(b"975312\r");
    pty.wait_for("Changed the staff exit PIN", WAIT);
    assert_eq!(pty.wait_exit(WAIT), Some(0));
    assert!(pin_is(&s, "975312"));
}

/// Wrong old PINs given to `pin` count toward the kiosk's lock-out, kept on disk: the fifth locks
/// the PIN, a locked PIN is not accepted even when right, and the manager passphrase still
/// changes it.
#[test]
fn wrong_pins_given_to_pin_lock_it_out_and_the_passphrase_still_changes_it() {
    let s = Site::new();
    let pin_file = s.data.join(keys::EXIT_PIN_FILE);
    let hash = std::fs::read(&pin_file).unwrap();
    let (right, wrong, new_pin) = (
        s.file("pin", "246813"),
        s.file("wrong", "999999"),
        s.file("new-pin", "135797"),
    );
    let refused = |pin: &str| s.fails(&["pin", "--exit-pin-file", pin, "--new-pin-file", &new_pin]);
    for left in (1..=4).rev() {
        let err = refused(&wrong);
        let more = if left == 1 { "PIN locks" } else { "PINs lock" };
        assert!(
            err.contains(&format!(
                "wrong exit PIN ({left} more wrong {more} the exit PIN for 5 minutes)"
            )),
            "{err}"
        );
    }
    let err = refused(&wrong);
    assert!(
        err.contains("that was 5 wrong PINs in a row, so the exit PIN is locked for 5 minutes"),
        "{err}"
    );
    // The kiosk reads the same lock.
    let now = keys::lockout::unix_now();
    let tries = keys::lockout::load(&s.data, now).unwrap();
    let left = tries.locked_for(now).expect("locked");
    assert!(
        left > keys::lockout::LOCKOUT - Duration::from_secs(30),
        "{left:?}"
    );
    let err = refused(&right);
    assert!(
        err.contains("the exit PIN is locked for 5 minutes more")
            && err.contains("it was not checked")
            && err.contains("manager passphrase instead"),
        "{err}"
    );
    assert_eq!(std::fs::read(&pin_file).unwrap(), hash, "nothing changed");
    let pass = s.file("pass", OLD);
    let said = s.ok(&[
        "pin",
        "--passphrase-file",
        &pass,
        "--new-pin-file",
        &new_pin,
    ]);
    assert!(said.contains("Changed the staff exit PIN"), "{said}");
    assert!(pin_is(&s, "135797"));
}

/// SIGKILL at spread moments of `pin` (fractions of a measured whole run: checking the old PIN,
/// hashing the new one, writing) and when its temporary file appears: the PIN file is always the
/// old one byte for byte, or a whole new one that checks the new PIN.
#[test]
fn pin_killed_midway_leaves_the_old_or_the_new_pin() {
    let s = Site::new();
    let pin_file = s.data.join(keys::EXIT_PIN_FILE);
    let before = std::fs::read(&pin_file).unwrap();
    let (old_pin, new_pin) = (s.file("pin", "246813"), s.file("new-pin", "135797"));
    let args = [
        "pin",
        "--exit-pin-file",
        &old_pin,
        "--new-pin-file",
        &new_pin,
    ];
    let start = Instant::now();
    s.ok(&args);
    let whole = start.elapsed();
    let keys_dir = s.data.join("keys");
    let writing = || {
        std::fs::read_dir(&keys_dir).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".exit-pin")
        })
    };
    let mut killed = 0;
    for (part, watch) in [
        (0.2, false),
        (0.5, false),
        (0.8, false),
        (0.95, false),
        (10.0, true),
    ] {
        std::fs::write(&pin_file, &before).unwrap();
        killed += usize::from(s.kill_when(&args, whole.mul_f64(part), || watch && writing()));
        if std::fs::read(&pin_file).unwrap() != before {
            assert!(
                pin_is(&s, "135797"),
                "killed at {part}: a new file that fails the new PIN"
            );
        }
    }
    assert!(
        killed >= 2,
        "only {killed} runs were killed before they ended"
    );
    // A run to the end removes any temporary file a kill left.
    std::fs::write(&pin_file, &before).unwrap();
    s.ok(&args);
    assert_eq!(
        s.key_files(),
        ["exit-pin.phc", "manager.age", "site-signing.key"]
    );
}
