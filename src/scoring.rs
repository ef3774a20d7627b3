//! Scoring rules: item and theme scores on 0–100 and the headline's "% positive" (see `docs/scoring.md`).
//!
//! A [`ScoringPlan`] resolves everything a survey needs for scoring once (each item's theme index,
//! scale range, direction and per-point score), so scoring a million responses does no look-ups
//! by name and no allocation beyond a reused [`ResponseScores`].

use serde::Serialize;

use crate::response::{Answer, Response};
use crate::survey::{Scale, Survey};

/// Why a survey cannot be scored or a response does not fit its plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoringError {
    /// An item (or the headline) names a scale the survey does not have.
    #[error("item `{item}`: scale `{scale}` is not defined in the survey; fix the item's `scale`")]
    UnknownScale { item: String, scale: String },
    /// An item names a theme the survey does not have.
    #[error("item `{item}`: theme `{theme}` is not defined in the survey; fix the item's `theme`")]
    UnknownTheme { item: String, theme: String },
    /// A scale used by a scored item has fewer than two distinct scored values, so 0–100 is undefined.
    #[error(
        "scale `{scale}` needs at least two scored points (other than \"Don't know\") to be scored; add points to it"
    )]
    DegenerateScale { scale: String },
    /// A response carries a different number of answers than the survey has items.
    #[error(
        "response has {found} answers but survey `{survey}` has {expected} items; it was recorded with another version of the survey"
    )]
    AnswerCount {
        survey: String,
        expected: usize,
        found: usize,
    },
    /// A response's answer is not a value of the item's scale.
    #[error(
        "item `{item}`: answer value {value} is not a point of its scale; the response was recorded with another version of the survey or is damaged"
    )]
    UnknownValue { item: String, value: i32 },
}

/// Reverse a value on a scale whose scored range is `min..=max`: `min + max − v`.
pub fn reverse(value: i32, min: i32, max: i32) -> i32 {
    // i64 so that no i32 input can overflow.
    (i64::from(min) + i64::from(max) - i64::from(value)) as i32
}

/// Map a value in `min..=max` to 0–100: `(v − min) / (max − min) × 100`, clamped to [0, 100].
pub fn to_percent(value: f64, min: i32, max: i32) -> f64 {
    let span = f64::from(max) - f64::from(min);
    if span <= 0.0 {
        return 0.0;
    }
    ((value - f64::from(min)) / span * 100.0).clamp(0.0, 100.0)
}

/// What scoring made of one point of an item's scale.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PointPlan {
    value: i32,
    /// 0–100 after reversal, `None` for "Don't know".
    score: Option<f64>,
    /// Positive answer once the item's direction is taken into account.
    positive: bool,
    /// Index of the point this answer counts as when the item is read in the positive direction
    /// (the mirrored point for a reversed item; itself otherwise or when there is no mirror).
    oriented: usize,
}

#[derive(Debug, Clone, PartialEq)]
struct ItemPlan {
    id: String,
    theme: usize,
    reverse: bool,
    min: i32,
    max: i32,
    points: Vec<PointPlan>,
}

impl ItemPlan {
    fn point(&self, value: i32) -> Option<usize> {
        self.points.iter().position(|p| p.value == value)
    }
}

/// One theme's items and, when they all share a scale, that scale's index in [`Survey::scales`].
#[derive(Debug, Clone, PartialEq)]
struct ThemePlan {
    items: Vec<usize>,
    common_scale: Option<usize>,
}

/// The headline's points: (value, positive, don't know).
#[derive(Debug, Clone, PartialEq)]
struct HeadlinePlan {
    points: Vec<(i32, bool, bool)>,
}

/// Everything needed to score responses to one survey, resolved once.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoringPlan {
    survey_id: String,
    items: Vec<ItemPlan>,
    themes: Vec<ThemePlan>,
    headline: Option<HeadlinePlan>,
}

/// What one answer to an item amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum ItemOutcome {
    /// A scored answer: the point's index on the scale, its 0–100 score after reversal and
    /// whether it is a positive answer.
    Scored {
        point: usize,
        score: f64,
        positive: bool,
    },
    /// "Don't know": counted in the distribution, never scored.
    DontKnow { point: usize },
    /// "Does not apply".
    NotApplicable,
    /// No answer.
    Skipped,
}

