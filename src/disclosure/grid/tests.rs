//! The grid's blocks: big enough, aligned with months where they can be, nested across minimums.

use proptest::prelude::*;

use super::*;
use crate::response::Period;

fn week(w: u8) -> Period {
    Period::Week {
        year: 2026,
        week: w,
    }
}

/// A grid over weeks `first..` with `counts[site][k]` responses in week `first + k`.
fn grid(first: u8, counts: &[Vec<u64>], min_n: u64) -> Grid {
    let weeks = counts.iter().map(Vec::len).max().unwrap_or(0);
    let axis = Axis::new((0..weeks).map(|k| week(first + k as u8)));
    let sites: Vec<String> = (0..counts.len()).map(|s| format!("S{s}")).collect();
    let mut pops = Populations::new(0, 0, sites.len(), axis.len());
    for (s, row) in counts.iter().enumerate() {
        for (k, n) in row.iter().enumerate() {
            let a = axis.index(week(first + k as u8)).unwrap();
            pops.add(Measure::Responses, s, a, *n);
        }
    }
    Grid::build(axis, sites, pops, min_n, min_n.max(10))
}

/// Each block as (sites, first week, last week, responses).
fn blocks(g: &Grid) -> Vec<(Vec<usize>, u8, u8, u64)> {
    g.blocks()
        .iter()
        .cloned()
        .map(|(sites, r)| {
            let mask: Vec<bool> = (0..g.axis().len()).map(|i| r.contains(&i)).collect();
            let n = g.count(Measure::Responses, &sites, &mask);
            let w = |i: usize| match g.axis().period(i) {
                Some(Period::Week { week, .. }) => week,
                _ => 0,
            };
            (sites, w(r.start), w(r.end - 1), n)
        })
        .filter(|b| b.3 > 0)
        .collect()
}

#[test]
fn a_small_week_joins_the_smaller_neighbour_in_its_own_month() {
    // 2026-W45..W48 are November's weeks (Thursdays 5–26 Nov); W44 is October's.
    let g = grid(44, &[vec![30, 12, 1, 11, 13]], 10);
    assert_eq!(
        blocks(&g),
        vec![
            (vec![0], 44, 44, 30),
            (vec![0], 45, 45, 12),
            (vec![0], 46, 47, 12),
            (vec![0], 48, 48, 13),
        ]
    );
}

#[test]
fn a_small_first_week_of_a_month_stays_in_its_month() {
    // W45 (November) is small: its neighbours are W44 (October, 9) and W46 (November, 40). The
    // month boundary is the stronger one, so it joins W46 although W44 is smaller.
    let g = grid(44, &[vec![15, 2, 40]], 10);
    assert_eq!(
        blocks(&g),
        vec![(vec![0], 44, 44, 15), (vec![0], 45, 46, 42)]
    );
}

#[test]
fn a_small_site_is_pooled_with_the_smallest_other_and_every_block_is_big_enough() {
    let g = grid(45, &[vec![20, 20], vec![3, 0], vec![15, 15]], 10);
    assert_eq!(g.site_groups(), vec![vec![0], vec![1, 2]]);
    for b in blocks(&g) {
        assert!(b.3 >= 10, "{b:?}");
    }
}

#[test]
fn rows_pool_periods_that_a_block_spans_and_say_so() {
    let g = grid(44, &[vec![30, 12, 1, 11, 13]], 10);
    let all = vec![true; g.axis().len()];
    let rows = g.rows(&[0], Granularity::Week, &all);
    let spans: Vec<String> = rows.iter().map(|r| r.span.unwrap().to_string()).collect();
    assert_eq!(
        spans,
        ["2026-W44", "2026-W45", "2026-W46 to 2026-W47", "2026-W48"]
    );
    let months = g.rows(&[0], Granularity::Month, &all);
    let spans: Vec<String> = months.iter().map(|r| r.span.unwrap().to_string()).collect();
    assert_eq!(spans, ["2026-10", "2026-11"]);
    // Asking for W46 alone gives its whole row.
    let only: Vec<bool> = (0..g.axis().len())
        .map(|i| g.axis().period(i) == Some(week(46)))
        .collect();
    let closed = g.close(&[0], Granularity::Week, &only);
    assert_eq!(closed, rows[2].atoms);
}

#[test]
fn a_store_below_the_minimum_is_one_block_and_shows_nothing() {
    let g = grid(45, &[vec![3, 2], vec![1, 0]], 10);
    let all = vec![true; g.axis().len()];
    assert_eq!(g.site_groups(), vec![vec![0, 1]]);
    assert!(!g.shows(Measure::Responses, &[0, 1], &all));
}

fn counts() -> impl Strategy<Value = Vec<Vec<u64>>> {
    (1..4usize, 2..14usize).prop_flat_map(|(sites, weeks)| {
        prop::collection::vec(
            prop::collection::vec(prop_oneof![Just(0u64), 0..6u64, 0..16u64], weeks),
            sites,
        )
    })
}

/// Whether every block of `fine` lies inside one block of `coarse`.
fn refines(fine: &Grid, coarse: &Grid) -> bool {
    let cb = coarse.blocks();
    fine.blocks().iter().all(|(sites, r)| {
        let cells: Vec<(usize, usize)> = sites
            .iter()
            .flat_map(|&s| r.clone().map(move |a| (s, a)))
            .filter(|&(s, a)| {
                let mut m = vec![false; fine.axis().len()];
                m[a] = true;
                fine.count(Measure::Responses, &[s], &m) > 0
            })
            .collect();
        cb.iter()
            .any(|(cs, cr)| cells.iter().all(|(s, a)| cs.contains(s) && cr.contains(a)))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_block_holds_the_minimum_unless_the_store_is_smaller(c in counts(), min_n in 5u64..13) {
        let g = grid(40, &c, min_n);
        let total: u64 = c.iter().flatten().sum();
        for b in blocks(&g) {
            prop_assert!(b.3 >= min_n || b.3 == total, "{b:?} of {c:?}");
        }
    }

    #[test]
    fn a_larger_minimum_only_merges_blocks(c in counts(), a in 5u64..10, d in 0u64..8) {
        let small = grid(40, &c, a);
        let large = grid(40, &c, a + d);
        prop_assert!(refines(&small, &large), "{c:?} {a} {}", a + d);
    }

    #[test]
    fn rows_are_whole_blocks_and_whole_periods(c in counts()) {
        let g = grid(40, &c, 10);
        let sites: Vec<usize> = (0..c.len()).collect();
        let all = vec![true; g.axis().len()];
        for gran in [Granularity::Week, Granularity::Month, Granularity::Quarter] {
            let rows = g.rows(&sites, gran, &all);
            let mut seen = vec![false; g.axis().len()];
            for r in &rows {
                prop_assert!(is_union(&g.blocks[0], g.populations.of(Measure::Responses), &vec![true; c.len()], &r.atoms));
                prop_assert_eq!(&g.close(&sites, gran, &r.atoms), &r.atoms);
                for (i, a) in r.atoms.iter().enumerate() {
                    prop_assert!(!(*a && seen[i]));
                    seen[i] |= a;
                }
            }
            prop_assert!(seen.iter().all(|s| *s));
        }
    }
}
