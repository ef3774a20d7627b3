//! Streaming statistics over scored responses: per item, theme and headline, by period and site.
//!
//! Memory depends on the number of items, themes and groups, never on the number of responses.
//! Every accumulator merges, so halves of a store summed on two threads combine into the same
//! result (to rounding) as one pass. These are raw figures: only [`crate::disclosure`] turns them
//! into something that may be shown.

pub mod moments;
pub mod period;
pub mod tdist;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::response::Response;
use crate::scoring::{ItemOutcome, ResponseScores, ScoringError, ScoringPlan};

pub use moments::{CoMoments, Moments};
pub use period::{Granularity, PeriodKey, PeriodLabelError};

/// Least number of complete cases for Cronbach's alpha and item–rest correlations.
pub const MIN_N_ALPHA: u64 = 30;

/// One item's running totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemAcc {
    /// Responses that were shown the item (every response in the group).
    pub responses: u64,
    /// 0–100 scores of scored answers.
    pub scores: Moments,
    /// Scored answers that are positive (after reversal).
    pub positive: u64,
    /// Answers per scale point, in the scale's order (including "Don't know").
    pub counts: Vec<u64>,
    pub not_applicable: u64,
    pub skipped: u64,
}

/// One theme's running totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeAcc {
    /// Responses in the group.
    pub responses: u64,
    /// Theme scores (0–100) of responses for which the theme counts.
    pub scores: Moments,
    /// Scored answers to the theme's items, pooled.
    pub scored_answers: u64,
    /// Pooled scored answers that are positive.
    pub positive: u64,
    /// Pooled answers per point of the theme's common scale, read in the positive direction (a
    /// reversed item's "Strongly disagree" counts as "Strongly agree"); empty when the theme's
    /// items use different scales.
    pub counts: Vec<u64>,
    /// Item answers (responses × items), pooled, and those "does not apply" / skipped.
    pub answers: u64,
    pub not_applicable: u64,
    pub skipped: u64,
    /// Item scores of complete cases (every item of the theme scored), for alpha.
    #[serde(skip)]
    pub complete: CoMoments,
}

/// The headline question's running totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadlineAcc {
    pub responses: u64,
    /// Answers per point, in the scale's order (including "Don't know").
    pub counts: Vec<u64>,
    /// Skipped (or, on a scale that offers it, "does not apply").
    pub skipped: u64,
}

/// Running totals for one group of responses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accumulator {
    pub responses: u64,
    pub items: Vec<ItemAcc>,
    pub themes: Vec<ThemeAcc>,
    pub headline: HeadlineAcc,
    /// Responses that carried a comment.
    pub comments: u64,
    #[serde(skip)]
    row: Vec<f64>,
}

impl Accumulator {
    /// Empty totals shaped for `plan`.
    pub fn new(plan: &ScoringPlan) -> Self {
        let items = (0..plan.item_count())
            .map(|i| ItemAcc {
                responses: 0,
                scores: Moments::default(),
                positive: 0,
                counts: vec![0; plan.item_points(i)],
                not_applicable: 0,
                skipped: 0,
            })
            .collect();
        let themes = (0..plan.theme_count())
            .map(|t| {
                let members = plan.theme_items(t);
                let points = match (plan.theme_scale(t), members.first()) {
                    (Some(_), Some(&first)) => plan.item_points(first),
                    _ => 0,
                };
                ThemeAcc {
                    responses: 0,
                    scores: Moments::default(),
                    scored_answers: 0,
                    positive: 0,
                    counts: vec![0; points],
                    answers: 0,
                    not_applicable: 0,
                    skipped: 0,
                    complete: CoMoments::new(members.len()),
                }
            })
            .collect();
        Accumulator {
            responses: 0,
            items,
            themes,
            headline: HeadlineAcc {
                responses: 0,
                counts: vec![0; plan.headline_points()],
                skipped: 0,
            },
            comments: 0,
            row: Vec::new(),
        }
    }

