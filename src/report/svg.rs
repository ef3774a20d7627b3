//! Inline SVG charts for the HTML report: theme bars with confidence whiskers, the
//! importance-against-score quadrant, and one small trend chart per theme. Every text is escaped.

use std::fmt::Write as _;

use super::ReportData;
use super::common::{self, whole_text};
use super::html::escape;
use crate::priority::WhereToAct;

const BLUE: &str = "#1d4ed8";
const INK: &str = "#111827";
const GREY: &str = "#6b7280";
const GRID: &str = "#d1d5db";

/// Horizontal bars (mean) with 95% CI whiskers, n and % positive; suppressed themes say so in
/// words across the bar area.
pub fn overview(data: &ReportData) -> String {
    let themes = &data.overall.themes;
    let (w, row, top) = (700.0, 30.0, 26.0);
    let (x0, x1) = (215.0, 470.0);
    let h = top + row * themes.len() as f64 + 8.0;
    let sx = |v: f64| x0 + (x1 - x0) * v.clamp(0.0, 100.0) / 100.0;
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="Theme scores with 95% confidence intervals" xmlns="http://www.w3.org/2000/svg" font-size="12">"#
    );
    for v in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let x = sx(v);
        let _ = write!(
            o,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{GRID}" stroke-width="1"/><text x="{x}" y="14" text-anchor="middle" fill="{GREY}">{v}</text>"#,
            top - 6.0,
            h - 6.0
        );
    }
    let _ = write!(
        o,
        r#"<text x="{}" y="14" text-anchor="start" fill="{GREY}">score (95% CI)</text><text x="{w}" y="14" text-anchor="end" fill="{GREY}">n · % positive</text>"#,
        x1 + 24.0
    );
    for (i, t) in themes.iter().enumerate() {
        let y = top + row * i as f64;
        let mid = y + row / 2.0;
        let _ = write!(
            o,
            r#"<text x="0" y="{}" fill="{INK}">{}. {}</text>"#,
            mid + 4.0,
            t.number,
            escape(&t.name)
        );
        match (&t.suppressed, t.mean) {
            (Some(r), _) => {
                let _ = write!(
                    o,
                    r##"<rect x="{x0}" y="{}" width="{}" height="{}" fill="url(#hatch)" stroke="{GRID}"/><text x="{}" y="{}" fill="{INK}" font-style="italic">{}</text>"##,
                    y + 6.0,
                    x1 - x0,
                    row - 12.0,
                    x0 + 6.0,
                    mid + 4.0,
                    escape(&common::reason(r))
                );
            }
            (None, Some(m)) => {
                let _ = write!(
                    o,
                    r#"<rect x="{x0}" y="{}" width="{}" height="{}" fill="{BLUE}" fill-opacity="0.75"/>"#,
                    y + 7.0,
                    sx(m) - x0,
                    row - 14.0
                );
                if let (Some(l), Some(hi)) = (t.ci_low, t.ci_high) {
                    let (a, b) = (sx(l), sx(hi));
                    let _ = write!(
                        o,
                        r#"<path d="M{a} {} V{} M{a} {mid} H{b} M{b} {} V{}" stroke="{INK}" stroke-width="1.6" fill="none"/>"#,
                        mid - 6.0,
                        mid + 6.0,
                        mid - 6.0,
                        mid + 6.0
                    );
                }
                let pos = t
                    .pct_positive
                    .map_or("–".into(), |p| format!("{}%", whole_text(Some(p))));
                let _ = write!(
                    o,
                    r#"<text x="{}" y="{}" fill="{INK}" font-weight="bold">{}</text><text x="{w}" y="{}" text-anchor="end" fill="{INK}">{} · {}</text>"#,
                    x1 + 24.0,
                    mid + 4.0,
                    escape(&common::mean_ci(t)),
                    mid + 4.0,
                    t.n,
                    escape(&pos)
                );
            }
            (None, None) => {
                let _ = write!(
                    o,
                    r#"<text x="{}" y="{}" fill="{INK}" font-style="italic">no score</text>"#,
                    x0 + 6.0,
                    mid + 4.0
                );
            }
        }
    }
    o.push_str(HATCH);
    o.push_str("</svg>");
    o
}

