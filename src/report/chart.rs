//! The picture of "where to act first" that the HTML report and the manager's screen both draw:
//! the same axes (score across, importance up), the same quadrants in the same corners, the same
//! numbering (each theme by its rank), and labels placed so that none hides another.

use crate::priority::{Quadrant, WhereToAct};

/// The ranges of the chart's axes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axes {
    /// Score (across): the ranked themes' scores in whole tens, with ten to spare either side,
    /// within 0–100.
    pub score: (f64, f64),
    /// Importance (up): from 0 to a little above the largest weight.
    pub importance: (f64, f64),
}

/// The axes for the ranked themes of `w`.
pub fn axes(w: &WhereToAct) -> Axes {
    let scores = w.ranked.iter().map(|p| p.score);
    let low = scores.clone().fold(100.0, f64::min);
    let high = scores.fold(0.0, f64::max);
    let (mut lo, mut hi) = if w.ranked.is_empty() {
        (0.0, 100.0)
    } else {
        (
            ((low / 10.0).floor() * 10.0 - 10.0).max(0.0),
            ((high / 10.0).ceil() * 10.0 + 10.0).min(100.0),
        )
    };
    // At least 30 points wide, so that a handful of close scores do not look far apart.
    while hi - lo < 30.0 {
        if lo > 0.0 {
            lo -= 10.0;
        }
        if hi - lo < 30.0 && hi < 100.0 {
            hi += 10.0;
        }
    }
    let top = w.ranked.iter().map(|p| p.importance).fold(0.0, f64::max);
    Axes {
        score: (lo, hi),
        importance: (0.0, if top > 0.0 { top * 1.12 } else { 1.0 }),
    }
}

/// Where each quadrant's name goes: (quadrant, at the top, at the left). Important themes are
/// at the top and low scores at the left, so "act first" is the top-left corner.
pub const CORNERS: [(Quadrant, bool, bool); 4] = [
    (Quadrant::ActFirst, true, true),
    (Quadrant::KeepUp, true, false),
    (Quadrant::Watch, false, true),
    (Quadrant::Maintain, false, false),
];

/// A box on a chart in the chart's own units (pixels or character cells), `x` to the right and
/// `y` downwards from its top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Box2 {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Box2 {
    fn overlaps(&self, o: &Box2) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    fn inside(&self, b: &Box2) -> bool {
        self.x >= b.x
            && self.y >= b.y
            && self.x + self.w <= b.x + b.w
            && self.y + self.h <= b.y + b.h
    }
}

/// A label to place: where it is wanted, and the region it must stay in (its quadrant, so that
/// moving it never puts it on the wrong side of a median).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Label {
    pub want: Box2,
    pub within: Box2,
}

impl Box2 {
    /// The box moved the least to lie inside `b` (its top-left corner, when it is larger).
    fn clamped(&self, b: &Box2) -> Box2 {
        Box2 {
            x: self.x.min(b.x + b.w - self.w).max(b.x),
            y: self.y.min(b.y + b.h - self.h).max(b.y),
            ..*self
        }
    }
}

/// Move each label as little as it can (in steps of `step`, up to `reach` steps each way) so
/// that it covers neither a box in `fixed` nor a label placed before it, staying inside its
/// region. Labels are placed in the order given (pass the most important first); a label with no
/// free place nearby stays at the nearest point of its region to where it was wanted.
pub fn place(labels: &[Label], fixed: &[Box2], step: (f64, f64), reach: i32) -> Vec<Box2> {
    let mut offsets: Vec<(i32, i32)> = (-reach..=reach)
        .flat_map(|i| (-reach..=reach).map(move |j| (i, j)))
        .collect();
    // Nearest first; across before up or down, since a chart's cells are taller than wide.
    offsets.sort_by_key(|&(i, j)| (i * i + 4 * j * j, j.abs(), i));
    let mut placed: Vec<Box2> = Vec::with_capacity(labels.len());
    for label in labels {
        let want = label.want.clamped(&label.within);
        let free = offsets.iter().find_map(|&(i, j)| {
            let b = Box2 {
                x: want.x + f64::from(i) * step.0,
                y: want.y + f64::from(j) * step.1,
                ..want
            };
            let clear =
                b.inside(&label.within) && !fixed.iter().chain(&placed).any(|o| o.overlaps(&b));
            clear.then_some(b)
        });
        placed.push(free.unwrap_or(want));
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priority::where_to_act;

    fn theme(id: &str, importance: f64, mean: f64) -> crate::disclosure::ThemeSummary {
        crate::priority::tests::theme(id, importance, Some(mean), false)
    }

    #[test]
    fn axes_span_the_scores_in_tens_with_room_either_side() {
        let w = where_to_act(&[theme("a", 10.0, 46.0), theme("b", 219.0, 85.0)]);
        let a = axes(&w);
        assert_eq!(a.score, (30.0, 100.0));
        assert!((a.importance.1 - 219.0 * 1.12).abs() < 1e-9);
        // Close scores still get an axis 30 points wide.
        let w = where_to_act(&[theme("a", 10.0, 61.0), theme("b", 20.0, 62.0)]);
        assert_eq!(axes(&w).score, (50.0, 80.0));
        let w = where_to_act(&[theme("a", 10.0, 99.0), theme("b", 20.0, 98.0)]);
        assert_eq!(axes(&w).score, (70.0, 100.0));
        assert_eq!(axes(&where_to_act(&[])).score, (0.0, 100.0));
    }

    #[test]
    fn labels_on_the_same_spot_are_moved_apart_and_stay_inside() {
        let b = |x, y| Box2 {
            x,
            y,
            w: 2.0,
            h: 1.0,
        };
        let bounds = Box2 {
            x: 0.0,
            y: 0.0,
            w: 20.0,
            h: 10.0,
        };
        let corner = b(0.0, 0.0);
        let labels: Vec<Label> = [
            b(5.0, 5.0),
            b(5.0, 5.0),
            b(5.0, 5.0),
            b(0.0, 0.0),
            b(19.0, 9.0),
        ]
        .into_iter()
        .map(|want| Label {
            want,
            within: bounds,
        })
        .collect();
        let out = place(&labels, &[corner], (1.0, 1.0), 4);
        assert_eq!(out[0], b(5.0, 5.0), "the first keeps its place");
        for (i, x) in out.iter().enumerate() {
            assert!(x.inside(&bounds), "{x:?}");
            assert!(!x.overlaps(&corner), "{x:?}");
            for y in &out[i + 1..] {
                assert!(!x.overlaps(y), "{x:?} {y:?}");
            }
        }
        // Moved across first: the second sits beside the first.
        assert_eq!((out[1].y, (out[1].x - 5.0).abs()), (5.0, 2.0));
        // A label never leaves its region, even when it was wanted outside it.
        let left = Box2 {
            x: 0.0,
            y: 0.0,
            w: 6.0,
            h: 10.0,
        };
        let out = place(
            &[Label {
                want: b(9.0, 3.0),
                within: left,
            }],
            &[],
            (1.0, 1.0),
            4,
        );
        assert_eq!(out[0], b(4.0, 3.0));
    }
}
