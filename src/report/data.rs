//! Building a report's data: one streaming pass over the store on several threads, then
//! disclosure control over the merged totals.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{NaiveDate, Weekday};

use super::{OtherSurvey, ReportData, ReportError, ReportOptions};
use crate::disclosure::{self, Summary};
use crate::fsio::RealFs;
use crate::priority;
use crate::response::{Period, Response};
use crate::scoring::{ScoringError, ScoringPlan};
use crate::stats::{Accumulator, Collector, PeriodKey};
use crate::store::{self, StoreError, StoreMeta};
use crate::survey::{Catalog, SurveyHash};

/// The site a response belongs to. A kiosk store holds one site: the name in its `store.meta`
/// (or "(unnamed site)" when none was given at `init`). Stores that carry a site per response
/// extend this function.
pub fn site_of<'a>(meta: &'a StoreMeta, _response: &Response) -> &'a str {
    if meta.site.trim().is_empty() {
        "(unnamed site)"
    } else {
        &meta.site
    }
}

/// Build a report from the store in `data_dir`, reading with `identity`. The records files are
/// split between the machine's cores; memory depends on the number of surveys, sites, periods
/// and the comments of one period, never on the number of responses.
pub fn build(
    data_dir: &Path,
    identity: &age::x25519::Identity,
    catalog: &Catalog,
    options: &ReportOptions,
) -> Result<ReportData, ReportError> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8));
    let meta = StoreMeta::load(&RealFs, data_dir)?;
    let parts = store::read_responses_split(data_dir, identity, threads)?;
    build_from_responses(data_dir, &meta, parts, catalog, options)
}

