//! A line chart of one theme period by period with its 95% confidence range, for screens tall
//! enough to hold one under the sparklines. Hidden periods and periods without responses are
//! gaps in the line.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Widget};

use super::text::{fit, score};
use crate::disclosure::Span as Periods;
use crate::disclosure::Summary;
use crate::report::{ReportData, common};
use crate::tui::Theme;

/// Least rows worth a chart.
pub const MIN_HEIGHT: u16 = 10;

/// Runs of consecutive shown points, as (x, y) with x the period's index.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut run = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(y) => run.push((i as f64, *y)),
            None if !run.is_empty() => out.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// Draw theme `t` over `periods` in `r`.
pub fn render(
    data: &ReportData,
    periods: &[(Periods, Option<&Summary>)],
    t: usize,
    name: &str,
    theme: &Theme,
    r: Rect,
    buf: &mut Buffer,
) {
    if r.height < MIN_HEIGHT || r.width < 30 || periods.is_empty() {
        return;
    }
    let figure = |f: fn(&crate::disclosure::ThemeSummary) -> Option<f64>| -> Vec<Option<f64>> {
        periods
            .iter()
            .map(|(_, s)| s.and_then(|s| s.themes.get(t)).and_then(f))
            .collect()
    };
    let mean = figure(|x| x.mean);
    let low = figure(|x| x.ci_low.or(x.mean));
    let high = figure(|x| x.ci_high.or(x.mean));
    let shown: Vec<f64> = low.iter().chain(&high).flatten().copied().collect();
    if shown.is_empty() {
        return;
    }
    let y_min = (shown.iter().copied().fold(100.0, f64::min) / 10.0).floor() * 10.0;
    let y_max =
        ((shown.iter().copied().fold(0.0, f64::max) / 10.0).ceil() * 10.0).max(y_min + 10.0);
    let mean_runs = runs(&mean);
    let bars: Vec<[(f64, f64); 2]> = low
        .iter()
        .zip(&high)
        .enumerate()
        .filter_map(|(i, (lo, hi))| Some([(i as f64, (*lo)?), (i as f64, (*hi)?)]))
        .collect();
    let points: Vec<(f64, f64)> = mean_runs.iter().flatten().copied().collect();
    let mut datasets = vec![
        Dataset::default()
            .name("score")
            .marker(Marker::Braille)
            .graph_type(GraphType::Scatter)
            .style(theme.strong)
            .data(&points),
    ];
    for run in &mean_runs {
        datasets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(theme.strong)
                .data(run),
        );
    }
    // Each shown period's 95% range as a vertical run of dots: an error bar.
    for (i, bar) in bars.iter().enumerate() {
        let d = Dataset::default()
            .marker(Marker::Dot)
            .graph_type(GraphType::Line)
            .style(theme.quiet)
            .data(bar);
        datasets.push(if i == 0 { d.name("95% range") } else { d });
    }
    let first = periods
        .first()
        .map(|(p, _)| common::period_short(data, *p))
        .unwrap_or_default();
    let last = periods
        .last()
        .map(|(p, _)| common::period_short(data, *p))
        .unwrap_or_default();
    let title = fit(&format!("{name}: score by period"), r.width);
    Chart::new(datasets)
        .style(theme.base)
        .block(Block::new().title(Span::styled(title, theme.strong)))
        .x_axis(
            Axis::default()
                .bounds([0.0, (periods.len().max(2) - 1) as f64])
                .labels([first, last])
                .style(theme.quiet),
        )
        .y_axis(
            Axis::default()
                .bounds([y_min, y_max])
                .labels([score(y_min), score((y_min + y_max) / 2.0), score(y_max)])
                .style(theme.quiet),
        )
        .render(r, buf);
}

#[cfg(test)]
mod tests {
    use super::runs;

    #[test]
    fn gaps_split_the_line() {
        let r = runs(&[None, Some(1.0), Some(2.0), None, Some(5.0)]);
        assert_eq!(r, vec![vec![(1.0, 1.0), (2.0, 2.0)], vec![(4.0, 5.0)]]);
        assert!(runs(&[None, None]).is_empty());
    }
}
