//! Disclosure control: what of the statistics may be shown without singling anyone out
//! (`docs/privacy.md`).
//!
//! Every figure a report or screen shows passes through here: groups below the minimum size are
//! suppressed with a [`Reason`], small counts become `<5` with secondary suppression
//! ([`protect()`]), and comments are released only for large enough periods, shuffled.

pub mod protect;
pub mod summary;

use std::fmt;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::Serialize;

pub use protect::{Cell, Protected, protect};
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

/// Why a figure is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// Fewer respondents than the minimum group size.
    TooFewRespondents { n: u64, min_n: u64 },
    /// Showing it would let a reader work out a count below 5.
    SmallCounts,
    /// Fewer responses in the period than comments need.
    TooFewResponsesForComments { responses: u64, min: u64 },
    /// Too few complete answers for internal consistency (alpha).
    TooFewForConsistency { n: u64, min: u64 },
    /// The figure is not defined for this group (e.g. alpha of a one-item theme, or every answer
    /// the same).
    Undefined,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::TooFewRespondents { n, min_n } => write!(
                f,
                "not shown: {n} respondents, fewer than the {min_n} needed to protect anonymity"
            ),
            Reason::SmallCounts => {
                f.write_str("not shown: it would reveal how fewer than 5 people answered")
            }
            Reason::TooFewResponsesForComments { responses, min } => write!(
                f,
                "comments not shown: {responses} responses in this period, fewer than {min}"
            ),
            Reason::TooFewForConsistency { n, min } => write!(
                f,
                "not shown: {n} complete answers, fewer than the {min} needed for a reliable figure"
            ),
            Reason::Undefined => f.write_str("not defined for this group"),
        }
    }
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
        return Err(Reason::TooFewResponsesForComments {
            responses: period_responses,
            min,
        });
    }
    comments.retain(|c| !c.trim().is_empty());
    comments.shuffle(&mut StdRng::seed_from_u64(seed));
    Ok(comments)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod differencing_tests;
