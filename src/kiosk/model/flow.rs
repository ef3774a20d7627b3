//! The patient's path through the screens: keys and taps on the main screens, and sending.

use std::time::Instant;

use super::{ADVANCE_AFTER, Button, Effect, Key, Model, Overlay, Screen};
use crate::kiosk::period_of;
use crate::response::Answer;
use crate::sanitize::is_unsafe;

impl Model {
    /// A key press, routed to the overlay when one is open.
    pub(super) fn key(&mut self, key: Key, now: Instant) -> Vec<Effect> {
        if self.overlay.is_some() {
            return self.overlay_key(key, now);
        }
        if key == Key::Staff && !matches!(self.screen, Screen::Setup(_) | Screen::SetupDone(_)) {
            return self.open_staff(now);
        }
        // Key 0 reads the screen again, except in the comment box, where it is typed.
        if key == Key::Char('0')
            && !matches!(self.screen, Screen::Comment)
            && self.buttons().contains(&Button::HearAgain)
        {
            return self.press(Button::HearAgain, now);
        }
        match self.screen.clone() {
            Screen::Setup(_) => self.setup_key(key),
            Screen::Thanks { .. } => self.wipe(),
            Screen::Welcome | Screen::SetupDone(_) => match key {
                Key::Tab | Key::BackTab | Key::Up | Key::Down => vec![],
                _ => self.press(
                    self.buttons().first().copied().unwrap_or(Button::Start),
                    now,
                ),
            },
            Screen::Sending => vec![],
            Screen::Comment => self.comment_key(key, now),
            Screen::Question(_) => self.buttons_key(key, now, Some(Button::Back), Button::Next),
            Screen::Language => {
                let current = Button::Language(self.lang);
                self.buttons_key(key, now, Some(Button::Back), current)
            }
            Screen::Confirm => self.buttons_key(key, now, Some(Button::GoBack), Button::Send),
            // No way "back" from a failed save: Finish forgets the answers, so it must be chosen.
            Screen::SaveFailed => self.buttons_key(key, now, None, Button::TryAgain),
        }
    }

    /// Keys on a screen of numbered buttons: numbers choose, Enter presses the focused button (or
    /// goes on), arrows and Tab move the focus.
    fn buttons_key(
        &mut self,
        key: Key,
        now: Instant,
        back: Option<Button>,
        on: Button,
    ) -> Vec<Effect> {
        let buttons = self.buttons();
        match key {
            Key::Char(c) => match c.to_digit(10) {
                Some(d) if d >= 1 => match self.numbered(&buttons).get(d as usize - 1) {
                    Some(b) => self.press(*b, now),
                    None => vec![],
                },
                _ => vec![],
            },
            Key::Enter => match self.focus.and_then(|f| buttons.get(f)) {
                Some(b) => self.press(*b, now),
                None => self.press(on, now),
            },
            Key::Right => self.press(on, now),
            Key::Left | Key::Backspace | Key::Esc => match back {
                Some(back) => self.press(back, now),
                None => vec![],
            },
            Key::Down | Key::Tab => {
                self.move_focus(buttons.len(), 1);
                vec![]
            }
            Key::Up | Key::BackTab => {
                self.move_focus(buttons.len(), -1);
                vec![]
            }
            Key::Staff | Key::Other => vec![],
        }
    }

    /// The buttons that carry a number, in number order.
    pub fn numbered(&self, buttons: &[Button]) -> Vec<Button> {
        buttons
            .iter()
            .copied()
            .filter(|b| !matches!(b, Button::Back | Button::Next | Button::HearAgain))
            .collect()
    }

    pub(super) fn move_focus(&mut self, len: usize, by: isize) {
        if len == 0 {
            self.focus = None;
            return;
        }
        let len = len as isize;
        self.focus = Some(match self.focus {
            None if by > 0 => 0,
            None => (len - 1) as usize,
            Some(f) => (f as isize + by).rem_euclid(len) as usize,
        });
    }

    fn comment_key(&mut self, key: Key, now: Instant) -> Vec<Effect> {
        let max = self
            .survey
            .comment
            .as_ref()
            .map(|c| c.max_chars as usize)
            .unwrap_or(0);
        match key {
            Key::Char(c) if !is_unsafe(c) => {
                if self.comment.chars().count() < max {
                    self.comment.push(c);
                }
                vec![]
            }
            Key::Backspace => {
                self.comment.pop();
                vec![]
            }
            Key::Enter => {
                let buttons = self.buttons();
                match self.focus.and_then(|f| buttons.get(f)) {
                    Some(b) => self.press(*b, now),
                    None => self.press(Button::Done, now),
                }
            }
            Key::Left | Key::Esc => self.press(Button::Back, now),
            Key::Right => self.press(Button::Done, now),
            Key::Tab | Key::Down => {
                self.move_focus(self.buttons().len(), 1);
                vec![]
            }
            Key::BackTab | Key::Up => {
                self.move_focus(self.buttons().len(), -1);
                vec![]
            }
            _ => vec![],
        }
    }

