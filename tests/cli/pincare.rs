//! `icare pin` as staff and the manager run it: with the old PIN or the passphrase, from files
//! and at the prompt, through the PIN lock-out, and killed with SIGKILL midway without losing a
//! working PIN. The store is `keycare.rs`'s [`Site`].

use std::time::{Duration, Instant};

use age::secrecy::SecretString;
use icare::keys;

use crate::keycare::{OLD, Site, WAIT};
use crate::pty::Pty;
use crate::util::{icare, texts};

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
