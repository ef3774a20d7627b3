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

use std::fmt;

use chrono::{NaiveDate, Weekday};
use serde::Serialize;

use crate::response::Period;
use crate::stats::{Granularity, PeriodKey};

use super::FLOOR_MIN_N;

/// Where a stored period sits in time: its month and quarter, and where it sorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Placed {
    period: Period,
    month: PeriodKey,
    quarter: PeriodKey,
}

impl Placed {
    fn of(period: Period) -> Option<Placed> {
        Some(Placed {
            period,
            month: PeriodKey::of(period, Granularity::Month)?,
            quarter: PeriodKey::of(period, Granularity::Quarter)?,
        })
    }

    /// Sort order: by month, a month's weeks in order, then responses dated by the month itself.
    fn order(&self) -> (PeriodKey, u8, u8) {
        match self.period {
            Period::Week { week, .. } => (self.month, 0, week),
            Period::Month { .. } => (self.month, 1, 0),
        }
    }
}

/// The stored periods of a store in time order: the atoms the grid is made of. Periods that are
/// not real dates (week 53 of a 52-week year, month 13) are left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    atoms: Vec<Placed>,
}

impl Axis {
    /// The axis of these periods (duplicates and impossible periods dropped).
    pub fn new(periods: impl IntoIterator<Item = Period>) -> Axis {
        let mut atoms: Vec<Placed> = periods.into_iter().filter_map(Placed::of).collect();
        atoms.sort_by_key(Placed::order);
        atoms.dedup();
        Axis { atoms }
    }

    /// Number of stored periods.
    pub fn len(&self) -> usize {
        self.atoms.len()
    }

    /// Whether the axis has no period.
    pub fn is_empty(&self) -> bool {
        self.atoms.is_empty()
    }

    /// The position of a stored period, `None` when it is not a real date.
    pub fn index(&self, p: Period) -> Option<usize> {
        let placed = Placed::of(p)?;
        self.atoms
            .binary_search_by_key(&placed.order(), Placed::order)
            .ok()
    }

    /// The stored period at position `i`.
    pub fn period(&self, i: usize) -> Option<Period> {
        self.atoms.get(i).map(|a| a.period)
    }

    /// The reporting period of position `i` at granularity `g` (`None`: a month-dated response
    /// has no week).
    pub fn key(&self, i: usize, g: Granularity) -> Option<PeriodKey> {
        PeriodKey::of(self.atoms.get(i)?.period, g)
    }

    /// How strong the boundary after position `i` is: 0 inside a month, 1 between months of a
    /// quarter, 2 between quarters of a year, 3 between years. Weak boundaries go first when blocks
    /// merge, so blocks keep to whole months and quarters where they can.
    fn strength(&self, i: usize) -> u8 {
        let (Some(a), Some(b)) = (self.atoms.get(i), self.atoms.get(i + 1)) else {
            return 3;
        };
        let year = |k: PeriodKey| match k {
            PeriodKey::Week { year, .. }
            | PeriodKey::Month { year, .. }
            | PeriodKey::Quarter { year, .. } => year,
        };
        if a.month == b.month {
            0
        } else if a.quarter == b.quarter {
            1
        } else if year(a.quarter) == year(b.quarter) {
            2
        } else {
            3
        }
    }

    /// Positions whose stored period overlaps `from..=to` (whole days).
    pub fn overlapping(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Vec<bool> {
        self.atoms
            .iter()
            .map(|a| {
                let Some((first, last)) = days(a.period) else {
                    return false;
                };
                from.is_none_or(|f| last >= f) && to.is_none_or(|t| first <= t)
            })
            .collect()
    }
}

/// First and last day of a stored period; `None` for a period that is not a real date.
pub fn days(p: Period) -> Option<(NaiveDate, NaiveDate)> {
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

/// First and last day of a reporting period.
pub fn key_days(k: PeriodKey) -> Option<(NaiveDate, NaiveDate)> {
    match k {
        PeriodKey::Week { year, week } => days(Period::Week { year, week }),
        PeriodKey::Month { year, month } => days(Period::Month { year, month }),
        PeriodKey::Quarter { year, quarter } => {
            let first = NaiveDate::from_ymd_opt(year, u32::from(quarter) * 3 - 2, 1)?;
            let next = first.checked_add_months(chrono::Months::new(3))?;
            Some((first, next.pred_opt()?))
        }
    }
}

/// The reporting periods a row of figures covers: one period, or several pooled because one of
/// them alone would hold too few respondents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub first: PeriodKey,
    pub last: PeriodKey,
}

impl Span {
    /// A span of one period.
    pub fn one(p: PeriodKey) -> Span {
        Span { first: p, last: p }
    }

    /// Whether the span is more than one period.
    pub fn is_pooled(&self) -> bool {
        self.first != self.last
    }

    /// Whether `p` falls in the span.
    pub fn contains(&self, p: PeriodKey) -> bool {
        self.first <= p && p <= self.last
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_pooled() {
            write!(f, "{} to {}", self.first, self.last)
        } else {
            write!(f, "{}", self.first)
        }
    }
}

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

/// A set of sites whose figures are only ever published together, with its time cut into blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    sites: Vec<usize>,
    /// `cuts[i]`: whether a block ends after position `i`.
    cuts: Vec<bool>,
}

