//! The "sites and batches" section of a commissioner's report, on an aggregation store made by
//! real exports and imports (the batch fixture): what it says of each site comes from the log of
//! batches received, and it gives no count of responses.

use std::path::Path;

use crate::batch::intake::Log;
use crate::batch::tests::fixture;
use crate::report::intake;

const AGG: &str = "/agg";

/// The "sites and batches" section counts batches and kiosks, never responses or records: a site
/// of 7 responses is not "7" anywhere in it, in any form.
#[test]
fn the_sites_and_batches_section_gives_no_count_of_responses() {
    let (fs, agg, b) = fixture::chain_of(AGG, &[&[40, 40, 40, 41, 41, 41, 41], &[42], &[43]]);
    fixture::import(&fs, AGG, &b[0], true, &agg).unwrap();
    fixture::import(&fs, AGG, &b[2], false, &agg).unwrap();
    let intake = intake::Intake {
        sites: Log::load(&fs, Path::new(AGG)).unwrap().sites(),
        unreadable: Vec::new(),
    };
    let lines = intake.lines();
    assert_eq!(
        lines,
        [
            "North: 2 batches, latest period 2026-W43",
            "North: batch 2 of 3 not received: 2026-W42"
        ]
    );
    let json = intake::json(&intake).to_string();
    let csv: Vec<String> = intake::csv_rows(&intake)
        .into_iter()
        .map(|(g, p, m, v)| format!("{g},{p},{m},{v}"))
        .collect();
    let store = &intake.sites[0].stores[0].store_id;
    for text in lines.iter().chain(csv.iter()).chain([&json]) {
        let digits: String = text
            .replace(store.as_str(), "")
            .replace("2026-W4", "")
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        assert!(!digits.contains('7') && !digits.contains('8'), "{text}");
    }
}
