//! The differencing attack (docs/privacy.md, "The grid"): random stores with several sites and
//! periods and groups around the minimum; every output the CLI accepts (`--period`, `--only`,
//! `--from`/`--to`, `--site`, `--by site`) and every filter of the summary screen, made by the
//! same library functions they use; then every subtraction of outputs. Nothing may come out about
//! fewer than the minimum number of respondents.
//!
//! Each published figure is checked against what it says it covers ([`Coverage`], recomputed from
//! the raw responses), so the attack works on true sets of respondents. Then, per measure:
//!
//! - the Venn regions of every covered set whose figures are published (any integer combination
//!   of outputs, however many, is constant on them) must hold no respondents or at least the
//!   minimum;
//! - explicitly, every published figure minus every published figure it contains, and comment
//!   lists and sizes minus two disjoint ones, are computed from the published numbers, and the
//!   difference must be about no respondents or at least the minimum.
//!
//! The figures are taken from the [`crate::report::ReportData`] every output renders: the questions
//! theme by theme (the reports' question sections and the screen's theme pages) show the overall
//! row's item figures and answer counts, which are the `item i` facts below, and
//! `report::render_tests::every_format_gives_each_question_its_answers_as_released` checks that
//! each format prints, for each question, exactly the released cells.
//!
//! Run against the rules before the grid (commit 0e1ab83), the same attack recovered comments,
//! distributions, headline cells, means × n and respondent counts of groups of 1 to 9 in each of
//! three stores out of three.

use std::collections::{BTreeMap, HashMap};

use crate::disclosure::Cell;
use crate::report::ReportOptions;
use crate::scoring::{ItemOutcome, ScoringPlan};
use crate::survey::Catalog;

mod outputs;

use outputs::{
    Fact, Figure, Measure, Store, every_option, facts, members, populations, random_store, tally,
};

fn and_count(a: &[u64], b: &[u64]) -> u64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| u64::from((x & y).count_ones()))
        .sum()
}

/// What the published figure should be if its coverage is true; panics with the fact otherwise.
fn check_truthful(store: &Store, pops: &HashMap<Measure, Vec<u64>>, f: &Fact) {
    let n = store.rows.len();
    let pop = &pops[&f.measure];
    match &f.figure {
        Figure::Count(c) => assert_eq!(
            *c,
            and_count(&f.cover, pop),
            "{}: {:?} count differs from its coverage",
            f.label,
            f.measure
        ),
        Figure::Texts(t) => {
            let mut published = t.clone();
            published.sort();
            let mut truth: Vec<String> = members(&f.cover, n)
                .filter_map(|k| store.rows[k].1.comment.clone())
                .collect();
            truth.sort();
            assert_eq!(
                published, truth,
                "{}: comments differ from coverage",
                f.label
            );
        }
        Figure::Sum(_, c) => assert_eq!(*c, and_count(&f.cover, pop), "{}", f.label),
        Figure::Cells(..) => {}
    }
}

/// Every Venn region of the covers a measure's figures are published for holds no respondents of
/// the measure or at least `min_n`.
fn check_regions(store: &Store, pops: &HashMap<Measure, Vec<u64>>, facts: &[Fact], min_n: u64) {
    let n = store.rows.len();
    let mut by_measure: BTreeMap<Measure, Vec<&Vec<u64>>> = BTreeMap::new();
    for f in facts {
        by_measure
            .entry(f.measure)
            .or_default()
            .push(f.cover.as_ref());
    }
    for (m, mut covers) in by_measure {
        covers.sort();
        covers.dedup();
        let pop = &pops[&m];
        // Refine one region into two by each cover in turn: a region is then the set of
        // responses inside exactly the same covers.
        let mut region: Vec<usize> = vec![0; n];
        let mut touched = vec![false; n];
        let mut regions = 1;
        for c in &covers {
            let mut split: Vec<Option<usize>> = vec![None; 2 * regions];
            let mut next = 0;
            for k in 0..n {
                let inside = c[k / 64] & (1 << (k % 64)) != 0;
                touched[k] |= inside;
                let slot = &mut split[2 * region[k] + usize::from(inside)];
                region[k] = *slot.get_or_insert_with(|| {
                    next += 1;
                    next - 1
                });
            }
            regions = next;
        }
        let mut sizes: HashMap<usize, Vec<usize>> = HashMap::new();
        for k in (0..n).filter(|&k| touched[k] && pop[k / 64] & (1 << (k % 64)) != 0) {
            sizes.entry(region[k]).or_default().push(k);
        }
        for ks in sizes.values() {
            let p = ks.len() as u64;
            assert!(
                p >= min_n,
                "{m:?}: a combination of published figures isolates {p} respondent(s) ({:?})",
                ks.iter()
                    .map(|&k| format!("{} {}", store.rows[k].0, store.rows[k].1.period))
                    .collect::<Vec<_>>()
            );
        }
    }
}