/// The scores of one response, reused between responses to avoid allocation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResponseScores {
    /// One outcome per survey item.
    pub items: Vec<ItemOutcome>,
    /// One score per theme (0–100), `None` when fewer than half of the theme's applicable items
    /// were answered.
    pub themes: Vec<Option<f64>>,
    /// The headline point's index, `None` when skipped (or "does not apply").
    pub headline: Option<usize>,
}

impl ScoringPlan {
    /// Resolve a survey's items, themes and scales for scoring.
    pub fn new(survey: &Survey) -> Result<Self, ScoringError> {
        let mut items = Vec::with_capacity(survey.items.len());
        let mut item_scales = Vec::with_capacity(survey.items.len());
        for item in &survey.items {
            let theme =
                survey
                    .theme_index(&item.theme)
                    .ok_or_else(|| ScoringError::UnknownTheme {
                        item: item.id.clone(),
                        theme: item.theme.clone(),
                    })?;
            let scale_index = survey
                .scales
                .iter()
                .position(|s| s.id == item.scale)
                .ok_or_else(|| ScoringError::UnknownScale {
                    item: item.id.clone(),
                    scale: item.scale.clone(),
                })?;
            item_scales.push(scale_index);
            items.push(item_plan(
                &survey.scales[scale_index],
                &item.id,
                theme,
                item.reverse,
            )?);
        }
        let themes = (0..survey.themes.len())
            .map(|t| {
                let members: Vec<usize> =
                    (0..items.len()).filter(|&i| items[i].theme == t).collect();
                let first = members.first().map(|&i| item_scales[i]);
                let common_scale = first.filter(|&s| members.iter().all(|&i| item_scales[i] == s));
                ThemePlan {
                    items: members,
                    common_scale,
                }
            })
            .collect();
        let headline = match &survey.headline {
            None => None,
            Some(h) => {
                let scale = survey
                    .scale(&h.scale)
                    .ok_or_else(|| ScoringError::UnknownScale {
                        item: h.id.clone(),
                        scale: h.scale.clone(),
                    })?;
                Some(HeadlinePlan {
                    points: scale
                        .points
                        .iter()
                        .map(|p| (p.value, p.positive, p.dont_know))
                        .collect(),
                })
            }
        };
        Ok(ScoringPlan {
            survey_id: survey.id.clone(),
            items,
            themes,
            headline,
        })
    }

    /// Number of items.
    pub fn item_count(&self) -> usize {
        self.items.len()
    }

    /// Number of themes.
    pub fn theme_count(&self) -> usize {
        self.themes.len()
    }

    /// Number of points on the item's scale (including "Don't know").
    pub fn item_points(&self, item: usize) -> usize {
        self.items.get(item).map_or(0, |i| i.points.len())
    }

    /// Whether each point of the item's scale is a positive answer for this item (after reversal).
    pub fn item_positive_points(&self, item: usize) -> Vec<bool> {
        self.items
            .get(item)
            .map_or_else(Vec::new, |i| i.points.iter().map(|p| p.positive).collect())
    }

    /// The index of the point `point` counts as when item `item` is read in the positive direction.
    pub fn oriented_point(&self, item: usize, point: usize) -> usize {
        self.items
            .get(item)
            .and_then(|i| i.points.get(point))
            .map_or(point, |p| p.oriented)
    }

    /// Indices of the theme's items in [`Survey::items`].
    pub fn theme_items(&self, theme: usize) -> &[usize] {
        self.themes.get(theme).map_or(&[], |t| t.items.as_slice())
    }

    /// Index in [`Survey::scales`] of the scale all the theme's items share, if they share one.
    pub fn theme_scale(&self, theme: usize) -> Option<usize> {
        self.themes.get(theme).and_then(|t| t.common_scale)
    }

    /// Least number of answered items for a theme score, given how many of its items apply:
    /// half of them rounded up, and at least one.
    pub fn min_answered(applicable: usize) -> usize {
        applicable.div_ceil(2).max(1)
    }

    /// Number of points of the headline's scale (0 when the survey has no headline).
    pub fn headline_points(&self) -> usize {
        self.headline.as_ref().map_or(0, |h| h.points.len())
    }

    /// Whether each headline point counts as positive ("Very good", "Good").
    pub fn headline_positive_points(&self) -> Vec<bool> {
        self.headline
            .as_ref()
            .map_or_else(Vec::new, |h| h.points.iter().map(|p| p.1).collect())
    }

