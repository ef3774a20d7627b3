//! Hostile input on stable Rust: property tests over arbitrary bytes, and mutations of valid
//! inputs, for each parser of outside input (the fuzz targets under `fuzz/` run the same entry
//! points for longer). No panic, and what is accepted is what was written.

use std::path::Path;
use std::sync::Arc;

use proptest::prelude::*;

use crate::fsio::Fs;
use crate::fsio::mem::MemFs;
use crate::response::{PeriodKind, Response};
use crate::store::format::{
    self, EpochInfo, FILE_HEADER_LEN, FRAME_HEADER_LEN, FRAME_TRAILER_LEN, KIND_RECORD,
    MAGIC_RECORDS,
};
use crate::store::testkit::{DIR, store_in, submit, survey, tagged, week};
use crate::store::{Store, StoreMeta};

/// A byte edit of a valid input.
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
    Cut(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        1 => (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        1 => (any::<usize>(), 1usize..64).prop_map(|(i, n)| Edit::Remove(i, n)),
        1 => any::<usize>().prop_map(Edit::Cut),
    ]
}

fn apply(bytes: &mut Vec<u8>, edits: &[Edit]) {
    for e in edits {
        let len = bytes.len().max(1);
        match e {
            Edit::Set(i, b) if !bytes.is_empty() => bytes[i % len] = *b,
            Edit::Set(..) => {}
            Edit::Insert(i, b) => {
                let at = i % (bytes.len() + 1);
                bytes.splice(at..at, b.iter().copied());
            }
            Edit::Remove(i, n) => {
                let at = i % len;
                let end = (at + n).min(bytes.len());
                if at < end {
                    bytes.drain(at..end);
                }
            }
            Edit::Cut(i) => bytes.truncate(i % len),
        }
    }
}

/// Every frame `scan` reports is whole, in order, inside the file and passes its checks.
fn frames_are_sound(bytes: &[u8], scan: &format::Scan) -> Result<(), TestCaseError> {
    let mut last_end = FILE_HEADER_LEN;
    for f in &scan.frames {
        prop_assert!(f.offset >= last_end, "{f:?} overlaps the frame before");
        prop_assert_eq!(f.start, f.offset + FRAME_HEADER_LEN);
        prop_assert!(f.end + FRAME_TRAILER_LEN <= bytes.len());
        let crc = u32::from_le_bytes(bytes[f.end..f.end + 4].try_into().unwrap());
        prop_assert_eq!(crc, format::crc32c(&bytes[f.start..f.end]));
        last_end = f.end + FRAME_TRAILER_LEN;
    }
    if let Some(at) = scan.torn_at {
        // A file cut inside its own header is torn at 0; otherwise after the last frame.
        let header_torn = at == 0 && bytes.len() < FILE_HEADER_LEN;
        prop_assert!(
            at <= bytes.len() && (header_torn || at >= last_end),
            "torn at {at}"
        );
    }
    Ok(())
}

/// A small records file: header, an epoch-like frame and three records.
fn valid_records() -> Vec<u8> {
    let mut file = format::file_header(MAGIC_RECORDS).to_vec();
    file.extend(format::frame(format::KIND_EPOCH, &[7u8; 120]));
    for n in 0..3u8 {
        file.extend(format::frame(KIND_RECORD, &vec![n; 40 + n as usize]));
    }
    file
}

/// A store in memory with a few responses (its first writer adopted it, making its signing key
/// and ledger), its identity and its one records file.
fn small_store() -> (MemFs, age::x25519::Identity, std::path::PathBuf, Vec<u8>) {
    let fs = MemFs::new();
    let id = store_in(&fs, Path::new(DIR), true, false);
    submit(&fs, &survey(), week(47), &["a", "b"]);
    let (path, bytes) = fs
        .snapshot()
        .into_iter()
        .find(|(p, _)| p.extension().is_some_and(|e| e == "icr"))
        .unwrap();
    (fs, id, path, bytes)
}

/// Put `bytes` in as the store's records file `path` with the ledger re-signed to vouch for them,
/// as only the kiosk's key can: what reaches the version-2 parser and the record reader.
fn vouch_for(fs: &MemFs, path: &Path, bytes: &[u8]) {
    let dir = Path::new(DIR);
    let signer = crate::crypto::sign::load(fs, dir).unwrap();
    let lpath = crate::store::ledger::path(dir);
    let mut ledger =
        crate::store::ledger::Ledger::parse(&lpath, &fs.read(&lpath).unwrap(), &signer.public())
            .unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    ledger.set(&name, 0, bytes);
    fs.put(&lpath, ledger.to_bytes(&signer));
    fs.put(path, bytes.to_vec());
}

/// A valid batch file exported from a small store.
fn valid_batch() -> Vec<u8> {
    // The store's first writer made its signing key.
    let (fs, _, _, _) = small_store();
    fs.create_dir_all(Path::new("/out")).unwrap();
    let out = Path::new("/out/b.icb");
    crate::batch::export::export_with(
        &fs,
        Path::new(DIR),
        out,
        &crate::batch::export::ExportOptions::default(),
    )
    .unwrap();
    fs.read(out).unwrap()
}

