//! `icare kiosk`: refuses to run without a terminal, and, in a pseudo-terminal with the hidden
//! in-memory store, goes from welcome through every question to a saved response and a staff
//! exit, restoring the terminal.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::{icare, texts};

#[test]
fn without_a_terminal_the_kiosk_says_so_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = icare(dir.path())
        .args(["kiosk", "--demo-memory-backend"])
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

/// The kiosk under util-linux `script`, which gives it a pseudo-terminal of 80×24.
struct Pty {
    child: Child,
    out: Arc<Mutex<Vec<u8>>>,
}

impl Pty {
    fn start(data: &Path) -> Option<Pty> {
        if std::process::Command::new("script")
            .arg("--version")
            .output()
            .is_err()
        {
            eprintln!("skipped: util-linux `script` is not installed");
            return None;
        }
        let bin = env!("CARGO_BIN_EXE_icare");
        let inner = format!(
            "stty cols 80 rows 24 && exec '{bin}' --data '{}' kiosk --demo-memory-backend",
            data.display()
        );
        let mut child = std::process::Command::new("script")
            .args(["-qefc", &inner, "/dev/null"])
            .env("NO_COLOR", "1")
            .env("TERM", "xterm-256color")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = Arc::new(Mutex::new(Vec::new()));
        let mut stdout = child.stdout.take().unwrap();
        let sink = out.clone();
        std::thread::spawn(move || {
            let mut buf = [0; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Some(Pty { child, out })
    }

    fn send(&mut self, bytes: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(bytes.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    /// What an 80×24 terminal would show now.
    fn screen(&self) -> String {
        screen(&String::from_utf8_lossy(&self.out.lock().unwrap()), 80, 24)
    }

    /// Wait (up to 30 s) until `done` holds for the screen; fail showing it when it does not.
    fn wait_until(&self, what: &str, mut done: impl FnMut(&str) -> bool) {
        let start = Instant::now();
        loop {
            let shown = self.screen();
            if done(&shown) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "no {what} in:\n{shown}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Pty {
    /// A failed test must not leave the kiosk running.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal terminal: replays cursor moves (`CSI row;col H`), screen clears (`CSI 2J`) and
/// text onto a grid; every other escape sequence is skipped.
fn screen(out: &str, width: usize, height: usize) -> String {
    let mut grid = vec![vec![' '; width]; height];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = out.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => match chars.next() {
                Some('[') => {
                    let mut params = String::new();
                    let mut fin = ' ';
                    for c in chars.by_ref() {
                        if ('\x40'..='\x7e').contains(&c) {
                            fin = c;
                            break;
                        }
                        params.push(c);
                    }
                    match fin {
                        'H' => {
                            let mut it = params.split(';').map(|n| n.parse::<usize>().unwrap_or(1));
                            row = it.next().unwrap_or(1).saturating_sub(1);
                            col = it.next().unwrap_or(1).saturating_sub(1);
                        }
                        'J' if params == "2" => grid = vec![vec![' '; width]; height],
                        _ => {}
                    }
                }
                _ => {
                    chars.next();
                }
            },
            '\r' => col = 0,
            '\n' => row += 1,
            c if c.is_control() => {}
            c => {
                if let Some(cell) = grid.get_mut(row).and_then(|r| r.get_mut(col)) {
                    *cell = c;
                }
                col += 1;
            }
        }
    }
    grid.iter()
        .map(|r| r.iter().collect::<String>().trim_end().to_string() + "\n")
        .collect()
}

#[test]
fn a_patient_answers_every_question_with_number_keys_and_staff_quit() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut pty) = Pty::start(dir.path()) else {
        return;
    };
    let log = dir.path().join("kiosk.log");
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
    pty.wait_until("welcome screen", |s| {
        s.contains("Press any key or tap to start")
    });
    pty.send("x");
    pty.wait_until("first question", |s| s.contains("Question 1 of 26"));
    // A number marks the answer; the right arrow goes on without waiting.
    for _ in 0..26 {
        pty.send("4\x1b[C");
    }
    pty.wait_until("comment screen", |s| s.contains("Please don't write names"));
    pty.send("kind staff\r");
    pty.wait_until("ready to send", |s| s.contains("Ready to send?"));
    pty.send("\r");
    pty.wait_until("thank you", |s| s.contains("Thank you"));
    pty.wait_until("log line", |_| {
        read_log().contains("response saved (1 today)")
    });
    // Staff: F10, the exit PIN, quit.
    pty.send("\x1b[21~");
    pty.wait_until("PIN entry", |s| s.contains("Type the exit PIN"));
    pty.send("1234\r");
    pty.wait_until("staff menu", |s| {
        s.contains("Responses saved today by this kiosk: 1")
    });
    pty.send("2");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = pty.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the kiosk did not quit"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    let raw = String::from_utf8_lossy(&pty.out.lock().unwrap()).into_owned();
    assert!(raw.contains("\x1b[?1049l"), "the alternate screen was left");
    assert!(
        raw.contains("\x1b[?1000l"),
        "mouse capture was switched off"
    );
    let log = read_log();
    assert!(log.contains("kiosk stopped by staff"), "{log}");
    assert!(
        !log.contains("kind staff"),
        "the comment must never reach the log:\n{log}"
    );
}
