//! Date filters widen to whole periods, and pooled periods, and the heading says so.

use std::path::Path;

use chrono::NaiveDate;

use crate::report::{ReportOptions, build_from_responses};
use crate::response::Period;
use crate::stats::Granularity;
use crate::store::StoreError;
use crate::survey::Catalog;

fn week(w: u8) -> Period {
    Period::Week {
        year: 2026,
        week: w,
    }
}

fn report(counts: &[(u8, usize)], options: &ReportOptions) -> crate::report::ReportData {
    let survey = crate::survey::embedded().unwrap();
    let mut synth = crate::synth::Synth::new(&survey, 3);
    let rs: Vec<_> = counts
        .iter()
        .flat_map(|&(w, n)| (0..n).map(move |_| w))
        .map(|w| synth.next_response(week(w)))
        .collect();
    let catalog = Catalog::builtin().unwrap();
    let parts = vec![rs.into_iter().map(Ok::<_, StoreError>)];
    let meta = crate::report::tests::meta(false);
    build_from_responses(Path::new("d"), &meta, parts, &catalog, options).unwrap()
}

#[test]
fn a_date_inside_a_week_takes_the_whole_week_and_a_small_week_its_neighbour() {
    // W45 (2–8 Nov) 12, W46 (9–15 Nov) 1, W47 (16–22 Nov) 11.
    let counts = [(45, 12), (46, 1), (47, 11)];
    let options = ReportOptions {
        granularity: Granularity::Week,
        from: NaiveDate::from_ymd_opt(2026, 11, 12),
        to: NaiveDate::from_ymd_opt(2026, 11, 13),
        ..ReportOptions::default()
    };
    let d = report(&counts, &options);
    // 12–13 Nov is in W46, which alone has one response: it pools with W47 (the smaller
    // neighbour in the month), and the figures cover both.
    assert_eq!(d.covers.span.unwrap().to_string(), "2026-W46 to 2026-W47");
    assert_eq!(d.responses, crate::disclosure::Count::Exact(12));
    let line = crate::report::common::scope_line(&d);
    assert!(line.contains("taken as whole weeks"), "{line}");
    assert!(line.contains("weeks of 9 Nov to 16 Nov 2026"), "{line}");
}

#[test]
fn a_store_with_a_few_responses_never_prints_their_number() {
    let d = report(&[(45, 7)], &ReportOptions::default());
    assert_eq!(d.responses, crate::disclosure::Count::FewerThan(10));
    for format in [
        crate::report::Format::Text,
        crate::report::Format::Markdown,
        crate::report::Format::Csv,
        crate::report::Format::Json,
        crate::report::Format::Html,
    ] {
        let out = crate::report::render(&d, format);
        for seven in [
            "7 respond",
            "7 answer",
            "\"responses\": 7",
            "responses,7",
            "n,7",
        ] {
            assert!(!out.contains(seven), "{format:?} says {seven:?}: {out}");
        }
        assert!(out.contains("fewer than 10"), "{format:?}");
    }
}