fn read_back(fs: &MemFs, id: &age::x25519::Identity) -> Vec<Result<Response, String>> {
    match crate::store::read_responses_with(Arc::new(fs.clone()), Path::new(DIR), id) {
        Ok(rs) => rs.map(|r| r.map_err(|e| e.to_string())).collect(),
        Err(e) => vec![Err(e.to_string())],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn scanning_arbitrary_bytes_reports_only_whole_checked_frames(
        body in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..4),
            proptest::collection::vec(any::<u8>(), 0..600),
        ],
        header in 0..=FILE_HEADER_LEN,
    ) {
        // Behind all, part or none of a good file header (part of it found a panic once).
        let mut bytes = format::file_header(MAGIC_RECORDS)[..header].to_vec();
        bytes.extend(body);
        if let Ok(scan) = format::scan(&bytes, MAGIC_RECORDS, "records") {
            frames_are_sound(&bytes, &scan)?;
        }
    }

    #[test]
    fn a_changed_byte_is_never_inside_a_reported_frame(
        at in FILE_HEADER_LEN..10_000usize,
        xor in 1u8..=255,
    ) {
        let mut bytes = valid_records();
        let at = at % bytes.len();
        prop_assume!(at >= FILE_HEADER_LEN);
        bytes[at] ^= xor;
        let scan = format::scan(&bytes, MAGIC_RECORDS, "records").unwrap();
        frames_are_sound(&bytes, &scan)?;
        for f in &scan.frames {
            prop_assert!(!(f.offset..f.end + FRAME_TRAILER_LEN).contains(&at), "{f:?} holds changed byte {at}");
        }
        prop_assert!(!scan.damage.is_empty() || scan.torn_at.is_some(), "the change went unnoticed");
    }

    #[test]
    fn scanning_edited_records_files_never_panics(edits in proptest::collection::vec(edit(), 1..6)) {
        let mut bytes = valid_records();
        apply(&mut bytes, &edits);
        if let Ok(scan) = format::scan(&bytes, MAGIC_RECORDS, "records") {
            frames_are_sound(&bytes, &scan)?;
        }
    }

    #[test]
    fn an_accepted_epoch_header_is_exactly_its_binding(
        payload in proptest::collection::vec(any::<u8>(), 0..200),
        plausible in any::<bool>(),
    ) {
        let mut payload = payload;
        if plausible && payload.len() > 72 {
            // Steer towards acceptance: real flag, kind and week values, a short ASCII id.
            payload[32] %= 2;
            payload[33] = 1 + payload[33] % 2;
            payload[38] = 1 + payload[38] % 12;
            payload[71] %= (payload.len() - 72).min(255) as u8 + 1;
            for b in &mut payload[72..] { *b = b'a' + *b % 26; }
        }
        if let Some((info, end)) = EpochInfo::parse(&payload) {
            prop_assert!(end <= payload.len());
            prop_assert_eq!(info.binding(), payload[..end].to_vec());
        }
    }

    #[test]
    fn store_meta_of_arbitrary_or_edited_bytes_never_panics(
        raw in proptest::collection::vec(any::<u8>(), 0..300),
        edits in proptest::collection::vec(edit(), 0..4),
        use_raw in any::<bool>(),
    ) {
        let fs = MemFs::new();
        let meta = StoreMeta {
            store_id: [1; 16],
            site: "x".into(),
            synthetic: false,
            period: PeriodKind::Month,
            recipients: vec![age::x25519::Identity::generate().to_public()],
            signing_key: None,
        };
        let mut bytes = if use_raw { raw } else { meta.to_bytes() };
        apply(&mut bytes, &edits);
        let changed = bytes != meta.to_bytes();
        fs.put(&StoreMeta::path(Path::new(DIR)), bytes);
        let loaded = StoreMeta::load(&fs, Path::new(DIR));
        if !changed {
            prop_assert!(loaded.is_ok());
        }
    }

    #[test]
    fn comment_scrubbing_of_any_text_is_clean_and_idempotent(
        raw in proptest::collection::vec(any::<u8>(), 0..300),
        text in any::<String>(),
    ) {
        for input in [String::from_utf8_lossy(&raw).into_owned(), text.clone()] {
            let once = crate::scrub::scrub_comment(&input);
            prop_assert!(!once.chars().any(char::is_control), "{once:?}");
            let mut run = 0;
            for c in once.chars() {
                run = if c.is_ascii_digit() { run + 1 } else { 0 };
                prop_assert!(run < 10, "ten digits in a row in {once:?}");
            }
            prop_assert_eq!(crate::scrub::scrub_comment(&once), once);
        }
    }

    #[test]
    fn the_survey_loader_answers_arbitrary_bytes_with_errors_or_a_sound_survey(
        raw in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let text = String::from_utf8_lossy(&raw);
        let checked = crate::survey::check_str(&text);
        let loaded = crate::survey::from_str(&text, "fuzz.toml");
        if let Ok(s) = loaded {
            prop_assert!(checked.passes(false));
            for item in &s.items {
                prop_assert!(s.item_scale(item).is_some());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The batch reader checks everything before trusting anything: arbitrary bytes and any
    /// edit of a valid batch are refused (never a panic), the valid batch itself accepted.
    #[test]
    fn the_batch_reader_refuses_arbitrary_and_edited_batches(
        raw in proptest::collection::vec(any::<u8>(), 0..400),
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let path = Path::new("/out/b.icb");
        prop_assert!(crate::batch::file::check(path, &raw).is_err());
        let original = valid_batch();
        prop_assert!(crate::batch::file::check(path, &original).is_ok());
        let mut bytes = original.clone();
        apply(&mut bytes, &edits);
        if bytes != original {
            prop_assert!(crate::batch::file::check(path, &bytes).is_err(), "an edited batch was accepted");
        }
    }

    /// A period's file with arbitrary edits that the ledger vouches for (a hostile writer holding
    /// the kiosk's key): the version-2 parser, the reader and `verify` never panic, and no
    /// response but the ones written comes out (the AEAD still binds each record).
    #[test]
    fn an_edited_but_vouched_period_file_yields_only_the_written_responses_or_errors(
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let (fs, id, path, original) = small_store();
        let written: Vec<Response> = read_back(&fs, &id).into_iter().map(Result::unwrap).collect();
        let mut bytes = original.clone();
        apply(&mut bytes, &edits);
        vouch_for(&fs, &path, &bytes);
        for r in read_back(&fs, &id).into_iter().flatten() {
            prop_assert!(written.contains(&r), "a response nobody wrote: {r:?}");
        }
        let _ = crate::store::verify_with(Arc::new(fs.clone()), Path::new(DIR), Some(&id));
    }

    /// The record reader and `verify` on an edited records file: no panic, and never a response
    /// other than the ones written.
    #[test]
    fn an_edited_records_file_yields_only_the_written_responses_or_errors(
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let (fs, id, path, original) = small_store();
        let written: Vec<Response> = read_back(&fs, &id).into_iter().map(Result::unwrap).collect();
        let mut bytes = original.clone();
        apply(&mut bytes, &edits);
        fs.put(&path, bytes.clone());
        for r in read_back(&fs, &id).into_iter().flatten() {
            prop_assert!(written.contains(&r), "a response nobody wrote: {r:?}");
        }
        let report = crate::store::verify_with(Arc::new(fs.clone()), Path::new(DIR), Some(&id));
        if bytes != original {
            let noticed = report.map(|r| !r.problems.is_empty()).unwrap_or(true);
            let same = read_back(&fs, &id).into_iter().collect::<Result<Vec<_>, _>>() == Ok(written.clone());
            prop_assert!(noticed || same, "an edit went unnoticed");
        }
        // The kiosk's recovery on open never panics either, and leaves a store it can add to.
        if let Ok(mut store) = Store::open_with(Arc::new(fs.clone()), Path::new(DIR)) {
            let s = survey();
            let mut r = written[0].clone();
            r.comment = Some("after".into());
            // Into a file changed outside the kiosk nothing is saved (nor signed); into an
            // untouched one it is.
            prop_assert_eq!(store.submit(&s, &r).is_ok(), bytes == original);
        }
    }
}

/// Security promise 4: a comment is scrubbed before it is sealed, so an identifier typed into
/// it is in no file, and reads back as the marker.
#[test]
fn a_comment_is_scrubbed_before_it_is_sealed() {
    let (fs, id, _, _) = small_store();
    let s = survey();
    let mut store = Store::open_with(Arc::new(fs.clone()), Path::new(DIR)).unwrap();
    let mut r = tagged(&s, week(47), "");
    r.comment = Some("ring me on 07700 900123 or jo.smith@example.org\u{1b}[2J".into());
    store.submit(&s, &r).unwrap();
    let got: Vec<String> = read_back(&fs, &id)
        .into_iter()
        .map(|r| r.unwrap().comment.unwrap_or_default())
        .filter(|c| c.starts_with("ring"))
        .collect();
    // The escape character became a space; what followed it is plain text now.
    assert_eq!(
        got,
        [format!(
            "ring me on {m} or {m} [2J",
            m = crate::scrub::MARKER
        )]
    );
    for (path, bytes) in fs.snapshot() {
        for needle in [&b"900123"[..], b"jo.smith", b"example.org"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{path:?} holds {:?}",
                String::from_utf8_lossy(needle)
            );
        }
    }
}

/// Inputs the fuzzers found crashes with (`tests/testdata/fuzz/`), through every reader of a
/// records file: each is refused or read, never a panic.
#[test]
fn inputs_that_once_crashed_a_fuzz_target_are_read_without_a_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let _ = format::scan(&bytes, MAGIC_RECORDS, "records");
        let _ = EpochInfo::parse(&bytes);
        let (fs, id, path, _) = small_store();
        fs.put(&path, bytes);
        let _ = read_back(&fs, &id);
        let _ = crate::store::verify_with(Arc::new(fs.clone()), Path::new(DIR), Some(&id));
        let _ = Store::open_with(Arc::new(fs), Path::new(DIR));
        seen += 1;
    }
    assert!(seen >= 1);
}
