//! Where everything on a [`Page`] goes for a given terminal size. Pure, shared by drawing and by
//! tap hit-testing, so a tap always lands on what was drawn.

use ratatui::layout::Rect;

use super::big::big;
use crate::kiosk::model::Button;
use crate::kiosk::page::{Page, Para};
use crate::tui::layout::{too_small, width, wrap, wrap_parts};

/// Widest the text column gets, so lines stay easy to read on big screens.
const MAX_TEXT_WIDTH: u16 = 90;
/// Short headings are drawn in big letters from this height up.
pub const BIG_FROM_HEIGHT: u16 = 30;
/// Widest an answer button gets.
const MAX_BUTTON_WIDTH: u16 = 64;

/// A page placed on the screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placed {
    pub progress: Option<Rect>,
    pub heading: Rect,
    pub heading_lines: Vec<String>,
    pub body: Rect,
    /// Wrapped body lines; `true` for strong text. Empty strings separate paragraphs.
    pub body_lines: Vec<(String, bool)>,
    /// The entry box (with its border) and the caption row under it.
    pub field: Option<(Rect, Rect)>,
    pub field_lines: Vec<String>,
    pub notice: Option<Rect>,
    pub notice_lines: Vec<String>,
    pub choices: Vec<Rect>,
    /// Choices drawn as three-row boxes (else one row each).
    pub tall: bool,
    pub nav: Vec<Rect>,
    pub keys: Rect,
    pub keys_lines: Vec<String>,
}

fn row(x: u16, y: u16, w: u16, h: u16) -> Rect {
    Rect::new(x, y, w, h)
}

/// Lay `page` out in `area` (not [`too_small`]). Answer buttons get rows before blank space does:
/// when they would be squeezed to one row each, the blank rows under the progress bar, above
/// Back/Next and under the question go to them, in that order and only as many as it takes to
/// give every answer two rows (or room for more answers).
pub fn place(page: &Page, area: Rect) -> Placed {
    let rows = |p: &Placed| p.choices.first().map_or(0, |r| r.height);
    let fits = |p: &Placed| p.choices.len() == page.choices.len() && rows(p) >= 2;
    let mut best = place_with(page, area, 0);
    if page.choices.is_empty() || fits(&best) {
        return best;
    }
    // Take the blank rows one at a time, the least useful first, and stop as soon as it is enough.
    for squeeze in 1..=3 {
        let p = place_with(page, area, squeeze);
        let better = p.choices.len() > best.choices.len()
            || (p.choices.len() == best.choices.len() && rows(&p) > rows(&best));
        if better {
            best = p;
        }
        if fits(&best) {
            break;
        }
    }
    best
}

/// Widths of the small buttons on the bottom row: room for the label (and its number) with some
/// padding, taken back from the widest first when together they would not fit, so none overlap.
fn nav_widths(page: &Page, cw: u16) -> Vec<u16> {
    let mut widths: Vec<u16> = page
        .nav
        .iter()
        .map(|b| {
            let number = if b.number.is_some() { 3 } else { 0 };
            (width(&b.label) + number + 8).min(cw / 2)
        })
        .collect();
    let gaps = 2 * widths.len().saturating_sub(1) as u16;
    while widths.iter().sum::<u16>() + gaps > cw {
        let Some(widest) = widths.iter_mut().max() else {
            break;
        };
        if *widest <= 4 {
            break;
        }
        *widest -= 1;
    }
    widths
}

