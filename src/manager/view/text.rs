//! Small text helpers shared by the views: sanitising, fitting, numbers and the words for a hidden
//! figure.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::disclosure::{Cell, Count, Reason};
use crate::sanitize::terminal_safe;
use crate::tui::layout::width;

/// Text from outside the program (survey files, comments, site names) made safe to draw.
pub fn safe(s: &str) -> Cow<'_, str> {
    terminal_safe(s)
}

/// `s` cut to `max` cells, ending in `…` when cut.
pub fn fit(s: &str, max: u16) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    for c in s.chars() {
        let mut next = out.clone();
        next.push(c);
        if width(&next) + 1 > max {
            break;
        }
        out = next;
    }
    out.push('…');
    out
}

/// `s` padded with spaces (or cut) to exactly `w` cells.
pub fn pad(s: &str, w: u16) -> String {
    let s = fit(s, w);
    let fill = usize::from(w.saturating_sub(width(&s)));
    format!("{s}{}", " ".repeat(fill))
}

/// A count with thousands separators: 4,812.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A published number of people: the count, `<10` below the minimum, `–` when hidden.
pub fn people(c: Count) -> String {
    match c {
        Count::Exact(n) => count(n),
        Count::FewerThan(m) => format!("<{m}"),
        Count::Hidden => "–".to_string(),
    }
}

/// A 0–100 figure rounded to a whole number.
pub fn score(x: f64) -> String {
    format!("{x:.0}")
}

/// A published count as drawn in a distribution.
pub fn cell(c: Cell) -> String {
    match c {
        Cell::Shown(n) => count(n),
        Cell::Small => "<5".to_string(),
        Cell::Suppressed => "hidden".to_string(),
    }
}

/// Why a figure is hidden, in the fewest words that fit `max` cells.
pub fn hidden(reason: &Reason, max: u16) -> String {
    let options: Vec<String> = match reason {
        Reason::TooFewRespondents { min_n, .. } => vec![
            format!("fewer than {min_n} answers: hidden to protect privacy"),
            format!("under {min_n} answers: hidden for privacy"),
            format!("fewer than {min_n} answers: hidden"),
            format!("hidden: <{min_n} answers"),
        ],
        Reason::SmallCounts => vec![
            "hidden: it would reveal how fewer than 5 people answered".to_string(),
            "hidden: would reveal small counts".to_string(),
            "hidden".to_string(),
        ],
        other => vec![other.to_string(), "hidden".to_string()],
    };
    let last = options.last().cloned().unwrap_or_default();
    options
        .into_iter()
        .find(|o| width(o) <= max)
        .unwrap_or_else(|| fit(&last, max))
}

/// Draw `line` on row `row` of `r`, clipped to `r`; rows outside `r` are ignored.
pub fn put(buf: &mut Buffer, r: Rect, row: u16, line: &Line<'_>) {
    if row < r.height && !r.is_empty() {
        buf.set_line(r.x, r.y + row, line, r.width);
    }
}

/// Draw plain `text` in `style` on row `row` of `r`.
pub fn put_str(buf: &mut Buffer, r: Rect, row: u16, text: &str, style: Style) {
    put(
        buf,
        r,
        row,
        &Line::from(Span::styled(text.to_string(), style)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_fits_and_hidden_words() {
        assert_eq!(count(0), "0");
        assert_eq!(count(4812), "4,812");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(fit("Commitment and availability", 10), "Commitmen…");
        assert_eq!(width(&fit("Commitment", 10)), 10);
        assert_eq!(pad("ab", 4), "ab  ");
        let r = Reason::TooFewRespondents { min_n: 10 };
        assert_eq!(
            hidden(&r, 80),
            "fewer than 10 answers: hidden to protect privacy"
        );
        assert_eq!(hidden(&r, 40), "under 10 answers: hidden for privacy");
        assert_eq!(hidden(&r, 30), "fewer than 10 answers: hidden");
        assert!(width(&hidden(&r, 5)) <= 5);
        assert_eq!(cell(Cell::Small), "<5");
        assert_eq!(cell(Cell::Suppressed), "hidden");
    }
}
