//! Terminal events to kiosk messages: keys (Ctrl and Alt combinations ignored, so Ctrl-C, Ctrl-Z,
//! Ctrl-\, Ctrl-D, Ctrl-S and Ctrl-Q do nothing), taps mapped to the button drawn there, and
//! pasted text as one message.

use std::time::Instant;

use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use ratatui::layout::Rect;

use super::model::{Key, Model, Msg};
use super::page::page;
use super::secret::Secret;
use super::view::layout::{hit, place};
use crate::tui::layout::too_small;

/// The message for a terminal event, or `None` when the kiosk ignores it.
pub fn to_msg(event: &Event, model: &Model, area: Rect, now: Instant) -> Option<Msg> {
    match event {
        Event::Key(key) => to_key(key).map(|k| Msg::Key(k, now)),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                Some(tap(model, area, mouse.column, mouse.row, now))
            }
            _ => None,
        },
        Event::Resize(..) => Some(Msg::Resize),
        // Bracketed paste: the whole pasted text at once, so its line breaks never press Enter.
        Event::Paste(text) => Some(Msg::Paste(Secret::from(text.as_str()), now)),
        _ => None,
    }
}

/// The kiosk key for a key event; `None` for releases and any Ctrl, Alt or Super combination.
pub fn to_key(key: &KeyEvent) -> Option<Key> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let locked = KeyModifiers::CONTROL
        | KeyModifiers::ALT
        | KeyModifiers::SUPER
        | KeyModifiers::HYPER
        | KeyModifiers::META;
    if key.modifiers.intersects(locked) {
        return None;
    }
    Some(match key.code {
        KeyCode::Char(c) if c.is_control() => return None,
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Esc => Key::Esc,
        KeyCode::F(10) => Key::Staff,
        _ => Key::Other,
    })
}

/// A tap at (`col`, `row`): the button drawn there, or a tap on nothing.
pub fn tap(model: &Model, area: Rect, col: u16, row: u16, now: Instant) -> Msg {
    if too_small(area) {
        return Msg::Tap(now);
    }
    let page = page(model);
    let placed = place(&page, area);
    match hit(&page, &placed, col, row) {
        Some(button) => Msg::Press(button, now),
        None => Msg::Tap(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kiosk::model::Button;
    use crate::kiosk::view::tests::{draw, icare, row_of};
    use crate::tui::Theme;

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn ctrl_keys_that_would_stop_or_freeze_a_terminal_are_ignored() {
        for c in ['c', 'z', '\\', 'd', 's', 'q', '4'] {
            assert_eq!(to_key(&ctrl(c)), None, "Ctrl-{c}");
        }
        let alt_f4 = KeyEvent::new(KeyCode::F(4), KeyModifiers::ALT);
        assert_eq!(to_key(&alt_f4), None);
    }

    #[test]
    fn plain_keys_and_f10_are_passed_on() {
        let k = |code| to_key(&KeyEvent::new(code, KeyModifiers::NONE));
        assert_eq!(k(KeyCode::Char('3')), Some(Key::Char('3')));
        assert_eq!(k(KeyCode::F(10)), Some(Key::Staff));
        assert_eq!(k(KeyCode::Enter), Some(Key::Enter));
        let shifted = KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT);
        assert_eq!(to_key(&shifted), Some(Key::Char('A')));
    }

    #[test]
    fn a_tap_lands_on_the_button_drawn_there() {
        let mut k = icare();
        k.key(Key::Enter).key(Key::Enter);
        for (w, h) in [(60, 20), (80, 24), (120, 40)] {
            let buf = draw(&k.m, &Theme::COLOR, w, h);
            let y = row_of(&buf, "3  Not sure");
            let line: String = (0..w).map(|x| buf[(x, y)].symbol()).collect();
            let x = line.find("Not sure").unwrap() as u16;
            let now = k.now;
            assert_eq!(
                tap(&k.m, buf.area, x, y, now),
                Msg::Press(Button::Choice(2), now),
                "{w}x{h}"
            );
            let y = row_of(&buf, "Next");
            let line: String = (0..w).map(|x| buf[(x, y)].symbol()).collect();
            let x = line.find("Next").unwrap() as u16;
            assert_eq!(
                tap(&k.m, buf.area, x, y, now),
                Msg::Press(Button::Next, now)
            );
            assert_eq!(tap(&k.m, buf.area, 0, 0, now), Msg::Tap(now));
        }
    }
}
