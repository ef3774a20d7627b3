//! Drawing the manager's screen: a pure function of the [`Model`] and the [`Theme`]. No I/O,
//! cannot fail, draws something sensible at any size down to 0×0.
//!
//! Every view has the same frame: a "SYNTHETIC DEMO DATA" banner for demonstration stores, the
//! tab bar, the filters in force, the view itself and the keys in plain words.

mod act;
mod comments;
mod overview;
mod picker;
mod text;
mod theme_page;
mod trend_chart;
mod trends;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::model::{Model, Tab};
use crate::report::common;
use crate::tui::Theme;
use crate::tui::layout::{full_screen, width, wrap, wrap_parts};
use text::{fit, people, put, put_str, safe};

/// What is drawn in place of the screen below the smallest supported size.
pub const TOO_SMALL: &str = "Please make this window larger (at least 60 × 20)";

/// The manager's screen as a widget: the model drawn with a theme.
#[derive(Debug, Clone, Copy)]
pub struct Screen<'a> {
    pub model: &'a Model,
    pub theme: &'a Theme,
}

impl Widget for Screen<'_> {
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
    let Some(area) = full_screen(area, buf, theme, TOO_SMALL) else {
        return;
    };
    let keys = wrap_parts(&footer(model), " · ", area.width);
    let banner = u16::from(model.data.synthetic);
    // A blank row under the filters where there is room for it.
    let spacer = u16::from(area.height >= 22);
    // A failed load's message in full, on up to three rows (the first taking the blank row's place).
    let error = model.error.as_deref().map(|e| error_lines(e, area.width));
    let filter_h = error.as_ref().map_or(1, |l| l.len().clamp(1, 3) as u16);
    let spacer = spacer.saturating_sub(filter_h - 1);
    let [banner_r, tabs_r, filter_r, _, body, footer_r] = Layout::vertical([
        Constraint::Length(banner),
        Constraint::Length(1),
        Constraint::Length(filter_h),
        Constraint::Length(spacer),
        Constraint::Fill(1),
        Constraint::Length(keys.len().min(2) as u16),
    ])
    .areas(area);
    if banner == 1 {
        let text = fit(
            "SYNTHETIC DEMO DATA: made-up responses, not real patients",
            banner_r.width,
        );
        buf.set_style(banner_r, theme.chosen);
        let x = banner_r.width.saturating_sub(width(&text)) / 2;
        put_str(
            buf,
            banner_r,
            0,
            &format!("{}{text}", " ".repeat(x.into())),
            theme.chosen,
        );
    }
    tab_bar(model, theme, tabs_r, buf);
    filter_line(model, theme, filter_r, buf);
    match (model.theme_page, model.tab) {
        (Some(t), _) => theme_page::render(model, t, theme, body, buf),
        (None, Tab::Overview) => overview::render(model, theme, body, buf),
        (None, Tab::Trends) => trends::render(model, theme, body, buf),
        (None, Tab::WhereToAct) => act::render(model, theme, body, buf),
        (None, Tab::Comments) => comments::render(model, theme, body, buf),
    }
    for (i, line) in keys.iter().take(2).enumerate() {
        put_str(buf, footer_r, i as u16, line, theme.quiet);
    }
    if let Some(p) = &model.picker {
        picker::render(model, p, theme, body, buf);
    }
}

/// The keys that work right now, in plain words.
fn footer(model: &Model) -> String {
    if model.picker.is_some() {
        return "↑↓ move · Enter choose · ←→ week/month/quarter · Esc cancel · q quit".to_string();
    }
    let mut parts = vec!["Tab/←→ switch view", "↑↓ move"];
    if model.theme_page.is_some() {
        parts.push("Esc back");
    } else if model.tab != Tab::Comments {
        parts.push("Enter open theme");
    }
    parts.extend(["p period", "g week/month/quarter", "s site", "q quit"]);
    parts.join(" · ")
}

fn tab_bar(model: &Model, theme: &Theme, r: Rect, buf: &mut Buffer) {
    let mut spans = Vec::new();
    for (i, tab) in Tab::ALL.iter().enumerate() {
        let label = format!("{} {}", i + 1, tab.title());
        if *tab == model.tab {
            spans.push(Span::styled(format!("[{label}]"), theme.focused));
        } else {
            spans.push(Span::styled(format!(" {label} "), theme.quiet));
        }
        spans.push(Span::raw(" "));
    }
    let line = Line::from(spans);
    if line.width() > usize::from(r.width) {
        // Narrow: numbers for the others, the name of the current view only.
        let mut spans = Vec::new();
        for (i, tab) in Tab::ALL.iter().enumerate() {
            if *tab == model.tab {
                spans.push(Span::styled(
                    format!("[{} {}]", i + 1, tab.title()),
                    theme.focused,
                ));
            } else {
                spans.push(Span::styled(format!(" {} ", i + 1), theme.quiet));
            }
        }
        put(buf, r, 0, &Line::from(spans));
    } else {
        put(buf, r, 0, &line);
    }
}

/// A failed load's message, wrapped; cut (with `…`) only past three rows.
fn error_lines(e: &str, w: u16) -> Vec<String> {
    let text = format!(
        "Could not change the filter (still showing the figures below): {}",
        safe(e)
    );
    let mut lines = wrap(&text, w);
    if lines.len() > 3 {
        lines.truncate(3);
        if let Some(last) = lines.last_mut() {
            *last = fit(&format!("{last} …"), w);
        }
    }
    lines
}

fn filter_line(model: &Model, theme: &Theme, r: Rect, buf: &mut Buffer) {
    if let Some(filter) = &model.loading {
        let text = format!("Working out the figures by {}…", filter.granularity.word());
        put_str(buf, r, 0, &fit(&text, r.width), theme.notice);
        return;
    }
    if let Some(e) = &model.error {
        let lines = error_lines(e, r.width);
        for (i, line) in lines.iter().take(usize::from(r.height)).enumerate() {
            put_str(buf, r, i as u16, line, theme.notice);
        }
        return;
    }
    let f = &model.filter;
    let g = f.granularity.word();
    let data = &model.data;
    let period = match (&f.period, data.covers.span) {
        (Some(p), Some(span)) if span != crate::disclosure::Span::one(*p) => {
            format!("{}, pooled", common::period_label(data, span))
        }
        (Some(p), _) => common::key_label(data, *p),
        (None, _) => format!("all {g}s"),
    };
    let site = match &f.site {
        Some(s) => safe(s).into_owned(),
        None => "all sites".to_string(),
    };
    let n = data.responses;
    let site = match &f.site {
        Some(s) if data.covers.sites.len() > 1 => {
            format!("{site} pooled with others ({})", data.covers.sites.len())
        }
        Some(_) | None => site,
    };
    let text = format!(
        "Period: {period} · Site: {site} · {} response{}",
        people(n),
        if n == crate::disclosure::Count::Exact(1) {
            ""
        } else {
            "s"
        }
    );
    put_str(buf, r, 0, &fit(&text, r.width), theme.strong);
}

#[cfg(test)]
mod tests;
