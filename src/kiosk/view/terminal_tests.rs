//! Terminal safety: nothing typed into the comment and nothing written in a survey's texts can put
//! a control character or an escape sequence on the terminal. Every screen the kiosk can show is
//! rendered into a buffer at a common and at the smallest size, and every cell is checked with
//! `sanitize::is_unsafe`.
//!
//! Survey texts are put straight into the model: the loader already refuses control characters,
//! and the screens must be safe even if one got through.

use std::time::{Duration, Instant};

use crate::kiosk::model::{Config, Key, Model, Msg, Screen, update};
use crate::sanitize::is_unsafe;
use crate::survey::{Survey, Text};
use proptest::prelude::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// Sizes every screen is drawn at: a common kiosk size and the smallest supported one.
const SIZES: [(u16, u16); 2] = [(80, 24), (60, 20)];

/// Characters that talk to terminals, mixed into otherwise arbitrary text.
const NASTY: &[char] = &[
    '\u{1b}', '\u{9b}', '\u{9d}', '\u{90}', '\u{7}', '\u{8}', '\u{7f}', '\r', '\n', '\t', '\u{0}',
    '\u{202e}', '\u{2066}', '\u{200f}', '\u{2028}', '\u{feff}', '[', ']', ';', '2', 'J', 'm',
];

fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => proptest::sample::select(NASTY),
        1 => any::<char>(),
        1 => proptest::char::range('\u{0}', '\u{a0}'),
    ]
}

fn hostile_text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(hostile_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// The first unsafe cell of every size of the screen now, if any.
fn unsafe_cell(m: &Model) -> Option<String> {
    for (w, h) in SIZES {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        super::render(m, &crate::tui::Theme::COLOR, area, &mut buf);
        for (i, cell) in buf.content().iter().enumerate() {
            if cell.symbol().chars().any(is_unsafe) {
                return Some(format!(
                    "{w}x{h}: cell ({}, {}) holds {:?} on {:?}",
                    i % w as usize,
                    i / w as usize,
                    cell.symbol(),
                    m.screen()
                ));
            }
        }
    }
    None
}

struct Drive {
    m: Model,
    now: Instant,
}

impl Drive {
    fn new(survey: Survey) -> Drive {
        let now = Instant::now();
        let config = Config {
            idle_timeout: Duration::from_secs(60),
            needs_setup: false,
        };
        let mut m = Model::new(survey, config, now);
        update(
            &mut m,
            Msg::NewDay(chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()),
        );
        Drive { m, now }
    }
    fn send(&mut self, msg: Msg) {
        update(&mut self.m, msg);
    }
    fn key(&mut self, k: Key) {
        self.now += Duration::from_millis(100);
        self.send(Msg::Key(k, self.now));
    }
    /// Check the screen now; fail the case with the first unsafe cell.
    fn check(&self) -> Result<(), TestCaseError> {
        match unsafe_cell(&self.m) {
            Some(e) => Err(TestCaseError::fail(e)),
            None => Ok(()),
        }
    }
    /// From the welcome screen to the comment screen, checking every screen on the way.
    fn go_to_comment(&mut self) -> Result<(), TestCaseError> {
        for _ in 0..200 {
            self.check()?;
            let k = match self.m.screen() {
                Screen::Comment => return Ok(()),
                Screen::Question(i) if self.m.answer(*i).is_none() => Key::Char('1'),
                Screen::Question(_) => Key::Right,
                _ => Key::Enter,
            };
            self.key(k);
        }
        Err(TestCaseError::fail(format!(
            "never reached the comment: {:?}",
            self.m.screen()
        )))
    }
}

fn tiny() -> Survey {
    // Two languages, so the language screen is drawn too.
    let text = crate::survey::load::EMBEDDED_ICARE_SHORT;
    crate::survey::from_str(text, "icare-short.toml").unwrap()
}

/// Every text of `s` in every language replaced by the next of `texts` (cycling).
fn poison(s: &mut Survey, texts: &[String]) {
    let mut next = texts.iter().cycle();
    let mut set = |t: &mut Text| {
        for v in t.0.values_mut() {
            *v = next.next().cloned().unwrap_or_default();
        }
    };
    set(&mut s.title);
    set(&mut s.introduction);
    for scale in &mut s.scales {
        for p in &mut scale.points {
            set(&mut p.label);
        }
    }
    for item in &mut s.items {
        set(&mut item.text);
    }
    if let Some(h) = &mut s.headline {
        set(&mut h.text);
    }
    if let Some(c) = &mut s.comment {
        set(&mut c.prompt);
        set(&mut c.privacy);
    }
    let mut plain = texts.iter().cycle();
    for t in &mut s.themes {
        t.name = plain.next().cloned().unwrap_or_default();
        t.title = plain.next().cloned().unwrap_or_default();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn nothing_typed_into_the_comment_reaches_the_terminal(typed in hostile_text(120)) {
        let mut d = Drive::new(tiny());
        d.go_to_comment()?;
        for c in typed.chars() {
            d.key(Key::Char(c));
        }
        d.check()?;
        d.key(Key::Enter);
        prop_assert_eq!(d.m.screen(), &Screen::Confirm);
        d.check()?;
        // Back to the comment, with the text still there.
        d.key(Key::Char('2'));
        d.check()?;
    }

    #[test]
    fn nothing_in_a_survey_text_reaches_the_terminal(
        texts in proptest::collection::vec(hostile_text(40), 1..8),
    ) {
        let mut s = tiny();
        poison(&mut s, &texts);
        let mut d = Drive::new(s);
        d.check()?;
        // Staff overlays over the welcome screen.
        d.key(Key::Staff);
        d.check()?;
        d.key(Key::Esc);
        d.go_to_comment()?;
        d.key(Key::Enter);
        d.check()?;
        // Send: the sending screen, then a failure, then thanks.
        d.key(Key::Enter);
        d.check()?;
        let now = d.now;
        d.send(Msg::Submitted(Err("\u{1b}[2Jdisk \u{9b}31m".into()), now));
        prop_assert_eq!(d.m.screen(), &Screen::SaveFailed);
        d.check()?;
        d.key(Key::Char('1'));
        let now = d.now;
        d.send(Msg::Submitted(Ok(()), now));
        d.check()?;
        // The idle question, and the staff menu.
        d.now += Duration::from_secs(3600);
        let now = d.now;
        d.send(Msg::Tick(now));
        d.check()?;
        d.key(Key::Staff);
        d.check()?;
        let now = d.now;
        d.send(Msg::PinChecked(Ok(crate::keys::lockout::Verdict::Right), now));
        d.check()?;
    }
}
