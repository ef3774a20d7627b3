//! Disclosure control: the minimum group size, small-count protection and comments.

use proptest::prelude::*;

use super::*;
use crate::response::{Answer, Period};
use crate::scoring::ScoringPlan;
use crate::scoring::tests::{fixture, response};
use crate::stats::{Collector, Granularity};

/// Every value a hidden cell could hold given what is published: the cells, the total and the
/// subtotal of each group. Computed by brute force over achievable sums (a bitset per group), not
/// by the interval reasoning the implementation uses.
/// With `rounded`, a shown count stands for the counts that round to it (5 for 5–7, since 3 and
/// 4 would be `<5`; n for n−2..n+2 above).
fn possible_values(
    cells: &[Cell],
    counts: &[u64],
    groups: &[usize],
    rounded: bool,
) -> Vec<Vec<u64>> {
    let total: u64 = counts.iter().sum();
    let any_small = cells.contains(&Cell::Small);
    let range = |c: Cell| -> (u64, u64) {
        match c {
            Cell::Shown(0) => (0, 0),
            Cell::Shown(5) if rounded => (5, 7),
            Cell::Shown(n) if rounded => (n - 2, n + 2),
            Cell::Shown(n) => (n, n),
            Cell::Small => (1, 4),
            Cell::Suppressed if any_small => (5, total),
            Cell::Suppressed => (0, total),
        }
    };
    let mut out = vec![Vec::new(); cells.len()];
    for i in 0..cells.len() {
        if !cells[i].is_hidden() {
            continue;
        }
        let g = groups[i];
        let members: Vec<usize> = (0..cells.len()).filter(|&j| groups[j] == g).collect();
        let subtotal: u64 = members.iter().map(|&j| counts[j]).sum();
        // Sums the other members can reach.
        let mut reach = vec![false; subtotal as usize + 1];
        reach[0] = true;
        for &j in members.iter().filter(|&&j| j != i) {
            let (lo, hi) = range(cells[j]);
            let mut next = vec![false; reach.len()];
            for (s, _) in reach.iter().enumerate().filter(|(_, r)| **r) {
                for v in lo..=hi.min(subtotal) {
                    if let Some(slot) = next.get_mut(s + v as usize) {
                        *slot = true;
                    }
                }
            }
            reach = next;
        }
        let (lo, hi) = range(cells[i]);
        out[i] = (lo..=hi.min(subtotal))
            .filter(|&v| reach[(subtotal - v) as usize])
            .collect();
    }
    out
}

