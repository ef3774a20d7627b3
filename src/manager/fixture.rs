//! Deterministic synthetic figures for the screen's tests, built the way the store loader builds
//! them (synthetic responses → statistics → disclosure control → ranking).

use chrono::NaiveDate;

use super::data::{Data, Filter};
use super::load::from_responses;
use super::model::Model;
use crate::disclosure::Rule;
use crate::response::{Period, Response};
use crate::survey::Survey;
use crate::synth::{Synth, recent_weeks};

pub const SITE: &str = "Riverside Practice";

pub fn survey() -> Survey {
    crate::survey::embedded().unwrap()
}

/// `n` responses over the 26 weeks up to 20 November 2026, plus six in March 2026 so that one
/// month is too small to show.
pub fn responses(n: usize) -> Vec<Response> {
    let s = survey();
    let mut synth = Synth::new(&s, 42);
    let weeks = recent_weeks(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(), 26);
    let mut out: Vec<Response> = (0..n)
        .map(|_| {
            let p = synth.pick_period(&weeks).unwrap();
            synth.next_response(p)
        })
        .collect();
    let march = Period::Week {
        year: 2026,
        week: 11,
    };
    out.extend((0..6).map(|_| synth.next_response(march)));
    out
}

pub fn data_of(responses: &[Response], filter: &Filter) -> Data {
    from_responses(
        &survey(),
        SITE,
        responses,
        filter,
        true,
        &Rule::default(),
        7,
    )
    .unwrap()
}

/// 300 synthetic responses by month, every period and site.
pub fn data() -> Data {
    data_of(&responses(300), &Filter::default())
}

pub fn model() -> Model {
    Model::new(data(), Filter::default())
}