impl Group {
    /// The blocks as position ranges (every position in exactly one block).
    fn blocks(&self) -> Vec<std::ops::Range<usize>> {
        let n = self.cuts.len() + 1;
        let mut out = Vec::new();
        let mut start = 0;
        for i in 0..n {
            if i + 1 == n || self.cuts[i] {
                out.push(start..i + 1);
                start = i + 1;
            }
        }
        out
    }

    fn total(&self, counts: &[Vec<u64>], range: std::ops::Range<usize>) -> u64 {
        self.sites
            .iter()
            .map(|&s| counts[s][range.clone()].iter().sum::<u64>())
            .sum()
    }
}

/// One measure's partition of the (site, stored period) cells into blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    groups: Vec<Group>,
}

impl Layout {
    /// Every site alone, every stored period its own block.
    fn finest(sites: usize, atoms: usize) -> Layout {
        Layout {
            groups: (0..sites)
                .map(|s| Group {
                    sites: vec![s],
                    cuts: vec![true; atoms.saturating_sub(1)],
                })
                .collect(),
        }
    }

    /// The finest layout coarser than both `self` and `other`: groups that share a site merge,
    /// and a boundary stays only where every merged group had one.
    fn join(&self, other: &Layout) -> Layout {
        let mut groups: Vec<Group> = Vec::new();
        for g in self.groups.iter().chain(&other.groups) {
            let mut merged = g.clone();
            let mut k = 0;
            while k < groups.len() {
                if groups[k].sites.iter().any(|s| merged.sites.contains(s)) {
                    let other = groups.swap_remove(k);
                    merge_into(&mut merged, &other);
                    k = 0;
                } else {
                    k += 1;
                }
            }
            groups.push(merged);
        }
        groups.sort_by_key(|g| g.sites.first().copied());
        Layout { groups }
    }

    /// One step of the chain at threshold `t`: pool site groups with fewer than `t` (adding the
    /// smallest other group while the pool is still too small), then merge each group's blocks
    /// below `t` into a neighbour.
    fn step(&mut self, axis: &Axis, counts: &[Vec<u64>], t: u64) {
        let all = 0..axis.len();
        let totals: Vec<u64> = self
            .groups
            .iter()
            .map(|g| g.total(counts, all.clone()))
            .collect();
        let small: Vec<usize> = (0..self.groups.len())
            .filter(|&k| (1..t).contains(&totals[k]))
            .collect();
        if !small.is_empty() {
            let mut pool: Vec<usize> = small;
            let mut size: u64 = pool.iter().map(|&k| totals[k]).sum();
            while size < t {
                let next = (0..self.groups.len())
                    .filter(|k| !pool.contains(k) && totals[*k] > 0)
                    .min_by_key(|&k| (totals[k], k));
                match next {
                    Some(k) => {
                        pool.push(k);
                        size += totals[k];
                    }
                    None => break,
                }
            }
            if pool.len() > 1 {
                pool.sort_unstable();
                let mut merged = self.groups[pool[0]].clone();
                for &k in &pool[1..] {
                    merge_into(&mut merged, &self.groups[k]);
                }
                let mut k = 0;
                self.groups.retain(|_| {
                    let keep = !pool.contains(&k);
                    k += 1;
                    keep
                });
                self.groups.push(merged);
                self.groups.sort_by_key(|g| g.sites.first().copied());
            }
        }
        for g in &mut self.groups {
            coarsen(axis, g, counts, t);
        }
    }

    /// The smallest non-empty block, when any block could still merge (more than one non-empty
    /// block in the layout).
    fn smallest(&self, counts: &[Vec<u64>]) -> Option<u64> {
        let sizes: Vec<u64> = self
            .groups
            .iter()
            .flat_map(|g| g.blocks().into_iter().map(|b| g.total(counts, b)))
            .filter(|&n| n > 0)
            .collect();
        if sizes.len() < 2 {
            return None;
        }
        sizes.into_iter().min()
    }

    /// The group holding `site`.
    fn group_of(&self, site: usize) -> Option<&Group> {
        self.groups.iter().find(|g| g.sites.contains(&site))
    }
}

fn merge_into(into: &mut Group, other: &Group) {
    into.sites.extend(&other.sites);
    into.sites.sort_unstable();
    into.sites.dedup();
    for (a, b) in into.cuts.iter_mut().zip(&other.cuts) {
        *a = *a && *b;
    }
}

