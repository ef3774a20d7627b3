//! Small-count protection of one distribution: primary suppression of counts 1–4 and secondary
//! suppression so that no hidden count follows from the published totals and the shown cells.
//!
//! Model of what a reader knows: the row total, each published subtotal, every shown cell, that a
//! `<5` cell holds 1–4 and that a cell hidden to protect another holds at least 5 (the rule only
//! ever picks such cells). A hidden cell is *exposed* when these facts leave it one possible value.

use serde::Serialize;

/// One published count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    /// The exact count.
    Shown(u64),
    /// A count from 1 to 4, shown as `<5`.
    Small,
    /// Hidden so that a small count elsewhere cannot be worked out.
    Suppressed,
}

impl Cell {
    /// The count when shown.
    pub fn shown(self) -> Option<u64> {
        match self {
            Cell::Shown(n) => Some(n),
            _ => None,
        }
    }

    /// Whether the cell hides its count.
    pub fn is_hidden(self) -> bool {
        !matches!(self, Cell::Shown(_))
    }
}

/// Largest count shown as `<5`.
pub const SMALL_MAX: u64 = 4;

/// The range of values a hidden cell may hold, as the reader knows it.
fn bounds(cell: Cell, total: u64, any_small: bool) -> (i128, i128) {
    match cell {
        Cell::Shown(n) => (i128::from(n), i128::from(n)),
        Cell::Small => (1, i128::from(SMALL_MAX)),
        Cell::Suppressed if any_small => (i128::from(SMALL_MAX) + 1, i128::from(total)),
        Cell::Suppressed => (0, i128::from(total)),
    }
}

/// Whether some hidden cell among `cells` (whose counts add up to the published `subtotal`) has
/// only one possible value. `total` bounds every cell; `any_small` says whether the row shows `<5`.
pub(crate) fn exposed(cells: &[Cell], subtotal: u64, total: u64, any_small: bool) -> bool {
    let hidden: Vec<(i128, i128)> = cells
        .iter()
        .filter(|c| c.is_hidden())
        .map(|&c| bounds(c, total, any_small))
        .collect();
    if hidden.is_empty() {
        return false;
    }
    if hidden.len() == 1 {
        return true;
    }
    let shown: i128 = cells.iter().filter_map(|c| c.shown()).map(i128::from).sum();
    let rest = i128::from(subtotal) - shown;
    let (sum_lo, sum_hi): (i128, i128) = hidden
        .iter()
        .fold((0, 0), |(a, b), (lo, hi)| (a + lo, b + hi));
    hidden.iter().any(|&(lo, hi)| {
        let lo_eff = lo.max(rest - (sum_hi - hi));
        let hi_eff = hi.min(rest - (sum_lo - lo));
        lo_eff >= hi_eff
    })
}

/// Protect one group of counts whose sum is published; `None` when no choice of cells to hide
/// keeps every hidden count uncertain.
fn protect_group(counts: &[u64], total: u64) -> Option<Vec<Cell>> {
    let mut cells: Vec<Cell> = counts
        .iter()
        .map(|&c| {
            if (1..=SMALL_MAX).contains(&c) {
                Cell::Small
            } else {
                Cell::Shown(c)
            }
        })
        .collect();
    let subtotal: u64 = counts.iter().sum();
    loop {
        if !exposed(&cells, subtotal, total, true) {
            return Some(cells);
        }
        // Candidates: shown non-zero cells (all ≥ 5 here), smallest first.
        let mut candidates: Vec<usize> = (0..cells.len())
            .filter(|&i| matches!(cells[i], Cell::Shown(n) if n > SMALL_MAX))
            .collect();
        candidates.sort_by_key(|&i| (counts[i], i));
        let first = *candidates.first()?;
        let fixes = candidates.iter().copied().find(|&i| {
            let mut trial = cells.clone();
            trial[i] = Cell::Suppressed;
            !exposed(&trial, subtotal, total, true)
        });
        cells[fixes.unwrap_or(first)] = Cell::Suppressed;
    }
}

/// The protected form of a distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Protected {
    pub cells: Vec<Cell>,
    /// Index of the grouping whose subtotals may be published alongside the cells, `None` when
    /// only the row total may be.
    pub grouping: Option<usize>,
}

/// Protect a distribution whose total is published.
///
/// `groupings` lists, in order of preference, ways to split the cells into groups (a group number
/// per cell) whose subtotals the caller would like to publish too (e.g. positive answers, scored
/// answers). The first grouping under which every group can be protected is used; if none can, the
/// row is protected against its total alone, and if even that fails (or has a single hidden cell
/// with nothing to pair it with) every cell is suppressed.
pub fn protect(counts: &[u64], groupings: &[&[usize]]) -> Protected {
    let total: u64 = counts.iter().sum();
    for (g, grouping) in groupings.iter().enumerate() {
        if grouping.len() != counts.len() {
            continue;
        }
        if let Some(cells) = protect_grouped(counts, grouping, total) {
            return Protected {
                cells,
                grouping: Some(g),
            };
        }
    }
    let cells = match protect_group(counts, total) {
        Some(cells) => cells,
        None if counts.len() <= 1 => counts.iter().map(|&c| Cell::Shown(c)).collect(),
        None => vec![Cell::Suppressed; counts.len()],
    };
    Protected {
        cells,
        grouping: None,
    }
}

fn protect_grouped(counts: &[u64], grouping: &[usize], total: u64) -> Option<Vec<Cell>> {
    let mut cells = vec![Cell::Shown(0); counts.len()];
    let mut groups: Vec<usize> = grouping.to_vec();
    groups.sort_unstable();
    groups.dedup();
    for g in groups {
        let members: Vec<usize> = (0..counts.len()).filter(|&i| grouping[i] == g).collect();
        let sub: Vec<u64> = members.iter().map(|&i| counts[i]).collect();
        let protected = protect_group(&sub, total)?;
        for (&i, c) in members.iter().zip(protected) {
            cells[i] = c;
        }
    }
    Some(cells)
}

/// A count rounded to the nearest multiple of 5, as NHS England publishes counts: published
/// counts of different groups then cannot be subtracted to an exact small count. Apply it to the
/// cells [`protect()`] shows (5 and above; 1–4 is already `<5`); 0 stays 0.
pub fn round_to_5(n: u64) -> u64 {
    n.saturating_add(2) / 5 * 5
}

/// The protected cells with every shown count rounded by [`round_to_5`].
pub fn rounded(cells: Vec<Cell>) -> Vec<Cell> {
    cells
        .into_iter()
        .map(|c| match c {
            Cell::Shown(n) => Cell::Shown(round_to_5(n)),
            other => other,
        })
        .collect()
}
