//! Building a report's data: one streaming pass over the store on several threads, then
//! disclosure control over the merged totals.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{NaiveDate, Weekday};

use super::{OtherSurvey, ReportData, ReportError, ReportOptions};
use crate::batch;
use crate::disclosure::{self, Summary};
use crate::fsio::RealFs;
use crate::priority;
use crate::response::{Period, Response};
use crate::scoring::{ScoringError, ScoringPlan};
use crate::stats::{Accumulator, Collector, PeriodKey};
use crate::store::{self, StoreError, StoreMeta};
use crate::survey::{Catalog, SurveyHash};

mod groups;

use groups::{complementary, merged, site_summaries};

/// What the responses come from: the store's name and whether it holds synthetic data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// A kiosk store's site name, or an aggregation store's name.
    pub name: String,
    pub synthetic: bool,
}

impl Source {
    /// The source a kiosk store's `store.meta` describes.
    pub fn of(meta: &StoreMeta) -> Source {
        Source {
            name: meta.site.clone(),
            synthetic: meta.synthetic,
        }
    }
}

/// The site a response belongs to: the site an aggregation store recorded for it, else (a kiosk
/// store holds one site) the store's own name, or "(unnamed site)" when none was given at `init`.
pub fn site_of<'a>(source: &'a Source, recorded: Option<&'a str>) -> &'a str {
    match recorded {
        Some(site) => site,
        None if source.name.trim().is_empty() => "(unnamed site)",
        None => &source.name,
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
    if batch::aggregate::is_aggregate(&RealFs, data_dir) {
        // An aggregation store records each response's site; it is read by one reader.
        let all = store::read_all(data_dir, identity)?;
        let source = Source {
            name: all.name().to_string(),
            synthetic: all.synthetic(),
        };
        let part = all.map(|r| r.map(|(site, r)| (Some(site), r)));
        return build_from_sited(data_dir, &source, vec![part], catalog, options);
    }
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
    let parts = parts
        .into_iter()
        .map(|part| part.map(|r| r.map(|r| (None, r))))
        .collect();
    build_from_sited(data_dir, &Source::of(meta), parts, catalog, options)
}

/// [`build`] over response streams that may carry each response's site (an aggregation store's
/// reader does; `None` means the source's own site).
pub fn build_from_sited<I>(
    data_dir: &Path,
    source: &Source,
    parts: Vec<I>,
    catalog: &Catalog,
    options: &ReportOptions,
) -> Result<ReportData, ReportError>
where
    I: Iterator<Item = Result<(Option<String>, Response), StoreError>> + Send,
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
                        let (site, r) = r?;
                        t.add(site_of(source, site.as_deref()), &r)?;
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
    finish(data_dir, source, catalog, &plans, total, options)
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

    fn add(&mut self, site: &str, r: &Response) -> Result<(), ReportError> {
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
    source: &Source,
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
    let mut trends: Vec<(PeriodKey, Summary)> = trend_accs
        .iter()
        .map(|(p, acc)| (*p, disclosure::summarize(survey, plan, acc, rule)))
        .collect();
    complementary(&mut trends);
    let mut by_site = if options.by_site {
        site_summaries(survey, plan, &cells, &sites, options)
    } else {
        Vec::new()
    };
    complementary(&mut by_site);
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
        synthetic: source.synthetic,
        store_site: source.name.clone(),
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

#[cfg(test)]
mod tests;
