//! Publishable summaries of one group of responses: the statistics after disclosure control.
//!
//! These are plain data for the screen and the reports to render; a `None` figure is not shown,
//! and the accompanying `Reason` says why. Counts of people are [`Count`]s, so a number below the
//! minimum cannot be printed by mistake; answer counts are rounded to 5.

use serde::Serialize;

use super::grid::Measure;
use super::protect::{Cell, protect, rounded};
use super::{Count, Reason, Rule};
use crate::scoring::ScoringPlan;
use crate::stats::{self, Accumulator, Estimate, ItemAcc, MIN_N_ALPHA, ThemeAcc};
use crate::survey::Survey;

/// A protected answer distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Distribution {
    /// One cell per scale point, in the scale's order ("Don't know" included).
    pub points: Vec<Cell>,
    /// "Does not apply" (always `Shown(0)` on a scale without it).
    pub not_applicable: Cell,
    pub skipped: Cell,
}

/// One item's publishable figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemSummary {
    pub id: String,
    pub reversed: bool,
    /// Responses that were shown the item.
    pub responses: Count,
    /// Scored answers.
    pub n: Count,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub pct_positive: Option<f64>,
    pub distribution: Option<Distribution>,
    pub pct_not_applicable: Option<f64>,
    pub pct_skipped: Option<f64>,
    /// Why the distribution (or % positive) is withheld while the mean is shown.
    pub detail_withheld: Option<Reason>,
    /// Why nothing about the item is shown.
    pub suppressed: Option<Reason>,
}

/// One theme's publishable figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeSummary {
    pub id: String,
    pub number: u32,
    pub name: String,
    /// The survey's importance weight (for iCARE: the study's coded reference count).
    pub importance: f64,
    pub responses: Count,
    /// Respondents whose theme score counts (at least half the applicable items answered).
    pub n: Count,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Positive answers among all scored answers to the theme's items, pooled.
    pub pct_positive: Option<f64>,
    /// Pooled answers, read in the positive direction; `None` when the items use different scales.
    pub distribution: Option<Distribution>,
    pub pct_not_applicable: Option<f64>,
    pub pct_skipped: Option<f64>,
    pub alpha: Option<f64>,
    /// Item–rest correlation per item, in `items` order.
    pub item_rest: Vec<Option<f64>>,
    /// Why `alpha` is not shown.
    pub alpha_withheld: Option<Reason>,
    pub detail_withheld: Option<Reason>,
    pub suppressed: Option<Reason>,
    pub items: Vec<ItemSummary>,
}

/// The headline question's publishable figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadlineSummary {
    pub id: String,
    pub responses: Count,
    /// Answers given ("Don't know" included, skipped excluded): the denominator of % positive.
    pub answered: Count,
    /// One cell per point, "Don't know" included.
    pub distribution: Option<Vec<Cell>>,
    pub skipped: Option<Cell>,
    pub pct_positive: Option<f64>,
    pub detail_withheld: Option<Reason>,
    pub suppressed: Option<Reason>,
}

/// Everything publishable about one group of responses (overall, a period or a site).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub responses: Count,
    pub min_n: u64,
    pub headline: Option<HeadlineSummary>,
    pub themes: Vec<ThemeSummary>,
    pub suppressed: Option<Reason>,
}

