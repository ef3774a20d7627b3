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
//! Run against the rules before the grid (commit 0e1ab83), the same attack recovered comments,
//! distributions, headline cells, means × n and respondent counts of groups of 1 to 9 in each of
//! three stores out of three.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::rc::Rc;

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::disclosure::grid::key_days;
use crate::disclosure::{Cell, Count, Rule, Summary};
use crate::manager::Filter;
use crate::report::{self, Coverage, ReportData, ReportOptions, Source, Tallied};
use crate::response::{Period, Response};
use crate::scoring::{ItemOutcome, ScoringPlan};
use crate::stats::{Granularity, PeriodKey};
use crate::store::StoreError;
use crate::survey::{Catalog, Survey};

/// A store: (site, response) rows.
pub(crate) struct Store {
    pub(crate) survey: Survey,
    pub(crate) rows: Vec<(String, Response)>,
}

/// 2–3 sites over 2026-W37..W48 (September to November: two quarters, three months), each
/// site-week holding 0–15 responses, many just below or above 10; one site in two records months
/// instead of weeks. Half the responses carry a comment that names it uniquely.
pub(crate) fn random_store(seed: u64) -> Store {
    let survey = crate::survey::embedded().unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut synth = crate::synth::Synth::new(&survey, seed);
    let sizes = [0u64, 1, 2, 3, 5, 8, 9, 10, 11, 12, 15];
    let n_sites = rng.gen_range(2..=3);
    let by_month = rng.gen_bool(0.5);
    let mut rows = Vec::new();
    for site in &["A", "B", "C"][..n_sites] {
        let monthly = by_month && *site == "B";
        for week in 37..=48u8 {
            let n = sizes[rng.gen_range(0..sizes.len())];
            let period = if monthly {
                // The month of the week's Thursday, so months get about four weeks' worth.
                PeriodKey::of(Period::Week { year: 2026, week }, Granularity::Month)
                    .map(|k| match k {
                        PeriodKey::Month { year, month } => Period::Month { year, month },
                        _ => unreachable!(),
                    })
                    .unwrap()
            } else {
                Period::Week { year: 2026, week }
            };
            for _ in 0..n {
                let mut r = synth.next_response(period);
                r.comment = rng
                    .gen_bool(0.5)
                    .then(|| format!("comment {} from {site} in {period}", rows.len()));
                rows.push((site.to_string(), r));
            }
        }
    }
    Store { survey, rows }
}

pub(crate) fn tally<'c>(store: &Store, catalog: &'c Catalog) -> Tallied<'c> {
    let part: Vec<Result<(Option<String>, Response), StoreError>> = store
        .rows
        .iter()
        .map(|(s, r)| Ok((Some(s.clone()), r.clone())))
        .collect();
    let source = Source {
        name: "commissioner".into(),
        synthetic: true,
    };
    report::tally(Path::new("x"), &source, vec![part.into_iter()], catalog).unwrap()
}

/// Every option set the CLI accepts over this store (dates on period boundaries: any other date
/// widens to one of these), and every filter of the summary screen.
pub(crate) fn every_option(store: &Store, min_n: u64, dates: bool) -> Vec<ReportOptions> {
    let rule = Rule::new(min_n).unwrap();
    let mut sites: Vec<Option<String>> = vec![None];
    for s in ["A", "B", "C"] {
        if store.rows.iter().any(|(x, _)| x == s) {
            sites.push(Some(s.to_string()));
        }
    }
    let mut out = Vec::new();
    for g in [Granularity::Week, Granularity::Month, Granularity::Quarter] {
        let mut keys: Vec<PeriodKey> = store
            .rows
            .iter()
            .filter_map(|(_, r)| PeriodKey::of(r.period, g))
            .collect();
        keys.sort();
        keys.dedup();
        let bounds: Vec<(NaiveDate, NaiveDate)> =
            keys.iter().filter_map(|k| key_days(*k)).collect();
        let mut ranges: Vec<(Option<NaiveDate>, Option<NaiveDate>)> = vec![(None, None)];
        if dates {
            for i in 0..bounds.len() {
                for j in i..bounds.len() {
                    ranges.push((Some(bounds[i].0), Some(bounds[j].1)));
                }
            }
        }
        for site in &sites {
            // The summary screen's filters.
            for period in std::iter::once(None).chain(keys.iter().copied().map(Some)) {
                let f = Filter {
                    granularity: g,
                    period,
                    site: site.clone(),
                };
                let base = ReportOptions {
                    rule,
                    ..ReportOptions::default()
                };
                out.push(f.options(&base));
            }
            for by_site in [false, true] {
                let base = ReportOptions {
                    granularity: g,
                    by_site,
                    site: site.clone(),
                    rule,
                    ..ReportOptions::default()
                };
                for (from, to) in &ranges {
                    out.push(ReportOptions {
                        from: *from,
                        to: *to,
                        ..base.clone()
                    });
                }
                for k in &keys {
                    out.push(ReportOptions {
                        period: Some(*k),
                        ..base.clone()
                    });
                }
            }
        }
    }
    out
}

/// Whose numbers a published figure is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Measure {
    Responses,
    Comments,
    Headline,
    Theme(usize),
    Item(usize),
}

/// A published figure, as a reader can combine it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Figure {
    /// A number of people.
    Count(u64),
    /// A mean times its n, and n.
    Sum(f64, u64),
    /// A distribution: which one, then each cell.
    Cells(String, Vec<Cell>),
    Texts(Vec<String>),
}

pub(crate) struct Fact {
    pub(crate) label: Rc<str>,
    pub(crate) measure: Measure,
    pub(crate) cover: Rc<Vec<u64>>,
    pub(crate) figure: Figure,
}

