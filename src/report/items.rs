//! Each question's figures and answers, worded the same in every format: what lets a reader trace
//! a theme's score to the questions behind it. Only what disclosure control released: a
//! suppressed item says why, a withheld distribution says why, cells are `<5`, `–` or rounded.

use super::ReportData;
use super::common::{cell_text, mean_ci_of, reason, scale_labels, whole_text};
use crate::disclosure::{ItemSummary, ThemeSummary};

/// How the questions' figures read, said once above them.
pub const QUESTIONS_LEGEND: &str = "A theme's score is the average, over people, of each person's mean score on its questions: the questions below show which pulled it up or down. Answers per choice are rounded to the nearest 5; <5 is one to four people; – is held back so that a small count cannot be worked out.";

/// Labels of an item's scale points, in scale order.
pub fn item_labels(data: &ReportData, id: &str) -> Vec<String> {
    let s = &data.survey;
    let item = s.items.iter().find(|x| x.id == id);
    scale_labels(data, item.and_then(|x| s.item_scale(x)))
}

/// An item's figures in one line ("score 62 (61–63) · 58% positive · n 4900"), or why they are
/// not shown.
pub fn item_figures(i: &ItemSummary) -> String {
    if let Some(r) = &i.suppressed {
        return reason(r);
    }
    let mut parts = Vec::new();
    if i.mean.is_some() {
        parts.push(format!("score {}", mean_ci_of(i.mean, i.ci_low, i.ci_high)));
    }
    if let Some(p) = i.pct_positive {
        parts.push(format!("{}% positive", whole_text(Some(p))));
    }
    parts.push(format!("n {}", i.n));
    parts.join(" · ")
}

/// An item's answers as released, in one line ("Strongly disagree 300 · … · Does not apply 40 ·
/// Skipped 60"; `<5` and `–` as published), or why they are withheld; `None` when the item is
/// not shown at all.
pub fn item_answers(data: &ReportData, i: &ItemSummary) -> Option<String> {
    if let Some(why) = item_answers_withheld(i) {
        return Some(why);
    }
    let cells = item_answer_cells(data, i)?;
    let mut labels = item_labels(data, &i.id);
    if item_has_not_applicable(data, &i.id) {
        labels.push("Does not apply".into());
    }
    labels.push("Skipped".into());
    let parts: Vec<String> = labels
        .iter()
        .zip(&cells)
        .map(|(l, c)| format!("{l} {c}"))
        .collect();
    Some(parts.join(" · "))
}

/// The answer columns of a theme's questions when they all share one scale: its points, "Does
/// not apply" when the scale offers it, and "Skipped"; `None` when they use different scales.
pub fn theme_answer_columns(data: &ReportData, t: &ThemeSummary) -> Option<Vec<String>> {
    let s = &data.survey;
    let mut scales = t.items.iter().map(|i| {
        s.items
            .iter()
            .find(|x| x.id == i.id)
            .map(|x| x.scale.as_str())
    });
    let first = scales.next()??;
    if !scales.all(|x| x == Some(first)) {
        return None;
    }
    let id = &t.items.first()?.id;
    let mut cols = item_labels(data, id);
    if item_has_not_applicable(data, id) {
        cols.push("Does not apply".into());
    }
    cols.push("Skipped".into());
    Some(cols)
}

/// An item's released answer counts in the order of [`theme_answer_columns`] (`<5`, `–` as
/// published), or `None` when its distribution is not shown.
pub fn item_answer_cells(data: &ReportData, i: &ItemSummary) -> Option<Vec<String>> {
    let d = i.distribution.as_ref().filter(|_| i.suppressed.is_none())?;
    let mut cells: Vec<String> = d.points.iter().map(|c| cell_text(*c)).collect();
    if item_has_not_applicable(data, &i.id) {
        cells.push(cell_text(d.not_applicable));
    }
    cells.push(cell_text(d.skipped));
    Some(cells)
}

/// Why an item's answers are not shown, when its figures are.
pub fn item_answers_withheld(i: &ItemSummary) -> Option<String> {
    if i.suppressed.is_some() || i.distribution.is_some() {
        return None;
    }
    Some(format!(
        "answers {}",
        i.detail_withheld
            .as_ref()
            .map_or_else(|| "not shown".to_string(), reason)
    ))
}

/// Whether an item's scale offers "Does not apply".
pub fn item_has_not_applicable(data: &ReportData, id: &str) -> bool {
    let s = &data.survey;
    s.items
        .iter()
        .find(|x| x.id == id)
        .and_then(|x| s.item_scale(x))
        .is_some_and(|sc| sc.not_applicable)
}
