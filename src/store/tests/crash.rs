//! Power cuts and injected faults through the in-memory file layer, on the write path of format
//! version 2 (whole files renamed into place, with the ledger).

use proptest::prelude::*;

use super::*;
use crate::fsio::mem::Fault;

/// Every records file is whole: no torn tail, no damage, as the ledger says.
fn no_half_file(fs: &MemFs) -> Result<(), TestCaseError> {
    for (p, b) in record_files(fs) {
        let scan = format::RECORDS.scan(&b).unwrap();
        prop_assert!(
            scan.torn_at.is_none() && scan.damage.is_empty(),
            "{}",
            p.display()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    /// A crash at any operation of a submission, then a power cut that tears the un-synced tail
    /// at any byte and undoes every folder change not yet synced, leaves exactly the
    /// acknowledged responses, plus at most the one in flight, and never a half file.
    #[test]
    fn power_cut_leaves_exactly_the_acknowledged_responses(
        acked in 0usize..4,
        crash_after in 0u64..20,
        keep in 0usize..700,
        restarts in proptest::bool::ANY,
    ) {
        let (fs, id) = memory_store(false);
        let s = survey();
        let mut store = open(&fs);
        let mut expect = Vec::new();
        for i in 0..acked {
            if restarts && i == 2 {
                drop(store);
                store = open(&fs);
            }
            let tag = format!("acked {i}");
            store.submit(&s, &tagged(&s, week(46), &tag)).unwrap();
            expect.push(format!("comment {tag}"));
        }
        // The process dies at operation `crash_after` of the next submission: from then on
        // nothing reaches the disk, not even the store's attempt to undo.
        fs.fail_from(fs.ops() + crash_after, Fault::Io);
        let in_flight = store.submit(&s, &tagged(&s, week(46), "in flight")).is_ok();
        if in_flight {
            expect.push("comment in flight".into());
        }
        drop(store);
        let keep = keep.min(fs.unsynced_tail());
        fs.power_cut(keep);
        let store = open(&fs);
        no_half_file(&fs)?;
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
        store.submit(&s, &tagged(&s, week(46), "after")).unwrap();
        prop_assert_eq!(comments(&fs, &id).len(), got.len() + 1);
        prop_assert!(verify_mem(&fs, Some(&id)).unwrap().problems.is_empty());
    }
}

#[test]
fn a_failed_operation_fails_the_response_and_it_never_reappears() {
    let s = survey();
    for fault in [Fault::Io, Fault::NoSpace] {
        // Learn how many operations two submissions take (the first one starts a file).
        let (probe, _) = memory_store(false);
        let mut st = open(&probe);
        let start = probe.ops();
        st.submit(&s, &tagged(&s, week(46), "x")).unwrap();
        st.submit(&s, &tagged(&s, week(46), "y")).unwrap();
        let ops = probe.ops() - start;
        for n in 0..ops {
            let (fs, id) = memory_store(false);
            let mut store = open(&fs);
            fs.fail_at(fs.ops() + n, fault);
            let first = store.submit(&s, &tagged(&s, week(46), "first"));
            let second = store.submit(&s, &tagged(&s, week(46), "second"));
            // A failure only of setting the file times leaves both saved (the next write sets
            // them again); every other failure fails its response.
            let times_only = first.is_ok() && second.is_ok();
            // The store goes on: a later response is saved.
            store.submit(&s, &tagged(&s, week(46), "third")).unwrap();
            let mut expect: Vec<String> = [("first", &first), ("second", &second)]
                .iter()
                .filter(|(_, r)| r.is_ok())
                .map(|(t, _)| format!("comment {t}"))
                .collect();
            expect.push("comment third".into());
            expect.sort();
            assert_eq!(comments(&fs, &id), expect, "{fault:?} at op {n}");
            if times_only {
                let rdir = Path::new(DIR).join(RECORDS_DIR);
                assert_eq!(
                    fs.mtime(&rdir.join("2026-W46.icr")),
                    Some(period_start(week(46)))
                );
            }
            // Still true after a power cut and recovery: what failed is not counted later.
            drop(store);
            fs.power_cut(usize::MAX);
            let _ = open(&fs);
            assert_eq!(
                comments(&fs, &id),
                expect,
                "{fault:?} at op {n}, after power cut"
            );
            assert!(
                verify_mem(&fs, Some(&id)).unwrap().problems.is_empty(),
                "op {n}"
            );
        }
    }
}

#[test]
fn a_failed_undo_stops_the_store_instead_of_pretending() {
    let (fs, id) = memory_store(false);
    let s = survey();
    let mut store = open(&fs);
    store.submit(&s, &tagged(&s, week(46), "a")).unwrap();
    // The second write: read (+0), records temp created, written, synced (+1..+3), ledger temp
    // (+4..+6), folder synced (+7), records file renamed into place (+8); the folder sync after
    // it (+9) fails, and so does every later operation, the undo too.
    fs.fail_from(fs.ops() + 9, Fault::Io);
    assert!(store.submit(&s, &tagged(&s, week(46), "b")).is_err());
    let err = store.submit(&s, &tagged(&s, week(46), "c")).unwrap_err();
    assert!(matches!(err, StoreError::Stopped(_)), "{err}");
    // A restart after the power comes back finishes nothing it should not: "b" never showed
    // "thank you", and is either absent or the one in flight the new file holds.
    drop(store);
    fs.power_cut(0);
    drop(open(&fs));
    let got = comments(&fs, &id);
    assert!(
        got == ["comment a"] || got == ["comment a", "comment b"],
        "{got:?}"
    );
}
