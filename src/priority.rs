//! "Where to act first": each theme's importance weight set against the practice's own score.
//!
//! Priority = (importance ÷ the largest importance among ranked themes) × (100 − score): a theme
//! that matters a lot and scores low comes first. Each theme is also placed in a quadrant against
//! the medians of the ranked themes. Suppressed themes are never ranked. See `docs/scoring.md` for
//! what the weights are and are not.

use serde::Serialize;

use crate::disclosure::{Reason, ThemeSummary};

/// Where a theme sits against the medians of importance and score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    /// Importance at or above the median, score below the median.
    ActFirst,
    /// Importance at or above the median, score at or above the median.
    KeepUp,
    /// Importance below the median, score below the median.
    Watch,
    /// Importance below the median, score at or above the median.
    Maintain,
}

/// One ranked theme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Priority {
    /// 1 for the theme to act on first.
    pub rank: usize,
    pub id: String,
    pub name: String,
    /// The survey's weight as given.
    pub importance: f64,
    /// Importance divided by the largest among ranked themes (0–1).
    pub weight: f64,
    /// The practice's mean theme score (0–100).
    pub score: f64,
    /// weight × (100 − score), 0–100.
    pub priority: f64,
    pub quadrant: Quadrant,
}

/// A theme left out of the ranking, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotRanked {
    pub id: String,
    pub name: String,
    pub reason: Reason,
}

/// The ranked list and the medians the quadrants use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhereToAct {
    pub ranked: Vec<Priority>,
    pub not_ranked: Vec<NotRanked>,
    pub importance_median: Option<f64>,
    pub score_median: Option<f64>,
}

fn median(mut xs: Vec<f64>) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    Some(if xs.len().is_multiple_of(2) {
        (xs[mid - 1] + xs[mid]) / 2.0
    } else {
        xs[mid]
    })
}

/// Rank the themes of one summary. Themes that are suppressed, have no score, or have no positive
/// importance weight are listed in `not_ranked`.
pub fn where_to_act(themes: &[ThemeSummary]) -> WhereToAct {
    let mut not_ranked = Vec::new();
    let mut usable = Vec::new();
    for t in themes {
        match (t.suppressed, t.mean) {
            (Some(reason), _) => not_ranked.push(NotRanked {
                id: t.id.clone(),
                name: t.name.clone(),
                reason,
            }),
            (None, Some(score)) if t.importance.is_finite() && t.importance > 0.0 => {
                usable.push((t, score))
            }
            (None, _) => not_ranked.push(NotRanked {
                id: t.id.clone(),
                name: t.name.clone(),
                reason: Reason::Undefined,
            }),
        }
    }
    let max = usable.iter().map(|(t, _)| t.importance).fold(0.0, f64::max);
    let importance_median = median(usable.iter().map(|(t, _)| t.importance).collect());
    let score_median = median(usable.iter().map(|(_, s)| *s).collect());
    let mut ranked: Vec<Priority> = usable
        .into_iter()
        .map(|(t, score)| {
            let weight = if max > 0.0 { t.importance / max } else { 0.0 };
            let high = importance_median.is_some_and(|m| t.importance >= m);
            let low = score_median.is_some_and(|m| score < m);
            Priority {
                rank: 0,
                id: t.id.clone(),
                name: t.name.clone(),
                importance: t.importance,
                weight,
                score,
                priority: weight * (100.0 - score),
                quadrant: match (high, low) {
                    (true, true) => Quadrant::ActFirst,
                    (true, false) => Quadrant::KeepUp,
                    (false, true) => Quadrant::Watch,
                    (false, false) => Quadrant::Maintain,
                },
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then(b.importance.total_cmp(&a.importance))
            .then(a.id.cmp(&b.id))
    });
    for (i, p) in ranked.iter_mut().enumerate() {
        p.rank = i + 1;
    }
    WhereToAct {
        ranked,
        not_ranked,
        importance_median,
        score_median,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn theme(
        id: &str,
        importance: f64,
        mean: Option<f64>,
        suppressed: bool,
    ) -> ThemeSummary {
        ThemeSummary {
            id: id.into(),
            number: 1,
            name: id.to_uppercase(),
            importance,
            responses: crate::disclosure::Count::Exact(50),
            n: crate::disclosure::Count::Exact(50),
            mean,
            sd: None,
            ci_low: None,
            ci_high: None,
            pct_positive: None,
            distribution: None,
            pct_not_applicable: None,
            pct_skipped: None,
            alpha: None,
            item_rest: vec![],
            alpha_withheld: None,
            detail_withheld: None,
            suppressed: suppressed.then_some(Reason::TooFewRespondents { min_n: 10 }),
            items: vec![],
        }
    }

    #[test]
    fn important_low_scoring_theme_comes_first_and_suppressed_is_not_ranked() {
        let themes = [
            theme("humanised", 219.0, Some(60.0), false),
            theme("familiarity", 95.0, Some(40.0), false),
            theme("location", 13.0, Some(20.0), false),
            theme("teamwork", 16.0, None, true),
            theme("bond", 159.0, Some(90.0), false),
            theme("flexibility", 96.0, Some(30.0), false),
        ];
        let w = where_to_act(&themes);
        let order: Vec<&str> = w.ranked.iter().map(|p| p.id.as_str()).collect();
        // humanised 1 × 40 = 40; flexibility 96/219 × 70 = 30.7; familiarity 95/219 × 60 = 26.0;
        // bond 159/219 × 10 = 7.3; location 13/219 × 80 = 4.7.
        assert_eq!(
            order,
            [
                "humanised",
                "flexibility",
                "familiarity",
                "bond",
                "location"
            ]
        );
        assert!((w.ranked[2].priority - 95.0 / 219.0 * 60.0).abs() < 1e-12);
        assert_eq!(w.not_ranked.len(), 1);
        assert_eq!(w.not_ranked[0].id, "teamwork");
        // Medians: importance (13, 95, 96, 159, 219) → 96; score (20, 30, 40, 60, 90) → 40.
        assert_eq!(w.importance_median, Some(96.0));
        assert_eq!(w.score_median, Some(40.0));
        let q = |id: &str| w.ranked.iter().find(|p| p.id == id).unwrap().quadrant;
        assert_eq!(q("humanised"), Quadrant::KeepUp);
        assert_eq!(q("flexibility"), Quadrant::ActFirst);
        assert_eq!(q("familiarity"), Quadrant::Maintain);
        assert_eq!(q("bond"), Quadrant::KeepUp);
        assert_eq!(q("location"), Quadrant::Watch);
        assert_eq!(w.ranked[0].rank, 1);
    }

    #[test]
    fn nothing_to_rank_gives_empty_list() {
        let w = where_to_act(&[theme("a", 10.0, None, true)]);
        assert!(w.ranked.is_empty());
        assert_eq!((w.importance_median, w.score_median), (None, None));
    }
}