fn distribution() -> impl Strategy<Value = (Vec<u64>, Vec<usize>)> {
    (2..8usize).prop_flat_map(|k| {
        (
            prop::collection::vec(prop_oneof![0..5u64, 0..25u64], k),
            prop::collection::vec(0..3usize, k),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_hidden_count_can_be_worked_out((counts, grouping) in distribution()) {
        // Preferred grouping, then a coarser one (groups 1 and 2 merged), as summaries use them.
        let coarse: Vec<usize> = grouping.iter().map(|&g| g.min(1)).collect();
        let p = protect(&counts, &[&grouping, &coarse]);
        let groups = match p.grouping {
            Some(0) => grouping.clone(),
            Some(_) => coarse.clone(),
            None => vec![0; counts.len()],
        };
        check_protected(&p.cells, &counts, &groups, false)?;
    }

    #[test]
    fn published_summaries_reveal_no_small_count(
        rows in prop::collection::vec((prop::collection::vec(answer(), 4), answer()), 10..40),
    ) {
        let s = fixture();
        let plan = ScoringPlan::new(&s).unwrap();
        let rs: Vec<_> = rows.into_iter().map(|(a, h)| response(&s, a, h)).collect();
        let mut c = Collector::new(&plan, Granularity::Month);
        for r in &rs {
            c.add(r, None).unwrap();
        }
        let acc = c.overall();
        let sum = summarize(&s, &plan, &acc, &Rule::default(), &|_| true);
        for t in &sum.themes {
            for item in &t.items {
                let i = s.items.iter().position(|x| x.id == item.id).unwrap();
                let Some(d) = &item.distribution else { continue };
                let truth = &acc.items[i];
                let mut counts = truth.counts.clone();
                counts.extend([truth.not_applicable, truth.skipped]);
                let mut cells = d.points.clone();
                cells.extend([d.not_applicable, d.skipped]);
                // Published: the total, n (scored answers) and, with % positive, the positives.
                let positive = plan.item_positive_points(i);
                let groups: Vec<usize> = (0..counts.len())
                    .map(|j| match positive.get(j) {
                        None => 2,
                        Some(true) if item.pct_positive.is_some() => 0,
                        Some(_) => 1,
                    })
                    .collect();
                check_protected(&cells, &counts, &groups, true)?;
            }
        }
    }
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        4 => (1..=5i32).prop_map(Answer::Value),
        1 => Just(Answer::NotApplicable),
        1 => Just(Answer::Skipped),
    ]
}

fn check_protected(
    cells: &[Cell],
    counts: &[u64],
    groups: &[usize],
    rounded: bool,
) -> Result<(), TestCaseError> {
    // Small counts never show; shown cells are exact (or rounded to 5).
    for (c, &n) in cells.iter().zip(counts) {
        match c {
            Cell::Shown(v) => {
                let expected = if rounded { round_to_5(n) } else { n };
                prop_assert_eq!(*v, expected);
                prop_assert!(n == 0 || n > 4);
            }
            Cell::Small => prop_assert!((1..=4).contains(&n)),
            Cell::Suppressed => {}
        }
    }
    let hidden = cells.iter().filter(|c| c.is_hidden()).count();
    prop_assert!(
        hidden != 1,
        "a lone hidden cell equals the total minus the rest"
    );
    let possible = possible_values(cells, counts, groups, rounded);
    for (i, values) in possible.iter().enumerate() {
        if cells[i].is_hidden() {
            prop_assert!(values.contains(&counts[i]), "true value must stay possible");
            prop_assert!(
                values.len() >= 2,
                "cell {} of {:?} → {:?} is exposed",
                i,
                counts,
                cells
            );
        }
    }
    Ok(())
}

#[test]
fn one_small_cell_takes_the_next_smallest_with_it() {
    let p = protect(&[3, 20, 7, 0, 40], &[]);
    assert_eq!(
        p.cells,
        vec![
            Cell::Small,
            Cell::Shown(20),
            Cell::Suppressed,
            Cell::Shown(0),
            Cell::Shown(40)
        ]
    );
    assert_eq!(p.grouping, None);
}

#[test]
fn a_pair_that_would_pin_each_other_down_is_avoided() {
    // Hiding 1 with 5 would leave 6 = 1 + 5 as the only split (a <5 is at least 1, the other at
    // least 5), so the rule hides the 9 instead.
    let p = protect(&[1, 5, 9], &[]);
    assert_eq!(p.cells, vec![Cell::Small, Cell::Shown(5), Cell::Suppressed]);
}

#[test]
fn min_n_has_a_floor_of_five() {
    assert_eq!(
        Rule::new(4),
        Err(DisclosureError::MinNTooSmall { given: 4 })
    );
    assert!(Rule::new(4).unwrap_err().to_string().contains("at least 5"));
    assert_eq!(Rule::new(5).unwrap().min_n(), 5);
    assert_eq!(Rule::default().min_n(), 10);
    assert_eq!(Rule::new(5).unwrap().comment_min(), 10);
    assert_eq!(Rule::new(20).unwrap().comment_min(), 20);
}

#[test]
fn comments_need_enough_responses_and_come_shuffled() {
    let rule = Rule::default();
    let comments: Vec<String> = (0..20).map(|i| format!("comment {i}")).collect();
    assert_eq!(
        select_comments(comments.clone(), 9, &rule, 1),
        Err(Reason::TooFewResponsesForComments { min: 10 })
    );
    let a = select_comments(comments.clone(), 10, &rule, 1).unwrap();
    let b = select_comments(comments.clone(), 10, &rule, 1).unwrap();
    let c = select_comments(comments.clone(), 10, &rule, 2).unwrap();
    assert_eq!(a, b, "a seed gives a reproducible order");
    assert_ne!(a, comments, "arrival order is not kept");
    assert_ne!(a, c);
    let mut sorted = a.clone();
    sorted.sort_by_key(|s| s[8..].parse::<u32>().unwrap());
    assert_eq!(sorted, comments, "nothing lost");
    let blank = select_comments(vec![" ".into(), "ok".into()], 10, &rule, 0).unwrap();
    assert_eq!(blank, vec!["ok".to_string()]);
}

fn summary_of(responses: &[crate::response::Response]) -> Summary {
    let s = fixture();
    let plan = ScoringPlan::new(&s).unwrap();
    let mut c = Collector::new(&plan, Granularity::Month);
    for r in responses {
        c.add(r, None).unwrap();
    }
    summarize(&s, &plan, &c.overall(), &Rule::default(), &|_| true)
}

#[test]
fn seven_responses_show_every_group_suppressed() {
    let s = fixture();
    let mut synth = crate::synth::Synth::new(&s, 5);
    let week = Period::Week {
        year: 2026,
        week: 47,
    };
    let rs: Vec<_> = (0..7).map(|_| synth.next_response(week)).collect();
    let sum = summary_of(&rs);
    assert!(matches!(
        sum.suppressed,
        Some(Reason::TooFewRespondents { min_n: 10 })
    ));
    let h = sum.headline.clone().unwrap();
    assert!(h.suppressed.is_some() && h.distribution.is_none() && h.pct_positive.is_none());
    for t in &sum.themes {
        assert!(t.suppressed.is_some(), "{}", t.id);
        assert_eq!(
            (t.mean, t.ci_low, t.pct_positive, t.alpha),
            (None, None, None, None)
        );
        assert!(t.distribution.is_none());
        for i in &t.items {
            assert!(i.suppressed.is_some() && i.mean.is_none() && i.distribution.is_none());
        }
    }
    let json = serde_json::to_string(&sum).unwrap();
    assert!(json.contains("too_few_respondents"), "{json}");
}

#[test]
fn a_theme_below_min_n_is_suppressed_while_others_show() {
    use Answer::{NotApplicable as Na, Value as V};
    let s = fixture();
    // 12 responses: theme b answered by 9 only.
    let mut rs: Vec<_> = (0..9)
        .map(|_| response(&s, vec![V(4), V(5), V(2), V(4)], V(1)))
        .collect();
    rs.extend((0..3).map(|_| response(&s, vec![V(4), V(4), V(1), Na], V(2))));
    let sum = summary_of(&rs);
    assert_eq!(sum.suppressed, None);
    let (a, b) = (&sum.themes[0], &sum.themes[1]);
    assert_eq!(a.n, Count::Exact(12));
    assert!(a.mean.is_some() && a.suppressed.is_none());
    assert_eq!(b.suppressed, Some(Reason::TooFewRespondents { min_n: 10 }));
    // Item b1: 9 "Agree", 3 NA → NA is <5 and must take another cell with it.
    let b1 = &b.items[0];
    assert!(b1.distribution.is_none() && b1.mean.is_none());
    // Headline: 9 Very good, 3 Good: the 3 is small; positives 12 → grouping still protects.
    let h = sum.headline.unwrap();
    let d = h.distribution.unwrap();
    assert_eq!(d[1], Cell::Small);
    assert_eq!(d.iter().filter(|c| c.is_hidden()).count(), 2);
    assert_eq!(
        a.alpha_withheld,
        Some(Reason::TooFewForConsistency { min: 30 })
    );
}

#[test]
fn a_few_skipped_headlines_hide_dont_know_with_them_not_the_percent_positive() {
    use Answer::{Skipped, Value as V};
    let s = fixture();
    let answers = vec![V(4), V(4), V(4), V(4)];
    // 30 Very good, 20 Good, 10 Neither, 8 Poor, 6 Very poor, 12 Don't know, 3 skipped.
    let mut rs = Vec::new();
    for (value, n) in [(1, 30), (2, 20), (3, 10), (4, 8), (5, 6), (6, 12)] {
        rs.extend((0..n).map(|_| response(&s, answers.clone(), V(value))));
    }
    rs.extend((0..3).map(|_| response(&s, answers.clone(), Skipped)));
    let h = summary_of(&rs).headline.unwrap();
    assert_eq!(h.detail_withheld, None, "% positive must not be withheld");
    // Very good + Good over every answer including "Don't know" (the FFT denominator).
    let pct = h.pct_positive.unwrap();
    assert!((pct - 50.0 / 86.0 * 100.0).abs() < 1e-9, "{pct}");
    assert_eq!(h.skipped, Some(Cell::Small));
    let d = h.distribution.unwrap();
    assert_eq!(
        d[5],
        Cell::Suppressed,
        "Don't know is hidden beside the small skip count"
    );
    // Shown counts are rounded to the nearest 5: 8 → 10, 6 → 5.
    assert_eq!(&d[..5], &[30, 20, 10, 10, 5].map(Cell::Shown));
}
