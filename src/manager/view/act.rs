//! Where to act first: the ranked themes, the chart of the HTML report ([`crate::report::chart`]:
//! score across, importance up, "act first" top left, each theme numbered by its rank), and what
//! the importance weights are (and are not).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

use super::text::{fit, hidden, pad, put, put_str, safe, score};
use crate::manager::model::Model;
use crate::priority::{Quadrant, WhereToAct};
use crate::report::chart::{self, Box2, Label};
use crate::report::common::quadrant_words;
use crate::survey::Survey;
use crate::tui::Theme;
use crate::tui::layout::{width, wrap};

/// Narrowest chart worth drawing beside the list.
const CHART_MIN_WIDTH: u16 = 22;
/// Lowest chart worth drawing under the list.
const CHART_MIN_HEIGHT: u16 = 11;
/// Widths of the list's figure columns.
const SCORE_W: u16 = 6;
const IMP_W: u16 = 6;
const PRIORITY_W: u16 = 6;
const QUADRANT_W: u16 = 10;

pub fn render(model: &Model, theme: &Theme, r: Rect, buf: &mut Buffer) {
    let w = &model.data.where_to_act;
    let rows = (w.ranked.len() + w.not_ranked.len()) as u16 + 1;
    let name_w = w
        .ranked
        .iter()
        .map(|p| &p.name)
        .chain(w.not_ranked.iter().map(|n| &n.name))
        .map(|n| width(&safe(n)))
        .max()
        .unwrap_or(5)
        .clamp(5, 30);
    let base = 2 + 3 + name_w + SCORE_W + IMP_W + 1 + QUADRANT_W;
    let beside = r.width >= base + 1 + CHART_MIN_WIDTH;
    // The note in full where the list and the chart leave room for it; else its short form.
    let gap = u16::from(r.height > 16);
    let long = wrap(&weights_note(&model.data.survey, false), r.width);
    let note = if beside && rows + gap + long.len() as u16 <= r.height {
        long
    } else {
        wrap(&weights_note(&model.data.survey, true), r.width)
    };
    let note_h = (note.len() as u16).min(r.height / 3);
    let top = Rect::new(r.x, r.y, r.width, r.height.saturating_sub(note_h + gap));
    for (i, line) in note.iter().take(usize::from(note_h)).enumerate() {
        put_str(buf, r, r.height - note_h + i as u16, line, theme.quiet);
    }
    // The priority column where there is room for it beside a chart.
    let with_priority = top.width >= base + PRIORITY_W + 1 + 40;
    let list_w = (base + if with_priority { PRIORITY_W } else { 0 }).min(top.width);
    let selected = (model.picker.is_none()).then_some(model.act_row);
    if w.ranked.is_empty() {
        ranked_list(model, w, name_w, false, theme, top, buf);
    } else if beside && top.width >= list_w + 1 + CHART_MIN_WIDTH {
        let list = Rect::new(top.x, top.y, list_w, top.height);
        ranked_list(model, w, name_w, with_priority, theme, list, buf);
        let chart = Rect::new(
            top.x + list_w + 1,
            top.y,
            top.width - list_w - 1,
            top.height.min(24),
        );
        quadrant_chart(w, selected, theme, chart, buf);
    } else if top.height >= rows + 1 + CHART_MIN_HEIGHT {
        let list = Rect::new(top.x, top.y, top.width, rows);
        ranked_list(model, w, name_w, false, theme, list, buf);
        let chart = Rect::new(
            top.x,
            top.y + rows + 1,
            top.width.min(60),
            (top.height - rows - 1).min(20),
        );
        quadrant_chart(w, selected, theme, chart, buf);
    } else {
        ranked_list(model, w, name_w, false, theme, top, buf);
        if top.height > rows {
            let hint = "A wider or taller window shows the chart of score against importance.";
            for (k, line) in wrap(hint, top.width).iter().enumerate() {
                put_str(buf, top, rows + k as u16, line, theme.quiet);
            }
        }
    }
}

