//! What the manager's screen shows: published summaries for one choice of filters, and the
//! filters themselves.

use crate::disclosure::{Span, Summary};
use crate::report::{ReportData, ReportOptions, Row};
use crate::stats::{Granularity, PeriodKey};

/// Which responses the screen summarises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// How trends are grouped in time, and what a chosen period is.
    pub granularity: Granularity,
    /// One period only, or every period (`None`).
    pub period: Option<PeriodKey>,
    /// One site only, or every site (`None`).
    pub site: Option<String>,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            granularity: Granularity::Month,
            period: None,
            site: None,
        }
    }
}

/// The granularities in order, finest first.
pub const GRANULARITIES: [Granularity; 3] =
    [Granularity::Week, Granularity::Month, Granularity::Quarter];

impl Filter {
    /// The same filter at granularity `g`; a chosen period is dropped, since it belongs to the old
    /// granularity.
    pub fn with_granularity(&self, g: Granularity) -> Filter {
        Filter {
            granularity: g,
            period: None,
            site: self.site.clone(),
        }
    }

    /// The report options for this filter: `base` (rule, survey, comment shuffle) with this
    /// filter's granularity, period and site.
    pub fn options(&self, base: &ReportOptions) -> ReportOptions {
        ReportOptions {
            granularity: self.granularity,
            period: self.period,
            site: self.site.clone(),
            ..base.clone()
        }
    }

    /// The granularity `by` steps coarser (negative: finer), wrapping round when `wrap` is set and
    /// otherwise stopping at week and quarter.
    pub fn granularity_step(&self, by: isize, wrap: bool) -> Granularity {
        let at = GRANULARITIES
            .iter()
            .position(|g| *g == self.granularity)
            .unwrap_or(1) as isize;
        let n = GRANULARITIES.len() as isize;
        let to = if wrap {
            (at + by).rem_euclid(n)
        } else {
            (at + by).clamp(0, n - 1)
        };
        GRANULARITIES[to as usize]
    }
}

/// Published figures for one filter: everything the screen may show, nothing it may not. The
/// screen shows exactly what `icare report` would for the same filter.
pub type Data = ReportData;

/// The period after `p` at the same granularity (`None` past the calendar's end).
pub fn next_period(p: PeriodKey) -> Option<PeriodKey> {
    use chrono::{Datelike, NaiveDate, Weekday};
    Some(match p {
        PeriodKey::Week { year, week } => {
            let monday = NaiveDate::from_isoywd_opt(year, u32::from(week), Weekday::Mon)?;
            let next = monday.checked_add_days(chrono::Days::new(7))?.iso_week();
            PeriodKey::Week {
                year: next.year(),
                week: u8::try_from(next.week()).ok()?,
            }
        }
        PeriodKey::Month { year, month } if month >= 12 => PeriodKey::Month {
            year: year.checked_add(1)?,
            month: 1,
        },
        PeriodKey::Month { year, month } => PeriodKey::Month {
            year,
            month: month + 1,
        },
        PeriodKey::Quarter { year, quarter } if quarter >= 4 => PeriodKey::Quarter {
            year: year.checked_add(1)?,
            quarter: 1,
        },
        PeriodKey::Quarter { year, quarter } => PeriodKey::Quarter {
            year,
            quarter: quarter + 1,
        },
    })
}

/// Most periods a timeline spans (about ten years of weeks): more is not a trend one can read.
const MAX_TIMELINE: usize = 520;

/// Every row of `trends` in time order, with the periods between rows that have no responses as
/// `None`, so a month with no responses shows as a gap rather than disappearing. A row of pooled
/// periods is one entry.
pub fn timeline(trends: &[Row]) -> Vec<(Span, Option<&Summary>)> {
    let mut out = Vec::new();
    let mut given = trends.iter().peekable();
    let Some(first) = trends.first() else {
        return out;
    };
    let mut at = first.span.first;
    let last = trends.last().map_or(at, |r| r.span.last);
    while out.len() < MAX_TIMELINE {
        let end = match given.next_if(|r| r.span.first == at) {
            Some(r) => {
                out.push((r.span, Some(&r.summary)));
                r.span.last
            }
            _ => {
                out.push((Span::one(at), None));
                at
            }
        };
        if end >= last {
            break;
        }
        match next_period(end) {
            Some(n) if n > end => at = n,
            _ => break,
        }
    }
    // Anything the walk could not reach (a key that is not a real date) is kept, in order.
    out.extend(given.map(|r| (r.span, Some(&r.summary))));
    out
}

#[cfg(test)]
pub(crate) mod fixture;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_period_crosses_years_and_long_iso_years() {
        let w = |year, week| PeriodKey::Week { year, week };
        assert_eq!(next_period(w(2026, 47)), Some(w(2026, 48)));
        assert_eq!(next_period(w(2020, 53)), Some(w(2021, 1)));
        assert_eq!(next_period(w(2025, 52)), Some(w(2026, 1)));
        assert_eq!(next_period(w(2025, 53)), None, "2025 has 52 weeks");
        let m = |year, month| PeriodKey::Month { year, month };
        assert_eq!(next_period(m(2026, 12)), Some(m(2027, 1)));
        let q = |year, quarter| PeriodKey::Quarter { year, quarter };
        assert_eq!(next_period(q(2026, 4)), Some(q(2027, 1)));
    }

    #[test]
    fn timeline_fills_months_without_responses_and_keeps_pooled_rows_whole() {
        let d = crate::manager::data::fixture::data();
        // The fixture's six March responses are pooled with May, across an empty April.
        let first = &d.trends[0];
        assert_eq!(first.span.to_string(), "2026-03 to 2026-05");
        let m = |month| PeriodKey::Month { year: 2026, month };
        let row = |a, b| Row {
            span: Span {
                first: m(a),
                last: m(b),
            },
            covers: first.covers.clone(),
            summary: first.summary.clone(),
        };
        let rows = [row(3, 3), row(5, 6), row(9, 9)];
        let t = timeline(&rows);
        let keys: Vec<String> = t.iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(
            keys,
            [
                "2026-03",
                "2026-04",
                "2026-05 to 2026-06",
                "2026-07",
                "2026-08",
                "2026-09"
            ]
        );
        assert!(t[1].1.is_none() && t[3].1.is_none() && t[2].1.is_some());
        assert!(timeline(&[]).is_empty());
    }
}
