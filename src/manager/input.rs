//! Terminal events to screen keys: releases and Ctrl/Alt combinations are ignored, except Ctrl-C,
//! which quits like `q` (the manager's screen, unlike the kiosk, belongs to the person at it).

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::model::Key;

/// The key for a terminal event, or `None` when the screen ignores it (resizes just redraw).
pub fn to_key(event: &Event) -> Option<Key> {
    match event {
        Event::Key(key) => key_of(key),
        _ => None,
    }
}

fn key_of(key: &KeyEvent) -> Option<Key> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, KeyCode::Char('c' | 'C')).then_some(Key::Char('q'));
    }
    if key
        .modifiers
        .intersects(KeyModifiers::ALT | KeyModifiers::SUPER | KeyModifiers::META)
    {
        return None;
    }
    Some(match key.code {
        KeyCode::Char(c) if c.is_control() => return None,
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc | KeyCode::Backspace => Key::Esc,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> Event {
        Event::Key(KeyEvent::new(code, modifiers))
    }

    #[test]
    fn ctrl_c_quits_and_other_ctrl_keys_do_nothing() {
        assert_eq!(
            to_key(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Key::Char('q'))
        );
        assert_eq!(to_key(&ev(KeyCode::Char('p'), KeyModifiers::CONTROL)), None);
        assert_eq!(
            to_key(&ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Key::BackTab)
        );
        assert_eq!(to_key(&Event::Resize(80, 24)), None);
    }
}
