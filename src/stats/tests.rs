//! Hand-worked fixtures and stability checks for the streaming statistics.

use proptest::prelude::*;

use super::*;
use crate::response::{Answer, Period};
use crate::scoring::tests::{fixture, response};
use crate::survey::Survey;

use Answer::{NotApplicable as Na, Skipped as Sk, Value as V};

fn collect(survey: &Survey, rows: &[(Vec<Answer>, Answer)]) -> Accumulator {
    let plan = ScoringPlan::new(survey).unwrap();
    let mut c = Collector::new(&plan, Granularity::Month);
    for (answers, headline) in rows {
        c.add(&response(survey, answers.clone(), *headline), Some("main"))
            .unwrap();
    }
    c.overall()
}

#[test]
fn all_does_not_apply_has_no_estimate() {
    let s = fixture();
    let acc = collect(&s, &vec![(vec![Na; 4], Sk); 12]);
    let e = Estimate::of(&acc.themes[0].scores);
    assert_eq!(
        e,
        Estimate {
            n: 0,
            mean: None,
            sd: None,
            ci: None
        }
    );
    assert_eq!(acc.items[0].not_applicable, 12);
    assert_eq!(
        percent(acc.themes[0].not_applicable, acc.themes[0].answers),
        Some(100.0)
    );
    let plan = ScoringPlan::new(&s).unwrap();
    assert_eq!(headline_pct_positive(&plan, &acc.headline), None);
    assert_eq!(acc.headline.skipped, 12);
}

#[test]
fn single_respondent_has_a_mean_but_no_sd_or_ci() {
    let s = fixture();
    let acc = collect(&s, &[(vec![V(4), V(4), V(2), V(3)], V(2))]);
    let e = Estimate::of(&acc.themes[0].scores);
    assert_eq!(e.n, 1);
    assert_eq!(e.mean, Some(75.0));
    assert_eq!((e.sd, e.ci), (None, None));
}

#[test]
fn identical_answers_give_sd_zero_and_a_point_interval() {
    let s = fixture();
    let acc = collect(&s, &vec![(vec![V(4), V(4), V(2), V(4)], V(1)); 10]);
    let e = Estimate::of(&acc.themes[0].scores);
    assert_eq!(e.mean, Some(75.0));
    assert_eq!(e.sd, Some(0.0));
    assert_eq!(e.ci, Some((75.0, 75.0)));
    assert_eq!(consistency(&acc.themes[0]), None, "n < 30");
}

#[test]
fn hand_worked_theme_with_reversed_item() {
    let s = fixture();
    // Theme a scores: (100+100+100)/3 = 100; (50+50+50)/3 = 50; (0+25+0)/3 = 8.33…
    // a3 reversed: 1 → 100, 3 → 50, 5 → 0.
    let rows = vec![
        (vec![V(5), V(5), V(1), V(4)], V(1)),
        (vec![V(3), V(3), V(3), V(2)], V(6)),
        (vec![V(1), V(2), V(5), Sk], V(4)),
    ];
    let acc = collect(&s, &rows);
    let e = Estimate::of(&acc.themes[0].scores);
    let want_mean = (100.0 + 50.0 + 25.0 / 3.0) / 3.0;
    assert!((e.mean.unwrap() - want_mean).abs() < 1e-12);
    let xs = [100.0, 50.0, 25.0 / 3.0];
    let var = xs.iter().map(|x| (x - want_mean).powi(2)).sum::<f64>() / 2.0;
    assert!((e.sd.unwrap() - var.sqrt()).abs() < 1e-12);
    // t(0.975, 2) = 4.302653.
    let half = 4.302_652_729_911 * var.sqrt() / 3f64.sqrt();
    let (lo, hi) = e.ci.unwrap();
    assert!((lo - (want_mean - half).max(0.0)).abs() < 1e-6);
    assert!((hi - (want_mean + half).min(100.0)).abs() < 1e-6);
    // Pooled: 9 answers, positive = 5,5,1(rev) = 3. Oriented counts: a3=1 counts as "Strongly agree".
    assert_eq!(acc.themes[0].scored_answers, 9);
    assert_eq!(acc.themes[0].positive, 3);
    assert_eq!(acc.themes[0].counts, vec![2, 1, 3, 0, 3]);
    assert_eq!(acc.items[2].counts, vec![1, 0, 1, 0, 1]);
    assert_eq!(acc.items[2].positive, 1);
    // Headline: Very good, Don't know, Poor → 1 positive of 3 answers (Don't know counts).
    let plan = ScoringPlan::new(&s).unwrap();
    let pct = headline_pct_positive(&plan, &acc.headline).unwrap();
    assert!((pct - 100.0 / 3.0).abs() < 1e-12);
    assert_eq!(acc.themes[1].scores.n, 2);
    assert_eq!(acc.themes[1].skipped, 1);
}

