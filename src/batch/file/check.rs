//! Checking a batch as a stream, one frame in memory at a time. Framing is checked as the bytes
//! come; every other finding waits for the end of the file, so that a rejection names the first
//! check that fails in the documented order (file header, framing, layout, manifest, signature,
//! manifest hash of the contents, record count, record framing, epoch headers), whatever the
//! place of the fault in the file.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{AGE_MAGIC, Manifest};
use super::{SiteKey, Summary};
use crate::batch::{BatchError, Check};
use crate::crypto::sign::SIGNATURE_CONTEXT;
use crate::crypto::{NONCE_LEN, SIZE_CLASSES, TAG_LEN};
use crate::store::format::{
    self, EpochInfo, KIND_EPOCH, KIND_MANIFEST, KIND_RECORD, KIND_SIGNATURE, hex, unhex,
};
use crate::store::stream::{FrameReader, OpenError, Step};

/// Sees every epoch header and record of a batch as the check reads them (before the signature
/// is checked: a visitor only gathers, and acts on nothing until the check has passed).
pub trait Visitor {
    /// An epoch header frame at `offset` whose clear part parsed as `info`.
    fn epoch(&mut self, offset: u64, info: &EpochInfo, payload: &[u8]);
    /// A record frame's payload (a sealed record) of the last epoch.
    fn record(&mut self, sealed: &[u8]);
}

impl Visitor for () {
    fn epoch(&mut self, _: u64, _: &EpochInfo, _: &[u8]) {}
    fn record(&mut self, _: &[u8]) {}
}

/// One epoch of a checked batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochEntry {
    /// SHA-256 of the epoch header's payload.
    pub header_sha256: [u8; 32],
    /// Its records are `Checked::records[first..first + count]`.
    pub first: usize,
    pub count: usize,
}

/// A batch that passed every check, without its records: what an importer needs to decide, in a
/// second pass, what to take.
#[derive(Debug, Clone)]
pub struct Checked {
    pub manifest: Manifest,
    /// The key that signed it (the manifest's `signing_key`, parsed).
    pub signer: SiteKey,
    /// SHA-256 of the whole file: a second pass over it proves it read the same bytes.
    pub file_sha256: [u8; 32],
    /// The epochs in file order.
    pub epochs: Vec<EpochEntry>,
    /// Every record's [`format::short_id`], in file order.
    pub records: Vec<[u8; 16]>,
    /// Indexes into `records`, sorted by id (for lookups).
    pub by_id: Vec<u32>,
}

impl Checked {
    /// The place in `records` of the record whose short id is `id`.
    pub fn find(&self, id: &[u8; 16]) -> Option<usize> {
        self.by_id
            .binary_search_by(|&i| self.records[i as usize].cmp(id))
            .ok()
            .map(|k| self.by_id[k] as usize)
    }
}

/// What the check of the contents found wrong first (reported once the file is read whole).
struct Finding(Check, String);

/// Check a batch read from `r` completely and return what an importer needs. `path` only names
/// the file in messages. The signer is checked against the manifest's own key here; whether that
/// key is trusted is the importer's question.
pub fn check_reader(
    path: &Path,
    r: impl Read,
    visitor: &mut dyn Visitor,
) -> Result<Checked, BatchError> {
    let fail = |check: Check, detail: String| BatchError::Rejected {
        path: path.to_owned(),
        check,
        detail,
    };
    let io = BatchError::io(path);
    let mut reader = match FrameReader::of(r, &format::BATCH, true) {
        Ok(r) => r,
        Err(OpenError::Io(e)) => return Err(io(e)),
        Err(OpenError::Header(e)) => return Err(fail(Check::Header, e.to_string())),
        Err(OpenError::Torn) => {
            return Err(fail(
                Check::Framing,
                "the file is cut short inside its header".into(),
            ));
        }
    };
    let version = reader.version();
    let mut st = State::new(format::file_header_v(format::MAGIC_BATCH, version));
    loop {
        let step = reader.next_frame().map_err(BatchError::io(path))?;
        match step {
            Step::Frame(f) => st.frame(f, visitor),
            Step::End => break,
            Step::BadPayload { offset } | Step::BadFrameHeader { offset } => {
                return Err(fail(
                    Check::Framing,
                    format!(
                        "checksum mismatch in the frame at offset {offset} (the file was altered or damaged)"
                    ),
                ));
            }
            Step::Torn { offset } => {
                return Err(fail(
                    Check::Framing,
                    format!(
                        "the file is cut short: the frame at offset {offset} is incomplete ({} bytes)",
                        reader.offset()
                    ),
                ));
            }
        }
    }
    let file_sha256 = reader.sha256().unwrap_or_default();
    st.finish(version, file_sha256)
        .map_err(|Finding(check, detail)| fail(check, detail))
}

