//! Layouts: one measure's partition of the (site, stored period) cells into site groups and,
//! within each, blocks; how a layout takes a step of the chain, and the queries every published
//! group must pass (whole blocks, rows, closing a selection).

use super::axis::{Axis, Span};
use crate::stats::{Granularity, PeriodKey};

/// A set of sites whose figures are only ever published together, with its time cut into blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Group {
    pub(super) sites: Vec<usize>,
    /// `cuts[i]`: whether a block ends after position `i`.
    cuts: Vec<bool>,
}

impl Group {
    /// The blocks as position ranges (every position in exactly one block).
    pub(super) fn blocks(&self) -> Vec<std::ops::Range<usize>> {
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
    pub(super) groups: Vec<Group>,
}

impl Layout {
    /// Every site alone, every stored period its own block.
    pub(super) fn finest(sites: usize, atoms: usize) -> Layout {
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
    pub(super) fn join(&self, other: &Layout) -> Layout {
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
    pub(super) fn step(&mut self, axis: &Axis, counts: &[Vec<u64>], t: u64) {
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
    pub(super) fn smallest(&self, counts: &[Vec<u64>]) -> Option<u64> {
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
    pub(super) fn group_of(&self, site: usize) -> Option<&Group> {
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

/// A block: its sites and positions.
pub(super) type Block = (Vec<usize>, std::ops::Range<usize>);

pub(super) fn list_blocks(layout: &Layout) -> Vec<Block> {
    layout
        .groups
        .iter()
        .flat_map(|g| g.blocks().into_iter().map(|b| (g.sites.clone(), b)))
        .collect()
}

/// Whether the cells `sites` × `atoms` are a union of whole blocks of `layout` (empty cells do
/// not count: they hold nobody).
pub(super) fn is_union(
    blocks: &[Block],
    counts: &[Vec<u64>],
    sites: &[bool],
    atoms: &[bool],
) -> bool {
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

pub(super) fn close(
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

pub(super) fn rows(
    axis: &Axis,
    layout: &Layout,
    sites: &[bool],
    g: Granularity,
    atoms: &[bool],
) -> Vec<Row> {
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

/// A row of published figures: whole stored periods of one or more site groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The reporting periods it covers; `None` when none of its stored periods has a period at
    /// the granularity (month-dated responses in a report by week).
    pub span: Option<Span>,
    /// Positions on the axis.
    pub atoms: Vec<bool>,
}