    /// A button, whether tapped, chosen by number or pressed with Enter.
    pub(super) fn press(&mut self, button: Button, now: Instant) -> Vec<Effect> {
        if self.overlay.is_some() {
            return self.overlay_press(button, now);
        }
        if !self.buttons().contains(&button) {
            return vec![];
        }
        if button == Button::HearAgain {
            return self.hear_again();
        }
        match (self.screen.clone(), button) {
            (Screen::SetupDone(_), _) => {
                self.go(Screen::Welcome);
                vec![Effect::ClearScreen]
            }
            (Screen::Welcome, _) => {
                let next = if self.survey.languages.len() > 1 {
                    Screen::Language
                } else {
                    Screen::Question(0)
                };
                self.go_first(next);
                vec![]
            }
            (Screen::Language, Button::Language(i)) => {
                self.lang = i;
                self.go_first(Screen::Question(0));
                vec![]
            }
            (Screen::Language, _) => self.wipe(),
            (Screen::Question(n), Button::Choice(i)) => {
                let Some(choice) = self.step_choices(n).get(i).copied() else {
                    return vec![];
                };
                // Choosing the answer already marked confirms it and goes on.
                if self.answer(n) == Some(choice.answer()) {
                    return self.forward(n);
                }
                {
                    self.answers[n] = Some(choice.answer());
                    self.focus = Some(i);
                    self.hint = false;
                    self.advance_at = Some(now + ADVANCE_AFTER);
                }
                vec![]
            }
            (Screen::Question(n), Button::Next) => self.forward(n),
            (Screen::Question(n), _) => self.backward(n),
            (Screen::Comment, Button::Back) => {
                self.go_to_step(self.steps().saturating_sub(1));
                vec![]
            }
            (Screen::Comment, _) => {
                self.go(Screen::Confirm);
                vec![]
            }
            (Screen::Confirm, Button::Send) | (Screen::SaveFailed, Button::TryAgain) => {
                self.go(Screen::Sending);
                let period = period_of(self.day.unwrap_or_default());
                vec![Effect::Submit(Box::new(self.response(period)))]
            }
            (Screen::Confirm, _) => {
                if self.survey.comment.is_some() {
                    self.go(Screen::Comment);
                } else {
                    self.go_to_step(self.steps().saturating_sub(1));
                }
                vec![]
            }
            (Screen::SaveFailed, _) => self.wipe(),
            _ => vec![],
        }
    }

    /// Go to a main screen that has a survey step or the language list, with the previous
    /// answer (or language) focused.
    fn go_first(&mut self, screen: Screen) {
        if let Screen::Question(n) = screen {
            self.go_to_step(n);
        } else {
            self.go(screen);
            self.focus = Some(self.lang);
        }
    }

    /// Show question `n` with its earlier answer marked and focused.
    fn go_to_step(&mut self, n: usize) {
        if self.steps() == 0 {
            return self.go(self.after_questions());
        }
        self.go(Screen::Question(n));
        let choices = self.step_choices(n);
        self.focus = self
            .answer(n)
            .and_then(|a| choices.iter().position(|c| c.answer() == a));
    }

    /// The screen after the last question.
    fn after_questions(&self) -> Screen {
        if self.survey.comment.is_some() {
            Screen::Comment
        } else {
            Screen::Confirm
        }
    }

    /// Leave question `n` forwards; unanswered counts as skipped where the scale allows it.
    pub(super) fn forward(&mut self, n: usize) -> Vec<Effect> {
        if self.answers.get(n).is_some_and(Option::is_none) {
            let may_skip = self.step(n).is_some_and(|(_, s)| s.skip);
            if !may_skip {
                self.hint = true;
                return self.say_hint(n);
            }
            self.answers[n] = Some(Answer::Skipped);
        }
        if n + 1 < self.steps() {
            self.go_to_step(n + 1);
        } else {
            self.go(self.after_questions());
        }
        vec![]
    }

    fn backward(&mut self, n: usize) -> Vec<Effect> {
        if n > 0 {
            self.go_to_step(n - 1);
            vec![]
        } else if self.survey.languages.len() > 1 {
            self.go_first(Screen::Language);
            vec![]
        } else {
            // The welcome screen never times out, so nothing may stay behind it.
            self.wipe()
        }
    }

    /// The backend's answer to a submit.
    pub(super) fn submitted(&mut self, result: Result<(), String>, now: Instant) -> Vec<Effect> {
        if self.screen != Screen::Sending {
            return vec![];
        }
        match result {
            Ok(()) => {
                // The answers are safe in the store: forget them now, keep only the screen, in
                // the patient's language until it goes.
                let lang = self.lang;
                let fx = self.wipe();
                self.lang = lang;
                self.go(Screen::Thanks { since: now });
                // Nothing is logged: a dated line per response would tell whoever reads the log
                // when each person answered, more than the store itself reveals (counts per period).
                fx
            }
            Err(reason) => {
                self.go(Screen::SaveFailed);
                // Not logged either, for the same reason: the staff menu shows it (with no time)
                // and checks saving again, and a failed check is logged at the time of the check.
                self.save_failed = Some(crate::sanitize::terminal_safe(&reason).into_owned());
                vec![]
            }
        }
    }

    /// A main-screen key or tap while an overlay is open.
    pub(super) fn overlay_key(&mut self, key: Key, now: Instant) -> Vec<Effect> {
        match self.overlay.clone() {
            Some(Overlay::StillThere { .. }) => {
                self.overlay = None;
                vec![]
            }
            Some(Overlay::StaffPin { .. }) => self.pin_key(key),
            Some(Overlay::StaffMenu) => match key {
                Key::Char('1') | Key::Esc | Key::Left | Key::Backspace => {
                    self.press(Button::StaffResume, now)
                }
                Key::Char('2') => self.press(Button::StaffQuit, now),
                Key::Enter => match self.focus {
                    Some(1) => self.press(Button::StaffQuit, now),
                    _ => self.press(Button::StaffResume, now),
                },
                Key::Tab | Key::Down => {
                    self.move_focus(2, 1);
                    vec![]
                }
                Key::BackTab | Key::Up => {
                    self.move_focus(2, -1);
                    vec![]
                }
                _ => vec![],
            },
            Some(Overlay::StaffLocked { .. }) => {
                self.overlay = None;
                vec![]
            }
            None => vec![],
        }
    }
}