#[test]
fn groups_by_period_and_site() {
    let s = fixture();
    let plan = ScoringPlan::new(&s).unwrap();
    let mut c = Collector::new(&plan, Granularity::Quarter);
    let mut r = response(&s, vec![V(5); 4], V(1));
    for (week, site) in [(1, "a"), (13, "a"), (14, "b"), (53, "b")] {
        r.period = Period::Week { year: 2026, week };
        c.add(&r, Some(site)).unwrap();
    }
    r.period = Period::Week {
        year: 2025,
        week: 53,
    };
    c.add(&r, None).unwrap();
    // A week belongs to the quarter it starts in: 2026-W01 starts on 29 December 2025, W14 on
    // 30 March 2026, W53 on 28 December 2026.
    let keys: Vec<String> = c.by_period().keys().map(|k| k.to_string()).collect();
    assert_eq!(keys, ["2025-Q4", "2026-Q1", "2026-Q4"]);
    assert_eq!(
        c.by_period()
            .values()
            .map(|a| a.responses)
            .collect::<Vec<_>>(),
        [1, 2, 1]
    );
    assert_eq!(c.by_site()["a"].responses, 2);
    assert_eq!(c.by_site()["b"].responses, 2);
    assert_eq!((c.overall().responses, c.unplaced()), (5, 1));
}

fn two_pass(xs: &[f64]) -> (f64, f64) {
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
    (mean, var)
}

#[test]
fn welford_is_stable_with_a_large_offset() {
    // Naive Σx² − (Σx)²/n loses every digit here; Welford keeps them.
    let xs: Vec<f64> = (0..10_000).map(|i| 1e9 + f64::from(i % 7)).collect();
    let mut m = Moments::default();
    xs.iter().for_each(|&x| m.add(x));
    // Exact values from integers: the offset does not change the variance.
    let small: Vec<f64> = (0..10_000).map(|i| f64::from(i % 7)).collect();
    let (small_mean, var) = two_pass(&small);
    assert!((m.mean - (1e9 + small_mean)).abs() < 1e-4, "{}", m.mean);
    assert!((m.variance().unwrap() - var).abs() < 1e-6 * var);
    let naive = (xs.iter().map(|x| x * x).sum::<f64>()
        - xs.iter().sum::<f64>().powi(2) / xs.len() as f64)
        / (xs.len() - 1) as f64;
    assert!(
        (naive - var).abs() > 1e-3 * var,
        "the naive formula should be visibly off"
    );
}

