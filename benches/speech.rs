//! Measures read-aloud: the time from a key press that moves to the next question to the start of
//! that question's audio, with the real binary in a pseudo-terminal and `--speech` on, and the
//! speech engine's own share of it (espeak-ng started to its first audio bytes).
//!
//! Run: `cargo bench --bench speech [-- ROUNDS]` (default 10 engine starts; the kiosk part answers
//! every question of the built-in survey once).
//!
//! "Start of the audio" is the moment espeak-ng hands its first audio bytes on: the kiosk's
//! espeak-ng is replaced (through `ICARE_ESPEAK`) by a small script that runs the real espeak-ng
//! with `--stdout` and notes the time its first bytes after the WAV header appear. A sound card
//! adds its own buffer (typically tens of milliseconds) after that; this machine has none.

#[path = "common/pty.rs"]
mod pty;
#[path = "common/row.rs"]
mod row;

use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pty::Kiosk;
use row::{median_and_slowest, row};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let rounds: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10);
    if Command::new("espeak-ng")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        row(
            "kiosk: key press to the next question's audio",
            "not measured: espeak-ng is not installed",
            "",
            None,
        );
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let marks = dir.path().join("marks");
    let wrapper = dir.path().join("espeak-first-audio");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\n# espeak-ng with its audio to a pipe: note when the first bytes after the \
             44-byte WAV header come out.\nespeak-ng --stdout \"$@\" | {{ head -c 45 >/dev/null; \
             date +%s.%N >> '{}'; cat >/dev/null; }}\n",
            marks.display()
        ),
    )?;
    Command::new("chmod").arg("755").arg(&wrapper).status()?;
    engine_alone(&wrapper, &marks, rounds)?;
    key_to_audio(&wrapper, &marks)?;
    Ok(())
}

/// Seconds since the epoch now, as `date +%s.%N` writes them.
fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The time-stamps the wrapper has written so far.
fn read_marks(marks: &Path) -> Vec<f64> {
    std::fs::read_to_string(marks)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// Wait until there are more than `seen` marks; the newest.
fn next_mark(marks: &Path, seen: usize, timeout: Duration) -> anyhow::Result<f64> {
    let until = Instant::now() + timeout;
    loop {
        let m = read_marks(marks);
        if m.len() > seen {
            return Ok(m[m.len() - 1]);
        }
        anyhow::ensure!(Instant::now() < until, "no audio within {timeout:?}");
        thread::sleep(Duration::from_micros(500));
    }
}

fn summary(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[ms.len() - 1])
}

/// espeak-ng started with a question's SSML to its first audio bytes, `rounds` times.
fn engine_alone(wrapper: &Path, marks: &Path, rounds: usize) -> anyhow::Result<()> {
    let ssml = "<speak><voice xml:lang=\"en-gb\">Question 4 of 26. I feel my doctor or worker is \
                on my side. 1: Strongly disagree. 2: Disagree. 3: Not sure. 4: Agree. 5: Strongly \
                agree. 6: Does not apply. 7: Skip this question.</voice></speak>";
    let mut ms = Vec::new();
    for _ in 0..rounds.max(1) {
        let seen = read_marks(marks).len();
        let t0 = now();
        let mut child = Command::new(wrapper)
            .args(["-m", "--stdin", "-v", "en-gb", "-s", "150"])
            .stdin(Stdio::piped())
            .spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            std::io::Write::write_all(&mut stdin, ssml.as_bytes())?;
        }
        let t = next_mark(marks, seen, Duration::from_secs(10))?;
        child.wait()?;
        ms.push((t - t0) * 1e3);
    }
    let (median, max) = summary(ms.clone());
    println!("engine alone, {} starts: {ms:.1?} ms", ms.len());
    let what = format!(
        "speech: espeak-ng started to its first audio bytes, a question, {} starts",
        ms.len()
    );
    median_and_slowest(&what, median, max, None);
    Ok(())
}

/// In the real kiosk: "Skip" marked on each question, then → pressed; from the moment → is written
/// to the terminal to the next question's first audio bytes.
fn key_to_audio(wrapper: &Path, marks: &Path) -> anyhow::Result<()> {
    let env = [("ICARE_ESPEAK", wrapper.as_os_str())];
    let mut k = Kiosk::spawn_with(&["--speech"], &env, 100, 30)?;
    k.first_frame(Duration::from_secs(10))?;
    next_mark(marks, 0, Duration::from_secs(10))?;
    k.send("x")?;
    k.expect("Choose your language", Duration::from_secs(10))?;
    k.send("1")?;
    k.expect("Question 1 of", Duration::from_secs(10))?;
    let survey = icare::survey::embedded()?;
    let steps = survey.items.len() + usize::from(survey.headline.is_some());
    // Welcome, language, question 1.
    while read_marks(marks).len() < 3 {
        thread::sleep(Duration::from_millis(1));
    }
    let mut ms = Vec::new();
    for q in 1..steps {
        k.send("7")?;
        thread::sleep(Duration::from_millis(150));
        let seen = read_marks(marks).len();
        let t0 = now();
        k.send("\x1b[C")?;
        let t = next_mark(marks, seen, Duration::from_secs(10))?;
        ms.push((t - t0) * 1e3);
        k.expect(&format!("Question {} of", q + 1), Duration::from_secs(10))?;
    }
    let (median, max) = summary(ms.clone());
    println!("key to audio, {} questions: {ms:.1?} ms", ms.len());
    let what = format!(
        "kiosk: key press (→) to the next question's first audio bytes, --speech, {} questions",
        ms.len()
    );
    median_and_slowest(&what, median, max, Some(100.0));
    Ok(())
}
