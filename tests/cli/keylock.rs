//! Key lock, through a pseudo-terminal: the keys that stop, suspend, end or freeze a terminal
//! program do nothing to the kiosk, and the staff PIN lockout holds after five wrong tries.
//!
//! The kiosk runs on a real encrypted store made with `icare init`.

use std::time::Duration;

use crate::kiosk::{PIN, init_store};
use crate::pty::Pty;

const WAIT: Duration = Duration::from_secs(30);
const WELCOME: &str = "Press any key or tap to start";
const F10: &[u8] = b"\x1b[21~";
/// Ctrl-C, Ctrl-Z, Ctrl-\, Ctrl-D, Ctrl-S, Ctrl-Q as a terminal sends them.
const CTRL_KEYS: [(&str, u8); 6] = [
    ("Ctrl-C", 0x03),
    ("Ctrl-Z", 0x1a),
    ("Ctrl-\\", 0x1c),
    ("Ctrl-D", 0x04),
    ("Ctrl-S", 0x13),
    ("Ctrl-Q", 0x11),
];

fn kiosk(data: &std::path::Path) -> Pty {
    init_store(data);
    Pty::spawn(data, &["kiosk"], &[("NO_COLOR", "1")], 80, 24)
}

/// Send each locked key; the screen must still show `marker` and the kiosk keep running. (The
/// key that follows, answered from this same screen, proves the keys were read and ignored.)
fn send_locked_keys(pty: &mut Pty, marker: &str) {
    for (name, byte) in CTRL_KEYS {
        pty.send(&[byte]);
        assert!(pty.is_running(), "{name} on {marker:?} stopped the kiosk");
        let now = pty.contents();
        assert!(now.contains(marker), "{name} left {marker:?}:\n{now}");
    }
}

#[test]
fn ctrl_keys_neither_stop_nor_move_the_kiosk() {
    let dir = tempfile::tempdir().unwrap();
    let mut pty = kiosk(dir.path());
    pty.wait_for(WELCOME, WAIT);
    send_locked_keys(&mut pty, WELCOME);
    // The next plain key is answered from the welcome screen: the Ctrl keys were read and
    // ignored, output is not frozen (Ctrl-S) and the process is not stopped (Ctrl-Z).
    pty.send(b"x");
    pty.wait_for("Choose your language", WAIT);
    pty.send(b"1");
    let shown = pty.wait_for("Question 1 of 26", WAIT);
    assert!(pty.is_running());
    send_locked_keys(&mut pty, "Question 1 of 26");
    pty.send(b"4\x1b[C");
    let next = pty.wait_for("Question 2 of 26", WAIT);
    assert!(pty.is_running(), "the kiosk stopped:\n{next}");
    assert_ne!(shown, next);
}

#[test]
fn the_staff_menu_stays_locked_after_five_wrong_pins_even_for_the_right_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut pty = kiosk(dir.path());
    pty.wait_for(WELCOME, WAIT);
    for left in (1..=4).rev() {
        pty.send(F10);
        pty.wait_for("Type the exit PIN", WAIT);
        pty.send(b"9999\r");
        let note = format!(
            "That PIN is not right. {left} {} left.",
            if left == 1 { "try" } else { "tries" }
        );
        pty.wait_for(&note, WAIT);
        pty.send(b"\x1b");
        pty.wait_for(WELCOME, WAIT);
    }
    pty.send(F10);
    pty.wait_for("Type the exit PIN", WAIT);
    pty.send(b"9999\r");
    pty.wait_for("Staff menu locked", WAIT);
    // The sixth try, with the right PIN: F10 only shows the lock; the PIN typed goes nowhere.
    pty.send(b"\x1b");
    pty.wait_for(WELCOME, WAIT);
    pty.send(F10);
    pty.wait_for("Staff menu locked", WAIT);
    // Any key leaves the lock notice, so "1" goes back and "2" starts the survey.
    pty.send(format!("{PIN}\r").as_bytes());
    pty.wait_for("Question ", WAIT);
    pty.send(F10);
    let shown = pty.wait_for("Staff menu locked", WAIT);
    assert!(
        !shown.contains("Saving works"),
        "the staff menu opened:\n{shown}"
    );
    assert!(pty.is_running());
    let log = std::fs::read_to_string(dir.path().join("kiosk.log")).unwrap_or_default();
    assert!(log.contains("staff menu locked"), "{log}");
    assert!(!log.contains("staff menu opened"), "{log}");
}

/// Five wrong PINs, then the kiosk is stopped and started again: the lock holds, from the file
/// beside the PIN hash (0600), without a PIN being checked. Once its time has passed (the file's
/// lock moved into the past, as five minutes of waiting would), the right PIN opens the menu.
#[test]
fn the_pin_lockout_survives_a_restart_and_ends_when_its_time_has_passed() {
    let dir = tempfile::tempdir().unwrap();
    let mut pty = kiosk(dir.path());
    pty.wait_for(WELCOME, WAIT);
    pty.send(F10);
    pty.wait_for("Type the exit PIN", WAIT);
    for _ in 0..5 {
        pty.send(b"999999\r");
        // Each verdict replaces the note (or the whole overlay, for the fifth).
        std::thread::sleep(Duration::from_millis(50));
    }
    pty.wait_for("Staff menu locked", WAIT);
    drop(pty);

    let tries = dir.path().join("keys/exit-pin-tries.json");
    let text = std::fs::read_to_string(&tries).unwrap();
    assert!(text.contains("\"locked_until\":"), "{text}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&tries).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");

    let mut pty = Pty::spawn(dir.path(), &["kiosk"], &[("NO_COLOR", "1")], 80, 24);
    pty.wait_for(WELCOME, WAIT);
    pty.send(F10);
    let shown = pty.wait_for("Staff menu locked", WAIT);
    assert!(shown.contains("Try again in 5 minutes"), "{shown}");
    drop(pty);

    std::fs::write(&tries, r#"{"wrong":0,"locked_until":1000}"#).unwrap();
    let mut pty = Pty::spawn(dir.path(), &["kiosk"], &[("NO_COLOR", "1")], 80, 24);
    pty.wait_for(WELCOME, WAIT);
    pty.send(F10);
    pty.wait_for("Type the exit PIN", WAIT);
    pty.send(format!("{PIN}\r").as_bytes());
    pty.wait_for("Saving works", WAIT);
    let log = std::fs::read_to_string(dir.path().join("kiosk.log")).unwrap();
    assert!(log.contains("staff menu locked for 5 minutes"), "{log}");
    assert!(log.contains("staff menu opened"), "{log}");
}
