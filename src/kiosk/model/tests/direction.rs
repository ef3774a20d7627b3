//! One direction on every scale: in every shipped survey, on every question, key 1 is the least
//! positive answer and the highest scored key the most positive, whatever values are stored.

use super::Kiosk;
use crate::kiosk::model::*;
use crate::survey::load::EMBEDDED_ALL;

#[test]
fn on_every_shipped_question_key_1_is_the_least_positive_and_the_last_scored_key_the_most() {
    for (text, name) in EMBEDDED_ALL {
        let k = Kiosk::new(text);
        for step in 0..k.m.steps() {
            let (_, scale) = k.m.step(step).unwrap();
            let positive: Vec<bool> =
                k.m.step_choices(step)
                    .into_iter()
                    .filter_map(|c| match c {
                        Choice::Value(v) => scale.point(v).filter(|p| !p.dont_know),
                        _ => None,
                    })
                    .map(|p| p.positive)
                    .collect();
            let first_positive = positive.iter().position(|p| *p).unwrap();
            assert!(
                first_positive > 0 && positive[first_positive..].iter().all(|p| *p),
                "{name} step {step}: keys run {positive:?}"
            );
        }
    }
}

#[test]
fn the_fft_keeps_its_published_values_whichever_way_it_is_shown() {
    let mut k = Kiosk::new(crate::survey::load::EMBEDDED_ICARE);
    let headline = k.m.steps() - 1;
    let (_, scale) = k.m.step(headline).unwrap();
    let keys: Vec<(usize, &str)> =
        k.m.step_choices(headline)
            .into_iter()
            .enumerate()
            .filter_map(|(i, c)| match c {
                Choice::Value(v) => Some((i + 1, scale.point(v).unwrap().label.get("en"))),
                _ => None,
            })
            .collect();
    assert_eq!(
        keys,
        [
            (1, "Very poor"),
            (2, "Poor"),
            (3, "Neither good nor poor"),
            (4, "Good"),
            (5, "Very good"),
            (6, "Don't know"),
        ]
    );
    // Key 5 records "Very good" as the FFT stores it: 1.
    k.key(Key::Enter).key(Key::Enter);
    for _ in 0..headline {
        k.answer('7');
    }
    k.answer('5');
    k.key(Key::Enter).key(Key::Enter);
    assert_eq!(k.submitted().headline, crate::response::Answer::Value(1));
}
