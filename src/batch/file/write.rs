//! Writing a batch as a stream: the contents (epoch headers and their records) through a
//! [`ContentsWriter`] that hashes and counts them, then [`write_batch`] puts the file header and
//! the manifest before them and the signature after them.

use std::collections::BTreeSet;
use std::io::{self, Read, Write};

use rand::seq::SliceRandom;
use sha2::{Digest, Sha256};

use super::{Manifest, Summary};
use super::{SiteSigner, SurveyEntry};
use crate::crypto::sign::SIGNATURE_CONTEXT;
use crate::response::Period;
use crate::store::format::{
    self, EpochInfo, KIND_EPOCH, KIND_MANIFEST, KIND_RECORD, KIND_SIGNATURE,
};

/// What a batch's contents hold, for its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    /// SHA-256 of the contents' bytes.
    pub sha256: [u8; 32],
    pub surveys: Vec<SurveyEntry>,
    pub periods: BTreeSet<Period>,
    pub epochs: u64,
    pub records: u64,
}

/// Writes the contents of a batch (epoch header frames, each followed by its record frames)
/// into `W`, hashing and counting as it goes.
pub struct ContentsWriter<W> {
    out: W,
    hash: Sha256,
    summary: Summary,
    epochs: u64,
    records: u64,
}

impl<W: Write> ContentsWriter<W> {
    pub fn new(out: W) -> Self {
        ContentsWriter {
            out,
            hash: Sha256::new(),
            summary: Summary::default(),
            epochs: 0,
            records: 0,
        }
    }

    fn frame(&mut self, kind: u8, payload: &[u8]) -> io::Result<()> {
        let f = format::frame(kind, payload);
        self.hash.update(&f);
        self.out.write_all(&f)
    }

    /// One epoch: its header frame (`header`: clear binding, then the age file), then its
    /// sealed records, shuffled with operating-system randomness so their order says nothing
    /// about when anyone answered. An epoch with no records is left out.
    pub fn epoch(
        &mut self,
        info: &EpochInfo,
        header: &[u8],
        mut records: Vec<&[u8]>,
    ) -> io::Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        records.shuffle(&mut rand::rngs::OsRng);
        self.frame(KIND_EPOCH, header)?;
        for r in &records {
            self.frame(KIND_RECORD, r)?;
        }
        self.summary.add(info, records.len() as u64);
        self.epochs += 1;
        self.records += records.len() as u64;
        Ok(())
    }

    /// The writer given at the start, and what was written.
    pub fn finish(self) -> (W, Contents) {
        let contents = Contents {
            sha256: self.hash.finalize().into(),
            surveys: self.summary.surveys(),
            periods: self.summary.periods().clone(),
            epochs: self.epochs,
            records: self.records,
        };
        (self.out, contents)
    }
}

/// Write a whole batch to `out`: the file header, the `manifest`, the `contents` (copied from
/// the reader, as a [`ContentsWriter`] wrote them), then the signature by `signer` over
/// everything before it.
pub fn write_batch(
    out: &mut dyn Write,
    manifest: &Manifest,
    contents: &mut dyn Read,
    signer: &SiteSigner,
) -> io::Result<()> {
    let mut signed = Sha256::new();
    let mut put = |bytes: &[u8], out: &mut dyn Write| {
        signed.update(bytes);
        out.write_all(bytes)
    };
    put(&format::BATCH.header(), out)?;
    // Strings, numbers and booleans always serialize.
    let json = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    put(&format::frame(KIND_MANIFEST, &json), out)?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match contents.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        put(&buf[..n], out)?;
    }
    let signature = signer.sign_digest_in(SIGNATURE_CONTEXT, &signed.finalize().into());
    out.write_all(&format::frame(KIND_SIGNATURE, &signature))
}
