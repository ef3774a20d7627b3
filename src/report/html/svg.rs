//! Inline SVG charts for the HTML report: theme bars with confidence whiskers, the
//! importance-against-score quadrant, and one small trend chart per theme. Every text is escaped.

use std::fmt::Write as _;

use super::escape;
use crate::priority::{Quadrant, WhereToAct};
use crate::report::ReportData;
use crate::report::chart::{self, Box2, Label};
use crate::report::common::{self, whole_text};

/// Average width of a character of the charts' 11-pixel text, for keeping labels apart.
const CHAR_W: f64 = 6.4;

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
                    r##"<rect class="box" x="{x0}" y="{}" width="{}" height="{}" fill="url(#hatch)" stroke="{GRID}"/><text x="{}" y="{}" fill="{INK}" font-style="italic">{}</text><text x="{}" y="{}" fill="{GREY}">–</text>"##,
                    y + 6.0,
                    x1 - x0,
                    row - 12.0,
                    x0 + 6.0,
                    mid + 4.0,
                    escape(&common::short_reason(r)),
                    x1 + 24.0,
                    mid + 4.0,
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

/// The quadrant chart of [`chart`]: score across, importance up, the medians
/// dashed, "act first" shaded in the top-left corner, each ranked theme a dot numbered by its
/// rank (moved aside, with a thin line to its place, where it would cover another).
pub fn quadrant(w: &WhereToAct) -> String {
    let (width, height) = (300.0, 252.0);
    let (x0, x1, y1, y0) = (34.0, 292.0, 6.0, 216.0);
    let axes = chart::axes(w);
    let (slo, shi) = axes.score;
    let (ilo, ihi) = axes.importance;
    let sx = |v: f64| x0 + (x1 - x0) * ((v - slo) / (shi - slo)).clamp(0.0, 1.0);
    let sy = |v: f64| y0 - (y0 - y1) * ((v - ilo) / (ihi - ilo)).clamp(0.0, 1.0);
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg class="quadrant" viewBox="0 0 {width} {height}" width="{width}" role="img" aria-label="Importance against score" xmlns="http://www.w3.org/2000/svg" font-size="11">"#
    );
    if let (Some(mi), Some(ms)) = (w.importance_median, w.score_median) {
        let (mx, my) = (sx(ms), sy(mi));
        let _ = write!(
            o,
            r##"<rect x="{x0}" y="{y1}" width="{}" height="{}" fill="#fee2e2"/><line x1="{mx}" y1="{y1}" x2="{mx}" y2="{y0}" stroke="{GREY}" stroke-dasharray="4 3"/><line x1="{x0}" y1="{my}" x2="{x1}" y2="{my}" stroke="{GREY}" stroke-dasharray="4 3"/>"##,
            mx - x0,
            my - y1
        );
    }
    let _ = write!(
        o,
        r#"<rect x="{x0}" y="{y1}" width="{}" height="{}" fill="none" stroke="{GRID}"/>"#,
        x1 - x0,
        y0 - y1
    );
    // The quadrants' names in their corners; the dots keep clear of them.
    let mut corners = Vec::new();
    for (q, top, left) in chart::CORNERS {
        let name = common::quadrant_words(q);
        let tw = name.chars().count() as f64 * CHAR_W;
        let (x, anchor, bx) = if left {
            (x0 + 4.0, "start", x0 + 4.0)
        } else {
            (x1 - 4.0, "end", x1 - 4.0 - tw)
        };
        let y = if top { y1 + 13.0 } else { y0 - 5.0 };
        let (fill, weight) = if q == Quadrant::ActFirst {
            ("#991b1b", "bold")
        } else {
            (GREY, "normal")
        };
        let _ = write!(
            o,
            r#"<text x="{x}" y="{y}" text-anchor="{anchor}" fill="{fill}" font-weight="{weight}">{name}</text>"#
        );
        corners.push(Box2 {
            x: bx,
            y: y - 10.0,
            w: tw,
            h: 13.0,
        });
    }
    let ticks = [slo, (slo + shi) / 2.0, shi];
    for (v, anchor) in ticks.iter().zip(["start", "middle", "end"]) {
        let _ = write!(
            o,
            r#"<text x="{}" y="{}" text-anchor="{anchor}" fill="{GREY}">{}</text>"#,
            sx(*v),
            y0 + 13.0,
            whole_text(Some(*v))
        );
    }
    let _ = write!(
        o,
        r#"<text x="{}" y="{}" text-anchor="middle" fill="{GREY}">score →</text><text transform="translate(12 {}) rotate(-90)" text-anchor="middle" fill="{GREY}">importance →</text>"#,
        (x0 + x1) / 2.0,
        y0 + 27.0,
        (y0 + y1) / 2.0
    );
    const R: f64 = 8.5;
    // Each quadrant's part of the picture: a dot stays wholly on its own side of each median.
    let (mx, my) = (
        w.score_median.map_or((x0 + x1) / 2.0, sx),
        w.importance_median.map_or((y0 + y1) / 2.0, sy),
    );
    let region = |q: Quadrant| {
        let (top, left) = chart::CORNERS
            .iter()
            .find(|c| c.0 == q)
            .map_or((true, true), |c| (c.1, c.2));
        let (a, b) = if left { (x0, mx) } else { (mx, x1) };
        let (c, d) = if top { (y1, my) } else { (my, y0) };
        Box2 {
            x: a,
            y: c,
            w: b - a,
            h: d - c,
        }
    };
    let want: Vec<Box2> = w
        .ranked
        .iter()
        .map(|p| Box2 {
            x: sx(p.score) - R,
            y: sy(p.importance) - R,
            w: 2.0 * R,
            h: 2.0 * R,
        })
        .collect();
    let labels: Vec<Label> = w
        .ranked
        .iter()
        .zip(&want)
        .map(|(p, b)| Label {
            want: *b,
            within: region(p.quadrant),
        })
        .collect();
    let placed = chart::place(&labels, &corners, (3.0, 3.0), 12);
    for ((p, at), want) in w.ranked.iter().zip(&placed).zip(&want) {
        let (cx, cy) = (at.x + R, at.y + R);
        let (tx, ty) = (want.x + R, want.y + R);
        if (cx - tx).abs() > 0.5 || (cy - ty).abs() > 0.5 {
            let _ = write!(
                o,
                r#"<line x1="{tx:.1}" y1="{ty:.1}" x2="{cx:.1}" y2="{cy:.1}" stroke="{BLUE}" stroke-width="1"/><circle cx="{tx:.1}" cy="{ty:.1}" r="2" fill="{BLUE}"/>"#
            );
        }
        let _ = write!(
            o,
            r##"<circle class="dot" cx="{cx:.1}" cy="{cy:.1}" r="{R}" fill="{BLUE}"/><text x="{cx:.1}" y="{:.1}" text-anchor="middle" fill="#fff" font-weight="bold" font-size="10">{}</text>"##,
            cy + 3.5,
            p.rank
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
    let (width, height) = (330.0, 88.0);
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
            r#"<text x="{x0}" y="{}" fill="{GREY}">{}</text><text x="{x1}" y="{}" text-anchor="end" fill="{GREY}">{}</text>"#,
            height - 4.0,
            escape(&common::period_short(data, *a)),
            height - 4.0,
            escape(&common::period_short(data, *b))
        );
    }
    o.push_str("</svg>");
    o
}
