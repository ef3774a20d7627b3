//! `icare verify` on an aggregation store: its two logs, every imported file's framing without a
//! key and, with one, every record opened (each counted once); the sites whose records the key
//! does not open are listed apart. Changes nothing on disk.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use super::BatchError;
use super::aggregate::{self, AggregateMeta};
use super::intake;
use super::keylog::{self, Keys};
use crate::fsio::Fs;
use crate::store::format::{self, Damage, EpochInfo, KIND_EPOCH, KIND_ORIGIN, KIND_RECORD};
use crate::store::{
    Problem, ReadError, StoreError, Unreadable, VerifyReport, read_all_with, summarize,
};

/// Verify the aggregation store in `dir`; with an identity, also open every record. Besides
/// the report: what the identity could not open, one line per site.
pub fn verify_with(
    fs: Arc<dyn Fs>,
    dir: &Path,
    identity: Option<&age::x25519::Identity>,
) -> Result<(VerifyReport, Vec<Unreadable>), BatchError> {
    let meta = AggregateMeta::load(fs.as_ref(), dir)?;
    let mut report = VerifyReport {
        synthetic: meta.synthetic,
        site: meta.name.clone(),
        opened: identity.is_some(),
        ..VerifyReport::default()
    };
    for (log, loaded) in [
        (keylog::KEYS_LOG, Keys::load(fs.as_ref(), dir).err()),
        (
            intake::RECEIVED_LOG,
            intake::Log::load(fs.as_ref(), dir).err(),
        ),
    ] {
        if let Some(e) = loaded {
            report.problems.push(match e {
                BatchError::Store(e) => problem_of(e, dir),
                e => Problem::new(&dir.join(log), None, e.to_string()),
            });
        }
    }
    let files = aggregate::imported_files(fs.as_ref(), dir)?;
    report.files = files.len();
    if let Some(id) = identity {
        // The reader checks framing too, and yields every problem with its file and offset.
        let mut unread = Vec::new();
        for r in read_all_with(fs, dir, id)? {
            match r {
                Ok((_, response)) => *report.counts.entry(response.period).or_default() += 1,
                // Not damage: the key given is not a recipient of that site's batches.
                Err(
                    e @ ReadError {
                        error:
                            StoreError::Crypto {
                                source: crate::crypto::CryptoError::NoMatchingIdentity,
                                ..
                            },
                        ..
                    },
                ) => unread.push(e),
                Err(e) => report.problems.push(problem_of(e.error, dir)),
            }
        }
        return Ok((report, summarize(&unread, id)));
    }
    let mut seen = HashSet::new();
    for path in files {
        let bytes = fs.read(&path).map_err(BatchError::io(&path))?;
        let mut problem = |offset: Option<usize>, what: String| {
            report
                .problems
                .push(Problem::new(&path, offset.map(|o| o as u64), what));
        };
        let scan = match format::IMPORTED.scan(&bytes) {
            Ok(s) => s,
            Err(source @ format::HeaderError::NewerVersion(_)) => {
                return Err(StoreError::Header { path, source }.into());
            }
            Err(e) => {
                problem(Some(0), e.to_string());
                continue;
            }
        };
        for d in &scan.damage {
            let (Damage::BadFrameHeader { offset } | Damage::BadPayload { offset }) = d;
            problem(Some(*offset), "checksum mismatch".into());
        }
        if let Some(at) = scan.torn_at {
            problem(Some(at), "the file is cut short".into());
        }
        if scan.frames.first().is_none_or(|f| f.kind != KIND_ORIGIN) {
            problem(
                Some(format::FILE_HEADER_LEN),
                "no origin (site) as the first frame".into(),
            );
        }
        let mut period = None;
        for f in scan.frames.iter().skip(1) {
            match f.kind {
                KIND_EPOCH => match EpochInfo::parse(&bytes[f.start..f.end]) {
                    Some((info, _)) => period = Some(info.period),
                    None => {
                        period = None;
                        problem(Some(f.offset), "malformed epoch header".into());
                    }
                },
                KIND_RECORD => {
                    if let Some(p) = period
                        && seen.insert(format::record_id(&bytes[f.start..f.end]))
                    {
                        *report.counts.entry(p).or_default() += 1;
                    }
                }
                k => problem(Some(f.offset), format!("unexpected frame kind {k}")),
            }
        }
    }
    Ok((report, Vec::new()))
}

/// A reading error as a problem line with its file and offset.
fn problem_of(e: StoreError, dir: &Path) -> Problem {
    match e {
        StoreError::Corrupt { path, offset, what } => Problem::new(&path, Some(offset), what),
        StoreError::Crypto {
            path,
            offset,
            source,
        } => Problem::new(&path, Some(offset), source.to_string()),
        StoreError::Header { path, source } => Problem::new(&path, Some(0), source.to_string()),
        StoreError::Io { path, source } => Problem::new(&path, None, source.to_string()),
        other => Problem::new(dir, None, other.to_string()),
    }
}
