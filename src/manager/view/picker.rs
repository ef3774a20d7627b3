//! The filter picker: a box over the current view listing the periods or sites to choose from.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, BorderType, Borders, Clear, Widget};

use super::text::{fit, put_str, safe};
use crate::manager::data::GRANULARITIES;
use crate::manager::model::{Model, Picker};
use crate::report::common;
use crate::tui::Theme;

pub fn render(model: &Model, picker: &Picker, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let (title, labels, selected, current): (&str, Vec<String>, usize, usize) = match picker {
        Picker::Period { choices, selected } => {
            let g = model.filter.granularity.word();
            let labels = choices
                .iter()
                .map(|c| match c {
                    Some(p) => common::key_label(&model.data, *p),
                    None => format!("All {g}s"),
                })
                .collect();
            let current = choices
                .iter()
                .position(|c| *c == model.filter.period)
                .unwrap_or(usize::MAX);
            ("Choose a period", labels, *selected, current)
        }
        Picker::Site { choices, selected } => {
            let labels = choices
                .iter()
                .map(|c| match c {
                    Some(s) => safe(s).into_owned(),
                    None => "All sites".to_string(),
                })
                .collect();
            let current = choices
                .iter()
                .position(|c| *c == model.filter.site)
                .unwrap_or(usize::MAX);
            ("Choose a site", labels, *selected, current)
        }
    };
    let widest = labels.iter().map(|l| super::width(l)).max().unwrap_or(0);
    let w = area.width.saturating_sub(4).min((widest + 18).max(34));
    let h = area.height.saturating_sub(2).min(labels.len() as u16 + 5);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    Clear.render(r, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .title(format!(" {title} "))
        .style(theme.base);
    let inner = block.inner(r);
    block.render(r, buf);
    if inner.is_empty() {
        return;
    }
    let mut row = 0;
    if matches!(picker, Picker::Period { .. }) {
        let by: Vec<String> = GRANULARITIES
            .iter()
            .map(|g| {
                let word = g.word();
                if *g == model.filter.granularity {
                    format!("[{word}]")
                } else {
                    format!(" {word} ")
                }
            })
            .collect();
        let line = format!("By: {}  (←→)", by.join(""));
        put_str(buf, inner, row, &fit(&line, inner.width), theme.strong);
        row += 2;
    }
    let room = usize::from(inner.height.saturating_sub(row));
    let first = (selected + 1).saturating_sub(room);
    for (i, label) in labels.iter().enumerate().skip(first).take(room) {
        let mark = if i == selected { "▶ " } else { "  " };
        let tick = if i == current { "  ✓ shown now" } else { "" };
        let style = if i == selected {
            theme.focused
        } else {
            theme.base
        };
        let text = fit(&format!("{mark}{label}{tick}"), inner.width);
        put_str(buf, inner, row, &text, style);
        row += 1;
    }
}
