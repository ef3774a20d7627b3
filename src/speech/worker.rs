//! The thread that runs the speech engine: it starts espeak-ng for each utterance, kills the one
//! playing when the next one (or a hush) comes, writes files one after another, and reports
//! trouble once for the staff log.

use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use super::{Engine, Output, Silencer, Utterance, ssml};

/// How often the worker looks whether the playing process has ended.
const POLL: Duration = Duration::from_millis(25);

/// Something staff should know, for the staff log. Never holds what was said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Speech failed (no sound device, no espeak-ng, a folder that cannot be written); the
    /// caller goes on silently. Sent once, then not again until speech has worked.
    Failed(String),
    /// Speech works again after a failure.
    Working,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Failed(why) => write!(
                f,
                "speech: no sound ({why}); the kiosk goes on without it and tries again on the \
                 next screen: check the headphones, the sound device and that espeak-ng is \
                 installed (apt-get install espeak-ng)"
            ),
            Note::Working => f.write_str("speech: sound works again"),
        }
    }
}

enum Cmd {
    Say(Utterance),
    Hush,
}

/// A running speech engine. Dropping it stops any speech and ends its thread.
pub struct Speaker {
    tx: Option<Sender<Cmd>>,
    thread: Option<JoinHandle<()>>,
}

impl Speaker {
    /// Start the speech thread; `notes` receives what staff should know (from that thread), and
    /// `silencer` can stop it for good from any thread.
    pub fn start(
        engine: Engine,
        output: Output,
        notes: Box<dyn FnMut(Note) + Send>,
        silencer: Silencer,
    ) -> io::Result<Speaker> {
        let (tx, rx) = mpsc::channel();
        let worker = Worker {
            seq: match &output {
                Output::Files(dir) => last_number(dir),
                Output::Play => 0,
            },
            engine,
            output,
            notes,
            failing: false,
            playing: None,
            silencer,
        };
        let thread = thread::Builder::new()
            .name("speech".to_string())
            .spawn(move || worker.run(rx))?;
        Ok(Speaker {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Stop what is being said and say `u`. Returns at once.
    pub fn say(&self, u: Utterance) {
        self.send(Cmd::Say(u));
    }

    /// Stop what is being said. Returns at once.
    pub fn hush(&self) {
        self.send(Cmd::Hush);
    }

    fn send(&self, cmd: Cmd) {
        if let Some(tx) = &self.tx {
            // A worker that has ended can only have ended with the program: nothing to tell.
            let _ = tx.send(cmd);
        }
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Worker {
    engine: Engine,
    output: Output,
    notes: Box<dyn FnMut(Note) + Send>,
    /// A failure has been reported and speech has not worked since.
    failing: bool,
    /// Number of the last file written.
    seq: u64,
    playing: Option<Child>,
    /// Knows the playing process, so that it can be killed from another thread.
    silencer: Silencer,
}

impl Worker {
    fn run(mut self, rx: Receiver<Cmd>) {
        loop {
            let cmd = if self.playing.is_some() {
                match rx.recv_timeout(POLL) {
                    Ok(cmd) => Some(cmd),
                    Err(RecvTimeoutError::Timeout) => {
                        self.reap(false);
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => None,
                }
            } else {
                rx.recv().ok()
            };
            match cmd {
                Some(Cmd::Say(u)) => {
                    self.reap(true);
                    match self.output.clone() {
                        Output::Play => self.play(&u),
                        Output::Files(dir) => self.write(&u, &dir),
                    }
                }
                Some(Cmd::Hush) => self.reap(true),
                None => {
                    self.reap(true);
                    return;
                }
            }
        }
    }

    /// Start espeak-ng with the utterance on its standard input.
    fn spawn(&self, u: &Utterance, wav: Option<&Path>) -> io::Result<Child> {
        let mut child = self.engine.command(u, wav).spawn().map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot start {}: {e}", self.engine.program.display()),
            )
        })?;
        let written = match child.stdin.take() {
            Some(mut stdin) => stdin.write_all(ssml(u).as_bytes()),
            None => Ok(()),
        };
        if let Err(e) = written {
            let _ = child.kill();
            let _ = child.wait();
            return Err(e);
        }
        Ok(child)
    }

    fn play(&mut self, u: &Utterance) {
        if self.silencer.is_silenced() {
            return;
        }
        match self.spawn(u, None) {
            Ok(mut child) => {
                if self.silencer.track(&mut child) {
                    self.playing = Some(child);
                }
            }
            Err(e) => self.failed(e.to_string()),
        }
    }

    /// The playing process, killed first when `stop`; left alone when it is still running and
    /// not to be stopped. How it ended decides whether speech works.
    fn reap(&mut self, stop: bool) {
        let Some(child) = self.playing.as_mut() else {
            return;
        };
        {
            let mut running = self.silencer.lock();
            if stop {
                let _ = child.kill();
            } else if matches!(child.try_wait(), Ok(None)) {
                return;
            }
            // Reaped, or about to be: its pid is no longer the engine's to kill.
            running.pid = None;
        }
        let status = child.wait();
        let errors = stderr_of(child);
        self.playing = None;
        // Killed on purpose: only what it said before dying (a missing sound device shows at once).
        let killed = stop && !status.as_ref().is_ok_and(ExitStatus::success);
        self.judge(status, &errors, killed);
    }

    /// Write `u` to the next numbered file in `dir`, whole: under a temporary name, renamed when
    /// espeak-ng has finished.
    fn write(&mut self, u: &Utterance, dir: &Path) {
        if self.silencer.is_silenced() {
            return;
        }
        self.seq += 1;
        let name = format!("{:04}-{}.wav", self.seq, u.file_stem());
        let partial = dir.join(format!(".{name}.part"));
        let silencer = self.silencer.clone();
        let result = self.spawn(u, Some(&partial)).and_then(|mut child| {
            if !silencer.track(&mut child) {
                return Err(io::Error::other("speech was stopped"));
            }
            // Until espeak-ng has finished (or been killed) and closed its error output.
            let errors = stderr_of(&mut child);
            silencer.lock().pid = None;
            Ok((child.wait(), errors))
        });
        match result {
            Ok((status, errors)) => {
                let ok = status.as_ref().is_ok_and(ExitStatus::success) && errors.trim().is_empty();
                if ok {
                    if let Err(e) = std::fs::rename(&partial, dir.join(&name)) {
                        self.failed(format!("cannot write {}: {e}", dir.join(&name).display()));
                        return;
                    }
                } else {
                    let _ = std::fs::remove_file(&partial);
                }
                self.judge(status, &errors, false);
            }
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                self.failed(e.to_string());
            }
        }
    }

    fn judge(&mut self, status: io::Result<ExitStatus>, errors: &str, killed: bool) {
        if let Some(why) = summary(errors) {
            self.failed(why);
        } else if killed {
        } else {
            match status {
                Ok(s) if s.success() => {
                    if self.failing {
                        self.failing = false;
                        (self.notes)(Note::Working);
                    }
                }
                Ok(s) => self.failed(format!("espeak-ng ended with {s}")),
                Err(e) => self.failed(format!("cannot wait for espeak-ng: {e}")),
            }
        }
    }

    fn failed(&mut self, why: String) {
        // Killed because the program is stopping: nothing for staff to fix.
        if self.silencer.is_silenced() {
            return;
        }
        if !self.failing {
            self.failing = true;
            (self.notes)(Note::Failed(why));
        }
    }
}

/// Everything the process wrote on its standard error, once it has ended.
fn stderr_of(child: &mut Child) -> String {
    let mut bytes = Vec::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The first and last lines of an error output, made safe for a log line; `None` when empty.
fn summary(errors: &str) -> Option<String> {
    let lines: Vec<&str> = errors
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let first = lines.first()?;
    let last = lines.last().unwrap_or(first);
    let text = if first == last {
        first.to_string()
    } else {
        format!("{first} … {last}")
    };
    let safe: String = crate::sanitize::terminal_safe(&text)
        .chars()
        .take(300)
        .collect();
    Some(safe)
}

/// The highest number among `NNNN-*.wav` files already in `dir`, so a restarted kiosk adds to
/// them instead of writing over them.
fn last_number(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let stem = name.strip_suffix(".wav")?;
            stem.split('-').next()?.parse::<u64>().ok()
        })
        .max()
        .unwrap_or(0)
}

/// The WAV files written so far in `dir`, in the order they were written.
pub fn written(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "wav")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    type Notes = Arc<Mutex<Vec<Note>>>;

