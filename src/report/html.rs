//! The report as one self-contained HTML file: inline CSS and SVG, no scripts, no external
//! fetches, laid out to print on A4 for a practice meeting. Every survey or comment string is
//! HTML-escaped.

use std::fmt::Write as _;

use super::common::{self, whole_text};
use super::{COMMENTS_SHOWN, ReportData};

mod questions;
mod svg;

/// `s` with `& < > " '` replaced by character references, so no text can become markup.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
@page { size: A4; margin: 12mm 13mm 12mm 13mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font: 10.5pt/1.45 "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; color: #111827; margin: 0; background: #fff; }
.page { width: 100%; max-width: 184mm; margin: 0 auto; border-collapse: collapse; }
.page > thead td, .page > tfoot td { padding: 0; }
.page > tbody > tr > td { padding: 0 2mm; }
.synthetic { background: #fef3c7; border: 2px solid #b45309; color: #7c2d12; font-weight: bold; text-align: center; padding: 3px 6px; margin: 0 0 4mm 0; font-size: 10pt; }
.foot { color: #6b7280; font-size: 8pt; border-top: 1px solid #e5e7eb; padding-top: 2px; margin-top: 4mm; }
h1 { font-size: 18pt; margin: 2mm 0 1mm; }
h2 { font-size: 13pt; margin: 6mm 0 2mm; border-bottom: 2px solid #1d4ed8; padding-bottom: 1mm; break-after: avoid; }
h3 { font-size: 10.5pt; margin: 0 0 1mm; }
.scope { color: #4b5563; margin: 0 0 3mm; }
.note { background: #eff6ff; border-left: 4px solid #1d4ed8; padding: 2mm 3mm; }
.headline { display: flex; gap: 6mm; align-items: center; border: 1px solid #e5e7eb; border-radius: 3px; padding: 3mm 4mm; break-inside: avoid; }
.headline .big { font-size: 28pt; font-weight: bold; color: #1d4ed8; min-width: 30mm; text-align: center; }
.headline .big.none { font-size: 11pt; color: #4b5563; font-weight: normal; font-style: italic; }
table.data { border-collapse: collapse; width: 100%; font-size: 9.5pt; break-inside: avoid; }
table.data th, table.data td { border-bottom: 1px solid #e5e7eb; padding: 1.2mm 2mm; text-align: left; vertical-align: top; }
table.data th { background: #f3f4f6; }
table.data td.num, table.data th.num { text-align: right; font-variant-numeric: tabular-nums; }
.suppressed { font-style: italic; color: #374151; }
section { break-inside: avoid; }
section.long { break-inside: auto; }
.act { display: flex; gap: 6mm; align-items: flex-start; margin-top: 3mm; break-inside: avoid; }
.act svg { flex: none; }
.act .legend { flex: 1; margin: 0; }
.trends { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 2mm 6mm; align-items: end; }
.trend { break-inside: avoid; }
.trend h3 { font-weight: normal; }
.trend h3 b { font-weight: bold; }
.comments li { margin-bottom: 1.5mm; }
.method p { margin: 0 0 2mm; }
.legend { color: #4b5563; font-size: 9pt; }
.empty { color: #374151; font-style: italic; margin: 1mm 0 2mm; }
table.items { font-size: 8.5pt; }
table.items td, table.items th { padding: 0.8mm 1.5mm; overflow-wrap: break-word; }
table.items td.num { white-space: nowrap; }
table.items col.k { width: 10mm; }
table.figures { table-layout: fixed; }
table.figures col.s { width: 25mm; }
table.figures col.p { width: 20mm; }
table.figures col.m { width: 14mm; }
table.answers { margin-top: 1.5mm; table-layout: fixed; }
table.answers th.num { font-weight: normal; }
.theme { margin-top: 4mm; break-inside: avoid; }
.theme h3 { font-size: 10.5pt; margin: 0; }
.theme .said { color: #4b5563; font-style: italic; margin: 0 0 1mm; font-size: 9pt; }
@media print { h2.newpage { break-before: page; } }
"#;

fn section(o: &mut String, data: &ReportData, title: &str, class: &str) {
    let tag = if data.synthetic {
        " <small>(synthetic data)</small>"
    } else {
        ""
    };
    let _ = write!(
        o,
        r#"<section class="{class}"><h2>{}{tag}</h2>"#,
        escape(title)
    );
}

/// Render the report as HTML.
pub fn render(data: &ReportData) -> String {
    let mut o = String::new();
    let title = common::title(data);
    let _ = write!(
        o,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>iCARE report – {}</title><style>{CSS}</style></head><body>
<table class="page"><thead><tr><td>"#,
        escape(&title)
    );
    if data.synthetic {
        let _ = write!(
            o,
            r#"<div class="synthetic">{}</div>"#,
            escape(common::SYNTHETIC_BANNER)
        );
    }
    let _ = write!(
        o,
        r#"</td></tr></thead><tfoot><tr><td><div class="foot">iCARE report · {} · made {}{}</div></td></tr></tfoot><tbody><tr><td>"#,
        escape(&title),
        escape(&common::day_label(data.generated)),
        if data.synthetic {
            " · SYNTHETIC DATA"
        } else {
            ""
        }
    );
    let _ = write!(
        o,
        r#"<h1>{}</h1><p class="scope">{}</p>"#,
        escape(&title),
        escape(&common::scope_line(data))
    );
    if let Some(s) = common::other_surveys_sentence(data) {
        let _ = write!(o, r#"<p class="note">{}</p>"#, escape(&s));
    }
    if let Some(s) = data.intake.warning() {
        let _ = write!(o, r#"<p class="note">{}</p>"#, escape(&s));
    }
    if common::too_few_overall(data) {
        section(&mut o, data, "Not enough responses yet", "");
        let _ = write!(
            o,
            r#"<p class="note">{}</p></section>"#,
            escape(&common::too_few_sentence(data))
        );
    } else {
        headline(&mut o, data);
        overview(&mut o, data);
        where_to_act(&mut o, data);
        trends(&mut o, data);
        by_site(&mut o, data);
        questions::render(&mut o, data);
        comments(&mut o, data);
    }
    if !data.intake.is_empty() {
        section(&mut o, data, super::intake::TITLE, "intake");
        o.push_str("<ul>");
        for line in data.intake.lines() {
            let _ = write!(o, "<li>{}</li>", escape(&line));
        }
        o.push_str("</ul></section>");
    }
    section(&mut o, data, "Method and anonymity rules", "method long");
    for p in common::method_paragraphs(data) {
        let (head, rest) = p.split_once(". ").unwrap_or(("", &p));
        let _ = write!(o, "<p><b>{}.</b> {}</p>", escape(head), escape(rest));
    }
    o.push_str("</section></td></tr></tbody></table></body></html>\n");
    o
}

fn headline(o: &mut String, data: &ReportData) {
    section(o, data, "Overall experience", "");
    let big = data
        .overall
        .headline
        .as_ref()
        .and_then(|h| h.pct_positive)
        .map_or_else(
            || r#"<div class="big none">not shown</div>"#.to_string(),
            |p| format!(r#"<div class="big">{}%</div>"#, whole_text(Some(p))),
        );
    let _ = write!(
        o,
        r#"<div class="headline">{big}<div><p>{}</p>"#,
        escape(&common::headline_sentence(data))
    );
    if let Some(h) = &data.overall.headline
        && let Some(cells) = &h.distribution
    {
        let labels = common::headline_labels(data);
        o.push_str(r#"<table class="data"><tr>"#);
        for l in &labels {
            let _ = write!(o, r#"<th class="num">{}</th>"#, escape(l));
        }
        o.push_str(r#"<th class="num">Skipped</th></tr><tr>"#);
        for c in cells {
            let _ = write!(
                o,
                r#"<td class="num">{}</td>"#,
                escape(&common::cell_text(*c))
            );
        }
        let skipped = h.skipped.map_or("–".into(), common::cell_text);
        let _ = write!(
            o,
            r#"<td class="num">{}</td></tr></table>"#,
            escape(&skipped)
        );
    }
    o.push_str("</div></div></section>");
}

fn overview(o: &mut String, data: &ReportData) {
    section(o, data, "How the practice scores on each theme", "");
    let min_n = data.options.rule.min_n();
    if data.overall.themes.iter().all(|t| t.mean.is_none()) {
        let _ = write!(
            o,
            r#"<p class="empty">Not enough responses yet: no theme has the {min_n} people with a score it needs to be shown.</p></section>"#
        );
        return;
    }
    o.push_str(&svg::overview(data));
    let mut legend = "Bars: mean theme score, 0–100 (higher is better). Black whiskers: 95% confidence interval. n: people with a theme score.".to_string();
    let reasons: Vec<String> = {
        let mut r: Vec<String> = data
            .overall
            .themes
            .iter()
            .filter_map(|t| t.suppressed.as_ref())
            .map(|r| format!("“{}”: {}.", common::short_reason(r), common::reason(r)))
            .collect();
        r.dedup();
        r
    };
    for r in reasons {
        legend.push(' ');
        legend.push_str(&r);
    }
    let _ = write!(o, r#"<p class="legend">{}</p></section>"#, escape(&legend));
}

fn where_to_act(o: &mut String, data: &ReportData) {
    section(o, data, "Where to act first", "");
    let w = &data.where_to_act;
    if w.ranked.is_empty() {
        o.push_str(r#"<p class="empty">No theme can be ranked yet: none has a score that may be shown.</p></section>"#);
        return;
    }
    o.push_str(r#"<table class="data"><tr><th class="num">Rank</th><th>Theme</th><th class="num">Score</th><th class="num">Importance</th><th class="num">Priority</th><th>Quadrant</th></tr>"#);
    for p in &w.ranked {
        let _ = write!(
            o,
            r#"<tr><td class="num">{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num"><b>{}</b></td><td>{}</td></tr>"#,
            p.rank,
            escape(&p.name),
            whole_text(Some(p.score)),
            p.importance,
            whole_text(Some(p.priority)),
            common::quadrant_words(p.quadrant)
        );
    }
    for n in &w.not_ranked {
        let _ = write!(
            o,
            r#"<tr><td class="num">–</td><td>{}</td><td colspan="4" class="suppressed">not ranked: {}</td></tr>"#,
            escape(&n.name),
            escape(&common::reason(&n.reason))
        );
    }
    o.push_str("</table>");
    let _ = write!(
        o,
        r#"<div class="act">{}<p class="legend">Each dot is a ranked theme, numbered by its rank in the table, placed by its score (across) and importance (up); dashed lines are the medians of the ranked themes. {}<br><br>Importance is how often patients in the study behind iCARE raised the theme (see “Method” for what the weights are and are not).</p></div></section>"#,
        svg::quadrant(w),
        escape(common::quadrant_sentence())
    );
}

fn trends(o: &mut String, data: &ReportData) {
    let g = data.options.granularity.word();
    section(o, data, &format!("Trends by {g}"), "long");
    let responses: Vec<String> = data
        .trends
        .iter()
        .map(|r| {
            format!(
                "{}: {}",
                common::period_label(data, r.span),
                r.summary.responses
            )
        })
        .collect();
    let counts = format!("Responses: {}.", responses.join(", "));
    if let Some(s) = common::no_trend_sentence(data) {
        let _ = write!(
            o,
            r#"<p class="empty">{}</p><p class="legend">{}</p></section>"#,
            escape(&s),
            escape(&counts)
        );
        return;
    }
    let _ = write!(
        o,
        r#"<p class="legend">Mean score per {g} with its 95% confidence band; × marks a {g} with too few respondents to show. {}</p><div class="trends">"#,
        escape(&counts)
    );
    let mut without = Vec::new();
    for (i, t) in data.overall.themes.iter().enumerate() {
        if !common::has_trend(data, i) {
            without.push(format!("{}. {}", t.number, t.name));
            continue;
        }
        let last = common::theme_series(data, i)
            .iter()
            .rev()
            .find_map(|(p, v)| {
                v.map(|v| {
                    format!(
                        "{} in {}",
                        whole_text(Some(v)),
                        common::period_short(data, *p)
                    )
                })
            })
            .unwrap_or_default();
        let _ = write!(
            o,
            r#"<div class="trend"><h3><b>{}. {}</b> · {}</h3>{}</div>"#,
            t.number,
            escape(&t.name),
            escape(&last),
            svg::trend(data, i)
        );
    }
    o.push_str("</div>");
    if !without.is_empty() {
        let _ = write!(
            o,
            r#"<p class="empty">Not enough responses yet for a trend (a score in two {g}s): {}.</p>"#,
            escape(&without.join(", "))
        );
    }
    o.push_str("</section>");
}

fn by_site(o: &mut String, data: &ReportData) {
    if data.by_site.is_empty() {
        return;
    }
    section(o, data, "By site", "");
    o.push_str(r#"<table class="data"><tr><th>Theme</th>"#);
    for row in &data.by_site {
        let _ = write!(
            o,
            r#"<th class="num">{} <small>({} responses)</small></th>"#,
            escape(&row.name),
            row.summary.responses
        );
    }
    o.push_str("</tr>");
    for (i, t) in data.overall.themes.iter().enumerate() {
        let _ = write!(o, "<tr><td>{}. {}</td>", t.number, escape(&t.name));
        for row in &data.by_site {
            match row.summary.themes.get(i) {
                Some(x) if x.suppressed.is_none() => {
                    let _ = write!(o, r#"<td class="num">{}</td>"#, escape(&common::mean_ci(x)));
                }
                _ => o.push_str(r#"<td class="num suppressed">not shown</td>"#),
            }
        }
        o.push_str("</tr>");
    }
    o.push_str("</table></section>");
}

fn comments(o: &mut String, data: &ReportData) {
    let period = data.comments_span.map_or_else(String::new, |p| {
        format!(", {}", common::period_label(data, p))
    });
    section(o, data, &format!("Comments{period}"), "long");
    match &data.comments {
        Err(r) => {
            let _ = write!(o, r#"<p class="empty">{}</p>"#, escape(&common::reason(r)));
        }
        Ok(c) if c.is_empty() => o.push_str(r#"<p class="empty">No comments in this period.</p>"#),
        Ok(c) => {
            let _ = write!(
                o,
                r#"<p class="legend">{} comments, in random order, shown apart from any answers.</p><ul class="comments">"#,
                c.len()
            );
            for text in c.iter().take(COMMENTS_SHOWN) {
                let _ = write!(o, "<li>{}</li>", escape(text));
            }
            o.push_str("</ul>");
            if c.len() > COMMENTS_SHOWN {
                let _ = write!(
                    o,
                    "<p>… and {} more (the JSON report has them all).</p>",
                    c.len() - COMMENTS_SHOWN
                );
            }
        }
    }
    o.push_str("</section>");
}
