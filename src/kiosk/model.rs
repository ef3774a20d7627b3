//! The kiosk's state machine: what is on screen and what the patient has answered, changed only
//! by [`update`]. Time enters only through the `Instant`s that messages carry.

mod buttons;
mod flow;
pub mod setup;
mod speech;
pub mod spoken;
mod staff;
#[cfg(test)]
pub(crate) mod tests;
mod time;

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveTime};
use zeroize::Zeroize;

pub use buttons::{Button, Choice, Key, choices};
pub use setup::{SetupForm, SetupProblem, SetupStep};
pub use staff::{PinNote, StaffGuard};

use super::backend::SetupInfo;
use super::secret::Secret;
use super::settings::Settings;
use crate::keys::lockout::Verdict;
use crate::response::{Answer, Period, Response};
use crate::speech::Utterance;
use crate::survey::{Scale, Survey, Text};

/// How long a chosen answer stays marked on screen before the next question appears.
pub const ADVANCE_AFTER: Duration = Duration::from_millis(800);
/// How long "Are you still there?" counts down before everything is wiped.
pub const STILL_THERE_FOR: Duration = Duration::from_secs(15);
/// How long the thank-you screen stays up.
pub const THANKS_FOR: Duration = Duration::from_secs(10);
/// Wrong exit PINs in a row before the staff menu locks.
pub const MAX_WRONG_PINS: u32 = crate::keys::lockout::MAX_WRONG;
/// Most comment characters memory is reserved for in advance.
const MAX_COMMENT_ROOM: usize = 10_000;
/// How long the staff menu stays locked.
pub const LOCKOUT: Duration = crate::keys::lockout::LOCKOUT;

/// How the kiosk behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Quiet time before "Are you still there?".
    pub idle_timeout: Duration,
    /// Start with first-run setup (there is no store yet).
    pub needs_setup: bool,
}

/// Input and results the kiosk reacts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// A key press.
    Key(Key, Instant),
    /// A tap or click on a button.
    Press(Button, Instant),
    /// A tap or click anywhere else.
    Tap(Instant),
    /// Time passed (the loop sends this when a deadline is reached).
    Tick(Instant),
    /// The terminal changed size; nothing to do but draw again.
    Resize,
    /// The backend's answer to [`Effect::Submit`].
    Submitted(Result<(), String>, Instant),
    /// The backend's answer to [`Effect::CheckPin`].
    PinChecked(Result<Verdict, String>, Instant),
    /// The staff menu is locked for this much longer (as the backend says at start).
    PinLocked(Duration, Instant),
    /// The backend's answer to [`Effect::Setup`].
    SetupDone(Result<SetupInfo, String>, Instant),
    /// The local date changed (or is first known): the period responses are filed under.
    NewDay(NaiveDate),
    /// Text pasted into the terminal (bracketed paste): goes into the comment or a set-up field,
    /// never presses anything.
    Paste(Secret, Instant),
    /// The backend's answer to [`Effect::CheckSaving`], with the local time of the check.
    SavingChecked(Result<(), String>, NaiveTime),
}

/// Work for the event loop, returned by [`update`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Save this response; answer with [`Msg::Submitted`].
    Submit(Box<Response>),
    /// Check the exit PIN; answer with [`Msg::PinChecked`].
    CheckPin(Secret),
    /// Check that saving works, without saving a response; answer with [`Msg::SavingChecked`].
    CheckSaving,
    /// Create the store; answer with [`Msg::SetupDone`].
    Setup {
        site: String,
        passphrase: Secret,
        pin: Secret,
    },
    /// Append a line to the staff log (never an answer or comment).
    Log(String),
    /// Clear the whole terminal before the next draw.
    ClearScreen,
    /// Stop what is being said and say this (never a patient's answer or words).
    Speak(Utterance),
    /// Stop what is being said.
    Hush,
    /// Keep the kiosk's settings (chosen at first-run set-up) for the next start.
    SaveSettings(Settings),
    /// Stop the kiosk.
    Quit,
}

/// The outcome of a check that saving works, and the local time it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavingCheck {
    pub result: Result<(), String>,
    pub at: NaiveTime,
}

/// The main screens, in the order a patient meets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Setup(SetupForm),
    SetupDone(SetupInfo),
    Welcome,
    Language,
    /// Step `n`: the survey's items, then the headline question.
    Question(usize),
    Comment,
    Confirm,
    Sending,
    Thanks {
        since: Instant,
    },
    SaveFailed,
}

/// A screen shown over the main one, which stays as it was underneath.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    StillThere { since: Instant },
    StaffPin { entry: Secret, note: PinNote },
    StaffMenu,
    StaffLocked { until: Instant },
}

