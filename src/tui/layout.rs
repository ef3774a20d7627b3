//! Text in terminal cells, and the smallest screen: the width of a string as a terminal draws
//! it, greedy word wrap, and the screen both the kiosk and the manager's screen show when the
//! terminal is smaller than [`MIN_WIDTH`]×[`MIN_HEIGHT`].

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;

use super::Theme;

/// Smallest terminal every screen is designed for.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 20;

/// True when the screen is too small for any page.
pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// Display width of a string in terminal cells.
pub fn width(s: &str) -> u16 {
    u16::try_from(Span::raw(s).width()).unwrap_or(u16::MAX)
}

/// Greedy word wrap to `max` cells; words longer than a line are broken.
pub fn wrap(text: &str, max: u16) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let sep = u16::from(!line.is_empty());
        if width(&line) + sep + width(word) <= max {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            if width(&line) + width(c.encode_utf8(&mut [0; 4])) > max && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Wrap a list of `sep`-separated parts, breaking lines only between parts where possible.
pub fn wrap_parts(text: &str, sep: &str, max: u16) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for part in text.split(sep) {
        match lines.last_mut() {
            Some(line) if width(line) + width(sep) + width(part) <= max => {
                line.push_str(sep);
                line.push_str(part);
            }
            _ => lines.extend(wrap(part, max)),
        }
    }
    lines
}

/// What every full screen does first: keep to the part of `area` inside `buf`, paint it in the
/// theme's base style, and, on a terminal [`too_small`], draw `message` there instead
/// ([`render_too_small`]). The area left to draw the screen in, or `None` when there is none.
pub fn full_screen(area: Rect, buf: &mut Buffer, theme: &Theme, message: &str) -> Option<Rect> {
    let area = area.intersection(buf.area);
    buf.set_style(area, theme.base);
    if area.is_empty() {
        return None;
    }
    if too_small(area) {
        render_too_small(message, theme, area, buf);
        return None;
    }
    Some(area)
}

/// The screen drawn instead of any other when the terminal is [`too_small`]: `message`, wrapped
/// and centred, in the heading style.
pub fn render_too_small(message: &str, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let lines = wrap(message, area.width);
    let top = area.y + area.height.saturating_sub(lines.len() as u16) / 2;
    for (i, line) in lines.iter().enumerate() {
        let y = top + i as u16;
        if y < area.bottom() {
            let x = area.x + area.width.saturating_sub(width(line)) / 2;
            buf.set_stringn(x, y, line, usize::from(area.width), theme.heading);
        }
    }
}

/// A drawn buffer as text, one line per row with trailing spaces removed: what the screens'
/// snapshot tests compare.
#[cfg(test)]
pub(crate) fn buffer_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_and_breaks_long_ones() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert!(wrap("", 5).is_empty());
        assert_eq!(wrap("a b", 0), ["a", "b"]);
        assert_eq!(wrap_parts("a b · c · d", " · ", 8), ["a b · c", "d"]);
    }
}