/// Apply `rule` to one group's totals. `plan` must come from `survey`. `visible` says, per measure,
/// whether the grid lets this group's figures be published (`|_| true` for a group that is not
/// part of any grid, such as a test's single group).
pub fn summarize(
    survey: &Survey,
    plan: &ScoringPlan,
    acc: &Accumulator,
    rule: &Rule,
    visible: &dyn Fn(Measure) -> bool,
) -> Summary {
    let min_n = rule.min_n();
    let group_visible = visible(Measure::Responses);
    let themes = survey
        .themes
        .iter()
        .enumerate()
        .zip(&acc.themes)
        .map(|((t, theme), tacc)| {
            let items: Vec<ItemSummary> = plan
                .theme_items(t)
                .iter()
                .filter_map(|&i| {
                    let shown = group_visible && visible(Measure::Item(i));
                    item_summary(survey, plan, i, acc.items.get(i)?, rule, shown)
                })
                .collect();
            let positive = plan
                .theme_scale(t)
                .and_then(|s| survey.scales.get(s))
                .map(|s| s.points.iter().map(|p| p.positive).collect::<Vec<_>>());
            let dont_know = plan
                .theme_scale(t)
                .and_then(|s| survey.scales.get(s))
                .map(|s| s.points.iter().map(|p| p.dont_know).collect::<Vec<_>>());
            let shown = group_visible && visible(Measure::Theme(t));
            theme_summary(theme, tacc, positive, dont_know, items, rule, shown)
        })
        .collect();
    let headline = survey.headline.as_ref().map(|h| {
        let answered: u64 = acc.headline.counts.iter().sum();
        let shown = group_visible && visible(Measure::Headline);
        let mut out = HeadlineSummary {
            id: h.id.clone(),
            responses: Count::of_figure(acc.headline.responses, min_n, group_visible),
            answered: Count::of_figure(answered, min_n, shown),
            distribution: None,
            skipped: None,
            pct_positive: None,
            detail_withheld: None,
            suppressed: None,
        };
        if answered < min_n {
            out.suppressed = Some(Reason::TooFewRespondents { min_n });
            return out;
        }
        if !shown {
            out.suppressed = Some(Reason::Complementary { min_n });
            return out;
        }
        let positive = plan.headline_positive_points();
        let dont_know = plan.headline_dont_know_points();
        let mut counts = acc.headline.counts.clone();
        counts.push(acc.headline.skipped);
        // Groups as for items: positive (0), other answers (1), not scored: "Don't know" and
        // skipped (2). A small skip count then has "Don't know" to hide beside it, so % positive
        // (the positive group's subtotal) can still be published.
        let unscored = |i: usize| i >= positive.len() || dont_know.get(i) == Some(&true);
        let fine: Vec<usize> = (0..counts.len())
            .map(|i| match (unscored(i), positive.get(i)) {
                (true, _) => 2,
                (false, Some(true)) => 0,
                _ => 1,
            })
            .collect();
        let coarse: Vec<usize> = (0..counts.len())
            .map(|i| usize::from(unscored(i)))
            .collect();
        let p = protect(&counts, &[&fine, &coarse]);
        match p.grouping {
            Some(g) => {
                let mut cells = rounded(p.cells);
                out.skipped = cells.pop();
                out.distribution = Some(cells);
                if g == 0 {
                    out.pct_positive = stats::headline_pct_positive(plan, &acc.headline);
                } else {
                    out.detail_withheld = Some(Reason::SmallCounts);
                }
            }
            None => out.detail_withheld = Some(Reason::SmallCounts),
        }
        out
    });
    let suppressed = if acc.responses < min_n {
        Some(Reason::TooFewRespondents { min_n })
    } else if !group_visible {
        Some(Reason::Complementary { min_n })
    } else {
        None
    };
    Summary {
        responses: Count::of_figure(acc.responses, min_n, group_visible),
        min_n,
        headline,
        themes,
        suppressed,
    }
}

/// Figures shared by items and themes: estimate, % positive, distribution and % NA / skipped.
struct Common {
    estimate: Option<Estimate>,
    pct_positive: Option<f64>,
    distribution: Option<Distribution>,
    pct_not_applicable: Option<f64>,
    pct_skipped: Option<f64>,
    detail_withheld: Option<Reason>,
    suppressed: Option<Reason>,
}

/// One figure's answers: `counts` per point (empty when there is no common scale), `positive` /
/// `dont_know` flags per point, `answers` the row total (points + NA + skipped).
struct Answers<'a> {
    counts: &'a [u64],
    positive: &'a [bool],
    dont_know: &'a [bool],
    pct_positive: Option<f64>,
    not_applicable: u64,
    skipped: u64,
    answers: u64,
}

/// `visible`: whether the grid lets this figure be published for this group.
fn common(scores: &stats::Moments, a: &Answers<'_>, rule: &Rule, visible: bool) -> Common {
    let n = scores.n;
    let hidden = if n < rule.min_n() {
        Some(Reason::TooFewRespondents {
            min_n: rule.min_n(),
        })
    } else if !visible {
        Some(Reason::Complementary {
            min_n: rule.min_n(),
        })
    } else {
        None
    };
    if let Some(reason) = hidden {
        return Common {
            estimate: None,
            pct_positive: None,
            distribution: None,
            pct_not_applicable: None,
            pct_skipped: None,
            detail_withheld: None,
            suppressed: Some(reason),
        };
    }
    let Answers {
        counts,
        positive,
        dont_know,
        pct_positive,
        not_applicable,
        skipped,
        answers,
    } = *a;
    let mut out = Common {
        estimate: Some(Estimate::of(scores)),
        pct_positive: None,
        distribution: None,
        pct_not_applicable: None,
        pct_skipped: None,
        detail_withheld: None,
        suppressed: None,
    };
    if counts.is_empty() {
        // No distribution is published, so % positive reveals no cell.
        out.pct_positive = pct_positive;
        return out;
    }
    let mut row = counts.to_vec();
    row.extend([not_applicable, skipped]);
    // Groups: positive scored (0), other scored (1), not scored (2: "Don't know", NA, skipped).
    let group = |i: usize, fine: bool| match (positive.get(i), dont_know.get(i)) {
        (_, Some(true)) | (None, _) => 2,
        (Some(true), _) if fine => 0,
        _ => 1,
    };
    let fine: Vec<usize> = (0..row.len()).map(|i| group(i, true)).collect();
    let coarse: Vec<usize> = (0..row.len()).map(|i| group(i, false)).collect();
    let p = protect(&row, &[&fine, &coarse]);
    match p.grouping {
        None => out.detail_withheld = Some(Reason::SmallCounts),
        Some(g) => {
            // Percentages of "does not apply" and skipped come from the rounded counts, so they
            // say no more than the counts do.
            let mut cells = rounded(p.cells);
            let skipped_cell = cells.pop().unwrap_or(Cell::Suppressed);
            let na_cell = cells.pop().unwrap_or(Cell::Suppressed);
            out.pct_not_applicable = na_cell.shown().and_then(|c| stats::percent(c, answers));
            out.pct_skipped = skipped_cell
                .shown()
                .and_then(|c| stats::percent(c, answers));
            out.distribution = Some(Distribution {
                points: cells,
                not_applicable: na_cell,
                skipped: skipped_cell,
            });
            if g == 0 {
                out.pct_positive = pct_positive;
            } else {
                out.detail_withheld = Some(Reason::SmallCounts);
            }
        }
    }
    out
}

