//! Screen tests: snapshots of every view at 80×24 and 60×20, every view at many sizes without a
//! panic, privacy (seven responses), hostile comments, and meaning that does not rest on colour.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::{TOO_SMALL, render};
use crate::manager::data::Filter;
use crate::manager::data::fixture;
use crate::manager::model::tests::model;
use crate::manager::model::{Key, Model, Msg, update};
use crate::tui::Theme;

fn press(m: &mut Model, keys: &[Key]) {
    for k in keys {
        update(m, Msg::Key(*k));
    }
}

/// Every view the screen can show, each in a typical state.
fn views() -> Vec<(&'static str, Model)> {
    let base = model();
    let with = |keys: &[Key]| {
        let mut m = base.clone();
        press(&mut m, keys);
        m
    };
    let mut out = vec![
        ("overview", base.clone()),
        ("theme_page", with(&[Key::Down, Key::Enter])),
        ("theme_page_last_item", with(&[Key::Enter, Key::End])),
        ("trends", with(&[Key::Char('2'), Key::Down])),
        ("where_to_act", with(&[Key::Char('3')])),
        ("comments", with(&[Key::Char('4')])),
        ("period_picker", with(&[Key::Char('p'), Key::Down])),
        ("site_picker", with(&[Key::Char('s')])),
        ("loading", with(&[Key::Char('g')])),
    ];
    let mut failed = with(&[Key::Char('g')]);
    update(
        &mut failed,
        Msg::Loaded(Err("records/0001.rec: damaged at offset 512".into())),
    );
    out.push(("load_failed", failed));
    out.push(("seven_responses", seven()));
    let mut weekly = model();
    let filter = weekly
        .filter
        .with_granularity(crate::stats::Granularity::Week);
    weekly.data = fixture::data_of(&fixture::responses(300), &filter);
    weekly.filter = filter;
    press(&mut weekly, &[Key::Char('2')]);
    out.push(("trends_weekly", weekly));
    out
}

fn seven() -> Model {
    let rs: Vec<_> = fixture::responses(7).into_iter().take(7).collect();
    let data = fixture::data_of(&rs, &Filter::default());
    Model::new(data, Filter::default())
}

fn draw(m: &Model, theme: &Theme, w: u16, h: u16) -> Buffer {
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    render(m, theme, buf.area, &mut buf);
    buf
}

use crate::tui::layout::buffer_text as text;

#[test]
fn every_view_at_80x24_and_60x20() {
    for (name, m) in views() {
        for (w, h) in [(80, 24), (60, 20)] {
            let shown = text(&draw(&m, &Theme::COLOR, w, h));
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), shown);
        }
    }
}

#[test]
fn nothing_is_cut_off_at_80x24_or_60x20() {
    // Every view at both sizes: whole names and whole sentences; the only `…` is the notice that
    // the figures are being worked out.
    for (name, m) in views() {
        for (w, h) in [(80, 24), (60, 20)] {
            let shown = text(&draw(&m, &Theme::COLOR, w, h));
            for line in shown.lines().filter(|l| l.contains('…')) {
                assert!(
                    line.starts_with("Working out the figures by"),
                    "{name} at {w}×{h}: {line}\n{shown}"
                );
            }
        }
    }
}

