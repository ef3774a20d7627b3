//! The fixed grid every published figure belongs to: sites pooled into site groups, and each site
//! group's time cut into blocks, so that every block holds at least the minimum number of
//! respondents. A figure or comment is published only for a union of whole blocks, so no
//! subtraction of published figures, from any outputs, can isolate fewer people than a block
//! holds (`docs/privacy.md`, "The grid").
//!
//! The grid is built from the stored periods (a response's week or month, the finest time it
//! carries), separately for each measure whose respondents differ (the group itself, the headline,
//! each theme and each item), and only from the data and the minimum: never from what a reader
//! asked for. Building it for a larger minimum only merges blocks of the grid for a smaller one, so
//! outputs made with different `--min-n` values protect at least the smallest of them.

mod axis;
mod layout;

pub use axis::{Axis, Span, days, key_days};
pub use layout::Row;

use layout::{Block, Layout, close, is_union, list_blocks, rows};

use super::FLOOR_MIN_N;
use crate::stats::Granularity;

/// What a figure counts, and so whose numbers decide where its blocks lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Measure {
    /// Everyone in the group: its size, answer distributions, comments.
    Responses,
    /// People who answered the headline question ("Don't know" included).
    Headline,
    /// People with a score for theme `t`.
    Theme(usize),
    /// People with a scored answer to item `i`.
    Item(usize),
}

/// How many people each measure counts, per site and stored period: `counts[measure][site][atom]`,
/// measures in the order of [`Populations::measures`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Populations {
    pub themes: usize,
    pub items: usize,
    /// `[measure][site][atom]`.
    pub counts: Vec<Vec<Vec<u64>>>,
}

impl Populations {
    /// Zero counts for `sites` × `atoms`.
    pub fn new(themes: usize, items: usize, sites: usize, atoms: usize) -> Populations {
        Populations {
            themes,
            items,
            counts: vec![vec![vec![0; atoms]; sites]; 2 + themes + items],
        }
    }

    /// The index of a measure in `counts`.
    pub fn index(&self, m: Measure) -> usize {
        match m {
            Measure::Responses => 0,
            Measure::Headline => 1,
            Measure::Theme(t) => 2 + t,
            Measure::Item(i) => 2 + self.themes + i,
        }
    }

    /// Every measure, in index order.
    pub fn measures(&self) -> Vec<Measure> {
        let mut out = vec![Measure::Responses, Measure::Headline];
        out.extend((0..self.themes).map(Measure::Theme));
        out.extend((0..self.items).map(Measure::Item));
        out
    }

    /// The counts of measure `m`, `[site][atom]`.
    pub fn of(&self, m: Measure) -> &[Vec<u64>] {
        &self.counts[self.index(m)]
    }

    /// Add `n` to measure `m` at a site and stored period.
    pub fn add(&mut self, m: Measure, site: usize, atom: usize, n: u64) {
        let k = self.index(m);
        if let Some(c) = self.counts[k].get_mut(site).and_then(|s| s.get_mut(atom)) {
            *c += n;
        }
    }
}

/// The grid of one survey's responses under one rule.
#[derive(Debug, Clone)]
pub struct Grid {
    axis: Axis,
    sites: Vec<String>,
    populations: Populations,
    min_n: u64,
    comment_min: u64,
    /// Per measure (in [`Populations::measures`] order), at `min_n`.
    layouts: Vec<Layout>,
    /// The blocks of each layout, listed once.
    blocks: Vec<Vec<Block>>,
    /// The group layout at `comment_min`.
    comments: Layout,
    comment_blocks: Vec<Block>,
}

impl Grid {
    /// Build the grid of `populations` (counted per site in `sites` and position of `axis`) for a
    /// minimum group size of `min_n` and a minimum of `comment_min` responses for comments.
    ///
    /// The chain runs from [`FLOOR_MIN_N`] up: at each threshold the group layout takes a step,
    /// then every other measure's layout joins it and takes its own step, so each layout is
    /// coarser than the group layout and than itself at every smaller threshold.
    pub fn build(
        axis: Axis,
        sites: Vec<String>,
        populations: Populations,
        min_n: u64,
        comment_min: u64,
    ) -> Grid {
        let measures = populations.measures();
        let finest = Layout::finest(sites.len(), axis.len());
        let mut group = finest.clone();
        let mut others: Vec<Layout> = vec![finest; measures.len() - 1];
        let target = min_n.max(comment_min);
        let mut at_min: Option<Vec<Layout>> = None;
        let mut at_comments: Option<Layout> = None;
        let mut t = FLOOR_MIN_N.min(min_n);
        loop {
            group.step(&axis, populations.of(Measure::Responses), t);
            if t <= min_n {
                for (layout, m) in others.iter_mut().zip(&measures[1..]) {
                    *layout = layout.join(&group);
                    layout.step(&axis, populations.of(*m), t);
                }
            }
            // Every layout is now settled for every threshold up to its smallest block.
            let mut settled = group
                .smallest(populations.of(Measure::Responses))
                .unwrap_or(u64::MAX);
            if t <= min_n {
                for (layout, m) in others.iter().zip(&measures[1..]) {
                    let s = layout.smallest(populations.of(*m)).unwrap_or(u64::MAX);
                    settled = settled.min(s);
                }
            }
            let settled = settled.max(t);
            if at_min.is_none() && (t..=settled).contains(&min_n) {
                let mut all = vec![group.clone()];
                all.extend(others.iter().cloned());
                at_min = Some(all);
            }
            if at_comments.is_none() && (t..=settled).contains(&comment_min) {
                at_comments = Some(group.clone());
            }
            if settled >= target || (at_min.is_some() && at_comments.is_some()) {
                break;
            }
            t = settled + 1;
        }
        let layouts = at_min.unwrap_or_else(|| {
            let mut all = vec![group.clone()];
            all.extend(others);
            all
        });
        let comments = at_comments.unwrap_or(group);
        Grid {
            blocks: layouts.iter().map(list_blocks).collect(),
            comment_blocks: list_blocks(&comments),
            axis,
            sites,
            populations,
            min_n,
            comment_min,
            layouts,
            comments,
        }
    }

