//! Reading a store with a key: one X25519 unwrap per epoch, then XChaCha20-Poly1305 per record,
//! streaming one records file at a time.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::format::{self, Damage, EpochInfo, Frame, KIND_EPOCH, KIND_RECORD, MAGIC_RECORDS};
use super::recover::records_files;
use super::{StoreError, StoreMeta};
use crate::crypto::{self, CryptoError, DataKey, Sealer};
use crate::fsio::{Fs, RealFs};
use crate::response::Response;

/// An unlocked epoch: its clear header, the bytes records bind to, and its cipher.
pub(crate) struct OpenedEpoch {
    pub info: EpochInfo,
    pub binding: Vec<u8>,
    pub sealer: Sealer,
}

/// Parse a records file's epoch header (its first frame) without a key.
pub(crate) fn epoch_info(
    path: &Path,
    bytes: &[u8],
    frames: &[Frame],
    meta: &StoreMeta,
) -> Result<(EpochInfo, usize), StoreError> {
    let corrupt = |offset: usize, what: &str| StoreError::Corrupt {
        path: path.to_owned(),
        offset: offset as u64,
        what: what.to_string(),
    };
    let first = frames
        .first()
        .filter(|f| f.kind == KIND_EPOCH && f.offset == format::FILE_HEADER_LEN)
        .ok_or_else(|| {
            corrupt(
                format::FILE_HEADER_LEN,
                "no epoch header as the first frame",
            )
        })?;
    let (info, age_at) = EpochInfo::parse(&bytes[first.start..first.end])
        .ok_or_else(|| corrupt(first.start, "malformed epoch header"))?;
    if info.store_id != meta.store_id {
        return Err(corrupt(first.start, "the epoch belongs to another store"));
    }
    if info.synthetic != meta.synthetic {
        return Err(corrupt(
            first.start + 32,
            "synthetic flag differs from the store's",
        ));
    }
    Ok((info, first.start + age_at))
}

/// Unwrap an epoch's data key with `identity` and check the key header's authenticated copy of
/// the clear fields.
pub(crate) fn open_epoch(
    path: &Path,
    bytes: &[u8],
    frames: &[Frame],
    meta: &StoreMeta,
    identity: &age::x25519::Identity,
) -> Result<OpenedEpoch, StoreError> {
    let (info, age_at) = epoch_info(path, bytes, frames, meta)?;
    let end = frames[0].end;
    let secret =
        crypto::unwrap(identity, &bytes[age_at..end]).map_err(|source| StoreError::Crypto {
            path: path.to_owned(),
            offset: age_at as u64,
            source,
        })?;
    let binding = info.binding();
    if secret.len() != 32 + binding.len() || secret[32..] != binding[..] {
        return Err(StoreError::Corrupt {
            path: path.to_owned(),
            offset: frames[0].start as u64,
            what: "the epoch header's clear fields were altered".into(),
        });
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(&secret[..32]);
    let sealer = DataKey::from_bytes(key).cipher();
    zeroize::Zeroize::zeroize(&mut key);
    Ok(OpenedEpoch {
        info,
        binding,
        sealer,
    })
}

/// Open and decode one record frame of an opened epoch.
pub(crate) fn open_record(
    path: &Path,
    epoch: &OpenedEpoch,
    frame: &Frame,
    bytes: &[u8],
    buf: &mut Vec<u8>,
) -> Result<Response, StoreError> {
    let at = |what: String| StoreError::Corrupt {
        path: path.to_owned(),
        offset: frame.offset as u64,
        what,
    };
    if frame.kind != KIND_RECORD {
        return Err(at(format!("unexpected frame kind {}", frame.kind)));
    }
    let plain = epoch
        .sealer
        .open(&epoch.binding, &bytes[frame.start..frame.end], buf)
        .map_err(|source: CryptoError| StoreError::Crypto {
            path: path.to_owned(),
            offset: frame.offset as u64,
            source,
        })?;
    let r: Response = postcard::from_bytes(plain).map_err(|e| at(e.to_string()))?;
    // Wipe the plaintext just decoded (only the used length: every earlier record was wiped the
    // same way, so the spare capacity holds nothing).
    zeroize::Zeroize::zeroize(buf.as_mut_slice());
    if r.survey_hash != epoch.info.survey_hash
        || r.survey_id != epoch.info.survey_id
        || r.period != epoch.info.period
    {
        return Err(at("the response disagrees with its epoch header".into()));
    }
    Ok(r)
}

struct Current {
    path: PathBuf,
    bytes: Vec<u8>,
    frames: Vec<Frame>,
    next: usize,
    errors: VecDeque<StoreError>,
    epoch: Option<OpenedEpoch>,
}

/// The responses of a store, one records file in memory at a time. Errors (damage, a key that
/// is not a recipient) are yielded in place and reading goes on with the next record or file.
/// A torn tail is skipped: it is a response in flight, never acknowledged.
pub struct Responses<'a> {
    fs: Arc<dyn Fs>,
    meta: StoreMeta,
    identity: &'a age::x25519::Identity,
    files: VecDeque<PathBuf>,
    current: Option<Current>,
    buf: Vec<u8>,
}