    /// Add one scored response (`scores` from `plan.score_into`); `has_comment` counts comments.
    pub fn add(&mut self, plan: &ScoringPlan, scores: &ResponseScores, has_comment: bool) {
        self.responses += 1;
        self.comments += u64::from(has_comment);
        for (acc, outcome) in self.items.iter_mut().zip(&scores.items) {
            acc.responses += 1;
            match *outcome {
                ItemOutcome::Scored {
                    point,
                    score,
                    positive,
                } => {
                    acc.scores.add(score);
                    acc.positive += u64::from(positive);
                    if let Some(c) = acc.counts.get_mut(point) {
                        *c += 1;
                    }
                }
                ItemOutcome::DontKnow { point } => {
                    if let Some(c) = acc.counts.get_mut(point) {
                        *c += 1;
                    }
                }
                ItemOutcome::NotApplicable => acc.not_applicable += 1,
                ItemOutcome::Skipped => acc.skipped += 1,
            }
        }
        for (t, acc) in self.themes.iter_mut().enumerate() {
            acc.responses += 1;
            if let Some(Some(score)) = scores.themes.get(t) {
                acc.scores.add(*score);
            }
            self.row.clear();
            let members = plan.theme_items(t);
            for &i in members {
                acc.answers += 1;
                match scores.items.get(i) {
                    Some(&ItemOutcome::Scored {
                        point,
                        score,
                        positive,
                    }) => {
                        acc.scored_answers += 1;
                        acc.positive += u64::from(positive);
                        if let Some(c) = acc.counts.get_mut(plan.oriented_point(i, point)) {
                            *c += 1;
                        }
                        self.row.push(score);
                    }
                    Some(&ItemOutcome::DontKnow { point }) => {
                        if let Some(c) = acc.counts.get_mut(point) {
                            *c += 1;
                        }
                    }
                    Some(ItemOutcome::NotApplicable) => acc.not_applicable += 1,
                    Some(ItemOutcome::Skipped) | None => acc.skipped += 1,
                }
            }
            if members.len() >= 2 && self.row.len() == members.len() {
                acc.complete.add(&self.row);
            }
        }
        self.headline.responses += 1;
        match scores
            .headline
            .and_then(|p| self.headline.counts.get_mut(p))
        {
            Some(c) => *c += 1,
            None => self.headline.skipped += 1,
        }
    }

    /// Fold another group's totals (for the same plan) into this one.
    pub fn merge(&mut self, other: &Accumulator) {
        self.responses += other.responses;
        self.comments += other.comments;
        for (a, b) in self.items.iter_mut().zip(&other.items) {
            a.responses += b.responses;
            a.scores.merge(&b.scores);
            a.positive += b.positive;
            add_counts(&mut a.counts, &b.counts);
            a.not_applicable += b.not_applicable;
            a.skipped += b.skipped;
        }
        for (a, b) in self.themes.iter_mut().zip(&other.themes) {
            a.responses += b.responses;
            a.scores.merge(&b.scores);
            a.scored_answers += b.scored_answers;
            a.positive += b.positive;
            add_counts(&mut a.counts, &b.counts);
            a.answers += b.answers;
            a.not_applicable += b.not_applicable;
            a.skipped += b.skipped;
            a.complete.merge(&b.complete);
        }
        self.headline.responses += other.headline.responses;
        add_counts(&mut self.headline.counts, &other.headline.counts);
        self.headline.skipped += other.headline.skipped;
    }
}

fn add_counts(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Mean, spread and 95% confidence interval of a set of 0–100 scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub n: u64,
    /// `None` when n = 0.
    pub mean: Option<f64>,
    /// Sample SD (divisor n − 1); `None` when n < 2.
    pub sd: Option<f64>,
    /// `mean ± t(0.975, n − 1) · sd / √n`, clamped to [0, 100]; `None` when n < 2. When every score
    /// is the same (SD = 0) the interval is the point itself.
    pub ci: Option<(f64, f64)>,
}

impl Estimate {
    /// The estimate of a stream's moments.
    pub fn of(m: &Moments) -> Estimate {
        let mean = (m.n > 0).then_some(m.mean);
        let sd = m.sd();
        let ci = sd.and_then(|sd| {
            let t = tdist::t_quantile(0.975, (m.n - 1) as f64)?;
            let half = t * sd / (m.n as f64).sqrt();
            Some(((m.mean - half).max(0.0), (m.mean + half).min(100.0)))
        });
        Estimate {
            n: m.n,
            mean,
            sd,
            ci,
        }
    }
}

/// Cronbach's alpha of a theme and each item's item–rest correlation (item order as in the
/// theme); `None` below [`MIN_N_ALPHA`] complete cases, for themes of one item, or when undefined.
pub fn consistency(theme: &ThemeAcc) -> Option<(f64, Vec<Option<f64>>)> {
    let c = &theme.complete;
    if c.n < MIN_N_ALPHA || c.k() < 2 {
        return None;
    }
    let alpha = c.cronbach_alpha()?;
    Some((alpha, (0..c.k()).map(|i| c.item_rest(i)).collect()))
}

/// A share in percent; `None` when the denominator is 0.
pub fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64 * 100.0)
}

/// Headline "% positive": positive answers over every answer given, "Don't know" included, skipped
/// excluded (NHS England's FFT method; see `docs/scoring.md`).
pub fn headline_pct_positive(plan: &ScoringPlan, h: &HeadlineAcc) -> Option<f64> {
    let positive: u64 = h
        .counts
        .iter()
        .zip(plan.headline_positive_points())
        .filter(|(_, p)| *p)
        .map(|(c, _)| c)
        .sum();
    percent(positive, h.counts.iter().sum())
}

