//! Terminal input bytes to key, mouse and paste events, with every byte of a patient's typing
//! wiped once it has been decoded.
//!
//! The kiosk decodes its input itself instead of through crossterm's reader because that reader
//! keeps its last 128 events in a ring buffer for the life of the process: the end-to-end memory
//! test found a whole typed comment there, one character every 24 bytes, after the thank-you
//! screen. Here an incomplete sequence is held in a small fixed buffer that is zeroed as soon as
//! it is decoded, and events go straight to the caller. The events are crossterm's types, decoded
//! as crossterm decodes them (xterm, rxvt and Linux console key sequences; SGR, rxvt and X10
//! mouse reports; bracketed paste), so the rest of the kiosk is unchanged.

use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use zeroize::{Zeroize, Zeroizing};

/// Longest escape sequence kept while waiting for its end; anything longer is dropped.
const MAX_SEQUENCE: usize = 32;
/// Most bytes of one paste kept (more than the longest comment a survey may allow, in UTF-8).
pub const MAX_PASTE: usize = 64 * 1024;
const PASTE_END: &[u8] = b"\x1b[201~";

/// What the bytes held so far make.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// The start of a sequence: wait for more bytes.
    More,
    /// Not a sequence this decoder knows: forget the bytes.
    Drop,
    /// A complete sequence, and the event it means (none for replies the kiosk ignores).
    Done(Option<Event>),
    /// `ESC [ 200 ~`: the bytes that follow are pasted text, up to `ESC [ 201 ~`.
    PasteStart,
}

/// Decodes a stream of terminal input bytes that may arrive in any pieces.
#[derive(Default)]
pub struct Decoder {
    held: [u8; MAX_SEQUENCE],
    len: usize,
    paste: Option<Zeroizing<Vec<u8>>>,
    /// Inside an escape sequence too long to keep: skip to its final byte.
    skipping: bool,
    /// The last bytes of a paste, to find its end even after [`MAX_PASTE`] is reached.
    tail: [u8; 6],
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Decoder({} bytes held)", self.len)
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        self.held.zeroize();
        self.tail.zeroize();
    }
}

impl Decoder {
    /// Decode `bytes`, appending the events they complete to `out`.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<Event>) {
        for &b in bytes {
            if self.paste.is_some() {
                self.paste_byte(b, out);
                continue;
            }
            if self.skipping {
                self.skipping = !(0x40..=0x7e).contains(&b);
                continue;
            }
            if self.len == MAX_SEQUENCE {
                self.skipping = self.held.starts_with(b"\x1b[");
                self.clear();
                if self.skipping {
                    self.skipping = !(0x40..=0x7e).contains(&b);
                    continue;
                }
            }
            self.held[self.len] = b;
            self.len += 1;
            match parse(&self.held[..self.len]) {
                Step::More => {}
                Step::Drop => self.clear(),
                Step::Done(event) => {
                    self.clear();
                    out.extend(event);
                }
                Step::PasteStart => {
                    self.clear();
                    self.paste = Some(Zeroizing::new(Vec::with_capacity(MAX_PASTE)));
                }
            }
        }
    }

    /// True while a lone Esc might still be the start of a sequence.
    pub fn escape_pending(&self) -> bool {
        self.paste.is_none() && self.len > 0 && self.held[0] == 0x1b
    }

    /// No more bytes came soon after an Esc: it was the Esc key itself (or an Alt combination, or
    /// a sequence cut short, which is dropped).
    pub fn timeout(&mut self, out: &mut Vec<Event>) {
        if self.escape_pending() && self.len == 1 {
            out.push(Event::Key(KeyCode::Esc.into()));
        }
        if self.paste.is_none() {
            self.clear();
            self.skipping = false;
        }
    }

    fn clear(&mut self) {
        self.held[..self.len].zeroize();
        self.len = 0;
    }

    fn paste_byte(&mut self, b: u8, out: &mut Vec<Event>) {
        self.tail.copy_within(1.., 0);
        self.tail[5] = b;
        let Some(buf) = self.paste.as_mut() else {
            return;
        };
        if buf.len() < MAX_PASTE {
            buf.push(b);
        }
        if self.tail != PASTE_END {
            return;
        }
        let end = buf.len().saturating_sub(PASTE_END.len());
        let text = match buf.get(end..) {
            Some(t) if t == PASTE_END => &buf[..end],
            // The paste was longer than the buffer: keep what fitted.
            _ => &buf[..],
        };
        out.push(Event::Paste(String::from_utf8_lossy(text).into_owned()));
        self.paste = None;
        self.tail.zeroize();
    }
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Step {
    Step::Done(Some(Event::Key(KeyEvent::new(code, modifiers))))
}

