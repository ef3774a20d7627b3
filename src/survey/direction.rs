//! Which way a scale runs, and the order the kiosk shows its points in: the least positive answer
//! on key 1 and the most positive on the highest scored key, on every scale, so a number key means
//! the same thing on every question (docs/questionnaire.md, "One direction").
//!
//! A scale's good end is read from its `positive = true` points. The stored values never change:
//! the Friends and Family Test keeps 1 = "Very good" as published, and reports keep the published
//! order; only the kiosk's display order is turned round.

use super::{Scale, ScalePoint};

/// Where a scale's positive answers are, among its scored points ordered by value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The positive points are the highest values (agreement: 4 "Agree", 5 "Strongly agree").
    GoodHigh,
    /// The positive points are the lowest values (the FFT: 1 "Very good", 2 "Good").
    GoodLow,
    /// No point, every point, or points in the middle or at both ends are positive: the good end
    /// cannot be told, so the kiosk shows the scale as written.
    Unclear,
}

/// The direction of `scale` (see [`Direction`]).
pub fn direction(scale: &Scale) -> Direction {
    let mut scored: Vec<&ScalePoint> = scale.scored_points().collect();
    scored.sort_by_key(|p| p.value);
    let flags: Vec<bool> = scored.iter().map(|p| p.positive).collect();
    classify(&flags)
}

/// The direction of a run of scored points in value order, given as their `positive` flags.
pub fn classify(flags: &[bool]) -> Direction {
    let n = flags.len();
    let k = flags.iter().filter(|f| **f).count();
    if k == 0 || k == n {
        Direction::Unclear
    } else if flags[n - k..].iter().all(|f| *f) {
        Direction::GoodHigh
    } else if flags[..k].iter().all(|f| *f) {
        Direction::GoodLow
    } else {
        Direction::Unclear
    }
}

/// The points in the order the kiosk shows and numbers them from 1: the scored points from the
/// least to the most positive (by value, turned round when the good end has the low values), then
/// any "Don't know" point.
pub fn display_order(scale: &Scale) -> Vec<&ScalePoint> {
    let mut scored: Vec<&ScalePoint> = scale.scored_points().collect();
    scored.sort_by_key(|p| p.value);
    if direction(scale) == Direction::GoodLow {
        scored.reverse();
    }
    scored.extend(scale.points.iter().filter(|p| p.dont_know));
    scored
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::Text;

    fn scale(points: &[(i32, bool, bool)]) -> Scale {
        Scale {
            id: "s".into(),
            not_applicable: false,
            skip: false,
            points: points
                .iter()
                .map(|&(value, positive, dont_know)| ScalePoint {
                    value,
                    label: Text(Default::default()),
                    positive,
                    dont_know,
                })
                .collect(),
        }
    }

    fn values(s: &Scale) -> Vec<i32> {
        display_order(s).iter().map(|p| p.value).collect()
    }

    #[test]
    fn agreement_runs_as_written_and_the_fft_is_turned_round() {
        let agree = scale(&[
            (1, false, false),
            (2, false, false),
            (3, false, false),
            (4, true, false),
            (5, true, false),
        ]);
        assert_eq!(direction(&agree), Direction::GoodHigh);
        assert_eq!(values(&agree), [1, 2, 3, 4, 5]);
        let fft = scale(&[
            (1, true, false),
            (2, true, false),
            (3, false, false),
            (4, false, false),
            (5, false, false),
            (6, false, true),
        ]);
        assert_eq!(direction(&fft), Direction::GoodLow);
        assert_eq!(values(&fft), [5, 4, 3, 2, 1, 6], "Don't know stays last");
    }

    #[test]
    fn scales_without_one_good_end_are_unclear_and_shown_as_written() {
        for flags in [
            &[false, false, false][..],
            &[true, true, true],
            &[false, true, false],
            &[true, false, true],
            &[],
        ] {
            assert_eq!(classify(flags), Direction::Unclear, "{flags:?}");
        }
        let middle = scale(&[(1, false, false), (2, true, false), (3, false, false)]);
        assert_eq!(values(&middle), [1, 2, 3]);
    }

    #[test]
    fn dont_know_is_never_counted_as_an_end() {
        // "Don't know" first in the file, positive points low: still turned round, Don't know last.
        let s = scale(&[(0, false, true), (1, true, false), (2, false, false)]);
        assert_eq!(direction(&s), Direction::GoodLow);
        assert_eq!(values(&s), [2, 1, 0]);
    }
}
