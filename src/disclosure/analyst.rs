//! What an analyst's row-level export may say about each response beyond its answers: a site, a
//! period and a language, each coarsened so that every combination of them covers at least the
//! minimum number of responses (`docs/privacy.md`, "Analyst data").
//!
//! - Site and period come from the [`Grid`] of the response's survey version: the block the
//!   response falls in names its sites (a site alone, or "other" for pooled small sites) and its
//!   stored periods (one, or a range where small periods were pooled).
//! - Within each block, a language with fewer than the minimum is "other" ([`pool_labels`]).
//!
//! The order of the rows and their ids are the caller's to randomise; comments never come here.

use std::collections::BTreeMap;

use super::grid::{Axis, Grid, Populations};
use super::{OTHER, pool_labels};
use crate::response::Response;
use crate::survey::SurveyHash;

/// The labels one response is published with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// The site's name, or [`OTHER`].
    pub site: String,
    /// `2026-W45`, or `2026-W45/2026-W47` for a pooled range of stored periods.
    pub period: String,
    /// The language code, or [`OTHER`].
    pub language: String,
}

/// The labels of every response in `rows` (a site name and a response each), in the same order,
/// under a minimum of `min_n`. A response whose stored period is not a real date gets the period
/// [`OTHER`].
pub fn labels(rows: &[(String, &Response)], min_n: u64) -> Vec<Labels> {
    let mut out: Vec<Option<Labels>> = vec![None; rows.len()];
    // Each survey version separately: its respondents saw one questionnaire.
    let mut by_survey: BTreeMap<SurveyHash, Vec<usize>> = BTreeMap::new();
    for (k, (_, r)) in rows.iter().enumerate() {
        by_survey.entry(r.survey_hash).or_default().push(k);
    }
    for members in by_survey.values() {
        let mut sites: Vec<String> = members.iter().map(|&k| rows[k].0.clone()).collect();
        sites.sort();
        sites.dedup();
        let axis = Axis::new(members.iter().map(|&k| rows[k].1.period));
        let mut pops = Populations::new(0, 0, sites.len(), axis.len());
        let place = |k: usize| -> Option<(usize, usize)> {
            let s = sites.binary_search(&rows[k].0).ok()?;
            Some((s, axis.index(rows[k].1.period)?))
        };
        for &k in members {
            if let Some((s, a)) = place(k) {
                pops.add(super::Measure::Responses, s, a, 1);
            }
        }
        let grid = Grid::build(axis.clone(), sites.clone(), pops, min_n, min_n);
        let blocks = grid.blocks();
        let block_of = |s: usize, a: usize| {
            blocks
                .iter()
                .position(|(ss, r)| ss.contains(&s) && r.contains(&a))
        };
        // Languages per block.
        let mut languages: BTreeMap<usize, BTreeMap<String, u64>> = BTreeMap::new();
        for &k in members {
            if let Some(b) = place(k).and_then(|(s, a)| block_of(s, a)) {
                *languages
                    .entry(b)
                    .or_default()
                    .entry(rows[k].1.language.clone())
                    .or_default() += 1;
            }
        }
        let pooled: BTreeMap<usize, BTreeMap<String, String>> = languages
            .iter()
            .map(|(b, sizes)| (*b, pool_labels(sizes, min_n)))
            .collect();
        for &k in members {
            let found = place(k).and_then(|(s, a)| Some((s, block_of(s, a)?)));
            let Some((_, b)) = found else {
                out[k] = Some(Labels {
                    site: OTHER.into(),
                    period: OTHER.into(),
                    language: OTHER.into(),
                });
                continue;
            };
            let (block_sites, range) = &blocks[b];
            let size = grid.count(
                super::Measure::Responses,
                block_sites,
                &(0..axis.len())
                    .map(|i| range.contains(&i))
                    .collect::<Vec<_>>(),
            );
            let site = match block_sites.as_slice() {
                [one] if size >= min_n => sites[*one].clone(),
                _ => OTHER.to_string(),
            };
            out[k] = Some(Labels {
                site,
                period: period_label(&grid, block_sites, range.clone()),
                language: pooled
                    .get(&b)
                    .and_then(|m| m.get(&rows[k].1.language))
                    .cloned()
                    .unwrap_or_else(|| OTHER.into()),
            });
        }
    }
    out.into_iter()
        .map(|l| {
            l.unwrap_or_else(|| Labels {
                site: OTHER.into(),
                period: OTHER.into(),
                language: OTHER.into(),
            })
        })
        .collect()
}

/// The stored periods of a block that hold responses: `first`, or `first/last`.
fn period_label(grid: &Grid, sites: &[usize], range: std::ops::Range<usize>) -> String {
    let axis = grid.axis();
    let held: Vec<usize> = range
        .filter(|&a| {
            let mut only = vec![false; axis.len()];
            only[a] = true;
            grid.count(super::Measure::Responses, sites, &only) > 0
        })
        .collect();
    match (held.first(), held.last()) {
        (Some(&a), Some(&b)) if a != b => format!(
            "{}/{}",
            axis.period(a).map(|p| p.to_string()).unwrap_or_default(),
            axis.period(b).map(|p| p.to_string()).unwrap_or_default()
        ),
        (Some(&a), _) => axis.period(a).map(|p| p.to_string()).unwrap_or_default(),
        _ => OTHER.to_string(),
    }
}

#[cfg(test)]
mod tests;
