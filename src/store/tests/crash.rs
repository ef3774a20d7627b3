//! Power cuts and injected faults through the in-memory file layer.

use proptest::prelude::*;

use super::*;
use crate::fsio::mem::Fault;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    /// A crash at any operation of a submission, then a power cut that tears the un-synced tail
    /// at any byte, leaves exactly the acknowledged responses, plus at most the one in flight.
    #[test]
    fn power_cut_leaves_exactly_the_acknowledged_responses(
        acked in 0usize..4,
        crash_after in 0u64..8,
        keep in 0usize..700,
        restarts in proptest::bool::ANY,
    ) {
        let (fs, id) = fixture(false);
        let s = survey();
        let mut store = open(&fs);
        let mut expect = Vec::new();
        for i in 0..acked {
            if restarts && i == 2 {
                store = open(&fs);
            }
            let tag = format!("acked {i}");
            store.submit(&s, &response(&s, week(46), &tag)).unwrap();
            expect.push(format!("comment {tag}"));
        }
        // The process dies at operation `crash_after` of the next submission: from then on
        // nothing reaches the disk, not even the store's attempt to undo.
        fs.fail_from(fs.ops() + crash_after, Fault::Io);
        let in_flight = store.submit(&s, &response(&s, week(46), "in flight")).is_ok();
        if in_flight {
            expect.push("comment in flight".into());
        }
        let keep = keep.min(fs.unsynced_tail());
        fs.power_cut(keep);
        let store = open(&fs);
        let got = comments(&fs, &id);
        let mut without = expect.clone();
        without.retain(|c| c != "comment in flight");
        without.sort();
        let mut with = without.clone();
        with.push("comment in flight".into());
        with.sort();
        prop_assert!(got == with || (!in_flight && got == without), "got {got:?}, acked {expect:?}");
        // The store opens cleanly and keeps working after recovery.
        drop(store);
        let mut store = open(&fs);
        store.submit(&s, &response(&s, week(46), "after")).unwrap();
        prop_assert_eq!(comments(&fs, &id).len(), got.len() + 1);
        prop_assert!(verify_with(Arc::new(fs.clone()), Path::new(DIR), Some(&id)).unwrap().problems.is_empty());
    }
}

#[test]
fn a_failed_operation_fails_the_response_and_it_never_reappears() {
    let s = survey();
    for fault in [Fault::Io, Fault::NoSpace] {
        // Learn how many operations two submissions take (the first one opens an epoch).
        let (probe, _) = fixture(false);
        let mut st = open(&probe);
        let start = probe.ops();
        st.submit(&s, &response(&s, week(46), "x")).unwrap();
        st.submit(&s, &response(&s, week(46), "y")).unwrap();
        let ops = probe.ops() - start;
        for n in 0..ops {
            let (fs, id) = fixture(false);
            let mut store = open(&fs);
            fs.fail_at(fs.ops() + n, fault);
            let first = store.submit(&s, &response(&s, week(46), "first"));
            let second = store.submit(&s, &response(&s, week(46), "second"));
            assert!(first.is_err() || second.is_err(), "op {n}: no failure seen");
            // The store goes on: a later response is saved.
            store.submit(&s, &response(&s, week(46), "third")).unwrap();
            let mut expect: Vec<String> = [("first", &first), ("second", &second)]
                .iter()
                .filter(|(_, r)| r.is_ok())
                .map(|(t, _)| format!("comment {t}"))
                .collect();
            expect.push("comment third".into());
            expect.sort();
            assert_eq!(comments(&fs, &id), expect, "{fault:?} at op {n}");
            // Still true after a power cut and recovery: what failed is not counted later.
            fs.power_cut(usize::MAX);
            drop(store);
            let _ = open(&fs);
            assert_eq!(
                comments(&fs, &id),
                expect,
                "{fault:?} at op {n}, after power cut"
            );
        }
    }
}

#[test]
fn a_failed_undo_stops_the_store_instead_of_pretending() {
    let (fs, _) = fixture(false);
    let s = survey();
    let mut store = open(&fs);
    store.submit(&s, &response(&s, week(46), "a")).unwrap();
    // Fail the record's fdatasync (the append is op +0, the sync +1) and the undo after it.
    fs.fail_from(fs.ops() + 1, Fault::Io);
    assert!(store.submit(&s, &response(&s, week(46), "b")).is_err());
    let err = store.submit(&s, &response(&s, week(46), "c")).unwrap_err();
    assert!(matches!(err, StoreError::Stopped(_)), "{err}");
}
