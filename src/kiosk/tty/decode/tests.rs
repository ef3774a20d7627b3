//! The decoder against the sequences terminals send, fed whole and one byte at a time.

use super::*;

fn events(bytes: &[u8]) -> Vec<Event> {
    let mut whole = Vec::new();
    let mut d = Decoder::default();
    d.feed(bytes, &mut whole);
    d.timeout(&mut whole);
    // The same bytes one at a time, as a slow link delivers them, mean the same.
    let mut split = Vec::new();
    let mut d = Decoder::default();
    for b in bytes {
        d.feed(std::slice::from_ref(b), &mut split);
    }
    d.timeout(&mut split);
    assert_eq!(whole, split, "{bytes:?}");
    whole
}

fn k(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn km(code: KeyCode, m: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, m))
}

#[test]
fn plain_keys_and_text() {
    assert_eq!(
        events("aZ é😀\r\t\x7f".as_bytes()),
        vec![
            k(KeyCode::Char('a')),
            km(KeyCode::Char('Z'), KeyModifiers::SHIFT),
            k(KeyCode::Char(' ')),
            k(KeyCode::Char('é')),
            k(KeyCode::Char('😀')),
            k(KeyCode::Enter),
            k(KeyCode::Tab),
            k(KeyCode::Backspace),
        ]
    );
}

#[test]
fn control_keys_carry_the_control_modifier() {
    let ctrl = |c| km(KeyCode::Char(c), KeyModifiers::CONTROL);
    assert_eq!(
        events(b"\x03\x1a\x1c\x04\x13\x11\x00"),
        vec![
            ctrl('c'),
            ctrl('z'),
            ctrl('4'),
            ctrl('d'),
            ctrl('s'),
            ctrl('q'),
            ctrl(' ')
        ]
    );
}

#[test]
fn cursor_and_function_keys_in_every_dialect() {
    assert_eq!(
        events(b"\x1b[A\x1b[B\x1b[C\x1b[D\x1bOA\x1bOD\x1b[H\x1b[F\x1b[Z"),
        vec![
            k(KeyCode::Up),
            k(KeyCode::Down),
            k(KeyCode::Right),
            k(KeyCode::Left),
            k(KeyCode::Up),
            k(KeyCode::Left),
            k(KeyCode::Home),
            k(KeyCode::End),
            km(KeyCode::BackTab, KeyModifiers::SHIFT),
        ]
    );
    assert_eq!(
        events(b"\x1b[21~\x1bOP\x1b[[A\x1b[[E\x1b[24~\x1b[3~\x1b[5~"),
        vec![
            k(KeyCode::F(10)),
            k(KeyCode::F(1)),
            k(KeyCode::F(1)),
            k(KeyCode::F(5)),
            k(KeyCode::F(12)),
            k(KeyCode::Delete),
            k(KeyCode::PageUp),
        ]
    );
    assert_eq!(
        events(b"\x1b[1;5C\x1b[21;2~"),
        vec![
            km(KeyCode::Right, KeyModifiers::CONTROL),
            km(KeyCode::F(10), KeyModifiers::SHIFT),
        ]
    );
}

#[test]
fn a_lone_esc_is_the_esc_key_and_esc_then_a_key_is_alt() {
    assert_eq!(events(b"\x1b"), vec![k(KeyCode::Esc)]);
    assert_eq!(events(b"\x1b\x1b"), vec![k(KeyCode::Esc)]);
    assert_eq!(
        events(b"\x1bx"),
        vec![km(KeyCode::Char('x'), KeyModifiers::ALT)]
    );
    let mut d = Decoder::default();
    let mut out = Vec::new();
    d.feed(b"\x1b", &mut out);
    assert!(out.is_empty() && d.escape_pending(), "waits for more");
    d.feed(b"[C", &mut out);
    assert_eq!(out, vec![k(KeyCode::Right)]);
    assert!(!d.escape_pending());
}

#[test]
fn mouse_reports_sgr_rxvt_and_x10() {
    let at = |kind, column, row| {
        Event::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    assert_eq!(
        events(b"\x1b[<0;10;5M\x1b[<0;10;5m\x1b[<64;1;1M\x1b[<35;3;4M"),
        vec![
            at(MouseEventKind::Down(MouseButton::Left), 9, 4),
            at(MouseEventKind::Up(MouseButton::Left), 9, 4),
            at(MouseEventKind::ScrollUp, 0, 0),
            at(MouseEventKind::Moved, 2, 3),
        ]
    );
    assert_eq!(
        events(b"\x1b[32;10;5M\x1b[M *%"),
        vec![
            at(MouseEventKind::Down(MouseButton::Left), 9, 4),
            at(MouseEventKind::Down(MouseButton::Left), 9, 4),
        ]
    );
}

#[test]
fn a_bracketed_paste_is_one_event_with_its_control_characters() {
    assert_eq!(
        events(b"a\x1b[200~two\r\nlines\x1b[C\x1b[201~b"),
        vec![
            k(KeyCode::Char('a')),
            Event::Paste("two\r\nlines\x1b[C".to_string()),
            k(KeyCode::Char('b')),
        ]
    );
}

#[test]
fn a_paste_longer_than_the_buffer_keeps_what_fits_and_still_ends() {
    let mut bytes = b"\x1b[200~".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', MAX_PASTE + 100));
    bytes.extend(b"\x1b[201~y");
    let mut out = Vec::new();
    Decoder::default().feed(&bytes, &mut out);
    assert_eq!(out.len(), 2);
    match &out[0] {
        Event::Paste(p) => assert_eq!(p.len(), MAX_PASTE),
        e => panic!("{e:?}"),
    }
    assert_eq!(out[1], k(KeyCode::Char('y')));
}

#[test]
fn replies_and_unknown_sequences_are_dropped_and_typing_goes_on() {
    assert_eq!(
        events(b"\x1b[?1;2c\x1b[12;40R\x1b[99~\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15qa\xffb"),
        vec![k(KeyCode::Char('a')), k(KeyCode::Char('b'))]
    );
    // A broken sequence is forgotten; what follows it still decodes.
    assert_eq!(events(b"\x1b[1\x01x"), vec![k(KeyCode::Char('x'))]);
}

#[test]
fn nothing_typed_stays_in_the_decoder() {
    let mut d = Decoder::default();
    let mut out = Vec::new();
    d.feed("Zażółć\x1b[200~secret\x1b[201~\x1b[".as_bytes(), &mut out);
    d.timeout(&mut out);
    assert_eq!(d.held, [0; MAX_SEQUENCE]);
    assert_eq!(d.tail, [0; 6]);
    assert!(d.paste.is_none());
}

proptest::proptest! {
    /// Any bytes, cut anywhere: no panic, the same events as whole, and (outside a paste)
    /// nothing held once the Esc wait is over.
    #[test]
    fn any_bytes_decode_the_same_whole_or_cut(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
        cut in 0usize..200,
    ) {
        let cut = cut.min(bytes.len());
        let mut whole = Vec::new();
        let mut d = Decoder::default();
        d.feed(&bytes, &mut whole);
        d.timeout(&mut whole);
        let mut split = Vec::new();
        let mut e = Decoder::default();
        e.feed(&bytes[..cut], &mut split);
        e.feed(&bytes[cut..], &mut split);
        e.timeout(&mut split);
        proptest::prop_assert_eq!(&whole, &split);
        if e.paste.is_none() {
            proptest::prop_assert_eq!(e.len, 0);
            proptest::prop_assert!(e.held.iter().all(|&b| b == 0));
        }
    }
}
