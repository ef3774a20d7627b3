//! What each screen says, as plain data: the view lays a [`Page`] out and draws it, and input
//! uses the same layout to find the button under a tap.

use std::time::Duration;

use super::model::setup::{MIN_PASSPHRASE_CHARS, PIN_DIGITS, strength};
use super::model::{
    Button, Choice, LOCKOUT, Model, Overlay, PinNote, STILL_THERE_FOR, Screen, SetupForm,
    SetupProblem, SetupStep,
};
use super::strings::{self, Strings, fill};
use crate::sanitize::terminal_safe;

/// One screen's content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// `(step, steps)`, shown as "Question 4 of 22" and a bar.
    pub progress: Option<(usize, usize)>,
    pub heading: String,
    pub body: Vec<Para>,
    pub field: Option<Field>,
    /// A gentle note above the buttons ("Please choose an answer.").
    pub notice: Option<String>,
    /// Large stacked buttons.
    pub choices: Vec<ButtonSpec>,
    /// Small buttons on the bottom row (Back, Next).
    pub nav: Vec<ButtonSpec>,
    /// The keys, in plain words.
    pub keys: String,
    /// "Question 4 of 22" for `progress`.
    pub progress_label: String,
    /// The words next to the tick on the chosen answer.
    pub chosen_word: String,
}

/// A paragraph of body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Para {
    Text(String),
    Strong(String),
}

/// A text entry box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// What is shown inside (dots for secrets).
    pub text: String,
    /// A line under the box.
    pub caption: String,
    /// Room for a paragraph (else one line).
    pub multiline: bool,
}

/// One button as drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ButtonSpec {
    pub button: Button,
    /// The number key that presses it.
    pub number: Option<usize>,
    pub label: String,
    /// The patient's current answer: marked with a tick and words, not colour alone.
    pub chosen: bool,
    pub focused: bool,
}

fn safe(s: &str) -> String {
    terminal_safe(s).into_owned()
}

/// The page for the model's current screen (or overlay).
pub fn page(m: &Model) -> Page {
    let s = strings::for_language(m.language());
    let mut p = match (m.overlay(), m.screen()) {
        (Some(o), _) => overlay(m, o, s),
        (None, screen) => main(m, screen, s),
    };
    let buttons = m.buttons();
    let numbered = m.numbered(&buttons);
    let focus = m.focus().and_then(|f| buttons.get(f)).copied();
    if let Some((step, steps)) = p.progress {
        p.progress_label = fill(s.question_of, &[&step, &steps]);
    }
    p.chosen_word = s.chosen.to_string();
    for b in p.choices.iter_mut().chain(p.nav.iter_mut()) {
        b.focused = Some(b.button) == focus;
    }
    for b in &mut p.choices {
        if !matches!(
            b.button,
            Button::Start | Button::StillHere | Button::Continue
        ) {
            b.number = numbered.iter().position(|x| *x == b.button).map(|i| i + 1);
        }
    }
    if buttons.contains(&Button::HearAgain) && m.overlay().is_none() {
        // Key 0 everywhere but in the comment box, where 0 is typed.
        let number = (!matches!(m.screen(), Screen::Comment)).then_some(0);
        let mut hear = button(Button::HearAgain, s.hear_again);
        hear.number = number;
        hear.focused = focus == Some(Button::HearAgain);
        // Between Back and Next (or Done); else after Back, or alone.
        let forward = p
            .nav
            .last()
            .is_some_and(|b| matches!(b.button, Button::Next | Button::Done));
        let at = p.nav.len() - usize::from(forward);
        p.nav.insert(at, hear);
    }
    p
}

fn button(button: Button, label: &str) -> ButtonSpec {
    ButtonSpec {
        button,
        number: None,
        label: safe(label),
        chosen: false,
        focused: false,
    }
}

