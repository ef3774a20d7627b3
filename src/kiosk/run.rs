//! The event loop: sets the terminal up (and always restores it, also on a panic), draws, waits
//! for input with the next deadline as timeout, and carries out the model's effects.

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Local;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::Event;
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{Clear, ClearType};
use ratatui::layout::Rect;
use zeroize::Zeroize;

use super::backend::{Backend, BackendError};
use super::harden::{self, harden};
use super::input::to_msg;
use super::model::{Config, Effect, Model, Msg, spoken, update};
use super::settings;
use super::tty::{TermInput, WipedOutput, is_hangup};
use super::view::Kiosk;
use crate::speech::{Engine, Note, Output, Silencer, Speaker, Utterance};
use crate::survey::Survey;
use crate::tui::Theme;
use crate::tui::terminal::{Modes, TerminalGuard, restore};

/// Longest the loop sleeps without input, so a new day is noticed.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// How long the loop waits, when the terminal closes, for the SIGHUP that follows.
const HANGUP_GRACE: Duration = Duration::from_millis(500);

/// How to run the kiosk.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Quiet time before "Are you still there?".
    pub idle_timeout: Duration,
    /// The staff log (`kiosk.log` in the data folder).
    pub log_file: PathBuf,
    /// Read the screens aloud from the start (first-run set-up can also turn it on).
    pub speech: bool,
    /// Where speech goes: the sound device, or WAV files for checking.
    pub speech_output: Output,
    /// Where first-run set-up keeps the kiosk's settings (`kiosk-settings.toml`).
    pub settings_file: PathBuf,
}

/// Run the kiosk on this terminal until staff quit from the staff menu.
pub fn run(survey: Survey, backend: &mut dyn Backend, options: RunOptions) -> anyhow::Result<()> {
    // First, before any answer or key is in memory (and before any thread starts, so that its
    // stack is locked too); on a new machine the memory lock waits until set-up is done
    // (`harden`'s doc says why).
    for problem in harden(!backend.needs_setup()).problems {
        log(&options.log_file, &problem);
    }
    let theme = Theme::from_env();
    let mut input = TermInput::open().context("cannot read the terminal's keyboard")?;
    let mut guard = WipedOutput::stdout()
        .and_then(|out| TerminalGuard::enter(out, Modes::TOUCH))
        .context("cannot set up the terminal for the kiosk")?;
    // Shared with the signal handler, which must stop speech the kiosk started.
    let silencer = Silencer::default();
    restore_on_signals(options.log_file.clone(), silencer.clone())
        .context("cannot install the kiosk's handler for stop signals")?;
    let voice = Voice::new(&options, silencer);
    event_loop(
        guard.terminal(),
        &mut input,
        voice,
        survey,
        backend,
        &options,
        &theme,
    )
}

type Term = Terminal<CrosstermBackend<WipedOutput>>;

/// `systemctl stop` sends SIGTERM, a closed terminal SIGHUP, `kill -INT` SIGINT (the keyboard's
/// Ctrl-C sends nothing in raw mode): on any of them restore the terminal, note it in the staff
/// log and leave, as on a normal exit. Answers in memory are dropped, so nothing partial is saved.
/// Speech stops too: espeak-ng is a process of its own, which would finish its sentence (up to
/// half a minute) after the kiosk had gone.
fn restore_on_signals(log_file: PathBuf, silencer: Silencer) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            silencer.silence();
            restore(Modes::TOUCH);
            log(&log_file, &format!("kiosk stopped by signal {signal}"));
            std::process::exit(128 + signal);
        }
    });
    Ok(())
}