fn subset(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x & !y == 0)
}

fn minus(a: &[u64], b: &[u64]) -> Vec<u64> {
    a.iter().zip(b).map(|(x, y)| x & !y).collect()
}

fn texts_minus(a: &[String], b: &[String]) -> Vec<String> {
    let mut left = a.to_vec();
    for t in b {
        if let Some(i) = left.iter().position(|s| s == t) {
            left.swap_remove(i);
        }
    }
    left
}

/// Subtract published figures from published figures that contain them (and, for comments and
/// group sizes, two disjoint ones at once): every difference is about no respondents or at least
/// `min_n` of them. Returns the number of subtractions tried.
fn check_subtractions(pops: &HashMap<Measure, Vec<u64>>, facts: &[Fact], min_n: u64) -> usize {
    let mut tried = 0;
    let mut by_kind: BTreeMap<(Measure, u8), Vec<&Fact>> = BTreeMap::new();
    for f in facts {
        let kind = match f.figure {
            Figure::Count(_) => 0,
            Figure::Sum(..) => 1,
            Figure::Cells(..) => 2,
            Figure::Texts(_) => 3,
        };
        by_kind.entry((f.measure, kind)).or_default().push(f);
    }
    for ((m, kind), list) in by_kind {
        let mut seen: HashMap<&Vec<u64>, &Fact> = HashMap::new();
        for f in list {
            seen.entry(f.cover.as_ref()).or_insert(f);
        }
        let list: Vec<&Fact> = seen.into_values().collect();
        let pop = &pops[&m];
        for a in &list {
            let inside: Vec<&&Fact> = list
                .iter()
                .filter(|b| b.cover != a.cover && subset(&b.cover, &a.cover))
                .collect();
            for b in &inside {
                tried += 1;
                let d = minus(&a.cover, &b.cover);
                let p = and_count(&d, pop);
                let what = match (&a.figure, &b.figure) {
                    (Figure::Texts(x), Figure::Texts(y)) => {
                        format!("the comments {:?}", texts_minus(x, y))
                    }
                    (Figure::Count(x), Figure::Count(y)) => format!("a count of {}", x - y),
                    (Figure::Sum(x, _), Figure::Sum(y, _)) => format!("a sum of {:.1}", x - y),
                    _ => "an answer distribution".into(),
                };
                assert!(
                    p == 0 || p >= min_n,
                    "{} minus {} gives {what} of {p} respondent(s) ({m:?})",
                    a.label,
                    b.label
                );
            }
            if matches!(m, Measure::Responses | Measure::Comments) && (kind == 0 || kind == 3) {
                for (i, b) in inside.iter().enumerate() {
                    for c in &inside[i + 1..] {
                        if and_count(&b.cover, &c.cover) > 0 {
                            continue;
                        }
                        tried += 1;
                        let d = minus(&minus(&a.cover, &b.cover), &c.cover);
                        let p = and_count(&d, pop);
                        assert!(
                            p == 0 || p >= min_n,
                            "{} minus {} minus {} isolates {p} respondent(s) ({m:?})",
                            a.label,
                            b.label,
                            c.label
                        );
                    }
                }
            }
        }
    }
    tried
}

/// Build every output for `options` and run every check; returns (outputs, figures, subtractions).
pub(crate) fn attack(
    store: &Store,
    options: &[ReportOptions],
    min_n: u64,
) -> (usize, usize, usize) {
    let catalog = Catalog::builtin().unwrap();
    let tallied = tally(store, &catalog);
    let pops = populations(store);
    let mut all = Vec::new();
    let mut outputs = 0;
    for o in options {
        if let Ok(d) = tallied.report(o) {
            outputs += 1;
            facts(store, o, &d, &mut all);
        }
    }
    for f in &all {
        check_truthful(store, &pops, f);
    }
    // The same figure of the same group in many outputs adds nothing to the attack.
    let mut seen = std::collections::HashSet::new();
    all.retain(|f| {
        seen.insert((
            f.measure,
            std::mem::discriminant(&f.figure),
            f.cover.clone(),
        ))
    });
    check_regions(store, &pops, &all, min_n);
    let tried = check_subtractions(&pops, &all, min_n);
    (outputs, all.len(), tried)
}

