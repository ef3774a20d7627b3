//! The differencing attack (OLD-CODE HARNESS, run once to record what today's rules give away).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::disclosure::{Cell, Rule, Summary};
use crate::report::{self, ReportData, ReportOptions, Source};
use crate::response::{Period, Response};
use crate::scoring::{ItemOutcome, ScoringPlan};
use crate::stats::{Granularity, PeriodKey};
use crate::store::StoreError;
use crate::survey::{Catalog, Survey};

const MIN_N: u64 = 10;

struct Store {
    survey: Survey,
    rows: Vec<(String, Response)>,
}

fn random_store(seed: u64) -> Store {
    let survey = crate::survey::embedded().unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut synth = crate::synth::Synth::new(&survey, seed);
    let sites = ["A", "B", "C"];
    let n_sites = rng.gen_range(2..=3);
    let sizes = [0u64, 1, 2, 3, 5, 8, 9, 10, 11, 12, 15];
    let mut rows = Vec::new();
    for site in &sites[..n_sites] {
        for week in 37..=48u8 {
            let n = sizes[rng.gen_range(0..sizes.len())];
            for _ in 0..n {
                let mut r = synth.next_response(Period::Week { year: 2026, week });
                r.comment = rng
                    .gen_bool(0.5)
                    .then(|| format!("comment {} from {site} week {week}", rows.len()));
                rows.push((site.to_string(), r));
            }
        }
    }
    Store { survey, rows }
}

fn build(store: &Store, options: &ReportOptions) -> Option<ReportData> {
    let catalog = Catalog::builtin().unwrap();
    let part: Vec<Result<(Option<String>, Response), StoreError>> = store
        .rows
        .iter()
        .map(|(s, r)| Ok((Some(s.clone()), r.clone())))
        .collect();
    let source = Source {
        name: "agg".into(),
        synthetic: true,
    };
    report::build_from_sited(Path::new("x"), &source, vec![part.into_iter()], &catalog, options)
        .ok()
}