const HATCH: &str = r##"<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3f4f6"/><line x1="0" y1="0" x2="0" y2="6" stroke="#d1d5db" stroke-width="2"/></pattern></defs>"##;

/// Importance (up) against score (across), with the medians dividing the four quadrants; each
/// ranked theme is a numbered dot.
pub fn quadrant(data: &ReportData, w: &WhereToAct) -> String {
    let (width, height) = (300.0, 250.0);
    let (x0, x1, y0, y1) = (30.0, 292.0, 218.0, 6.0);
    let max_imp = w
        .ranked
        .iter()
        .map(|p| p.importance)
        .fold(0.0_f64, f64::max)
        .max(1.0)
        * 1.1;
    let sx = |v: f64| x0 + (x1 - x0) * v.clamp(0.0, 100.0) / 100.0;
    let sy = |v: f64| y0 - (y0 - y1) * (v / max_imp).clamp(0.0, 1.0);
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg class="quadrant" viewBox="0 0 {width} {height}" width="{width}" role="img" aria-label="Importance against score" xmlns="http://www.w3.org/2000/svg" font-size="11">"#
    );
    let _ = write!(
        o,
        r#"<rect x="{x0}" y="{y1}" width="{}" height="{}" fill="none" stroke="{GRID}"/>"#,
        x1 - x0,
        y0 - y1
    );
    if let (Some(mi), Some(ms)) = (w.importance_median, w.score_median) {
        let (mx, my) = (sx(ms), sy(mi));
        let _ = write!(
            o,
            r##"<rect x="{x0}" y="{y1}" width="{}" height="{}" fill="#fee2e2"/>"##,
            mx - x0,
            my - y1
        );
        let _ = write!(
            o,
            r#"<line x1="{mx}" y1="{y1}" x2="{mx}" y2="{y0}" stroke="{GREY}" stroke-dasharray="4 3"/><line x1="{x0}" y1="{my}" x2="{x1}" y2="{my}" stroke="{GREY}" stroke-dasharray="4 3"/>"#
        );
        let _ = write!(
            o,
            r##"<text x="{}" y="{}" fill="#991b1b" font-weight="bold">Act first</text><text x="{}" y="{}" text-anchor="end" fill="{GREY}">Keep up</text><text x="{}" y="{}" fill="{GREY}">Watch</text><text x="{}" y="{}" text-anchor="end" fill="{GREY}">Maintain</text>"##,
            x0 + 4.0,
            y1 + 13.0,
            x1 - 4.0,
            y1 + 13.0,
            x0 + 4.0,
            y0 - 5.0,
            x1 - 4.0,
            y0 - 5.0
        );
    }
    for (v, anchor) in [(0.0, "start"), (50.0, "middle"), (100.0, "end")] {
        let _ = write!(
            o,
            r#"<text x="{}" y="{}" text-anchor="{anchor}" fill="{GREY}">{v}</text>"#,
            sx(v),
            y0 + 13.0
        );
    }
    let _ = write!(
        o,
        r#"<text x="{}" y="{}" text-anchor="middle" fill="{GREY}">score →</text><text transform="translate(12 {}) rotate(-90)" text-anchor="middle" fill="{GREY}">importance →</text>"#,
        (x0 + x1) / 2.0,
        y0 + 26.0,
        (y0 + y1) / 2.0
    );
    for p in &w.ranked {
        let number = data
            .survey
            .theme(&p.id)
            .map_or_else(|| p.rank.to_string(), |t| t.number.to_string());
        let (cx, cy) = (sx(p.score), sy(p.importance));
        let _ = write!(
            o,
            r##"<circle cx="{cx}" cy="{cy}" r="8" fill="{BLUE}"/><text x="{cx}" y="{}" text-anchor="middle" fill="#fff" font-weight="bold" font-size="10">{}</text>"##,
            cy + 3.5,
            escape(&number)
        );
    }
    o.push_str("</svg>");
    o
}