/// [`build`] over given response streams (each read on its own thread), for a store described
/// by `meta`. `data_dir` only names the store in messages.
pub fn build_from_responses<I>(
    data_dir: &Path,
    meta: &StoreMeta,
    parts: Vec<I>,
    catalog: &Catalog,
    options: &ReportOptions,
) -> Result<ReportData, ReportError>
where
    I: Iterator<Item = Result<Response, StoreError>> + Send,
{
    let plans: BTreeMap<SurveyHash, Result<ScoringPlan, ScoringError>> = catalog
        .iter()
        .map(|s| (s.hash, ScoringPlan::new(s)))
        .collect();
    let tallies: Vec<Result<Tally<'_>, ReportError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                let plans = &plans;
                scope.spawn(move || {
                    let mut t = Tally::new(plans, options);
                    for r in part {
                        t.add(meta, &r?)?;
                    }
                    Ok(t)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut total = Tally::new(&plans, options);
    for t in tallies {
        total.merge(t?);
    }
    finish(data_dir, meta, catalog, &plans, total, options)
}

/// The comments kept while reading: those of one period (the filter's, else the latest seen).
#[derive(Debug, Default)]
struct Kept {
    period: Option<PeriodKey>,
    texts: Vec<String>,
}

impl Kept {
    fn offer(&mut self, period: PeriodKey, comment: Option<&str>, fixed: Option<PeriodKey>) {
        match fixed {
            Some(f) if f != period => return,
            None if self.period.is_some_and(|p| p > period) => return,
            None if self.period != Some(period) => {
                self.period = Some(period);
                self.texts.clear();
            }
            _ => self.period = Some(period),
        }
        if let Some(c) = comment.filter(|c| !c.trim().is_empty()) {
            self.texts.push(c.to_string());
        }
    }

    fn merge(&mut self, other: Kept) {
        match (self.period, other.period) {
            (_, None) => {}
            (None, Some(_)) => *self = other,
            (Some(a), Some(b)) if b > a => *self = other,
            (Some(a), Some(b)) if a == b => self.texts.extend(other.texts),
            _ => {}
        }
    }
}

/// One thread's totals: a collector per known survey, a count per survey version, comments.
struct Tally<'p> {
    plans: &'p BTreeMap<SurveyHash, Result<ScoringPlan, ScoringError>>,
    options: &'p ReportOptions,
    collectors: BTreeMap<SurveyHash, Collector<'p>>,
    counts: BTreeMap<SurveyHash, (String, u64)>,
    kept: BTreeMap<SurveyHash, Kept>,
    /// Responses left out by the date filter.
    outside_dates: u64,
}

impl<'p> Tally<'p> {
    fn new(
        plans: &'p BTreeMap<SurveyHash, Result<ScoringPlan, ScoringError>>,
        options: &'p ReportOptions,
    ) -> Self {
        Tally {
            plans,
            options,
            collectors: BTreeMap::new(),
            counts: BTreeMap::new(),
            kept: BTreeMap::new(),
            outside_dates: 0,
        }
    }

    fn add(&mut self, meta: &StoreMeta, r: &Response) -> Result<(), ReportError> {
        if !in_dates(r.period, self.options.from, self.options.to) {
            self.outside_dates += 1;
            return Ok(());
        }
        self.counts
            .entry(r.survey_hash)
            .or_insert_with(|| (r.survey_id.clone(), 0))
            .1 += 1;
        let Some(Ok(plan)) = self.plans.get(&r.survey_hash) else {
            return Ok(());
        };
        let site = site_of(meta, r);
        let g = self.options.granularity;
        self.collectors
            .entry(r.survey_hash)
            .or_insert_with(|| Collector::new(plan, g))
            .add(r, Some(site))?;
        let wanted = self.options.site.as_deref().is_none_or(|s| s == site);
        if let (true, Some(key)) = (wanted, PeriodKey::of(r.period, g)) {
            self.kept.entry(r.survey_hash).or_default().offer(
                key,
                r.comment.as_deref(),
                self.options.period,
            );
        }
        Ok(())
    }

    fn merge(&mut self, other: Tally<'p>) {
        for (hash, c) in other.collectors {
            match self.collectors.get_mut(&hash) {
                Some(mine) => mine.merge(&c),
                None => {
                    self.collectors.insert(hash, c);
                }
            }
        }
        for (hash, (id, n)) in other.counts {
            self.counts.entry(hash).or_insert((id, 0)).1 += n;
        }
        for (hash, k) in other.kept {
            self.kept.entry(hash).or_default().merge(k);
        }
        self.outside_dates += other.outside_dates;
    }
}

/// First and last day of a stored period; `None` for a period that is not a real date.
fn period_days(p: Period) -> Option<(NaiveDate, NaiveDate)> {
    match p {
        Period::Week { year, week } => Some((
            NaiveDate::from_isoywd_opt(year, u32::from(week), Weekday::Mon)?,
            NaiveDate::from_isoywd_opt(year, u32::from(week), Weekday::Sun)?,
        )),
        Period::Month { year, month } => {
            let first = NaiveDate::from_ymd_opt(year, u32::from(month), 1)?;
            let next = first.checked_add_months(chrono::Months::new(1))?;
            Some((first, next.pred_opt()?))
        }
    }
}

/// Whether a response's period overlaps `from..=to`. Responses carry only their week or month,
/// so a period that overlaps the range is included whole.
fn in_dates(p: Period, from: Option<NaiveDate>, to: Option<NaiveDate>) -> bool {
    if from.is_none() && to.is_none() {
        return true;
    }
    let Some((first, last)) = period_days(p) else {
        return false;
    };
    from.is_none_or(|f| last >= f) && to.is_none_or(|t| first <= t)
}

/// Totals of the cells matching a site and period filter.
fn merged(
    plan: &ScoringPlan,
    cells: &BTreeMap<(String, PeriodKey), Accumulator>,
    site: Option<&str>,
    period: Option<PeriodKey>,
) -> Accumulator {
    let mut acc = Accumulator::new(plan);
    for ((s, p), cell) in cells {
        if site.is_none_or(|x| x == s) && period.is_none_or(|x| x == *p) {
            acc.merge(cell);
        }
    }
    acc
}

fn list<T: ToString>(xs: impl IntoIterator<Item = T>) -> String {
    let v: Vec<String> = xs.into_iter().map(|x| x.to_string()).collect();
    if v.is_empty() {
        "(none)".into()
    } else {
        v.join(", ")
    }
}

fn finish(
    data_dir: &Path,
    meta: &StoreMeta,
    catalog: &Catalog,
    plans: &BTreeMap<SurveyHash, Result<ScoringPlan, ScoringError>>,
    mut total: Tally<'_>,
    options: &ReportOptions,
) -> Result<ReportData, ReportError> {
    if total.counts.is_empty() {
        return Err(ReportError::Empty {
            data: data_dir.to_owned(),
            filtered: total.outside_dates > 0,
        });
    }
    // Most responses first; ties by id, then hash, so the choice is stable.
    let mut by_count: Vec<(SurveyHash, String, u64)> = total
        .counts
        .iter()
        .map(|(h, (id, n))| (*h, id.clone(), *n))
        .collect();
    by_count.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)).then(a.0.cmp(&b.0)));
    let chosen = match &options.survey_id {
        Some(id) => by_count
            .iter()
            .find(|(h, sid, _)| sid == id && total.collectors.contains_key(h))
            .ok_or_else(|| ReportError::NoSuchSurvey {
                id: id.clone(),
                available: list(by_count.iter().map(|(h, sid, n)| {
                    let known = if catalog.get(h).is_some() {
                        ""
                    } else {
                        ", not known here"
                    };
                    format!("{sid} ({n} responses{known})")
                })),
            })?,
        None => &by_count[0],
    };
    let hash = chosen.0;
    let (Some(survey), Some(collector)) = (catalog.get(&hash), total.collectors.get(&hash)) else {
        return Err(ReportError::UnknownSurvey {
            id: chosen.1.clone(),
            hash,
            count: chosen.2,
        });
    };
    let plan = match plans.get(&hash) {
        Some(Ok(plan)) => plan,
        Some(Err(e)) => return Err(e.clone().into()),
        None => unreachable_plan(&chosen.1, hash, chosen.2)?,
    };
    let rule = &options.rule;
    let cells = collector.by_site_and_period();
    let periods: Vec<PeriodKey> = collector.by_period().into_keys().collect();
    let sites: Vec<String> = collector.by_site().into_keys().collect();
    if let Some(site) = &options.site {
        if !sites.contains(site) {
            return Err(ReportError::NoSuchGroup {
                what: "site",
                value: site.clone(),
                available: list(&sites),
            });
        }
    }
    if let Some(p) = options.period {
        if !periods.contains(&p) {
            return Err(ReportError::NoSuchGroup {
                what: "period",
                value: p.to_string(),
                available: list(&periods),
            });
        }
    }
    let site = options.site.as_deref();
    let overall_acc = if site.is_none() && options.period.is_none() {
        collector.overall()
    } else {
        merged(plan, &cells, site, options.period)
    };
    let overall = disclosure::summarize(survey, plan, &overall_acc, rule);
    let trend_accs: Vec<(PeriodKey, Accumulator)> = periods
        .iter()
        .map(|&p| (p, merged(plan, &cells, site, Some(p))))
        .collect();
    let trends = trend_accs
        .iter()
        .map(|(p, acc)| (*p, disclosure::summarize(survey, plan, acc, rule)))
        .collect();
    let by_site = if options.by_site {
        site_summaries(survey, plan, &cells, &sites, options)
    } else {
        Vec::new()
    };
    let kept = total.kept.remove(&hash).unwrap_or_default();
    let comments_period = options.period.or(kept.period);
    let comments = match comments_period {
        None => Ok(Vec::new()),
        Some(p) => {
            let n = trend_accs
                .iter()
                .find(|(k, _)| *k == p)
                .map_or(0, |(_, a)| a.responses);
            disclosure::select_comments(kept.texts, n, rule, options.comment_seed)
        }
    };
    let other_surveys: Vec<OtherSurvey> = by_count
        .iter()
        .filter(|(h, _, _)| *h != hash)
        .map(|(h, id, n)| (id.clone(), *h, *n))
        .collect();
    Ok(ReportData {
        survey: survey.clone(),
        synthetic: meta.synthetic,
        store_site: meta.site.clone(),
        sites,
        responses: overall.responses,
        where_to_act: priority::where_to_act(&overall.themes),
        overall,
        trends,
        by_site,
        comments,
        comments_period,
        periods,
        unplaced: if options.period.is_none() {
            collector.unplaced()
        } else {
            0
        },
        other_surveys,
        generated: chrono::Local::now().date_naive(),
        options: options.clone(),
    })
}

