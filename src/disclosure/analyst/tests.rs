//! The analyst's labels: no combination of site, period and language names fewer than the minimum.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::response::Period;

fn response(week: u8, language: &str) -> Response {
    let survey = crate::survey::embedded().unwrap();
    let mut r = crate::synth::Synth::new(&survey, u64::from(week))
        .next_response(Period::Week { year: 2026, week });
    r.language = language.to_string();
    r
}

/// How many responses share each published (site, period, language).
fn combinations(labels: &[Labels]) -> BTreeMap<(String, String, String), u64> {
    let mut out = BTreeMap::new();
    for l in labels {
        *out.entry((l.site.clone(), l.period.clone(), l.language.clone()))
            .or_default() += 1;
    }
    out
}

#[test]
fn one_polish_speaker_a_week_is_other() {
    let mut rows = Vec::new();
    for week in 40..48u8 {
        for _ in 0..11 {
            rows.push(("North".to_string(), response(week, "en")));
        }
        rows.push(("North".to_string(), response(week, "pl")));
    }
    let refs: Vec<(String, &Response)> = rows.iter().map(|(s, r)| (s.clone(), r)).collect();
    let labels = labels(&refs, 10);
    assert!(labels.iter().all(|l| l.language != "pl"));
    assert!(labels.iter().all(|l| l.site == "North"));
    for (combo, n) in combinations(&labels) {
        assert!(n >= 10, "{combo:?} holds {n}");
    }
    // Weeks of 12 stand alone: the period says which week.
    assert_eq!(labels[0].period, "2026-W40");
}

#[test]
fn a_small_site_and_a_small_week_are_pooled() {
    let mut rows = Vec::new();
    for _ in 0..20 {
        rows.push(("North".to_string(), response(40, "en")));
    }
    for _ in 0..3 {
        rows.push(("South".to_string(), response(40, "en")));
    }
    for _ in 0..2 {
        rows.push(("North".to_string(), response(41, "en")));
    }
    let refs: Vec<(String, &Response)> = rows.iter().map(|(s, r)| (s.clone(), r)).collect();
    let labels = labels(&refs, 10);
    assert!(labels.iter().all(|l| l.site == "other"), "{labels:?}");
    assert!(labels.iter().all(|l| l.period == "2026-W40/2026-W41"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_published_combination_holds_the_minimum(
        cells in prop::collection::vec((0..3usize, 40..46u8, 0..3usize, 1..8usize), 1..20),
    ) {
        let languages = ["en", "pl", "ar"];
        let mut rows = Vec::new();
        for (site, week, lang, n) in cells {
            for _ in 0..n {
                rows.push((format!("S{site}"), response(week, languages[lang])));
            }
        }
        let refs: Vec<(String, &Response)> = rows.iter().map(|(s, r)| (s.clone(), r)).collect();
        let labels = labels(&refs, 10);
        let total = rows.len() as u64;
        for (combo, n) in combinations(&labels) {
            prop_assert!(n >= 10 || n == total, "{:?} holds {} of {}", combo, n, total);
        }
    }
}