fn plain(code: KeyCode) -> Step {
    key(code, KeyModifiers::NONE)
}

/// The meaning of `b`, a sequence that starts at its first byte.
fn parse(b: &[u8]) -> Step {
    match b[0] {
        0x1b => escape(b),
        b'\r' => plain(KeyCode::Enter),
        b'\t' => plain(KeyCode::Tab),
        0x7f => plain(KeyCode::Backspace),
        c @ 0x01..=0x1a => key(
            KeyCode::Char(char::from(c - 1 + b'a')),
            KeyModifiers::CONTROL,
        ),
        c @ 0x1c..=0x1f => key(
            KeyCode::Char(char::from(c - 0x1c + b'4')),
            KeyModifiers::CONTROL,
        ),
        0 => key(KeyCode::Char(' '), KeyModifiers::CONTROL),
        _ => utf8(b),
    }
}

fn utf8(b: &[u8]) -> Step {
    match std::str::from_utf8(b) {
        Ok(s) => match s.chars().next() {
            Some(c) if c.is_uppercase() => key(KeyCode::Char(c), KeyModifiers::SHIFT),
            Some(c) => plain(KeyCode::Char(c)),
            None => Step::Drop,
        },
        Err(e) if e.error_len().is_none() => Step::More,
        Err(_) => Step::Drop,
    }
}

fn escape(b: &[u8]) -> Step {
    let Some(&second) = b.get(1) else {
        return Step::More;
    };
    match second {
        b'[' => csi(b),
        b'O' => match b.get(2) {
            None => Step::More,
            Some(&c) => match cursor_key(c) {
                Some(code) => plain(code),
                None => Step::Drop,
            },
        },
        0x1b => plain(KeyCode::Esc),
        // Alt and a key.
        _ => match parse(&b[1..]) {
            Step::Done(Some(Event::Key(mut k))) => {
                k.modifiers |= KeyModifiers::ALT;
                Step::Done(Some(Event::Key(k)))
            }
            Step::More => Step::More,
            _ => Step::Drop,
        },
    }
}

/// The final byte of `ESC O x` or `ESC [ 1 ; m x`.
fn cursor_key(c: u8) -> Option<KeyCode> {
    Some(match c {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'P'..=b'S' => KeyCode::F(1 + c - b'P'),
        _ => return None,
    })
}

/// `ESC [` sequences: parameter bytes, intermediate bytes, one final byte (ECMA-48 5.4).
fn csi(b: &[u8]) -> Step {
    let Some(&first) = b.get(2) else {
        return Step::More;
    };
    // Linux console F1–F5: ESC [ [ A … ESC [ [ E.
    if first == b'[' {
        return match b.get(3) {
            None => Step::More,
            Some(c @ b'A'..=b'E') => plain(KeyCode::F(1 + c - b'A')),
            Some(_) => Step::Drop,
        };
    }
    // X10 mouse: ESC [ M and three raw bytes.
    if first == b'M' {
        return match b.get(3..6) {
            Some(&[cb, cx, cy]) => mouse(
                u16::from(cb).saturating_sub(32),
                u16::from(cx).saturating_sub(33),
                u16::from(cy).saturating_sub(33),
                false,
            ),
            _ => Step::More,
        };
    }
    let Some(end) = b[2..].iter().position(|&c| (0x40..=0x7e).contains(&c)) else {
        return if b[2..].iter().all(|&c| (0x20..=0x3f).contains(&c)) {
            Step::More
        } else {
            Step::Drop
        };
    };
    let params = &b[2..2 + end];
    let last = b[2 + end];
    if !params.iter().all(|&c| (0x20..=0x3f).contains(&c)) {
        return Step::Drop;
    }
    if let Some(sgr) = params.strip_prefix(b"<") {
        let n = numbers(sgr);
        return match (n.first(), n.get(1), n.get(2), last) {
            (Some(&cb), Some(&x), Some(&y), b'M' | b'm') => {
                mouse(cb, x.saturating_sub(1), y.saturating_sub(1), last == b'm')
            }
            _ => Step::Drop,
        };
    }
    if params.first().is_some_and(|c| b"<=>?".contains(c)) {
        // Replies to queries (device attributes, keyboard flags): nothing for the kiosk.
        return Step::Done(None);
    }
    let n = numbers(params);
    let modifiers = modifiers(n.get(1).copied().unwrap_or(1));
    match last {
        b'~' => match n.first().copied().unwrap_or(0) {
            200 => Step::PasteStart,
            201 => Step::Done(None),
            code => match tilde_key(code) {
                Some(c) => key(c, modifiers),
                None => Step::Done(None),
            },
        },
        b'Z' => key(KeyCode::BackTab, KeyModifiers::SHIFT),
        b'M' if n.len() >= 3 => mouse(
            n[0].saturating_sub(32),
            n[1].saturating_sub(1),
            n[2].saturating_sub(1),
            false,
        ),
        b'I' => Step::Done(Some(Event::FocusGained)),
        b'O' => Step::Done(Some(Event::FocusLost)),
        // Cursor and F1–F4 keys have no parameters or `1;m`; anything else ending in one of
        // their letters is a reply (`ESC [ row ; column R`), which the kiosk never asks for.
        c => match cursor_key(c) {
            Some(code) if n.len() < 2 || n[0] == 1 => key(code, modifiers),
            _ => Step::Done(None),
        },
    }
}

