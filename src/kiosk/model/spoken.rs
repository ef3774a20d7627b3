//! What the kiosk says aloud on each screen, as plain data for the speech engine: the welcome,
//! the language choice, each question with all its numbered answers, the comment prompt, "Ready
//! to send?", the thank-you and "Are you still there?".
//!
//! Only the survey's and the kiosk's own words are ever said: never which answer was chosen, never
//! a typed comment (a waiting room may hear a loudspeaker). Staff and set-up screens are silent.

use super::{Choice, Model, Overlay, STILL_THERE_FOR, Screen, choices};
use crate::kiosk::strings::{self, Strings, fill};
use crate::sanitize::terminal_safe;
use crate::speech::{Part, Utterance};

/// `text` cleaned of control characters and ending like a sentence, so the engine pauses after it.
fn sentence(text: &str) -> String {
    let t = terminal_safe(text.trim()).into_owned();
    if t.is_empty() || t.ends_with(['.', '!', '?', ':']) {
        t
    } else {
        format!("{t}.")
    }
}

/// Sentences joined with spaces.
fn say(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| sentence(p))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `1: label. 2: label.` for numbered buttons.
fn numbered(labels: &[&str]) -> String {
    let items: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| sentence(&format!("{}: {}", i + 1, l)))
        .collect();
    items.join(" ")
}

/// What is said on the screen `m` shows now, or `None` for a screen that is not read aloud.
pub fn utterance(m: &Model) -> Option<Utterance> {
    let lang = m.language().to_string();
    let s = strings::for_language(&lang);
    let survey = m.survey();
    let one = |name: &str, text: String| Some(Utterance::new(name, &lang, text));
    match (m.overlay(), m.screen()) {
        (Some(Overlay::StillThere { .. }), _) => one(
            "still-there",
            say(&[
                s.still_there,
                &fill(s.clearing_in, &[&STILL_THERE_FOR.as_secs()]),
                s.keys_any,
            ]),
        ),
        (Some(_), _) => None,
        (None, Screen::Welcome) => {
            let lang0 = survey.default_language().to_string();
            let s0 = strings::for_language(&lang0);
            let mut parts = vec![Part {
                lang: lang0.clone(),
                text: say(&[
                    survey.title.get(&lang0),
                    survey.introduction.get(&lang0),
                    s0.anonymous,
                    &fill(s0.about_minutes, &[&survey.minutes]),
                    s0.how_to_answer,
                    s0.say_hear_again,
                    s0.press_to_start,
                ]),
            }];
            // Someone who understands another of the survey's languages hears that they can start.
            for code in &survey.languages {
                let other = strings::for_language(code);
                if other.press_to_start != s0.press_to_start {
                    parts.push(Part {
                        lang: code.clone(),
                        text: say(&[other.press_to_start]),
                    });
                }
            }
            Some(Utterance {
                name: "welcome".into(),
                parts,
            })
        }
        (None, Screen::Language) => {
            let mut parts: Vec<Part> = Vec::new();
            for code in &survey.languages {
                let words = strings::for_language(code).choose_language;
                if !parts.iter().any(|p| p.text == sentence(words)) {
                    parts.push(Part {
                        lang: code.clone(),
                        text: sentence(words),
                    });
                }
            }
            for (i, code) in survey.languages.iter().enumerate() {
                parts.push(Part {
                    lang: code.clone(),
                    text: sentence(&format!("{}: {}", i + 1, strings::language_name(code))),
                });
            }
            Some(Utterance {
                name: "language".into(),
                parts,
            })
        }
        (None, Screen::Question(n)) => {
            let mut text = question(m, *n, s)?;
            if m.hint() {
                text = format!("{} {text}", sentence(s.please_choose));
            }
            one(&format!("question-{:02}", n + 1), text)
        }
        (None, Screen::Comment) => {
            let c = survey.comment.as_ref()?;
            one(
                "comment",
                say(&[c.prompt.get(&lang), c.privacy.get(&lang), s.say_comment]),
            )
        }
        (None, Screen::Confirm) => one(
            "confirm",
            format!(
                "{} {}",
                say(&[s.ready, s.ready_body]),
                numbered(&[s.send, s.go_back])
            ),
        ),
        (None, Screen::Thanks { .. }) => one("thanks", say(&[s.thanks, s.thanks_body])),
        (None, Screen::SaveFailed) => one(
            "save-failed",
            format!(
                "{} {}",
                say(&[s.sorry, s.sorry_body]),
                numbered(&[s.try_again, s.finish])
            ),
        ),
        (None, Screen::Setup(_) | Screen::SetupDone(_) | Screen::Sending) => None,
    }
}

/// "Question 4 of 26. The question. 1: first answer. 2: ..." with every answer the screen offers,
/// in the order of their number keys.
fn question(m: &Model, n: usize, s: &Strings) -> Option<String> {
    let (text, scale) = m.step(n)?;
    let lang = m.language();
    let labels: Vec<&str> = choices(scale)
        .into_iter()
        .map(|c| match c {
            Choice::Value(v) => scale.point(v).map_or("", |p| p.label.get(lang)),
            Choice::NotApplicable => s.does_not_apply,
            Choice::Skip => s.skip,
        })
        .collect();
    Some(format!(
        "{} {}",
        say(&[
            &fill(s.question_of, &[&(n + 1), &m.steps()]),
            text.get(lang)
        ]),
        numbered(&labels)
    ))
}

/// "Please choose an answer." on question `n`, said when the reminder appears.
pub fn hint(m: &Model, n: usize) -> Utterance {
    let lang = m.language();
    let s = strings::for_language(lang);
    Utterance::new(
        &format!("hint-{:02}", n + 1),
        lang,
        sentence(s.please_choose),
    )
}

#[cfg(test)]
mod tests;