/// Every option set the CLI (and the summary screen) accepts over this store.
fn every_option(store: &Store) -> Vec<ReportOptions> {
    let mut out = Vec::new();
    let sites: Vec<Option<String>> = std::iter::once(None)
        .chain(
            ["A", "B", "C"]
                .iter()
                .filter(|s| store.rows.iter().any(|(x, _)| x == *s))
                .map(|s| Some(s.to_string())),
        )
        .collect();
    for g in [Granularity::Week, Granularity::Month, Granularity::Quarter] {
        let mut keys: Vec<PeriodKey> = store
            .rows
            .iter()
            .filter_map(|(_, r)| PeriodKey::of(r.period, g))
            .collect();
        keys.sort();
        keys.dedup();
        let bounds: Vec<(NaiveDate, NaiveDate)> = keys.iter().map(|k| days(*k)).collect();
        let mut dates: Vec<(Option<NaiveDate>, Option<NaiveDate>)> = vec![(None, None)];
        for i in 0..bounds.len() {
            for j in i..bounds.len() {
                dates.push((Some(bounds[i].0), Some(bounds[j].1)));
            }
        }
        for site in &sites {
            for by_site in [false, true] {
                let base = ReportOptions {
                    granularity: g,
                    by_site,
                    site: site.clone(),
                    rule: Rule::new(MIN_N).unwrap(),
                    ..ReportOptions::default()
                };
                for (from, to) in &dates {
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

fn days(k: PeriodKey) -> (NaiveDate, NaiveDate) {
    match k {
        PeriodKey::Week { year, week } => (
            NaiveDate::from_isoywd_opt(year, week.into(), chrono::Weekday::Mon).unwrap(),
            NaiveDate::from_isoywd_opt(year, week.into(), chrono::Weekday::Sun).unwrap(),
        ),
        PeriodKey::Month { year, month } => {
            let a = NaiveDate::from_ymd_opt(year, month.into(), 1).unwrap();
            (a, a.checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap())
        }
        PeriodKey::Quarter { year, quarter } => {
            let a = NaiveDate::from_ymd_opt(year, u32::from(quarter) * 3 - 2, 1).unwrap();
            (a, a.checked_add_months(chrono::Months::new(3)).unwrap().pred_opt().unwrap())
        }
    }
}

/// What a figure is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Measure {
    Responses,
    Comments,
    Headline,
    Theme(usize),
    Item(usize),
}

#[derive(Debug, Clone)]
enum Figure {
    /// A published count of the measure's respondents.
    Count(u64),
    /// mean × n, with n.
    Sum(f64, u64),
    Cells(Vec<Option<u64>>),
    Texts(Vec<String>),
}

struct Fact {
    label: String,
    measure: Measure,
    cover: Vec<bool>,
    figure: Figure,
}

/// Whether response `r` belongs to the measure's population.
fn in_population(plan: &ScoringPlan, r: &Response, m: Measure) -> bool {
    let s = plan.score(r).unwrap();
    match m {
        Measure::Responses | Measure::Comments => true,
        Measure::Headline => s.headline.is_some(),
        Measure::Theme(t) => matches!(s.themes.get(t), Some(Some(_))),
        Measure::Item(i) => matches!(s.items.get(i), Some(ItemOutcome::Scored { .. })),
    }
}

fn cells(c: &[Cell]) -> Vec<Option<u64>> {
    c.iter().map(|c| c.shown()).collect()
}

fn summary_facts(label: &str, cover: &[bool], s: &Summary, out: &mut Vec<Fact>) {
    let mut push = |measure, figure| {
        out.push(Fact {
            label: label.to_string(),
            measure,
            cover: cover.to_vec(),
            figure,
        })
    };
    // Old code: the group's size is always printed, in the reason if not as a figure.
    push(Measure::Responses, Figure::Count(s.responses));
    if let Some(h) = &s.headline {
        if h.suppressed.is_none() {
            push(Measure::Headline, Figure::Count(h.answered));
            if let Some(d) = &h.distribution {
                push(Measure::Headline, Figure::Cells(cells(d)));
            }
        }
    }
    for (t, th) in s.themes.iter().enumerate() {
        push(Measure::Theme(t), Figure::Count(th.n));
        if let Some(m) = th.mean {
            push(Measure::Theme(t), Figure::Sum(m * th.n as f64, th.n));
        }
        for it in &th.items {
            let _ = it;
        }
    }
}

/// Old code: what each group of an output covers, worked out from its options.
fn facts_old(store: &Store, o: &ReportOptions, d: &ReportData, out: &mut Vec<Fact>) {
    let key = |r: &Response| PeriodKey::of(r.period, o.granularity);
    let in_dates = |r: &Response| {
        let k = PeriodKey::Week {
            year: 2026,
            week: match r.period {
                Period::Week { week, .. } => week,
                _ => 0,
            },
        };
        let (a, b) = days(k);
        o.from.is_none_or(|f| b >= f) && o.to.is_none_or(|t| a <= t)
    };
    let site_ok = |s: &str| o.site.as_deref().is_none_or(|x| x == s);
    let cover = |f: &dyn Fn(&str, &Response) -> bool| -> Vec<bool> {
        store.rows.iter().map(|(s, r)| in_dates(r) && f(s, r)).collect()
    };
    let tag = format!(
        "--period {:?}{}{}{}{}{}",
        o.granularity,
        o.site.as_ref().map(|s| format!(" --site {s}")).unwrap_or_default(),
        o.period.map(|p| format!(" --only {p}")).unwrap_or_default(),
        o.from.map(|p| format!(" --from {p}")).unwrap_or_default(),
        o.to.map(|p| format!(" --to {p}")).unwrap_or_default(),
        if o.by_site { " --by site" } else { "" },
    );
    let overall = cover(&|s, r| site_ok(s) && o.period.is_none_or(|p| key(r) == Some(p)));
    summary_facts(&format!("{tag}: overall"), &overall, &d.overall, out);
    // Overall items (with distributions).
    for th in &d.overall.themes {
        for it in &th.items {
            let i = d.survey.items.iter().position(|x| x.id == it.id).unwrap();
            if it.suppressed.is_none() {
                out.push(Fact {
                    label: format!("{tag}: overall"),
                    measure: Measure::Item(i),
                    cover: overall.clone(),
                    figure: Figure::Count(it.n),
                });
                if let Some(m) = it.mean {
                    out.push(Fact {
                        label: format!("{tag}: overall"),
                        measure: Measure::Item(i),
                        cover: overall.clone(),
                        figure: Figure::Sum(m * it.n as f64, it.n),
                    });
                }
                if let Some(dist) = &it.distribution {
                    let mut c = cells(&dist.points);
                    c.push(dist.not_applicable.shown());
                    c.push(dist.skipped.shown());
                    out.push(Fact {
                        label: format!("{tag}: overall"),
                        measure: Measure::Responses,
                        cover: overall.clone(),
                        figure: Figure::Cells(c),
                    });
                }
            }
        }
    }
    for (p, s) in &d.trends {
        let c = cover(&|x, r| site_ok(x) && key(r) == Some(*p));
        summary_facts(&format!("{tag}: trend {p}"), &c, s, out);
    }
    for (name, s) in &d.by_site {
        let members: Vec<String> = match name.strip_prefix("Other sites, pooled (") {
            Some(rest) => rest.trim_end_matches(')').split(", ").map(String::from).collect(),
            None => vec![name.clone()],
        };
        let c = cover(&|x, r| {
            members.iter().any(|m| m == x) && o.period.is_none_or(|p| key(r) == Some(p))
        });
        summary_facts(&format!("{tag}: site {name}"), &c, s, out);
    }
    if let (Ok(texts), Some(p)) = (&d.comments, d.comments_period) {
        let c = cover(&|x, r| site_ok(x) && key(r) == Some(p));
        out.push(Fact {
            label: format!("{tag}: comments {p}"),
            measure: Measure::Comments,
            cover: c,
            figure: Figure::Texts(texts.clone()),
        });
    }
}

type Bits = Vec<u64>;

fn bits(v: &[bool]) -> Bits {
    let mut b = vec![0u64; v.len().div_ceil(64)];
    for (i, x) in v.iter().enumerate() {
        if *x {
            b[i / 64] |= 1 << (i % 64);
        }
    }
    b
}

fn subset(a: &Bits, b: &Bits) -> bool {
    a.iter().zip(b).all(|(x, y)| x & !y == 0)
}

fn diff_pop(a: &Bits, b: &Bits, pop: &Bits) -> u64 {
    a.iter()
        .zip(b)
        .zip(pop)
        .map(|((x, y), p)| u64::from((x & !y & p).count_ones()))
        .sum()
}

/// Venn regions of the covers of one measure's shown figures whose population is 1..min_n−1.
fn small_regions(store: &Store, plan: &ScoringPlan, m: Measure, covers: &[&Vec<bool>]) -> Vec<usize> {
    let mut regions: HashMap<Vec<bool>, (u64, u64)> = HashMap::new();
    for (k, (_, r)) in store.rows.iter().enumerate() {
        let sig: Vec<bool> = covers.iter().map(|c| c[k]).collect();
        if !sig.iter().any(|b| *b) {
            continue;
        }
        let e = regions.entry(sig).or_default();
        e.0 += 1;
        e.1 += u64::from(in_population(plan, r, m));
    }
    regions.values().filter(|(_, p)| (1..MIN_N).contains(p)).map(|(_, p)| *p as usize).collect()
}

#[test]
#[ignore = "run by hand: records what the rules before the grid gave away"]
fn old_rules_differencing() {
    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    for seed in 0..3 {
        let store = random_store(seed);
        let plan = ScoringPlan::new(&store.survey).unwrap();
        let mut facts = Vec::new();
        let opts = every_option(&store);
        for o in &opts {
            if let Some(d) = build(&store, o) {
                facts_old(&store, o, &d, &mut facts);
            }
        }
        // Pairwise subtraction of nested covers.
        let mut found: BTreeMap<&str, (usize, String)> = BTreeMap::new();
        let mut by_measure: BTreeMap<Measure, Vec<&Fact>> = BTreeMap::new();
        for f in &facts {
            by_measure.entry(f.measure).or_default().push(f);
        }
        for (m, fs) in &by_measure {
            // Distinct covers only.
            let mut seen: HashMap<(&Vec<bool>, u8), &Fact> = HashMap::new();
            for f in fs {
                let kind = match f.figure {
                    Figure::Count(_) => 0,
                    Figure::Sum(..) => 1,
                    Figure::Cells(_) => 2,
                    Figure::Texts(_) => 3,
                };
                seen.entry((&f.cover, kind)).or_insert(f);
            }
            let list: Vec<(&&Fact, Bits)> = seen.values().map(|f| (f, bits(&f.cover))).collect();
            let popmask = bits(
                &store
                    .rows
                    .iter()
                    .map(|(_, r)| in_population(&plan, r, *m))
                    .collect::<Vec<_>>(),
            );
            for (a, ab) in &list {
                for (b, bb) in &list {
                    if !subset(bb, ab) || ab == bb {
                        continue;
                    }
                    let pop = diff_pop(ab, bb, &popmask);
                    if pop == 0 || pop >= MIN_N {
                        continue;
                    }
                    let kind = match (&a.figure, &b.figure) {
                        (Figure::Texts(x), Figure::Texts(y)) => {
                            let mut left = x.clone();
                            for t in y {
                                if let Some(i) = left.iter().position(|s| s == t) {
                                    left.remove(i);
                                }
                            }
                            if left.is_empty() {
                                continue;
                            }
                            "comments"
                        }
                        (Figure::Sum(..), Figure::Sum(..)) => "means × n",
                        (Figure::Cells(_), Figure::Cells(_)) => match m {
                            Measure::Headline => "headline cells",
                            _ => "answer distributions",
                        },
                        (Figure::Count(_), Figure::Count(_)) => "respondent counts",
                        _ => continue,
                    };
                    found.entry(kind).or_insert_with(|| {
                        (pop as usize, format!("[{}] minus [{}] → {pop} respondent(s) ({m:?})", a.label, b.label))
                    });
                }
            }
        }
        let mut venn = 0;
        for (m, fs) in &by_measure {
            let mut covers: Vec<&Vec<bool>> = fs.iter().map(|f| &f.cover).collect();
            covers.sort();
            covers.dedup();
            venn += small_regions(&store, &plan, *m, &covers).len();
        }
        println!(
            "seed {seed}: {} responses, {} outputs, {} facts, {venn} Venn regions of 1–9",
            store.rows.len(),
            opts.len(),
            facts.len()
        );
        for (k, (_, ex)) in &found {
            *totals.entry(k).or_default() += 1;
            println!("  {k}: e.g. {ex}");
        }
    }
    println!("stores with a leak, by kind: {totals:?}");
}
