//! Tests of the store through the in-memory file layer: round trips, tamper detection, torn tails.

mod bulk;
mod crash;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::fsio::mem::MemFs;
use crate::response::{Answer, Period};
use crate::survey::{self, Survey};

pub(super) const DIR: &str = "/data";

/// A store in memory (meta written directly: no scrypt or Argon2 cost) and its manager identity.
pub(super) fn fixture(synthetic: bool) -> (MemFs, age::x25519::Identity) {
    let fs = MemFs::new();
    let id = age::x25519::Identity::generate();
    for d in [RECORDS_DIR, QUARANTINE_DIR] {
        fs.create_dir_all(&Path::new(DIR).join(d)).unwrap();
    }
    let mut store_id = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut store_id);
    let meta = StoreMeta {
        store_id,
        site: "Test practice".into(),
        synthetic,
        period: PeriodKind::Week,
        recipients: vec![id.to_public()],
    };
    fs.put(&StoreMeta::path(Path::new(DIR)), meta.to_bytes());
    (fs, id)
}

pub(super) fn survey() -> Survey {
    survey::embedded().unwrap()
}

pub(super) fn week(n: u8) -> Period {
    Period::Week {
        year: 2026,
        week: n,
    }
}

/// A response whose comment tells it apart.
pub(super) fn response(s: &Survey, period: Period, tag: &str) -> Response {
    Response {
        survey_id: s.id.clone(),
        survey_hash: s.hash,
        language: "en".into(),
        period,
        answers: (0..s.items.len())
            .map(|i| match i % 4 {
                0 => Answer::Value(1 + (i % 5) as i32),
                1 => Answer::NotApplicable,
                2 => Answer::Skipped,
                _ => Answer::Value(4),
            })
            .collect(),
        headline: Answer::Value(2),
        comment: Some(format!("comment {tag}")),
    }
}

pub(super) fn open(fs: &MemFs) -> Store {
    Store::open_with(Arc::new(fs.clone()), Path::new(DIR)).unwrap()
}

pub(super) fn read_all(fs: &MemFs, id: &age::x25519::Identity) -> Vec<Result<Response, String>> {
    read_responses_with(Arc::new(fs.clone()), Path::new(DIR), id)
        .unwrap()
        .map(|r| r.map_err(|e| e.to_string()))
        .collect()
}

pub(super) fn comments(fs: &MemFs, id: &age::x25519::Identity) -> Vec<String> {
    let mut out: Vec<String> = read_all(fs, id)
        .into_iter()
        .map(|r| r.unwrap().comment.unwrap_or_default())
        .collect();
    out.sort();
    out
}

fn record_files(fs: &MemFs) -> Vec<(PathBuf, Vec<u8>)> {
    fs.snapshot()
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "icr"))
        .collect()
}

fn verify_mem(fs: &MemFs, id: Option<&age::x25519::Identity>) -> Result<VerifyReport, StoreError> {
    verify_with(Arc::new(fs.clone()), Path::new(DIR), id)
}

#[test]
fn submitted_responses_read_back_and_epochs_follow_period_and_survey() {
    let (fs, id) = fixture(false);
    let s = survey();
    let mut other = s.clone();
    other.hash.0[0] ^= 0xff;
    let mut store = open(&fs);
    store.submit(&s, &response(&s, week(46), "a")).unwrap();
    store.submit(&s, &response(&s, week(46), "b")).unwrap();
    store.submit(&s, &response(&s, week(47), "c")).unwrap();
    store
        .submit(&other, &response(&other, week(47), "d"))
        .unwrap();
    drop(store);
    // A new process starts a new epoch.
    open(&fs).submit(&s, &response(&s, week(47), "e")).unwrap();
    assert_eq!(record_files(&fs).len(), 4);
    let got: Vec<Response> = read_all(&fs, &id).into_iter().map(Result::unwrap).collect();
    assert_eq!(got.len(), 5);
    assert!(got.contains(&response(&s, week(46), "a")));
    assert!(got.contains(&response(&other, week(47), "d")));
    let report = verify_mem(&fs, Some(&id)).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.counts[&week(46)], 2);
    assert_eq!(report.counts[&week(47)], 3);
}

