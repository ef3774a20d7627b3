//! The batch file: a file header, a signed manifest, the epoch headers with their records (sealed
//! bytes exactly as stored), and an Ed25519 signature over everything before it. Both ends work as
//! streams ([`ContentsWriter`], [`write_batch`] and [`check_reader`]), one frame in memory at a
//! time, so a batch of any size is written and checked in little memory.
//!
//! [`check_reader`] validates every byte before anything is trusted, in this order: file header,
//! framing (CRC-32C of every frame), layout, manifest, signature, manifest hash of the contents,
//! record count, record framing, epoch headers. See `docs/batches.md`.

mod check;
mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::BatchError;
use super::sign::{SiteKey, SiteSigner};
use crate::response::Period;
use crate::store::format::{self, EpochInfo, hex};

pub use check::{Checked, EpochEntry, Visitor, check_reader};
pub use write::{Contents, ContentsWriter, write_batch};

/// The manifest format this build writes (the same number as the file header's version,
/// [`format::BATCH_VERSION`]; the magic and frame kinds are in the registry, [`format::BATCH`]).
pub const MANIFEST_FORMAT: u32 = format::BATCH_VERSION as u32;
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

/// An earlier `--since-last` batch of the same store: its number and the periods it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sent {
    pub sequence: u64,
    pub periods: Vec<String>,
}

/// Where a batch stands in its store's chain of exports (manifest format 2), so that an
/// aggregation store notices a batch that never arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    /// A `--since-last` batch: its number in the store's chain (1, 2, 3, ...). A full export:
    /// the number of the store's latest `--since-last` batch (0 before the first), all of whose
    /// records, and more, it holds.
    pub sequence: u64,
    /// Whether this is a `--since-last` batch (else a full export).
    pub since_last: bool,
    /// Every earlier `--since-last` batch of the store, oldest first.
    pub earlier: Vec<Sent>,
}

/// The manifest: what the batch holds, in clear JSON, covered by the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`] (1 in batches of earlier versions).
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
    /// The export chain (format 2; absent in format 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<Chain>,
    /// Survey versions, sorted by id then hash.
    pub surveys: Vec<SurveyEntry>,
    /// Periods covered (`2026-W47`, `2026-11`), sorted.
    pub periods: Vec<String>,
    pub epochs: u64,
    pub records: u64,
    /// SHA-256 of the bytes from the end of the manifest frame to the signature frame.
    pub contents_sha256: String,
}

impl Manifest {
    /// The manifest of a batch of `contents` from the store `store_id`, with a new random id.
    pub fn new(
        site: &str,
        store_id: [u8; 16],
        synthetic: bool,
        signer: &SiteKey,
        chain: Chain,
        contents: &Contents,
    ) -> Manifest {
        let mut batch_id = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut batch_id);
        Manifest {
            format: MANIFEST_FORMAT,
            batch_id: hex(&batch_id),
            site: site.to_string(),
            signing_key: signer.to_string(),
            store_id: hex(&store_id),
            synthetic,
            chain: Some(chain),
            surveys: contents.surveys.clone(),
            periods: contents.periods.iter().map(|p| p.to_string()).collect(),
            epochs: contents.epochs,
            records: contents.records,
            contents_sha256: hex(&contents.sha256),
        }
    }
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

/// A whole batch that passed every check, in memory (for small batches and tests; importing
/// reads a batch as a stream).
#[derive(Debug, Clone)]
pub struct Batch {
    pub manifest: Manifest,
    /// The key that signed it (the manifest's `signing_key`, parsed).
    pub signer: SiteKey,
    pub epochs: Vec<BatchEpoch>,
}

/// A batch in memory: `epochs` in order of (period, epoch id), records shuffled within each,
/// the manifest with `chain`, and the signature.
pub fn build(
    site: &str,
    store_id: [u8; 16],
    synthetic: bool,
    signer: &SiteSigner,
    chain: Chain,
    mut epochs: Vec<BatchEpoch>,
) -> Vec<u8> {
    epochs.sort_by_key(|e| (e.info.period, e.info.epoch_id));
    let mut contents = ContentsWriter::new(Vec::new());
    for e in &epochs {
        let records: Vec<&[u8]> = e.records.iter().map(Vec::as_slice).collect();
        // Writing into memory cannot fail.
        let _ = contents.epoch(&e.info, &e.header, records);
    }
    let (body, summary) = contents.finish();
    let manifest = Manifest::new(site, store_id, synthetic, &signer.public(), chain, &summary);
    let mut out = Vec::new();
    let _ = write_batch(&mut out, &manifest, &mut body.as_slice(), signer);
    out
}

/// Survey entries and periods of the epochs seen so far, as the manifest lists them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Summary {
    surveys: BTreeMap<(String, String), u64>,
    periods: BTreeSet<Period>,
}

impl Summary {
    pub(crate) fn add(&mut self, info: &EpochInfo, records: u64) {
        *self
            .surveys
            .entry((info.survey_id.clone(), info.survey_hash.to_string()))
            .or_default() += records;
        self.periods.insert(info.period);
    }

    pub(crate) fn surveys(&self) -> Vec<SurveyEntry> {
        self.surveys
            .iter()
            .map(|((id, hash), records)| SurveyEntry {
                id: id.clone(),
                hash: hash.clone(),
                records: *records,
            })
            .collect()
    }

    pub(crate) fn periods(&self) -> &BTreeSet<Period> {
        &self.periods
    }
}

/// Whether the file at `path` opens and starts as a batch (its file header only): what can be
/// said before a passphrase is asked for.
pub fn check_header(fs: &dyn crate::fsio::Fs, path: &Path) -> Result<(), BatchError> {
    use crate::store::stream::{FrameReader, OpenError};
    let file = fs.open_read(path).map_err(BatchError::io(path))?;
    match FrameReader::of(file, &format::BATCH, false) {
        Ok(_) => Ok(()),
        Err(OpenError::Io(e)) => Err(BatchError::io(path)(e)),
        Err(OpenError::Header(e)) => Err(BatchError::Rejected {
            path: path.to_owned(),
            check: super::Check::Header,
            detail: e.to_string(),
        }),
        Err(OpenError::Torn) => Err(BatchError::Rejected {
            path: path.to_owned(),
            check: super::Check::Framing,
            detail: "the file is cut short inside its header".into(),
        }),
    }
}

/// Check a whole batch held in memory (see [`check_reader`]) and return its contents. `path`
/// only names the file in messages.
pub fn check(path: &Path, bytes: &[u8]) -> Result<Batch, BatchError> {
    #[derive(Default)]
    struct Collect(Vec<BatchEpoch>);
    impl Visitor for Collect {
        fn epoch(&mut self, _offset: u64, info: &EpochInfo, payload: &[u8]) {
            self.0.push(BatchEpoch {
                info: info.clone(),
                header: payload.to_vec(),
                records: Vec::new(),
            });
        }
        fn record(&mut self, sealed: &[u8]) {
            if let Some(e) = self.0.last_mut() {
                e.records.push(sealed.to_vec());
            }
        }
    }
    let mut collect = Collect::default();
    let checked = check_reader(path, bytes, &mut collect)?;
    Ok(Batch {
        manifest: checked.manifest,
        signer: checked.signer,
        epochs: collect.0,
    })
}
