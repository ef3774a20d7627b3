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

/// Which kind of period a store records: ISO weeks (the default) or calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    /// ISO 8601 weeks (`2026-W47`).
    #[default]
    Week,
    /// Calendar months (`2026-11`).
    Month,
}

impl Period {
    /// The period of `kind` that contains `date`.
    pub fn of_date(kind: PeriodKind, date: chrono::NaiveDate) -> Period {
        use chrono::Datelike;
        match kind {
            PeriodKind::Week => {
                let w = date.iso_week();
                // ISO weeks run 1..=53, so the cast cannot truncate.
                Period::Week {
                    year: w.year(),
                    week: w.week() as u8,
                }
            }
            PeriodKind::Month => Period::Month {
                year: date.year(),
                month: date.month() as u8,
            },
        }
    }

    /// Whether this is a week or a month.
    pub fn kind(&self) -> PeriodKind {
        match self {
            Period::Week { .. } => PeriodKind::Week,
            Period::Month { .. } => PeriodKind::Month,
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Week { year, week } => write!(f, "{year:04}-W{week:02}"),
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
        }
    }
}

impl std::fmt::Display for PeriodKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn period_of_date_uses_iso_weeks_and_months() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 19).unwrap();
        assert_eq!(Period::of_date(PeriodKind::Week, d).to_string(), "2026-W47");
        assert_eq!(Period::of_date(PeriodKind::Month, d).to_string(), "2026-11");
        // 1 January 2027 is a Friday: it belongs to ISO week 53 of 2026.
        let d = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(Period::of_date(PeriodKind::Week, d).to_string(), "2026-W53");
    }
}