fn event_loop(
    terminal: &mut Term,
    input: &mut TermInput,
    mut voice: Voice,
    survey: Survey,
    backend: &mut dyn Backend,
    options: &RunOptions,
    theme: &Theme,
) -> anyhow::Result<()> {
    let config = Config {
        idle_timeout: options.idle_timeout,
        needs_setup: backend.needs_setup(),
    };
    let mut model = Model::new(survey, config, Instant::now()).with_speech(options.speech);
    let mut today = Local::now().date_naive();
    update(&mut model, Msg::NewDay(today));
    if let Some(left) = backend.pin_locked_for() {
        update(&mut model, Msg::PinLocked(left, Instant::now()));
    }
    log(&options.log_file, "kiosk started");
    if let Some(u) = model.speech().then(|| spoken::utterance(&model)).flatten() {
        voice.say(u);
    }
    // Checked once at start (after the first frame, which must not wait for a disk sync).
    let mut check_saving = !config.needs_setup;
    let mut clear = true;
    loop {
        if clear {
            full_clear(terminal)?;
            clear = false;
        }
        draw(terminal, &model, theme)?;
        if std::mem::take(&mut check_saving) {
            let checked = backend.check_saving().map_err(reason);
            for effect in update(&mut model, Msg::SavingChecked(checked, Local::now().time())) {
                if let Effect::Log(line) = effect {
                    log(&options.log_file, &line);
                }
            }
        }
        let now = Instant::now();
        let timeout = model
            .next_deadline()
            .map_or(MAX_WAIT, |d| d.saturating_duration_since(now))
            .min(MAX_WAIT);
        let mut events = match input.wait(timeout) {
            Ok(events) => events,
            Err(e) if is_hangup(&e) => {
                // A closed terminal also sends SIGHUP, whose handler logs and exits; give it the
                // moment it needs, so the stop is logged once and the exit code is the same.
                std::thread::sleep(HANGUP_GRACE);
                log(&options.log_file, "kiosk stopped: the terminal closed");
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        let mut first = VecDeque::new();
        if events.is_empty() {
            first.push_back(Msg::Tick(Instant::now()));
        }
        let day = Local::now().date_naive();
        if day != today {
            today = day;
            backend.new_day(day);
            first.push_back(Msg::NewDay(day));
        }
        let mut loop_state = Loop {
            terminal,
            model: &mut model,
            backend,
            options,
            theme,
            clear: &mut clear,
            voice: &mut voice,
        };
        loop_state.settle(first)?;
        // Each event is mapped against the screen as the events before it left it.
        for event in &events {
            if loop_state.model.should_quit() {
                break;
            }
            let size = loop_state.terminal.size()?;
            let area = Rect::new(0, 0, size.width, size.height);
            let msg = to_msg(event, loop_state.model, area, Instant::now());
            loop_state.settle(msg.into_iter().collect())?;
        }
        // The model keeps its own copy of pasted text, wiped when it goes.
        for event in &mut events {
            if let Event::Paste(pasted) = event {
                pasted.zeroize();
            }
        }
        if model.should_quit() {
            return Ok(());
        }
    }
}

/// A backend error in the words the model keeps for the staff log and the staff menu: the error
/// and its causes, each once.
fn reason(e: BackendError) -> String {
    crate::errors::message(&e)
}

/// What carrying out the model's effects needs, for one turn of the loop.
struct Loop<'a> {
    terminal: &'a mut Term,
    model: &'a mut Model,
    backend: &'a mut dyn Backend,
    options: &'a RunOptions,
    theme: &'a Theme,
    clear: &'a mut bool,
    voice: &'a mut Voice,
}

impl Loop<'_> {
    /// Update the model with `queue` and every message its effects bring, until none is left.
    /// The queue is dropped (and its memory wiped) at the end, so it keeps no old keys.
    fn settle(&mut self, mut queue: VecDeque<Msg>) -> anyhow::Result<()> {
        while let Some(msg) = queue.pop_front() {
            for effect in update(self.model, msg) {
                match effect {
                    Effect::Submit(mut response) => {
                        draw(self.terminal, self.model, self.theme)?;
                        let result = self.backend.submit(&response).map_err(reason);
                        if let Some(c) = response.comment.as_mut() {
                            c.zeroize();
                        }
                        queue.push_back(Msg::Submitted(result, Instant::now()));
                    }
                    Effect::CheckPin(pin) => {
                        let result = self.backend.check_exit_pin(&pin).map_err(reason);
                        queue.push_back(Msg::PinChecked(result, Instant::now()));
                    }
                    Effect::CheckSaving => {
                        let result = self.backend.check_saving().map_err(reason);
                        queue.push_back(Msg::SavingChecked(result, Local::now().time()));
                    }
                    Effect::Setup {
                        site,
                        passphrase,
                        pin,
                    } => {
                        draw(self.terminal, self.model, self.theme)?;
                        let result = self.backend.setup(&site, &passphrase, &pin).map_err(reason);
                        if result.is_ok() {
                            // Set-up is only offered when `run` left the memory unlocked.
                            for problem in harden::lock().problems {
                                log(&self.options.log_file, &problem);
                            }
                        }
                        queue.push_back(Msg::SetupDone(result, Instant::now()));
                    }
                    Effect::Log(line) => log(&self.options.log_file, &line),
                    Effect::ClearScreen => *self.clear = true,
                    Effect::Speak(utterance) => self.voice.say(utterance),
                    Effect::Hush => self.voice.hush(),
                    Effect::SaveSettings(settings) => {
                        if let Err(e) = settings::save(&self.options.settings_file, &settings) {
                            log(&self.options.log_file, &e.to_string());
                        }
                    }
                    Effect::Quit => {}
                }
            }
        }
        Ok(())
    }
}