/// What the check has gathered so far.
struct State {
    frames: u64,
    /// The manifest frame's offset and JSON (`None` when the first frame is not a manifest).
    manifest: Option<(u64, Vec<u8>)>,
    /// The last frame, when it was a signature: its offset, payload and raw bytes (hashed into
    /// the contents if another frame follows it).
    held: Option<(u64, Vec<u8>, Vec<u8>)>,
    /// Everything before the signature frame.
    signed: Sha256,
    /// Everything between the manifest frame and the signature frame.
    contents: Sha256,
    /// The first fault of layout, record framing or epoch headers, in file order.
    finding: Option<Finding>,
    epochs: Vec<EpochEntry>,
    epoch_ids: HashSet<[u8; 16]>,
    /// The epoch the next records belong to.
    current: Option<EpochInfo>,
    records: Vec<[u8; 16]>,
    /// Record frames, well formed or not.
    record_frames: u64,
    summary: Summary,
    /// The manifest, when it parses: each epoch header is compared with it as it comes.
    parsed_manifest: Option<Manifest>,
}

impl State {
    fn new(header: [u8; format::FILE_HEADER_LEN]) -> State {
        let mut signed = Sha256::new();
        signed.update(header);
        State {
            frames: 0,
            manifest: None,
            held: None,
            signed,
            contents: Sha256::new(),
            finding: None,
            epochs: Vec::new(),
            epoch_ids: HashSet::new(),
            current: None,
            records: Vec::new(),
            record_frames: 0,
            summary: Summary::default(),
            parsed_manifest: None,
        }
    }

    fn note(&mut self, check: Check, detail: String) {
        self.finding.get_or_insert(Finding(check, detail));
    }

    fn frame(&mut self, f: crate::store::stream::FrameRef<'_>, visitor: &mut dyn Visitor) {
        self.frames += 1;
        if self.frames == 1 {
            f.hash_into(&mut self.signed);
            if f.kind == KIND_MANIFEST {
                self.manifest = Some((f.offset, f.payload.to_vec()));
                self.parsed_manifest = serde_json::from_slice(f.payload).ok();
            }
            return;
        }
        // A signature is only the signature if nothing follows it.
        if let Some((offset, _, raw)) = self.held.take() {
            self.signed.update(&raw);
            self.contents.update(&raw);
            self.note(
                Check::Layout,
                format!("unexpected frame kind {KIND_SIGNATURE} at offset {offset}"),
            );
        }
        if f.kind == KIND_SIGNATURE {
            let mut raw = Vec::with_capacity(f.len() as usize);
            raw.extend_from_slice(f.head);
            raw.extend_from_slice(f.payload);
            raw.extend_from_slice(f.trailer);
            self.held = Some((f.offset, f.payload.to_vec(), raw));
            return;
        }
        f.hash_into(&mut self.signed);
        f.hash_into(&mut self.contents);
        match f.kind {
            KIND_EPOCH => self.epoch(f.offset, f.payload, visitor),
            KIND_RECORD => self.record(f.offset, f.payload, visitor),
            k => self.note(
                Check::Layout,
                format!("unexpected frame kind {k} at offset {}", f.offset),
            ),
        }
    }

    fn epoch(&mut self, offset: u64, payload: &[u8], visitor: &mut dyn Visitor) {
        let bad = |what: &str| (Check::EpochHeaders, format!("offset {offset}: {what}"));
        let Some((info, age_at)) = EpochInfo::parse(payload) else {
            let (c, d) = bad("malformed epoch header");
            self.note(c, d);
            self.current = None;
            return;
        };
        let mut fault = None;
        if !payload[age_at..].starts_with(AGE_MAGIC) {
            fault = Some("the key part is not an age v1 file");
        } else if let Some(m) = &self.parsed_manifest {
            if unhex(&m.store_id).as_deref() != Some(&info.store_id[..]) {
                fault = Some("the epoch belongs to another store than the manifest's");
            } else if info.synthetic != m.synthetic {
                fault = Some("synthetic flag differs from the manifest's");
            }
        }
        if fault.is_none() && !self.epoch_ids.insert(info.epoch_id) {
            fault = Some("the epoch appears twice");
        }
        if fault.is_none() && self.epochs.last().is_some_and(|e| e.count == 0) {
            fault = Some("the epoch before it has no records");
        }
        if let Some(what) = fault {
            let (c, d) = bad(what);
            self.note(c, d);
        }
        visitor.epoch(offset, &info, payload);
        self.epochs.push(EpochEntry {
            header_sha256: Sha256::digest(payload).into(),
            first: self.records.len(),
            count: 0,
        });
        self.current = Some(info);
    }

