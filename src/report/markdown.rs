//! The report as Markdown for an email: tables, every survey or comment string escaped.

use std::fmt::Write as _;

use super::common::{self, whole_text};
use super::{COMMENTS_SHOWN, ReportData};
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

/// Render the report as Markdown.
pub fn render(data: &ReportData) -> String {
    let mut o = String::new();
    let syn = data.synthetic;
    let banner = |o: &mut String| {
        if syn {
            let _ = writeln!(o, "> **{}**\n", escape(common::SYNTHETIC_BANNER));
        }
    };
    let heading = |o: &mut String, h: &str| {
        let tag = if syn { " (synthetic data)" } else { "" };
        let _ = writeln!(o, "\n## {h}{tag}\n");
    };
    banner(&mut o);
    let _ = writeln!(o, "# iCARE report: {}\n", escape(&common::title(data)));
    let _ = writeln!(o, "{}\n", escape(&common::scope_line(data)));
    if let Some(s) = common::other_surveys_sentence(data) {
        let _ = writeln!(o, "*Note:* {}\n", escape(&s));
    }

    heading(&mut o, "Overall experience");
    let _ = writeln!(o, "{}", escape(&common::headline_sentence(data)));
    if let Some(h) = &data.overall.headline
        && let Some(cells) = &h.distribution
    {
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

    heading(&mut o, "Themes (score 0–100)");
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

    heading(&mut o, "Where to act first");
    let w = &data.where_to_act;
    if w.ranked.is_empty() {
        let _ = writeln!(
            o,
            "No theme can be ranked: none has a score that may be shown."
        );
    } else {
        let _ = writeln!(
            o,
            "| Rank | Theme | Priority | Importance | Score | Quadrant |"
        );
        let _ = writeln!(o, "|---:|---|---:|---:|---:|---|");
        for p in &w.ranked {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} |",
                p.rank,
                escape(&p.name),
                whole_text(Some(p.priority)),
                p.importance,
                whole_text(Some(p.score)),
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
    let _ = writeln!(
        o,
        "\nPriority = (importance ÷ largest importance) × (100 − score); importance is how often patients in the iCARE study raised the theme (see Method)."
    );

    heading(
        &mut o,
        &format!(
            "Trends by {}",
            common::granularity_word(data.options.granularity)
        ),
    );
    let periods: Vec<String> = data.trends.iter().map(|r| r.span.to_string()).collect();
    let _ = writeln!(o, "Theme score per period; – = not shown.\n");
    let _ = writeln!(o, "| Theme | {} |", periods.join(" | "));
    let _ = writeln!(o, "|---|{}", "---:|".repeat(periods.len()));
    let responses: Vec<String> = data
        .trends
        .iter()
        .map(|r| r.summary.responses.to_string())
        .collect();
    let _ = writeln!(o, "| *Responses* | {} |", responses.join(" | "));
    for (i, t) in data.overall.themes.iter().enumerate() {
        let cells: Vec<String> = common::theme_series(data, i)
            .into_iter()
            .map(|(_, v)| whole_text(v))
            .collect();
        let _ = writeln!(o, "| {} | {} |", escape(&t.name), cells.join(" | "));
    }

    if !data.by_site.is_empty() {
        heading(&mut o, "By site");
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

    let period = data
        .comments_span
        .map_or_else(String::new, |p| format!(" ({p})"));
    heading(&mut o, &format!("Comments{period}"));
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

    heading(&mut o, "Method");
    for p in common::method_paragraphs(data) {
        let _ = writeln!(o, "{}\n", escape(&p));
    }
    banner(&mut o);
    o
}
