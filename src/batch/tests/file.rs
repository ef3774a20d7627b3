//! Tests of the batch file format: every change and every cut is rejected, naming the check.

use sha2::{Digest, Sha256};

use crate::batch::file::*;
use std::path::Path;

use crate::batch::tests::fixture;
use crate::batch::{BatchError, Check};
use crate::fsio::Fs;
use crate::fsio::mem::MemFs;
use crate::store::format::{self, KIND_MANIFEST, KIND_RECORD, KIND_SIGNATURE, crc32c, scan};

/// A small batch: one site, `n` records.
fn small_batch(n: usize) -> Vec<u8> {
    let fs = MemFs::new();
    fixture::site(&fs, "/site", "North", true, &[]);
    fixture::submit(&fs, "/site", n, "r");
    let out = fixture::export(&fs, "/site", "b.icb", false);
    fs.read(&out).unwrap()
}

/// One one-record batch shared by the property tests (made once: signing and sealing cost).
fn one_record_batch() -> &'static [u8] {
    static BATCH: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BATCH.get_or_init(|| small_batch(1))
}

/// The frames of a batch of this version.
fn scan_v2(bytes: &[u8]) -> Vec<format::Frame> {
    format::BATCH.scan(bytes).unwrap().frames
}

fn rejected_check(bytes: &[u8]) -> Option<Check> {
    match check(Path::new("b.icb"), bytes) {
        Ok(_) => None,
        Err(BatchError::Rejected { check, .. }) => Some(check),
        Err(e) => panic!("not a rejection: {e}"),
    }
}

#[test]
fn a_fresh_batch_passes_and_its_manifest_describes_it() {
    let bytes = small_batch(3);
    let batch = check(Path::new("b.icb"), &bytes).unwrap();
    let m = &batch.manifest;
    assert_eq!(
        (m.site.as_str(), m.synthetic, m.records),
        ("North", true, 3)
    );
    assert_eq!(m.periods, ["2026-W40", "2026-W41"]);
    // Weeks alternate, so each response starts a new epoch.
    assert_eq!(m.epochs, 3);
    assert_eq!(m.surveys.len(), 1);
    assert_eq!(m.surveys[0].records, 3);
    assert_eq!(batch.signer.to_string(), m.signing_key);
}

#[test]
fn every_single_byte_change_anywhere_is_rejected() {
    let bytes = small_batch(1);
    assert!(bytes.len() < 2000, "{}", bytes.len());
    let mut bad = bytes.clone();
    for i in 0..bytes.len() {
        for v in 0..=255u8 {
            if v == bytes[i] {
                continue;
            }
            bad[i] = v;
            assert!(
                rejected_check(&bad).is_some(),
                "byte {i} set to {v} was accepted"
            );
        }
        bad[i] = bytes[i];
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// An attacker who also fixes the checksums is stopped by the signature (changes to the
    /// manifest JSON may be stopped earlier, by the manifest check), never accepted.
    #[test]
    fn a_change_with_recomputed_checksums_fails_the_signature(pos in 0usize..100_000, x in 1u8..=255) {
        let bytes = one_record_batch();
        let frames = scan_v2(bytes);
        let payload: usize = frames.iter().map(|f| f.end - f.start).sum();
        let mut n = pos % payload;
        let f = frames
            .iter()
            .find(|f| {
                let len = f.end - f.start;
                if n < len { true } else { n -= len; false }
            })
            .unwrap();
        let mut bad = bytes.to_vec();
        bad[f.start + n] ^= x;
        let crc = crc32c(&bad[f.start..f.end]).to_le_bytes();
        bad[f.end..f.end + 4].copy_from_slice(&crc);
        let got = rejected_check(&bad);
        if f.kind == KIND_MANIFEST {
            proptest::prop_assert!(matches!(got, Some(Check::Manifest | Check::Signature)), "{got:?}");
        } else {
            proptest::prop_assert_eq!(got, Some(Check::Signature));
        }
    }
}

#[test]
fn truncation_at_every_offset_and_trailing_bytes_are_rejected() {
    let bytes = small_batch(2);
    for cut in 0..bytes.len() {
        let got = rejected_check(&bytes[..cut]);
        assert!(
            matches!(
                got,
                Some(Check::Framing | Check::Header | Check::Layout | Check::Signature)
            ),
            "cut at {cut}: {got:?}"
        );
    }
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"garbage!");
    assert_eq!(rejected_check(&longer), Some(Check::Framing));
    let mut zeros = bytes.clone();
    zeros.extend_from_slice(&[0; 20]);
    assert_eq!(rejected_check(&zeros), Some(Check::Framing));
}

#[test]
fn an_unsigned_batch_is_rejected_as_unsigned() {
    let bytes = small_batch(1);
    let frames = scan_v2(&bytes);
    let sig = frames.last().unwrap();
    let err = check(Path::new("b.icb"), &bytes[..sig.offset]).unwrap_err();
    assert!(err.to_string().contains("unsigned"), "{err}");
    assert!(err.to_string().contains("signature check failed"), "{err}");
}

