//! Reporting periods: a response's week or month rolled up to week, month or quarter, and the
//! labels people read them by ("week of 30 Nov 2026", "November 2026", "October to December
//! 2026").
//!
//! A week belongs to the month (and quarter, and year) it **starts** in: the month of its Monday.
//! So a month, a quarter or a year has always begun by the time any of its weeks has, and no label
//! ever names a period that has not started. A month's figures then run from its first Monday (or
//! its first day, for a store that records months) to the Sunday after its last Monday.

mod label;

pub use label::{Form, SO_FAR, is_partial, label, label_on};

use std::fmt;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
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

impl Granularity {
    /// The word for one period: `week`, `month` or `quarter`.
    pub fn word(self) -> &'static str {
        match self {
            Granularity::Week => "week",
            Granularity::Month => "month",
            Granularity::Quarter => "quarter",
        }
    }

    /// A label of this granularity, for messages: `2026-W07`, `2026-03`, `2026-Q1`.
    pub fn example(self) -> &'static str {
        match self {
            Granularity::Week => "2026-W07",
            Granularity::Month => "2026-03",
            Granularity::Quarter => "2026-Q1",
        }
    }
}

/// Text that is not a period label of the granularity asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?}: not a {} like {}", granularity.word(), granularity.example())]
pub struct PeriodLabelError {
    /// The text given.
    pub text: String,
    /// The granularity it had to be a label of.
    pub granularity: Granularity,
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

/// The Monday of an ISO week: the day the week starts, which decides the month, quarter and year
/// the week belongs to.
fn monday(year: i32, week: u8) -> Option<NaiveDate> {
    NaiveDate::from_isoywd_opt(year, u32::from(week), Weekday::Mon)
}

impl PeriodKey {
    /// The period `period` falls in at granularity `g`. A week goes to the month (and quarter) it
    /// starts in, the month of its Monday. `None` when a month is asked for by week (it cannot be
    /// split) or the period is not a real date (week 53 of a 52-week year, month 13).
    pub fn of(period: Period, g: Granularity) -> Option<PeriodKey> {
        let (year, month) = match period {
            Period::Week { year, week } => {
                let mon = monday(year, week)?;
                if g == Granularity::Week {
                    return Some(PeriodKey::Week { year, week });
                }
                (mon.year(), mon.month() as u8)
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

    /// The period a label names at granularity `g`, as [`PeriodKey`]'s `Display` writes it
    /// (`2026-W07`, `2026-03`, `2026-Q1`): the inverse of `Display`.
    pub fn parse(s: &str, g: Granularity) -> Result<PeriodKey, PeriodLabelError> {
        let bad = || PeriodLabelError {
            text: s.to_string(),
            granularity: g,
        };
        let (year, rest) = s.split_once('-').ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        let key = match g {
            Granularity::Week => PeriodKey::Week {
                year,
                week: rest
                    .strip_prefix('W')
                    .and_then(|w| w.parse().ok())
                    .filter(|w| (1..=53).contains(w))
                    .ok_or_else(bad)?,
            },
            Granularity::Month => PeriodKey::Month {
                year,
                month: rest
                    .parse()
                    .ok()
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(bad)?,
            },
            Granularity::Quarter => PeriodKey::Quarter {
                year,
                quarter: rest
                    .strip_prefix('Q')
                    .and_then(|q| q.parse().ok())
                    .filter(|q| (1..=4).contains(q))
                    .ok_or_else(bad)?,
            },
        };
        Ok(key)
    }

    /// The granularity of the period.
    pub fn granularity(self) -> Granularity {
        match self {
            PeriodKey::Week { .. } => Granularity::Week,
            PeriodKey::Month { .. } => Granularity::Month,
            PeriodKey::Quarter { .. } => Granularity::Quarter,
        }
    }

    /// The first day of the period: a week's Monday, a month's or quarter's first day. `None` for
    /// a period that is not a real date.
    pub fn first_day(self) -> Option<NaiveDate> {
        match self {
            PeriodKey::Week { year, week } => monday(year, week),
            PeriodKey::Month { year, month } => NaiveDate::from_ymd_opt(year, u32::from(month), 1),
            PeriodKey::Quarter { year, quarter } => {
                NaiveDate::from_ymd_opt(year, u32::from(quarter).checked_mul(3)?.checked_sub(2)?, 1)
            }
        }
    }

    /// The last day a response counted in the period can come from: a week's Sunday; for a month
    /// or a quarter, the Sunday of the week that starts on its last Monday (that week belongs to
    /// it), which is never before its last calendar day.
    pub fn last_day(self) -> Option<NaiveDate> {
        let next_start = match self {
            PeriodKey::Week { year, week } => {
                return monday(year, week)?.checked_add_days(Days::new(6));
            }
            PeriodKey::Month { .. } => self.first_day()?.checked_add_months(Months::new(1))?,
            PeriodKey::Quarter { .. } => self.first_day()?.checked_add_months(Months::new(3))?,
        };
        // The last Monday before the next period starts, and that week's Sunday.
        let back = next_start.weekday().num_days_from_monday();
        let back = if back == 0 { 7 } else { back };
        next_start
            .checked_sub_days(Days::new(u64::from(back)))?
            .checked_add_days(Days::new(6))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(year: i32, week: u8) -> Period {
        Period::Week { year, week }
    }

    fn month(year: i32, month: u8) -> PeriodKey {
        PeriodKey::Month { year, month }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_label_reads_back_as_the_period_it_names_and_nothing_else_does() {
        let keys = [
            PeriodKey::Week {
                year: 2026,
                week: 7,
            },
            month(2026, 3),
            PeriodKey::Quarter {
                year: 2026,
                quarter: 1,
            },
        ];
        for key in keys {
            let g = key.granularity();
            assert_eq!(PeriodKey::parse(&key.to_string(), g), Ok(key));
            assert_eq!(PeriodKey::parse(g.example(), g), Ok(key));
        }
        for (text, g) in [
            ("2026-13", Granularity::Month),
            ("2026-W54", Granularity::Week),
            ("2026-Q5", Granularity::Quarter),
            ("2026-03", Granularity::Week),
            ("March", Granularity::Month),
            ("x-01", Granularity::Month),
        ] {
            assert!(PeriodKey::parse(text, g).is_err(), "{text}");
        }
        assert_eq!(
            PeriodKey::parse("2026-13", Granularity::Month)
                .unwrap_err()
                .to_string(),
            "\"2026-13\": not a month like 2026-03"
        );
    }

    #[test]
    fn a_week_goes_to_the_month_it_starts_in() {
        // 2026-W49 runs Mon 30 Nov – Sun 6 Dec 2026: November, not December (its Thursday's month),
        // so on Monday 30 November no label says December.
        assert_eq!(
            PeriodKey::of(week(2026, 49), Granularity::Month),
            Some(month(2026, 11))
        );
        // 2026-W01 runs Mon 29 Dec 2025 – Sun 4 Jan 2026: December 2025, the fourth quarter of 2025.
        assert_eq!(
            PeriodKey::of(week(2026, 1), Granularity::Month),
            Some(month(2025, 12))
        );
        assert_eq!(
            PeriodKey::of(week(2026, 1), Granularity::Quarter),
            Some(PeriodKey::Quarter {
                year: 2025,
                quarter: 4
            })
        );
        // 2026-W14: Monday 30 March 2026 → Q1 (its Thursday, 2 April, is in Q2).
        assert_eq!(
            PeriodKey::of(week(2026, 14), Granularity::Quarter),
            Some(PeriodKey::Quarter {
                year: 2026,
                quarter: 1
            })
        );
        // 2026-W50: Monday 7 December.
        assert_eq!(
            PeriodKey::of(week(2026, 50), Granularity::Month),
            Some(month(2026, 12))
        );
    }

    #[test]
    fn no_week_starts_before_its_month_or_ends_after_its_last_day() {
        // Every week of 2020 to 2030: its month has begun by its Monday, and the month's last
        // day (as figures count it) is on or after the week's Sunday.
        let mut d = date(2019, 12, 30);
        while d < date(2031, 1, 1) {
            let iso = d.iso_week();
            let w = week(iso.year(), iso.week() as u8);
            for g in [Granularity::Month, Granularity::Quarter] {
                let k = PeriodKey::of(w, g).unwrap();
                assert!(k.first_day().unwrap() <= d, "{w} in {k}");
                assert!(k.last_day().unwrap() >= d + Days::new(6), "{w} in {k}");
                assert!(
                    k.last_day().unwrap() - k.first_day().unwrap() < chrono::TimeDelta::days(100)
                );
            }
            d = d + Days::new(7);
        }
    }

    #[test]
    fn last_day_is_the_sunday_of_the_last_week_that_starts_in_the_period() {
        // November 2026's last Monday is the 30th: its figures run to Sunday 6 December.
        assert_eq!(month(2026, 11).last_day(), Some(date(2026, 12, 6)));
        // May 2026 ends on a Sunday: its last week ends with it.
        assert_eq!(month(2026, 5).last_day(), Some(date(2026, 5, 31)));
        let q4 = PeriodKey::Quarter {
            year: 2026,
            quarter: 4,
        };
        assert_eq!(q4.first_day(), Some(date(2026, 10, 1)));
        assert_eq!(q4.last_day(), Some(date(2027, 1, 3)));
        assert_eq!(
            PeriodKey::Week {
                year: 2026,
                week: 49
            }
            .last_day(),
            Some(date(2026, 12, 6))
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