#[test]
fn where_to_act_is_the_reports_chart_act_first_top_left_numbered_by_rank() {
    let mut m = model();
    press(&mut m, &[Key::Char('3'), Key::Down]);
    let shown = text(&draw(&m, &Theme::COLOR, 80, 24));
    // The chart is right of the table (which ends at column 56).
    let chart: Vec<String> = shown
        .lines()
        .map(|l| l.chars().skip(57).collect())
        .collect();
    let at = |s: &str| {
        chart
            .iter()
            .enumerate()
            .find_map(|(y, l)| l.find(s).map(|x| (l[..x].chars().count(), y)))
            .unwrap_or_else(|| panic!("{s} not drawn:\n{shown}"))
    };
    // The quadrants' names in the report's corners.
    let (af, kp, wa, ma) = (
        at("act first  "),
        at("keep up"),
        at("watch"),
        at("maintain"),
    );
    assert!(
        af.0 < kp.0 && af.1 == kp.1,
        "act first top left, keep up top right"
    );
    assert!(
        wa.0 < ma.0 && wa.1 == ma.1 && wa.1 > af.1,
        "watch, maintain at the bottom"
    );
    // The selected row (rank 2) is bracketed in the chart, in its quadrant's corner of it.
    let w = &m.data.where_to_act;
    let (x, y) = at("[2]");
    let (mx, my) = at("┼");
    let p = &w.ranked[1];
    assert_eq!(p.rank, 2);
    let top = p.importance >= w.importance_median.unwrap();
    let left = p.score < w.score_median.unwrap();
    assert_eq!((y < my, x < mx), (top, left), "{shown}");
    // Every ranked theme's number is in the chart, on its own side of both medians.
    for p in &w.ranked {
        let label = if p.rank == 2 {
            "[2]".to_string()
        } else {
            p.rank.to_string()
        };
        let found = chart.iter().enumerate().find_map(|(y, l)| {
            l.split(|c: char| !c.is_ascii_digit() && c != '[' && c != ']')
                .any(|t| t == label)
                .then(|| (l.find(&label).map(|x| l[..x].chars().count()), y))
        });
        let (Some(x), y) = found.unwrap_or_else(|| panic!("{label} not in the chart:\n{shown}"))
        else {
            unreachable!()
        };
        let top = p.importance >= w.importance_median.unwrap();
        let left = p.score < w.score_median.unwrap();
        assert_eq!((y < my, x < mx), (top, left), "rank {label}:\n{shown}");
    }
}

#[test]
fn fifteen_responses_say_once_that_there_is_no_trend_yet() {
    let data = crate::report::html_tests::report_of(15, &Default::default());
    let mut m = Model::new(data, Filter::default());
    press(&mut m, &[Key::Char('2')]);
    for (w, h) in [(80, 24), (60, 20)] {
        let shown = text(&draw(&m, &Theme::COLOR, w, h));
        let flat = shown.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            flat.matches("Not enough responses yet for a trend").count(),
            1
        );
        assert!(flat.contains("June to November 2026 (so far)"), "{shown}");
        assert!(
            !shown.contains(['▁', '▂', '▃', '▄', '▅', '▆', '▇']),
            "{shown}"
        );
    }
}

#[test]
fn big_screens_use_the_room() {
    let m = model();
    insta::assert_snapshot!("overview_120x40", text(&draw(&m, &Theme::COLOR, 120, 40)));
    let mut act = m.clone();
    press(&mut act, &[Key::Char('3')]);
    insta::assert_snapshot!(
        "where_to_act_120x40",
        text(&draw(&act, &Theme::COLOR, 120, 40))
    );
    let mut trends = m.clone();
    press(&mut trends, &[Key::Char('2'), Key::Down]);
    insta::assert_snapshot!(
        "trends_120x40",
        text(&draw(&trends, &Theme::COLOR, 120, 40))
    );
}

#[test]
fn every_view_draws_at_every_size_up_to_120x40_without_panic() {
    for (_, m) in views() {
        // Layout does not depend on the theme, so one theme is enough here.
        for w in (0..=120).step_by(11).chain([1, 59, 60, 61, 250]) {
            for h in (0..=40).step_by(5).chain([1, 19, 20, 21, 70]) {
                draw(&m, &Theme::COLOR, w, h);
            }
        }
    }
}

#[test]
fn below_60x20_asks_for_a_larger_window() {
    let m = model();
    for (w, h) in [(59, 24), (80, 19), (59, 19)] {
        let shown = text(&draw(&m, &Theme::COLOR, w, h))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            shown.contains("Please make this window larger"),
            "{w}×{h}: {shown}"
        );
    }
    assert!(TOO_SMALL.contains("60 × 20"));
}

