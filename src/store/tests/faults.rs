//! Faults through the store's file layer: ENOSPC and EIO at every file operation of a
//! submission. An fsync error is final (the file is never appended to or synced again, so a
//! retried fsync can never report lost data as saved), and exactly the acknowledged responses are
//! stored, before and after a power cut.

use super::*;
use crate::fsio::mem::Fault;
use crate::store::testkit::{Op, logged_store, open_logged, tiny};

#[test]
fn an_fsync_error_is_final_and_the_response_is_never_acknowledged() {
    let s = tiny();
    // How many operations two submissions take (the first one starts an epoch).
    let (probe, _) = logged_store();
    let mut st = open_logged(&probe);
    let start = probe.mem.ops();
    st.submit(&s, &tagged(&s, week(47), "x")).unwrap();
    st.submit(&s, &tagged(&s, week(47), "y")).unwrap();
    let ops = probe.mem.ops() - start;
    let mut syncs_failed = 0;
    for fault in [Fault::NoSpace, Fault::Io] {
        for n in 0..ops {
            let (fs, id) = logged_store();
            let mut store = open_logged(&fs);
            let at = fs.mem.ops() + n;
            fs.mem.fail_at(at, fault);
            let mut results = Vec::new();
            for tag in ["first", "second", "third"] {
                let before = fs.mem.ops();
                let r = store.submit(&s, &tagged(&s, week(47), tag));
                results.push((tag, before..fs.mem.ops(), r.is_ok()));
            }
            // The submission that met the fault reports it, unless only a file's times failed to
            // be set (the response is saved; the next write sets them).
            let (tag, _, ok) = results
                .iter()
                .find(|(_, ops, _)| ops.contains(&at))
                .unwrap_or_else(|| panic!("{fault:?} at op {n}: no submission met it"));
            let log = fs.entries();
            let (_, op, path) = log.iter().find(|(i, ..)| *i == at).unwrap().clone();
            assert!(
                !ok || op == Op::SetTimes,
                "{fault:?} at op {n} ({op:?}): {tag} acknowledged"
            );
            if matches!(op, Op::SyncData | Op::Append) {
                // Never written or synced again: no retry can report lost data as saved.
                let again: Vec<_> = log
                    .iter()
                    .filter(|(i, o, p)| {
                        *i > at && *p == path && matches!(o, Op::Append | Op::SyncData)
                    })
                    .collect();
                assert!(
                    again.is_empty(),
                    "{fault:?} at op {n} ({op:?}): {path:?} used again: {again:?}"
                );
            }
            if op == Op::SyncData {
                syncs_failed += 1;
            }
            // Exactly the acknowledged responses are stored, before and after a power cut.
            let acked: Vec<String> = results
                .iter()
                .filter(|(.., ok)| *ok)
                .map(|(t, ..)| format!("comment {t}"))
                .collect();
            assert_eq!(comments(&fs.mem, &id), acked, "{fault:?} at op {n}");
            fs.mem.power_cut(usize::MAX);
            drop(store);
            let _ = open_logged(&fs);
            assert_eq!(
                comments(&fs.mem, &id),
                acked,
                "{fault:?} at op {n}, power cut"
            );
        }
    }
    assert!(syncs_failed >= 4, "the record and header fsyncs were hit");
    eprintln!(
        "faults: {} injected ({ops} operations of two submissions x ENOSPC, EIO), {syncs_failed} of them fsyncs",
        2 * ops
    );
}
