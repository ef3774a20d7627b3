//! The event loop: sets the terminal up (and always restores it, also on a panic), draws, waits
//! for input with the next deadline as timeout, and carries out the model's effects.

use std::collections::VecDeque;
use std::io::{Stdout, Write, stdout};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Local;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::layout::Rect;
use zeroize::Zeroize;

use super::backend::Backend;
use super::input::to_msg;
use super::model::{Config, Effect, Model, Msg, update};
use super::theme::Theme;
use super::view::Kiosk;
use crate::survey::Survey;

/// Longest the loop sleeps without input, so a new day is noticed.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// How to run the kiosk.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Quiet time before "Are you still there?".
    pub idle_timeout: Duration,
    /// The staff log (`kiosk.log` in the data folder).
    pub log_file: PathBuf,
}

/// Run the kiosk on this terminal until staff quit from the staff menu.
pub fn run(survey: Survey, backend: &mut dyn Backend, options: RunOptions) -> anyhow::Result<()> {
    let theme = Theme::from_env();
    let mut terminal = setup_terminal().context("cannot set up the terminal for the kiosk")?;
    restore_on_signals(options.log_file.clone())
        .context("cannot install the kiosk's handler for stop signals")?;
    let result = event_loop(&mut terminal, survey, backend, &options, &theme);
    restore_terminal();
    result
}

type Term = Terminal<CrosstermBackend<Stdout>>;

fn setup_terminal() -> anyhow::Result<Term> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    Ok(Terminal::new(CrosstermBackend::new(stdout()))?)
}

/// Put the terminal back as it was; safe to call more than once.
/// `systemctl stop` sends SIGTERM, a closed terminal SIGHUP, `kill -INT` SIGINT (the keyboard's
/// Ctrl-C sends nothing in raw mode): on any of them restore the terminal, note it in the staff
/// log and leave, as on a normal exit. Answers in memory are dropped, so nothing partial is saved.
fn restore_on_signals(log_file: PathBuf) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            restore_terminal();
            log(&log_file, &format!("kiosk stopped by signal {signal}"));
            std::process::exit(128 + signal);
        }
    });
    Ok(())
}

fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), DisableMouseCapture, LeaveAlternateScreen, Show);
}

fn event_loop(
    terminal: &mut Term,
    survey: Survey,
    backend: &mut dyn Backend,
    options: &RunOptions,
    theme: &Theme,
) -> anyhow::Result<()> {
    let config = Config {
        idle_timeout: options.idle_timeout,
        needs_setup: backend.needs_setup(),
    };
    let mut model = Model::new(survey, config, Instant::now());
    let mut today = Local::now().date_naive();
    update(&mut model, Msg::NewDay(today));
    log(&options.log_file, "kiosk started");
    let mut queue = VecDeque::new();
    let mut clear = true;
    loop {
        if clear {
            full_clear(terminal)?;
            clear = false;
        }
        draw(terminal, &model, theme)?;
        let now = Instant::now();
        let timeout = model
            .next_deadline()
            .map_or(MAX_WAIT, |d| d.saturating_duration_since(now))
            .min(MAX_WAIT);
        if event::poll(timeout)? {
            let event = event::read()?;
            let size = terminal.size()?;
            let area = Rect::new(0, 0, size.width, size.height);
            queue.extend(to_msg(&event, &model, area, Instant::now()));
        } else {
            queue.push_back(Msg::Tick(Instant::now()));
        }
        let day = Local::now().date_naive();
        if day != today {
            today = day;
            backend.new_day(day);
            queue.push_back(Msg::NewDay(day));
        }
        while let Some(msg) = queue.pop_front() {
            for effect in update(&mut model, msg) {
                match effect {
                    Effect::Submit(mut response) => {
                        draw(terminal, &model, theme)?;
                        let result = backend.submit(&response);
                        if let Some(c) = response.comment.as_mut() {
                            c.zeroize();
                        }
                        queue.push_back(Msg::Submitted(result, Instant::now()));
                    }
                    Effect::CheckPin(pin) => {
                        let result = backend.check_exit_pin(&pin);
                        queue.push_back(Msg::PinChecked(result, Instant::now()));
                    }
                    Effect::Setup {
                        site,
                        passphrase,
                        pin,
                    } => {
                        draw(terminal, &model, theme)?;
                        let result = backend.setup(&site, &passphrase, &pin);
                        queue.push_back(Msg::SetupDone(result, Instant::now()));
                    }
                    Effect::Log(line) => log(&options.log_file, &line),
                    Effect::ClearScreen => clear = true,
                    Effect::Quit => {}
                }
            }
        }
        if model.should_quit() {
            return Ok(());
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
