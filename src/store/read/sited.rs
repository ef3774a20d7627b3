//! One reader for both kinds of store: a site's own store, or an aggregation store of imported
//! batches. Each response comes with its site's name; a record seen twice is yielded once.

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{
    OpenedEpoch, Responses, open_record, read_responses_with, read_scanned, unwrap_header,
};
use crate::crypto;
use crate::fsio::{Fs, RealFs};
use crate::response::Response;
use crate::store::StoreError;
use crate::store::aggregate::{self, AggregateMeta, KIND_ORIGIN, MAGIC_IMPORTED, Origin};
use crate::store::format::{self, EpochInfo, Frame, KIND_EPOCH, KIND_RECORD, record_id};

/// Which kind of store a reader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// A site's own store (`store.meta`).
    Site,
    /// An aggregation store of imported batches (`aggregate.meta`).
    Aggregate,
}

/// Every response of a store with its site's name: `(site, response)`. Errors (damage, a key
/// that is not a recipient) are yielded in place and reading goes on.
pub struct SiteResponses<'a> {
    kind: StoreKind,
    name: String,
    synthetic: bool,
    inner: Inner<'a>,
}

enum Inner<'a> {
    Site(Responses<'a>),
    Aggregate(AggregateReader<'a>),
}

/// Read every response of the store in `data_dir` (either kind) with `identity`.
pub fn read_all<'a>(
    data_dir: &Path,
    identity: &'a age::x25519::Identity,
) -> Result<SiteResponses<'a>, StoreError> {
    read_all_with(Arc::new(RealFs), data_dir, identity)
}

/// [`read_all`] through a given file layer.
pub fn read_all_with<'a>(
    fs: Arc<dyn Fs>,
    data_dir: &Path,
    identity: &'a age::x25519::Identity,
) -> Result<SiteResponses<'a>, StoreError> {
    if !aggregate::is_aggregate(fs.as_ref(), data_dir) {
        let r = read_responses_with(fs, data_dir, identity)?;
        return Ok(SiteResponses {
            kind: StoreKind::Site,
            name: r.meta().site.clone(),
            synthetic: r.meta().synthetic,
            inner: Inner::Site(r),
        });
    }
    let meta = AggregateMeta::load(fs.as_ref(), data_dir)?;
    let files = aggregate::imported_files(fs.as_ref(), data_dir)?.into();
    Ok(SiteResponses {
        kind: StoreKind::Aggregate,
        name: meta.name.clone(),
        synthetic: meta.synthetic,
        inner: Inner::Aggregate(AggregateReader {
            fs,
            synthetic: meta.synthetic,
            identity,
            files,
            current: None,
            seen: HashSet::new(),
            unread: HashSet::new(),
            deferred: None,
            buf: Vec::with_capacity(1024),
        }),
    })
}

impl SiteResponses<'_> {
    /// A site's store or an aggregation store.
    pub fn kind(&self) -> StoreKind {
        self.kind
    }
    /// The site's name, or the aggregation store's owner.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Whether the store holds synthetic demo data only.
    pub fn synthetic(&self) -> bool {
        self.synthetic
    }
}

impl Iterator for SiteResponses<'_> {
    type Item = Result<(String, Response), StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::Site(r) => r.next().map(|r| r.map(|r| (self.name.clone(), r))),
            Inner::Aggregate(a) => a.next(),
        }
    }
}

struct Current {
    path: PathBuf,
    bytes: Vec<u8>,
    frames: Vec<Frame>,
    next: usize,
    site: String,
    /// The epoch the next records belong to; `None` after one that failed to open.
    epoch: Option<OpenedEpoch>,
    /// The last epoch failed only because the key is not one of its recipients.
    unreadable: bool,
    /// Damage found by framing, yielded after the readable records.
    errors: VecDeque<StoreError>,
}

struct AggregateReader<'a> {
    fs: Arc<dyn Fs>,
    synthetic: bool,
    identity: &'a age::x25519::Identity,
    files: VecDeque<PathBuf>,
    current: Option<Current>,
    seen: HashSet<[u8; 32]>,
    /// Records met only under epoch headers the key does not open (a copy re-wrapped with
    /// `export --to` may come later), and the first such error, yielded at the end if any is
    /// never read.
    unread: HashSet<[u8; 32]>,
    deferred: Option<StoreError>,
    buf: Vec<u8>,
}

