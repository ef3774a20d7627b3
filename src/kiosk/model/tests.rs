//! State-machine tests: the whole flow driven with made-up instants, no terminal, no sleeping.

use std::time::{Duration, Instant};

use chrono::NaiveDate;

use super::*;
use crate::response::Answer;

mod direction;
mod ending;
mod paste;
mod setup;
pub(crate) mod staff;

/// A small two-language survey: two agree items (one without skip), a headline and a comment.
pub const TWO_LANGUAGES: &str = r#"
[survey]
id = "tiny"
version = 1
title = { en = "Your care", pl = "Twoja opieka" }
introduction = { en = "A few questions.", pl = "Kilka pytań." }
minutes = 2
languages = ["en", "pl"]

[scales.agree]
not_applicable = true
skip = true
points = [
  { value = 1, label = { en = "Disagree", pl = "Nie zgadzam się" } },
  { value = 2, label = { en = "Not sure", pl = "Nie wiem" } },
  { value = 3, label = { en = "Agree", pl = "Zgadzam się" }, positive = true },
]

[scales.must]
points = [
  { value = 1, label = { en = "No", pl = "Nie" } },
  { value = 2, label = { en = "Yes", pl = "Tak" }, positive = true },
]

[scales.fft]
skip = true
points = [
  { value = 1, label = { en = "Good", pl = "Dobrze" }, positive = true },
  { value = 2, label = { en = "Poor", pl = "Źle" } },
]

[[themes]]
id = "t"
number = 1
name = "Theme"
title = "Theme"
description = "Theme"
importance = 1

[[items]]
id = "a"
theme = "t"
text = { en = "Staff treat me like a person.", pl = "Personel traktuje mnie jak człowieka." }
scale = "agree"

[[items]]
id = "b"
theme = "t"
text = { en = "I can get help when I need it.", pl = "Mogę dostać pomoc, kiedy jej potrzebuję." }
scale = "must"

[headline]
id = "overall"
text = { en = "Overall, how was our service?", pl = "Jak ogólnie oceniasz naszą opiekę?" }
scale = "fft"

[comment]
prompt = { en = "Anything else?", pl = "Coś jeszcze?" }
privacy = { en = "Please don't write names.", pl = "Nie podawaj nazwisk." }
max_chars = 10
"#;

pub const IDLE: Duration = Duration::from_secs(60);

pub struct Kiosk {
    pub m: Model,
    pub t0: Instant,
    pub now: Instant,
    pub effects: Vec<Effect>,
}

impl Kiosk {
    pub fn new(toml: &str) -> Kiosk {
        Kiosk::with_survey(crate::survey::from_str(toml, "test").unwrap())
    }

    pub fn with_survey(survey: crate::survey::Survey) -> Kiosk {
        let t0 = Instant::now();
        let config = Config {
            idle_timeout: IDLE,
            needs_setup: false,
        };
        let mut m = Model::new(survey, config, t0);
        update(
            &mut m,
            Msg::NewDay(NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()),
        );
        Kiosk {
            m,
            t0,
            now: t0,
            effects: vec![],
        }
    }
    pub fn tiny() -> Kiosk {
        Kiosk::new(TWO_LANGUAGES)
    }
    pub fn wait(&mut self, secs: f64) -> &mut Self {
        self.now += Duration::from_secs_f64(secs);
        let fx = update(&mut self.m, Msg::Tick(self.now));
        self.effects.extend(fx);
        self
    }
    pub fn key(&mut self, key: Key) -> &mut Self {
        self.now += Duration::from_millis(100);
        let fx = update(&mut self.m, Msg::Key(key, self.now));
        self.effects.extend(fx);
        self
    }
    pub fn keys(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            self.key(Key::Char(c));
        }
        self
    }
    pub fn press(&mut self, b: Button) -> &mut Self {
        self.now += Duration::from_millis(100);
        let fx = update(&mut self.m, Msg::Press(b, self.now));
        self.effects.extend(fx);
        self
    }
    pub fn send(&mut self, msg: Msg) -> &mut Self {
        let fx = update(&mut self.m, msg);
        self.effects.extend(fx);
        self
    }
    /// From the welcome screen of [`Kiosk::tiny`] to the comment: English, then answer 1 to both
    /// items and the headline.
    pub fn answer_to_the_comment(&mut self) -> &mut Self {
        self.key(Key::Enter)
            .key(Key::Enter)
            .answer('1')
            .answer('1')
            .answer('1')
    }
    /// Choose by number and let the marked answer stay up until the screen moves on.
    pub fn answer(&mut self, n: char) -> &mut Self {
        self.keys(&n.to_string()).wait(1.0)
    }
    pub fn take(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }
    pub fn submitted(&mut self) -> Response {
        let fx = self.take();
        let mut found = fx.into_iter().filter_map(|e| match e {
            Effect::Submit(r) => Some(*r),
            _ => None,
        });
        let r = found.next().expect("a Submit effect");
        assert!(found.next().is_none(), "one Submit only");
        r
    }
    pub fn logs(&self) -> Vec<String> {
        self.effects
            .iter()
            .filter_map(|e| match e {
                Effect::Log(l) => Some(l.clone()),
                _ => None,
            })
            .collect()
    }
}

