//! Period labels as people read them: "week of 30 Nov 2026", "November 2026", "October to
//! December 2026", with "(so far)" for a period still under way.

use chrono::{Datelike, Months, NaiveDate};

use super::PeriodKey;

/// How long a period label is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// For headings and sentences: "week of 30 Nov 2026", "November 2026", "October to December
    /// 2026".
    Long,
    /// For tight places (a chart's axis, a list of figures): "30 Nov", "Nov 2026", "Oct–Dec 2026".
    Short,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A month's name, in full or its first three letters.
fn month_name(month: u32, form: Form) -> &'static str {
    let name = MONTHS
        .get(month.wrapping_sub(1) as usize)
        .copied()
        .unwrap_or("?");
    match form {
        Form::Long => name,
        Form::Short => name.get(..3).unwrap_or(name),
    }
}

/// "30 Nov 2026", or "30 Nov" without the year.
fn day(d: NaiveDate, year: bool) -> String {
    let m = month_name(d.month(), Form::Short);
    if year {
        format!("{} {m} {}", d.day(), d.year())
    } else {
        format!("{} {m}", d.day())
    }
}

/// "November 2026" to "December 2026" as people write it: "November to December 2026", or with
/// both years when they differ; in the short form with an en dash and three-letter names.
fn month_range(a: NaiveDate, b: NaiveDate, form: Form) -> String {
    let (ma, mb) = (month_name(a.month(), form), month_name(b.month(), form));
    let sep = match form {
        Form::Long => " to ",
        Form::Short => "–",
    };
    if (a.year(), a.month()) == (b.year(), b.month()) {
        format!("{ma} {}", a.year())
    } else if a.year() == b.year() {
        format!("{ma}{sep}{mb} {}", b.year())
    } else {
        format!("{ma} {}{sep}{mb} {}", a.year(), b.year())
    }
}

/// The periods `first` to `last` (one period when they are equal; both of one granularity) as
/// people name them. A quarter is named by its months, since the NHS's financial quarters start in
/// April and "Q1" would be read both ways. The machine key (`PeriodKey`'s `Display`: `2026-W49`,
/// `2026-11`, `2026-Q4`) stays for files and options.
pub fn label(first: PeriodKey, last: PeriodKey, form: Form) -> String {
    let (Some(a), Some(b)) = (first.first_day(), last.first_day()) else {
        // Not a real date: the key is the only honest name.
        return if first == last {
            first.to_string()
        } else {
            format!("{first} to {last}")
        };
    };
    match (first, form) {
        (PeriodKey::Week { .. }, Form::Long) if first == last => {
            format!("week of {}", day(a, true))
        }
        (PeriodKey::Week { .. }, Form::Long) => {
            format!(
                "weeks of {} to {}",
                day(a, a.year() != b.year()),
                day(b, true)
            )
        }
        (PeriodKey::Week { .. }, Form::Short) if first == last => day(a, false),
        (PeriodKey::Week { .. }, Form::Short) if a.month() == b.month() => {
            format!("{}–{}", a.day(), day(b, false))
        }
        (PeriodKey::Week { .. }, Form::Short) => format!("{}–{}", day(a, false), day(b, false)),
        (PeriodKey::Month { .. }, _) => month_range(a, b, form),
        (PeriodKey::Quarter { .. }, _) => {
            let end = b.checked_add_months(Months::new(2)).unwrap_or(b);
            month_range(a, end, form)
        }
    }
}

/// What is added to the label of a period that has not ended yet.
pub const SO_FAR: &str = " (so far)";

/// Whether `today` falls within `first` to `last`: the figures are of a period still under way.
pub fn is_partial(first: PeriodKey, last: PeriodKey, today: NaiveDate) -> bool {
    match (first.first_day(), last.last_day()) {
        (Some(a), Some(b)) => a <= today && today <= b,
        _ => false,
    }
}

/// [`label`], with "(so far)" when the periods are still under way on `today`.
pub fn label_on(first: PeriodKey, last: PeriodKey, form: Form, today: NaiveDate) -> String {
    let mut s = label(first, last, form);
    if is_partial(first, last, today) {
        s.push_str(SO_FAR);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(year: i32, month: u8) -> PeriodKey {
        PeriodKey::Month { year, month }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn labels_read_as_people_name_periods() {
        let w = |week| PeriodKey::Week { year: 2026, week };
        let q = |year, quarter| PeriodKey::Quarter { year, quarter };
        let cases = [
            (w(49), w(49), "week of 30 Nov 2026", "30 Nov"),
            (w(47), w(49), "weeks of 16 Nov to 30 Nov 2026", "16–30 Nov"),
            (
                w(48),
                w(50),
                "weeks of 23 Nov to 7 Dec 2026",
                "23 Nov–7 Dec",
            ),
            (
                w(53),
                PeriodKey::Week {
                    year: 2027,
                    week: 1,
                },
                "weeks of 28 Dec 2026 to 4 Jan 2027",
                "28 Dec–4 Jan",
            ),
            (
                month(2026, 11),
                month(2026, 11),
                "November 2026",
                "Nov 2026",
            ),
            (
                month(2026, 10),
                month(2026, 11),
                "October to November 2026",
                "Oct–Nov 2026",
            ),
            (
                month(2025, 12),
                month(2026, 1),
                "December 2025 to January 2026",
                "Dec 2025–Jan 2026",
            ),
            (
                q(2026, 4),
                q(2026, 4),
                "October to December 2026",
                "Oct–Dec 2026",
            ),
            (
                q(2026, 3),
                q(2026, 4),
                "July to December 2026",
                "Jul–Dec 2026",
            ),
            (
                q(2026, 4),
                q(2027, 1),
                "October 2026 to March 2027",
                "Oct 2026–Mar 2027",
            ),
        ];
        for (a, b, long, short) in cases {
            assert_eq!(label(a, b, Form::Long), long);
            assert_eq!(label(a, b, Form::Short), short);
        }
        // Not a real date: the key.
        assert_eq!(label(w(0), w(0), Form::Long), "2026-W00");
    }

    #[test]
    fn a_period_under_way_says_so_and_a_finished_one_does_not() {
        let today = date(2026, 11, 30);
        assert_eq!(
            label_on(month(2026, 11), month(2026, 11), Form::Long, today),
            "November 2026 (so far)"
        );
        assert_eq!(
            label_on(month(2026, 10), month(2026, 11), Form::Long, today),
            "October to November 2026 (so far)"
        );
        assert_eq!(
            label_on(month(2026, 10), month(2026, 10), Form::Long, today),
            "October 2026"
        );
        let w49 = PeriodKey::Week {
            year: 2026,
            week: 49,
        };
        assert_eq!(
            label_on(w49, w49, Form::Long, today),
            "week of 30 Nov 2026 (so far)"
        );
        // On Sunday 6 December the week of 30 November (November's last) is still under way;
        // on Monday 7 December November is complete.
        assert!(is_partial(
            month(2026, 11),
            month(2026, 11),
            date(2026, 12, 6)
        ));
        assert!(!is_partial(
            month(2026, 11),
            month(2026, 11),
            date(2026, 12, 7)
        ));
        // A period that has not started is not "so far" (and no figures are ever dated in one).
        assert!(!is_partial(month(2026, 12), month(2026, 12), today));
    }
}
