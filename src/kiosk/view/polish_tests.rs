//! Every patient screen in Polish at the smallest size, 60×20, with the full iCARE survey (the
//! staff and set-up screens are for staff and stay in English), plus the "Hear it again" button
//! and two-row answer buttons under a two-line question.

use super::tests::{draw, text};
use crate::kiosk::model::tests::Kiosk;
use crate::kiosk::model::{Key, Msg};
use crate::tui::Theme;

/// The full survey, Polish chosen, on question 1.
fn polish() -> Kiosk {
    let mut k = Kiosk::new(crate::survey::load::EMBEDDED_ICARE);
    k.key(Key::Enter).keys("2");
    k
}

fn speaking(mut k: Kiosk) -> Kiosk {
    let m = k.m;
    k.m = m.with_speech(true);
    k
}

fn comment() -> Kiosk {
    let mut k = polish();
    for _ in 0..k.m.steps() {
        k.answer('7');
    }
    k
}

/// Each patient screen in Polish.
fn screens() -> Vec<(&'static str, Kiosk)> {
    let mut out = vec![];
    let mut k = Kiosk::new(crate::survey::load::EMBEDDED_ICARE);
    k.key(Key::Enter);
    out.push(("language", k));
    let mut k = polish();
    k.answer('4').keys("2").key(Key::Down);
    out.push(("question_chosen", k));
    let mut k = polish();
    let last = k.m.steps() - 1;
    for _ in 0..last {
        k.answer('7');
    }
    k.keys("5");
    out.push(("headline_chosen", k));
    let mut k = comment();
    k.keys("Pielęgniarka mnie wysłuchała i się nie spieszyła.");
    out.push(("comment", k));
    let mut k = comment();
    k.key(Key::Enter);
    out.push(("confirm", k));
    let mut k = comment();
    k.key(Key::Enter).key(Key::Enter);
    out.push(("sending", k));
    let mut k = comment();
    k.key(Key::Enter).key(Key::Enter);
    let now = k.now;
    k.send(Msg::Submitted(Ok(()), now));
    out.push(("thanks", k));
    let mut k = comment();
    k.key(Key::Enter).key(Key::Enter);
    let now = k.now;
    k.send(Msg::Submitted(Err("disk full".into()), now));
    out.push(("save_failed", k));
    let mut k = polish();
    k.answer('1').wait(60.0).wait(3.0);
    out.push(("still_there", k));
    let mut k = speaking(polish());
    k.keys("3");
    out.push(("question_speech", k));
    let mut k = speaking(comment());
    k.keys("Dobrze");
    out.push(("comment_speech", k));
    out
}

#[test]
fn every_patient_screen_in_polish_at_60x20() {
    for (name, k) in screens() {
        // The language list is shown before a language is chosen, in every language.
        assert!(name == "language" || k.m.language() == "pl", "{name}");
        let shown = text(&draw(&k.m, &Theme::COLOR, 60, 20));
        insta::assert_snapshot!(format!("polish_{name}_60x20"), shown);
    }
}

#[test]
fn under_a_two_line_question_every_answer_gets_two_rows_at_60x20() {
    // "I get letters saying my script will stop if I miss appointments." wraps to two lines.
    let mut k = Kiosk::new(crate::survey::load::EMBEDDED_ICARE);
    k.key(Key::Enter).keys("1");
    let n = k.m.survey().items.len() - 1;
    for _ in 0..n {
        k.answer('7');
    }
    let buf = draw(&k.m, &Theme::COLOR, 60, 20);
    let shown = text(&buf);
    assert!(shown.contains("Question 25 of 26"), "{shown}");
    let lines: Vec<&str> = shown.lines().collect();
    let row = |needle: &str| lines.iter().position(|l| l.contains(needle)).unwrap();
    assert_eq!(row("appointments.") - row("I get letters"), 1, "{shown}");
    for key in 1..=7 {
        let y = row(&format!("  {key}  "));
        assert!(
            lines[y + 1].contains('▀'),
            "answer {key} has a second row:\n{shown}"
        );
    }
}
