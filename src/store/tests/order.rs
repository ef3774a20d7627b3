//! No order: over many runs, where the first-sent response stands in its period's file, and where
//! its group's header stands among the headers, is uniform; the same test fails for append order.

use super::chi::{looks_uniform, statistic};
use super::*;

/// Responses per run, and how many are sent before the restart that starts a second group.
const N: usize = 6;
const BEFORE_RESTART: usize = 2;
const RUNS: usize = 300;

/// One run on a new store: `N` responses (tagged by the order they were sent), a restart after
/// the first `BEFORE_RESTART`. Returns the first-sent record's position in the file and its
/// group header's position among the headers.
fn one_run() -> (usize, usize) {
    let (fs, id) = memory_store(false);
    let s = survey();
    let mut store = open(&fs);
    for i in 0..N {
        if i == BEFORE_RESTART {
            drop(store);
            store = open(&fs);
        }
        store
            .submit(&s, &tagged(&s, week(46), &i.to_string()))
            .unwrap();
    }
    // Readers yield records in file order.
    let order: Vec<String> = read_all(&fs, &id)
        .into_iter()
        .map(|r| r.unwrap().comment.unwrap())
        .collect();
    let first = order.iter().position(|c| c == "comment 0").unwrap();
    let (bytes, file) = period_file(&fs, week(46));
    let f = file.records[first];
    let (group, _) = period_file::split_record(&bytes[f.start..f.end]).unwrap();
    let header = file
        .groups
        .iter()
        .position(|(g, _, _)| g.epoch_id == group)
        .unwrap();
    (first, header)
}

#[test]
fn the_first_sent_record_and_its_group_header_stand_anywhere_with_equal_chance() {
    let mut at = [0u64; N];
    let mut header_at = [0u64; 2];
    for _ in 0..RUNS {
        let (first, header) = one_run();
        at[first] += 1;
        header_at[header] += 1;
    }
    assert!(
        looks_uniform(&at),
        "first-sent positions {at:?}: chi-square {:.1}",
        statistic(&at)
    );
    assert!(
        looks_uniform(&header_at),
        "first group's header positions {header_at:?}: chi-square {:.1}",
        statistic(&header_at)
    );
}

#[test]
fn the_test_fails_for_append_order_and_for_a_mild_bias() {
    // Appended in the order sent, the first-sent record is always first.
    let mut append = [0u64; N];
    append[0] = RUNS as u64;
    assert!(!looks_uniform(&append));
    let mut headers = [0u64; 2];
    headers[0] = RUNS as u64;
    assert!(!looks_uniform(&headers));
    // First place three times as likely as each other: caught too at this many runs.
    let biased: Vec<u64> = (0..N)
        .map(|i| {
            if i == 0 {
                3 * RUNS as u64 / 8
            } else {
                RUNS as u64 / 8
            }
        })
        .collect();
    assert!(!looks_uniform(&biased), "{:.1}", statistic(&biased));
    // And an exactly even spread passes.
    assert!(looks_uniform(&[RUNS as u64 / N as u64; N]));
}
