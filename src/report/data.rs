//! Building a report's data: one streaming pass over the store on several threads into totals per
//! survey, site and stored period ([`Tallied`]), then, for any choice of filters, the disclosure
//! grid and the published summaries ([`Tallied::report`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{ReportData, ReportError, ReportOptions};
use crate::batch;
use crate::fsio::RealFs;
use crate::response::{Period, Response};
use crate::scoring::{ScoringError, ScoringPlan};
use crate::stats::Accumulator;
use crate::store::{self, ReadError, StoreError, StoreMeta};
use crate::survey::{Catalog, SurveyHash};

mod finish;

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
/// split between the machine's cores.
pub fn build(
    data_dir: &Path,
    identity: &age::x25519::Identity,
    catalog: &Catalog,
    options: &ReportOptions,
) -> Result<ReportData, ReportError> {
    read(data_dir, identity, catalog)?.report(options)
}

/// Read and total the store in `data_dir` once; [`Tallied::report`] then makes a report for any
/// filters without reading it again (the manager's screen does this on every change of filter).
/// What cannot be read (a site whose keys are not wrapped for `identity`, a damaged or unvouched
/// file) is left out and named in the report's "sites and batches" section; the rest is read.
pub fn read<'c>(
    data_dir: &Path,
    identity: &age::x25519::Identity,
    catalog: &'c Catalog,
) -> Result<Tallied<'c>, ReportError> {
    let errors = std::sync::Mutex::new(Vec::new());
    // Kept aside to be named, except a file of a newer format, which stops the report.
    let keep = |e: ReadError| {
        if e.needs_update() {
            return Some(Err(e.error));
        }
        errors.lock().unwrap_or_else(|p| p.into_inner()).push(e);
        None
    };
    let aggregate = batch::aggregate::is_aggregate(&RealFs, data_dir);
    let mut tallied = if aggregate {
        // An aggregation store records each response's site; it is read by one reader.
        let all = store::read_all(data_dir, identity)?;
        let source = Source {
            name: all.name().to_string(),
            synthetic: all.synthetic(),
        };
        let part = all.filter_map(|r| match r {
            Ok((site, r)) => Some(Ok((Some(site), r))),
            Err(e) => keep(e),
        });
        tally(data_dir, &source, vec![part], catalog)?
    } else {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8));
        let meta = StoreMeta::load(&RealFs, data_dir)?;
        let parts = store::read_responses_split(data_dir, identity, threads)?;
        let parts = parts
            .into_iter()
            .map(|part| {
                part.filter_map(|r| match r {
                    Ok(r) => Some(Ok((None, r))),
                    Err(error) => keep(ReadError { site: None, error }),
                })
            })
            .collect();
        tally(data_dir, &Source::of(&meta), parts, catalog)?
    };
    let errors = errors.into_inner().unwrap_or_else(|p| p.into_inner());
    tallied.intake.unreadable = store::summarize(&errors, identity);
    if aggregate {
        match batch::intake::Log::load(&RealFs, data_dir) {
            Ok(log) => tallied.intake.sites = log.sites(),
            Err(e) => tallied.intake.unreadable.push(store::Unreadable {
                place: data_dir
                    .join(batch::intake::RECEIVED_LOG)
                    .display()
                    .to_string(),
                why: format!("{e} (so no batch can be said to be missing)"),
            }),
        }
    }
    Ok(tallied)
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
    tally(data_dir, source, parts, catalog)?.report(options)
}

