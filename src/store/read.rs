//! Reading a store with a key, one records file in memory at a time: each file only if the signed
//! ledger vouches for it, then one X25519 unwrap per group (version 2) or epoch (version 1), then
//! XChaCha20-Poly1305 per record, in file order (which is random). [`sited`] reads either kind of
//! store, with each response's site.

pub mod sited;

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::format::{self, Damage, EpochInfo, Frame, KIND_EPOCH, KIND_RECORD, RECORDS};
use super::ledger::Vouch;
use super::period_file::{GROUP_ID_LEN, PeriodFile, split_record};
use super::recover::records_files;
use super::{StoreError, StoreMeta};
use crate::crypto::{self, CryptoError, DataKey, Sealer};
use crate::fsio::{Fs, RealFs};
use crate::response::Response;

/// An unlocked epoch or group: its clear header, the bytes records bind to, and its cipher.
pub(crate) struct OpenedEpoch {
    pub info: EpochInfo,
    pub binding: Vec<u8>,
    pub sealer: Sealer,
}

/// Parse a version-1 records file's epoch header (its first frame) without a key.
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

/// Unwrap the data key of an epoch or group header (the frame at `frame` whose payload is
/// `payload`, its age file from `age_at`) with `identity`, and check the key header's
/// authenticated copy of the clear fields.
pub(crate) fn unwrap_header(
    path: &Path,
    frame: &Frame,
    payload: &[u8],
    info: EpochInfo,
    age_at: usize,
    identity: &age::x25519::Identity,
) -> Result<OpenedEpoch, StoreError> {
    let secret =
        crypto::unwrap(identity, &payload[age_at..]).map_err(|source| StoreError::Crypto {
            path: path.to_owned(),
            offset: (frame.start + age_at) as u64,
            source,
        })?;
    let binding = info.binding();
    if secret.len() != 32 + binding.len() || secret[32..] != binding[..] {
        return Err(StoreError::Corrupt {
            path: path.to_owned(),
            offset: frame.offset as u64,
            what: "the key header's clear fields were altered".into(),
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

/// Unwrap a version-1 file's epoch key with `identity`.
pub(crate) fn open_epoch(
    path: &Path,
    bytes: &[u8],
    frames: &[Frame],
    meta: &StoreMeta,
    identity: &age::x25519::Identity,
) -> Result<OpenedEpoch, StoreError> {
    let (info, age_at) = epoch_info(path, bytes, frames, meta)?;
    let f = &frames[0];
    unwrap_header(
        path,
        f,
        &bytes[f.start..f.end],
        info,
        age_at - f.start,
        identity,
    )
}

/// Open and decode one sealed record (found at `offset`) of an opened epoch or group.
pub(crate) fn open_record(
    path: &Path,
    epoch: &OpenedEpoch,
    offset: usize,
    sealed: &[u8],
    buf: &mut Vec<u8>,
) -> Result<Response, StoreError> {
    let at = |what: String| StoreError::Corrupt {
        path: path.to_owned(),
        offset: offset as u64,
        what,
    };
    let plain = epoch
        .sealer
        .open(&epoch.binding, sealed, buf)
        .map_err(|source: CryptoError| StoreError::Crypto {
            path: path.to_owned(),
            offset: offset as u64,
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
        return Err(at("the response disagrees with its key header".into()));
    }
    Ok(r)
}

/// A version-2 group: unwrapped once, at its first record.
enum Group {
    Open(OpenedEpoch),
    /// Its header failed to open (the error was yielded once); its records are skipped.
    Failed,
}

/// What is left to read of one file.
enum Body {
    /// Nothing (an error explains why).
    None,
    V1 {
        frames: Vec<Frame>,
        epoch: Option<OpenedEpoch>,
    },
    V2 {
        file: PeriodFile,
        groups: HashMap<[u8; GROUP_ID_LEN], Group>,
    },
}

struct Current {
    path: PathBuf,
    bytes: Vec<u8>,
    body: Body,
    next: usize,
    errors: VecDeque<StoreError>,
}

/// The responses of a store, one records file in memory at a time, in file order. Errors
/// (damage, a file the ledger does not vouch for, a key that is not a recipient) are yielded in
/// place and reading goes on with the next record or file. A version-1 torn tail is skipped: it
/// is a response in flight, never acknowledged.
pub struct Responses<'a> {
    fs: Arc<dyn Fs>,
    meta: StoreMeta,
    vouch: Arc<Vouch>,
    identity: &'a age::x25519::Identity,
    files: VecDeque<PathBuf>,
    /// Files the ledger lists that are missing, yielded as errors at the end.
    missing: Vec<StoreError>,
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
    let mut parts = split_with(fs, data_dir, identity, 1)?;
    Ok(parts.remove(0))
}

/// [`read_responses`] split into at most `parts` readers over disjoint sets of records files
/// (balanced by file size), so that a store can be decrypted on several threads. Every response
/// is read by exactly one of them.
pub fn read_responses_split<'a>(
    data_dir: &Path,
    identity: &'a age::x25519::Identity,
    parts: usize,
) -> Result<Vec<Responses<'a>>, StoreError> {
    split_with(Arc::new(RealFs), data_dir, identity, parts)
}

fn split_with<'a>(
    fs: Arc<dyn Fs>,
    data_dir: &Path,
    identity: &'a age::x25519::Identity,
    parts: usize,
) -> Result<Vec<Responses<'a>>, StoreError> {
    let meta = StoreMeta::load(fs.as_ref(), data_dir)?;
    let vouch = Arc::new(Vouch::load(fs.as_ref(), data_dir, &meta));
    let paths = records_files(fs.as_ref(), data_dir)?;
    let names: Vec<String> = paths.iter().map(|p| file_name(p)).collect();
    let rdir = data_dir.join(super::RECORDS_DIR);
    let missing = vouch
        .missing(&names)
        .into_iter()
        .map(|e| StoreError::NotVouched {
            path: rdir.join(&e.name),
            why: format!(
                "listed in the signed ledger with {} records, but missing (removed?)",
                e.records
            ),
        })
        .collect();
    let mut files: Vec<(u64, PathBuf)> = paths
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
    let mut missing = Some(missing);
    Ok(split
        .into_iter()
        .map(|(_, mut files)| {
            files.make_contiguous().sort();
            Responses {
                fs: fs.clone(),
                meta: meta.clone(),
                vouch: vouch.clone(),
                identity,
                files,
                missing: missing.take().unwrap_or_default(),
                current: None,
                buf: Vec::with_capacity(1024),
            }
        })
        .collect())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
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

/// How many record frames a scanned records file holds (either version).
pub(crate) fn record_frames(scan: &format::Scan) -> u64 {
    scan.frames
        .iter()
        .filter(|f| f.kind == KIND_RECORD || f.kind == format::KIND_GROUP_RECORD)
        .count() as u64
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
            body: Body::None,
            next: 0,
            errors: VecDeque::new(),
        };
        let (bytes, scan, damage) =
            match read_scanned(self.fs.as_ref(), &cur.path, RECORDS.magic, RECORDS.name) {
                Ok(x) => x,
                Err(e) => {
                    cur.errors.push_back(e);
                    return cur;
                }
            };
        let name = file_name(&cur.path);
        // Damage first: its offsets say more than the ledger's verdict.
        cur.errors.extend(damage);
        if let Err(why) = self
            .vouch
            .check(&name, &bytes, scan.version, record_frames(&scan))
        {
            cur.errors.push_back(StoreError::NotVouched {
                path: cur.path.clone(),
                why,
            });
            return cur;
        }
        if scan.version >= 2 {
            match PeriodFile::parse(&cur.path, &bytes, &scan, &self.meta) {
                Ok(file) => {
                    cur.body = Body::V2 {
                        file,
                        groups: HashMap::new(),
                    }
                }
                Err(e) => cur.errors.push_front(e),
            }
        } else {
            let epoch = open_epoch(&cur.path, &bytes, &scan.frames, &self.meta, self.identity);
            let epoch = match epoch {
                Ok(e) => Some(e),
                Err(e) => {
                    cur.errors.push_front(e);
                    None
                }
            };
            cur.next = 1;
            cur.body = Body::V1 {
                frames: scan.frames,
                epoch,
            };
        }
        cur.bytes = bytes;
        cur
    }
}