    /// Whether each headline point is "Don't know".
    pub fn headline_dont_know_points(&self) -> Vec<bool> {
        self.headline
            .as_ref()
            .map_or_else(Vec::new, |h| h.points.iter().map(|p| p.2).collect())
    }

    /// A fresh buffer sized for this plan.
    pub fn scores_buffer(&self) -> ResponseScores {
        ResponseScores {
            items: Vec::with_capacity(self.items.len()),
            themes: Vec::with_capacity(self.themes.len()),
            headline: None,
        }
    }

    /// Score one response into a new [`ResponseScores`].
    pub fn score(&self, response: &Response) -> Result<ResponseScores, ScoringError> {
        let mut out = self.scores_buffer();
        self.score_into(response, &mut out)?;
        Ok(out)
    }

    /// Score one response into `out`, reusing its buffers.
    pub fn score_into(
        &self,
        response: &Response,
        out: &mut ResponseScores,
    ) -> Result<(), ScoringError> {
        if response.answers.len() != self.items.len() {
            return Err(ScoringError::AnswerCount {
                survey: self.survey_id.clone(),
                expected: self.items.len(),
                found: response.answers.len(),
            });
        }
        out.items.clear();
        for (plan, answer) in self.items.iter().zip(&response.answers) {
            out.items.push(match *answer {
                Answer::Skipped => ItemOutcome::Skipped,
                Answer::NotApplicable => ItemOutcome::NotApplicable,
                Answer::Value(v) => {
                    let point = plan.point(v).ok_or_else(|| ScoringError::UnknownValue {
                        item: plan.id.clone(),
                        value: v,
                    })?;
                    let p = plan.points[point];
                    match p.score {
                        Some(score) => ItemOutcome::Scored {
                            point,
                            score,
                            positive: p.positive,
                        },
                        None => ItemOutcome::DontKnow { point },
                    }
                }
            });
        }
        out.themes.clear();
        for theme in &self.themes {
            let (mut sum, mut answered, mut applicable) = (0.0, 0usize, 0usize);
            for &i in &theme.items {
                match out.items[i] {
                    ItemOutcome::Scored { score, .. } => {
                        sum += score;
                        answered += 1;
                        applicable += 1;
                    }
                    ItemOutcome::NotApplicable => {}
                    ItemOutcome::DontKnow { .. } | ItemOutcome::Skipped => applicable += 1,
                }
            }
            out.themes.push(
                (answered > 0 && answered >= Self::min_answered(applicable))
                    .then(|| sum / answered as f64),
            );
        }
        out.headline = match (&self.headline, response.headline) {
            (Some(h), Answer::Value(v)) => {
                Some(h.points.iter().position(|p| p.0 == v).ok_or_else(|| {
                    ScoringError::UnknownValue {
                        item: "headline".to_string(),
                        value: v,
                    }
                })?)
            }
            _ => None,
        };
        Ok(())
    }
}

fn item_plan(
    scale: &Scale,
    id: &str,
    theme: usize,
    reverse_item: bool,
) -> Result<ItemPlan, ScoringError> {
    let (min, max) = scale.range();
    if min >= max {
        return Err(ScoringError::DegenerateScale {
            scale: scale.id.clone(),
        });
    }
    let points = scale
        .points
        .iter()
        .enumerate()
        .map(|(index, p)| {
            if p.dont_know {
                return PointPlan {
                    value: p.value,
                    score: None,
                    positive: false,
                    oriented: index,
                };
            }
            let oriented = if reverse_item {
                let mirrored = reverse(p.value, min, max);
                scale
                    .points
                    .iter()
                    .position(|m| m.value == mirrored && !m.dont_know)
                    .unwrap_or(index)
            } else {
                index
            };
            let (oriented_value, positive) = if reverse_item {
                let mirrored = reverse(p.value, min, max);
                // A mirrored value that is not on the scale (unevenly spaced values) is never positive.
                let positive = scale.point(mirrored).is_some_and(|m| m.positive);
                (mirrored, positive)
            } else {
                (p.value, p.positive)
            };
            PointPlan {
                value: p.value,
                score: Some(to_percent(f64::from(oriented_value), min, max)),
                positive,
                oriented,
            }
        })
        .collect();
    Ok(ItemPlan {
        id: id.to_string(),
        theme,
        reverse: reverse_item,
        min,
        max,
        points,
    })
}

#[cfg(test)]
pub(crate) mod tests;