#[test]
fn a_synthetic_store_says_so_on_every_view() {
    for (name, m) in views() {
        for (w, h) in [(80, 24), (60, 20), (250, 70)] {
            let shown = text(&draw(&m, &Theme::COLOR, w, h));
            assert!(
                shown
                    .lines()
                    .next()
                    .unwrap()
                    .contains("SYNTHETIC DEMO DATA"),
                "{name} {w}×{h}"
            );
        }
    }
    let mut real = model();
    real.data.synthetic = false;
    assert!(!text(&draw(&real, &Theme::COLOR, 80, 24)).contains("SYNTHETIC"));
}

#[test]
fn a_store_with_seven_responses_shows_every_theme_hidden() {
    let m = seven();
    let shown = text(&draw(&m, &Theme::COLOR, 100, 30));
    for t in &m.data.survey.themes {
        let line = shown
            .lines()
            .find(|l| l.contains(&t.name))
            .unwrap_or_else(|| panic!("{} listed:\n{shown}", t.name));
        assert!(
            line.contains("fewer than 10 answers: hidden to protect privacy"),
            "{line}"
        );
    }
    assert!(
        shown.contains("Overall experience: fewer than 10 answers"),
        "{shown}"
    );
    for t in &m.data.survey.themes {
        let line = shown.lines().find(|l| l.contains(&t.name)).unwrap();
        assert!(!line.contains('█') && !line.contains('▓'), "no bar: {line}");
    }
    // Nothing to rank, no comments, no trend figures.
    let mut act = m.clone();
    press(&mut act, &[Key::Char('3')]);
    let shown = text(&draw(&act, &Theme::COLOR, 100, 30));
    assert_eq!(
        shown.matches("fewer than 10 answers: hidden").count(),
        10,
        "{shown}"
    );
    let mut c = m.clone();
    press(&mut c, &[Key::Char('4')]);
    let shown = text(&draw(&c, &Theme::COLOR, 100, 30));
    assert!(shown.contains("No comments can be shown"), "{shown}");
    let mut page = m.clone();
    press(&mut page, &[Key::Enter]);
    let shown = text(&draw(&page, &Theme::COLOR, 100, 30));
    assert!(
        !shown.contains("Strongly agree"),
        "no distribution:\n{shown}"
    );
}

#[test]
fn a_comment_with_escape_sequences_is_drawn_harmlessly() {
    let mut m = model();
    let evil = "Nice staff\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31mRED\u{9b}1;1H\u{202e}desrever";
    m.data.comments = Ok(vec![evil.to_string()]);
    m.data.overall.themes[0].name = "Humanised\u{1b}[5m care".to_string();
    m.data.sites = vec!["Site\u{1b}[H one".to_string()];
    for keys in [&[Key::Char('4')][..], &[], &[Key::Char('s')]] {
        let mut v = m.clone();
        press(&mut v, keys);
        let buf = draw(&v, &Theme::COLOR, 100, 30);
        for cell in buf.content() {
            assert!(
                !cell.symbol().chars().any(crate::sanitize::is_unsafe),
                "{:?}",
                cell.symbol()
            );
        }
        let shown = text(&buf);
        assert!(
            !shown.contains("pwned") && !shown.contains("[2J"),
            "{shown}"
        );
    }
    let mut v = m.clone();
    press(&mut v, &[Key::Char('4')]);
    assert!(text(&draw(&v, &Theme::COLOR, 100, 30)).contains("Nice staffREDdesrever"));
}

#[test]
fn nothing_is_told_by_colour_alone() {
    // The monochrome theme draws the same characters: the selection arrow, the current tab's
    // brackets, the bar shapes and the hidden-figure words are all text.
    for (name, m) in views() {
        let colour = text(&draw(&m, &Theme::COLOR, 80, 24));
        let mono = text(&draw(&m, &Theme::MONO, 80, 24));
        assert_eq!(colour, mono, "{name}");
    }
    let shown = text(&draw(&model(), &Theme::MONO, 80, 24));
    assert!(shown.contains("▶ Humanised care"), "{shown}");
    assert!(shown.contains("[1 Overview]"), "{shown}");
}

