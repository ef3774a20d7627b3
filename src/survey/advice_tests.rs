//! The plain-language advice on whole survey files, through the loader's check as `icare survey
//! check` runs it.

use super::advice::*;
use super::diagnostic::{Diagnostic, Severity};
use super::timing::estimate;
use crate::survey::{check_str, load::EMBEDDED_ALL};

fn warnings(text: &str) -> Vec<Diagnostic> {
    check_str(text)
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Warning)
        .collect()
}

#[test]
fn the_shipped_surveys_get_no_advice() {
    for (text, name) in EMBEDDED_ALL {
        assert_eq!(warnings(text), [], "{name}");
    }
}

#[test]
fn a_scale_without_a_good_end_among_others_is_a_warning_at_its_name() {
    let (text, _) = EMBEDDED_ALL[0];
    // "Strongly disagree" marked positive too: both ends are good, so the kiosk cannot orient
    // the agreement scale beside the FFT.
    let text = text.replacen(
        "pl = \"Zdecydowanie się nie zgadzam\" } }",
        "pl = \"Zdecydowanie się nie zgadzam\" }, positive = true }",
        1,
    );
    let found = warnings(&text);
    assert!(
        found
            .iter()
            .any(|d| d.key == "scales.agree" && d.message.contains("scale `fft`")),
        "{found:?}"
    );
}

#[test]
fn too_few_minutes_is_a_warning_with_the_figure_to_use() {
    let (text, _) = EMBEDDED_ALL[0];
    let survey = crate::survey::embedded().unwrap();
    let needed = estimate(&survey).minutes.ceil() as u32;
    let text = text.replacen(
        &format!("minutes = {}", survey.minutes),
        &format!("minutes = {}", needed - 1),
        1,
    );
    let found = warnings(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].key, "survey.minutes");
    assert!(
        found[0]
            .message
            .contains(&format!("set `minutes = {needed}`")),
        "{}",
        found[0].message
    );
}

#[test]
fn hard_polish_is_a_warning_at_the_language_naming_the_hardest_item() {
    let (text, _) = EMBEDDED_ALL[2];
    let hard = "Niniejszym informujemy, że przedmiotowa dokumentacja zostanie zweryfikowana.";
    let text = text.replacen(
        "pl = \"Coś mi dolega i trzeba to jeszcze zbadać.\"",
        &format!("pl = \"{hard}\""),
        1,
    );
    let found = warnings(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].key, "survey.languages[1]");
    let survey = check_str(&text).survey.unwrap();
    let i = survey
        .items
        .iter()
        .position(|it| it.text.get("pl") == hard)
        .unwrap();
    assert!(
        found[0].message.contains(&format!("start with items[{i}]")),
        "{}",
        found[0].message
    );
}

#[test]
fn the_summary_names_each_measure_and_the_minutes() {
    let s = crate::survey::embedded().unwrap();
    let line = reading_summary(&s);
    for words in [
        "en Flesch–Kincaid grade",
        "pl Pisarek index",
        "100 words a minute",
        "the survey says",
    ] {
        assert!(line.contains(words), "{line}");
    }
}
