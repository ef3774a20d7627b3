//! The HTML report's questions, theme by theme: each theme's figures, then a table of its
//! questions with their scores and answers as disclosure control released them, so a theme's
//! score can be traced to the questions behind it.

use std::fmt::Write as _;

use super::{escape, section};
use crate::disclosure::{ItemSummary, ThemeSummary};
use crate::report::common::{self, whole_text};
use crate::report::{ReportData, items};

/// The section: one block per theme.
pub fn render(o: &mut String, data: &ReportData) {
    section(o, data, "Questions, theme by theme", "long");
    let _ = write!(
        o,
        r#"<p class="legend">{}</p>"#,
        escape(items::QUESTIONS_LEGEND)
    );
    for t in &data.overall.themes {
        theme(o, data, t);
    }
    o.push_str("</section>");
}

fn theme(o: &mut String, data: &ReportData, t: &ThemeSummary) {
    let head = match &t.suppressed {
        Some(r) => common::reason(r),
        None => {
            let mut f = format!("score {} · n {}", common::mean_ci(t), t.n);
            if let Some(p) = t.pct_positive {
                f.push_str(&format!(" · {}% of answers positive", whole_text(Some(p))));
            }
            f
        }
    };
    let _ = write!(
        o,
        r#"<div class="theme"><h3>{}. {} <small>· {}</small></h3>"#,
        t.number,
        escape(&t.name),
        escape(&head)
    );
    let said = common::theme_title(data, &t.id);
    if !said.is_empty() {
        let _ = write!(o, r#"<p class="said">“{}”</p>"#, escape(said));
    }
    if t.items.iter().all(|i| i.suppressed.is_some()) {
        let why = t
            .items
            .iter()
            .find_map(|i| i.suppressed.as_ref())
            .map(common::reason)
            .unwrap_or_default();
        let _ = write!(
            o,
            r#"<p class="empty">Its questions: {}.</p></div>"#,
            escape(&why)
        );
        return;
    }
    o.push_str(r#"<table class="data items figures"><colgroup><col class="k"><col><col class="s"><col class="p"><col class="m"></colgroup><tr><th>#</th><th>Question</th><th class="num">Score (95% CI)</th><th class="num">% positive</th><th class="num">n</th></tr>"#);
    for (k, i) in t.items.iter().enumerate() {
        figures(o, data, t, k, i);
    }
    o.push_str("</table>");
    answers(o, data, t);
    o.push_str("</div>");
}

/// One question's row of figures.
fn figures(o: &mut String, data: &ReportData, t: &ThemeSummary, k: usize, i: &ItemSummary) {
    let reversed = if i.reversed {
        " <small>(scored in reverse)</small>"
    } else {
        ""
    };
    let _ = write!(
        o,
        "<tr><td>{}.{}</td><td>{}{reversed}</td>",
        t.number,
        k + 1,
        escape(common::item_text(data, &i.id))
    );
    if let Some(r) = &i.suppressed {
        let _ = write!(
            o,
            r#"<td colspan="3" class="suppressed">{}</td></tr>"#,
            escape(&common::reason(r))
        );
        return;
    }
    let pos = i
        .pct_positive
        .map_or("–".into(), |p| format!("{}%", whole_text(Some(p))));
    let _ = write!(
        o,
        r#"<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
        escape(&common::mean_ci_of(i.mean, i.ci_low, i.ci_high)),
        escape(&pos),
        i.n
    );
}

/// The theme's answers: one row per shown question, one column per choice when the questions
/// share a scale.
fn answers(o: &mut String, data: &ReportData, t: &ThemeSummary) {
    let shown: Vec<(usize, &ItemSummary)> = t
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| i.suppressed.is_none())
        .collect();
    if shown.is_empty() {
        return;
    }
    if shown.iter().all(|(_, i)| i.distribution.is_none()) {
        // Withheld for every question: said once.
        if let Some(why) = shown
            .iter()
            .find_map(|(_, i)| items::item_answers_withheld(i))
        {
            let _ = write!(o, r#"<p class="empty">Its {}.</p>"#, escape(&why));
        }
        return;
    }
    let columns = items::theme_answer_columns(data, t);
    let width = columns.as_ref().map_or(1, Vec::len);
    o.push_str(
        r#"<table class="data items answers"><colgroup><col class="k"></colgroup><tr><th>#</th>"#,
    );
    match &columns {
        Some(cols) => {
            for c in cols {
                let _ = write!(o, r#"<th class="num">{}</th>"#, escape(c));
            }
        }
        None => o.push_str("<th>Answers</th>"),
    }
    o.push_str("</tr>");
    for (k, i) in shown {
        let _ = write!(o, "<tr><td>{}.{}</td>", t.number, k + 1);
        match (items::item_answer_cells(data, i), &columns) {
            (Some(cells), Some(_)) => {
                for c in cells {
                    let _ = write!(o, r#"<td class="num">{}</td>"#, escape(&c));
                }
            }
            (Some(_), None) => {
                let _ = write!(
                    o,
                    "<td>{}</td>",
                    escape(&items::item_answers(data, i).unwrap_or_default())
                );
            }
            (None, _) => {
                let _ = write!(
                    o,
                    r#"<td colspan="{width}" class="suppressed">{}</td>"#,
                    escape(&items::item_answers_withheld(i).unwrap_or_default())
                );
            }
        }
        o.push_str("</tr>");
    }
    o.push_str("</table>");
}
