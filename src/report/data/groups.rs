//! Groups published side by side (periods, sites): merging their cells, pooling small sites,
//! and complementary suppression so that no hidden group follows from the total.

use std::collections::BTreeMap;

use super::super::ReportOptions;
use crate::disclosure::{self, Reason, Summary};
use crate::scoring::ScoringPlan;
use crate::stats::{Accumulator, PeriodKey};

/// Totals of the cells matching a site and period filter.
pub(super) fn merged(
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

/// Complementary suppression across groups that together make up the overall figures (the
/// periods of a trend, the sites): when exactly one group's figure for a theme (or the
/// headline) is hidden, the shown group with the fewest respondents for it is hidden too, so the
/// hidden one cannot be worked out as the overall figure minus the shown groups.
pub(super) fn complementary<K>(groups: &mut [(K, Summary)]) {
    if groups.len() < 2 {
        return;
    }
    let themes = groups[0].1.themes.len();
    for t in 0..themes {
        let hidden = groups
            .iter()
            .filter(|(_, s)| s.themes.get(t).is_some_and(|x| x.suppressed.is_some()))
            .count();
        if hidden != 1 {
            continue;
        }
        let smallest = groups
            .iter_mut()
            .filter_map(|(_, s)| s.themes.get_mut(t))
            .filter(|x| x.suppressed.is_none())
            .min_by_key(|x| x.n);
        if let Some(x) = smallest {
            hide_theme(x);
        }
    }
    let hidden = groups
        .iter()
        .filter(|(_, s)| s.headline.as_ref().is_some_and(|h| h.suppressed.is_some()))
        .count();
    if hidden == 1 {
        let smallest = groups
            .iter_mut()
            .filter_map(|(_, s)| s.headline.as_mut())
            .filter(|h| h.suppressed.is_none())
            .min_by_key(|h| h.answered);
        if let Some(h) = smallest {
            h.distribution = None;
            h.skipped = None;
            h.pct_positive = None;
            h.detail_withheld = None;
            h.suppressed = Some(Reason::SmallCounts);
        }
    }
}

/// Withdraw every figure of a theme (and its items) that is otherwise shown.
fn hide_theme(x: &mut disclosure::ThemeSummary) {
    x.mean = None;
    x.sd = None;
    x.ci_low = None;
    x.ci_high = None;
    x.pct_positive = None;
    x.distribution = None;
    x.pct_not_applicable = None;
    x.pct_skipped = None;
    x.alpha = None;
    x.item_rest.iter_mut().for_each(|r| *r = None);
    x.alpha_withheld = Some(Reason::SmallCounts);
    x.detail_withheld = None;
    x.suppressed = Some(Reason::SmallCounts);
    for i in &mut x.items {
        i.mean = None;
        i.sd = None;
        i.ci_low = None;
        i.ci_high = None;
        i.pct_positive = None;
        i.distribution = None;
        i.pct_not_applicable = None;
        i.pct_skipped = None;
        i.detail_withheld = None;
        i.suppressed.get_or_insert(Reason::SmallCounts);
    }
}

/// One summary per site. Sites with fewer responses than the minimum are pooled into one group
/// (and the smallest shown site joins the pool while it is still too small), so that no small
/// site can be worked out as the total minus the shown sites.
pub(super) fn site_summaries(
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
        let names = super::list(names);
        out.push((
            format!("Other sites, pooled ({names})"),
            disclosure::summarize(survey, plan, &acc, &options.rule),
        ));
    }
    out
}
