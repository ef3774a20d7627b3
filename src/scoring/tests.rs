//! Hand-worked cases and properties of the scoring rules.

use proptest::prelude::*;

use super::*;
use crate::response::Period;
use crate::survey::{self, Item, Text};

/// Two themes: `a` with three items (the third reversed), `b` with one; agree scale 1–5 with NA,
/// FFT headline with "Don't know".
pub(crate) const FIXTURE: &str = r#"
[survey]
id = "fixture"
version = 1
title = { en = "Fixture" }
introduction = { en = "Fixture" }
minutes = 1
languages = ["en"]

[scales.agree]
not_applicable = true
skip = true
points = [
  { value = 1, label = { en = "Strongly disagree" } },
  { value = 2, label = { en = "Disagree" } },
  { value = 3, label = { en = "Not sure" } },
  { value = 4, label = { en = "Agree" }, positive = true },
  { value = 5, label = { en = "Strongly agree" }, positive = true },
]

[scales.fft]
skip = true
points = [
  { value = 1, label = { en = "Very good" }, positive = true },
  { value = 2, label = { en = "Good" }, positive = true },
  { value = 3, label = { en = "Neither good nor poor" } },
  { value = 4, label = { en = "Poor" } },
  { value = 5, label = { en = "Very poor" } },
  { value = 6, label = { en = "Don't know" }, dont_know = true },
]

[[themes]]
id = "a"
number = 1
name = "A"
title = "A"
description = "A"
importance = 200

[[themes]]
id = "b"
number = 2
name = "B"
title = "B"
description = "B"
importance = 50

[[items]]
id = "a1"
theme = "a"
text = { en = "a1" }
scale = "agree"
source = []

[[items]]
id = "a2"
theme = "a"
text = { en = "a2" }
scale = "agree"
source = []

[[items]]
id = "a3"
theme = "a"
text = { en = "a3" }
scale = "agree"
reverse = true
source = []

[[items]]
id = "b1"
theme = "b"
text = { en = "b1" }
scale = "agree"
source = []

[headline]
id = "overall"
text = { en = "Overall?" }
scale = "fft"
"#;

pub(crate) fn fixture() -> Survey {
    survey::from_str(FIXTURE, "fixture.toml").expect("fixture survey loads")
}

pub(crate) fn response(survey: &Survey, answers: Vec<Answer>, headline: Answer) -> Response {
    Response {
        survey_id: survey.id.clone(),
        survey_hash: survey.hash,
        language: "en".into(),
        period: Period::Week {
            year: 2026,
            week: 47,
        },
        answers,
        headline,
        comment: None,
    }
}

use Answer::{NotApplicable as Na, Skipped as Sk, Value as V};

#[test]
fn theme_score_is_mean_of_reversed_items_mapped_to_percent() {
    let s = fixture();
    let plan = ScoringPlan::new(&s).unwrap();
    // a1=4 → 75, a2=5 → 100, a3=2 reversed → 4 → 75: mean 83.33…
    let r = plan
        .score(&response(&s, vec![V(4), V(5), V(2), V(1)], V(1)))
        .unwrap();
    let a = r.themes[0].unwrap();
    assert!((a - 250.0 / 3.0).abs() < 1e-12, "{a}");
    assert_eq!(r.themes[1], Some(0.0));
    assert_eq!(r.headline, Some(0));
}

#[test]
fn reversed_item_positive_flag_comes_from_mirrored_point() {
    let s = fixture();
    let plan = ScoringPlan::new(&s).unwrap();
    let r = plan
        .score(&response(&s, vec![Sk, Sk, V(1), Sk], Sk))
        .unwrap();
    // Strongly disagreeing with a negative statement is positive and scores 100.
    assert_eq!(
        r.items[2],
        ItemOutcome::Scored {
            point: 0,
            score: 100.0,
            positive: true
        }
    );
    assert_eq!(
        plan.item_positive_points(2),
        vec![true, true, false, false, false]
    );
    assert_eq!(
        plan.item_positive_points(0),
        vec![false, false, false, true, true]
    );
}

#[test]
fn theme_needs_half_of_applicable_items_answered() {
    let s = fixture();
    let plan = ScoringPlan::new(&s).unwrap();
    // One of three applicable answered: below ceil(3/2) = 2.
    let r = plan
        .score(&response(&s, vec![V(5), Sk, Sk, Sk], Sk))
        .unwrap();
    assert_eq!(r.themes, vec![None, None]);
    // Two of three answered: counts.
    let r = plan
        .score(&response(&s, vec![V(5), V(3), Sk, Sk], Sk))
        .unwrap();
    assert_eq!(r.themes[0], Some(75.0));
    // One answered, two "does not apply": one of one applicable item answered.
    let r = plan
        .score(&response(&s, vec![V(5), Na, Na, Na], Sk))
        .unwrap();
    assert_eq!(r.themes, vec![Some(100.0), None]);
}

