//! `icare kiosk`: refuses to run without a terminal; in a pseudo-terminal on a real encrypted
//! store, sets itself up on first run, goes from welcome through every question to a saved
//! response that an analyst can decrypt, and lets staff out with the exit PIN, restoring the
//! terminal.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::pty::Pty;
use crate::util::{Analyst, icare, texts};

const PASSPHRASE: &str = "kiosk test passphrase";
pub(crate) const PIN: &str = "246813";
const WAIT: Duration = Duration::from_secs(30);
const F10: &[u8] = b"\x1b[21~";
const RIGHT: &[u8] = b"\x1b[C";

#[test]
fn without_a_terminal_the_kiosk_says_so_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = icare(dir.path())
        .args(["kiosk"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (_, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("the kiosk needs a terminal"), "{stderr}");
}

#[test]
fn an_idle_timeout_below_five_seconds_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = icare(dir.path())
        .args(["kiosk", "--idle-timeout", "1"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("--idle-timeout"), "{stderr}");
}

#[test]
fn a_missing_survey_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = icare(dir.path())
        .args(["kiosk", "--survey", "nope.toml"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("nope.toml"), "{stderr}");
}

/// A store made with `icare init`, as a practice's staff would, with a fast key derivation and
/// an analyst (written beside the data folder) who can read it back.
pub(crate) fn init_store(data: &Path) -> Analyst {
    let analyst = Analyst::new(data.parent().unwrap());
    let out = icare(data)
        .args([
            "init",
            "--site",
            "Kiosk test practice",
            "--kdf-work-factor",
            "8",
            "--recipient",
            &analyst.public,
        ])
        .env("ICARE_PASSPHRASE", PASSPHRASE)
        .env("ICARE_EXIT_PIN", PIN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", texts(&out).1);
    analyst
}

/// Every response in a store the kiosk set up itself (no analyst key can be added there), read
/// with the manager's identity through the library, not through `icare decrypt`.
pub(crate) fn stored(data: &Path) -> Vec<icare::response::Response> {
    let pass = age::secrecy::SecretString::from(PASSPHRASE.to_string());
    let id = icare::keys::unlock_identity(data, &pass).unwrap();
    icare::store::read_all(data, &id)
        .unwrap()
        .map(|r| r.unwrap().1)
        .collect()
}

/// From the welcome screen to the first question in English: any key, then language 1.
pub(crate) fn start_in_english(pty: &mut Pty) {
    pty.wait_for("Press any key or tap to start", WAIT);
    pty.send(b"x");
    pty.wait_for("Choose your language", WAIT);
    pty.send(b"1");
}

/// Staff leave: F10, the exit PIN, "Quit the kiosk"; the program ends with exit code 0. The
/// menu says that saving works, and nothing about how many responses were saved.
pub(crate) fn staff_quit(pty: &mut Pty) {
    pty.send(F10);
    pty.wait_for("Type the exit PIN", WAIT);
    pty.send(format!("{PIN}\r").as_bytes());
    let menu = pty.wait_for("Saving works (checked at ", WAIT);
    assert!(!menu.contains("saved today"), "{menu}");
    pty.send(b"2");
    assert_eq!(pty.wait_exit(WAIT), Some(0), "the kiosk did not quit");
}

#[test]
fn a_patient_answers_every_question_with_number_keys_and_the_store_holds_exactly_that() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let analyst = init_store(&data);
    let survey = icare::survey::embedded().unwrap();
    let mut pty = Pty::spawn(&data, &["kiosk"], &[], 100, 30);
    start_in_english(&mut pty);
    let total = survey.items.len() + 1;
    pty.wait_for(&format!("Question 1 of {total}"), WAIT);
    // Item i gets answer (i mod 7) + 1: every scale point, "Does not apply" (6) and "Skip" (7).
    // A number marks the answer; the right arrow goes on without waiting.
    let choice = |i: usize| i % 7 + 1;
    for i in 0..survey.items.len() {
        pty.wait_for(&format!("Question {} of {total}", i + 1), WAIT);
        pty.send(format!("{}", choice(i)).as_bytes());
        pty.send(RIGHT);
    }
    pty.wait_for(&format!("Question {total} of {total}"), WAIT);
    pty.send(b"2"); // headline: "Poor", key 2 from the least positive end
    pty.send(RIGHT);
    pty.wait_for("Please don't write names", WAIT);
    pty.send(b"kind staff, call 07700 900123\r");
    pty.wait_for("Ready to send?", WAIT);
    pty.send(b"\r");
    pty.wait_for("Thank you", WAIT);
    assert!(pty.is_running(), "the kiosk stays up after a response");
    staff_quit(&mut pty);

    let raw = String::from_utf8_lossy(&pty.raw_at_end(WAIT)).into_owned();
    assert!(raw.contains("\x1b[?1049l"), "the alternate screen was left");
    assert!(
        raw.contains("\x1b[?1000l"),
        "mouse capture was switched off"
    );

    let (responses, comments) = analyst.read(&data);
    assert_eq!(responses.len(), 1, "exactly one more response");
    let r = &responses[0];
    for (i, answer) in r["answers"].as_array().unwrap().iter().enumerate() {
        let expected = match choice(i) {
            6 => serde_json::json!({"status": "not_applicable", "value": null}),
            7 => serde_json::json!({"status": "skipped", "value": null}),
            v => serde_json::json!({"status": "answered", "value": v}),
        };
        assert_eq!(answer["status"], expected["status"], "item {i}");
        assert_eq!(answer["value"], expected["value"], "item {i}");
    }
    assert_eq!(r["headline"]["value"], 4, "stored as the FFT publishes it");
    assert_eq!(comments, ["kind staff, call [removed]"]);

    let log = std::fs::read_to_string(data.join("kiosk.log")).unwrap();
    assert!(log.contains("kiosk stopped by staff"), "{log}");
    assert!(
        !log.contains("kind staff"),
        "the comment reached the log:\n{log}"
    );
}

#[test]
fn on_a_new_machine_staff_set_up_the_store_inside_the_kiosk_at_60x20() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut pty = Pty::spawn(&data, &[], &[], 60, 20);
    pty.wait_for("name of this practice", WAIT);
    // Memory is locked only once set-up is done: its key derivation may need more than a
    // finite lock limit allows (kiosk::harden).
    assert_eq!(locked_kib(pty.pid()), 0, "memory locked before set-up");
    pty.send(b"Riverside Surgery\r");
    pty.wait_for("Choose the manager passphrase", WAIT);
    pty.send(format!("{PASSPHRASE}\r").as_bytes());
    pty.wait_for("passphrase again", WAIT);
    pty.send(format!("{PASSPHRASE}\r").as_bytes());
    pty.wait_for("Choose the exit PIN", WAIT);
    pty.send(format!("{PIN}\r").as_bytes());
    pty.wait_for("PIN again", WAIT);
    pty.send(format!("{PIN}\r").as_bytes());
    pty.wait_for("Read the screens aloud?", WAIT);
    pty.send(b"2");
    let shown = pty.wait_for("age1", WAIT);
    assert!(shown.contains("manager.age"), "{shown}");
    let log = std::fs::read_to_string(data.join("kiosk.log")).unwrap();
    if !log.contains("memory not locked") {
        assert!(
            locked_kib(pty.pid()) > 0,
            "memory not locked after set-up:\n{log}"
        );
    }
    pty.send(b"\r");
    start_in_english(&mut pty);
    let total = icare::survey::embedded().unwrap().items.len() + 1;
    for i in 1..=total {
        pty.wait_for(&format!("Question {i} of {total}"), WAIT);
        pty.send(b"7"); // Skip this question
        pty.send(RIGHT);
    }
    pty.wait_for("Please don't write names", WAIT);
    pty.send(b"\r");
    pty.wait_for("Ready to send?", WAIT);
    pty.send(b"1");
    pty.wait_for("Thank you", WAIT);
    staff_quit(&mut pty);

    let responses = stored(&data);
    assert_eq!(responses.len(), 1);
    assert!(responses[0].comment.is_none());
    let site = std::fs::read_to_string(data.join("kiosk.log")).unwrap();
    assert!(site.contains("store set up"), "{site}");
    let settings = std::fs::read_to_string(data.join("kiosk-settings.toml")).unwrap();
    assert!(settings.contains("speech = false"), "{settings}");
    // Everything the set-up made is the kiosk user's only (the secrets pass every privacy check).
    let loose = loose_entries(&data);
    assert!(loose.is_empty(), "readable by others: {loose:?}");
}