/// The kiosk's whole state.
#[derive(Debug)]
pub struct Model {
    survey: Survey,
    screen: Screen,
    overlay: Option<Overlay>,
    lang: usize,
    answers: Vec<Option<Answer>>,
    comment: Secret,
    focus: Option<usize>,
    advance_at: Option<Instant>,
    hint: bool,
    last_input: Instant,
    now: Instant,
    idle_timeout: Duration,
    staff: StaffGuard,
    saving: Option<SavingCheck>,
    save_failed: Option<String>,
    day: Option<NaiveDate>,
    quit: bool,
    /// Screens are read aloud.
    speech: bool,
}

impl Model {
    /// A kiosk showing the welcome screen (or first-run setup) at `now`.
    pub fn new(survey: Survey, config: Config, now: Instant) -> Model {
        let steps = survey.items.len() + usize::from(survey.headline.is_some());
        // Room for the longest comment up front, so typing never reallocates and leaves a copy
        // of the text behind in freed memory (the buffer is zeroed when wiped and dropped).
        let room = survey
            .comment
            .as_ref()
            .map_or(0, |c| (c.max_chars as usize).min(MAX_COMMENT_ROOM) * 4);
        Model {
            survey,
            screen: if config.needs_setup {
                Screen::Setup(SetupForm::default())
            } else {
                Screen::Welcome
            },
            overlay: None,
            lang: 0,
            answers: vec![None; steps],
            comment: Secret::with_capacity(room),
            focus: None,
            advance_at: None,
            hint: false,
            last_input: now,
            now,
            idle_timeout: config.idle_timeout,
            staff: StaffGuard::default(),
            saving: None,
            save_failed: None,
            day: None,
            quit: false,
            speech: false,
        }
    }

    /// The same kiosk with speech on or off.
    pub fn with_speech(mut self, on: bool) -> Model {
        self.speech = on;
        self
    }

    /// True when screens are read aloud.
    pub fn speech(&self) -> bool {
        self.speech
    }

    pub fn survey(&self) -> &Survey {
        &self.survey
    }
    pub fn screen(&self) -> &Screen {
        &self.screen
    }
    pub fn overlay(&self) -> Option<&Overlay> {
        self.overlay.as_ref()
    }
    /// The chosen language's code.
    pub fn language(&self) -> &str {
        self.survey
            .languages
            .get(self.lang)
            .map(String::as_str)
            .unwrap_or_else(|| self.survey.default_language())
    }
    /// Number of question screens (items plus the headline).
    pub fn steps(&self) -> usize {
        self.answers.len()
    }
    /// The answer given at a step so far.
    pub fn answer(&self, step: usize) -> Option<Answer> {
        self.answers.get(step).copied().flatten()
    }
    /// The comment typed so far.
    pub fn comment(&self) -> &str {
        &self.comment
    }
    /// Index into [`Model::buttons`] of the focused button.
    pub fn focus(&self) -> Option<usize> {
        self.focus
    }
    /// True while "Please choose an answer" should show.
    pub fn hint(&self) -> bool {
        self.hint
    }
    /// The last check that saving works (a check, never a response), if there was one.
    pub fn saving(&self) -> Option<&SavingCheck> {
        self.saving.as_ref()
    }
    /// Why the last save that failed failed, if one did since the staff menu was last opened.
    /// Neither a count nor a time: the staff menu must not tell when anyone answered.
    pub fn save_failed(&self) -> Option<&str> {
        self.save_failed.as_deref()
    }
    /// The latest time any message carried.
    pub fn now(&self) -> Instant {
        self.now
    }
    pub fn should_quit(&self) -> bool {
        self.quit
    }
    pub fn staff(&self) -> &StaffGuard {
        &self.staff
    }

    /// The wording and scale of a question step.
    pub fn step(&self, step: usize) -> Option<(&Text, &Scale)> {
        let (text, scale) = match self.survey.items.get(step) {
            Some(item) => (&item.text, &item.scale),
            None if step == self.survey.items.len() => {
                let h = self.survey.headline.as_ref()?;
                (&h.text, &h.scale)
            }
            None => return None,
        };
        Some((text, self.survey.scale(scale)?))
    }

    /// The choices on a question step.
    pub fn step_choices(&self, step: usize) -> Vec<Choice> {
        self.step(step).map(|(_, s)| choices(s)).unwrap_or_default()
    }

