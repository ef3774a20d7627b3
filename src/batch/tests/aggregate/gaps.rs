//! Nothing missing unnoticed: each `--since-last` batch has the next number of its store's chain
//! and names the periods of the earlier ones, so an aggregation store lists the batches that never
//! arrived, and only while their periods came in no later batch.

use super::*;
use crate::batch::intake::{Log, Missing};
use std::path::PathBuf;

use crate::response::Period;

fn weeks(ws: &[u8]) -> Vec<Period> {
    ws.iter()
        .map(|&week| Period::Week { year: 2026, week })
        .collect()
}

/// [`fixture::chain_of`] with the aggregation store at [`AGG`].
fn chain_of(steps: &[&[u8]]) -> (MemFs, age::x25519::Identity, Vec<PathBuf>) {
    fixture::chain_of(AGG, steps)
}

/// What the aggregation store says is missing.
fn missing(fs: &MemFs) -> Vec<Missing> {
    let sites = Log::load(fs, Path::new(AGG)).unwrap().sites();
    sites
        .into_iter()
        .flat_map(|s| s.stores.into_iter().flat_map(|st| st.missing))
        .collect()
}

#[test]
fn a_batch_that_never_arrives_is_listed_with_its_periods_until_it_comes() {
    let (fs, agg, b) = chain_of(&[&[40, 41], &[42, 43, 44], &[45]]);
    let (one, two, three) = (&b[0], &b[1], &b[2]);
    let chain = |p: &Path| {
        file::check(p, &fs.read(p).unwrap())
            .unwrap()
            .manifest
            .chain
            .unwrap()
    };
    assert_eq!(
        (
            chain(one).sequence,
            chain(two).sequence,
            chain(three).sequence
        ),
        (1, 2, 3)
    );
    assert_eq!(chain(three).earlier.len(), 2);
    import(&fs, one, true, &agg).unwrap();
    import(&fs, three, false, &agg).unwrap();
    let m = missing(&fs);
    assert_eq!(
        m,
        [Missing {
            sequence: 2,
            of: 3,
            periods: weeks(&[42, 43, 44])
        }]
    );
    let site = &Log::load(&fs, Path::new(AGG)).unwrap().sites()[0];
    assert_eq!(
        site.missing_sentences(),
        ["North: batch 2 of 3 not received: 2026-W42 to 2026-W44"]
    );
    assert_eq!(site.latest, weeks(&[45]).first().copied());
    // It comes late: nothing is missing any more.
    import(&fs, two, false, &agg).unwrap();
    assert!(missing(&fs).is_empty());
    assert_eq!(read(&fs, AGG, &agg).len(), 6);
}

#[test]
fn a_period_sent_again_later_or_a_full_export_fills_the_gap() {
    // Week 41 changes again after batch 2: batch 3 holds all of it.
    let (fs, agg, b) = chain_of(&[&[40], &[41], &[41, 42]]);
    import(&fs, &b[0], true, &agg).unwrap();
    import(&fs, &b[2], false, &agg).unwrap();
    assert!(missing(&fs).is_empty(), "{:?}", missing(&fs));
    assert_eq!(read(&fs, AGG, &agg).len(), 4);

    // Batch 2 of another chain lost, then a full export: nothing missing.
    let (fs, agg, b) = chain_of(&[&[40], &[41], &[42]]);
    import(&fs, &b[0], true, &agg).unwrap();
    import(&fs, &b[2], false, &agg).unwrap();
    assert_eq!(missing(&fs).len(), 1);
    let full = fixture::export(&fs, "/north", "full.icb", false);
    let c = file::check(&full, &fs.read(&full).unwrap())
        .unwrap()
        .manifest
        .chain
        .unwrap();
    assert_eq!((c.sequence, c.since_last), (3, false));
    assert_eq!(import(&fs, &full, false, &agg).unwrap().added, 1);
    assert!(missing(&fs).is_empty());
    assert_eq!(read(&fs, AGG, &agg).len(), 3);
}

#[test]
fn the_chain_moves_only_with_since_last_and_takes_over_an_old_watermark() {
    let fs = MemFs::new();
    fixture::site(&fs, "/north", "North", false, &[]);
    fixture::submit_weeks(&fs, "/north", &[40, 40, 40], "old");
    // An earlier version's watermark: every record of week 40 was sent.
    let w40 = fs
        .snapshot()
        .into_iter()
        .find(|(p, _)| p.ends_with("2026-W40.icr"))
        .unwrap()
        .1;
    let scan = crate::store::format::RECORDS.scan(&w40).unwrap();
    let ids: Vec<String> = scan
        .frames
        .iter()
        .filter(|f| f.kind == crate::store::format::KIND_GROUP_RECORD)
        .map(|f| {
            crate::store::format::hex(&crate::store::format::record_id(&w40[f.start + 16..f.end]))
        })
        .collect();
    let store_id = crate::store::StoreMeta::load(&fs, Path::new("/north"))
        .unwrap()
        .store_id;
    fs.put(
        &Path::new("/north").join(export::WATERMARK_FILE),
        crate::store::format::WATERMARK.json_file(
            &serde_json::json!({"store_id": crate::store::format::hex(&store_id), "files": {}, "records": ids}),
        ),
    );
    fixture::submit_weeks(&fs, "/north", &[41], "new");
    let full = fixture::export(&fs, "/north", "full.icb", false);
    let b = file::check(&full, &fs.read(&full).unwrap()).unwrap();
    assert_eq!(b.manifest.records, 4);
    assert_eq!(
        b.manifest.chain.unwrap().sequence,
        0,
        "a full export does not move the chain"
    );
    let since = fixture::export(&fs, "/north", "since.icb", true);
    let b = file::check(&since, &fs.read(&since).unwrap()).unwrap();
    assert_eq!(
        (b.manifest.records, b.manifest.periods.clone()),
        (1, vec!["2026-W41".to_string()])
    );
    assert_eq!(b.manifest.chain.unwrap().sequence, 1);
    assert!(!fs.exists(&Path::new("/north").join(export::WATERMARK_FILE)));
    assert!(fs.exists(&Path::new("/north").join(export::CHAIN_FILE)));
}

/// An import cut short after its records were renamed into place and before the batch was logged
/// leaves an imported file the log does not list: it counts as received with no number until
/// the batch is imported again, which logs its number (and adds nothing).
#[test]
fn a_batch_imported_but_not_logged_gets_its_number_when_imported_again() {
    let (fs, agg, b) = chain_of(&[&[40], &[41], &[42]]);
    import(&fs, &b[0], true, &agg).unwrap();
    import(&fs, &b[2], false, &agg).unwrap();
    fixture::import_unchecked(&fs, AGG, &b[1]);
    assert_eq!(missing(&fs).len(), 1, "no number yet");
    let sites = Log::load(&fs, Path::new(AGG)).unwrap().sites();
    assert_eq!(sites[0].stores[0].batches, 3);
    assert_eq!(import(&fs, &b[1], false, &agg).unwrap().added, 0);
    assert!(missing(&fs).is_empty(), "{:?}", missing(&fs));
    let sites = Log::load(&fs, Path::new(AGG)).unwrap().sites();
    assert_eq!(sites[0].stores[0].batches, 3, "each batch once");
    // Imported again, nothing changes in the log.
    let log = fs
        .read(&Path::new(AGG).join(crate::batch::intake::RECEIVED_LOG))
        .unwrap();
    import(&fs, &b[1], false, &agg).unwrap();
    assert_eq!(
        fs.read(&Path::new(AGG).join(crate::batch::intake::RECEIVED_LOG))
            .unwrap(),
        log
    );
}
