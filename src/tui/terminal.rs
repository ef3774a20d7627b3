//! The terminal set up for a full-screen program and always put back: raw mode, the alternate
//! screen and (for the kiosk) mouse capture and bracketed paste on while a [`TerminalGuard`]
//! lives; all off again when it is dropped, on a panic, and through [`restore`] from a signal
//! handler.
//!
//! The guard draws through whatever writer it is given: the kiosk gives it its own wiped output
//! buffer ([`crate::kiosk::tty::WipedOutput`]), so no copy of a patient's words stays in a
//! buffer; the manager's screen gives it standard output. The mode switches themselves (escape
//! sequences with no text in them) go to standard output directly.

use std::io::{self, Write, stdout};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

/// What a screen turns on besides raw mode and the alternate screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Modes {
    /// Taps and clicks reported as events.
    pub mouse: bool,
    /// Pasted text delivered as one event (bracketed paste), never as typed keys.
    pub paste: bool,
}

impl Modes {
    /// Raw mode and the alternate screen only (the manager's screen).
    pub const PLAIN: Modes = Modes {
        mouse: false,
        paste: false,
    };
    /// With taps and bracketed paste (the kiosk).
    pub const TOUCH: Modes = Modes {
        mouse: true,
        paste: true,
    };
}

/// A terminal set up for drawing full screen, drawn through `W`; put back as it was when dropped.
pub struct TerminalGuard<W: Write> {
    terminal: Terminal<CrosstermBackend<W>>,
    modes: Modes,
}

impl<W: Write> TerminalGuard<W> {
    /// Set the terminal up with `modes` and draw through `out`. From here until the guard is
    /// dropped, a panic also puts the terminal back before its message is printed.
    pub fn enter(out: W, modes: Modes) -> io::Result<TerminalGuard<W>> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore(modes);
            previous(info);
        }));
        enable_raw_mode()?;
        execute!(stdout(), EnterAlternateScreen)?;
        if modes.mouse {
            execute!(stdout(), EnableMouseCapture)?;
        }
        if modes.paste {
            execute!(stdout(), EnableBracketedPaste)?;
        }
        let terminal = match Terminal::new(CrosstermBackend::new(out)) {
            Ok(t) => t,
            Err(e) => {
                restore(modes);
                return Err(e);
            }
        };
        Ok(TerminalGuard { terminal, modes })
    }

    /// The terminal to draw on.
    pub fn terminal(&mut self) -> &mut Terminal<CrosstermBackend<W>> {
        &mut self.terminal
    }
}

impl<W: Write> Drop for TerminalGuard<W> {
    fn drop(&mut self) {
        // The last frame reaches the screen before the screen is switched back.
        let _ = self.terminal.backend_mut().flush();
        restore(self.modes);
    }
}

/// Put the terminal back as it was before [`TerminalGuard::enter`] with `modes`; safe to call more
/// than once, and from any thread (a signal handler's).
pub fn restore(modes: Modes) {
    let _ = disable_raw_mode();
    if modes.paste {
        let _ = execute!(stdout(), DisableBracketedPaste);
    }
    if modes.mouse {
        let _ = execute!(stdout(), DisableMouseCapture);
    }
    let _ = execute!(stdout(), LeaveAlternateScreen, Show);
}