/// Alpha and item–rest correlations by the textbook two-pass formulas.
fn alpha_two_pass(rows: &[Vec<f64>]) -> (f64, Vec<f64>) {
    let k = rows[0].len();
    let col = |i: usize| rows.iter().map(|r| r[i]).collect::<Vec<_>>();
    let totals: Vec<f64> = rows.iter().map(|r| r.iter().sum()).collect();
    let item_var: f64 = (0..k).map(|i| two_pass(&col(i)).1).sum();
    let alpha = k as f64 / (k as f64 - 1.0) * (1.0 - item_var / two_pass(&totals).1);
    let corr = |a: &[f64], b: &[f64]| {
        let (ma, mb) = (two_pass(a).0, two_pass(b).0);
        let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
        cov / (va * vb).sqrt()
    };
    let rest = (0..k)
        .map(|i| {
            let rest: Vec<f64> = rows.iter().map(|r| r.iter().sum::<f64>() - r[i]).collect();
            corr(&col(i), &rest)
        })
        .collect();
    (alpha, rest)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn moments_merge_matches_two_pass(
        xs in prop::collection::vec(0.0..100.0f64, 2..300),
        split in 0..300usize,
    ) {
        let split = split.min(xs.len());
        let (mut a, mut b) = (Moments::default(), Moments::default());
        xs[..split].iter().for_each(|&x| a.add(x));
        xs[split..].iter().for_each(|&x| b.add(x));
        a.merge(&b);
        let (mean, var) = two_pass(&xs);
        prop_assert!((a.mean - mean).abs() < 1e-9);
        prop_assert!((a.variance().unwrap() - var).abs() < 1e-9 * var.max(1.0));
    }

    #[test]
    fn alpha_matches_two_pass_and_survives_merging(
        rows in prop::collection::vec(
            (0..5u8, 0..3u8, 0..3u8, 0..3u8).prop_map(|(base, e1, e2, e3)| {
                let v = |e: u8| f64::from((base + e).min(4)) * 25.0;
                vec![v(e1), v(e2), v(e3)]
            }),
            30..120,
        ),
        split in 0..120usize,
    ) {
        let split = split.min(rows.len());
        let (mut a, mut b) = (CoMoments::new(3), CoMoments::new(3));
        rows[..split].iter().for_each(|r| a.add(r));
        rows[split..].iter().for_each(|r| b.add(r));
        a.merge(&b);
        let (want_alpha, want_rest) = alpha_two_pass(&rows);
        match a.cronbach_alpha() {
            Some(alpha) => prop_assert!((alpha - want_alpha).abs() < 1e-9, "{alpha} vs {want_alpha}"),
            None => prop_assert!(!want_alpha.is_finite()),
        }
        for (i, want) in want_rest.iter().enumerate() {
            match a.item_rest(i) {
                Some(r) => prop_assert!((r - want).abs() < 1e-9),
                None => prop_assert!(!want.is_finite()),
            }
        }
    }
}

#[test]
fn parallel_collection_equals_one_pass() {
    let s = fixture();
    let plan = ScoringPlan::new(&s).unwrap();
    let mut synth = crate::synth::Synth::new(&s, 7);
    let responses: Vec<Response> = (0..2_000)
        .map(|i| {
            synth.next_response(Period::Week {
                year: 2026,
                week: 1 + (i % 20) as u8,
            })
        })
        .collect();
    let one = Collector::collect_parallel(&plan, Granularity::Month, &responses, None, 1).unwrap();
    let two = Collector::collect_parallel(&plan, Granularity::Month, &responses, None, 2).unwrap();
    assert_eq!(one.overall().responses, 2_000);
    assert_eq!(one.overall().items[0].counts, two.overall().items[0].counts);
    assert_eq!(one.by_period().len(), two.by_period().len());
    for (a, b) in one.overall().themes.iter().zip(&two.overall().themes) {
        assert_eq!(a.scores.n, b.scores.n);
        assert!((a.scores.mean - b.scores.mean).abs() < 1e-9);
        assert!((a.scores.m2 - b.scores.m2).abs() < 1e-6 * a.scores.m2.max(1.0));
        let (ca, cb) = (consistency(a), consistency(b));
        assert_eq!(ca.is_some(), cb.is_some());
        if let (Some((x, _)), Some((y, _))) = (ca, cb) {
            assert!((x - y).abs() < 1e-9);
        }
    }
    assert!(
        consistency(&one.overall().themes[0]).is_some(),
        "synthetic theme a has alpha"
    );
}