/// Total response streams (each on its own thread) into a [`Tallied`].
pub fn tally<'c, I>(
    data_dir: &Path,
    source: &Source,
    parts: Vec<I>,
    catalog: &'c Catalog,
) -> Result<Tallied<'c>, ReportError>
where
    I: Iterator<Item = Result<(Option<String>, Response), StoreError>> + Send,
{
    let plans: BTreeMap<SurveyHash, Result<ScoringPlan, ScoringError>> = catalog
        .iter()
        .map(|s| (s.hash, ScoringPlan::new(s)))
        .collect();
    let parts: Vec<Result<Surveys, ReportError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                let plans = &plans;
                scope.spawn(move || {
                    let mut t = Surveys::default();
                    let mut scratch = BTreeMap::new();
                    for r in part {
                        let (site, r) = r?;
                        t.add(plans, &mut scratch, site_of(source, site.as_deref()), &r)?;
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
    let mut surveys = Surveys::default();
    for t in parts {
        surveys.merge(t?);
    }
    Ok(Tallied {
        data_dir: data_dir.to_owned(),
        source: source.clone(),
        catalog,
        plans,
        surveys,
        grids: std::sync::Mutex::default(),
        summaries: Memo::default(),
        intake: super::intake::Intake::default(),
    })
}

/// One (survey, site, stored period) cell: its totals (for a survey known here) and comments.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cell {
    pub(crate) responses: u64,
    pub(crate) acc: Option<Accumulator>,
    pub(crate) comments: Vec<String>,
}

impl Cell {
    fn merge(&mut self, other: Cell) {
        self.responses += other.responses;
        match (&mut self.acc, other.acc) {
            (Some(a), Some(b)) => a.merge(&b),
            (None, Some(b)) => self.acc = Some(b),
            _ => {}
        }
        self.comments.extend(other.comments);
    }
}

/// Cells keyed by (site, stored period).
pub(crate) type Cells = BTreeMap<(String, Period), Cell>;

/// Every survey's id and cells.
#[derive(Debug, Default)]
struct Surveys(BTreeMap<SurveyHash, (String, Cells)>);

impl Surveys {
    fn add(
        &mut self,
        plans: &BTreeMap<SurveyHash, Result<ScoringPlan, ScoringError>>,
        scratch: &mut BTreeMap<SurveyHash, crate::scoring::ResponseScores>,
        site: &str,
        r: &Response,
    ) -> Result<(), ReportError> {
        let (_, cells) = self
            .0
            .entry(r.survey_hash)
            .or_insert_with(|| (r.survey_id.clone(), Cells::new()));
        let cell = cells.entry((site.to_string(), r.period)).or_default();
        cell.responses += 1;
        let comment = r.comment.as_deref().filter(|c| !c.trim().is_empty());
        if let Some(c) = comment {
            cell.comments.push(c.to_string());
        }
        if let Some(Ok(plan)) = plans.get(&r.survey_hash) {
            let scores = scratch
                .entry(r.survey_hash)
                .or_insert_with(|| plan.scores_buffer());
            plan.score_into(r, scores)?;
            cell.acc.get_or_insert_with(|| Accumulator::new(plan)).add(
                plan,
                scores,
                comment.is_some(),
            );
        }
        Ok(())
    }

    fn merge(&mut self, other: Surveys) {
        for (hash, (id, cells)) in other.0 {
            let (_, mine) = self.0.entry(hash).or_insert_with(|| (id, Cells::new()));
            for (key, cell) in cells {
                mine.entry(key).or_default().merge(cell);
            }
        }
    }
}

/// A store read and totalled once: per survey, site and stored period. Memory grows with the
/// number of (survey, site, stored period) cells and the comments, not with the answers.
pub struct Tallied<'c> {
    data_dir: PathBuf,
    source: Source,
    catalog: &'c Catalog,
    plans: BTreeMap<SurveyHash, Result<ScoringPlan, ScoringError>>,
    surveys: Surveys,
    /// Grids built so far, by survey and rule.
    grids: std::sync::Mutex<BTreeMap<RuleKey, std::sync::Arc<crate::disclosure::Grid>>>,
    /// Summaries made so far.
    summaries: Memo,
    /// The "sites and batches" section: what could not be read, and each site's batches.
    pub(crate) intake: super::intake::Intake,
}

/// A survey and a rule: (survey, minimum group size, minimum responses for comments).
type RuleKey = (SurveyHash, u64, u64);

/// Published summaries by rule, sites and stored periods.
type Memo = std::sync::Mutex<
    std::collections::HashMap<(RuleKey, Vec<usize>, Vec<bool>), crate::disclosure::Summary>,
>;

impl Tallied<'_> {
    /// The report for `options`: the survey chosen, the grid built over its responses, and every
    /// figure published only as the grid allows.
    pub fn report(&self, options: &ReportOptions) -> Result<ReportData, ReportError> {
        finish::report(self, options)
    }
}

#[cfg(test)]
mod tests;