#[test]
fn comments_are_scrubbed_of_phone_numbers_nhs_numbers_and_emails_before_sealing() {
    let (fs, id) = fixture(false);
    let s = survey();
    let mut r = response(&s, week(47), "x");
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
fn a_new_epoch_starts_every_ten_thousand_responses() {
    let (fs, id) = fixture(false);
    let s = survey();
    let mut store = open(&fs);
    let r = response(&s, week(46), "x");
    for _ in 0..=EPOCH_MAX_RECORDS {
        store.submit(&s, &r).unwrap();
    }
    assert_eq!(record_files(&fs).len(), 2);
    assert_eq!(read_all(&fs, &id).len(), EPOCH_MAX_RECORDS as usize + 1);
}

#[test]
fn responses_that_do_not_fit_the_survey_are_refused() {
    let (fs, _) = fixture(false);
    let s = survey();
    let mut store = open(&fs);
    let mut r = response(&s, week(46), "a");
    r.answers.pop();
    assert!(matches!(
        store.submit(&s, &r),
        Err(StoreError::WrongSurvey { .. })
    ));
    let mut r = response(&s, week(46), "a");
    r.answers[0] = Answer::Value(9);
    assert!(matches!(
        store.submit(&s, &r),
        Err(StoreError::WrongSurvey { .. })
    ));
    let r = response(
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
fn every_single_bit_flip_is_detected_with_its_file() {
    let (fs, _) = fixture(false);
    let s = survey();
    let mut store = open(&fs);
    store.submit(&s, &response(&s, week(46), "a")).unwrap();
    store.submit(&s, &response(&s, week(46), "b")).unwrap();
    let files: Vec<_> = fs
        .snapshot()
        .into_iter()
        .filter(|(p, _)| p.starts_with(Path::new(DIR).join(RECORDS_DIR)) || p.ends_with(META_FILE))
        .collect();
    assert_eq!(files.len(), 2);
    for (path, bytes) in &files {
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut bad = bytes.clone();
                bad[i] ^= 1 << bit;
                fs.put(path, bad);
                match verify_mem(&fs, None) {
                    Ok(report) => {
                        let p = report.problems.first();
                        assert!(
                            p.is_some_and(|p| &p.path == path && p.offset.is_some()),
                            "flip of bit {bit} at {i} in {} not reported: {:?}",
                            path.display(),
                            report.problems
                        );
                    }
                    Err(e) => assert!(e.to_string().contains(&*path.to_string_lossy()), "{e}"),
                }
            }
        }
        fs.put(path, bytes.clone());
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// With a key, a flipped bit anywhere in a records file is reported by verify and by reading.
    #[test]
    fn bit_flips_are_detected_when_opening_records(pos in 0usize..100_000, bit in 0u8..8) {
        let (fs, id) = fixture(false);
        let s = survey();
        open(&fs).submit(&s, &response(&s, week(46), "a")).unwrap();
        let (path, mut bytes) = record_files(&fs).remove(0);
        let i = pos % bytes.len();
        bytes[i] ^= 1 << bit;
        fs.put(&path, bytes);
        let report = verify_mem(&fs, Some(&id));
        let detected = match report {
            Ok(r) => !r.problems.is_empty(),
            Err(_) => true,
        };
        proptest::prop_assert!(detected);
        proptest::prop_assert!(read_all(&fs, &id).iter().all(|r| r.is_err()) || read_all(&fs, &id).is_empty());
    }
}

#[test]
fn cutting_the_last_file_at_every_offset_keeps_exactly_the_complete_records() {
    let (fs, id) = fixture(false);
    let s = survey();
    let mut store = open(&fs);
    for tag in ["a", "b", "c"] {
        store.submit(&s, &response(&s, week(46), tag)).unwrap();
    }
    drop(store);
    let (path, bytes) = record_files(&fs).remove(0);
    let scan = format::scan(&bytes, format::MAGIC_RECORDS, "records").unwrap();
    let ends: Vec<usize> = scan.frames.iter().map(|f| f.end + 4).collect();
    for cut in 0..=bytes.len() {
        fs.put(&path, bytes[..cut].to_vec());
        for q in fs.snapshot() {
            if q.0.starts_with(Path::new(DIR).join(QUARANTINE_DIR)) {
                fs.remove_file(&q.0).unwrap();
            }
        }
        let store = open(&fs);
        let complete = ends.iter().skip(1).filter(|&&e| e <= cut).count();
        let torn = !ends.contains(&cut) && cut != 0;
        assert_eq!(
            store.report().quarantined.len(),
            usize::from(torn),
            "cut at {cut}"
        );
        if let Some(q) = store.report().quarantined.first() {
            assert_eq!(q.offset + q.len, cut as u64);
        }
        let got = read_all(&fs, &id);
        assert_eq!(got.len(), complete, "cut at {cut}");
        assert!(got.iter().all(Result::is_ok), "cut at {cut}: {got:?}");
        let report = verify_mem(&fs, Some(&id)).unwrap();
        assert!(
            report.problems.is_empty(),
            "cut at {cut}: {:?}",
            report.problems
        );
    }
}

#[test]
fn records_moved_from_another_store_or_survey_are_detected() {
    let s = survey();
    let mut other = s.clone();
    other.hash.0[5] ^= 1;
    let (fs_a, id_a) = fixture(false);
    let (fs_b, _) = fixture(false);
    let mut a = open(&fs_a);
    a.submit(&s, &response(&s, week(46), "a")).unwrap();
    a.submit(&other, &response(&other, week(46), "other survey"))
        .unwrap();
    open(&fs_b)
        .submit(&s, &response(&s, week(46), "b"))
        .unwrap();
    let last_frame = |bytes: &[u8]| {
        let scan = format::scan(bytes, format::MAGIC_RECORDS, "records").unwrap();
        let f = *scan.frames.last().unwrap();
        bytes[f.offset..f.end + 4].to_vec()
    };
    let files_a = record_files(&fs_a);
    let (target, target_bytes) = files_a
        .iter()
        .find(|(_, b)| read_survey_of(b) == Some(s.hash.0))
        .cloned()
        .unwrap();
    let (_, other_bytes) = files_a.iter().find(|(p, _)| *p != target).cloned().unwrap();
    let (_, b_bytes) = record_files(&fs_b).remove(0);
    for (what, moved) in [
        ("another store", last_frame(&b_bytes)),
        ("another survey", last_frame(&other_bytes)),
    ] {
        let mut spliced = target_bytes.clone();
        spliced.extend_from_slice(&moved);
        fs_a.put(&target, spliced);
        let report = verify_mem(&fs_a, Some(&id_a)).unwrap();
        assert_eq!(report.problems.len(), 1, "{what}: {:?}", report.problems);
        assert_eq!(report.problems[0].path, target, "{what}");
        assert!(
            report.problems[0]
                .what
                .contains(&format!("offset {}", target_bytes.len())),
            "{what}: {}",
            report.problems[0]
        );
    }
    // A whole records file copied from another store is refused too.
    let (b_path, b_bytes) = record_files(&fs_b).remove(0);
    fs_a.put(&target, target_bytes);
    fs_a.put(
        &Path::new(DIR)
            .join(RECORDS_DIR)
            .join(b_path.file_name().unwrap()),
        b_bytes,
    );
    let report = verify_mem(&fs_a, None).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.what.contains("another store")),
        "{:?}",
        report.problems
    );
}