/// A batch whose manifest lies, re-signed by the site's own key, is caught by the later checks.
#[test]
fn a_signed_batch_whose_manifest_lies_is_rejected_naming_the_check() {
    let fs = MemFs::new();
    fixture::site(&fs, "/site", "North", false, &[]);
    fixture::submit(&fs, "/site", 3, "r");
    let out = fixture::export(&fs, "/site", "b.icb", false);
    let bytes = fs.read(&out).unwrap();
    let signer = crate::batch::sign::load(&fs, Path::new("/site")).unwrap();
    let batch = check(&out, &bytes).unwrap();
    let frames = scan_v2(&bytes);
    let body = &bytes[frames[0].end + 4..frames.last().unwrap().offset];
    let forge = |m: &Manifest, body: &[u8]| {
        let mut out = format::BATCH.header().to_vec();
        out.extend(format::frame(
            KIND_MANIFEST,
            &serde_json::to_vec(m).unwrap(),
        ));
        out.extend_from_slice(body);
        let sig = signer.sign(&out);
        out.extend(format::frame(KIND_SIGNATURE, &sig));
        out
    };
    assert!(check(&out, &forge(&batch.manifest, body)).is_ok());
    let mut m = batch.manifest.clone();
    m.records += 1;
    assert_eq!(rejected_check(&forge(&m, body)), Some(Check::RecordCount));
    let mut m = batch.manifest.clone();
    m.contents_sha256 = "00".repeat(32);
    assert_eq!(rejected_check(&forge(&m, body)), Some(Check::ContentsHash));
    let mut m = batch.manifest.clone();
    m.synthetic = true;
    assert_eq!(rejected_check(&forge(&m, body)), Some(Check::EpochHeaders));
    let mut m = batch.manifest.clone();
    m.periods.pop();
    assert_eq!(rejected_check(&forge(&m, body)), Some(Check::EpochHeaders));
    // A record frame cut to an impossible length, with the manifest hash made to match.
    let first_record = scan_v2(&bytes)[2];
    assert_eq!(first_record.kind, KIND_RECORD);
    let mut short_body = body[..first_record.offset - (frames[0].end + 4)].to_vec();
    short_body.extend(format::frame(
        KIND_RECORD,
        &bytes[first_record.start..first_record.end - 1],
    ));
    short_body.extend_from_slice(&body[first_record.end + 4 - (frames[0].end + 4)..]);
    let mut m = batch.manifest.clone();
    m.contents_sha256 = format::hex(&Sha256::digest(&short_body));
    assert_eq!(
        rejected_check(&forge(&m, &short_body)),
        Some(Check::RecordFraming)
    );
}

#[test]
fn records_are_shuffled_inside_the_batch() {
    let fs = MemFs::new();
    fixture::site(&fs, "/site", "North", true, &[]);
    // One group of 32 records: the chance the order survives a shuffle is 1 in 32!.
    let s = crate::survey::embedded().unwrap();
    let mut store =
        crate::store::Store::open_with(std::sync::Arc::new(fs.clone()), Path::new("/site"))
            .unwrap();
    for i in 0..crate::store::GROUP_MAX_RECORDS {
        let r = crate::response::Response {
            survey_id: s.id.clone(),
            survey_hash: s.hash,
            language: "en".into(),
            period: crate::response::Period::Week {
                year: 2026,
                week: 40,
            },
            answers: vec![crate::response::Answer::Skipped; s.items.len()],
            headline: crate::response::Answer::Skipped,
            comment: Some(format!("{i}")),
        };
        store.submit(&s, &r).unwrap();
    }
    drop(store);
    let (_, stored) = fs
        .snapshot()
        .into_iter()
        .find(|(p, _)| p.extension().is_some_and(|e| e == "icr"))
        .unwrap();
    let stored_frames = scan(&stored, format::MAGIC_RECORDS, "records")
        .unwrap()
        .frames;
    let in_store: Vec<&[u8]> = stored_frames
        .iter()
        .filter(|f| f.kind == format::KIND_GROUP_RECORD)
        .map(|f| &stored[f.start + 16..f.end])
        .collect();
    let out = fixture::export(&fs, "/site", "b.icb", false);
    let batch = check(&out, &fs.read(&out).unwrap()).unwrap();
    let in_batch: Vec<&[u8]> = batch.epochs[0].records.iter().map(Vec::as_slice).collect();
    assert_eq!(in_batch.len(), 32);
    assert_ne!(in_batch, in_store, "the store's order was kept");
    let mut a = in_batch.clone();
    let mut b = in_store.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b, "the same sealed bytes, untouched");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
    /// Arbitrary bytes (behind a valid header or not) never make the checker panic.
    #[test]
    fn arbitrary_bytes_are_rejected_without_panicking(
        body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
        with_header in proptest::bool::ANY,
    ) {
        let mut bytes = if with_header { format::file_header(format::MAGIC_BATCH).to_vec() } else { Vec::new() };
        bytes.extend(body);
        proptest::prop_assert!(rejected_check(&bytes).is_some());
    }

    /// Splicing, deleting or inserting runs of bytes in a real batch is always rejected.
    #[test]
    fn spliced_batches_are_rejected(
        at in 0usize..100_000,
        delete in 0usize..40,
        insert in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
    ) {
        let bytes = one_record_batch();
        let at = at % bytes.len();
        let end = (at + delete).min(bytes.len());
        let mut bad = bytes[..at].to_vec();
        bad.extend_from_slice(&insert);
        bad.extend_from_slice(&bytes[end..]);
        if bad != bytes {
            proptest::prop_assert!(rejected_check(&bad).is_some());
        }
    }
}
