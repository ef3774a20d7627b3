//! Trends: each theme period by period as a sparkline, hidden periods as gaps, the latest figure
//! and its change; the selected theme's figures in numbers underneath.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Sparkline, Widget};

use super::text::{fit, pad, put, put_str, safe, score};
use super::trend_chart;
use crate::disclosure::Span as Periods;
use crate::manager::data::timeline;
use crate::manager::model::Model;
use crate::report::common;
use crate::tui::Theme;
use crate::tui::layout::{wrap, wrap_parts};

/// One row of the chart: a label and a value per period (`None`: hidden or no data).
struct Series {
    name: String,
    values: Vec<Option<f64>>,
}

pub fn render(model: &Model, theme: &Theme, r: Rect, buf: &mut Buffer) {
    let data = &model.data;
    let g = model.filter.granularity.word();
    let periods = timeline(&data.trends);
    if periods.is_empty() {
        put_str(
            buf,
            r,
            0,
            &fit("No responses yet, so there is no trend to show.", r.width),
            theme.base,
        );
        return;
    }
    if let Some(why) = common::no_trend_sentence(data) {
        // One period of figures is not a trend: say so once, instead of a mark per theme.
        let span = data.covers.span.map(|s| common::period_label(data, s));
        let seen = span.map(|s| format!("The scores for {s} are on the overview (1)."));
        let lines = wrap(&why, r.width)
            .into_iter()
            .chain(std::iter::once(String::new()))
            .chain(seen.iter().flat_map(|s| wrap(s, r.width)));
        for (row, line) in (0..).zip(lines) {
            put_str(buf, r, row, &line, theme.base);
        }
        return;
    }
    let mut series = vec![Series {
        name: "Overall % positive".to_string(),
        values: periods
            .iter()
            .map(|(_, s)| s.and_then(|s| s.headline.as_ref()?.pct_positive))
            .collect(),
    }];
    for (t, ts) in data.overall.themes.iter().enumerate() {
        series.push(Series {
            name: safe(&ts.name).into_owned(),
            values: periods
                .iter()
                .map(|(_, s)| s.and_then(|s| s.themes.get(t)?.mean))
                .collect(),
        });
    }
    let figures_w: u16 = if r.width >= 90 { 22 } else { 10 };
    // Whole names where the sparklines keep at least 12 periods.
    let longest = series
        .iter()
        .map(|s| super::width(&s.name))
        .max()
        .unwrap_or(12);
    let name_w = longest
        .min(r.width.saturating_sub(2 + 1 + 1 + figures_w + 12))
        .clamp(12, 30);
    let spark_w = r
        .width
        .saturating_sub(2 + name_w + 1 + 1 + figures_w)
        .min(60);
    let shown = usize::from(spark_w).min(periods.len());
    let skip = periods.len() - shown;
    let all: Vec<f64> = series
        .iter()
        .flat_map(|s| s.values.iter().skip(skip).flatten().copied())
        .collect();
    let low = all.iter().copied().fold(100.0, f64::min);
    // Bars start 10 below the lowest figure (in tens), so a difference of a few points shows.
    let base = ((low / 10.0).floor() * 10.0 - 10.0).max(0.0);
    let shown_span = match (periods.get(skip), periods.last()) {
        (Some((a, _)), Some((b, _))) => common::period_label(
            data,
            Periods {
                first: a.first,
                last: b.last,
            },
        ),
        _ => String::new(),
    };
    let head = format!(
        "Scores by {g}, {shown_span} · bars from {} to 100 · · = hidden (too few answers to show safely) or no responses",
        score(base),
    );
    let head = wrap_parts(&head, " · ", r.width);
    let mut row = 0u16;
    for line in head.iter().take(2) {
        put_str(buf, r, row, line, theme.strong);
        row += 1;
    }
    row += 1;
    let selected_series = model.theme + 1;
    for (i, s) in series.iter().enumerate() {
        if row >= r.height {
            break;
        }
        let selected = i == selected_series && model.picker.is_none();
        let mark = if selected { "▶ " } else { "  " };
        let style = if selected { theme.focused } else { theme.base };
        put(
            buf,
            r,
            row,
            &Line::from(vec![
                Span::styled(mark, theme.strong),
                Span::styled(pad(&s.name, name_w), style),
            ]),
        );
        let spark = Rect::new(r.x + 2 + name_w + 1, r.y + row, spark_w, 1).intersection(r);
        let bars: Vec<Option<u64>> = s
            .values
            .iter()
            .skip(skip)
            .map(|v| v.map(|v| ((v - base).max(0.0)).round() as u64 + 1))
            .collect();
        Sparkline::default()
            .data(bars)
            .max((100.0 - base).round() as u64 + 1)
            .style(theme.bar_done)
            .absent_value_symbol("·")
            .absent_value_style(theme.quiet)
            .render(spark, buf);
        let fig = Rect::new(spark.x + shown as u16 + 1, r.y + row, figures_w, 1).intersection(r);
        put_str(
            buf,
            fig,
            0,
            &change(&s.values[skip..], figures_w),
            theme.base,
        );
        row += 1;
    }
    row += 1;
    if row < r.height {
        let s = &series[selected_series.min(series.len() - 1)];
        let parts: Vec<String> = periods
            .iter()
            .zip(&s.values)
            .rev()
            .map(|((p, sum), v)| {
                let p = common::period_short(data, *p);
                match (sum, v) {
                    (None, _) => format!("{p} no responses"),
                    (Some(_), Some(v)) => format!("{p} {}", score(*v)),
                    (Some(_), None) => format!("{p} hidden"),
                }
            })
            .collect();
        let room = usize::from(r.height - row);
        let text = format!("{}, newest first: {}", s.name, parts.join(" · "));
        let lines = wrap_parts(&text, " · ", r.width);
        // On a tall screen the figures take two rows and a line chart of the theme the rest.
        let chart = room >= 2 + 1 + usize::from(trend_chart::MIN_HEIGHT) && selected_series > 0;
        let take = if chart { 2 } else { room };
        for (k, line) in lines.iter().take(take).enumerate() {
            put_str(buf, r, row + k as u16, line, theme.quiet);
        }
        if chart {
            let top = row + 3;
            let area = Rect::new(r.x, r.y + top, r.width, r.height - top);
            trend_chart::render(data, &periods, model.theme, &s.name, theme, area, buf);
        }
    }
}

/// The latest shown figure and its change since the first shown one: "72 ▲3".
fn change(values: &[Option<f64>], w: u16) -> String {
    let shown: Vec<f64> = values.iter().flatten().copied().collect();
    let (Some(first), Some(last)) = (shown.first(), shown.last()) else {
        return fit("hidden", w);
    };
    let d = last.round() - first.round();
    let arrow = match d {
        d if d > 0.0 => format!("▲{d:.0}"),
        d if d < 0.0 => format!("▼{:.0}", -d),
        _ => "=".to_string(),
    };
    let text = if w >= 20 && shown.len() > 1 {
        format!("{:>3} {arrow} since first", score(*last))
    } else {
        format!("{:>3} {arrow}", score(*last))
    };
    fit(&text, w)
}