/// Read every response of the store in `data_dir` with `identity`.
pub fn read_responses<'a>(
    data_dir: &Path,
    identity: &'a age::x25519::Identity,
) -> Result<Responses<'a>, StoreError> {
    read_responses_with(Arc::new(RealFs), data_dir, identity)
}

/// [`read_responses`] through a given file layer.
pub fn read_responses_with<'a>(
    fs: Arc<dyn Fs>,
    data_dir: &Path,
    identity: &'a age::x25519::Identity,
) -> Result<Responses<'a>, StoreError> {
    let meta = StoreMeta::load(fs.as_ref(), data_dir)?;
    let files = records_files(fs.as_ref(), data_dir)?.into();
    Ok(Responses {
        fs,
        meta,
        identity,
        files,
        current: None,
        buf: Vec::with_capacity(1024),
    })
}

/// [`read_responses`] split into at most `parts` readers over disjoint sets of records files
/// (balanced by file size), so that a store can be decrypted on several threads. Every response
/// is read by exactly one of them.
pub fn read_responses_split<'a>(
    data_dir: &Path,
    identity: &'a age::x25519::Identity,
    parts: usize,
) -> Result<Vec<Responses<'a>>, StoreError> {
    let fs: Arc<dyn Fs> = Arc::new(RealFs);
    let meta = StoreMeta::load(fs.as_ref(), data_dir)?;
    let mut files: Vec<(u64, PathBuf)> = records_files(fs.as_ref(), data_dir)?
        .into_iter()
        .map(|p| (std::fs::metadata(&p).map_or(0, |m| m.len()), p))
        .collect();
    // Largest first, each to the lightest reader so far.
    files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut split: Vec<(u64, VecDeque<PathBuf>)> = vec![(0, VecDeque::new()); parts.max(1)];
    for (len, path) in files {
        if let Some(lightest) = split.iter_mut().min_by_key(|(total, _)| *total) {
            lightest.0 += len;
            lightest.1.push_back(path);
        }
    }
    Ok(split
        .into_iter()
        .map(|(_, mut files)| {
            files.make_contiguous().sort();
            Responses {
                fs: fs.clone(),
                meta: meta.clone(),
                identity,
                files,
                current: None,
                buf: Vec::with_capacity(1024),
            }
        })
        .collect())
}

/// Read a framed file and scan its frames: the bytes, the scan, and one `Corrupt` error per frame
/// whose checksum fails. A file that cannot be read, or whose header is not `magic` of a version
/// we know, gives that one error instead.
pub(crate) fn read_scanned(
    fs: &dyn Fs,
    path: &Path,
    magic: [u8; 8],
    what: &'static str,
) -> Result<(Vec<u8>, format::Scan, Vec<StoreError>), StoreError> {
    let bytes = fs.read(path).map_err(|source| StoreError::Io {
        path: path.to_owned(),
        source,
    })?;
    let scan = format::scan(&bytes, magic, what).map_err(|source| StoreError::Header {
        path: path.to_owned(),
        source,
    })?;
    let damage = scan
        .damage
        .iter()
        .map(|d| {
            let (Damage::BadFrameHeader { offset } | Damage::BadPayload { offset }) = d;
            StoreError::Corrupt {
                path: path.to_owned(),
                offset: *offset as u64,
                what: "checksum mismatch".into(),
            }
        })
        .collect();
    Ok((bytes, scan, damage))
}

impl Responses<'_> {
    /// The store's description (site, synthetic flag).
    pub fn meta(&self) -> &StoreMeta {
        &self.meta
    }

    fn load(&self, path: PathBuf) -> Current {
        let mut cur = Current {
            path,
            bytes: Vec::new(),
            frames: Vec::new(),
            next: 1,
            errors: VecDeque::new(),
            epoch: None,
        };
        let scan = match read_scanned(self.fs.as_ref(), &cur.path, MAGIC_RECORDS, "records") {
            Ok((bytes, scan, damage)) => {
                cur.bytes = bytes;
                cur.errors.extend(damage);
                scan
            }
            Err(e) => {
                cur.errors.push_back(e);
                return cur;
            }
        };
        match open_epoch(
            &cur.path,
            &cur.bytes,
            &scan.frames,
            &self.meta,
            self.identity,
        ) {
            Ok(e) => cur.epoch = Some(e),
            Err(e) => cur.errors.push_front(e),
        }
        cur.frames = scan.frames;
        cur
    }
}

impl Iterator for Responses<'_> {
    type Item = Result<Response, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Some(cur) = self.current.as_mut() else {
                let path = self.files.pop_front()?;
                self.current = Some(self.load(path));
                continue;
            };
            if let Some(epoch) = &cur.epoch {
                if let Some(frame) = cur.frames.get(cur.next) {
                    cur.next += 1;
                    return Some(open_record(
                        &cur.path,
                        epoch,
                        frame,
                        &cur.bytes,
                        &mut self.buf,
                    ));
                }
            }
            if let Some(e) = cur.errors.pop_front() {
                return Some(Err(e));
            }
            self.current = None;
        }
    }
}
