//! One writer per store, private secret files, and nothing but regular files opened: through the
//! real binary. A second kiosk (or `simulate`) on a store a kiosk is using exits 2 with a clear
//! message; a secret file others can read is refused with the fix; a FIFO or a symbolic link to
//! /dev/urandom in `records/` hangs neither `verify` nor the kiosk's start, and is reported.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::kiosk::{PIN, init_store};
use crate::pty::Pty;
use crate::util::{chmod, icare, texts};

const WAIT: Duration = Duration::from_secs(30);
const WELCOME: &str = "Press any key or tap to start";

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Run `icare` with a deadline: a hang fails the test instead of stalling it.
fn run_within(data: &Path, args: &[&str], secs: u64) -> (Option<i32>, String) {
    let mut child = icare(data)
        .args(args)
        .env("ICARE_PASSPHRASE", "kiosk test passphrase")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            panic!("icare {args:?} hung for {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let (o, e) = texts(&out);
    (out.status.code(), format!("{o}{e}"))
}

#[test]
fn a_second_kiosk_or_simulate_on_the_same_store_exits_2_and_the_first_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    init_store(&data);
    let mut first = Pty::spawn(&data, &["kiosk"], &[], 80, 24);
    first.wait_for(WELCOME, WAIT);
    let mut second = Pty::spawn(&data, &["kiosk"], &[], 80, 24);
    assert_eq!(
        second.wait_exit(WAIT),
        Some(2),
        "the second kiosk must stop"
    );
    let shown = String::from_utf8_lossy(&second.raw_at_end(WAIT)).into_owned();
    assert!(
        shown.contains("another icare process") && shown.contains("only one may at a time"),
        "{shown}"
    );
    let (code, out) = run_within(&data, &["simulate", "--count", "1"], 30);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("another icare process"), "{out}");
    assert!(first.is_running());
    // Staff quit the first; now another writer may open the store.
    first.send(b"\x1b[21~");
    first.wait_for("Type the exit PIN", WAIT);
    first.send(format!("{PIN}\r").as_bytes());
    first.wait_for("Quit", WAIT);
    first.send(b"2");
    assert_eq!(first.wait_exit(WAIT), Some(0));
    let mut again = Pty::spawn(&data, &["kiosk"], &[], 80, 24);
    again.wait_for(WELCOME, WAIT);
    assert!(again.is_running());
}

#[test]
fn init_makes_private_files_and_every_command_refuses_a_secret_others_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    init_store(&data);
    for d in ["", "keys", "records", "quarantine"] {
        assert_eq!(mode(&data.join(d)), 0o700, "{d}/");
    }
    for f in [
        "store.meta",
        "records/ledger",
        "keys/manager.age",
        "keys/exit-pin.phc",
        "keys/site-signing.key",
    ] {
        assert_eq!(mode(&data.join(f)), 0o600, "{f}");
    }
    let key = data.join("keys/site-signing.key");
    chmod(&key, 0o644);
    let (code, out) = run_within(&data, &["verify"], 30);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(&format!("chmod 600 {}", key.display())),
        "{out}"
    );
    let mut kiosk = Pty::spawn(&data, &["kiosk"], &[], 80, 24);
    assert_eq!(kiosk.wait_exit(WAIT), Some(2));
    let shown = String::from_utf8_lossy(&kiosk.raw_at_end(WAIT)).into_owned();
    assert!(shown.contains("chmod 600"), "{shown}");
    chmod(&key, 0o600);
    let identity = data.join("keys/manager.age");
    chmod(&identity, 0o604);
    let (code, out) = run_within(&data, &["report"], 30);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains(&format!("chmod 600 {}", identity.display())),
        "{out}"
    );
    chmod(&identity, 0o600);
    let pin = data.join("keys/exit-pin.phc");
    chmod(&pin, 0o640);
    let mut kiosk = Pty::spawn(&data, &["kiosk"], &[], 80, 24);
    assert_eq!(kiosk.wait_exit(WAIT), Some(2));
    let shown = String::from_utf8_lossy(&kiosk.raw_at_end(WAIT)).into_owned();
    assert!(shown.contains("exit-pin.phc"), "{shown}");
}

#[test]
fn a_fifo_and_a_symlink_to_dev_urandom_in_records_hang_neither_verify_nor_the_kiosk() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    init_store(&data);
    let records = data.join("records");
    for name in ["2026-W01.icr", "pipe"] {
        let made = std::process::Command::new("mkfifo")
            .arg(records.join(name))
            .status()
            .unwrap();
        assert!(made.success());
    }
    std::os::unix::fs::symlink("/dev/urandom", records.join("2026-W02.icr")).unwrap();
    let (code, out) = run_within(&data, &["verify"], 30);
    assert_eq!(code, Some(1), "{out}");
    for (name, what) in [
        ("2026-W01.icr", "FIFO"),
        ("pipe", "FIFO"),
        ("2026-W02.icr", "symbolic link"),
    ] {
        assert!(
            out.lines()
                .any(|l| l.contains(name) && l.contains(what) && l.contains("not opened")),
            "{name}: {out}"
        );
    }
    let (code, out) = run_within(&data, &["report"], 30);
    assert_eq!(code, Some(2), "{out}");
    let mut kiosk = Pty::spawn(&data, &["kiosk"], &[], 80, 24);
    kiosk.wait_for(WELCOME, WAIT);
    assert!(kiosk.is_running());
    drop(kiosk);
    let log = std::fs::read_to_string(data.join("kiosk.log")).unwrap();
    assert!(
        log.contains("store damage") && log.contains("2026-W02.icr"),
        "{log}"
    );
}
