//! The overview: the headline figure, then every theme as a 0–100 bar with its 95% confidence
//! range and n, suppressed themes marked in words.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::text::{fit, hidden, pad, people, put, put_str, safe, score};
use crate::disclosure::{HeadlineSummary, ThemeSummary};
use crate::manager::model::Model;
use crate::survey::Survey;
use crate::tui::Theme;
use crate::tui::layout::wrap;

pub fn render(model: &Model, theme: &Theme, r: Rect, buf: &mut Buffer) {
    let data = &model.data;
    let mut row = 0;
    let headline = headline_line(&data.survey, data.overall.headline.as_ref(), r.width);
    put_str(buf, r, row, &headline, theme.heading);
    row += 1;
    // What could not be read and which batches are missing, before the figures that leave them
    // out (on at most a third of the rows).
    let attention: Vec<String> = attention(model)
        .iter()
        .flat_map(|s| wrap(&safe(s), r.width))
        .collect();
    let most = usize::from(r.height / 3);
    for (i, line) in attention.iter().take(most).enumerate() {
        let line = if i + 1 == most && attention.len() > most {
            fit(&format!("{line} (and more: see icare report)"), r.width)
        } else {
            line.clone()
        };
        put_str(buf, r, row, &line, theme.notice);
        row += 1;
    }
    row += 1;
    let legend = "█ score  ▓░ 95% confidence range";
    let title = "Theme scores, 0 to 100 (higher is better)";
    if title.len() + legend.len() + 3 <= usize::from(r.width) {
        let gap = usize::from(r.width) - title.len() - legend.chars().count();
        put(
            buf,
            r,
            row,
            &Line::from(vec![
                Span::styled(title, theme.strong),
                Span::raw(" ".repeat(gap)),
                Span::styled(legend, theme.quiet),
            ]),
        );
    } else {
        let short = "Scores 0–100 (higher is better) · █ score ▓░ 95% range";
        put_str(buf, r, row, &fit(short, r.width), theme.strong);
    }
    row += 1;
    let themes = &data.overall.themes;
    let longest = themes
        .iter()
        .map(|t| super::width(&safe(&t.name)))
        .max()
        .unwrap_or(0);
    let cols = Columns::for_width(r.width, longest);
    let room = usize::from(r.height.saturating_sub(row));
    // Keep the selected theme in view when the list is taller than the room.
    let first = (model.theme + 1).saturating_sub(room);
    for (i, t) in themes.iter().enumerate().skip(first).take(room) {
        let selected = i == model.theme && model.picker.is_none();
        put(buf, r, row, &theme_row(t, selected, &cols, theme));
        row += 1;
    }
    // Under the list, where there is room for whole sentences: the strongest and weakest themes
    // and where to act, then how to open a theme.
    let note = "Enter opens the selected theme: its questions, answers and consistency.";
    let mut sentences: Vec<(Vec<String>, Style)> = at_a_glance(model)
        .iter()
        .map(|s| (wrap(s, r.width), theme.base))
        .collect();
    // An aggregation store's sites, each with its latest period received.
    if let Some(latest) = latest_periods(model) {
        sentences.push((wrap(&safe(&latest), r.width), theme.base));
    }
    sentences.push((wrap(note, r.width), theme.quiet));
    row += 1;
    for (lines, style) in sentences {
        if usize::from(row) + lines.len() > usize::from(r.height) {
            break;
        }
        for line in lines {
            put_str(buf, r, row, &line, style);
            row += 1;
        }
    }
}

/// What the figures leave out: sites or files that could not be read, batches not received.
fn attention(model: &Model) -> Vec<String> {
    let intake = &model.data.intake;
    intake
        .unreadable
        .iter()
        .map(|u| format!("Could not read {u}"))
        .chain(intake.sites.iter().flat_map(|s| s.missing_sentences()))
        .collect()
}

/// "Latest period received: North 2026-W14, South 2026-W12" for an aggregation store.
fn latest_periods(model: &Model) -> Option<String> {
    let sites: Vec<String> = model
        .data
        .intake
        .sites
        .iter()
        .filter_map(|s| Some(format!("{} {}", s.site, s.latest?)))
        .collect();
    (!sites.is_empty()).then(|| format!("Latest period received: {}.", sites.join(", ")))
}

/// One line each: the best and weakest scores, and the themes to act on first.
fn at_a_glance(model: &Model) -> Vec<String> {
    let themes: Vec<(&ThemeSummary, f64)> = model
        .data
        .overall
        .themes
        .iter()
        .filter_map(|t| Some((t, t.mean?)))
        .collect();
    let mut out = Vec::new();
    let best = themes.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    let worst = themes.iter().min_by(|a, b| a.1.total_cmp(&b.1));
    let overlap = |b: &ThemeSummary, w: &ThemeSummary| match (b.ci_low, w.ci_high) {
        (Some(lo), Some(hi)) => lo <= hi,
        _ => true,
    };
    if let (Some((b, _)), Some((w, _)), true) = (best, worst, themes.len() > 1)
        && overlap(b, w)
    {
        out.push(
            "No theme stands out: the highest and lowest scores' 95% ranges overlap.".to_string(),
        );
    }
    if let (Some((b, bs)), Some((w, ws)), true) = (best, worst, out.is_empty() && themes.len() > 1)
    {
        out.push(format!(
            "Highest: {} ({}). Lowest: {} ({}).",
            safe(&b.name),
            score(*bs),
            safe(&w.name),
            score(*ws)
        ));
    }
    let first: Vec<String> = model
        .data
        .where_to_act
        .ranked
        .iter()
        .filter(|p| p.quadrant == crate::priority::Quadrant::ActFirst)
        .take(3)
        .map(|p| safe(&p.name).into_owned())
        .collect();
    if !first.is_empty() {
        out.push(format!(
            "Act first on: {} (view 3, Where to act first).",
            first.join(", ")
        ));
    }
    out
}