#[test]
fn the_whole_flow_in_polish_sends_every_answer_in_item_order() {
    let mut k = Kiosk::tiny();
    k.key(Key::Other);
    assert_eq!(k.m.screen(), &Screen::Language);
    k.keys("2");
    assert_eq!(k.m.language(), "pl");
    assert_eq!(k.m.screen(), &Screen::Question(0));
    k.answer('3').answer('2').answer('1');
    assert_eq!(k.m.screen(), &Screen::Comment);
    k.keys("Miło").key(Key::Enter);
    assert_eq!(k.m.screen(), &Screen::Confirm);
    k.take();
    k.key(Key::Enter);
    assert_eq!(k.m.screen(), &Screen::Sending);
    let r = k.submitted();
    assert_eq!(r.survey_id, "tiny");
    assert_eq!(r.survey_hash, k.m.survey().hash);
    assert_eq!(r.language, "pl");
    assert_eq!(r.answers, [Answer::Value(3), Answer::Value(2)]);
    // Key 1 on the headline is its least positive answer, "Poor", stored as 2.
    assert_eq!(r.headline, Answer::Value(2));
    assert_eq!(r.comment.as_deref(), Some("Miło"));
    assert_eq!(
        r.period,
        crate::response::Period::Week {
            year: 2026,
            week: 47
        }
    );
    let now = k.now;
    k.send(Msg::Submitted(Ok(()), now));
    assert!(matches!(k.m.screen(), Screen::Thanks { .. }));
    assert_eq!(k.m.save_failed(), None);
    // A saved response leaves no dated line in the staff log.
    assert!(k.logs().is_empty(), "{:?}", k.logs());
    // The answers are gone the moment the store has them.
    assert_eq!(k.m.answer(0), None);
    assert_eq!(k.m.comment(), "");
}

#[test]
fn the_chosen_answer_stays_marked_until_the_confirm_tick_then_moves_on() {
    let mut k = Kiosk::tiny();
    k.key(Key::Enter).key(Key::Enter);
    k.keys("3");
    assert_eq!(k.m.screen(), &Screen::Question(0));
    assert_eq!(k.m.answer(0), Some(Answer::Value(3)));
    assert_eq!(k.m.focus(), Some(2));
    k.wait(0.5);
    assert_eq!(k.m.screen(), &Screen::Question(0), "too early to move on");
    k.wait(0.5);
    assert_eq!(k.m.screen(), &Screen::Question(1));
}

#[test]
fn going_back_shows_the_earlier_answer_and_it_can_be_changed() {
    let mut k = Kiosk::tiny();
    k.key(Key::Enter).key(Key::Enter).answer('1');
    assert_eq!(k.m.screen(), &Screen::Question(1));
    k.key(Key::Backspace);
    assert_eq!(k.m.screen(), &Screen::Question(0));
    assert_eq!(k.m.answer(0), Some(Answer::Value(1)));
    assert_eq!(k.m.focus(), Some(0), "the earlier answer is focused");
    k.answer('3');
    assert_eq!(k.m.answer(0), Some(Answer::Value(3)));
    assert_eq!(k.m.screen(), &Screen::Question(1));
    k.key(Key::Left).key(Key::Right);
    assert_eq!(
        k.m.screen(),
        &Screen::Question(1),
        "→ keeps the answer and goes on"
    );
    assert_eq!(k.m.answer(0), Some(Answer::Value(3)));
}

#[test]
fn choosing_the_marked_answer_again_goes_on_at_once() {
    let mut k = Kiosk::tiny();
    k.key(Key::Enter).key(Key::Enter).keys("2").keys("2");
    assert_eq!(k.m.screen(), &Screen::Question(1));
}

#[test]
fn does_not_apply_and_skip_are_recorded_as_such() {
    let mut k = Kiosk::tiny();
    k.key(Key::Enter).key(Key::Enter);
    // 1..3 are the points, 4 is "Does not apply", 5 is "Skip this question".
    k.answer('4');
    assert_eq!(k.m.answer(0), Some(Answer::NotApplicable));
    k.answer('2').answer('3');
    assert_eq!(
        k.m.answer(2),
        Some(Answer::Skipped),
        "headline: Good, Poor, Skip"
    );
    k.key(Key::Enter).key(Key::Enter);
    let r = k.submitted();
    assert_eq!(r.answers, [Answer::NotApplicable, Answer::Value(2)]);
    assert_eq!(r.headline, Answer::Skipped);
    assert_eq!(r.comment, None, "an empty comment is no comment");
}