    fn collect() -> (Notes, Box<dyn FnMut(Note) + Send>) {
        let notes = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&notes);
        (notes, Box::new(move |n| sink.lock().unwrap().push(n)))
    }

    #[test]
    fn error_output_is_summed_up_in_one_safe_line() {
        assert_eq!(summary("  \n"), None);
        assert_eq!(summary("one\n"), Some("one".into()));
        assert_eq!(
            summary("ALSA lib x: cannot find card '0'\nmore\nerror: No such file\n"),
            Some("ALSA lib x: cannot find card '0' … error: No such file".into())
        );
        assert_eq!(summary("bad\u{1b}[2J"), Some("bad".into()));
    }

    #[test]
    fn a_missing_engine_is_reported_once_and_nothing_stops() {
        let (notes, sink) = collect();
        let engine = Engine {
            program: PathBuf::from("/nonexistent/espeak-ng"),
            ..Engine::default()
        };
        let speaker = Speaker::start(engine, Output::Play, sink, Silencer::default()).unwrap();
        for i in 0..3 {
            speaker.say(Utterance::new(&format!("q{i}"), "en", "Hello".into()));
        }
        speaker.hush();
        drop(speaker);
        let notes = notes.lock().unwrap();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            matches!(&notes[0], Note::Failed(why) if why.contains("cannot start /nonexistent/espeak-ng")),
            "{notes:?}"
        );
    }

    #[test]
    fn numbering_goes_on_after_files_already_there() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(last_number(dir.path()), 0);
        for name in [
            "0007-welcome-en.wav",
            "0012-question-01-pl.wav",
            "notes.txt",
            ".0099-x.wav.part",
        ] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        assert_eq!(last_number(dir.path()), 12);
        let names: Vec<String> = written(dir.path())
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["0007-welcome-en.wav", "0012-question-01-pl.wav"]);
    }

    #[test]
    fn files_are_written_whole_one_per_utterance_and_longer_text_lasts_longer() {
        let dir = tempfile::tempdir().unwrap();
        let (notes, sink) = collect();
        let out = Output::Files(dir.path().to_path_buf());
        let speaker = Speaker::start(Engine::from_env(), out, sink, Silencer::default()).unwrap();
        speaker.say(Utterance::new("short", "en", "Yes.".into()));
        speaker.hush();
        speaker.say(Utterance::new(
            "long",
            "pl",
            "Personel traktuje mnie tu jak człowieka. Mogę tu mówić otwarcie.".into(),
        ));
        drop(speaker);
        assert_eq!(
            *notes.lock().unwrap(),
            [],
            "espeak-ng is installed (scripts/test)"
        );
        let files = written(dir.path());
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["0001-short-en.wav", "0002-long-pl.wav"]);
        let len = |p: &PathBuf| std::fs::metadata(p).unwrap().len();
        assert!(
            len(&files[1]) > 3 * len(&files[0]),
            "{} vs {}",
            len(&files[1]),
            len(&files[0])
        );
        for f in &files {
            assert_eq!(&std::fs::read(f).unwrap()[..4], b"RIFF");
        }
    }
}