fn main(m: &Model, screen: &Screen, s: &Strings) -> Page {
    let survey = m.survey();
    let lang = m.language();
    match screen {
        Screen::Setup(form) => setup(form),
        Screen::SetupDone(info) => Page {
            heading: "Setup finished".into(),
            body: vec![
                Para::Text("Manager public key:".into()),
                Para::Strong(safe(&info.public_key)),
                Para::Text("Manager identity file:".into()),
                Para::Strong(safe(&info.identity_file.display().to_string())),
                Para::Text(
                    "Keep the identity file and its passphrase safe. Staff leave the kiosk with \
                     F10 and the exit PIN."
                        .into(),
                ),
            ],
            choices: vec![button(Button::Continue, "Start the kiosk")],
            keys: "Press any key to start the kiosk".into(),
            ..Page::default()
        },
        Screen::Welcome => {
            let mut body = vec![
                Para::Text(safe(survey.introduction.get(lang))),
                Para::Strong(s.anonymous.into()),
                Para::Text(fill(s.about_minutes, &[&survey.minutes])),
                Para::Text(s.how_to_answer.into()),
            ];
            // Someone who reads another of the survey's languages should know they can start.
            for code in &survey.languages {
                let other = strings::for_language(code).press_to_start;
                if other != s.press_to_start {
                    body.push(Para::Text(format!(
                        "{}: {other}",
                        strings::language_name(code)
                    )));
                }
            }
            Page {
                heading: safe(survey.title.get(lang)),
                body,
                choices: vec![button(Button::Start, s.press_to_start)],
                keys: s.keys_any.into(),
                ..Page::default()
            }
        }
        Screen::Language => {
            let mut heading = String::new();
            for code in &survey.languages {
                let words = strings::for_language(code).choose_language;
                if !heading.contains(words) {
                    if !heading.is_empty() {
                        heading.push_str(" / ");
                    }
                    heading.push_str(words);
                }
            }
            Page {
                heading,
                choices: survey
                    .languages
                    .iter()
                    .enumerate()
                    .map(|(i, code)| button(Button::Language(i), strings::language_name(code)))
                    .collect(),
                nav: vec![button(Button::Back, s.back)],
                keys: s.keys_buttons.into(),
                ..Page::default()
            }
        }
        Screen::Question(n) => question(m, *n, s),
        Screen::Comment => {
            let c = survey.comment.as_ref();
            let max = c.map(|c| c.max_chars as usize).unwrap_or(0);
            let left = max.saturating_sub(m.comment().chars().count());
            Page {
                heading: c.map(|c| safe(c.prompt.get(lang))).unwrap_or_default(),
                body: vec![Para::Strong(
                    c.map(|c| safe(c.privacy.get(lang))).unwrap_or_default(),
                )],
                field: Some(Field {
                    text: safe(m.comment()),
                    caption: fill(s.letters_left, &[&left]),
                    multiline: true,
                }),
                nav: vec![button(Button::Back, s.back), button(Button::Done, s.done)],
                keys: s.keys_comment.into(),
                ..Page::default()
            }
        }
        Screen::Confirm => Page {
            heading: s.ready.into(),
            body: vec![Para::Text(s.ready_body.into())],
            choices: vec![
                button(Button::Send, s.send),
                button(Button::GoBack, s.go_back),
            ],
            keys: s.keys_buttons.into(),
            ..Page::default()
        },
        Screen::Sending => Page {
            heading: s.sending.into(),
            ..Page::default()
        },
        Screen::Thanks { .. } => Page {
            heading: s.thanks.into(),
            body: vec![Para::Text(s.thanks_body.into())],
            keys: s.keys_any.into(),
            ..Page::default()
        },
        Screen::SaveFailed => Page {
            heading: s.sorry.into(),
            body: vec![Para::Text(s.sorry_body.into())],
            choices: vec![
                button(Button::TryAgain, s.try_again),
                button(Button::Finish, s.finish),
            ],
            keys: s.keys_choose.into(),
            ..Page::default()
        },
    }
}

fn question(m: &Model, n: usize, s: &Strings) -> Page {
    let Some((text, scale)) = m.step(n) else {
        return Page::default();
    };
    let lang = m.language();
    let answer = m.answer(n);
    let choices = super::model::choices(scale)
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let label = match c {
                Choice::Value(v) => scale.point(v).map(|p| p.label.get(lang)).unwrap_or(""),
                Choice::NotApplicable => s.does_not_apply,
                Choice::Skip => s.skip,
            };
            ButtonSpec {
                chosen: answer == Some(c.answer()),
                ..button(Button::Choice(i), label)
            }
        })
        .collect();
    Page {
        progress: Some((n + 1, m.steps())),
        heading: safe(text.get(lang)),
        choices,
        notice: m.hint().then(|| s.please_choose.to_string()),
        nav: vec![button(Button::Back, s.back), button(Button::Next, s.next)],
        keys: s.keys_question.into(),
        ..Page::default()
    }
}