fn bits(v: impl Iterator<Item = bool>) -> Vec<u64> {
    let mut b = Vec::new();
    for (i, x) in v.enumerate() {
        if i % 64 == 0 {
            b.push(0);
        }
        if x {
            b[i / 64] |= 1 << (i % 64);
        }
    }
    b
}

fn members(b: &[u64], n: usize) -> impl Iterator<Item = usize> + '_ {
    (0..n).filter(move |&k| b[k / 64] & (1 << (k % 64)) != 0)
}

fn cover(store: &Store, c: &Coverage) -> Vec<u64> {
    bits(
        store
            .rows
            .iter()
            .map(|(s, r)| c.sites.contains(s) && c.periods.contains(&r.period)),
    )
}

fn summary_facts(
    survey: &Survey,
    label: String,
    cover: Vec<u64>,
    s: &Summary,
    out: &mut Vec<Fact>,
) {
    let (label, cover): (Rc<str>, _) = (label.into(), Rc::new(cover));
    let mut push = |measure, figure| {
        out.push(Fact {
            label: label.clone(),
            measure,
            cover: cover.clone(),
            figure,
        });
    };
    if let Count::Exact(n) = s.responses {
        push(Measure::Responses, Figure::Count(n));
    }
    if let Some(h) = &s.headline {
        if let Count::Exact(n) = h.answered {
            push(Measure::Headline, Figure::Count(n));
        }
        if let Some(p) = h.pct_positive {
            let n = h.answered.exact().unwrap_or(0);
            push(Measure::Headline, Figure::Sum(p * n as f64, n));
        }
        if let Some(d) = &h.distribution {
            let mut cells = d.clone();
            cells.extend(h.skipped);
            push(Measure::Responses, Figure::Cells("headline".into(), cells));
        }
    }
    for (t, th) in s.themes.iter().enumerate() {
        if let Count::Exact(n) = th.n {
            push(Measure::Theme(t), Figure::Count(n));
            if let Some(m) = th.mean {
                push(Measure::Theme(t), Figure::Sum(m * n as f64, n));
            }
        }
        if let Some(d) = &th.distribution {
            let mut cells = d.points.clone();
            cells.extend([d.not_applicable, d.skipped]);
            push(
                Measure::Responses,
                Figure::Cells(format!("theme {t}"), cells),
            );
        }
        for it in &th.items {
            let i = survey.items.iter().position(|x| x.id == it.id).unwrap();
            if let Count::Exact(n) = it.n {
                push(Measure::Item(i), Figure::Count(n));
                if let Some(m) = it.mean {
                    push(Measure::Item(i), Figure::Sum(m * n as f64, n));
                }
            }
            if let Some(d) = &it.distribution {
                let mut cells = d.points.clone();
                cells.extend([d.not_applicable, d.skipped]);
                push(
                    Measure::Responses,
                    Figure::Cells(format!("item {i}"), cells),
                );
            }
        }
    }
}

/// Every figure of a report, with the set of responses it covers.
pub(crate) fn facts(store: &Store, o: &ReportOptions, d: &ReportData, out: &mut Vec<Fact>) {
    let tag = format!(
        "[--period {:?}{}{}{}{}{}]",
        o.granularity,
        o.site
            .as_ref()
            .map(|s| format!(" --site {s}"))
            .unwrap_or_default(),
        o.period.map(|p| format!(" --only {p}")).unwrap_or_default(),
        o.from.map(|p| format!(" --from {p}")).unwrap_or_default(),
        o.to.map(|p| format!(" --to {p}")).unwrap_or_default(),
        if o.by_site { " --by site" } else { "" },
    );
    let s = &d.survey;
    summary_facts(
        s,
        format!("{tag} overall"),
        cover(store, &d.covers),
        &d.overall,
        out,
    );
    for r in &d.trends {
        let label = format!("{tag} trend {}", r.span);
        summary_facts(s, label, cover(store, &r.covers), &r.summary, out);
    }
    for r in &d.by_site {
        let label = format!("{tag} site {}", r.name);
        summary_facts(s, label, cover(store, &r.covers), &r.summary, out);
    }
    if let (Ok(texts), Some(c)) = (&d.comments, &d.comments_covers) {
        out.push(Fact {
            label: format!("{tag} comments").into(),
            measure: Measure::Comments,
            cover: Rc::new(cover(store, c)),
            figure: Figure::Texts(texts.clone()),
        });
    }
}

/// Each response's membership of each measure's population.
pub(crate) fn populations(store: &Store) -> HashMap<Measure, Vec<u64>> {
    let plan = ScoringPlan::new(&store.survey).unwrap();
    let scores: Vec<_> = store
        .rows
        .iter()
        .map(|(_, r)| plan.score(r).unwrap())
        .collect();
    let mut out = HashMap::new();
    out.insert(Measure::Responses, bits(scores.iter().map(|_| true)));
    out.insert(Measure::Comments, bits(scores.iter().map(|_| true)));
    out.insert(
        Measure::Headline,
        bits(scores.iter().map(|s| s.headline.is_some())),
    );
    for t in 0..plan.theme_count() {
        let b = bits(
            scores
                .iter()
                .map(|s| matches!(s.themes.get(t), Some(Some(_)))),
        );
        out.insert(Measure::Theme(t), b);
    }
    for i in 0..plan.item_count() {
        let b = bits(
            scores
                .iter()
                .map(|s| matches!(s.items.get(i), Some(ItemOutcome::Scored { .. }))),
        );
        out.insert(Measure::Item(i), b);
    }
    out
}

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
            if let Figure::Cells(which, cells) = &f.figure {
                if which.starts_with("item") {
                    dists.insert((which.clone(), f.cover.to_vec()), cells.clone());
                }
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
