//! One reader for both kinds of store: a site's own store, or an aggregation store of imported
//! batches, read as a stream (one frame in memory at a time). Each response comes with its
//! site's name; a record seen twice is yielded once. What cannot be read (damage, a file the
//! ledger does not vouch for, a site whose keys are not wrapped for the reader) is yielded in
//! place as a [`ReadError`] naming the site, and reading goes on with the rest; [`summarize`]
//! turns those errors into one line per site or file for the user.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{OpenedEpoch, Responses, open_record, read_responses_with, unwrap_header};
use crate::crypto::{self, CryptoError};
use crate::fsio::{Fs, RealFs};
use crate::response::Response;
use crate::store::StoreError;
use crate::store::aggregate::{self, AggregateMeta, ImportedFrames};
use crate::store::format::{self, EpochInfo, Frame, KIND_EPOCH, KIND_RECORD};
use crate::store::stream::Step;

/// Which kind of store a reader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// A site's own store (`store.meta`).
    Site,
    /// An aggregation store of imported batches (`aggregate.meta`).
    Aggregate,
}

/// Something in a store that could not be read, and the site it belongs to when known (an
/// aggregation store's imported file names its site; a site store's problems are its files').
#[derive(Debug, thiserror::Error)]
#[error("{}{error}", site.as_ref().map(|s| format!("site {s:?}: ")).unwrap_or_default())]
pub struct ReadError {
    pub site: Option<String>,
    #[source]
    pub error: StoreError,
}

impl ReadError {
    /// A file written by a newer program: the store needs a newer icare, and a reader stops
    /// rather than report on part of it.
    pub fn needs_update(&self) -> bool {
        matches!(
            self.error,
            StoreError::Header {
                source: format::HeaderError::NewerVersion(_),
                ..
            }
        )
    }

    fn new(site: Option<&str>, error: StoreError) -> ReadError {
        ReadError {
            site: site.map(str::to_string),
            error,
        }
    }
}

/// Every response of a store with its site's name: `(site, response)`. Errors are yielded in
/// place and reading goes on.
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
    let files = aggregate::imported_files(fs.as_ref(), data_dir)?;
    Ok(SiteResponses {
        kind: StoreKind::Aggregate,
        name: meta.name.clone(),
        synthetic: meta.synthetic,
        inner: Inner::Aggregate(AggregateReader {
            fs,
            synthetic: meta.synthetic,
            identity,
            files: files.into_iter(),
            current: None,
            seen: HashSet::new(),
            unread: HashMap::new(),
            sites: Vec::new(),
            deferred: BTreeMap::new(),
            finished: false,
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
    type Item = Result<(String, Response), ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::Site(r) => r.next().map(|r| {
                r.map(|r| (self.name.clone(), r))
                    .map_err(|e| ReadError::new(None, e))
            }),
            Inner::Aggregate(a) => a.next(),
        }
    }
}

struct Current {
    path: PathBuf,
    frames: ImportedFrames,
    /// Index into the reader's `sites`.
    site: usize,
    /// The epoch the next records belong to; `None` after one that failed to open.
    epoch: Option<OpenedEpoch>,
    /// The last epoch failed only because the key is not one of its recipients.
    unreadable: bool,
}

struct AggregateReader<'a> {
    fs: Arc<dyn Fs>,
    synthetic: bool,
    identity: &'a age::x25519::Identity,
    files: std::vec::IntoIter<PathBuf>,
    current: Option<Current>,
    /// Records yielded, by the first 16 bytes of their id.
    seen: HashSet<[u8; 16]>,
    /// Records met only under epoch headers the key does not open (a copy re-wrapped with
    /// `export --to` may come later), with their site; those never read are reported at the end,
    /// once per site.
    unread: HashMap<[u8; 16], usize>,
    /// Site names met so far (indexes keep `unread` small).
    sites: Vec<String>,
    /// The first "no matching identity" error of each site.
    deferred: BTreeMap<usize, StoreError>,
    /// Every file was read (the errors left are being yielded).
    finished: bool,
    buf: Vec<u8>,
}

