//! Reporting periods: a response's week or month rolled up to week, month or quarter.

use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use crate::response::Period;

/// How coarsely to group responses in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Week,
    Month,
    Quarter,
}

/// A reporting period; ordered in time within one granularity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PeriodKey {
    /// ISO 8601 week.
    Week {
        year: i32,
        week: u8,
    },
    Month {
        year: i32,
        month: u8,
    },
    Quarter {
        year: i32,
        quarter: u8,
    },
}

impl fmt::Display for PeriodKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeriodKey::Week { year, week } => write!(f, "{year}-W{week:02}"),
            PeriodKey::Month { year, month } => write!(f, "{year}-{month:02}"),
            PeriodKey::Quarter { year, quarter } => write!(f, "{year}-Q{quarter}"),
        }
    }
}

/// The Thursday of an ISO week: the day that decides which month and year the week belongs to.
fn thursday(year: i32, week: u8) -> Option<NaiveDate> {
    NaiveDate::from_isoywd_opt(year, u32::from(week), Weekday::Thu)
}

impl PeriodKey {
    /// The period `period` falls in at granularity `g`. A week goes to the month (and quarter) of
    /// its Thursday. `None` when a month is asked for by week (it cannot be split) or the period
    /// is not a real date (week 53 of a 52-week year, month 13).
    pub fn of(period: Period, g: Granularity) -> Option<PeriodKey> {
        let (year, month) = match period {
            Period::Week { year, week } => {
                let thu = thursday(year, week)?;
                if g == Granularity::Week {
                    return Some(PeriodKey::Week { year, week });
                }
                (thu.year(), thu.month() as u8)
            }
            Period::Month { year, month } => {
                if !(1..=12).contains(&month) || g == Granularity::Week {
                    return None;
                }
                (year, month)
            }
        };
        Some(match g {
            Granularity::Week => return None,
            Granularity::Month => PeriodKey::Month { year, month },
            Granularity::Quarter => PeriodKey::Quarter {
                year,
                quarter: (month - 1) / 3 + 1,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(year: i32, week: u8) -> Period {
        Period::Week { year, week }
    }

    #[test]
    fn week_goes_to_the_month_of_its_thursday() {
        // 2026-W01 runs Mon 29 Dec 2025 – Sun 4 Jan 2026; its Thursday is 1 Jan 2026.
        assert_eq!(
            PeriodKey::of(week(2026, 1), Granularity::Month),
            Some(PeriodKey::Month {
                year: 2026,
                month: 1
            })
        );
        // 2020-W53: Thursday 31 Dec 2020.
        assert_eq!(
            PeriodKey::of(week(2020, 53), Granularity::Quarter),
            Some(PeriodKey::Quarter {
                year: 2020,
                quarter: 4
            })
        );
        // 2026-W14: Thursday 2 April 2026 → Q2.
        assert_eq!(
            PeriodKey::of(week(2026, 14), Granularity::Quarter),
            Some(PeriodKey::Quarter {
                year: 2026,
                quarter: 2
            })
        );
    }

    #[test]
    fn impossible_periods_are_none() {
        // 2025 has 52 ISO weeks (2026 has 53).
        assert_eq!(PeriodKey::of(week(2025, 53), Granularity::Week), None);
        assert!(PeriodKey::of(week(2026, 53), Granularity::Week).is_some());
        assert_eq!(PeriodKey::of(week(2026, 0), Granularity::Month), None);
        let m = Period::Month {
            year: 2026,
            month: 13,
        };
        assert_eq!(PeriodKey::of(m, Granularity::Month), None);
        let m = Period::Month {
            year: 2026,
            month: 11,
        };
        assert_eq!(PeriodKey::of(m, Granularity::Week), None);
        assert_eq!(
            PeriodKey::of(m, Granularity::Quarter),
            Some(PeriodKey::Quarter {
                year: 2026,
                quarter: 4
            })
        );
    }

    #[test]
    fn display_forms() {
        assert_eq!(
            PeriodKey::Week {
                year: 2026,
                week: 7
            }
            .to_string(),
            "2026-W07"
        );
        assert_eq!(
            PeriodKey::Month {
                year: 2026,
                month: 3
            }
            .to_string(),
            "2026-03"
        );
        assert_eq!(
            PeriodKey::Quarter {
                year: 2026,
                quarter: 1
            }
            .to_string(),
            "2026-Q1"
        );
    }
}
