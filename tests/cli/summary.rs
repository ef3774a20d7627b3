//! `icare summary` as a manager runs it: the passphrase is checked before the screen starts, and
//! the screen opens on a synthetic store, switches view and quits cleanly.

use std::path::PathBuf;
use std::time::Duration;

use crate::pty::Pty;
use crate::util::{PASSPHRASE, icare, ok, texts};

const WAIT: Duration = Duration::from_secs(60);

/// A synthetic store with `count` simulated responses.
fn store(count: u32) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(
        &data,
        &[
            "init",
            "--synthetic",
            "--kdf-work-factor",
            "10",
            "--site",
            "Riverside Practice",
        ],
    );
    if count > 0 {
        ok(
            &data,
            &["simulate", "--count", &count.to_string(), "--seed", "3"],
        );
    }
    (tmp, data)
}

#[test]
fn a_wrong_passphrase_is_refused_before_the_screen_starts() {
    let (_tmp, data) = store(0);
    let out = icare(&data)
        .env("ICARE_PASSPHRASE", "not the passphrase at all")
        .arg("summary")
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("wrong passphrase"), "{stderr}");
    assert!(stdout.is_empty(), "nothing drawn: {stdout:?}");
}

#[test]
fn without_a_terminal_the_summary_says_what_to_use_instead() {
    let (_tmp, data) = store(0);
    let out = icare(&data)
        .env("ICARE_PASSPHRASE", PASSPHRASE)
        .arg("summary")
        .output()
        .unwrap();
    let (_, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("needs a terminal"), "{stderr}");
}

#[test]
fn a_minimum_group_below_five_is_refused() {
    let (_tmp, data) = store(0);
    let out = icare(&data)
        .env("ICARE_PASSPHRASE", PASSPHRASE)
        .args(["summary", "--min-n", "3"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("at least 5"), "{stderr}");
}

#[test]
fn three_wrong_passphrases_typed_at_the_prompt_exit_2() {
    let (_tmp, data) = store(0);
    let mut pty = Pty::spawn(&data, &["summary"], &[], 80, 24);
    for left in ["2 tries left", "1 try left"] {
        pty.wait_for("manager passphrase", WAIT);
        pty.send(b"nope nope nope nope\r");
        pty.wait_for(left, WAIT);
    }
    pty.send(b"nope nope nope nope\r");
    pty.wait_for("3 wrong tries", WAIT);
    assert_eq!(pty.wait_exit(WAIT), Some(2));
}

#[test]
fn a_mistyped_passphrase_gets_a_second_try() {
    let (_tmp, data) = store(0);
    let mut pty = Pty::spawn(&data, &["summary"], &[], 80, 24);
    pty.wait_for("manager passphrase", WAIT);
    pty.send(b"correct horse battery stable\r");
    pty.wait_for("wrong passphrase", WAIT);
    pty.wait_for("try again (2 tries left)", WAIT);
    pty.send(format!("{PASSPHRASE}\r").as_bytes());
    // Unlocked: the empty store is what stops it now, not the passphrase.
    pty.wait_for("no responses", WAIT);
    assert_eq!(pty.wait_exit(WAIT), Some(2));
}

#[test]
fn the_overview_of_a_synthetic_store_opens_and_q_quits() {
    let (_tmp, data) = store(300);
    let mut pty = Pty::spawn(
        &data,
        &["summary"],
        &[("ICARE_PASSPHRASE", PASSPHRASE)],
        80,
        24,
    );
    let screen = pty.wait_for("Overall experience", WAIT);
    assert!(screen.contains("SYNTHETIC DEMO DATA"), "{screen}");
    assert!(screen.contains("300 responses"), "{screen}");
    assert!(screen.contains("Humanised care"), "{screen}");
    pty.send(b"\t");
    pty.wait_for("[2 Trends]", WAIT);
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0));
}

#[test]
fn an_empty_store_says_there_is_nothing_yet_and_exits_2() {
    let (_tmp, data) = store(0);
    let mut pty = Pty::spawn(
        &data,
        &["summary"],
        &[("ICARE_PASSPHRASE", PASSPHRASE)],
        80,
        24,
    );
    pty.wait_for("no responses", WAIT);
    assert_eq!(pty.wait_exit(WAIT), Some(2));
}

#[test]
fn the_screen_works_at_the_smallest_size_and_a_theme_page_opens() {
    let (_tmp, data) = store(300);
    let mut pty = Pty::spawn(
        &data,
        &["summary"],
        &[("ICARE_PASSPHRASE", PASSPHRASE), ("NO_COLOR", "1")],
        60,
        20,
    );
    pty.wait_for("Overall experience", WAIT);
    pty.send(b"\r");
    pty.wait_for("Theme 1 of 10", WAIT);
    pty.send(b"\x1b");
    pty.wait_for("[1 Overview]", WAIT);
    pty.send(b"\x03");
    assert_eq!(pty.wait_exit(WAIT), Some(0));
}