/// "Overall: 82% said good or very good (4,790 answers)".
fn headline_line(survey: &Survey, h: Option<&HeadlineSummary>, w: u16) -> String {
    let Some(h) = h else {
        return fit("This survey has no overall question.", w);
    };
    if let Some(reason) = &h.suppressed {
        let prefix = "Overall experience: ";
        let why = hidden(reason, w.saturating_sub(super::width(prefix)));
        return fit(&format!("{prefix}{why}"), w);
    }
    let Some(pct) = h.pct_positive else {
        let why = h.detail_withheld.map(|r| hidden(&r, w)).unwrap_or_default();
        return fit(&format!("Overall experience: {why}"), w);
    };
    let positive: Vec<String> = survey
        .headline
        .as_ref()
        .and_then(|hq| survey.scale(&hq.scale))
        .map(|s| {
            s.points
                .iter()
                .filter(|p| p.positive)
                .map(|p| safe(p.label.get("en")).to_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let n = people(h.answered);
    let long = format!(
        "Overall experience: {}% said {} ({n} answers)",
        score(pct),
        positive.join(" or ")
    );
    if !positive.is_empty() && super::width(&long) <= w {
        return long;
    }
    fit(
        &format!("Overall experience: {}% positive ({n} answers)", score(pct)),
        w,
    )
}

/// Widths of a theme row: marker, name, bar and figures.
struct Columns {
    name: u16,
    bar: u16,
    figures: u16,
}

impl Columns {
    /// Widths for a screen `w` cells wide whose longest theme name is `longest` cells: whole
    /// names where the bar keeps at least 8 cells.
    fn for_width(w: u16, longest: u16) -> Columns {
        let figures = 21;
        let name = longest
            .min(w.saturating_sub(2 + 1 + 1 + figures + 8))
            .clamp(12, 30);
        let bar = w.saturating_sub(2 + name + 1 + 1 + figures).min(50);
        Columns { name, bar, figures }
    }
}

fn theme_row<'a>(t: &ThemeSummary, selected: bool, c: &Columns, theme: &Theme) -> Line<'a> {
    let mark = if selected { "▶ " } else { "  " };
    let name_style = if selected { theme.focused } else { theme.base };
    let mut spans = vec![
        Span::styled(mark, theme.strong),
        Span::styled(pad(&safe(&t.name), c.name), name_style),
        Span::raw(" "),
    ];
    match (&t.suppressed, t.mean) {
        (Some(reason), _) => {
            spans.push(Span::styled(
                hidden(reason, c.bar + 1 + c.figures),
                theme.notice,
            ));
        }
        (None, Some(mean)) => {
            spans.extend(bar(mean, t.ci_low, t.ci_high, c.bar, theme));
            let ci = match (t.ci_low, t.ci_high) {
                (Some(lo), Some(hi)) => format!("({}–{})", score(lo), score(hi)),
                _ => String::new(),
            };
            let figures = format!("{:>3} {:<9} n {}", score(mean), ci, people(t.n));
            spans.push(Span::raw(" "));
            spans.push(Span::styled(fit(&figures, c.figures), theme.base));
        }
        (None, None) => spans.push(Span::styled(
            fit("no scored answers yet", c.bar + 1 + c.figures),
            theme.quiet,
        )),
    }
    Line::from(spans)
}

/// A 0–100 bar `w` cells wide: `█` up to the lower end of the confidence range, `▓` from there to
/// the score, `░` from the score to the upper end, `·` beyond. Shapes, not colours, carry it.
pub fn bar<'a>(
    mean: f64,
    lo: Option<f64>,
    hi: Option<f64>,
    w: u16,
    theme: &Theme,
) -> Vec<Span<'a>> {
    let cells = |x: f64| ((x.clamp(0.0, 100.0) / 100.0) * f64::from(w)).round() as usize;
    let m = cells(mean);
    let lo = cells(lo.unwrap_or(mean)).min(m);
    let hi = cells(hi.unwrap_or(mean)).max(m);
    let w = usize::from(w);
    let style: Style = theme.bar_done;
    vec![
        Span::styled("█".repeat(lo), style),
        Span::styled("▓".repeat(m - lo), style),
        Span::styled("░".repeat(hi.min(w) - m.min(w)), theme.bar_done),
        Span::styled("·".repeat(w.saturating_sub(hi)), theme.bar_todo),
    ]
}
