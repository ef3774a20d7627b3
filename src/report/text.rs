//! The report as plain text for a terminal: bars, sparklines, every survey or comment string made
//! terminal-safe.

use std::fmt::Write as _;

use super::common::{self, whole_text};
use super::{COMMENTS_SHOWN, ReportData, intake, items};
use crate::disclosure::ThemeSummary;
use crate::sanitize::terminal_safe;

/// Width of a theme bar in characters (each is 5 points of the 0–100 scale).
const BAR: usize = 20;
/// Longest theme name before it is cut.
const NAME: usize = 27;

fn safe(s: &str) -> String {
    terminal_safe(s).into_owned()
}

fn cut(s: &str, n: usize) -> String {
    let s = safe(s);
    if s.chars().count() <= n {
        format!("{s:<n$}")
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// `text` broken into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let len = word.chars().count();
        if line > 0 && line + 1 + len > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += len;
    }
    out
}

/// `text` wrapped to 80 columns after `first` on its first line and `rest` on the others.
fn hanging(text: &str, first: &str, rest: &str) -> String {
    let width = 80 - first.chars().count().max(rest.chars().count()).min(40);
    let mut out = String::new();
    for (k, line) in wrap(text, width).lines().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        out.push_str(if k == 0 { first } else { rest });
        out.push_str(line);
    }
    out
}

/// `█` up to the interval's low end, `▓` across the 95% interval, `░` for the rest.
pub fn bar(t: &ThemeSummary) -> String {
    let (Some(mean), lo, hi) = (t.mean, t.ci_low, t.ci_high) else {
        return " ".repeat(BAR);
    };
    let lo = lo.unwrap_or(mean);
    let hi = hi.unwrap_or(mean);
    let step = 100.0 / BAR as f64;
    (0..BAR)
        .map(|i| {
            let (a, b) = (i as f64 * step, (i + 1) as f64 * step);
            if b <= lo {
                '█'
            } else if a <= hi && (b > lo || a == hi) {
                '▓'
            } else {
                '░'
            }
        })
        .collect()
}

/// One character per period: `▁`…`█` from the series' lowest to highest mean, `·` where not
/// shown.
pub fn sparkline(series: &[Option<f64>]) -> String {
    const TICKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let shown: Vec<f64> = series.iter().flatten().copied().collect();
    let lo = shown.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = shown.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    series
        .iter()
        .map(|v| match v {
            None => '·',
            Some(_) if hi - lo < 1e-9 => TICKS[3],
            Some(v) => TICKS[(((v - lo) / (hi - lo)) * 7.0).round().clamp(0.0, 7.0) as usize],
        })
        .collect()
}

fn heading(o: &mut String, h: &str, synthetic: bool) {
    let _ = writeln!(o);
    let tag = if synthetic { " [SYNTHETIC DATA]" } else { "" };
    let _ = writeln!(o, "{h}{tag}");
    let _ = writeln!(o, "{}", "─".repeat(h.chars().count() + tag.len()));
}

/// Render the report as text.
pub fn render(data: &ReportData) -> String {
    let mut o = String::new();
    let syn = data.synthetic;
    let banner = |o: &mut String| {
        if syn {
            let _ = writeln!(o, "*** {} ***", common::SYNTHETIC_BANNER);
        }
    };
    banner(&mut o);
    let _ = writeln!(o, "iCARE report: {}", safe(&common::title(data)));
    let _ = writeln!(o, "{}", wrap(&safe(&common::scope_line(data)), 80));
    if let Some(s) = common::other_surveys_sentence(data) {
        let _ = writeln!(o, "{}", wrap(&format!("Note: {}", safe(&s)), 80));
    }
    if let Some(s) = data.intake.warning() {
        let _ = writeln!(o, "{}", wrap(&format!("Note: {s}"), 80));
    }
    if common::too_few_overall(data) {
        heading(&mut o, "Not enough responses yet", syn);
        let _ = writeln!(o, "{}", wrap(&common::too_few_sentence(data), 80));
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
            let _ = writeln!(o, "{}", hanging(&safe(&line), "", "  "));
        }
    }
    heading(&mut o, "Method", syn);
    for p in common::method_paragraphs(data) {
        let _ = writeln!(o, "{}\n", wrap(&safe(&p), 80));
    }
    if syn {
        let _ = writeln!(o);
    }
    banner(&mut o);
    o
}

fn headline(o: &mut String, data: &ReportData) {
    heading(o, "Overall experience", data.synthetic);
    let _ = writeln!(o, "{}", wrap(&safe(&common::headline_sentence(data)), 80));
    let Some(h) = &data.overall.headline else {
        return;
    };
    if let Some(cells) = &h.distribution {
        let labels = common::headline_labels(data);
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let l = labels.get(i).map_or("?", String::as_str);
                format!("{} {}", safe(l), common::cell_text(*c))
            })
            .collect();
        let skipped = h.skipped.map_or("–".into(), common::cell_text);
        let line = format!("{} · skipped {skipped}", parts.join(" · "));
        let _ = writeln!(o, "  {}", wrap(&line, 78).replace('\n', "\n  "));
    }
}

