//! Deterministic synthetic figures for the screen's tests, built by the same path as `icare
//! summary` and `icare report` ([`crate::report::build_from_responses`]) over synthetic responses.

use std::path::Path;

use chrono::NaiveDate;

use super::{Data, Filter};
use crate::report::{ReportOptions, build_from_responses};
use crate::response::{Period, PeriodKind, Response};
use crate::store::{StoreError, StoreMeta};
use crate::survey::{Catalog, Survey};
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
    let meta = StoreMeta {
        store_id: [7; 16],
        site: SITE.to_string(),
        synthetic: true,
        period: PeriodKind::Week,
        recipients: Vec::new(),
        signing_key: None,
    };
    let mut catalog = Catalog::new();
    catalog.add(survey());
    // Made on Monday 30 November 2026: November is still under way.
    let options = filter.options(&ReportOptions {
        comment_seed: 7,
        today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        ..ReportOptions::default()
    });
    let parts = vec![responses.iter().cloned().map(Ok::<_, StoreError>)];
    build_from_responses(Path::new("test-store"), &meta, parts, &catalog, &options).unwrap()
}

/// 300 synthetic responses by month, every period and site.
pub fn data() -> Data {
    data_of(&responses(300), &Filter::default())
}