#[test]
fn all_does_not_apply_gives_no_score() {
    let s = fixture();
    let plan = ScoringPlan::new(&s).unwrap();
    let r = plan.score(&response(&s, vec![Na, Na, Na, Na], Sk)).unwrap();
    assert_eq!(r.themes, vec![None, None]);
    assert_eq!(r.headline, None);
}

#[test]
fn headline_dont_know_is_a_point_but_items_dont_know_is_not_scored() {
    let s = fixture();
    let plan = ScoringPlan::new(&s).unwrap();
    let r = plan.score(&response(&s, vec![Sk; 4], V(6))).unwrap();
    assert_eq!(r.headline, Some(5));
    assert!(plan.headline_dont_know_points()[5]);
    assert_eq!(
        plan.headline_positive_points(),
        vec![true, true, false, false, false, false]
    );
}

#[test]
fn unknown_value_and_wrong_length_are_errors_not_panics() {
    let s = fixture();
    let plan = ScoringPlan::new(&s).unwrap();
    let e = plan
        .score(&response(&s, vec![V(9), Sk, Sk, Sk], Sk))
        .unwrap_err();
    assert_eq!(
        e,
        ScoringError::UnknownValue {
            item: "a1".into(),
            value: 9
        }
    );
    assert!(e.to_string().contains("a1"));
    let e = plan.score(&response(&s, vec![Sk], Sk)).unwrap_err();
    assert!(matches!(
        e,
        ScoringError::AnswerCount {
            expected: 4,
            found: 1,
            ..
        }
    ));
    let e = plan.score(&response(&s, vec![Sk; 4], V(0))).unwrap_err();
    assert!(matches!(e, ScoringError::UnknownValue { .. }));
}

#[test]
fn degenerate_scale_is_an_error() {
    let mut s = fixture();
    s.scales[0].points.truncate(1);
    let e = ScoringPlan::new(&s).unwrap_err();
    assert!(matches!(e, ScoringError::DegenerateScale { .. }), "{e}");
}

#[test]
fn embedded_survey_has_a_plan() {
    let s = survey::embedded().unwrap();
    let plan = ScoringPlan::new(&s).unwrap();
    assert_eq!(plan.theme_count(), s.themes.len());
    assert_eq!(plan.item_count(), s.items.len());
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        3 => (1..=5i32).prop_map(Answer::Value),
        1 => Just(Answer::NotApplicable),
        1 => Just(Answer::Skipped),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_score_lies_in_0_to_100(answers in prop::collection::vec(answer(), 4)) {
        let s = fixture();
        let plan = ScoringPlan::new(&s).unwrap();
        let r = plan.score(&response(&s, answers, Sk)).unwrap();
        for t in r.themes.into_iter().flatten() {
            prop_assert!((0.0..=100.0).contains(&t));
        }
        for o in r.items {
            if let ItemOutcome::Scored { score, .. } = o {
                prop_assert!((0.0..=100.0).contains(&score));
            }
        }
    }

    #[test]
    fn reversing_twice_is_identity(min in -1000..1000i32, span in 1..1000i32, off in 0..1000i32) {
        let max = min + span;
        let v = min + off % (span + 1);
        prop_assert_eq!(reverse(reverse(v, min, max), min, max), v);
    }

    #[test]
    fn adding_a_does_not_apply_item_never_changes_a_score(
        answers in prop::collection::vec(answer(), 4),
        theme in 0..2usize,
        position in 0..5usize,
        reversed in any::<bool>(),
    ) {
        let s = fixture();
        let before = ScoringPlan::new(&s).unwrap().score(&response(&s, answers.clone(), Sk)).unwrap();
        let mut bigger = s.clone();
        let at = position.min(bigger.items.len());
        bigger.items.insert(at, Item {
            id: "extra".into(),
            theme: bigger.themes[theme].id.clone(),
            text: Text(Default::default()),
            scale: "agree".into(),
            reverse: reversed,
            source: vec![],
        });
        let mut more = answers;
        more.insert(at, Answer::NotApplicable);
        let after = ScoringPlan::new(&bigger).unwrap().score(&response(&bigger, more, Sk)).unwrap();
        prop_assert_eq!(before.themes, after.themes);
    }

    #[test]
    fn top_of_scale_after_reversal_scores_100(skips in prop::collection::vec(any::<bool>(), 4)) {
        let s = fixture();
        let plan = ScoringPlan::new(&s).unwrap();
        // a3 is reversed: its top after reversal is 1. Skip at most what the half rule allows.
        let top = [5, 5, 1, 5];
        let answers: Vec<Answer> = top.iter().zip(&skips).enumerate()
            .map(|(i, (&v, &skip))| if skip && i == 0 { Answer::Skipped } else { Answer::Value(v) })
            .collect();
        let r = plan.score(&response(&s, answers, Sk)).unwrap();
        prop_assert_eq!(r.themes, vec![Some(100.0), Some(100.0)]);
    }
}