/// Merge blocks of `g` below `t` into a neighbour until none is left (or one block remains): the
/// smallest first, into the neighbour across the weakest boundary, the smaller one on a tie.
fn coarsen(axis: &Axis, g: &mut Group, counts: &[Vec<u64>], t: u64) {
    loop {
        let blocks: Vec<(std::ops::Range<usize>, u64)> = g
            .blocks()
            .into_iter()
            .map(|b| {
                let n = g.total(counts, b.clone());
                (b, n)
            })
            .filter(|(_, n)| *n > 0)
            .collect();
        if blocks.len() < 2 {
            return;
        }
        let Some(k) = (0..blocks.len())
            .filter(|&k| blocks[k].1 < t)
            .min_by_key(|&k| (blocks[k].1, k))
        else {
            return;
        };
        // The boundary between two non-empty blocks is as strong as the strongest cut between them.
        let between = |a: usize, b: usize| -> u8 {
            (blocks[a].0.end - 1..blocks[b].0.start)
                .map(|i| axis.strength(i))
                .max()
                .unwrap_or(0)
        };
        let left = k.checked_sub(1).map(|l| (between(l, k), blocks[l].1, 0, l));
        let right = (k + 1 < blocks.len()).then(|| (between(k, k + 1), blocks[k + 1].1, 1, k + 1));
        let Some((_, _, _, with)) = [left, right].into_iter().flatten().min() else {
            return;
        };
        let (a, b) = if with < k { (with, k) } else { (k, with) };
        for i in blocks[a].0.end - 1..blocks[b].0.start {
            g.cuts[i] = false;
        }
    }
}

/// A row of published figures: whole stored periods of one or more site groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The reporting periods it covers; `None` when none of its stored periods has a period at
    /// the granularity (month-dated responses in a report by week).
    pub span: Option<Span>,
    /// Positions on the axis.
    pub atoms: Vec<bool>,
}

/// A block: its sites and positions.
type Block = (Vec<usize>, std::ops::Range<usize>);

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

fn list_blocks(layout: &Layout) -> Vec<Block> {
    layout
        .groups
        .iter()
        .flat_map(|g| g.blocks().into_iter().map(|b| (g.sites.clone(), b)))
        .collect()
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

/// Whether the cells `sites` × `atoms` are a union of whole blocks of `layout` (empty cells do
/// not count: they hold nobody).
fn is_union(blocks: &[Block], counts: &[Vec<u64>], sites: &[bool], atoms: &[bool]) -> bool {
    for (group, b) in blocks {
        {
            let (mut inside, mut outside) = (false, false);
            for &s in group {
                for a in b.clone() {
                    if counts[s][a] == 0 {
                        continue;
                    }
                    if sites[s] && atoms[a] {
                        inside = true;
                    } else {
                        outside = true;
                    }
                }
            }
            if inside && outside {
                return false;
            }
        }
    }
    true
}

fn close(
    axis: &Axis,
    layout: &Layout,
    counts: &[Vec<u64>],
    sites: &[bool],
    g: Granularity,
    atoms: &[bool],
) -> Vec<bool> {
    let mut out = atoms.to_vec();
    loop {
        let before = out.clone();
        // Whole periods at g.
        let keys: Vec<PeriodKey> = (0..axis.len())
            .filter(|&i| out[i])
            .filter_map(|i| axis.key(i, g))
            .collect();
        for (i, slot) in out.iter_mut().enumerate() {
            if axis.key(i, g).is_some_and(|k| keys.contains(&k)) {
                *slot = true;
            }
        }
        // Whole blocks of every group with a selected site.
        for grp in layout
            .groups
            .iter()
            .filter(|x| x.sites.iter().any(|&s| sites[s]))
        {
            for b in grp.blocks() {
                let touched = b
                    .clone()
                    .any(|a| out[a] && grp.sites.iter().any(|&s| sites[s] && counts[s][a] > 0));
                if touched {
                    for a in b {
                        out[a] = true;
                    }
                }
            }
        }
        if out == before {
            return out;
        }
    }
}

fn rows(axis: &Axis, layout: &Layout, sites: &[bool], g: Granularity, atoms: &[bool]) -> Vec<Row> {
    // Join positions that share a period at g or a block of a group with a selected site; rows
    // are then the runs that no period or block spans.
    let n = axis.len();
    let mut joined: Vec<bool> = (1..n)
        .map(|i| matches!((axis.key(i - 1, g), axis.key(i, g)), (Some(a), Some(b)) if a == b))
        .collect();
    for grp in layout
        .groups
        .iter()
        .filter(|x| x.sites.iter().any(|&s| sites[s]))
    {
        for (i, cut) in grp.cuts.iter().enumerate() {
            if !cut {
                joined[i] = true;
            }
        }
    }
    let mut out = Vec::new();
    let mut current: Vec<bool> = vec![false; n];
    let mut any = false;
    for i in 0..n {
        if atoms[i] {
            current[i] = true;
            any = true;
        }
        if i + 1 == n || !joined[i] {
            if any {
                let keys: Vec<PeriodKey> = (0..n)
                    .filter(|&k| current[k])
                    .filter_map(|k| axis.key(k, g))
                    .collect();
                let span = match (keys.iter().min(), keys.iter().max()) {
                    (Some(a), Some(b)) => Some(Span {
                        first: *a,
                        last: *b,
                    }),
                    _ => None,
                };
                out.push(Row {
                    span,
                    atoms: std::mem::replace(&mut current, vec![false; n]),
                });
            } else {
                current = vec![false; n];
            }
            any = false;
        }
    }
    out
}

#[cfg(test)]
mod tests;