fn setup(form: &SetupForm) -> Page {
    let shown = if form.secret() {
        "•".repeat(form.input.chars().count())
    } else {
        safe(&form.input)
    };
    let (ask, caption): (String, String) = match form.step {
        SetupStep::Site => (
            "Type the name of this practice, then press Enter.".to_string(),
            String::new(),
        ),
        SetupStep::Passphrase => (
            format!(
                "Choose the manager passphrase: at least {MIN_PASSPHRASE_CHARS} characters; a few \
                 unrelated words work well. Managers need it to read the answers. If it is lost, \
                 the answers are lost too: nobody can get them back. Write it down and keep it \
                 safe."
            ),
            format!(
                "Strength: {}",
                ["too short", "fair", "good", "strong"][usize::from(strength(&form.input).min(3))]
            ),
        ),
        SetupStep::PassphraseAgain => ("Type the passphrase again.".into(), String::new()),
        SetupStep::Pin => (
            format!(
                "Choose the exit PIN: {} to {} digits. Staff type it after pressing F10 to leave \
                 the kiosk.",
                PIN_DIGITS.start(),
                PIN_DIGITS.end()
            ),
            String::new(),
        ),
        SetupStep::PinAgain => ("Type the exit PIN again.".into(), String::new()),
        SetupStep::Speech => (
            "Read the screens aloud? The kiosk can read each question and its answers aloud, in \
             the patient's language, for people who find reading hard. Patients then need \
             headphones: a loudspeaker would let the waiting room hear the questions. The \
             patient's answers and words are never read aloud. Press 1 for yes, 2 for no."
                .into(),
            String::new(),
        ),
        SetupStep::Working => (
            "Setting up. This can take a few seconds.".into(),
            String::new(),
        ),
    };
    let mut body = vec![Para::Text(ask)];
    if !form.site.is_empty() {
        body.insert(0, Para::Strong(format!("Practice: {}", safe(&form.site))));
    }
    Page {
        heading: "Set up this kiosk".into(),
        body,
        field: (!matches!(form.step, SetupStep::Working | SetupStep::Speech)).then_some(Field {
            text: shown,
            caption,
            multiline: false,
        }),
        notice: form.problem.as_ref().map(|p| match p {
            SetupProblem::SiteEmpty => "Please type a name.".to_string(),
            SetupProblem::PassphraseShort => {
                format!("Please use at least {MIN_PASSPHRASE_CHARS} characters.")
            }
            SetupProblem::PassphrasesDiffer => {
                "The two passphrases were different. Please type it again.".to_string()
            }
            SetupProblem::PinNotDigits => format!(
                "Please use {} to {} digits.",
                PIN_DIGITS.start(),
                PIN_DIGITS.end()
            ),
            SetupProblem::PinsDiffer => {
                "The two PINs were different. Please type it again.".to_string()
            }
            SetupProblem::ChooseSpeech => "Please press 1 for yes or 2 for no.".to_string(),
            SetupProblem::Failed(reason) => format!("Setup failed: {reason}"),
        }),
        keys: if form.step == SetupStep::Speech {
            "1: yes, read aloud · 2: no · Esc: go back a step".into()
        } else {
            "Type, then press Enter · Esc: go back a step".into()
        },
        ..Page::default()
    }
}

/// Whether saving works and when that was checked; a save that failed since the menu was last
/// opened. No count and no time of any response: staff who watch the room must not learn from
/// the menu who answered.
fn staff_menu_body(m: &Model) -> Vec<Para> {
    let mut body = vec![match m.saving() {
        Some(check) => {
            let at = check.at.format("%H:%M");
            match &check.result {
                Ok(()) => Para::Strong(format!("Saving works (checked at {at}).")),
                Err(reason) => Para::Strong(format!(
                    "Saving does not work: {} (checked at {at}). Answers cannot be saved until \
                     this is fixed.",
                    safe(reason)
                )),
            }
        }
        None => Para::Text("Saving has not been checked yet.".into()),
    }];
    if let Some(reason) = m.save_failed() {
        body.push(Para::Text(format!(
            "A save failed since this menu was last opened: {}.",
            safe(reason)
        )));
    }
    body
}

fn minutes_left(d: Duration) -> u64 {
    d.as_secs().div_ceil(60).max(1)
}

fn overlay(m: &Model, o: &Overlay, s: &Strings) -> Page {
    match o {
        Overlay::StillThere { since } => {
            let passed = m.now().saturating_duration_since(*since).as_secs();
            let left = STILL_THERE_FOR.as_secs().saturating_sub(passed);
            Page {
                heading: s.still_there.into(),
                body: vec![Para::Strong(fill(s.clearing_in, &[&left]))],
                choices: vec![button(Button::StillHere, s.still_here)],
                keys: s.keys_any.into(),
                ..Page::default()
            }
        }
        Overlay::StaffPin { entry, note } => Page {
            heading: "Staff only".into(),
            body: vec![Para::Text("Type the exit PIN, then press Enter.".into())],
            field: Some(Field {
                text: "•".repeat(entry.chars().count()),
                caption: String::new(),
                multiline: false,
            }),
            notice: match note {
                PinNote::None => None,
                PinNote::Wrong { left } => Some(format!(
                    "That PIN is not right. {left} {} left.",
                    if *left == 1 { "try" } else { "tries" }
                )),
                PinNote::CheckFailed => {
                    Some("The PIN could not be checked. The reason is in kiosk.log.".into())
                }
            },
            nav: vec![button(Button::StaffResume, "Back to the survey")],
            keys: "Type the PIN · Enter: check · Esc: back to the survey".into(),
            ..Page::default()
        },
        Overlay::StaffLocked { until } => Page {
            heading: "Staff menu locked".into(),
            body: vec![Para::Text(format!(
                "Too many wrong PINs. Try again in {} minutes.",
                minutes_left(until.saturating_duration_since(m.now()).min(LOCKOUT))
            ))],
            nav: vec![button(Button::StaffResume, "Back to the survey")],
            keys: "Press any key to go back to the survey".into(),
            ..Page::default()
        },
        Overlay::StaffMenu => Page {
            heading: "Staff menu".into(),
            body: staff_menu_body(m),
            choices: vec![
                button(Button::StaffResume, "Back to the survey"),
                button(Button::StaffQuit, "Quit the kiosk"),
            ],
            keys: "Number: choose · Enter: OK · Esc: back to the survey".into(),
            ..Page::default()
        },
    }
}

#[cfg(test)]
mod tests;
