//! The report data layer over in-memory responses: splitting, survey choice, filters, comments.

use std::path::Path;

use super::*;
use crate::disclosure::Count;
use crate::response::{Period, Response};
use crate::store::{StoreError, StoreMeta};
use crate::survey::Catalog;
use crate::synth::Synth;

pub(crate) fn meta(synthetic: bool) -> StoreMeta {
    StoreMeta {
        store_id: [7; 16],
        site: "Riverside Surgery".into(),
        synthetic,
        period: crate::response::PeriodKind::Week,
        recipients: vec![age::x25519::Identity::generate().to_public()],
        signing_key: None,
    }
}

fn week(w: u8) -> Period {
    Period::Week {
        year: 2026,
        week: w,
    }
}

/// `n` synthetic responses to `survey`, spread over weeks 1..=`weeks` of 2026.
fn responses(survey: &crate::survey::Survey, n: usize, weeks: u8, seed: u64) -> Vec<Response> {
    let mut s = Synth::new(survey, seed);
    (0..n)
        .map(|i| s.next_response(week(1 + (i % usize::from(weeks)) as u8)))
        .collect()
}

type Part = std::vec::IntoIter<Result<Response, StoreError>>;

fn parts(rs: &[Response], k: usize) -> Vec<Part> {
    let chunk = rs.len().div_ceil(k).max(1);
    rs.chunks(chunk)
        .map(|c| c.iter().cloned().map(Ok).collect::<Vec<_>>().into_iter())
        .collect()
}

pub(crate) fn report(rs: &[Response], k: usize, options: &ReportOptions) -> ReportData {
    let catalog = Catalog::builtin().unwrap();
    build_from_responses(
        Path::new("data"),
        &meta(true),
        parts(rs, k),
        &catalog,
        options,
    )
    .unwrap()
}

fn icare() -> crate::survey::Survey {
    crate::survey::embedded().unwrap()
}

#[test]
fn two_threads_give_the_one_thread_report() {
    let rs = responses(&icare(), 600, 13, 1);
    let options = ReportOptions::default();
    let one = report(&rs, 1, &options);
    let two = report(&rs, 2, &options);
    assert_eq!(one.responses, Count::Exact(600));
    assert_eq!(one.periods, two.periods);
    for (a, b) in one.overall.themes.iter().zip(&two.overall.themes) {
        assert_eq!(a.n, b.n);
        let (x, y) = (a.mean.unwrap(), b.mean.unwrap());
        assert!((x - y).abs() < 1e-9, "{} {x} {y}", a.id);
    }
    assert_eq!(
        one.comments.as_ref().map(Vec::len),
        two.comments.as_ref().map(Vec::len)
    );
}

#[test]
fn the_survey_with_most_responses_is_reported_and_the_others_listed() {
    let short = crate::survey::from_str(crate::survey::load::EMBEDDED_ICARE_SHORT, "s").unwrap();
    let mut rs = responses(&icare(), 40, 4, 2);
    rs.extend(responses(&short, 25, 4, 3));
    let data = report(&rs, 2, &ReportOptions::default());
    assert_eq!(data.survey.id, "icare");
    assert_eq!(data.responses, Count::Exact(40));
    assert_eq!(
        data.other_surveys,
        vec![(short.id.clone(), short.hash, Count::Exact(25))]
    );
    let options = ReportOptions {
        survey_id: Some(short.id.clone()),
        ..ReportOptions::default()
    };
    let data = report(&rs, 2, &options);
    assert_eq!(data.survey.hash, short.hash);
    assert_eq!(data.responses, Count::Exact(25));
}

#[test]
fn an_unknown_survey_id_is_an_error_listing_what_is_there() {
    let rs = responses(&icare(), 12, 2, 4);
    let options = ReportOptions {
        survey_id: Some("nope".into()),
        ..ReportOptions::default()
    };
    let catalog = Catalog::builtin().unwrap();
    let err = build_from_responses(
        Path::new("d"),
        &meta(false),
        parts(&rs, 1),
        &catalog,
        &options,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("nope") && err.contains("icare (12 responses)"),
        "{err}"
    );
}

