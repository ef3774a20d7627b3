//! The attack's inputs: random stores, every option set, and every published figure of a report
//! with the responses it covers.

use std::collections::HashMap;
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

pub(crate) fn bits(v: impl Iterator<Item = bool>) -> Vec<u64> {
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

pub(crate) fn members(b: &[u64], n: usize) -> impl Iterator<Item = usize> + '_ {
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