/// One honest sentence on the weights; `short` for small screens.
fn weights_note(survey: &Survey, short: bool) -> String {
    if short {
        return if survey.id.starts_with("icare") {
            "Importance: how often patients in the iCARE study raised each theme, the same for every practice.".into()
        } else {
            "Importance: each theme's weight in the survey file, the same for every practice."
                .into()
        };
    }
    let source = if survey.id.starts_with("icare") {
        "Importance = how often patients in the iCARE study (24 interviews, Alves et al. 2021) raised each theme"
    } else {
        "Importance = the weight each theme has in the survey file"
    };
    format!(
        "{source}: the same for every practice, not a measure of this one. Ranked by importance × (100 − score); quadrants split at the middle score and importance."
    )
}

/// The table of the HTML report: rank, theme, score, importance, (priority,) quadrant.
fn ranked_list(
    model: &Model,
    w: &WhereToAct,
    name_w: u16,
    with_priority: bool,
    theme: &Theme,
    r: Rect,
    buf: &mut Buffer,
) {
    let name_w = name_w.min(r.width.saturating_sub(2 + 3));
    let priority = if with_priority {
        format!("{:>w$}", "prio.", w = usize::from(PRIORITY_W))
    } else {
        String::new()
    };
    let header = format!(
        "  {:<3}{}{:>sw$}{:>iw$}{priority} quadrant",
        "#",
        pad("Theme", name_w),
        "score",
        "imp.",
        sw = usize::from(SCORE_W),
        iw = usize::from(IMP_W),
    );
    put_str(buf, r, 0, &fit(&header, r.width), theme.strong);
    let room = usize::from(r.height.saturating_sub(1));
    let rows = w.ranked.len() + w.not_ranked.len();
    let first = (model.act_row + 1).saturating_sub(room);
    for (y, i) in (1..).zip((first..rows).take(room)) {
        let selected = i == model.act_row && model.picker.is_none();
        let mark = if selected { "▶ " } else { "  " };
        let style = if selected { theme.focused } else { theme.base };
        let line = match w.ranked.get(i) {
            Some(p) => {
                let priority = if with_priority {
                    format!("{:>w$}", score(p.priority), w = usize::from(PRIORITY_W))
                } else {
                    String::new()
                };
                Line::from(vec![
                    Span::styled(mark, theme.strong),
                    Span::styled(format!("{:<3}", p.rank), theme.base),
                    Span::styled(pad(&safe(&p.name), name_w), style),
                    Span::styled(
                        format!(
                            "{:>sw$}{:>iw$}{priority} ",
                            score(p.score),
                            score(p.importance),
                            sw = usize::from(SCORE_W),
                            iw = usize::from(IMP_W),
                        ),
                        theme.base,
                    ),
                    Span::styled(quadrant_words(p.quadrant), theme.strong),
                ])
            }
            None => {
                let n = &w.not_ranked[i - w.ranked.len()];
                let rest = r.width.saturating_sub(5 + name_w + 1);
                Line::from(vec![
                    Span::styled(mark, theme.strong),
                    Span::styled("–  ", theme.base),
                    Span::styled(pad(&safe(&n.name), name_w), style),
                    Span::raw(" "),
                    Span::styled(hidden(&n.reason, rest), theme.notice),
                ])
            }
        };
        put(buf, r, y, &line);
    }
    if rows == 0 {
        put_str(
            buf,
            r,
            1,
            &fit("No theme to rank yet.", r.width),
            theme.base,
        );
    }
}

