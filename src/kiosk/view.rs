//! Drawing the kiosk: a pure function of the [`Model`] and the [`Theme`]. No I/O, cannot fail,
//! draws something sensible at any size down to 0×0.

pub mod big;
pub mod layout;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::widgets::{Block, BorderType, Borders, Widget};

use super::model::Model;
use super::page::{ButtonSpec, Page, page};
use super::strings;
use crate::tui::Theme;
use crate::tui::layout::{full_screen, width};
use layout::{Placed, place};

/// The kiosk as a widget: the model drawn with a theme.
#[derive(Debug, Clone, Copy)]
pub struct Kiosk<'a> {
    pub model: &'a Model,
    pub theme: &'a Theme,
}

impl Widget for Kiosk<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        render(self.model, self.theme, area, buf);
    }
}

impl Widget for &Model {
    fn render(self, area: Rect, buf: &mut Buffer) {
        render(self, &Theme::COLOR, area, buf);
    }
}

/// Draw `model` into `buf` within `area`.
pub fn render(model: &Model, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let too_small = strings::for_language(model.language()).too_small;
    let Some(area) = full_screen(area, buf, theme, too_small) else {
        return;
    };
    let page = page(model);
    let placed = place(&page, area);
    draw_page(&page, &placed, theme, area, buf);
}

fn text(buf: &mut Buffer, area: Rect, r: Rect, lines: &[String], style: Style) {
    let r = r.intersection(area);
    for (i, line) in lines.iter().enumerate().take(usize::from(r.height)) {
        buf.set_stringn(r.x, r.y + i as u16, line, usize::from(r.width), style);
    }
}

fn draw_page(page: &Page, p: &Placed, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if let (Some(r), Some((step, steps))) = (p.progress, page.progress) {
        progress(buf, area, r, &page.progress_label, step, steps, theme);
    }
    text(buf, area, p.heading, &p.heading_lines, theme.heading);
    let body = p.body.intersection(area);
    for (i, (line, strong)) in p
        .body_lines
        .iter()
        .enumerate()
        .take(usize::from(body.height))
    {
        let style = if *strong { theme.strong } else { theme.base };
        buf.set_stringn(
            body.x,
            body.y + i as u16,
            line,
            usize::from(body.width),
            style,
        );
    }
    if let (Some((boxed, caption)), Some(field)) = (p.field, &page.field) {
        let boxed = boxed.intersection(area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_type(BorderType::Thick)
            .style(theme.field);
        let inner = block.inner(boxed);
        block.render(boxed, buf);
        let mut lines = p.field_lines.clone();
        // The cursor: a block after the last character.
        if let Some(last) = lines.last_mut() {
            last.push('▏');
        }
        text(buf, area, inner, &lines, theme.field);
        text(
            buf,
            area,
            caption,
            std::slice::from_ref(&field.caption),
            theme.quiet,
        );
    }
    if let Some(r) = p.notice {
        text(buf, area, r, &p.notice_lines, theme.notice);
    }
    let chosen_word = page.chosen_word.as_str();
    for (spec, r) in page.choices.iter().zip(&p.choices) {
        draw_button(buf, area, *r, spec, p.tall, chosen_word, theme);
    }
    for (spec, r) in page.nav.iter().zip(&p.nav) {
        draw_button(buf, area, *r, spec, r.height >= 3, chosen_word, theme);
    }
    text(buf, area, p.keys, &p.keys_lines, theme.quiet);
}

fn progress(
    buf: &mut Buffer,
    area: Rect,
    r: Rect,
    label: &str,
    step: usize,
    steps: usize,
    theme: &Theme,
) {
    let r = r.intersection(area);
    buf.set_stringn(r.x, r.y, label, usize::from(r.width), theme.strong);
    let start = width(label) + 2;
    let bar = usize::from(r.width.saturating_sub(start));
    let done = (bar * step).checked_div(steps).unwrap_or(0).min(bar);
    if bar > 0 {
        let x = r.x + start;
        buf.set_stringn(x, r.y, "█".repeat(done), bar, theme.bar_done);
        let rest = "░".repeat(bar - done);
        buf.set_stringn(x + done as u16, r.y, rest, bar - done, theme.bar_todo);
    }
}

/// One button: its number, its label, an arrow when focused and a tick with words when chosen.
fn draw_button(
    buf: &mut Buffer,
    area: Rect,
    r: Rect,
    spec: &ButtonSpec,
    tall: bool,
    chosen_word: &str,
    theme: &Theme,
) {
    let r = r.intersection(area);
    if r.is_empty() {
        return;
    }
    let style = if spec.chosen {
        theme.chosen
    } else if spec.focused {
        theme.focused
    } else {
        theme.button
    };
    buf.set_style(r, style);
    let inner = if tall {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_type(if spec.focused {
                BorderType::Thick
            } else if spec.chosen {
                BorderType::Double
            } else {
                BorderType::Rounded
            })
            .style(style);
        let inner = block.inner(r);
        block.render(r, buf);
        inner
    } else {
        r
    };
    if inner.is_empty() {
        return;
    }
    let mark = if spec.focused { "▶" } else { " " };
    let label = match spec.number {
        Some(n) => format!("{mark} {n}  {}", spec.label),
        None => format!("{mark} {}", spec.label),
    };
    let y = inner.y + inner.height.saturating_sub(1) / 2;
    let w = usize::from(inner.width);
    // A two-row button: the label row, then a half-height edge in the button's colour, which
    // leaves half a row of space before the next button. Without colour, a plain blank row.
    if !tall && r.height == 2 {
        let edge = r.y + 1;
        let look = match style.bg {
            Some(bg) => Style::new()
                .fg(bg)
                .bg(theme.base.bg.unwrap_or(Color::Reset)),
            None => theme.base,
        };
        let glyph = if style.bg.is_some() { "▀" } else { " " };
        buf.set_stringn(r.x, edge, glyph.repeat(w), w, look);
    }
    buf.set_stringn(inner.x, y, &label, w, style);
    if spec.chosen {
        let tick = format!("✓ {chosen_word} ");
        let tw = width(&tick);
        if width(&label) + 2 + tw <= inner.width {
            buf.set_stringn(inner.right() - tw, y, &tick, w, style);
        } else {
            buf.set_stringn(inner.x, y, "✓", w, style);
        }
    }
}

#[cfg(test)]
mod polish_tests;
#[cfg(test)]
mod terminal_tests;
#[cfg(test)]
pub(crate) mod tests;