/// The next record of a file, or `None` when its records are done.
fn next_record(
    cur: &mut Current,
    identity: &age::x25519::Identity,
    buf: &mut Vec<u8>,
) -> Option<Result<Response, StoreError>> {
    let Current {
        path,
        bytes,
        body,
        next,
        ..
    } = cur;
    match body {
        Body::None => None,
        Body::V1 { frames, epoch } => {
            let epoch = epoch.as_ref()?;
            let f = frames.get(*next)?;
            *next += 1;
            if f.kind != KIND_RECORD {
                return Some(Err(StoreError::Corrupt {
                    path: path.clone(),
                    offset: f.offset as u64,
                    what: format!("unexpected frame kind {}", f.kind),
                }));
            }
            Some(open_record(
                path,
                epoch,
                f.offset,
                &bytes[f.start..f.end],
                buf,
            ))
        }
        Body::V2 { file, groups } => loop {
            let f = *file.records.get(*next)?;
            *next += 1;
            // The file was checked whole: every record names a group of the file.
            let (id, sealed) = split_record(&bytes[f.start..f.end])?;
            if let std::collections::hash_map::Entry::Vacant(slot) = groups.entry(id) {
                let (info, hf, age_at) = file.groups.iter().find(|(i, _, _)| i.epoch_id == id)?;
                let opened = unwrap_header(
                    path,
                    hf,
                    &bytes[hf.start..hf.end],
                    info.clone(),
                    *age_at,
                    identity,
                );
                match opened {
                    Ok(g) => {
                        slot.insert(Group::Open(g));
                    }
                    Err(e) => {
                        slot.insert(Group::Failed);
                        return Some(Err(e));
                    }
                }
            }
            match groups.get(&id)? {
                Group::Open(g) => return Some(open_record(path, g, f.offset, sealed, buf)),
                Group::Failed => continue,
            }
        },
    }
}

impl Iterator for Responses<'_> {
    type Item = Result<Response, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Some(cur) = self.current.as_mut() else {
                match self.files.pop_front() {
                    Some(path) => {
                        self.current = Some(self.load(path));
                        continue;
                    }
                    None => return self.missing.pop().map(Err),
                }
            };
            if let Some(r) = next_record(cur, self.identity, &mut self.buf) {
                return Some(r);
            }
            if let Some(e) = cur.errors.pop_front() {
                return Some(Err(e));
            }
            self.current = None;
        }
    }
}
