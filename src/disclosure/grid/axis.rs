//! The time axis of the grid: a store's stored periods in order, with the month and quarter each
//! belongs to, and the spans of reporting periods a row of figures covers.

use std::fmt;

use chrono::{NaiveDate, Weekday};
use serde::Serialize;

use crate::response::Period;
use crate::stats::{Granularity, PeriodKey};

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
    pub(super) fn strength(&self, i: usize) -> u8 {
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