fn read_survey_of(bytes: &[u8]) -> Option<[u8; 32]> {
    let scan = format::scan(bytes, format::MAGIC_RECORDS, "records").ok()?;
    let f = scan.frames.first()?;
    format::EpochInfo::parse(&bytes[f.start..f.end]).map(|(i, _)| i.survey_hash.0)
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
fn no_file_holds_a_comment_or_an_answer_encoding_in_plaintext() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let options = InitOptions {
        site: "Test practice".into(),
        passphrase_work_factor: Some(4),
        ..InitOptions::default()
    };
    let pass = SecretString::from("correct horse battery".to_string());
    let pin = SecretString::from("2468".to_string());
    init(dir, &options, &pass, &pin).unwrap();
    let s = survey();
    let comment = "zebra-quartz-unique-7f3a91 said the nurse was kind";
    let mut r = response(&s, week(46), "");
    r.comment = Some(comment.to_string());
    let mut store = Store::open(dir).unwrap();
    store.submit(&s, &r).unwrap();
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
    let files = all_files(dir);
    assert!(files.len() >= 4, "{files:?}");
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for (what, needle) in &needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == &needle[..]),
                "{what} found in {}",
                f.display()
            );
        }
    }
    // File names carry the period and a random epoch id only.
    for f in all_files(&dir.join(RECORDS_DIR)) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let rest = name
            .strip_prefix("2026-W46-")
            .unwrap()
            .strip_suffix(".icr")
            .unwrap();
        assert!(
            rest.len() == 32 && rest.bytes().all(|b| b.is_ascii_hexdigit()),
            "{name}"
        );
    }
    let id = keys::unlock_identity(dir, &pass).unwrap();
    let back: Vec<_> = read_responses(dir, &id).unwrap().collect();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].as_ref().unwrap().comment.as_deref(), Some(comment));
}
