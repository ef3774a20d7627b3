//! A theme's page: its score and consistency, then each question with its answer distribution
//! (`<5` and hidden cells as disclosure control published them), "does not apply" and skipped.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::text::{cell, fit, hidden, people, put_str, safe, score};
use crate::disclosure::{ItemSummary, Reason, ThemeSummary};
use crate::manager::model::Model;
use crate::survey::Survey;
use crate::tui::Theme;
use crate::tui::layout::{wrap, wrap_parts};

/// One drawn line and its style.
type Row = (String, Style);

pub fn render(model: &Model, t: usize, theme: &Theme, r: Rect, buf: &mut Buffer) {
    let Some(summary) = model.data.overall.themes.get(t) else {
        return;
    };
    let (head, blocks) = lines(
        &model.data.survey,
        summary,
        t,
        model.data.overall.themes.len(),
        model.item,
        r.width,
        theme,
    );
    // The legend only where a count is shown as `<5` or hidden.
    let cells = summary
        .items
        .iter()
        .filter_map(|i| i.distribution.as_ref())
        .flat_map(|d| d.points.iter().chain([&d.not_applicable, &d.skipped]));
    let legend = if cells.clone().any(|c| c.is_hidden()) {
        let text =
            "<5: one to four people · hidden: held back so a small count cannot be worked out";
        wrap_parts(text, " · ", r.width)
    } else {
        Vec::new()
    };
    // The title stays on the first row; the rest scrolls by question, so the header shows while
    // the first question is selected and the selected question is always in view.
    let mut head = head.into_iter();
    if let Some((title, style)) = head.next() {
        put_str(buf, r, 0, &title, style);
    }
    let body_h = usize::from(r.height)
        .saturating_sub(1)
        .saturating_sub(legend.len().min(2));
    let mut rows: Vec<Row> = head.collect();
    let mut start = 0;
    let mut end = 0;
    // Where the view may start: any row of the theme's header, or the first row of a question,
    // so that no question is shown without its first lines.
    let mut tops: Vec<usize> = (0..rows.len()).collect();
    for (i, block) in blocks.into_iter().enumerate() {
        tops.push(rows.len());
        if i == model.item {
            start = rows.len();
            end = rows.len() + block.len();
        }
        rows.extend(block);
    }
    let offset = tops
        .into_iter()
        .filter(|&t| t <= start)
        .find(|&t| end - t <= body_h)
        .unwrap_or(start);
    for (i, (text, style)) in rows.iter().skip(offset).take(body_h).enumerate() {
        put_str(buf, r, 1 + i as u16, text, *style);
    }
    for (i, line) in legend.iter().take(2).enumerate() {
        put_str(buf, r, (1 + body_h + i) as u16, line, theme.quiet);
    }
}

/// The header rows and one block of rows per question.
fn lines(
    survey: &Survey,
    t: &ThemeSummary,
    index: usize,
    themes: usize,
    selected: usize,
    w: u16,
    theme: &Theme,
) -> (Vec<Row>, Vec<Vec<Row>>) {
    let mut head: Vec<Row> = Vec::new();
    let title = format!("Theme {} of {themes}: {}", index + 1, safe(&t.name));
    head.push((fit(&title, w), theme.heading));
    if let Some(st) = survey.theme(&t.id) {
        for line in wrap(&format!("“{}”", safe(&st.title)), w)
            .into_iter()
            .take(2)
        {
            head.push((line, theme.quiet));
        }
    }
    let summary = match (&t.suppressed, t.mean) {
        (Some(reason), _) => hidden(reason, w),
        (None, Some(mean)) => {
            let mut parts = vec![format!("Score {}", score(mean))];
            if let (Some(lo), Some(hi)) = (t.ci_low, t.ci_high) {
                parts[0].push_str(&format!(" (95% range {}–{})", score(lo), score(hi)));
            }
            if let Some(p) = t.pct_positive {
                parts.push(format!("{}% of answers positive", score(p)));
            }
            parts.push(format!("n {}", people(t.n)));
            if let Some(p) = t.pct_not_applicable {
                parts.push(format!("does not apply {}%", score(p)));
            }
            if let Some(p) = t.pct_skipped {
                parts.push(format!("skipped {}%", score(p)));
            }
            parts.join(" · ")
        }
        (None, None) => "No scored answers yet".to_string(),
    };
    head.extend(
        wrap_parts(&summary, " · ", w)
            .into_iter()
            .map(|l| (l, theme.strong)),
    );
    let consistency = match (t.alpha, &t.alpha_withheld) {
        (Some(a), _) => format!(
            "Consistency of the questions (Cronbach's alpha): {a:.2}, {} (0.7 or more is usually taken as good)",
            match a {
                a if a >= 0.7 => "good",
                a if a >= 0.5 => "moderate",
                _ => "low",
            }
        ),
        (None, Some(reason)) => format!("Consistency (Cronbach's alpha): {}", why(reason)),
        (None, None) => "Consistency (Cronbach's alpha): not shown".to_string(),
    };
    head.extend(wrap(&consistency, w).into_iter().map(|l| (l, theme.base)));
    head.push((String::new(), theme.base));
    let blocks = t
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let rest = t.item_rest.get(i).copied().flatten();
            item_block(survey, item, i, i == selected, rest, t, w, theme)
        })
        .collect();
    (head, blocks)
}