    /// The buttons on screen now, in focus order.
    pub fn buttons(&self) -> Vec<Button> {
        match &self.overlay {
            Some(Overlay::StillThere { .. }) => return vec![Button::StillHere],
            Some(Overlay::StaffPin { .. } | Overlay::StaffLocked { .. }) => {
                return vec![Button::StaffResume];
            }
            Some(Overlay::StaffMenu) => return vec![Button::StaffResume, Button::StaffQuit],
            None => {}
        }
        let hear = self.speech.then_some(Button::HearAgain);
        match &self.screen {
            Screen::Setup(_) | Screen::Sending => vec![],
            Screen::SetupDone(_) => vec![Button::Continue],
            Screen::Thanks { .. } => hear.into_iter().collect(),
            Screen::Welcome => [Button::Start].into_iter().chain(hear).collect(),
            Screen::Language => {
                let mut b: Vec<Button> = (0..self.survey.languages.len())
                    .map(Button::Language)
                    .collect();
                b.push(Button::Back);
                b.extend(hear);
                b
            }
            Screen::Question(n) => {
                let mut b: Vec<Button> = (0..self.step_choices(*n).len())
                    .map(Button::Choice)
                    .collect();
                b.push(Button::Back);
                b.extend(hear);
                b.push(Button::Next);
                b
            }
            Screen::Comment => [Button::Back]
                .into_iter()
                .chain(hear)
                .chain([Button::Done])
                .collect(),
            Screen::Confirm => [Button::Send, Button::GoBack]
                .into_iter()
                .chain(hear)
                .collect(),
            Screen::SaveFailed => [Button::TryAgain, Button::Finish]
                .into_iter()
                .chain(hear)
                .collect(),
        }
    }

    /// The response as it would be sent now, filed under `period`.
    pub fn response(&self, period: Period) -> Response {
        let items = self.survey.items.len();
        let get = |i: usize| self.answer(i).unwrap_or(Answer::Skipped);
        let comment = self.comment.trim();
        Response {
            survey_id: self.survey.id.clone(),
            survey_hash: self.survey.hash,
            language: self.language().to_string(),
            period,
            answers: (0..items).map(get).collect(),
            headline: if self.survey.headline.is_some() {
                get(items)
            } else {
                Answer::Skipped
            },
            comment: (!comment.is_empty()).then(|| comment.to_string()),
        }
    }

    /// Forget every answer and the comment, and go back to the welcome screen.
    fn wipe(&mut self) -> Vec<Effect> {
        self.answers.iter_mut().for_each(|a| *a = None);
        self.comment.zeroize();
        self.lang = 0;
        self.focus = None;
        self.advance_at = None;
        self.hint = false;
        self.overlay = None;
        self.screen = Screen::Welcome;
        vec![Effect::ClearScreen]
    }

    /// Move to another main screen with no focus.
    fn go(&mut self, screen: Screen) {
        self.screen = screen;
        self.focus = None;
        self.advance_at = None;
        self.hint = false;
    }
}

/// Screens where a patient may have walked away mid-survey.
fn is_patient_screen(s: &Screen) -> bool {
    matches!(
        s,
        Screen::Language
            | Screen::Question(_)
            | Screen::Comment
            | Screen::Confirm
            | Screen::SaveFailed
    )
}

/// Apply one message; the returned effects are for the event loop to carry out, in order. When
/// speech is on and the message changed what the screen is about, the last effect says the new
/// screen (or hushes, for a screen that is not read aloud).
pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    let before = m.speech.then(|| m.topic());
    let mut effects = apply(m, msg);
    effects.extend(m.speech_after(before));
    effects
}

fn apply(m: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key, now) => {
            m.now = now;
            m.last_input = now;
            m.key(key, now)
        }
        Msg::Press(button, now) => {
            m.now = now;
            m.last_input = now;
            m.press(button, now)
        }
        Msg::Tap(now) => {
            m.now = now;
            m.last_input = now;
            m.key(Key::Other, now)
        }
        Msg::Tick(now) => {
            m.now = m.now.max(now);
            m.tick(now)
        }
        Msg::Resize => vec![],
        Msg::Submitted(result, now) => {
            m.now = now;
            m.last_input = now;
            m.submitted(result, now)
        }
        Msg::PinChecked(result, now) => {
            m.now = now;
            m.last_input = now;
            m.pin_checked(result, now)
        }
        Msg::PinLocked(left, now) => {
            m.staff.locked_until = Some(now + left);
            vec![]
        }
        Msg::SetupDone(result, now) => {
            m.now = now;
            m.last_input = now;
            m.setup_done(result)
        }
        Msg::NewDay(day) => {
            m.day = Some(day);
            vec![]
        }
        Msg::Paste(text, now) => {
            m.now = now;
            m.last_input = now;
            m.paste(text)
        }
        Msg::SavingChecked(result, at) => {
            let log = result
                .as_ref()
                .err()
                .map(|reason| {
                    Effect::Log(format!(
                        "saving check failed: {}",
                        crate::sanitize::terminal_safe(reason)
                    ))
                })
                .into_iter()
                .collect();
            m.saving = Some(SavingCheck { result, at });
            log
        }
    }
}