fn themes(o: &mut String, data: &ReportData) {
    heading(o, "Themes (score 0–100)", data.synthetic);
    let _ = writeln!(
        o,
        "Bars: █ up to the 95% confidence interval, ▓ the interval, ░ the rest (0–100)."
    );
    let _ = writeln!(
        o,
        "{:<30} {:<BAR$}  {:>12}  {:>6}  {:>5}",
        "", "", "score (CI)", "n", "% pos"
    );
    for t in &data.overall.themes {
        let name = cut(&t.name, NAME);
        match &t.suppressed {
            Some(r) => {
                let _ = writeln!(o, "{:>2} {name} {}", t.number, safe(&common::reason(r)));
            }
            None => {
                let _ = writeln!(
                    o,
                    "{:>2} {name} {}  {:>12}  {:>6}  {:>5}",
                    t.number,
                    bar(t),
                    common::mean_ci(t),
                    t.n,
                    t.pct_positive
                        .map_or("–".into(), |p| format!("{}%", whole_text(Some(p))))
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
            "{:<4}{:<NAME$}{:>7}{:>12}{:>10}  quadrant",
            "rank", " theme", "score", "importance", "priority"
        );
    }
    for p in &w.ranked {
        let _ = writeln!(
            o,
            "{:>2}. {} {:>6}{:>12}{:>10}  {}",
            p.rank,
            cut(&p.name, NAME),
            whole_text(Some(p.score)),
            p.importance,
            whole_text(Some(p.priority)),
            common::quadrant_words(p.quadrant)
        );
    }
    for n in &w.not_ranked {
        let _ = writeln!(
            o,
            "    {} not ranked: {}",
            cut(&n.name, NAME),
            common::reason(&n.reason)
        );
    }
    let _ = writeln!(o, "{}", wrap(common::quadrant_sentence(), 80));
}

fn trends(o: &mut String, data: &ReportData) {
    let g = data.options.granularity.word();
    heading(o, &format!("Trends by {g}"), data.synthetic);
    if let Some(s) = common::no_trend_sentence(data) {
        let _ = writeln!(o, "{}", wrap(&s, 80));
    } else {
        if let (Some(a), Some(b)) = (data.trends.first(), data.trends.last()) {
            let line = format!(
                "{} to {}: one mark per {g} (or {g}s pooled), · = not shown.",
                common::period_label(data, a.span),
                common::period_label(data, b.span)
            );
            let _ = writeln!(o, "{}", wrap(&line, 80));
        }
        for (i, t) in data.overall.themes.iter().enumerate() {
            let series: Vec<Option<f64>> = common::theme_series(data, i)
                .into_iter()
                .map(|(_, v)| v)
                .collect();
            let first = series.iter().flatten().next().copied();
            let last = series.iter().rev().flatten().next().copied();
            let ends = match (first, last) {
                (Some(a), Some(b)) => {
                    format!("{} → {}", whole_text(Some(a)), whole_text(Some(b)))
                }
                _ => "not shown".into(),
            };
            let _ = writeln!(
                o,
                "{:>2} {} {}  {ends}",
                t.number,
                cut(&t.name, NAME),
                sparkline(&series)
            );
        }
    }
    let responses: Vec<String> = data
        .trends
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                common::period_short(data, r.span),
                r.summary.responses
            )
        })
        .collect();
    let _ = writeln!(
        o,
        "{}",
        wrap(&format!("Responses: {}", responses.join(" · ")), 80)
    );
}

fn by_site(o: &mut String, data: &ReportData) {
    if data.by_site.is_empty() {
        return;
    }
    heading(o, "By site", data.synthetic);
    for row in &data.by_site {
        let s = &row.summary;
        let _ = writeln!(o, "{} ({} responses)", safe(&row.name), s.responses);
        for t in &s.themes {
            let fig = t.suppressed.as_ref().map_or_else(
                || format!("{}  n={}", common::mean_ci(t), t.n),
                common::reason,
            );
            let _ = writeln!(o, "  {:>2} {} {}", t.number, cut(&t.name, NAME), safe(&fig));
        }
    }
}

/// Each theme's questions with their figures and answers, so a theme's score can be traced to
/// the questions behind it.
fn questions(o: &mut String, data: &ReportData) {
    heading(o, "Questions, theme by theme", data.synthetic);
    let _ = writeln!(o, "{}", wrap(items::QUESTIONS_LEGEND, 80));
    for t in &data.overall.themes {
        let _ = writeln!(o);
        let head = match &t.suppressed {
            Some(r) => format!("{}. {}: {}", t.number, safe(&t.name), common::reason(r)),
            None => format!(
                "{}. {}: score {}, n {}",
                t.number,
                safe(&t.name),
                common::mean_ci(t),
                t.n
            ),
        };
        let _ = writeln!(o, "{}", wrap(&head, 80));
        for (k, i) in t.items.iter().enumerate() {
            let reversed = if i.reversed {
                " (scored in reverse)"
            } else {
                ""
            };
            let number = format!("   {}.{} ", t.number, k + 1);
            let indent = " ".repeat(number.chars().count());
            let q = format!("{}{reversed}", safe(common::item_text(data, &i.id)));
            let _ = writeln!(o, "{}", hanging(&q, &number, &indent));
            let mut lines = vec![items::item_figures(i)];
            lines.extend(items::item_answers(data, i));
            for line in lines {
                let _ = writeln!(o, "{}", hanging(&safe(&line), &indent, &indent));
            }
        }
    }
}

fn comments(o: &mut String, data: &ReportData) {
    let period = data.comments_span.map_or_else(String::new, |p| {
        format!(", {}", common::period_label(data, p))
    });
    heading(o, &format!("Comments{period}"), data.synthetic);
    match &data.comments {
        Err(r) => {
            let _ = writeln!(o, "{}", common::reason(r));
        }
        Ok(c) if c.is_empty() => {
            let _ = writeln!(o, "No comments in this period.");
        }
        Ok(c) => {
            let _ = writeln!(o, "{} comments, in random order:", c.len());
            for text in c.iter().take(COMMENTS_SHOWN) {
                let _ = writeln!(o, "  – {}", safe(text));
            }
            if c.len() > COMMENTS_SHOWN {
                let _ = writeln!(
                    o,
                    "  … and {} more (the JSON report has them all)",
                    c.len() - COMMENTS_SHOWN
                );
            }
        }
    }
}
