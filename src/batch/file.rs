//! The batch file: a file header, a signed manifest, the epoch headers with their records (sealed
//! bytes exactly as stored), and an Ed25519 signature over everything before it.
//!
//! [`check`] validates every byte before anything is trusted, in this order: file header, framing
//! (CRC-32C of every frame), layout, manifest, signature, manifest hash of the contents, record
//! count, record framing, epoch headers. See `docs/batches.md`.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::sign::{SiteKey, SiteSigner};
use super::{BatchError, Check};
use crate::crypto::{NONCE_LEN, SIZE_CLASSES, TAG_LEN};
use crate::store::format::{
    self, Damage, EpochInfo, FILE_HEADER_LEN, FRAME_TRAILER_LEN, KIND_EPOCH, KIND_RECORD, hex,
    unhex,
};

/// Magic of a batch file.
pub const MAGIC_BATCH: [u8; 8] = *b"iCAREbt\x01";
/// Frame kind of the manifest (JSON).
pub const KIND_MANIFEST: u8 = 48;
/// Frame kind of the signature (64 bytes).
pub const KIND_SIGNATURE: u8 = 49;
/// The manifest format this build writes and reads.
pub const MANIFEST_FORMAT: u32 = 1;
/// What every epoch header's key part starts with (an age v1 file).
pub const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// One survey version in a batch and how many records answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyEntry {
    pub id: String,
    /// SHA-256 of the survey's canonical form, 64 hex digits.
    pub hash: String,
    pub records: u64,
}

/// The manifest: what the batch holds, in clear JSON, covered by the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: u32,
    /// Random, 32 hex digits: tells batches apart in messages.
    pub batch_id: String,
    /// The exporting store's site name.
    pub site: String,
    /// The signer, `icare-site-ed25519:<64 hex>`.
    pub signing_key: String,
    /// The exporting store's id (every epoch header carries it), 32 hex digits.
    pub store_id: String,
    /// Demo data from an `init --synthetic` store.
    pub synthetic: bool,
    /// Survey versions, sorted by id then hash.
    pub surveys: Vec<SurveyEntry>,
    /// Periods covered (`2026-W47`, `2026-11`), sorted.
    pub periods: Vec<String>,
    pub epochs: u64,
    pub records: u64,
    /// SHA-256 of the bytes from the end of the manifest frame to the signature frame.
    pub contents_sha256: String,
}

/// An epoch header and its records.
#[derive(Debug, Clone)]
pub struct BatchEpoch {
    pub info: EpochInfo,
    /// The epoch frame's payload: clear binding, then the age file holding the data key.
    pub header: Vec<u8>,
    /// Sealed records (`nonce || ciphertext || tag`), bytes as stored.
    pub records: Vec<Vec<u8>>,
}

/// A batch that passed every check.
#[derive(Debug, Clone)]
pub struct Batch {
    pub manifest: Manifest,
    /// The key that signed it (the manifest's `signing_key`, parsed).
    pub signer: SiteKey,
    pub epochs: Vec<BatchEpoch>,
}

pub use crate::store::format::record_id;

/// Build a batch: epochs sorted by period and (random) epoch id, records shuffled within each
/// epoch, the manifest, and the signature.
pub fn build(
    site: &str,
    store_id: [u8; 16],
    synthetic: bool,
    signer: &SiteSigner,
    mut epochs: Vec<BatchEpoch>,
) -> Vec<u8> {
    epochs.sort_by_key(|e| (e.info.period, e.info.epoch_id));
    let mut contents = Vec::new();
    for e in &mut epochs {
        e.records.shuffle(&mut rand::rngs::OsRng);
        contents.extend(format::frame(KIND_EPOCH, &e.header));
        for r in &e.records {
            contents.extend(format::frame(KIND_RECORD, r));
        }
    }
    let mut batch_id = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut batch_id);
    let (surveys, periods) = summarize(&epochs);
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        batch_id: hex(&batch_id),
        site: site.to_string(),
        signing_key: signer.public().to_string(),
        store_id: hex(&store_id),
        synthetic,
        surveys,
        periods,
        epochs: epochs.len() as u64,
        records: epochs.iter().map(|e| e.records.len() as u64).sum(),
        contents_sha256: hex(&Sha256::digest(&contents)),
    };
    let mut out = format::file_header(MAGIC_BATCH).to_vec();
    // Strings, numbers and booleans always serialize.
    out.extend(format::frame(
        KIND_MANIFEST,
        &serde_json::to_vec_pretty(&manifest).unwrap_or_default(),
    ));
    out.extend(contents);
    let signature = signer.sign(&out);
    out.extend(format::frame(KIND_SIGNATURE, &signature));
    out
}

