//! What the rules leave a small practice: about 40 responses a month (10 a week, give or take)
//! over six months, and a new month three days old. The manager's screen and the reports must
//! still give something to discuss.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::disclosure::Count;
use crate::manager::data::fixture::data_of;
use crate::manager::{Filter, Key, Model, Msg, update};
use crate::response::{Period, Response};
use crate::stats::{Granularity, PeriodKey};
use crate::tui::Theme;

/// 2026-W19..W44 (May to October, by the months the weeks start in), 6–14 responses a week, then 3 in
/// 2026-W45, the first days of November.
fn small_practice() -> Vec<Response> {
    let survey = crate::survey::embedded().unwrap();
    let mut synth = crate::synth::Synth::new(&survey, 40);
    let mut rng = StdRng::seed_from_u64(40);
    let mut out = Vec::new();
    for week in 19..=45u8 {
        let n = if week == 45 { 3 } else { rng.gen_range(6..=14) };
        for _ in 0..n {
            let mut r = synth.next_response(Period::Week { year: 2026, week });
            if rng.gen_bool(0.3) {
                r.comment = Some(format!("a comment from week {week}"));
            }
            out.push(r);
        }
    }
    out
}

fn screen(m: &Model) -> String {
    let mut buf = Buffer::empty(Rect::new(0, 0, 100, 30));
    crate::manager::view::render(m, &Theme::MONO, buf.area, &mut buf);
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn forty_a_month_still_shows_every_month_every_theme_and_the_latest_comments() {
    let rs = small_practice();
    let monthly = Filter::default();
    let d = data_of(&rs, &monthly);
    let months: Vec<String> = d.trends.iter().map(|r| r.span.to_string()).collect();
    // May to September on their own; the three days of November pooled with October until
    // November has enough responses to stand alone.
    assert_eq!(
        months,
        [
            "2026-05",
            "2026-06",
            "2026-07",
            "2026-08",
            "2026-09",
            "2026-10 to 2026-11"
        ]
    );
    for row in &d.trends {
        for t in &row.summary.themes {
            assert!(
                t.mean.is_some(),
                "{} {}: {:?}",
                row.span,
                t.id,
                t.suppressed
            );
        }
        assert!(matches!(row.summary.responses, Count::Exact(n) if n >= 30));
    }
    // Every theme and every question overall, all ten ranked.
    assert!(d.overall.themes.iter().all(|t| t.mean.is_some()));
    assert!(
        d.overall
            .themes
            .iter()
            .flat_map(|t| &t.items)
            .all(|i| i.mean.is_some() && i.distribution.is_some())
    );
    assert_eq!(d.where_to_act.ranked.len(), 10);
    // This month's comments: the latest row of the comment grid.
    let c = d.comments.as_ref().expect("comments shown");
    assert!(!c.is_empty());
    assert_eq!(d.comments_span.unwrap().to_string(), "2026-10 to 2026-11");
    // One month on its own: September's figures, and its item distributions for a question page.
    let sept = Filter {
        period: Some(PeriodKey::Month {
            year: 2026,
            month: 9,
        }),
        ..Filter::default()
    };
    let d = data_of(&rs, &sept);
    assert_eq!(d.covers.span.unwrap().to_string(), "2026-09");
    assert!(d.overall.themes.iter().all(|t| t.mean.is_some()));
    let with_distribution = d
        .overall
        .themes
        .iter()
        .flat_map(|t| &t.items)
        .filter(|i| i.distribution.is_some())
        .count();
    // About half the questions keep their distribution; the rest lose it to small-count
    // protection.
    assert!(with_distribution >= 12, "{with_distribution} items");
    println!("one month: {with_distribution} of 25 questions show their distribution");
    // By week: weeks of 10 or more stand alone, smaller ones pool with a neighbour in the month.
    let weekly = monthly.with_granularity(Granularity::Week);
    let d = data_of(&rs, &weekly);
    let alone = d.trends.iter().filter(|r| !r.span.is_pooled()).count();
    assert!(alone >= 8, "{alone} weeks stand alone");
    let weeks: std::collections::BTreeSet<_> = rs.iter().map(|r| r.period).collect();
    println!(
        "by week: {} rows, {alone} of them one week alone, over {} weeks",
        d.trends.len(),
        weeks.len()
    );
    assert!(
        d.trends
            .iter()
            .all(|r| r.summary.themes.iter().filter(|t| t.mean.is_some()).count() >= 8)
    );
}

#[test]
fn forty_a_month_on_the_managers_screen() {
    let rs = small_practice();
    let data = data_of(&rs, &Filter::default());
    let mut m = Model::new(data, Filter::default());
    let overview = screen(&m);
    assert!(overview.contains("responses"), "{overview}");
    assert!(!overview.contains("hidden"), "{overview}");
    update(&mut m, Msg::Key(Key::Char('2')));
    let trends = screen(&m);
    assert!(trends.contains("May 2026"), "{trends}");
    update(&mut m, Msg::Key(Key::Char('4')));
    let comments = screen(&m);
    assert!(comments.contains("a comment from week"), "{comments}");
    assert!(comments.contains("October to November 2026"), "{comments}");
}
