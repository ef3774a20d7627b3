//! Where to act first: the ranked themes, a quadrant chart of importance against score, and what
//! the importance weights are (and are not).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Line as CanvasLine};
use ratatui::widgets::{Block, Borders, Widget};

use super::text::{fit, hidden, pad, put, put_str, safe, score};
use crate::kiosk::theme::Theme;
use crate::kiosk::view::layout::wrap;
use crate::manager::model::Model;
use crate::priority::{Quadrant, WhereToAct};
use crate::survey::Survey;

/// Narrowest chart worth drawing beside the list.
const CHART_MIN_WIDTH: u16 = 28;
/// Width of the list when the chart sits beside it.
const LIST_WIDTH: u16 = 50;

pub fn render(model: &Model, theme: &Theme, r: Rect, buf: &mut Buffer) {
    let w = &model.data.where_to_act;
    let note = wrap(&weights_note(&model.data.survey), r.width);
    let note_h = (note.len() as u16).min(r.height / 3);
    let gap = u16::from(r.height > 16);
    let top = Rect::new(r.x, r.y, r.width, r.height.saturating_sub(note_h + gap));
    for (i, line) in note.iter().take(usize::from(note_h)).enumerate() {
        put_str(buf, r, r.height - note_h + i as u16, line, theme.quiet);
    }
    let list_w = (top.width * 55 / 100).clamp(LIST_WIDTH, LIST_WIDTH + 8);
    let side_by_side = top.width >= list_w + 1 + CHART_MIN_WIDTH && !w.ranked.is_empty();
    let list_w = if side_by_side { list_w } else { top.width };
    let list = Rect::new(top.x, top.y, list_w, top.height);
    ranked_list(model, w, theme, list, buf);
    if side_by_side {
        let chart = Rect::new(
            top.x + list_w + 1,
            top.y,
            top.width - list_w - 1,
            top.height.min(24),
        );
        let selected = (model.picker.is_none()).then_some(model.act_row);
        quadrant_chart(w, selected, theme, chart, buf);
    }
}

/// One honest sentence on the weights.
fn weights_note(survey: &Survey) -> String {
    let source = if survey.id.starts_with("icare") {
        "Importance = how often patients in the iCARE study (24 interviews, Alves et al. 2021) raised each theme"
    } else {
        "Importance = the weight each theme has in the survey file"
    };
    format!(
        "{source}: the same for every practice, not a measure of this one. Ranked by importance × (100 − score)."
    )
}

fn quadrant_word(q: Quadrant) -> &'static str {
    match q {
        Quadrant::ActFirst => "act first",
        Quadrant::KeepUp => "keep up",
        Quadrant::Watch => "watch",
        Quadrant::Maintain => "maintain",
    }
}

fn ranked_list(model: &Model, w: &WhereToAct, theme: &Theme, r: Rect, buf: &mut Buffer) {
    let quad_w: u16 = 10;
    let name_w = r.width.saturating_sub(2 + 3 + 6 + 6 + 1 + quad_w).min(30);
    let header = format!(
        "  {:<3}{}{:>6}{:>6} {}",
        "#",
        pad("Theme", name_w),
        "score",
        "imp.",
        "where"
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
            Some(p) => Line::from(vec![
                Span::styled(mark, theme.strong),
                Span::styled(format!("{:<3}", p.rank), theme.base),
                Span::styled(pad(&safe(&p.name), name_w), style),
                Span::styled(
                    format!("{:>6}{:>6} ", score(p.score), score(p.importance)),
                    theme.base,
                ),
                Span::styled(quadrant_word(p.quadrant), theme.strong),
            ]),
            None => {
                let n = &w.not_ranked[i - w.ranked.len()];
                let rest = r.width.saturating_sub(5 + name_w);
                Line::from(vec![
                    Span::styled(mark, theme.strong),
                    Span::styled("–  ", theme.base),
                    Span::styled(pad(&safe(&n.name), name_w), style),
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

/// Importance across, score up, the medians as dotted lines, each theme as its rank number.
/// The selected row of the list (`selected`), when ranked, is drawn in brackets.
fn quadrant_chart(
    w: &WhereToAct,
    selected: Option<usize>,
    theme: &Theme,
    r: Rect,
    buf: &mut Buffer,
) {
    if r.width < 8 || r.height < 6 {
        return;
    }
    let max_imp = w.ranked.iter().map(|p| p.importance).fold(1.0, f64::max) * 1.08;
    // The score axis spans the scores shown, in tens, with a margin of ten either side.
    let low = w.ranked.iter().map(|p| p.score).fold(100.0, f64::min);
    let high = w.ranked.iter().map(|p| p.score).fold(0.0, f64::max);
    let y_min = ((low / 10.0).floor() * 10.0 - 10.0).max(0.0);
    let y_max = ((high / 10.0).ceil() * 10.0 + 10.0)
        .min(100.0)
        .max(y_min + 10.0);
    let title = format!("score {}–{} ↑  importance →", score(y_min), score(y_max));
    let block = Block::default()
        .borders(Borders::LEFT | Borders::BOTTOM)
        .title(Line::from(fit(&title, r.width)).style(theme.strong))
        .style(theme.base);
    let (im, sm) = (w.importance_median, w.score_median);
    Canvas::default()
        .block(block)
        .marker(Marker::Braille)
        .x_bounds([0.0, max_imp])
        .y_bounds([y_min, y_max])
        .background_color(theme.base.bg.unwrap_or_default())
        .paint(|ctx| {
            if let Some(im) = im {
                ctx.draw(&CanvasLine::new(im, y_min, im, y_max, theme_fg(theme)));
            }
            if let Some(sm) = sm {
                ctx.draw(&CanvasLine::new(0.0, sm, max_imp, sm, theme_fg(theme)));
            }
            ctx.layer();
            ctx.print(max_imp * 0.62, y_min, "act first".bold());
            ctx.print(max_imp * 0.62, y_max, "keep up");
            ctx.print(0.0, y_min, "watch");
            ctx.print(0.0, y_max, "maintain");
            for (i, p) in w.ranked.iter().enumerate() {
                if Some(i) != selected {
                    ctx.print(p.importance, p.score, Span::raw(p.rank.to_string()).bold());
                }
            }
            // The selected theme last, so it is drawn over any neighbour.
            if let Some(p) = selected.and_then(|i| w.ranked.get(i)) {
                let label = Span::styled(format!("[{}]", p.rank), theme.focused);
                ctx.print(p.importance, p.score, label);
            }
        })
        .render(r, buf);
}

fn theme_fg(theme: &Theme) -> ratatui::style::Color {
    theme.quiet.fg.unwrap_or(ratatui::style::Color::Reset)
}
