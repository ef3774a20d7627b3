//! Tests of the store through the in-memory file layer: round trips, groups, file times, the
//! writer lock, what stays private on disk.

mod bulk;
mod chi;
mod crash;
mod faults;
mod legacy;
mod order;
mod powercut;
mod tamper;
mod vector_files;
mod week;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::fsio::mem::MemFs;
use crate::response::{Answer, Period};

pub(super) use super::testkit::{
    DIR, comments, memory_store, open, read_all, survey, tagged, week,
};

/// The records files (`*.icr`) and their bytes.
pub(super) fn record_files(fs: &MemFs) -> Vec<(PathBuf, Vec<u8>)> {
    fs.snapshot()
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "icr"))
        .filter(|(p, _)| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect()
}

/// The version-2 file of a period, parsed.
pub(super) fn period_file(fs: &MemFs, p: Period) -> (Vec<u8>, period_file::PeriodFile) {
    let path = Path::new(DIR)
        .join(RECORDS_DIR)
        .join(period_file::file_name(p));
    let bytes = fs.read(&path).unwrap();
    let scan = format::RECORDS.scan(&bytes).unwrap();
    let meta = StoreMeta::load(fs, Path::new(DIR)).unwrap();
    let file = period_file::PeriodFile::parse(&path, &bytes, &scan, &meta).unwrap();
    (bytes, file)
}

/// How many records each group of a period's file holds, smallest first.
pub(super) fn group_sizes(fs: &MemFs, p: Period) -> Vec<usize> {
    let (bytes, file) = period_file(fs, p);
    let mut sizes: Vec<usize> = file
        .groups
        .iter()
        .map(|(g, _, _)| {
            let of_group = |f: &&format::Frame| {
                period_file::split_record(&bytes[f.start..f.end]).unwrap().0 == g.epoch_id
            };
            file.records.iter().filter(of_group).count()
        })
        .collect();
    sizes.sort();
    sizes
}

pub(super) fn verify_mem(
    fs: &MemFs,
    id: Option<&age::x25519::Identity>,
) -> Result<VerifyReport, StoreError> {
    verify_with(Arc::new(fs.clone()), Path::new(DIR), id)
}

#[test]
fn one_file_per_period_whatever_the_restarts_and_groups_follow_period_survey_and_restart() {
    let (fs, id) = memory_store(false);
    let s = survey();
    let mut other = s.clone();
    other.hash.0[0] ^= 0xff;
    let mut store = open(&fs);
    store.submit(&s, &tagged(&s, week(46), "a")).unwrap();
    store.submit(&s, &tagged(&s, week(46), "b")).unwrap();
    store.submit(&s, &tagged(&s, week(47), "c")).unwrap();
    store
        .submit(&other, &tagged(&other, week(47), "d"))
        .unwrap();
    drop(store);
    // A new process starts a new group, in the same file.
    open(&fs).submit(&s, &tagged(&s, week(47), "e")).unwrap();
    let names: Vec<String> = record_files(&fs)
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["2026-W46.icr", "2026-W47.icr"]);
    assert_eq!(period_file(&fs, week(46)).1.groups.len(), 1);
    let (_, w47) = period_file(&fs, week(47));
    assert_eq!((w47.groups.len(), w47.records.len()), (3, 3));
    let got: Vec<Response> = read_all(&fs, &id).into_iter().map(Result::unwrap).collect();
    assert_eq!(got.len(), 5);
    assert!(got.contains(&tagged(&s, week(46), "a")));
    assert!(got.contains(&tagged(&other, week(47), "d")));
    let report = verify_mem(&fs, Some(&id)).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.counts[&week(46)], 2);
    assert_eq!(report.counts[&week(47)], 3);
    assert!(!report.unauthenticated);
}

#[test]
fn a_group_key_is_wiped_after_32_responses_and_when_its_period_is_over() {
    let (fs, id) = memory_store(false);
    let s = survey();
    let mut store = open(&fs);
    let r = tagged(&s, week(46), "x");
    for i in 1..=GROUP_MAX_RECORDS {
        store.submit(&s, &r).unwrap();
        assert_eq!(store.holds_group_key(), i < GROUP_MAX_RECORDS, "after {i}");
    }
    store.submit(&s, &r).unwrap();
    assert_eq!(group_sizes(&fs, week(46)), [1, 32]);
    assert_eq!(read_all(&fs, &id).len(), 33);
    // The day changes within the period: the key stays; the period ends: it is wiped.
    assert!(store.holds_group_key());
    store.end_group_unless(week(46));
    assert!(store.holds_group_key());
    store.end_group_unless(week(47));
    assert!(!store.holds_group_key());
}