/// The chart in `r`: the medians dotted, the quadrants' names in their corners, each ranked theme
/// its rank number (the selected row of the list in brackets) inside its own quadrant, moved
/// aside where it would run into another, and the score axis's ends under it.
fn quadrant_chart(
    w: &WhereToAct,
    selected: Option<usize>,
    theme: &Theme,
    r: Rect,
    buf: &mut Buffer,
) {
    if r.width < 16 || r.height < 6 {
        return;
    }
    let axes = chart::axes(w);
    let (lo, hi) = axes.score;
    let (i0, i1) = axes.importance;
    let area = Rect::new(r.x, r.y, r.width, r.height - 1);
    let block = Block::default()
        .borders(Borders::LEFT | Borders::BOTTOM)
        .title(Line::from(fit("↑ importance", area.width)).style(theme.strong))
        .style(theme.base);
    let inner = block.inner(area);
    block.render(area, buf);
    // The score axis under the chart: its ends, and what it is.
    let (a, b) = (score(lo), score(hi));
    let caption = "score →";
    let row = Rect::new(inner.x, r.bottom() - 1, inner.width, 1);
    put_str(buf, row, 0, &a, theme.quiet);
    let mid = inner.width.saturating_sub(width(caption)) / 2;
    if mid > width(&a) {
        buf.set_stringn(
            row.x + mid,
            row.y,
            caption,
            usize::from(inner.width),
            theme.quiet,
        );
    }
    buf.set_stringn(
        row.right().saturating_sub(width(&b)),
        row.y,
        &b,
        usize::from(inner.width),
        theme.quiet,
    );
    if inner.width < 8 || inner.height < 3 {
        return;
    }
    // In cells, x across and y down: where a score and an importance fall.
    let (iw, ih) = (f64::from(inner.width), f64::from(inner.height));
    let col = |v: f64| (((v - lo) / (hi - lo)).clamp(0.0, 1.0) * (iw - 1.0)).round();
    let line = |v: f64| (((i1 - v) / (i1 - i0)).clamp(0.0, 1.0) * (ih - 1.0)).round();
    // The medians, dotted; a theme sits on its own side of each.
    let mc = w.score_median.map(col);
    let mr = w.importance_median.map(line);
    if let Some(c) = mc {
        for y in 0..inner.height {
            buf.set_string(inner.x + c as u16, inner.y + y, "┊", theme.quiet);
        }
    }
    if let Some(m) = mr {
        let y = inner.y + m as u16;
        for x in 0..inner.width {
            let crossing = mc.is_some_and(|c| c as u16 == x);
            buf.set_string(
                inner.x + x,
                y,
                if crossing { "┼" } else { "┈" },
                theme.quiet,
            );
        }
    }
    let cell = |b: Box2| (inner.x + b.x as u16, inner.y + b.y as u16);
    let mut corners = Vec::new();
    for (q, top, left) in chart::CORNERS {
        let name = quadrant_words(q);
        let nw = f64::from(width(name));
        if 2.0 * nw + 3.0 > iw {
            continue;
        }
        let b = Box2 {
            x: if left { 0.0 } else { iw - nw },
            y: if top { 0.0 } else { ih - 1.0 },
            w: nw,
            h: 1.0,
        };
        let style = if q == Quadrant::ActFirst {
            theme.strong.add_modifier(Modifier::BOLD)
        } else {
            theme.quiet
        };
        let (x, y) = cell(b);
        buf.set_stringn(x, y, name, usize::from(inner.width), style);
        corners.push(b);
    }
    let label = |i: usize, rank: usize| {
        if Some(i) == selected {
            format!("[{rank}]")
        } else {
            rank.to_string()
        }
    };
    // Each quadrant's cells, off the median lines; with a cell to spare either side, as every
    // label keeps a cell of space either side so that no two numbers run together.
    let region = |q: Quadrant| {
        let (top, left) = chart::CORNERS
            .iter()
            .find(|c| c.0 == q)
            .map_or((true, true), |c| (c.1, c.2));
        let (x0, x1) = match (mc, left) {
            (Some(c), true) => (-1.0, c + 1.0),
            (Some(c), false) => (c, iw + 1.0),
            (None, _) => (-1.0, iw + 1.0),
        };
        let (y0, y1) = match (mr, top) {
            (Some(m), true) => (0.0, m),
            (Some(m), false) => (m + 1.0, ih),
            (None, _) => (0.0, ih),
        };
        Box2 {
            x: x0,
            y: y0,
            w: (x1 - x0).max(0.0),
            h: (y1 - y0).max(0.0),
        }
    };
    let labels: Vec<Label> = w
        .ranked
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let lw = width(&label(i, p.rank)) as f64;
            let x = (col(p.score) - ((lw - 1.0) / 2.0).floor()).max(0.0);
            Label {
                want: Box2 {
                    x: x - 1.0,
                    y: line(p.importance),
                    w: lw + 2.0,
                    h: 1.0,
                },
                within: region(p.quadrant),
            }
        })
        .collect();
    let placed = chart::place(&labels, &corners, (1.0, 1.0), 4);
    for (i, (p, b)) in w.ranked.iter().zip(&placed).enumerate() {
        let style = if Some(i) == selected {
            theme.focused
        } else {
            theme.base.add_modifier(Modifier::BOLD)
        };
        let (x, y) = cell(Box2 { x: b.x + 1.0, ..*b });
        buf.set_stringn(x, y, label(i, p.rank), usize::from(inner.width), style);
    }
}