/// A collector exists only for surveys with a plan; this keeps the error honest if not.
fn unreachable_plan<T>(id: &str, hash: SurveyHash, count: u64) -> Result<T, ReportError> {
    Err(ReportError::UnknownSurvey {
        id: id.to_string(),
        hash,
        count,
    })
}

/// One summary per site. Sites with fewer responses than the minimum are pooled into one group
/// (and the smallest shown site joins the pool while it is still too small), so that no small
/// site can be worked out as the total minus the shown sites.
fn site_summaries(
    survey: &crate::survey::Survey,
    plan: &ScoringPlan,
    cells: &BTreeMap<(String, PeriodKey), Accumulator>,
    sites: &[String],
    options: &ReportOptions,
) -> Vec<(String, Summary)> {
    let min_n = options.rule.min_n();
    let mut groups: Vec<(String, Accumulator)> = sites
        .iter()
        .map(|s| (s.clone(), merged(plan, cells, Some(s), options.period)))
        .collect();
    let (mut pool, mut shown): (Vec<_>, Vec<_>) =
        groups.drain(..).partition(|(_, a)| a.responses < min_n);
    if !pool.is_empty() {
        shown.sort_by_key(|(_, a)| std::cmp::Reverse(a.responses));
        while pool.iter().map(|(_, a)| a.responses).sum::<u64>() < min_n {
            match shown.pop() {
                Some(s) => pool.push(s),
                None => break,
            }
        }
        if pool.len() == 1 {
            // A single site below the minimum and nothing else to pool with: it is suppressed
            // as it stands.
            shown.append(&mut pool);
        }
    }
    let mut out: Vec<(String, Summary)> = shown
        .iter()
        .map(|(s, a)| {
            (
                s.clone(),
                disclosure::summarize(survey, plan, a, &options.rule),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    if !pool.is_empty() {
        let mut acc = Accumulator::new(plan);
        pool.iter().for_each(|(_, a)| acc.merge(a));
        let mut names: Vec<&String> = pool.iter().map(|(s, _)| s).collect();
        names.sort();
        let names = list(names);
        out.push((
            format!("Other sites, pooled ({names})"),
            disclosure::summarize(survey, plan, &acc, &options.rule),
        ));
    }
    out
}

#[cfg(test)]
mod tests;