#[test]
fn comments_are_scrubbed_of_phone_numbers_nhs_numbers_and_emails_before_sealing() {
    let (fs, id) = memory_store(false);
    let s = survey();
    let mut r = tagged(&s, week(47), "x");
    // 943 476 5919 passes the NHS modulus-11 check.
    r.comment = Some("ring 07700 900123 or me@example.org, NHS 943 476 5919".into());
    let mut store = open(&fs);
    store.submit(&s, &r).unwrap();
    let comment = read_all(&fs, &id).remove(0).unwrap().comment.unwrap();
    assert_eq!(comment, "ring [removed] or [removed], NHS [removed]");
    // A comment that is nothing but an identifier keeps the marker: the reader sees it was cut.
    r.comment = Some(" 07700 900123 ".into());
    store.submit(&s, &r).unwrap();
    let got = read_all(&fs, &id);
    assert!(
        got.iter()
            .any(|x| x.as_ref().unwrap().comment.as_deref() == Some("[removed]"))
    );
}

#[test]
fn responses_that_do_not_fit_the_survey_are_refused() {
    let (fs, _) = memory_store(false);
    let s = survey();
    let mut store = open(&fs);
    let mut r = tagged(&s, week(46), "a");
    r.answers.pop();
    assert!(matches!(
        store.submit(&s, &r),
        Err(StoreError::WrongSurvey { .. })
    ));
    let mut r = tagged(&s, week(46), "a");
    r.answers[0] = Answer::Value(9);
    assert!(matches!(
        store.submit(&s, &r),
        Err(StoreError::WrongSurvey { .. })
    ));
    let r = tagged(
        &s,
        Period::Month {
            year: 2026,
            month: 11,
        },
        "a",
    );
    assert!(matches!(
        store.submit(&s, &r),
        Err(StoreError::WrongSurvey { .. })
    ));
    assert!(record_files(&fs).is_empty());
}

#[test]
fn every_file_the_write_touches_is_dated_to_the_start_of_the_period() {
    let (fs, _) = memory_store(false);
    let s = survey();
    let mut store = open(&fs);
    store.submit(&s, &tagged(&s, week(46), "a")).unwrap();
    store.submit(&s, &tagged(&s, week(47), "b")).unwrap();
    let rdir = Path::new(DIR).join(RECORDS_DIR);
    let start = |w| period_start(week(w));
    assert_eq!(fs.mtime(&rdir.join("2026-W46.icr")), Some(start(46)));
    assert_eq!(fs.mtime(&rdir.join("2026-W47.icr")), Some(start(47)));
    assert_eq!(fs.mtime(&ledger::path(Path::new(DIR))), Some(start(47)));
    assert_eq!(fs.mtime(&rdir), Some(start(47)));
    // Monday 9 November 2026, local midnight.
    let local = chrono::DateTime::<chrono::Local>::from(start(46));
    assert_eq!(
        local.format("%F %T %a").to_string(),
        "2026-11-09 00:00:00 Mon"
    );
    let month = period_start(Period::Month {
        year: 2026,
        month: 11,
    });
    let local = chrono::DateTime::<chrono::Local>::from(month);
    assert_eq!(local.format("%F %T").to_string(), "2026-11-01 00:00:00");
}

#[test]
fn a_second_writer_is_refused_until_the_first_is_gone() {
    let (fs, _) = memory_store(false);
    let first = open(&fs);
    let err = Store::open_with(Arc::new(fs.clone()), Path::new(DIR))
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Locked(_)), "{err}");
    assert!(err.to_string().contains("only one may at a time"), "{err}");
    drop(first);
    open(&fs);
}

