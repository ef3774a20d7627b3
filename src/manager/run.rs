//! The event loop: sets the terminal up (and always restores it, also on a panic), draws, waits for
//! a key, and builds new figures with the loader it was given when a filter changes.

use std::io::{Stdout, stdout};
use std::time::Duration;

use anyhow::Context;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event;

use super::data::{Data, Filter};
use super::input::to_key;
use super::model::{Effect, Model, Msg, update};
use super::view::Screen;
use crate::tui::Theme;
use crate::tui::terminal::{Modes, TerminalGuard};

/// Longest the loop waits for input before drawing again (a resize also wakes it).
const WAIT: Duration = Duration::from_millis(500);

/// Show `data` (built for `filter`) until the manager quits; `load` builds the figures for a new
/// filter, or says why it cannot.
pub fn run(
    data: Data,
    filter: Filter,
    load: &mut dyn FnMut(&Filter) -> Result<Data, String>,
) -> anyhow::Result<()> {
    let theme = Theme::from_env();
    let mut guard = TerminalGuard::enter(stdout(), Modes::PLAIN)
        .context("cannot set up the terminal for the summary")?;
    event_loop(guard.terminal(), Model::new(data, filter), load, &theme)
}

type Term = Terminal<CrosstermBackend<Stdout>>;

fn event_loop(
    terminal: &mut Term,
    mut model: Model,
    load: &mut dyn FnMut(&Filter) -> Result<Data, String>,
    theme: &Theme,
) -> anyhow::Result<()> {
    loop {
        draw(terminal, &model, theme)?;
        if !event::poll(WAIT)? {
            continue;
        }
        let Some(key) = to_key(&event::read()?) else {
            continue;
        };
        let mut next = Some(Msg::Key(key));
        while let Some(msg) = next.take() {
            if let Some(Effect::Load(filter)) = update(&mut model, msg) {
                // Show "working out the figures" while the store is read again.
                draw(terminal, &model, theme)?;
                next = Some(Msg::Loaded(load(&filter).map(Box::new)));
            }
        }
        if model.should_quit() {
            return Ok(());
        }
    }
}

fn draw(terminal: &mut Term, model: &Model, theme: &Theme) -> anyhow::Result<()> {
    terminal.draw(|frame| frame.render_widget(Screen { model, theme }, frame.area()))?;
    Ok(())
}
