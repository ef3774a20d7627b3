//! Disclosure control: what of the statistics may be shown without singling anyone out
//! (`docs/privacy.md`). Every rule lives here.
//!
//! Every figure a report, the manager's screen or the analyst export shows passes through here:
//! figures are published only for unions of whole blocks of the fixed [`grid`] (so no two outputs
//! can be subtracted down to fewer than the minimum), groups below the minimum size are suppressed
//! with a [`Reason`] and their size shown only as "fewer than 10" ([`Count`]), answer counts of 1–4
//! become `<5` with secondary suppression and the rest are rounded to 5 ([`protect()`]), comments
//! are released only for large enough blocks, shuffled, and small labels (a language, a site) are
//! pooled as "other" ([`pool_labels`]).

pub mod analyst;
pub mod grid;
pub mod protect;
pub mod summary;

use std::fmt;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::Serialize;

pub use grid::{Grid, Measure, Span};
pub use protect::{Cell, Protected, protect, round_to_5};
pub use summary::{Distribution, HeadlineSummary, ItemSummary, Summary, ThemeSummary, summarize};

/// The GP Patient Survey's minimum number of respondents for a published figure.
pub const DEFAULT_MIN_N: u64 = 10;
/// The lowest minimum a practice may configure.
pub const FLOOR_MIN_N: u64 = 5;
/// Least number of responses in a period before its comments are shown.
pub const COMMENT_MIN_RESPONSES: u64 = 10;

/// Why a disclosure rule cannot be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisclosureError {
    /// The configured minimum group size is below the floor of [`FLOOR_MIN_N`].
    #[error(
        "minimum group size {given} is too small: it must be at least {FLOOR_MIN_N} so that no patient can be singled out (the default is {DEFAULT_MIN_N})"
    )]
    MinNTooSmall { given: u64 },
}

/// The disclosure rule in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    min_n: u64,
}

impl Default for Rule {
    fn default() -> Self {
        Rule {
            min_n: DEFAULT_MIN_N,
        }
    }
}

impl Rule {
    /// A rule with a minimum group size of `min_n` (at least [`FLOOR_MIN_N`]).
    pub fn new(min_n: u64) -> Result<Rule, DisclosureError> {
        if min_n < FLOOR_MIN_N {
            return Err(DisclosureError::MinNTooSmall { given: min_n });
        }
        Ok(Rule { min_n })
    }

    /// Least number of respondents for any figure about a group.
    pub fn min_n(&self) -> u64 {
        self.min_n
    }

    /// Least number of responses in a period for its comments: the larger of
    /// [`COMMENT_MIN_RESPONSES`] and the minimum group size.
    pub fn comment_min(&self) -> u64 {
        self.min_n.max(COMMENT_MIN_RESPONSES)
    }
}

/// A published number of people: exact at or above the minimum group size, otherwise only
/// "fewer than" the minimum, so a count below it is never printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Count {
    /// The exact number (zero, or at least the minimum).
    Exact(u64),
    /// Between 1 and the minimum minus one.
    FewerThan(u64),
    /// Not shown: with other published figures it would reveal a group below the minimum.
    Hidden,
}

impl Count {
    /// `n` as published under a minimum of `min_n`.
    pub fn of(n: u64, min_n: u64) -> Count {
        if n == 0 || n >= min_n {
            Count::Exact(n)
        } else {
            Count::FewerThan(min_n)
        }
    }

    /// `n` as published when the figure it belongs to may be shown (`visible`), else hidden
    /// (still "fewer than" when it is below the minimum: that says nothing more).
    pub fn of_figure(n: u64, min_n: u64, visible: bool) -> Count {
        match Count::of(n, min_n) {
            Count::Exact(n) if !visible && n > 0 => Count::Hidden,
            c => c,
        }
    }

    /// The number, when it is published exactly.
    pub fn exact(self) -> Option<u64> {
        match self {
            Count::Exact(n) => Some(n),
            _ => None,
        }
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Count::Exact(n) => write!(f, "{n}"),
            Count::FewerThan(m) => write!(f, "fewer than {m}"),
            Count::Hidden => f.write_str("not shown"),
        }
    }
}