impl AggregateReader<'_> {
    fn site_index(&mut self, name: String) -> usize {
        match self.sites.iter().position(|s| *s == name) {
            Some(i) => i,
            None => {
                self.sites.push(name);
                self.sites.len() - 1
            }
        }
    }

    /// Open one imported file and read its origin (the site); an error says why it cannot be read.
    fn open(&mut self, path: PathBuf) -> Result<Current, ReadError> {
        let (origin, frames) = aggregate::open_imported(self.fs.as_ref(), &path)
            .map_err(|e| ReadError::new(None, e))?;
        let site = self.site_index(origin.site);
        Ok(Current {
            path,
            frames,
            site,
            epoch: None,
            unreadable: false,
        })
    }

    /// Unwrap one epoch header with the identity and check its authenticated clear fields.
    fn open_epoch(
        &self,
        path: &Path,
        f: &Frame,
        payload: &[u8],
    ) -> Result<OpenedEpoch, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt {
            path: path.to_owned(),
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
        unwrap_header(path, f, payload, info, age_at, self.identity)
    }

    /// The errors left at the end: one for each site with records no key here opened.
    fn leftover(&mut self) -> Option<ReadError> {
        if !self.finished {
            self.finished = true;
            let sites: BTreeSet<usize> = self.unread.drain().map(|(_, s)| s).collect();
            self.deferred.retain(|s, _| sites.contains(s));
        }
        let (site, error) = self.deferred.pop_first()?;
        Some(ReadError {
            site: self.sites.get(site).cloned(),
            error,
        })
    }

    fn next(&mut self) -> Option<Result<(String, Response), ReadError>> {
        loop {
            let Some(cur) = self.current.as_mut() else {
                let Some(path) = self.files.next() else {
                    return self.leftover().map(Err);
                };
                match self.open(path) {
                    Ok(c) => self.current = Some(c),
                    Err(e) => return Some(Err(e)),
                }
                continue;
            };
            let site = cur.site;
            let path = cur.path.clone();
            let step = cur.frames.next_frame();
            // The frame's bytes, copied so that the reader's other fields can be used.
            let (kind, offset, start, payload) = match step {
                Ok(Step::Frame(f)) => (f.kind, f.offset, f.start(), f.payload.to_vec()),
                Ok(Step::End) => {
                    self.current = None;
                    continue;
                }
                Ok(Step::BadPayload { offset }) => {
                    return Some(Err(self.corrupt(site, &path, offset, "checksum mismatch")));
                }
                // Imported files are written whole and renamed into place: a short one is damage.
                Ok(Step::BadFrameHeader { offset }) => {
                    self.current = None;
                    return Some(Err(self.corrupt(site, &path, offset, "checksum mismatch")));
                }
                Ok(Step::Torn { offset }) => {
                    self.current = None;
                    return Some(Err(self.corrupt(
                        site,
                        &path,
                        offset,
                        "the file is cut short",
                    )));
                }
                Err(source) => {
                    self.current = None;
                    let error = StoreError::Io { path, source };
                    return Some(Err(ReadError::new(
                        self.sites.get(site).map(String::as_str),
                        error,
                    )));
                }
            };
            let f = Frame {
                offset: offset as usize,
                kind,
                start: start as usize,
                end: start as usize + payload.len(),
            };
            let site_name = self.sites.get(site).cloned();
            match kind {
                KIND_EPOCH => {
                    let opened = self.open_epoch(&path, &f, &payload);
                    let cur = self.current.as_mut()?;
                    cur.unreadable = false;
                    match opened {
                        Ok(e) => cur.epoch = Some(e),
                        Err(
                            e @ StoreError::Crypto {
                                source: CryptoError::NoMatchingIdentity,
                                ..
                            },
                        ) => {
                            cur.epoch = None;
                            cur.unreadable = true;
                            self.deferred.entry(site).or_insert(e);
                        }
                        Err(error) => {
                            cur.epoch = None;
                            return Some(Err(ReadError {
                                site: site_name,
                                error,
                            }));
                        }
                    }
                }
                KIND_RECORD => {
                    let id = format::short_id(&payload);
                    let cur = self.current.as_ref()?;
                    let Some(epoch) = &cur.epoch else {
                        if cur.unreadable && !self.seen.contains(&id) {
                            self.unread.insert(id, site);
                        }
                        continue;
                    };
                    if !self.seen.insert(id) {
                        continue;
                    }
                    self.unread.remove(&id);
                    let read = open_record(&path, epoch, f.offset, &payload, &mut self.buf);
                    return Some(match read {
                        Ok(r) => Ok((site_name.unwrap_or_default(), r)),
                        Err(error) => Err(ReadError {
                            site: site_name,
                            error,
                        }),
                    });
                }
                k => {
                    let what = format!("unexpected frame kind {k}");
                    return Some(Err(self.corrupt(site, &path, offset, &what)));
                }
            }
        }
    }

    /// Damage in a file of `site`, at `offset`.
    fn corrupt(&self, site: usize, path: &Path, offset: u64, what: &str) -> ReadError {
        ReadError {
            site: self.sites.get(site).cloned(),
            error: StoreError::Corrupt {
                path: path.to_owned(),
                offset,
                what: what.to_string(),
            },
        }
    }
}