    fn record(&mut self, offset: u64, payload: &[u8], visitor: &mut dyn Visitor) {
        self.record_frames += 1;
        let bad = |what: String| (Check::RecordFraming, format!("offset {offset}: {what}"));
        let (Some(info), Some(epoch)) = (&self.current, self.epochs.last_mut()) else {
            let (c, d) = bad("a record before any epoch header".into());
            self.note(c, d);
            return;
        };
        let body = payload.len().checked_sub(NONCE_LEN + TAG_LEN);
        if !body.is_some_and(|b| SIZE_CLASSES.contains(&b)) {
            let (c, d) = bad(format!("impossible record length {}", payload.len()));
            self.note(c, d);
            return;
        }
        epoch.count += 1;
        self.summary.add(info, 1);
        self.records.push(format::short_id(payload));
        visitor.record(payload);
    }

    /// Every check in order, once the whole file has been read.
    fn finish(self, version: u16, file_sha256: [u8; 32]) -> Result<Checked, Finding> {
        let fail = |c: Check, d: &str| Err(Finding(c, d.to_string()));
        if self.frames == 0 {
            return fail(Check::Layout, "no frames after the file header");
        }
        let Some((manifest_at, json)) = self.manifest else {
            return Err(Finding(
                Check::Layout,
                format!(
                    "the first frame (offset {}) is not a manifest",
                    format::FILE_HEADER_LEN
                ),
            ));
        };
        let Some((_, signature, _)) = self.held else {
            return fail(
                Check::Signature,
                "unsigned: the last frame is not a signature",
            );
        };
        let manifest: Manifest = serde_json::from_slice(&json).map_err(|e| {
            Finding(
                Check::Manifest,
                format!(
                    "offset {}: {e}",
                    manifest_at + format::FRAME_HEADER_LEN as u64
                ),
            )
        })?;
        let manifest_fail = |d: String| Finding(Check::Manifest, d);
        match (version, manifest.format, &manifest.chain) {
            (1, 1, None) | (2, 2, Some(_)) => {}
            (_, f, _) if f > u32::from(format::BATCH_VERSION) => {
                return Err(manifest_fail(format!(
                    "manifest format {f} (this program reads 1 and {}; update icare)",
                    format::BATCH_VERSION
                )));
            }
            (v, f, chain) => {
                return Err(manifest_fail(format!(
                    "manifest format {f} {} the export chain in a version {v} file",
                    if chain.is_some() { "with" } else { "without" }
                )));
            }
        }
        let signer = SiteKey::parse(&manifest.signing_key)
            .map_err(|e| manifest_fail(format!("signing_key: {e}")))?;
        if unhex(&manifest.store_id).is_none_or(|v| v.len() != 16) {
            return Err(manifest_fail("store_id is not 32 hex digits".into()));
        }
        if unhex(&manifest.batch_id).is_none_or(|v| v.len() != 16) {
            return Err(manifest_fail("batch_id is not 32 hex digits".into()));
        }
        let signature: [u8; 64] = signature.as_slice().try_into().map_err(|_| {
            Finding(
                Check::Signature,
                format!(
                    "the signature frame holds {} bytes, not 64",
                    signature.len()
                ),
            )
        })?;
        if !signer.verify_digest_in(
            SIGNATURE_CONTEXT,
            &self.signed.finalize().into(),
            &signature,
        ) {
            return Err(Finding(
                Check::Signature,
                format!(
                    "the signature does not verify with the manifest's key {signer} (the batch was altered after signing)"
                ),
            ));
        }
        if hex(&self.contents.finalize()) != manifest.contents_sha256 {
            return fail(
                Check::ContentsHash,
                "the contents do not match the manifest's contents_sha256",
            );
        }
        let record_frames = self.record_frames;
        if record_frames != manifest.records {
            return Err(Finding(
                Check::RecordCount,
                format!(
                    "the manifest says {} records, the batch holds {record_frames}",
                    manifest.records
                ),
            ));
        }
        if let Some(f) = self.finding {
            return Err(f);
        }
        if self.epochs.last().is_none_or(|e| e.count == 0) {
            return fail(
                Check::RecordFraming,
                "no records after the last epoch header",
            );
        }
        let mut by_id: Vec<u32> = (0..self.records.len() as u32).collect();
        by_id.sort_unstable_by(|&a, &b| self.records[a as usize].cmp(&self.records[b as usize]));
        if by_id
            .windows(2)
            .any(|w| self.records[w[0] as usize] == self.records[w[1] as usize])
        {
            return fail(Check::RecordFraming, "a record appears twice");
        }
        let periods: Vec<String> = self
            .summary
            .periods()
            .iter()
            .map(|p| p.to_string())
            .collect();
        if self.summary.surveys() != manifest.surveys
            || periods != manifest.periods
            || self.epochs.len() as u64 != manifest.epochs
        {
            return fail(
                Check::EpochHeaders,
                "the surveys, periods or epoch count of the epoch headers differ from the manifest's",
            );
        }
        Ok(Checked {
            manifest,
            signer,
            file_sha256,
            epochs: self.epochs,
            records: self.records,
            by_id,
        })
    }
}