/// [`place`] with the first `squeeze` of the blank rows (under the progress bar, above Back/Next,
/// under the question) given to the answers.
fn place_with(page: &Page, area: Rect, squeeze: u8) -> Placed {
    let mut p = Placed::default();
    if too_small(area) {
        return p;
    }
    let gap = |n: u8| u16::from(squeeze < n);
    let roomy = area.height >= 26;
    let cw = (area.width - 4).min(MAX_TEXT_WIDTH);
    let x = area.x + (area.width - cw) / 2;
    let mut top = area.y + u16::from(roomy);
    let mut bottom = area.bottom() - u16::from(roomy);

    p.keys_lines = wrap_parts(&page.keys, " · ", cw);
    // On short screens the answers need the room more; the most used keys come first.
    p.keys_lines.truncate(if area.height < 24 { 1 } else { 2 });
    let kh = p.keys_lines.len() as u16;
    bottom -= kh;
    p.keys = row(x, bottom, cw, kh);
    if roomy {
        bottom -= 1;
    }
    if !page.nav.is_empty() {
        let nh = if area.height >= 30 { 3 } else { 1 };
        bottom -= nh;
        let mut left = x;
        let mut right = x + cw;
        let widths = nav_widths(page, cw);
        for (i, w) in widths.iter().copied().enumerate() {
            if i + 1 == page.nav.len() && page.nav.len() > 1 {
                right -= w;
                p.nav.push(row(right, bottom, w, nh));
            } else {
                p.nav.push(row(left, bottom, w, nh));
                left += w + 2;
            }
        }
        bottom -= gap(2);
    }
    if page.progress.is_some() {
        p.progress = Some(row(x, top, cw, 1));
        top += 1 + gap(1);
    }
    // Big letters may be wider than the text column; then they are centred on the screen.
    let big_lines = big(&page.heading, area.width - 4).filter(|_| area.height >= BIG_FROM_HEIGHT);
    let big_used = big_lines.is_some();
    p.heading = match big_lines {
        Some(lines) => {
            let bw = lines.iter().map(|l| width(l)).max().unwrap_or(0);
            p.heading_lines = lines;
            if bw > cw {
                row(area.x + (area.width - bw) / 2, top, bw, 3)
            } else {
                row(x, top, cw, 3)
            }
        }
        None => {
            p.heading_lines = wrap(&page.heading, cw);
            p.heading_lines.truncate(4);
            row(x, top, cw, p.heading_lines.len() as u16)
        }
    };
    let hh = p.heading.height;
    top += hh + gap(3);

    let n = page.choices.len() as u16;
    let field_min = if page.field.is_some() { 4 } else { 0 };
    let notice_h = if page.notice.is_some() { 2 } else { 0 };
    let room = bottom.saturating_sub(top);
    // Body lines get what the buttons and field leave over (buttons need one row each).
    let mut body: Vec<(String, bool)> = Vec::new();
    // Block letters are hard for some readers (and invisible to screen readers and copy-paste):
    // under them the heading is repeated in plain words.
    if !p.heading_lines.is_empty() && big_used {
        body.extend(wrap(&page.heading, cw).into_iter().map(|l| (l, true)));
    }
    for para in &page.body {
        let (text, strong) = match para {
            Para::Text(t) => (t, false),
            Para::Strong(t) => (t, true),
        };
        if !body.is_empty() {
            body.push((String::new(), false));
        }
        body.extend(wrap(text, cw).into_iter().map(|l| (l, strong)));
    }
    let body_room = room.saturating_sub(n + field_min + notice_h + u16::from(n > 0));
    body.truncate(usize::from(body_room));
    while body.last().is_some_and(|(l, _)| l.is_empty()) {
        body.pop();
    }
    let bh = body.len() as u16;
    p.body_lines = body;
    p.body = row(x, top, cw, bh);
    top += bh + u16::from(bh > 0);

    if let Some(field) = &page.field {
        let inner = cw - 2;
        let mut lines = wrap(&field.text, inner);
        if field.text.ends_with(' ') || lines.is_empty() {
            lines.push(String::new());
        }
        let free = bottom.saturating_sub(top + n + notice_h + 1);
        let least = if field.multiline { 5 } else { 3 };
        let box_h = (lines.len() as u16 + 2).clamp(least, 10).min(free.max(3));
        let keep = usize::from(box_h - 2);
        // Show the end of a long comment: that is where the typing happens.
        let skip = lines.len().saturating_sub(keep);
        p.field_lines = lines.split_off(skip);
        let boxed = row(x, top, cw, box_h.min(bottom.saturating_sub(top)));
        top += boxed.height;
        let caption = row(x, top.min(bottom), cw, u16::from(top < bottom));
        top += caption.height + 1;
        p.field = Some((boxed, caption));
    }
    if let Some(notice) = &page.notice {
        p.notice_lines = wrap(notice, cw);
        p.notice_lines.truncate(2);
        let h = (p.notice_lines.len() as u16).min(bottom.saturating_sub(top));
        p.notice = Some(row(x, top, cw, h));
        top += h + 1;
    }

    let room = bottom.saturating_sub(top);
    let bw = cw.min(MAX_BUTTON_WIDTH);
    // Boxes of three rows where they fit; else two rows each (the second drawn as a half-height
    // edge, so neighbours stay apart); else one row, with a blank row between where possible.
    let (height, step) = if n > 0 && room >= 3 * n + (n - 1) {
        (3, 4)
    } else if n > 0 && room >= 3 * n {
        (3, 3)
    } else if n > 0 && room >= 2 * n {
        (2, 2)
    } else if n > 0 && room >= 2 * n - 1 {
        (1, 2)
    } else {
        (1, 1)
    };
    p.tall = height == 3;
    for i in 0..n {
        let y = top + i * step;
        if y + height > bottom {
            break;
        }
        p.choices.push(row(x, y, bw, height));
    }
    p
}

/// The button under a tap at (`col`, `row`), if any.
pub fn hit(page: &Page, placed: &Placed, col: u16, row: u16) -> Option<Button> {
    let buttons = page.choices.iter().zip(&placed.choices);
    let nav = page.nav.iter().zip(&placed.nav);
    buttons
        .chain(nav)
        .find(|(_, r)| r.contains(ratatui::layout::Position::new(col, row)))
        .map(|(b, _)| b.button)
}
