//! Comments: only those disclosure control releases (periods with enough responses), in random
//! order, on a view of their own so that no comment sits beside the answers it came with.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::text::{count, fit, put_str, safe};
use crate::disclosure::Reason;
use crate::manager::model::Model;
use crate::report::common;
use crate::tui::Theme;
use crate::tui::layout::wrap;

pub fn render(model: &Model, theme: &Theme, r: Rect, buf: &mut Buffer) {
    let data = &model.data;
    let min = data.options.rule.comment_min();
    let g = model.filter.granularity.word();
    let which = match (data.comments_span, model.filter.period) {
        (Some(s), _) if s.is_pooled() => {
            format!("{}, {g}s pooled", common::period_label(data, s))
        }
        (Some(p), Some(_)) => common::period_label(data, p),
        (Some(p), None) => format!("the latest {g}, {}", common::period_label(data, p)),
        (None, _) => format!("the chosen {g}"),
    };
    let rule = format!(
        "Comments from {which}; p chooses another. A {g}'s comments are shown once it has {min} responses (a smaller {g} is pooled with the next), in random order and apart from the answers."
    );
    let comments = match &data.comments {
        Ok(c) => c,
        Err(reason) => {
            let why = match reason {
                Reason::TooFewResponsesForComments { min } => format!(
                    "No comments can be shown: {which} has fewer than the {min} responses needed."
                ),
                other => other.to_string(),
            };
            let lines = wrap(&why, r.width).into_iter().chain(wrap(&rule, r.width));
            for (row, line) in (0..).zip(lines) {
                put_str(buf, r, row, &line, theme.base);
            }
            return;
        }
    };
    let head = match comments.len() {
        0 => "Comments from patients".to_string(),
        1 => "1 comment from patients".to_string(),
        n => format!(
            "{} comments from patients · from number {} (↑↓ to read on)",
            count(n as u64),
            count(model.comment as u64 + 1)
        ),
    };
    put_str(buf, r, 0, &fit(&head, r.width), theme.heading);
    let rule_lines = wrap(&rule, r.width);
    let mut row = 1;
    for line in &rule_lines {
        put_str(buf, r, row, line, theme.quiet);
        row += 1;
    }
    row += 1;
    if comments.is_empty() {
        put_str(buf, r, row, "No one has left a comment.", theme.base);
        return;
    }
    // Comments are listed from the selected one down, each wrapped under a quotation mark.
    let inner = r.width.saturating_sub(4);
    for (i, c) in comments.iter().enumerate().skip(model.comment) {
        let selected = i == model.comment && model.picker.is_none();
        let lines = wrap(&safe(c), inner);
        for (k, line) in lines.iter().enumerate() {
            if row >= r.height {
                return;
            }
            let lead = match (k, selected) {
                (0, true) => "▶ “ ",
                (0, false) => "  “ ",
                _ => "    ",
            };
            let style = if selected { theme.strong } else { theme.base };
            put_str(buf, r, row, &format!("{lead}{line}"), style);
            row += 1;
        }
        row += 1;
    }
}