#[test]
fn no_combination_of_outputs_isolates_fewer_than_min_n() {
    for seed in 0..3 {
        let store = random_store(seed);
        let options = every_option(&store, 10, true);
        let (outputs, figures, tried) = attack(&store, &options, 10);
        println!(
            "store {seed}: {} responses, {outputs} outputs, {figures} figures, {tried} subtractions",
            store.rows.len()
        );
        assert!(
            outputs > 300,
            "the attack must see many outputs, saw {outputs}"
        );
    }
}

#[test]
fn outputs_at_min_n_5_and_10_together_isolate_no_fewer_than_5() {
    let store = random_store(7);
    let mut options = every_option(&store, 5, false);
    options.extend(every_option(&store, 10, false));
    attack(&store, &options, 5);
}

/// What a published cell says the count may be: exact 0, 1–4 for `<5`, the rounding interval
/// for a rounded count (5 means 5–7: 3 and 4 would be `<5`), anything for a hidden cell.
fn interval(c: Cell) -> (i64, i64) {
    match c {
        Cell::Shown(0) => (0, 0),
        Cell::Shown(5) => (5, 7),
        Cell::Shown(n) => (n as i64 - 2, n as i64 + 2),
        Cell::Small => (1, 4),
        Cell::Suppressed => (0, i64::MAX / 4),
    }
}

/// Each item's exact answer counts (points, then "does not apply", then skipped) per response.
fn item_cells(store: &Store) -> Vec<Vec<usize>> {
    let plan = ScoringPlan::new(&store.survey).unwrap();
    store
        .rows
        .iter()
        .map(|(_, r)| {
            let s = plan.score(r).unwrap();
            s.items
                .iter()
                .enumerate()
                .map(|(i, o)| match *o {
                    ItemOutcome::Scored { point, .. } | ItemOutcome::DontKnow { point } => point,
                    ItemOutcome::NotApplicable => plan.item_points(i),
                    ItemOutcome::Skipped => plan.item_points(i) + 1,
                })
                .collect()
        })
        .collect()
}

#[test]
fn rounded_answer_counts_cannot_be_subtracted_to_a_small_count() {
    // Pairs of published item distributions, one covering the other: the difference of each cell
    // is a count about the respondents between them. With exact counts (the cells as they would
    // be without rounding) a difference of 1–4 is pinned exactly; with the published, rounded
    // cells it never is.
    let (mut exact_pins, mut rounded_pins, mut pairs) = (0, 0, 0);
    for seed in 0..2 {
        let store = random_store(seed);
        let catalog = Catalog::builtin().unwrap();
        let tallied = tally(&store, &catalog);
        let raw = item_cells(&store);
        let mut all = Vec::new();
        for o in every_option(&store, 10, false) {
            if let Ok(d) = tallied.report(&o) {
                facts(&store, &o, &d, &mut all);
            }
        }
        let mut dists: HashMap<(String, Vec<u64>), Vec<Cell>> = HashMap::new();
        for f in &all {
            if let Figure::Cells(which, cells) = &f.figure
                && which.starts_with("item")
            {
                dists.insert((which.clone(), f.cover.to_vec()), cells.clone());
            }
        }
        let n = store.rows.len();
        for ((which, a), ca) in &dists {
            let i: usize = which[5..].parse().unwrap();
            for ((w2, b), cb) in &dists {
                if w2 != which || a == b || !subset(b, a) {
                    continue;
                }
                pairs += 1;
                let d = minus(a, b);
                for p in 0..ca.len() {
                    let truth = members(&d, n).filter(|&k| raw[k][i] == p).count() as i64;
                    let (a_lo, a_hi) = interval(ca[p]);
                    let (b_lo, b_hi) = interval(cb[p]);
                    let (lo, hi) = ((a_lo - b_hi).max(0), a_hi - b_lo);
                    if (1..=4).contains(&truth) && lo == hi {
                        rounded_pins += 1;
                    }
                    let both_shown = ca[p].shown().is_some() && cb[p].shown().is_some();
                    if (1..=4).contains(&truth) && both_shown {
                        exact_pins += 1;
                    }
                }
            }
        }
    }
    println!(
        "{pairs} nested pairs of item distributions: {exact_pins} small counts (1–4) exact subtraction would pin, {rounded_pins} with counts rounded to 5"
    );
    assert!(pairs > 100);
    assert!(
        exact_pins > 0,
        "the stores should hold small differences to protect"
    );
    assert_eq!(rounded_pins, 0);
}
