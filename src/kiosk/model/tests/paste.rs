//! Pasted text (bracketed paste): it fills the comment and never answers, moves on or sends.

use super::Kiosk;
use crate::kiosk::model::*;

fn paste(k: &mut Kiosk, text: &str) {
    let now = k.now;
    k.send(Msg::Paste(text.into(), now));
}

#[test]
fn a_pasted_newline_never_sends_and_the_text_stays_within_the_limit() {
    let mut k = Kiosk::tiny();
    k.answer_to_the_comment();
    assert_eq!(k.m.screen(), &Screen::Comment);
    k.take();
    paste(&mut k, "ab\r\ncd\n\n\te\u{1b}[2Jfgh\u{7}ijkl");
    assert_eq!(k.m.screen(), &Screen::Comment, "still typing");
    assert!(k.take().is_empty(), "nothing sent");
    // Line breaks and tabs become one space, control characters go, 10 characters at most.
    assert_eq!(k.m.comment(), "ab cd e[2J");
    paste(&mut k, "more");
    assert_eq!(k.m.comment(), "ab cd e[2J", "full");
}

#[test]
fn a_paste_outside_the_comment_does_nothing() {
    let mut k = Kiosk::tiny();
    paste(&mut k, "2\n");
    assert_eq!(k.m.screen(), &Screen::Welcome);
    k.key(Key::Enter).key(Key::Enter);
    paste(&mut k, "3\r\n");
    assert_eq!(k.m.screen(), &Screen::Question(0));
    assert_eq!(k.m.answer(0), None);
    k.key(Key::Staff);
    paste(&mut k, "1234\n");
    assert!(matches!(
        k.m.overlay(),
        Some(Overlay::StaffPin { entry, .. }) if entry.is_empty()
    ));
}