    /// The axis the grid was built on.
    pub fn axis(&self) -> &Axis {
        &self.axis
    }

    /// The sites, in the order of every site index.
    pub fn sites(&self) -> &[String] {
        &self.sites
    }

    /// The minimum group size the grid was built for.
    pub fn min_n(&self) -> u64 {
        self.min_n
    }

    /// How many people measure `m` counts in the cells of `sites` × `atoms`.
    pub fn count(&self, m: Measure, sites: &[usize], atoms: &[bool]) -> u64 {
        let c = self.populations.of(m);
        sites
            .iter()
            .filter_map(|&s| c.get(s))
            .map(|row| {
                row.iter()
                    .zip(atoms)
                    .filter(|(_, a)| **a)
                    .map(|(n, _)| n)
                    .sum::<u64>()
            })
            .sum()
    }

    fn mask(&self, sites: &[usize]) -> Vec<bool> {
        let mut m = vec![false; self.sites.len()];
        for &s in sites {
            if let Some(slot) = m.get_mut(s) {
                *slot = true;
            }
        }
        m
    }

    /// The site groups of the group layout, as site indices.
    pub fn site_groups(&self) -> Vec<Vec<usize>> {
        self.layouts[0]
            .groups
            .iter()
            .map(|g| g.sites.clone())
            .collect()
    }

    /// The sites published together with `site` (itself, or its pool).
    pub fn site_group(&self, site: usize) -> Vec<usize> {
        self.layouts[0]
            .group_of(site)
            .map_or_else(|| vec![site], |g| g.sites.clone())
    }

    /// The blocks of the group layout: (sites, positions).
    pub fn blocks(&self) -> &[(Vec<usize>, std::ops::Range<usize>)] {
        &self.blocks[0]
    }

    /// Widen `atoms` (for the sites `sites`) to whole periods at `g` and whole blocks of the group
    /// layout, until both hold.
    pub fn close(&self, sites: &[usize], g: Granularity, atoms: &[bool]) -> Vec<bool> {
        let mask = self.mask(sites);
        close(
            &self.axis,
            &self.layouts[0],
            self.populations.of(Measure::Responses),
            &mask,
            g,
            atoms,
        )
    }

    /// The rows at granularity `g` for the sites `sites` within `atoms` (which [`Grid::close`]
    /// closed): whole periods, pooled where a block of the group layout spans two of them.
    pub fn rows(&self, sites: &[usize], g: Granularity, atoms: &[bool]) -> Vec<Row> {
        rows(&self.axis, &self.layouts[0], &self.mask(sites), g, atoms)
    }

    /// The rows comments may come from: as [`Grid::rows`], over the blocks of the comment layout.
    pub fn comment_rows(&self, sites: &[usize], g: Granularity, atoms: &[bool]) -> Vec<Row> {
        rows(&self.axis, &self.comments, &self.mask(sites), g, atoms)
    }

    /// Whether figures of measure `m` may be published for the cells `sites` × `atoms`: they are a
    /// union of whole blocks of the measure's layout and count at least the minimum.
    pub fn shows(&self, m: Measure, sites: &[usize], atoms: &[bool]) -> bool {
        let counts = self.populations.of(m);
        let blocks = &self.blocks[self.populations.index(m)];
        is_union(blocks, counts, &self.mask(sites), atoms)
            && self.count(m, sites, atoms) >= self.min_n
    }

    /// Whether comments may be published for `sites` × `atoms`.
    pub fn shows_comments(&self, sites: &[usize], atoms: &[bool]) -> bool {
        let counts = self.populations.of(Measure::Responses);
        is_union(&self.comment_blocks, counts, &self.mask(sites), atoms)
            && self.count(Measure::Responses, sites, atoms) >= self.comment_min
    }
}

#[cfg(test)]
mod tests;