/// One site's accumulators (`None`: no site given), per period (`None`: the period cannot be placed
/// at the collector's granularity).
type SiteCells = (Option<String>, BTreeMap<Option<PeriodKey>, Accumulator>);

/// Totals for a whole store, kept per (site, period) cell so that each response updates one
/// accumulator; overall, per-period and per-site totals are merged from the cells on request.
#[derive(Debug, Clone)]
pub struct Collector<'p> {
    plan: &'p ScoringPlan,
    granularity: Granularity,
    scratch: ResponseScores,
    cells: Vec<SiteCells>,
}

impl<'p> Collector<'p> {
    pub fn new(plan: &'p ScoringPlan, granularity: Granularity) -> Self {
        Collector {
            plan,
            granularity,
            scratch: plan.scores_buffer(),
            cells: Vec::new(),
        }
    }

    pub fn plan(&self) -> &'p ScoringPlan {
        self.plan
    }

    pub fn granularity(&self) -> Granularity {
        self.granularity
    }

    fn cell(&mut self, site: Option<&str>, period: Option<PeriodKey>) -> &mut Accumulator {
        let index = match self.cells.iter().position(|(s, _)| s.as_deref() == site) {
            Some(i) => i,
            None => {
                self.cells.push((site.map(str::to_string), BTreeMap::new()));
                self.cells.len() - 1
            }
        };
        let plan = self.plan;
        self.cells[index]
            .1
            .entry(period)
            .or_insert_with(|| Accumulator::new(plan))
    }

    /// Score one response and add it to the cell of its site (when given) and period.
    pub fn add(&mut self, response: &Response, site: Option<&str>) -> Result<(), ScoringError> {
        self.plan.score_into(response, &mut self.scratch)?;
        let comment = response.comment.as_deref().is_some_and(|c| !c.is_empty());
        let period = PeriodKey::of(response.period, self.granularity);
        // Swap the scratch buffer out so the cell can be borrowed mutably beside it.
        let scores = std::mem::take(&mut self.scratch);
        let plan = self.plan;
        self.cell(site, period).add(plan, &scores, comment);
        self.scratch = scores;
        Ok(())
    }

    /// Fold another collector (same plan and granularity) into this one.
    pub fn merge(&mut self, other: &Collector<'_>) {
        for (site, periods) in &other.cells {
            for (period, acc) in periods {
                self.cell(site.as_deref(), *period).merge(acc);
            }
        }
    }

    fn merged<'a>(&self, cells: impl Iterator<Item = &'a Accumulator>) -> Accumulator {
        let mut total = Accumulator::new(self.plan);
        cells.for_each(|c| total.merge(c));
        total
    }

    /// Everything, whatever the site or period.
    pub fn overall(&self) -> Accumulator {
        self.merged(self.cells.iter().flat_map(|(_, p)| p.values()))
    }

    /// Totals per period, in time order (responses that cannot be placed are left out; see
    /// [`Collector::unplaced`]).
    pub fn by_period(&self) -> BTreeMap<PeriodKey, Accumulator> {
        let mut out: BTreeMap<PeriodKey, Accumulator> = BTreeMap::new();
        for (key, acc) in self.cells.iter().flat_map(|(_, p)| p.iter()) {
            if let Some(key) = key {
                out.entry(*key)
                    .or_insert_with(|| Accumulator::new(self.plan))
                    .merge(acc);
            }
        }
        out
    }

    /// Totals per site label (responses added without a site are left out).
    pub fn by_site(&self) -> BTreeMap<String, Accumulator> {
        self.cells
            .iter()
            .filter_map(|(site, p)| Some((site.clone()?, self.merged(p.values()))))
            .collect()
    }

    /// Responses whose period cannot be placed at this granularity (counted overall only).
    pub fn unplaced(&self) -> u64 {
        self.cells
            .iter()
            .filter_map(|(_, p)| p.get(&None))
            .map(|a| a.responses)
            .sum()
    }

    /// Collect a slice of responses (all from `site`, if given) on `threads` threads and merge.
    pub fn collect_parallel(
        plan: &'p ScoringPlan,
        granularity: Granularity,
        responses: &[Response],
        site: Option<&str>,
        threads: usize,
    ) -> Result<Self, ScoringError> {
        let chunk = responses.len().div_ceil(threads.max(1)).max(1);
        let parts: Vec<Result<Collector<'p>, ScoringError>> = std::thread::scope(|s| {
            let handles: Vec<_> = responses
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        let mut c = Collector::new(plan, granularity);
                        for r in part {
                            c.add(r, site)?;
                        }
                        Ok(c)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        let mut total = Collector::new(plan, granularity);
        for part in parts {
            total.merge(&part?);
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests;