/// One small chart of a theme's mean per period with its 95% CI band; gaps where not shown.
pub fn trend(data: &ReportData, theme: usize) -> String {
    let series = common::theme_series(data, theme);
    let cis: Vec<Option<(f64, f64)>> = data
        .trends
        .iter()
        .map(|r| {
            let t = r.summary.themes.get(theme)?;
            Some((t.ci_low?, t.ci_high?))
        })
        .collect();
    let (width, height) = (330.0, 84.0);
    let (x0, x1, y0, y1) = (24.0, 324.0, 70.0, 6.0);
    let n = series.len().max(1);
    let sx = |i: usize| {
        if n == 1 {
            (x0 + x1) / 2.0
        } else {
            x0 + (x1 - x0) * i as f64 / (n - 1) as f64
        }
    };
    let sy = |v: f64| y0 - (y0 - y1) * v.clamp(0.0, 100.0) / 100.0;
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg viewBox="0 0 {width} {height}" width="100%" role="img" xmlns="http://www.w3.org/2000/svg" font-size="10">"#
    );
    for v in [0.0, 50.0, 100.0] {
        let _ = write!(
            o,
            r#"<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="{GRID}" stroke-width="0.6"/><text x="{}" y="{}" text-anchor="end" fill="{GREY}">{v}</text>"#,
            x0 - 3.0,
            sy(v) + 3.0,
            y = sy(v)
        );
    }
    // CI band and line, broken into runs of shown periods.
    let mut runs: Vec<Vec<usize>> = vec![Vec::new()];
    for (i, (_, v)) in series.iter().enumerate() {
        match v {
            Some(_) => runs.last_mut().map_or((), |r| r.push(i)),
            None => runs.push(Vec::new()),
        }
    }
    for run in runs.iter().filter(|r| !r.is_empty()) {
        let upper: Vec<String> = run
            .iter()
            .filter_map(|&i| cis[i].map(|(_, h)| format!("{:.1},{:.1}", sx(i), sy(h))))
            .collect();
        let lower: Vec<String> = run
            .iter()
            .rev()
            .filter_map(|&i| cis[i].map(|(l, _)| format!("{:.1},{:.1}", sx(i), sy(l))))
            .collect();
        if upper.len() == run.len() && run.len() > 1 {
            let _ = write!(
                o,
                r#"<polygon points="{} {}" fill="{BLUE}" fill-opacity="0.15"/>"#,
                upper.join(" "),
                lower.join(" ")
            );
        }
        let points: Vec<String> = run
            .iter()
            .filter_map(|&i| series[i].1.map(|v| format!("{:.1},{:.1}", sx(i), sy(v))))
            .collect();
        if run.len() > 1 {
            let _ = write!(
                o,
                r#"<polyline points="{}" fill="none" stroke="{BLUE}" stroke-width="1.6"/>"#,
                points.join(" ")
            );
        }
        for &i in run {
            if let Some(v) = series[i].1 {
                let _ = write!(
                    o,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="1.8" fill="{BLUE}"/>"#,
                    sx(i),
                    sy(v)
                );
            }
        }
    }
    for (i, (_, v)) in series.iter().enumerate() {
        if v.is_none() {
            let _ = write!(
                o,
                r#"<text x="{:.1}" y="{}" text-anchor="middle" fill="{GREY}">×</text>"#,
                sx(i),
                y0 - 2.0
            );
        }
    }
    if let (Some((a, _)), Some((b, _))) = (series.first(), series.last()) {
        let _ = write!(
            o,
            r#"<text x="{x0}" y="{}" fill="{GREY}">{a}</text><text x="{x1}" y="{}" text-anchor="end" fill="{GREY}">{b}</text>"#,
            height - 1.0,
            height - 1.0
        );
    }
    o.push_str("</svg>");
    o
}