/// A reason as words after a colon: "not shown: 12 complete answers, fewer than …".
fn why(reason: &Reason) -> String {
    match reason {
        Reason::TooFewRespondents { .. } => hidden(reason, u16::MAX),
        other => other.to_string(),
    }
}

#[allow(clippy::too_many_arguments)]
fn item_block(
    survey: &Survey,
    item: &ItemSummary,
    i: usize,
    selected: bool,
    item_rest: Option<f64>,
    t: &ThemeSummary,
    w: u16,
    theme: &Theme,
) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let question = survey.items.iter().find(|q| q.id == item.id);
    let text = question.map_or_else(|| item.id.clone(), |q| safe(q.text.get("en")).into_owned());
    let reversed = if item.reversed {
        " (worded the other way: scored in reverse)"
    } else {
        ""
    };
    let mark = if selected { "▶ " } else { "  " };
    let wrapped = wrap(
        &format!("{}.{} {text}{reversed}", t.number, i + 1),
        w.saturating_sub(2),
    );
    for (k, line) in wrapped.into_iter().enumerate() {
        let lead = if k == 0 { mark } else { "  " };
        let style = if selected {
            theme.focused
        } else {
            theme.heading
        };
        rows.push((format!("{lead}{line}"), style));
    }
    let inner = w.saturating_sub(4);
    let indent = |rows: &mut Vec<Row>, text: &str, style: Style| {
        rows.extend(
            wrap_parts(text, " · ", inner)
                .into_iter()
                .map(|l| (format!("    {l}"), style)),
        );
    };
    if let Some(reason) = &item.suppressed {
        indent(&mut rows, &hidden(reason, inner), theme.notice);
        rows.push((String::new(), theme.base));
        return rows;
    }
    let mut figures = Vec::new();
    if let Some(mean) = item.mean {
        let mut s = format!("Score {}", score(mean));
        if let (Some(lo), Some(hi)) = (item.ci_low, item.ci_high) {
            s.push_str(&format!(" ({}–{})", score(lo), score(hi)));
        }
        figures.push(s);
    }
    if let Some(p) = item.pct_positive {
        figures.push(format!("{}% positive", score(p)));
    }
    figures.push(format!("n {}", people(item.n)));
    indent(&mut rows, &figures.join(" · "), theme.strong);
    let scale = question.and_then(|q| survey.item_scale(q));
    match (&item.distribution, scale) {
        (Some(d), Some(scale)) => {
            let parts: Vec<String> = scale
                .points
                .iter()
                .zip(&d.points)
                .map(|(p, c)| format!("{} {}", safe(p.label.get("en")), cell(*c)))
                .collect();
            indent(&mut rows, &parts.join(" · "), theme.base);
        }
        _ => {
            let why = item
                .detail_withheld
                .map(|r| format!("Answers: {}", why(&r)))
                .unwrap_or_else(|| "Answers: not shown".to_string());
            indent(&mut rows, &why, theme.notice);
        }
    }
    let mut extra = Vec::new();
    // A share where it may be shown, else the protected count (`<5` or hidden) it stands for.
    let has_na = scale.is_some_and(|s| s.not_applicable);
    let cells = item
        .distribution
        .as_ref()
        .map(|d| (d.not_applicable, d.skipped));
    match (item.pct_not_applicable, cells) {
        (Some(p), _) if has_na => extra.push(format!("Does not apply {}%", score(p))),
        (None, Some((c, _))) if has_na && c.is_hidden() => {
            extra.push(format!("Does not apply {}", cell(c)))
        }
        _ => {}
    }
    match (item.pct_skipped, cells) {
        (Some(p), _) => extra.push(format!("Skipped {}%", score(p))),
        (None, Some((_, c))) if c.is_hidden() => extra.push(format!("Skipped {}", cell(c))),
        _ => {}
    }
    match (item_rest, &t.alpha_withheld) {
        (Some(r), _) => extra.push(format!("Item–rest correlation {r:.2}")),
        (None, Some(Reason::TooFewForConsistency { min, .. })) => extra.push(format!(
            "Item–rest correlation: needs {min} complete answers"
        )),
        _ => {}
    }
    if !extra.is_empty() {
        indent(&mut rows, &extra.join(" · "), theme.base);
    }
    rows.push((String::new(), theme.base));
    rows
}