#[test]
fn seven_responses_suppress_every_group() {
    let rs = responses(&icare(), 7, 2, 5);
    let data = report(&rs, 2, &ReportOptions::default());
    assert!(data.overall.suppressed.is_some());
    assert!(
        data.overall
            .themes
            .iter()
            .all(|t| t.suppressed.is_some() && t.mean.is_none())
    );
    assert!(data.overall.headline.as_ref().unwrap().suppressed.is_some());
    assert!(data.where_to_act.ranked.is_empty());
    assert!(data.trends.iter().all(|r| r.summary.suppressed.is_some()));
    assert!(data.comments.is_err());
}

#[test]
fn comments_come_from_the_latest_period_only() {
    let mut rs = responses(&icare(), 300, 3, 6);
    for (i, r) in rs.iter_mut().enumerate() {
        r.comment = Some(format!("comment {i} in {}", r.period));
    }
    let data = report(
        &rs,
        2,
        &ReportOptions {
            granularity: crate::stats::Granularity::Week,
            ..ReportOptions::default()
        },
    );
    let comments = data.comments.unwrap();
    assert_eq!(comments.len(), 100);
    assert!(
        comments.iter().all(|c| c.ends_with("2026-W03")),
        "{comments:?}"
    );
    assert_eq!(
        data.comments_span,
        Some(crate::disclosure::Span::one(
            crate::stats::PeriodKey::Week {
                year: 2026,
                week: 3
            }
        ))
    );
}

#[test]
fn date_and_period_filters_narrow_the_overall_figures_not_the_trend() {
    let rs = responses(&icare(), 400, 8, 7);
    let options = ReportOptions {
        granularity: crate::stats::Granularity::Week,
        from: chrono::NaiveDate::from_ymd_opt(2026, 1, 12),
        ..ReportOptions::default()
    };
    let data = report(&rs, 2, &options);
    // Weeks 3..=8 of 8 (week 3 starts on Monday 12 January 2026).
    assert_eq!(data.responses, Count::Exact(300));
    assert_eq!(data.periods.len(), 6);
    let p = data.periods[2];
    let options = ReportOptions {
        period: Some(p),
        ..options
    };
    let data = report(&rs, 1, &options);
    assert_eq!(data.responses, Count::Exact(50));
    assert_eq!(data.trends.len(), 6);
}

#[test]
fn one_small_period_is_pooled_so_it_cannot_be_worked_out_from_the_total_and_the_others() {
    let survey = icare();
    let mut synth = Synth::new(&survey, 9);
    let mut rs: Vec<Response> = (0..7).map(|_| synth.next_response(week(1))).collect();
    rs.extend((0..50).map(|_| synth.next_response(week(2))));
    rs.extend((0..60).map(|_| synth.next_response(week(3))));
    let data = report(
        &rs,
        2,
        &ReportOptions {
            granularity: crate::stats::Granularity::Week,
            ..ReportOptions::default()
        },
    );
    assert!(data.overall.themes.iter().all(|t| t.suppressed.is_none()));
    // Week 1 (7 responses) joins week 2, its only neighbour in January; week 3 stands alone.
    let spans: Vec<String> = data.trends.iter().map(|r| r.span.to_string()).collect();
    assert_eq!(spans, ["2026-W01 to 2026-W02", "2026-W03"]);
    assert_eq!(data.trends[0].summary.responses, Count::Exact(57));
    assert!(
        data.trends
            .iter()
            .all(|r| r.summary.themes.iter().all(|t| t.mean.is_some()))
    );
    // Asking for week 1 alone gives the pooled weeks, and the heading says so.
    let only = report(
        &rs,
        1,
        &ReportOptions {
            granularity: crate::stats::Granularity::Week,
            period: Some(crate::stats::PeriodKey::Week {
                year: 2026,
                week: 1,
            }),
            ..ReportOptions::default()
        },
    );
    assert_eq!(only.responses, Count::Exact(57));
    assert!(common::scope_line(&only).contains("pooled"));
}