/// `ESC [ n ~` keys, as xterm and the Linux console send them.
fn tilde_key(n: u16) -> Option<KeyCode> {
    Some(match n {
        1 | 7 => KeyCode::Home,
        2 => KeyCode::Insert,
        3 => KeyCode::Delete,
        4 | 8 => KeyCode::End,
        5 => KeyCode::PageUp,
        6 => KeyCode::PageDown,
        11..=15 => KeyCode::F((n - 10) as u8),
        17..=21 => KeyCode::F((n - 11) as u8),
        23 | 24 => KeyCode::F((n - 12) as u8),
        _ => return None,
    })
}

/// Semicolon-separated decimal parameters (sub-parameters after `:` are ignored).
fn numbers(params: &[u8]) -> Vec<u16> {
    params
        .split(|&c| c == b';')
        .map(|p| {
            p.iter()
                .take_while(|c| c.is_ascii_digit())
                .fold(0u16, |n, &c| {
                    n.saturating_mul(10).saturating_add(u16::from(c - b'0'))
                })
        })
        .collect()
}

/// xterm's modifier parameter: 1 + a bit mask of Shift, Alt, Ctrl, Super, Hyper, Meta.
fn modifiers(param: u16) -> KeyModifiers {
    let mask = param.saturating_sub(1);
    let mut m = KeyModifiers::NONE;
    for (bit, flag) in [
        (1, KeyModifiers::SHIFT),
        (2, KeyModifiers::ALT),
        (4, KeyModifiers::CONTROL),
        (8, KeyModifiers::SUPER),
        (16, KeyModifiers::HYPER),
        (32, KeyModifiers::META),
    ] {
        if mask & bit != 0 {
            m |= flag;
        }
    }
    m
}

/// A mouse report: button code `cb` (xterm's encoding), 0-based cell, release or not.
fn mouse(cb: u16, column: u16, row: u16, release: bool) -> Step {
    let button = match cb & 0b11 {
        0 => MouseButton::Left,
        1 => MouseButton::Middle,
        2 => MouseButton::Right,
        _ => MouseButton::Left,
    };
    let kind = if cb & 64 != 0 {
        match cb & 0b11 {
            0 => MouseEventKind::ScrollUp,
            1 => MouseEventKind::ScrollDown,
            2 => MouseEventKind::ScrollLeft,
            _ => MouseEventKind::ScrollRight,
        }
    } else if cb & 32 != 0 {
        if cb & 0b11 == 3 {
            MouseEventKind::Moved
        } else {
            MouseEventKind::Drag(button)
        }
    } else if release || cb & 0b11 == 3 {
        MouseEventKind::Up(button)
    } else {
        MouseEventKind::Down(button)
    };
    let mut modifiers = KeyModifiers::NONE;
    for (bit, flag) in [
        (4, KeyModifiers::SHIFT),
        (8, KeyModifiers::ALT),
        (16, KeyModifiers::CONTROL),
    ] {
        if cb & bit != 0 {
            modifiers |= flag;
        }
    }
    Step::Done(Some(Event::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers,
    })))
}

#[cfg(test)]
mod tests;