impl AggregateReader<'_> {
    /// Read and frame one imported file; its first frame names the site.
    fn load(&self, path: PathBuf) -> Current {
        let mut cur = Current {
            path,
            bytes: Vec::new(),
            frames: Vec::new(),
            next: 1,
            site: String::new(),
            epoch: None,
            unreadable: false,
            errors: VecDeque::new(),
        };
        let corrupt = |path: &Path, offset: usize, what: &str| StoreError::Corrupt {
            path: path.to_owned(),
            offset: offset as u64,
            what: what.to_string(),
        };
        let scan = match read_scanned(
            self.fs.as_ref(),
            &cur.path,
            MAGIC_IMPORTED,
            "imported batch",
        ) {
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
        if let Some(at) = scan.torn_at {
            // Imported files are written whole and renamed into place: a short one is damage.
            cur.errors
                .push_back(corrupt(&cur.path, at, "the file is cut short"));
        }
        let origin = scan
            .frames
            .first()
            .filter(|f| f.kind == KIND_ORIGIN && f.offset == format::FILE_HEADER_LEN)
            .and_then(|f| serde_json::from_slice::<Origin>(&cur.bytes[f.start..f.end]).ok());
        match origin {
            Some(o) => {
                cur.site = o.site;
                cur.frames = scan.frames;
            }
            None => cur.errors.push_front(corrupt(
                &cur.path,
                format::FILE_HEADER_LEN,
                "no readable origin (site) as the first frame",
            )),
        }
        cur
    }

    /// Unwrap one epoch header with the identity and check its authenticated clear fields.
    fn open_epoch(&self, cur: &Current, f: &Frame) -> Result<OpenedEpoch, StoreError> {
        let payload = &cur.bytes[f.start..f.end];
        let corrupt = |what: &str| StoreError::Corrupt {
            path: cur.path.clone(),
            offset: f.offset as u64,
            what: what.to_string(),
        };
        let (info, age_at) =
            EpochInfo::parse(payload).ok_or_else(|| corrupt("malformed epoch header"))?;
        if info.synthetic != self.synthetic {
            return Err(corrupt(
                "synthetic flag differs from the aggregation store's",
            ));
        }
        unwrap_header(&cur.path, f, payload, info, age_at, self.identity)
    }

    fn next(&mut self) -> Option<Result<(String, Response), StoreError>> {
        loop {
            let Some(cur) = self.current.as_ref() else {
                let Some(path) = self.files.pop_front() else {
                    let deferred = self.deferred.take();
                    return deferred.filter(|_| !self.unread.is_empty()).map(Err);
                };
                self.current = Some(self.load(path));
                continue;
            };
            let Some(frame) = cur.frames.get(cur.next).copied() else {
                let cur = self.current.as_mut()?;
                if let Some(e) = cur.errors.pop_front() {
                    return Some(Err(e));
                }
                self.current = None;
                continue;
            };
            match frame.kind {
                KIND_EPOCH => {
                    let opened = self.open_epoch(cur, &frame);
                    let cur = self.current.as_mut()?;
                    cur.next += 1;
                    cur.unreadable = false;
                    match opened {
                        Ok(e) => cur.epoch = Some(e),
                        Err(
                            e @ StoreError::Crypto {
                                source: crypto::CryptoError::NoMatchingIdentity,
                                ..
                            },
                        ) => {
                            cur.epoch = None;
                            cur.unreadable = true;
                            self.deferred.get_or_insert(e);
                        }
                        Err(e) => {
                            cur.epoch = None;
                            return Some(Err(e));
                        }
                    }
                }
                KIND_RECORD => {
                    let cur = self.current.as_mut()?;
                    cur.next += 1;
                    let id = record_id(&cur.bytes[frame.start..frame.end]);
                    let Some(epoch) = &cur.epoch else {
                        if cur.unreadable && !self.seen.contains(&id) {
                            self.unread.insert(id);
                        }
                        continue;
                    };
                    if !self.seen.insert(id) {
                        continue;
                    }
                    self.unread.remove(&id);
                    let sealed = &cur.bytes[frame.start..frame.end];
                    return Some(
                        open_record(&cur.path, epoch, frame.offset, sealed, &mut self.buf)
                            .map(|r| (cur.site.clone(), r)),
                    );
                }
                k => {
                    let cur = self.current.as_mut()?;
                    cur.next += 1;
                    return Some(Err(StoreError::Corrupt {
                        path: cur.path.clone(),
                        offset: frame.offset as u64,
                        what: format!("unexpected frame kind {k}"),
                    }));
                }
            }
        }
    }
}
