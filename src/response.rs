//! A patient's anonymous response: exactly what is sealed, and nothing that could identify them.

use serde::{Deserialize, Serialize};

use crate::survey::SurveyHash;

/// The answer to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Answer {
    /// The patient moved on without answering.
    Skipped,
    /// "Does not apply".
    NotApplicable,
    /// A value of the item's scale.
    Value(i32),
}

/// A coarse period: the only time information a response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Period {
    /// ISO 8601 week (`2026-W47`).
    Week { year: i32, week: u8 },
    /// Calendar month (`2026-11`).
    Month { year: i32, month: u8 },
}

/// One patient's answers to one survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub survey_id: String,
    pub survey_hash: SurveyHash,
    /// Language the questions were shown in.
    pub language: String,
    pub period: Period,
    /// One answer per survey item, in the survey's item order.
    pub answers: Vec<Answer>,
    /// The headline question's answer (`Skipped` when the survey has none).
    pub headline: Answer,
    /// The free-text comment, already scrubbed of identifiers.
    pub comment: Option<String>,
}