#[test]
fn a_fifo_or_symlink_in_the_store_is_reported_and_never_read() {
    let (fs, id) = memory_store(false);
    let s = survey();
    open(&fs).submit(&s, &tagged(&s, week(46), "a")).unwrap();
    let rdir = Path::new(DIR).join(RECORDS_DIR);
    fs.put_special(
        &rdir.join("2026-W50.icr"),
        fsio::EntryKind::Other("a FIFO (named pipe)"),
    );
    fs.put_special(&rdir.join("random"), fsio::EntryKind::Symlink);
    fs.put_special(
        &Path::new(DIR).join("keys/pipe"),
        fsio::EntryKind::Other("a device"),
    );
    let store = open(&fs);
    let damaged: Vec<String> = store
        .report()
        .damaged
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert!(
        damaged
            .iter()
            .any(|p| p.contains("2026-W50.icr") && p.contains("FIFO")),
        "{damaged:?}"
    );
    assert!(
        damaged
            .iter()
            .any(|p| p.contains("random") && p.contains("symbolic link")),
        "{damaged:?}"
    );
    drop(store);
    let report = verify_mem(&fs, Some(&id)).unwrap();
    let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    for name in ["2026-W50.icr", "random", "keys/pipe"] {
        assert!(
            problems
                .iter()
                .any(|p| p.contains(name) && p.contains("not opened")),
            "{name}: {problems:?}"
        );
    }
    assert_eq!(report.counts.values().sum::<u64>(), 1);
    let read = read_all(&fs, &id);
    assert_eq!(read.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(
        read.iter()
            .any(|r| r.as_ref().is_err_and(|e| e.contains("FIFO"))),
        "{read:?}"
    );
}

/// Every file under `dir`, recursively.
fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(all_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn init_makes_private_folders_and_files_and_no_file_holds_an_answer_in_plaintext() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let options = InitOptions {
        site: "Test practice".into(),
        passphrase_work_factor: Some(4),
        ..InitOptions::default()
    };
    let pass = SecretString::from("correct horse battery".to_string());
    let pin = SecretString::from("2468".to_string());
    init(&dir, &options, &pass, &pin).unwrap();
    let s = survey();
    let comment = "zebra-quartz-unique-7f3a91 said the nurse was kind";
    let mut r = tagged(&s, week(46), "");
    r.comment = Some(comment.to_string());
    let mut store = Store::open(&dir).unwrap();
    store.submit(&s, &r).unwrap();
    drop(store);
    for d in ["", "keys", "records", "quarantine"] {
        let mode = std::fs::metadata(dir.join(d)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{d}/");
    }
    // Each answer alone is one or two bytes (which random bytes contain by chance); the whole
    // answer sequence, the headline with it, and the whole response are searched for instead.
    let needles: Vec<(String, Vec<u8>)> = vec![
        ("comment".into(), comment.as_bytes().to_vec()),
        ("comment word".into(), b"zebra-quartz".to_vec()),
        ("answers".into(), postcard::to_stdvec(&r.answers).unwrap()),
        (
            "answers and headline".into(),
            postcard::to_stdvec(&(&r.answers, r.headline)).unwrap(),
        ),
        ("response".into(), postcard::to_stdvec(&r).unwrap()),
    ];
    let files = all_files(&dir);
    assert!(files.len() >= 6, "{files:?}");
    for f in &files {
        let mode = std::fs::metadata(f).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", f.display());
        let bytes = std::fs::read(f).unwrap();
        for (what, needle) in &needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == &needle[..]),
                "{what} found in {}",
                f.display()
            );
        }
    }
    // File names carry the period only.
    let names: Vec<String> = std::fs::read_dir(dir.join(RECORDS_DIR))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, ["2026-W46.icr", "ledger"]);
    let id = keys::unlock_identity(&dir, &pass).unwrap();
    let back: Vec<_> = read_responses(&dir, &id).unwrap().collect();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].as_ref().unwrap().comment.as_deref(), Some(comment));
    // A secret file others can read is refused, naming the fix.
    let key = dir.join("keys/site-signing.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = Store::open(&dir).err().unwrap().to_string();
    assert!(
        err.contains(&format!("chmod 600 {}", key.display())),
        "{err}"
    );
    let identity = dir.join(keys::IDENTITY_FILE);
    std::fs::set_permissions(&identity, std::fs::Permissions::from_mode(0o640)).unwrap();
    let err = keys::unlock_identity(&dir, &pass)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains(&format!("chmod 600 {}", identity.display())),
        "{err}"
    );
}
