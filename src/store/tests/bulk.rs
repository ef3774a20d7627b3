//! Batched durability (bulk synthetic data): same format, far fewer writes, synthetic stores only.

use super::*;

/// Submit the same 25 responses over two weeks with the given durability, then flush.
fn write(fs: &MemFs, durability: Durability) -> Vec<String> {
    let s = survey();
    let mut store = open(fs);
    store.set_durability(durability).unwrap();
    let mut tags = Vec::new();
    for i in 0..25 {
        let tag = format!("{i:02}");
        let period = if i < 12 { week(45) } else { week(46) };
        store.submit(&s, &tagged(&s, period, &tag)).unwrap();
        tags.push(format!("comment {tag}"));
    }
    store.flush().unwrap();
    tags.sort();
    tags
}

#[test]
fn a_bulk_written_store_reads_and_verifies_like_a_normal_one() {
    let (normal, normal_id) = memory_store(true);
    let (bulk, bulk_id) = memory_store(true);
    let expect = write(&normal, Durability::EveryResponse);
    assert_eq!(write(&bulk, Durability::Batched(10)), expect);
    assert_eq!(comments(&normal, &normal_id), expect);
    assert_eq!(comments(&bulk, &bulk_id), expect);
    // The same files holding the same groups and records.
    for w in [45, 46] {
        assert_eq!(group_sizes(&bulk, week(w)), group_sizes(&normal, week(w)));
    }
    let report = verify_mem(&bulk, Some(&bulk_id)).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.counts.values().sum::<u64>(), 25);
    assert_eq!(report.counts.get(&week(45)), Some(&12));
}

#[test]
fn batched_mode_writes_only_per_batch_period_and_flush() {
    let (fs, id) = memory_store(true);
    let s = survey();
    let mut store = open(&fs);
    store.set_durability(Durability::Batched(10)).unwrap();
    for i in 0..9 {
        store
            .submit(&s, &tagged(&s, week(46), &i.to_string()))
            .unwrap();
    }
    assert!(
        record_files(&fs).is_empty(),
        "nine responses wait for the batch"
    );
    store.submit(&s, &tagged(&s, week(46), "10th")).unwrap();
    assert_eq!(comments(&fs, &id).len(), 10, "the tenth writes the batch");
    store.submit(&s, &tagged(&s, week(46), "11th")).unwrap();
    store.submit(&s, &tagged(&s, week(47), "new week")).unwrap();
    assert_eq!(
        comments(&fs, &id).len(),
        11,
        "a new period writes the last one's"
    );
    store.flush().unwrap();
    assert_eq!(comments(&fs, &id).len(), 12);
}

#[test]
fn batched_mode_is_refused_on_a_store_for_real_answers() {
    let (fs, _) = memory_store(false);
    let mut store = open(&fs);
    let err = store.set_durability(Durability::Batched(10)).unwrap_err();
    assert!(matches!(err, StoreError::NotSynthetic(_)), "{err}");
    assert!(err.to_string().contains("init --synthetic"), "{err}");
    store.set_durability(Durability::EveryResponse).unwrap();
}