#[test]
fn colours_mark_the_selection_and_the_banner_as_well_as_the_words() {
    let m = model();
    let buf = draw(&m, &Theme::COLOR, 80, 24);
    let shown = text(&buf);
    let y = shown
        .lines()
        .position(|l| l.starts_with("▶ Humanised care"))
        .unwrap();
    // The theme's name starts after the two cells of "▶ ".
    let x = 2;
    assert_eq!(buf[(x, y as u16)].bg, Theme::COLOR.focused.bg.unwrap());
    let other = shown
        .lines()
        .position(|l| l.contains("  Familiarity"))
        .unwrap();
    assert_eq!(buf[(x, other as u16)].bg, Theme::COLOR.base.bg.unwrap());
    assert_eq!(buf[(0, 0)].bg, Theme::COLOR.chosen.bg.unwrap(), "banner");
}

/// Characters that talk to terminals, mixed into otherwise arbitrary text.
fn hostile_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    const NASTY: &[char] = &[
        '\u{1b}', '\u{9b}', '\u{9d}', '\u{90}', '\u{7}', '\u{8}', '\u{7f}', '\r', '\n', '\t',
        '\u{0}', '\u{202e}', '\u{2066}', '\u{2028}', '[', ']', ';', '2', 'J',
    ];
    let c = prop_oneof![
        3 => proptest::sample::select(NASTY),
        1 => any::<char>(),
        1 => proptest::char::range('\u{0}', '\u{a0}'),
    ];
    proptest::collection::vec(c, 0..40).prop_map(|v| v.into_iter().collect())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]

    /// Whatever a comment, a site name or a survey's texts hold, no view puts a control
    /// character or escape sequence on the manager's terminal.
    #[test]
    fn no_text_from_the_data_reaches_the_terminal_unsafe(
        comment in hostile_text(),
        name in hostile_text(),
        site in hostile_text(),
        item in hostile_text(),
    ) {
        for (view, mut m) in views() {
            m.data.comments = Ok(vec![comment.clone()]);
            m.data.sites = vec![site.clone(), "Other".to_string()];
            m.data.survey.title.0.insert("en".to_string(), name.clone());
            m.data.survey.items[0].text.0.insert("en".to_string(), item.clone());
            for t in &mut m.data.overall.themes {
                t.name = name.clone();
            }
            for (w, h) in [(80, 24), (60, 20)] {
                let buf = draw(&m, &Theme::COLOR, w, h);
                for cell in buf.content() {
                    proptest::prop_assert!(
                        !cell.symbol().chars().any(crate::sanitize::is_unsafe),
                        "{view} at {w}x{h}: {:?}",
                        cell.symbol()
                    );
                }
            }
        }
    }
}

/// An aggregation store with a site whose records this key cannot open and a batch that never
/// arrived: the overview says so first, in words, and gives each site's latest period.
#[test]
fn the_overview_names_what_could_not_be_read_and_the_batches_missing() {
    use crate::batch::intake::{Missing, SiteIntake, StoreIntake};
    let week = |w| crate::response::Period::Week {
        year: 2026,
        week: w,
    };
    let mut m = model();
    m.data.intake = crate::report::intake::Intake {
        sites: vec![SiteIntake {
            site: "North".into(),
            stores: vec![StoreIntake {
                store_id: "ab".repeat(16),
                batches: 2,
                last: Some(3),
                latest: Some(week(45)),
                missing: vec![Missing {
                    sequence: 2,
                    of: 3,
                    periods: vec![week(42), week(43)],
                }],
            }],
            latest: Some(week(45)),
        }],
        unreadable: vec![crate::store::Unreadable {
            place: "site \"West\"".into(),
            why: "its batches are not encrypted for this key".into(),
        }],
    };
    for (w, h) in [(80, 24), (60, 20)] {
        let shown = text(&draw(&m, &Theme::COLOR, w, h)).replace('\n', " ");
        let words = shown.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.contains("Could not read site \"West\": its batches")
                && words.contains("North: batch 2 of 3 not received: 2026-W42 to 2026-W43"),
            "{w}×{h}: {words}"
        );
    }
    let shown = text(&draw(&m, &Theme::COLOR, 100, 40));
    assert!(
        shown.contains("Latest period received: North 2026-W45."),
        "{shown}"
    );
}