/// Survey entries and periods of some epochs, as the manifest lists them.
fn summarize(epochs: &[BatchEpoch]) -> (Vec<SurveyEntry>, Vec<String>) {
    let mut surveys: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut periods = BTreeSet::new();
    for e in epochs {
        *surveys
            .entry((e.info.survey_id.clone(), e.info.survey_hash.to_string()))
            .or_default() += e.records.len() as u64;
        periods.insert(e.info.period);
    }
    (
        surveys
            .into_iter()
            .map(|((id, hash), records)| SurveyEntry { id, hash, records })
            .collect(),
        periods.into_iter().map(|p| p.to_string()).collect(),
    )
}

/// Check a batch file completely (see the module documentation for the order) and return its
/// contents. `path` only names the file in messages. The signer is checked against the manifest's
/// own key here; whether that key is trusted is the importer's question.
pub fn check(path: &Path, bytes: &[u8]) -> Result<Batch, BatchError> {
    let fail = |check: Check, detail: String| BatchError::Rejected {
        path: path.to_owned(),
        check,
        detail,
    };
    let scan = format::scan(bytes, MAGIC_BATCH, "batch")
        .map_err(|e| fail(Check::Header, e.to_string()))?;
    if let Some(d) = scan.damage.first() {
        let (Damage::BadFrameHeader { offset } | Damage::BadPayload { offset }) = d;
        return Err(fail(
            Check::Framing,
            format!(
                "checksum mismatch in the frame at offset {offset} (the file was altered or damaged)"
            ),
        ));
    }
    if let Some(at) = scan.torn_at {
        return Err(fail(
            Check::Framing,
            format!(
                "the file is cut short: the frame at offset {at} is incomplete ({} bytes)",
                bytes.len()
            ),
        ));
    }
    let frames = &scan.frames;
    let Some((manifest_frame, rest)) = frames.split_first() else {
        return Err(fail(
            Check::Layout,
            "no frames after the file header".into(),
        ));
    };
    if manifest_frame.kind != KIND_MANIFEST {
        return Err(fail(
            Check::Layout,
            format!("the first frame (offset {FILE_HEADER_LEN}) is not a manifest"),
        ));
    }
    let Some((sig_frame, contents)) = rest.split_last().filter(|(s, _)| s.kind == KIND_SIGNATURE)
    else {
        return Err(fail(
            Check::Signature,
            "unsigned: the last frame is not a signature".into(),
        ));
    };
    let manifest: Manifest =
        serde_json::from_slice(&bytes[manifest_frame.start..manifest_frame.end]).map_err(|e| {
            fail(
                Check::Manifest,
                format!("offset {}: {e}", manifest_frame.start),
            )
        })?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(fail(
            Check::Manifest,
            format!(
                "manifest format {} (this program reads {MANIFEST_FORMAT}; update icare)",
                manifest.format
            ),
        ));
    }
    let signer = SiteKey::parse(&manifest.signing_key)
        .map_err(|e| fail(Check::Manifest, format!("signing_key: {e}")))?;
    let store_id: [u8; 16] = unhex(&manifest.store_id)
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| fail(Check::Manifest, "store_id is not 32 hex digits".into()))?;
    if unhex(&manifest.batch_id).is_none_or(|v| v.len() != 16) {
        return Err(fail(
            Check::Manifest,
            "batch_id is not 32 hex digits".into(),
        ));
    }
    let signature: [u8; 64] = bytes[sig_frame.start..sig_frame.end]
        .try_into()
        .map_err(|_| {
            fail(
                Check::Signature,
                format!(
                    "the signature frame holds {} bytes, not 64",
                    sig_frame.end - sig_frame.start
                ),
            )
        })?;
    if !signer.verify(&bytes[..sig_frame.offset], &signature) {
        return Err(fail(
            Check::Signature,
            format!(
                "the signature does not verify with the manifest's key {signer} (the batch was altered after signing)"
            ),
        ));
    }
    // From here on every byte is as the signer wrote it; the checks below catch a faulty writer.
    let body = &bytes[manifest_frame.end + FRAME_TRAILER_LEN..sig_frame.offset];
    if hex(&Sha256::digest(body)) != manifest.contents_sha256 {
        return Err(fail(
            Check::ContentsHash,
            "the contents do not match the manifest's contents_sha256".into(),
        ));
    }
    let record_frames = contents.iter().filter(|f| f.kind == KIND_RECORD).count() as u64;
    if record_frames != manifest.records {
        return Err(fail(
            Check::RecordCount,
            format!(
                "the manifest says {} records, the batch holds {record_frames}",
                manifest.records
            ),
        ));
    }
    let mut epochs: Vec<BatchEpoch> = Vec::new();
    let mut ids = HashSet::new();
    // A version-2 store exports one "epoch" per group of at most 32 records: many of them.
    let mut epoch_ids = HashSet::new();
    for f in contents {
        let payload = &bytes[f.start..f.end];
        match f.kind {
            KIND_EPOCH => {
                let bad =
                    |what: &str| fail(Check::EpochHeaders, format!("offset {}: {what}", f.offset));
                let (info, age_at) =
                    EpochInfo::parse(payload).ok_or_else(|| bad("malformed epoch header"))?;
                if !payload[age_at..].starts_with(AGE_MAGIC) {
                    return Err(bad("the key part is not an age v1 file"));
                }
                if info.store_id != store_id {
                    return Err(bad(
                        "the epoch belongs to another store than the manifest's",
                    ));
                }
                if info.synthetic != manifest.synthetic {
                    return Err(bad("synthetic flag differs from the manifest's"));
                }
                if !epoch_ids.insert(info.epoch_id) {
                    return Err(bad("the epoch appears twice"));
                }
                if epochs.last().is_some_and(|e| e.records.is_empty()) {
                    return Err(bad("the epoch before it has no records"));
                }
                epochs.push(BatchEpoch {
                    info,
                    header: payload.to_vec(),
                    records: Vec::new(),
                });
            }
            KIND_RECORD => {
                let bad =
                    |what: &str| fail(Check::RecordFraming, format!("offset {}: {what}", f.offset));
                let Some(epoch) = epochs.last_mut() else {
                    return Err(bad("a record before any epoch header"));
                };
                let body = payload.len().checked_sub(NONCE_LEN + TAG_LEN);
                if !body.is_some_and(|b| SIZE_CLASSES.contains(&b)) {
                    return Err(bad(&format!("impossible record length {}", payload.len())));
                }
                if !ids.insert(record_id(payload)) {
                    return Err(bad("the record appears twice"));
                }
                epoch.records.push(payload.to_vec());
            }
            k => {
                return Err(fail(
                    Check::Layout,
                    format!("unexpected frame kind {k} at offset {}", f.offset),
                ));
            }
        }
    }
    if epochs.last().is_none_or(|e| e.records.is_empty()) {
        return Err(fail(
            Check::RecordFraming,
            "no records after the last epoch header".into(),
        ));
    }
    let (surveys, periods) = summarize(&epochs);
    if surveys != manifest.surveys
        || periods != manifest.periods
        || epochs.len() as u64 != manifest.epochs
    {
        return Err(fail(
            Check::EpochHeaders,
            "the surveys, periods or epoch count of the epoch headers differ from the manifest's"
                .into(),
        ));
    }
    Ok(Batch {
        manifest,
        signer,
        epochs,
    })
}

#[cfg(test)]
mod tests;
