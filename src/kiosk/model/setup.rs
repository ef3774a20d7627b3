//! First-run setup inside the kiosk: site name, manager passphrase twice, exit PIN twice, and
//! whether to read the screens aloud.

use super::{Effect, Key, Model, Screen};
use crate::kiosk::backend::SetupInfo;
use crate::kiosk::secret::Secret;
use crate::kiosk::settings::Settings;
use crate::sanitize::{is_unsafe, terminal_safe};

/// Shortest manager passphrase accepted.
pub const MIN_PASSPHRASE_CHARS: usize = 12;
/// Exit PIN length, in digits.
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = crate::keys::PIN_DIGITS;
/// Longest site name.
pub const MAX_SITE_CHARS: usize = 60;
const MAX_FIELD_CHARS: usize = 200;

/// Which field the setup form is asking for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SetupStep {
    #[default]
    Site,
    Passphrase,
    PassphraseAgain,
    Pin,
    PinAgain,
    /// Read the screens aloud? 1 yes, 2 no.
    Speech,
    /// Waiting for the backend.
    Working,
}

/// Why the last entry was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupProblem {
    SiteEmpty,
    PassphraseShort,
    PassphrasesDiffer,
    PinNotDigits,
    PinsDiffer,
    /// Anything but 1 or 2 on the speech question.
    ChooseSpeech,
    /// The backend could not create the store; the reason is for staff.
    Failed(String),
}

/// The first-run form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetupForm {
    pub step: SetupStep,
    pub site: String,
    passphrase: Secret,
    pin: Secret,
    /// What is being typed into the current field.
    pub input: Secret,
    pub problem: Option<SetupProblem>,
    /// The answer to "Read the screens aloud?".
    pub speech: Option<bool>,
}

impl SetupForm {
    /// Whether the current field is secret (shown as dots).
    pub fn secret(&self) -> bool {
        !matches!(self.step, SetupStep::Site)
    }

    /// Pasted text into the current field: no control characters (line breaks included), no
    /// more than the field holds.
    pub(super) fn paste(&mut self, text: &str) {
        if matches!(self.step, SetupStep::Speech | SetupStep::Working) {
            return;
        }
        let room = MAX_FIELD_CHARS.saturating_sub(self.input.chars().count());
        for c in text.chars().filter(|c| !is_unsafe(*c)).take(room) {
            self.input.push(c);
        }
    }
}

/// A rough strength hint for a passphrase: 0 (weak) to 3 (strong), from its length and the kinds
/// of characters in it. Only a hint; the rule enforced is [`MIN_PASSPHRASE_CHARS`].
pub fn strength(passphrase: &str) -> u8 {
    let n = passphrase.chars().count();
    let kinds = [
        passphrase.chars().any(|c| c.is_lowercase()),
        passphrase.chars().any(|c| c.is_uppercase()),
        passphrase.chars().any(|c| c.is_ascii_digit()),
        passphrase.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|k| **k)
    .count();
    match n {
        0..12 => 0,
        12..16 => 1 + u8::from(kinds >= 3),
        16..24 => 2 + u8::from(kinds >= 2),
        _ => 3,
    }
}

impl Model {
    pub(super) fn setup_key(&mut self, key: Key) -> Vec<Effect> {
        let Screen::Setup(form) = &mut self.screen else {
            return vec![];
        };
        if form.step == SetupStep::Working {
            return vec![];
        }
        if form.step == SetupStep::Speech {
            return speech_key(form, key);
        }
        match key {
            Key::Char(c) if !is_unsafe(c) => {
                if form.input.chars().count() < MAX_FIELD_CHARS {
                    form.input.push(c);
                }
                vec![]
            }
            Key::Backspace => {
                form.input.pop();
                vec![]
            }
            Key::Esc => {
                form.input = Secret::default();
                form.problem = None;
                form.step = back(form.step);
                vec![]
            }
            Key::Enter => enter(form),
            _ => vec![],
        }
    }

    pub(super) fn setup_done(&mut self, result: Result<SetupInfo, String>) -> Vec<Effect> {
        let Screen::Setup(form) = &mut self.screen else {
            return vec![];
        };
        match result {
            Ok(info) => {
                let speech = form.speech == Some(true);
                self.speech |= speech;
                self.go(Screen::SetupDone(info));
                vec![
                    Effect::ClearScreen,
                    Effect::Log("store set up".to_string()),
                    Effect::SaveSettings(Settings { speech }),
                ]
            }
            Err(reason) => {
                let reason = terminal_safe(&reason).into_owned();
                form.step = SetupStep::Site;
                form.input = Secret::from(form.site.as_str());
                form.problem = Some(SetupProblem::Failed(reason.clone()));
                vec![Effect::Log(format!("setup failed: {reason}"))]
            }
        }
    }
}

/// The step Esc goes back to.
fn back(step: SetupStep) -> SetupStep {
    match step {
        SetupStep::Passphrase => SetupStep::Site,
        SetupStep::PassphraseAgain | SetupStep::Pin => SetupStep::Passphrase,
        SetupStep::PinAgain | SetupStep::Speech => SetupStep::Pin,
        s => s,
    }
}

/// "Read the screens aloud?": 1 or y for yes, 2 or n for no; then the store is made.
fn speech_key(form: &mut SetupForm, key: Key) -> Vec<Effect> {
    form.problem = None;
    let choice = match key {
        Key::Char('1' | 'y' | 'Y') => true,
        Key::Char('2' | 'n' | 'N') => false,
        Key::Esc => {
            form.step = back(form.step);
            return vec![];
        }
        _ => {
            form.problem = Some(SetupProblem::ChooseSpeech);
            return vec![];
        }
    };
    form.speech = Some(choice);
    form.step = SetupStep::Working;
    vec![Effect::Setup {
        site: form.site.clone(),
        passphrase: form.passphrase.clone(),
        pin: form.pin.clone(),
    }]
}

/// Accept the current field, or say what is wrong with it.
fn enter(form: &mut SetupForm) -> Vec<Effect> {
    let input = std::mem::replace(&mut form.input, Secret::with_capacity(MAX_FIELD_CHARS * 4));
    form.problem = None;
    match form.step {
        SetupStep::Site => {
            let site: String = input.trim().chars().take(MAX_SITE_CHARS).collect();
            if site.is_empty() {
                form.problem = Some(SetupProblem::SiteEmpty);
            } else {
                form.site = site;
                form.step = SetupStep::Passphrase;
            }
        }
        SetupStep::Passphrase => {
            if input.chars().count() < MIN_PASSPHRASE_CHARS {
                form.problem = Some(SetupProblem::PassphraseShort);
            } else {
                form.passphrase = input;
                form.step = SetupStep::PassphraseAgain;
            }
        }
        SetupStep::PassphraseAgain => {
            if input != form.passphrase {
                form.problem = Some(SetupProblem::PassphrasesDiffer);
                form.step = SetupStep::Passphrase;
            } else {
                form.step = SetupStep::Pin;
            }
        }
        SetupStep::Pin => {
            let ok = PIN_DIGITS.contains(&input.chars().count())
                && input.chars().all(|c| c.is_ascii_digit());
            if ok {
                form.pin = input;
                form.step = SetupStep::PinAgain;
            } else {
                form.problem = Some(SetupProblem::PinNotDigits);
            }
        }
        SetupStep::PinAgain => {
            if input != form.pin {
                form.problem = Some(SetupProblem::PinsDiffer);
                form.step = SetupStep::Pin;
            } else {
                form.step = SetupStep::Speech;
            }
        }
        SetupStep::Speech | SetupStep::Working => {}
    }
    vec![]
}