#[test]
fn moving_on_without_an_answer_skips_only_where_the_scale_allows_it() {
    let mut k = Kiosk::tiny();
    k.key(Key::Enter).key(Key::Enter).key(Key::Right);
    assert_eq!(k.m.answer(0), Some(Answer::Skipped));
    assert_eq!(k.m.screen(), &Screen::Question(1));
    k.key(Key::Right);
    assert_eq!(k.m.screen(), &Screen::Question(1), "item b has no skip");
    assert!(k.m.hint());
    k.answer('2');
    assert!(!k.m.hint());
    assert_eq!(k.m.screen(), &Screen::Question(2));
}

#[test]
fn numbers_without_a_choice_and_zero_do_nothing() {
    let mut k = Kiosk::tiny();
    k.key(Key::Enter).key(Key::Enter).keys("09x");
    assert_eq!(k.m.answer(0), None);
    assert_eq!(k.m.screen(), &Screen::Question(0));
}

#[test]
fn focus_moves_with_arrows_and_tab_and_enter_presses_the_focused_button() {
    let mut k = Kiosk::tiny();
    k.key(Key::Enter).key(Key::Enter);
    let buttons = k.m.buttons();
    assert_eq!(buttons.len(), 7, "five choices, Back and Next");
    k.key(Key::Down).key(Key::Down).key(Key::Tab);
    assert_eq!(k.m.focus(), Some(2));
    k.key(Key::Up);
    assert_eq!(k.m.focus(), Some(1));
    k.key(Key::Enter);
    assert_eq!(k.m.answer(0), Some(Answer::Value(2)));
    k.key(Key::Up).key(Key::Up).key(Key::Up);
    assert_eq!(k.m.focus(), Some(5), "wraps round to Back");
    k.key(Key::Enter);
    assert_eq!(k.m.screen(), &Screen::Language);
}

#[test]
fn taps_on_buttons_work_like_keys() {
    let mut k = Kiosk::tiny();
    k.press(Button::Start).press(Button::Language(0));
    k.press(Button::Choice(2)).wait(1.0);
    assert_eq!(k.m.answer(0), Some(Answer::Value(3)));
    k.press(Button::Back);
    assert_eq!(k.m.screen(), &Screen::Question(0));
    k.press(Button::Next)
        .press(Button::Choice(1))
        .press(Button::Next);
    assert_eq!(k.m.screen(), &Screen::Question(2));
    // A button that is not on this screen does nothing.
    k.press(Button::Send);
    assert_eq!(k.m.screen(), &Screen::Question(2));
}

#[test]
fn comment_typing_is_capped_backspace_deletes_and_left_goes_back() {
    let mut k = Kiosk::tiny();
    k.answer_to_the_comment();
    assert_eq!(k.m.screen(), &Screen::Comment);
    k.keys("0123456789abc");
    assert_eq!(k.m.comment(), "0123456789", "max_chars is 10");
    k.key(Key::Backspace).key(Key::Backspace);
    assert_eq!(k.m.comment(), "01234567");
    k.keys("\u{1b}\u{7}");
    assert_eq!(
        k.m.comment(),
        "01234567",
        "control characters are not typed"
    );
    k.key(Key::Left);
    assert_eq!(k.m.screen(), &Screen::Question(2));
    assert_eq!(k.m.comment(), "01234567", "kept when going back");
    k.key(Key::Right).key(Key::Right);
    assert_eq!(
        k.m.screen(),
        &Screen::Confirm,
        "→ goes on from the comment too"
    );
}

#[test]
fn confirm_go_back_returns_to_the_comment() {
    let mut k = Kiosk::tiny();
    k.answer_to_the_comment();
    k.key(Key::Enter);
    assert_eq!(k.m.screen(), &Screen::Confirm);
    k.keys("2");
    assert_eq!(k.m.screen(), &Screen::Comment);
    k.key(Key::Enter).key(Key::Backspace);
    assert_eq!(k.m.screen(), &Screen::Comment);
}

#[test]
fn a_one_language_survey_skips_the_language_choice() {
    let mut survey = crate::survey::embedded().unwrap();
    survey.languages.truncate(1);
    let steps = survey.items.len() + 1;
    let mut k = Kiosk::with_survey(survey.clone());
    k.key(Key::Char('x'));
    assert_eq!(k.m.screen(), &Screen::Question(0));
    for _ in 0..steps {
        k.answer('1');
    }
    assert_eq!(k.m.screen(), &Screen::Comment);
    k.key(Key::Enter).key(Key::Enter);
    let r = k.submitted();
    assert_eq!(r.answers.len(), survey.items.len());
    assert!(r.answers.iter().all(|a| *a == Answer::Value(1)));
    // The FFT's key 1 is "Very poor", stored as 5 as published.
    assert_eq!(r.headline, Answer::Value(5));
}
