//! The report as Markdown for an email: tables, every survey or comment string escaped.

use std::fmt::Write as _;

use super::common::{self, whole_text};
use super::{COMMENTS_SHOWN, ReportData, intake, items};
use crate::sanitize::terminal_safe;

/// Text made inert in Markdown: control characters removed; the characters that can start
/// emphasis, code, links, tables, HTML or entities backslash-escaped everywhere (CommonMark
/// allows escaping any ASCII punctuation); and those that only act at the start of a line
/// (`-`, `+`, `#`, `=`, `>`) escaped there.
pub fn escape(s: &str) -> String {
    let safe = terminal_safe(s);
    let mut out = String::with_capacity(safe.len());
    for (i, c) in safe.chars().enumerate() {
        let always = matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~'
        );
        let at_start = i == 0 && matches!(c, '-' | '+' | '#' | '=' | '!');
        if always || at_start {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn heading(o: &mut String, h: &str, synthetic: bool) {
    let tag = if synthetic { " (synthetic data)" } else { "" };
    let _ = writeln!(o, "\n## {h}{tag}\n");
}

/// Render the report as Markdown.
pub fn render(data: &ReportData) -> String {
    let mut o = String::new();
    let syn = data.synthetic;
    let banner = |o: &mut String| {
        if syn {
            let _ = writeln!(o, "> **{}**\n", escape(common::SYNTHETIC_BANNER));
        }
    };
    banner(&mut o);
    let _ = writeln!(o, "# iCARE report: {}\n", escape(&common::title(data)));
    let _ = writeln!(o, "{}\n", escape(&common::scope_line(data)));
    if let Some(s) = common::other_surveys_sentence(data) {
        let _ = writeln!(o, "*Note:* {}\n", escape(&s));
    }
    if let Some(s) = data.intake.warning() {
        let _ = writeln!(o, "*Note:* {}\n", escape(&s));
    }
    if common::too_few_overall(data) {
        heading(&mut o, "Not enough responses yet", syn);
        let _ = writeln!(o, "{}", escape(&common::too_few_sentence(data)));
    } else {
        headline(&mut o, data);
        themes(&mut o, data);
        where_to_act(&mut o, data);
        trends(&mut o, data);
        by_site(&mut o, data);
        questions(&mut o, data);
        comments(&mut o, data);
    }
    if !data.intake.is_empty() {
        heading(&mut o, intake::TITLE, syn);
        for line in data.intake.lines() {
            let _ = writeln!(o, "- {}", escape(&line));
        }
    }
    heading(&mut o, "Method", syn);
    for p in common::method_paragraphs(data) {
        let _ = writeln!(o, "{}\n", escape(&p));
    }
    banner(&mut o);
    o
}

fn headline(o: &mut String, data: &ReportData) {
    heading(o, "Overall experience", data.synthetic);
    let _ = writeln!(o, "{}", escape(&common::headline_sentence(data)));
    let Some(h) = &data.overall.headline else {
        return;
    };
    if let Some(cells) = &h.distribution {
        let labels = common::headline_labels(data);
        let _ = writeln!(o);
        let head: Vec<String> = labels.iter().map(|l| escape(l)).collect();
        let _ = writeln!(o, "| {} | Skipped |", head.join(" | "));
        let _ = writeln!(o, "|{}---|", "---|".repeat(head.len()));
        let row: Vec<String> = cells
            .iter()
            .map(|c| escape(&common::cell_text(*c)))
            .collect();
        let skipped = h.skipped.map_or("–".into(), common::cell_text);
        let _ = writeln!(o, "| {} | {} |", row.join(" | "), escape(&skipped));
    }
}

fn themes(o: &mut String, data: &ReportData) {
    heading(o, "Themes (score 0–100)", data.synthetic);
    let _ = writeln!(o, "| # | Theme | Score | 95% CI | n | % positive |");
    let _ = writeln!(o, "|---:|---|---:|---|---:|---:|");
    for t in &data.overall.themes {
        match &t.suppressed {
            Some(r) => {
                let _ = writeln!(
                    o,
                    "| {} | {} | *{}* | | {} | |",
                    t.number,
                    escape(&t.name),
                    escape(&common::reason(r)),
                    t.n
                );
            }
            None => {
                let ci = match (t.ci_low, t.ci_high) {
                    (Some(l), Some(h)) => {
                        format!("{}–{}", whole_text(Some(l)), whole_text(Some(h)))
                    }
                    _ => "–".into(),
                };
                let pos = t
                    .pct_positive
                    .map_or("–".into(), |p| format!("{}%", whole_text(Some(p))));
                let _ = writeln!(
                    o,
                    "| {} | {} | **{}** | {} | {} | {} |",
                    t.number,
                    escape(&t.name),
                    whole_text(t.mean),
                    ci,
                    t.n,
                    escape(&pos)
                );
            }
        }
    }
}

fn where_to_act(o: &mut String, data: &ReportData) {
    heading(o, "Where to act first", data.synthetic);
    let w = &data.where_to_act;
    if w.ranked.is_empty() {
        let _ = writeln!(
            o,
            "No theme can be ranked: none has a score that may be shown."
        );
    } else {
        let _ = writeln!(
            o,
            "| Rank | Theme | Score | Importance | Priority | Quadrant |"
        );
        let _ = writeln!(o, "|---:|---|---:|---:|---:|---|");
        for p in &w.ranked {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | **{}** | {} |",
                p.rank,
                escape(&p.name),
                whole_text(Some(p.score)),
                p.importance,
                whole_text(Some(p.priority)),
                common::quadrant_words(p.quadrant)
            );
        }
    }
    for n in &w.not_ranked {
        let _ = writeln!(
            o,
            "\n*{}* not ranked: {}",
            escape(&n.name),
            escape(&common::reason(&n.reason))
        );
    }
    let _ = writeln!(o, "\n{}", escape(common::quadrant_sentence()));
}

fn trends(o: &mut String, data: &ReportData) {
    let g = data.options.granularity.word();
    heading(o, &format!("Trends by {g}"), data.synthetic);
    let periods: Vec<String> = data
        .trends
        .iter()
        .map(|r| escape(&common::period_short(data, r.span)))
        .collect();
    let responses: Vec<String> = data
        .trends
        .iter()
        .map(|r| r.summary.responses.to_string())
        .collect();
    if let Some(s) = common::no_trend_sentence(data) {
        let _ = writeln!(o, "{}\n", escape(&s));
        let _ = writeln!(o, "| | {} |", periods.join(" | "));
        let _ = writeln!(o, "|---|{}", "---:|".repeat(periods.len()));
        let _ = writeln!(o, "| *Responses* | {} |", responses.join(" | "));
        return;
    }
    let _ = writeln!(o, "Theme score per {g}; – = not shown.\n");
    let _ = writeln!(o, "| Theme | {} |", periods.join(" | "));
    let _ = writeln!(o, "|---|{}", "---:|".repeat(periods.len()));
    let _ = writeln!(o, "| *Responses* | {} |", responses.join(" | "));
    for (i, t) in data.overall.themes.iter().enumerate() {
        let cells: Vec<String> = common::theme_series(data, i)
            .into_iter()
            .map(|(_, v)| whole_text(v))
            .collect();
        let _ = writeln!(o, "| {} | {} |", escape(&t.name), cells.join(" | "));
    }
}

fn by_site(o: &mut String, data: &ReportData) {
    if data.by_site.is_empty() {
        return;
    }
    heading(o, "By site", data.synthetic);
    let names: Vec<String> = data.by_site.iter().map(|r| escape(&r.name)).collect();
    let _ = writeln!(o, "| Theme | {} |", names.join(" | "));
    let _ = writeln!(o, "|---|{}", "---:|".repeat(names.len()));
    let responses: Vec<String> = data
        .by_site
        .iter()
        .map(|r| r.summary.responses.to_string())
        .collect();
    let _ = writeln!(o, "| *Responses* | {} |", responses.join(" | "));
    for (i, t) in data.overall.themes.iter().enumerate() {
        let cells: Vec<String> = data
            .by_site
            .iter()
            .map(|r| match r.summary.themes.get(i) {
                Some(x) if x.suppressed.is_none() => common::mean_ci(x),
                _ => "not shown".into(),
            })
            .collect();
        let _ = writeln!(o, "| {} | {} |", escape(&t.name), cells.join(" | "));
    }
}

/// A table per theme: its questions' figures and answers, so a theme's score can be traced to
/// the questions behind it.
fn questions(o: &mut String, data: &ReportData) {
    heading(o, "Questions, theme by theme", data.synthetic);
    let _ = writeln!(o, "{}", escape(items::QUESTIONS_LEGEND));
    for t in &data.overall.themes {
        let figures = match &t.suppressed {
            Some(r) => common::reason(r),
            None => format!("score {}, n {}", common::mean_ci(t), t.n),
        };
        let _ = writeln!(
            o,
            "\n### {}. {}: {}\n",
            t.number,
            escape(&t.name),
            escape(&figures)
        );
        let columns = items::theme_answer_columns(data, t);
        let answers: Vec<String> = match &columns {
            Some(cols) => cols.iter().map(|c| escape(c)).collect(),
            None => vec!["Answers".into()],
        };
        let _ = writeln!(
            o,
            "| # | Question | Score | % positive | n | {} |",
            answers.join(" | ")
        );
        let _ = writeln!(
            o,
            "|---|---|---:|---:|---:|{}",
            "---:|".repeat(answers.len())
        );
        for (k, i) in t.items.iter().enumerate() {
            let reversed = if i.reversed {
                " *(scored in reverse)*"
            } else {
                ""
            };
            let question = format!("{}{reversed}", escape(common::item_text(data, &i.id)));
            let number = format!("{}.{}", t.number, k + 1);
            if let Some(r) = &i.suppressed {
                let _ = writeln!(
                    o,
                    "| {number} | {question} | *{}* | | | {} |",
                    escape(&common::reason(r)),
                    vec![""; answers.len()].join(" | ")
                );
                continue;
            }
            let cells = match (&columns, items::item_answer_cells(data, i)) {
                (Some(_), Some(c)) => c.iter().map(|x| escape(x)).collect(),
                (None, Some(_)) => vec![escape(&items::item_answers(data, i).unwrap_or_default())],
                (_, None) => {
                    let mut v = vec![String::new(); answers.len()];
                    v[0] = format!(
                        "*{}*",
                        escape(&items::item_answers_withheld(i).unwrap_or_default())
                    );
                    v
                }
            };
            let pos = i
                .pct_positive
                .map_or("–".into(), |p| format!("{}%", whole_text(Some(p))));
            let _ = writeln!(
                o,
                "| {number} | {question} | {} | {} | {} | {} |",
                common::mean_ci_of(i.mean, i.ci_low, i.ci_high),
                escape(&pos),
                i.n,
                cells.join(" | ")
            );
        }
    }
}

fn comments(o: &mut String, data: &ReportData) {
    let period = data.comments_span.map_or_else(String::new, |p| {
        format!(", {}", common::period_label(data, p))
    });
    heading(o, &format!("Comments{}", escape(&period)), data.synthetic);
    match &data.comments {
        Err(r) => {
            let _ = writeln!(o, "{}", escape(&common::reason(r)));
        }
        Ok(c) if c.is_empty() => {
            let _ = writeln!(o, "No comments in this period.");
        }
        Ok(c) => {
            let _ = writeln!(o, "{} comments, in random order:\n", c.len());
            for text in c.iter().take(COMMENTS_SHOWN) {
                let _ = writeln!(o, "- {}", escape(text));
            }
            if c.len() > COMMENTS_SHOWN {
                let _ = writeln!(
                    o,
                    "\n… and {} more (the JSON report has them all).",
                    c.len() - COMMENTS_SHOWN
                );
            }
        }
    }
}
