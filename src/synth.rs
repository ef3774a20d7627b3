//! Plausible synthetic responses for demonstration stores, benchmarks and tests.
//!
//! Each respondent has a latent attitude (standard normal). Each theme has a fixed offset drawn
//! once per seed, so themes score differently, plus a per-respondent theme component, so items
//! within a theme correlate more than items across themes (which gives Cronbach's alpha something
//! to measure). An item's answer is the latent value cut into the scale's points in the favourable
//! direction, so negatively worded items are answered consistently. Nothing here comes from real
//! patients; the comments are made up and innocuous.

use chrono::{Datelike, Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::response::{Answer, Period, Response};
use crate::survey::{Scale, Survey, SurveyHash};

/// Made-up comments, none of which could identify anyone.
const COMMENTS: &[&str] = &[
    "Reception were friendly today.",
    "The waiting room was very busy.",
    "It would help to have appointments later in the day.",
    "My worker always makes time for me.",
    "Thank you for your help.",
    "Sometimes I wait a long time to be seen.",
    "The new chairs are better.",
    "I like that I see the same person.",
];

/// How an item (or the headline) is answered.
#[derive(Debug, Clone)]
struct Plan {
    /// Scored point values, least to most favourable.
    favourable: Vec<i32>,
    dont_know: Option<i32>,
    not_applicable: bool,
    skip: bool,
}

impl Plan {
    fn new(scale: Option<&Scale>, reverse: bool) -> Plan {
        let Some(scale) = scale else {
            return Plan {
                favourable: Vec::new(),
                dont_know: None,
                not_applicable: false,
                skip: true,
            };
        };
        let mut favourable: Vec<(i32, bool)> = scale
            .scored_points()
            .map(|p| (p.value, p.positive))
            .collect();
        favourable.sort_by_key(|p| p.0);
        // The favourable end is the end where the positive points are.
        let k = favourable.len();
        let positives: Vec<usize> = (0..k).filter(|&i| favourable[i].1).collect();
        let low_end = !positives.is_empty()
            && positives.iter().sum::<usize>() * 2 < (k - 1) * positives.len();
        if low_end != reverse {
            favourable.reverse();
        }
        Plan {
            favourable: favourable.into_iter().map(|p| p.0).collect(),
            dont_know: scale.points.iter().find(|p| p.dont_know).map(|p| p.value),
            not_applicable: scale.not_applicable,
            skip: scale.skip,
        }
    }
}

/// Mixed into the seed of the language stream ("lang").
const LANGUAGE_STREAM: u64 = 0x6c61_6e67;

/// A deterministic generator of synthetic responses to one survey.
#[derive(Debug, Clone)]
pub struct Synth {
    rng: StdRng,
    /// Draws only the language, so a survey gaining a language keeps the same answers.
    language_rng: StdRng,
    survey_id: String,
    survey_hash: SurveyHash,
    languages: Vec<String>,
    comments: bool,
    /// Per item: theme index and answer plan.
    items: Vec<(usize, Plan)>,
    theme_offsets: Vec<f64>,
    headline: Option<Plan>,
    theme_scratch: Vec<f64>,
}

impl Synth {
    /// A generator for `survey`; the same seed always gives the same responses.
    pub fn new(survey: &Survey, seed: u64) -> Synth {
        let mut rng = StdRng::seed_from_u64(seed);
        let theme_offsets = survey
            .themes
            .iter()
            .map(|_| 0.45 * normal(&mut rng))
            .collect();
        let items = survey
            .items
            .iter()
            .map(|item| {
                let theme = survey.theme_index(&item.theme).unwrap_or(0);
                (theme, Plan::new(survey.item_scale(item), item.reverse))
            })
            .collect();
        let headline = survey
            .headline
            .as_ref()
            .map(|h| Plan::new(survey.scale(&h.scale), false));
        let languages = if survey.languages.is_empty() {
            vec!["en".to_string()]
        } else {
            survey.languages.clone()
        };
        Synth {
            rng,
            language_rng: StdRng::seed_from_u64(seed ^ LANGUAGE_STREAM),
            survey_id: survey.id.clone(),
            survey_hash: survey.hash,
            languages,
            comments: survey.comment.is_some(),
            items,
            theme_offsets,
            headline,
            theme_scratch: vec![0.0; survey.themes.len()],
        }
    }

    /// The next respondent's answers, recorded in `period`.
    pub fn next_response(&mut self, period: Period) -> Response {
        let attitude = normal(&mut self.rng);
        for (t, slot) in self.theme_scratch.iter_mut().enumerate() {
            *slot = self.theme_offsets.get(t).copied().unwrap_or(0.0) + 0.6 * normal(&mut self.rng);
        }
        let mut answers = Vec::with_capacity(self.items.len());
        for i in 0..self.items.len() {
            let theme = self
                .theme_scratch
                .get(self.items[i].0)
                .copied()
                .unwrap_or(0.0);
            let latent = 0.7 + 0.9 * attitude + theme + 0.6 * normal(&mut self.rng);
            let plan = &self.items[i].1;
            let answer = answer(&mut self.rng, plan, latent, 0.04, 0.02, 0.02);
            answers.push(answer);
        }
        let headline = match &self.headline {
            Some(plan) => {
                let latent = 0.9 + 1.0 * attitude + 0.5 * normal(&mut self.rng);
                answer(&mut self.rng, plan, latent, 0.0, 0.02, 0.03)
            }
            None => Answer::Skipped,
        };
        let comment = (self.comments && self.rng.gen_bool(0.06))
            .then(|| COMMENTS[self.rng.gen_range(0..COMMENTS.len())].to_string());
        let language = if self.languages.len() == 1 || self.language_rng.gen_bool(0.8) {
            self.languages[0].clone()
        } else {
            self.languages[self.language_rng.gen_range(1..self.languages.len())].clone()
        };
        Response {
            survey_id: self.survey_id.clone(),
            survey_hash: self.survey_hash,
            language,
            period,
            answers,
            headline,
            comment,
        }
    }

    /// A period drawn uniformly from `periods` (`None` when it is empty).
    pub fn pick_period(&mut self, periods: &[Period]) -> Option<Period> {
        (!periods.is_empty()).then(|| periods[self.rng.gen_range(0..periods.len())])
    }
}

/// The ISO weeks of the `weeks` weeks up to and including the one containing `today`, oldest first.
pub fn recent_weeks(today: NaiveDate, weeks: u32) -> Vec<Period> {
    (0..weeks)
        .rev()
        .filter_map(|back| today.checked_sub_days(Days::new(7 * u64::from(back))))
        .map(|d| {
            let w = d.iso_week();
            Period::Week {
                year: w.year(),
                week: w.week() as u8,
            }
        })
        .collect()
}

/// One answer: a rare "does not apply", skip or "Don't know", else the latent value cut into the
/// scale's points (standard normal CDF spread evenly over them).
fn answer(rng: &mut StdRng, plan: &Plan, latent: f64, na: f64, skip: f64, dk: f64) -> Answer {
    if plan.favourable.is_empty() {
        return Answer::Skipped;
    }
    let roll: f64 = rng.r#gen();
    if plan.not_applicable && roll < na {
        return Answer::NotApplicable;
    }
    if plan.skip && roll >= na && roll < na + skip {
        return Answer::Skipped;
    }
    if let Some(v) = plan
        .dont_know
        .filter(|_| roll >= na + skip && roll < na + skip + dk)
    {
        return Answer::Value(v);
    }
    let k = plan.favourable.len();
    let index = ((phi(latent) * k as f64) as usize).min(k - 1);
    Answer::Value(plan.favourable[index])
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.r#gen::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.r#gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Standard normal CDF (Abramowitz & Stegun 7.1.26 for erf, error below 1.5e-7: ample here).
fn phi(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-z * z).exp();
    if x >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::ScoringPlan;
    use crate::scoring::tests::fixture;

    fn week() -> Period {
        Period::Week {
            year: 2026,
            week: 47,
        }
    }

    #[test]
    fn same_seed_same_responses_different_seed_different() {
        let s = fixture();
        let (mut a, mut b, mut c) = (Synth::new(&s, 1), Synth::new(&s, 1), Synth::new(&s, 2));
        let ra: Vec<_> = (0..50).map(|_| a.next_response(week())).collect();
        let rb: Vec<_> = (0..50).map(|_| b.next_response(week())).collect();
        let rc: Vec<_> = (0..50).map(|_| c.next_response(week())).collect();
        assert_eq!(ra, rb);
        assert_ne!(ra, rc);
    }

    #[test]
    fn responses_score_and_reverse_items_agree_with_their_theme() {
        let s = crate::survey::embedded().unwrap();
        let plan = ScoringPlan::new(&s).unwrap();
        let mut synth = Synth::new(&s, 3);
        let (mut na, mut skip, mut comments) = (0, 0, 0);
        let mut reversed_raw = 0.0;
        let mut forward_raw = 0.0;
        let rev = s.items.iter().position(|i| i.reverse).unwrap();
        let n = 2_000;
        for _ in 0..n {
            let r = synth.next_response(week());
            plan.score(&r).expect("synthetic responses fit the survey");
            na += r
                .answers
                .iter()
                .filter(|a| **a == Answer::NotApplicable)
                .count();
            skip += r.answers.iter().filter(|a| **a == Answer::Skipped).count();
            comments += usize::from(r.comment.is_some());
            if let Answer::Value(v) = r.answers[rev] {
                reversed_raw += f64::from(v);
            }
            if let Answer::Value(v) = r.answers[0] {
                forward_raw += f64::from(v);
            }
        }
        let answers = (n * s.items.len()) as f64;
        assert!((0.02..0.07).contains(&(na as f64 / answers)), "{na}");
        assert!((0.005..0.05).contains(&(skip as f64 / answers)), "{skip}");
        assert!((50..250).contains(&comments), "{comments}");
        // Mostly positive people disagree with the negative statement: low raw values.
        assert!(reversed_raw < forward_raw, "{reversed_raw} {forward_raw}");
    }

    #[test]
    fn recent_weeks_are_consecutive_and_end_this_week() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        let weeks = recent_weeks(today, 3);
        assert_eq!(
            weeks,
            vec![
                Period::Week {
                    year: 2025,
                    week: 51
                },
                Period::Week {
                    year: 2025,
                    week: 52
                },
                Period::Week {
                    year: 2026,
                    week: 1
                },
            ]
        );
        let mut synth = Synth::new(&fixture(), 0);
        assert!(weeks.contains(&synth.pick_period(&weeks).unwrap()));
        assert_eq!(synth.pick_period(&[]), None);
    }
}
