//! Colours and styles: a calm high-contrast theme, and a monochrome one for `NO_COLOR`.
//!
//! Nothing is told by colour alone: the chosen answer also carries a tick and words, the focused
//! button an arrow, so the monochrome theme loses no meaning.

use ratatui::style::{Color, Modifier, Style};

/// The styles every screen is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub base: Style,
    pub heading: Style,
    pub strong: Style,
    pub quiet: Style,
    pub notice: Style,
    pub button: Style,
    pub focused: Style,
    pub chosen: Style,
    pub field: Style,
    pub bar_done: Style,
    pub bar_todo: Style,
}

impl Theme {
    /// Light text on a dark blue-black ground, with a calm teal for what matters.
    pub const COLOR: Theme = Theme {
        base: Style::new().fg(Color::White).bg(Color::Black),
        heading: Style::new()
            .fg(Color::White)
            .bg(Color::Black)
            .add_modifier(Modifier::BOLD),
        strong: Style::new()
            .fg(Color::LightCyan)
            .bg(Color::Black)
            .add_modifier(Modifier::BOLD),
        quiet: Style::new().fg(Color::Gray).bg(Color::Black),
        notice: Style::new()
            .fg(Color::LightYellow)
            .bg(Color::Black)
            .add_modifier(Modifier::BOLD),
        button: Style::new().fg(Color::White).bg(Color::DarkGray),
        focused: Style::new()
            .fg(Color::Black)
            .bg(Color::LightYellow)
            .add_modifier(Modifier::BOLD),
        chosen: Style::new()
            .fg(Color::Black)
            .bg(Color::LightCyan)
            .add_modifier(Modifier::BOLD),
        field: Style::new().fg(Color::White).bg(Color::Black),
        bar_done: Style::new().fg(Color::LightCyan).bg(Color::Black),
        bar_todo: Style::new().fg(Color::DarkGray).bg(Color::Black),
    };

    /// No colours at all: bold, reversed and underline only.
    pub const MONO: Theme = Theme {
        base: Style::new(),
        heading: Style::new().add_modifier(Modifier::BOLD),
        strong: Style::new().add_modifier(Modifier::BOLD),
        quiet: Style::new(),
        notice: Style::new().add_modifier(Modifier::BOLD),
        button: Style::new(),
        focused: Style::new().add_modifier(Modifier::BOLD.union(Modifier::UNDERLINED)),
        chosen: Style::new().add_modifier(Modifier::BOLD.union(Modifier::REVERSED)),
        field: Style::new(),
        bar_done: Style::new().add_modifier(Modifier::BOLD),
        bar_todo: Style::new(),
    };

    /// The monochrome theme when `NO_COLOR` is set to anything non-empty (no-color.org).
    pub fn from_env() -> Theme {
        Self::for_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// The theme for a given value of `NO_COLOR`.
    pub fn for_no_color(value: Option<&std::ffi::OsStr>) -> Theme {
        match value {
            Some(v) if !v.is_empty() => Theme::MONO,
            _ => Theme::COLOR,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_selects_the_monochrome_theme() {
        use std::ffi::OsStr;
        assert_eq!(Theme::for_no_color(Some(OsStr::new("1"))), Theme::MONO);
        assert_eq!(Theme::for_no_color(Some(OsStr::new(""))), Theme::COLOR);
        assert_eq!(Theme::for_no_color(None), Theme::COLOR);
    }
}