/// Why a figure is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// Fewer respondents than the minimum group size.
    TooFewRespondents { min_n: u64 },
    /// Showing it would let a reader work out a count below 5 inside the distribution.
    SmallCounts,
    /// With other published figures (another period, site or output) it would reveal a group
    /// below the minimum: the grid publishes it only pooled with its neighbour.
    Complementary { min_n: u64 },
    /// Fewer responses in the period than comments need.
    TooFewResponsesForComments { min: u64 },
    /// Too few complete answers for internal consistency (alpha).
    TooFewForConsistency { min: u64 },
    /// The figure is not defined for this group (e.g. alpha of a one-item theme, or every answer
    /// the same).
    Undefined,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::TooFewRespondents { min_n } => write!(
                f,
                "not shown: fewer than {min_n} respondents, too few to protect anonymity"
            ),
            Reason::SmallCounts => {
                f.write_str("not shown: it would reveal how fewer than 5 people answered")
            }
            Reason::Complementary { min_n } => write!(
                f,
                "not shown on its own: set against other figures it would reveal fewer than {min_n} people (see the pooled figures)"
            ),
            Reason::TooFewResponsesForComments { min } => write!(
                f,
                "comments not shown: fewer than {min} responses in this period"
            ),
            Reason::TooFewForConsistency { min } => write!(
                f,
                "not shown: fewer than {min} complete answers, too few for a reliable figure"
            ),
            Reason::Undefined => f.write_str("not defined for this group"),
        }
    }
}

/// The label shown for a group too small to name.
pub const OTHER: &str = "other";

/// What each label (a language, a site) is published as: itself, or [`OTHER`] when its group
/// holds fewer than `min_n`. When the pooled "other" group would itself hold fewer than `min_n`,
/// the smallest named label joins it, and so on, so that every published label covers at least
/// `min_n` (or everyone, when there are fewer in all).
pub fn pool_labels(
    sizes: &std::collections::BTreeMap<String, u64>,
    min_n: u64,
) -> std::collections::BTreeMap<String, String> {
    let mut pooled: Vec<&String> = sizes
        .iter()
        .filter(|(_, n)| **n < min_n)
        .map(|(l, _)| l)
        .collect();
    if !pooled.is_empty() {
        let mut total: u64 = pooled.iter().map(|l| sizes[*l]).sum();
        let mut named: Vec<(&String, u64)> = sizes
            .iter()
            .filter(|(_, n)| **n >= min_n)
            .map(|(l, n)| (l, *n))
            .collect();
        named.sort_by_key(|(l, n)| (std::cmp::Reverse(*n), *l));
        while total < min_n {
            match named.pop() {
                Some((l, n)) => {
                    pooled.push(l);
                    total += n;
                }
                None => break,
            }
        }
    }
    sizes
        .keys()
        .map(|l| {
            let shown = if pooled.contains(&l) {
                OTHER
            } else {
                l.as_str()
            };
            (l.clone(), shown.to_string())
        })
        .collect()
}

/// The comments of one period that may be shown: all of them, in random order, when the period
/// has at least [`Rule::comment_min`] responses; otherwise the reason. Comments are shown apart
/// from the answers they came with, and shuffling removes their arrival order. Empty comments are
/// dropped. Pass a fresh random seed for screens; a fixed one makes a report reproducible.
pub fn select_comments(
    mut comments: Vec<String>,
    period_responses: u64,
    rule: &Rule,
    seed: u64,
) -> Result<Vec<String>, Reason> {
    let min = rule.comment_min();
    if period_responses < min {
        return Err(Reason::TooFewResponsesForComments { min });
    }
    comments.retain(|c| !c.trim().is_empty());
    comments.shuffle(&mut StdRng::seed_from_u64(seed));
    Ok(comments)
}

#[cfg(test)]
mod tests;