fn item_summary(
    survey: &Survey,
    plan: &ScoringPlan,
    i: usize,
    acc: &ItemAcc,
    rule: &Rule,
    visible: bool,
) -> Option<ItemSummary> {
    let item = survey.items.get(i)?;
    let dont_know: Vec<bool> = survey
        .item_scale(item)
        .map(|s| s.points.iter().map(|p| p.dont_know).collect())
        .unwrap_or_default();
    let positive = plan.item_positive_points(i);
    let answers = Answers {
        counts: &acc.counts,
        positive: &positive,
        dont_know: &dont_know,
        pct_positive: stats::percent(acc.positive, acc.scores.n),
        not_applicable: acc.not_applicable,
        skipped: acc.skipped,
        answers: acc.responses,
    };
    let c = common(&acc.scores, &answers, rule, visible);
    let e = c.estimate;
    let min_n = rule.min_n();
    Some(ItemSummary {
        id: item.id.clone(),
        reversed: item.reverse,
        responses: Count::of_figure(acc.responses, min_n, visible),
        n: Count::of_figure(acc.scores.n, min_n, visible),
        mean: e.and_then(|e| e.mean),
        sd: e.and_then(|e| e.sd),
        ci_low: e.and_then(|e| e.ci).map(|ci| ci.0),
        ci_high: e.and_then(|e| e.ci).map(|ci| ci.1),
        pct_positive: c.pct_positive,
        distribution: c.distribution,
        pct_not_applicable: c.pct_not_applicable,
        pct_skipped: c.pct_skipped,
        detail_withheld: c.detail_withheld,
        suppressed: c.suppressed,
    })
}

fn theme_summary(
    theme: &crate::survey::Theme,
    acc: &ThemeAcc,
    positive: Option<Vec<bool>>,
    dont_know: Option<Vec<bool>>,
    items: Vec<ItemSummary>,
    rule: &Rule,
    visible: bool,
) -> ThemeSummary {
    let (positive, dont_know) = (positive.unwrap_or_default(), dont_know.unwrap_or_default());
    let answers = Answers {
        counts: &acc.counts,
        positive: &positive,
        dont_know: &dont_know,
        pct_positive: stats::percent(acc.positive, acc.scored_answers),
        not_applicable: acc.not_applicable,
        skipped: acc.skipped,
        answers: acc.answers,
    };
    let c = common(&acc.scores, &answers, rule, visible);
    let k = acc.complete.k();
    let (alpha, item_rest, alpha_withheld) = if c.suppressed.is_some() {
        (None, vec![None; items.len()], c.suppressed)
    } else if k < 2 {
        (None, vec![None; items.len()], Some(Reason::Undefined))
    } else if acc.complete.n < MIN_N_ALPHA {
        let reason = Reason::TooFewForConsistency { min: MIN_N_ALPHA };
        (None, vec![None; items.len()], Some(reason))
    } else {
        match stats::consistency(acc) {
            Some((alpha, rest)) => (Some(alpha), rest, None),
            None => (None, vec![None; items.len()], Some(Reason::Undefined)),
        }
    };
    let e = c.estimate;
    ThemeSummary {
        id: theme.id.clone(),
        number: theme.number,
        name: theme.name.clone(),
        importance: theme.importance,
        responses: Count::of_figure(acc.responses, rule.min_n(), visible),
        n: Count::of_figure(acc.scores.n, rule.min_n(), visible),
        mean: e.and_then(|e| e.mean),
        sd: e.and_then(|e| e.sd),
        ci_low: e.and_then(|e| e.ci).map(|ci| ci.0),
        ci_high: e.and_then(|e| e.ci).map(|ci| ci.1),
        pct_positive: c.pct_positive,
        distribution: c.distribution,
        pct_not_applicable: c.pct_not_applicable,
        pct_skipped: c.pct_skipped,
        alpha,
        item_rest,
        alpha_withheld,
        detail_withheld: c.detail_withheld,
        suppressed: c.suppressed,
        items,
    }
}