/// The speech engine, started the first time something is to be said, so a kiosk without speech
/// never starts it. Speaking only hands the words to the engine's own thread: it never delays
/// input or drawing.
struct Voice {
    speaker: Option<Speaker>,
    /// Starting the engine's thread failed once (and was logged): do not try again.
    broken: bool,
    output: Output,
    log_file: PathBuf,
    silencer: Silencer,
}

impl Voice {
    fn new(options: &RunOptions, silencer: Silencer) -> Voice {
        Voice {
            speaker: None,
            broken: false,
            output: options.speech_output.clone(),
            log_file: options.log_file.clone(),
            silencer,
        }
    }

    fn say(&mut self, utterance: Utterance) {
        if self.speaker.is_none() && !self.broken {
            let log_file = self.log_file.clone();
            let notes = Box::new(move |note: Note| log(&log_file, &note.to_string()));
            let silencer = self.silencer.clone();
            match Speaker::start(Engine::from_env(), self.output.clone(), notes, silencer) {
                Ok(s) => self.speaker = Some(s),
                Err(e) => {
                    self.broken = true;
                    let line = format!("speech: cannot start: {e}; going on without it");
                    log(&self.log_file, &line);
                    return;
                }
            }
        }
        if let Some(s) = &self.speaker {
            s.say(utterance);
        }
    }

    fn hush(&self) {
        if let Some(s) = &self.speaker {
            s.hush();
        }
    }
}

/// Blank the whole screen so nothing of an earlier patient's answers can remain.
///
/// `Terminal::clear` would ask the terminal for the cursor position and fail on terminals that
/// do not answer; clearing directly and then drawing an empty frame resets ratatui's record of
/// what is on screen just the same, so the next frame is drawn in full.
fn full_clear(terminal: &mut Term) -> anyhow::Result<()> {
    execute!(terminal.backend_mut(), Clear(ClearType::All))?;
    terminal.draw(|_| {})?;
    Ok(())
}

fn draw(terminal: &mut Term, model: &Model, theme: &Theme) -> anyhow::Result<()> {
    terminal.draw(|frame| frame.render_widget(Kiosk { model, theme }, frame.area()))?;
    Ok(())
}

/// Append one dated line to the staff log. A log that cannot be written must not stop the
/// kiosk, so failures are dropped (there is nowhere on a patient's screen to report them).
pub fn log(file: &Path, line: &str) {
    use std::os::unix::fs::OpenOptionsExt;
    let stamp = Local::now().format("%Y-%m-%d %H:%M:%S");
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Private like the rest of the data folder (the log may be the first thing written).
        let _ = crate::fsio::Fs::create_dir_all(&crate::fsio::RealFs, dir);
    }
    // Never through a symbolic link, never blocked by a FIFO put in its place.
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(file)
        .and_then(|mut f| writeln!(f, "{stamp} {line}"));
    drop(written);
}