/// What could not be read, for the user: one line per site of an aggregation store, or per file
/// of a site's store, saying why and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// `site "North"`, or a file's path.
    pub place: String,
    /// Why, and what to do.
    pub why: String,
}

impl std::fmt::Display for Unreadable {
    /// "site \"West\": no matching identity…", to follow "could not read ".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.why)
    }
}

/// The errors met while reading with `identity`, one line per site of an aggregation store, or
/// per file of a site's store (all of a site store's files that the key does not open make one
/// line): the first problem met there, how many more, and what to do. No count of records or
/// responses is given.
pub fn summarize(errors: &[ReadError], identity: &age::x25519::Identity) -> Vec<Unreadable> {
    let not_ours = |e: &StoreError| {
        matches!(
            e,
            StoreError::Crypto {
                source: CryptoError::NoMatchingIdentity,
                ..
            }
        )
    };
    let mut by_place: BTreeMap<String, Vec<&ReadError>> = BTreeMap::new();
    for e in errors {
        let place = match (&e.site, error_path(&e.error)) {
            (Some(site), _) => format!("site {site:?}"),
            (None, _) if not_ours(&e.error) => "the store's records".to_string(),
            (None, Some(path)) => path.display().to_string(),
            (None, None) => "the store".to_string(),
        };
        by_place.entry(place).or_default().push(e);
    }
    let key = crypto::public_key(identity);
    by_place
        .into_iter()
        .map(|(place, errors)| {
            let first = errors[0];
            let mut why = match (&first.site, &first.error) {
                (Some(_), e) if not_ours(e) => format!(
                    "{e}: its batches are not encrypted for this key ({key}); ask the practice to run `icare export --to {key} --out FILE` and import that batch"
                ),
                (None, e) if not_ours(e) => format!(
                    "{e} ({key}); the store's manager can give this key the records with `icare export --to {key} --out FILE`"
                ),
                (_, e) => error_text(e),
            };
            if errors.len() > 1 && !not_ours(&first.error) {
                why.push_str(&format!(
                    " (and {} more problem{}: run `icare verify`)",
                    errors.len() - 1,
                    if errors.len() == 2 { "" } else { "s" }
                ));
            }
            Unreadable { place, why }
        })
        .collect()
}

/// An error's text without the path the line already starts with.
fn error_text(e: &StoreError) -> String {
    let text = e.to_string();
    match error_path(e) {
        Some(path) => text
            .strip_prefix(&format!("{}: ", path.display()))
            .map_or_else(|| text.clone(), str::to_string),
        None => text,
    }
}

/// The file an error is about.
fn error_path(e: &StoreError) -> Option<&Path> {
    match e {
        StoreError::Io { path, .. }
        | StoreError::Header { path, .. }
        | StoreError::Corrupt { path, .. }
        | StoreError::Crypto { path, .. }
        | StoreError::NotVouched { path, .. }
        | StoreError::Untrusted { path, .. } => Some(path),
        _ => None,
    }
}