/// The process's locked memory (`VmLck`), in KiB.
fn locked_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmLck:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Every folder under `dir` (itself included) that is not 0700, and every file that is not 0600.
fn loose_entries(dir: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut loose = Vec::new();
    let meta = std::fs::symlink_metadata(dir).unwrap();
    if meta.permissions().mode() & 0o777 != 0o700 {
        loose.push(dir.display().to_string());
    }
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            loose.extend(loose_entries(&path));
        } else if meta.permissions().mode() & 0o777 != 0o600 {
            loose.push(path.display().to_string());
        }
    }
    loose
}

#[test]
fn systemctl_stop_sigterm_restores_the_terminal_and_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let analyst = init_store(&data);
    let mut pty = Pty::spawn(&data, &["kiosk"], &[], 80, 24);
    start_in_english(&mut pty);
    pty.wait_for("Question 1 of", WAIT);
    pty.send(b"4");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pty.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(pty.wait_exit(WAIT), Some(128 + 15));
    let raw = String::from_utf8_lossy(&pty.raw_at_end(WAIT)).into_owned();
    let tail = &raw[raw.rfind("Question 1 of").unwrap_or(0)..];
    assert!(
        tail.contains("\x1b[?1049l"),
        "the alternate screen was left"
    );
    assert!(
        tail.contains("\x1b[?1000l"),
        "mouse capture was switched off"
    );
    assert!(
        tail.contains("\x1b[?2004l"),
        "bracketed paste was switched off"
    );
    let log = std::fs::read_to_string(data.join("kiosk.log")).unwrap();
    assert!(log.contains("kiosk stopped by signal 15"), "{log}");
    assert!(
        analyst.read(&data).0.is_empty(),
        "a half-answered survey is not saved"
    );
}
