//! Encrypted batches: a kiosk exports its sealed records with a signed manifest, and an
//! aggregation store imports batches from many sites, checking each completely and never counting
//! a response twice. Byte by byte in `docs/batches.md`.
//!
//! - [`sign`]: the site's Ed25519 signing key (`keys/site-signing.key`), which lives in
//!   [`crate::crypto::sign`] since the store's ledger is signed with it too.
//! - [`file`](mod@file): the batch file format: writing, and checking everything before trusting anything.
//! - [`export`]: `icare export` (with the `--since-last` chain and `--to` re-wrapping).
//! - [`aggregate`]: aggregation stores: `init --aggregate`; [`import`]: checking a batch
//!   completely (every epoch key opened with the store's key) and adding it all or nothing;
//!   [`keylog`]: which key speaks for which site and store, logged; [`intake`]: the batches
//!   received and those missing; `journal`: the append-only log both keep.
//! - [`verify`]: `icare verify` on an aggregation store.
//! - Reading either kind of store, each response with its site, is the store's
//!   ([`crate::store::read_all`]).

pub mod aggregate;
pub mod export;
pub mod file;
pub mod import;
pub mod intake;
pub(crate) mod journal;
pub mod keylog;
pub use crate::crypto::sign;
#[cfg(test)]
pub(crate) mod tests;
pub mod verify;

use std::fmt;
use std::path::PathBuf;

use crate::crypto::CryptoError;
use crate::keys::KeysError;
use crate::store::StoreError;

/// The check of a batch that failed (named in every rejection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Magic bytes, version and reserved bytes at offset 0.
    Header,
    /// Frame checksums and lengths: damage, or a file cut short.
    Framing,
    /// The order and kinds of frames (manifest first, signature last).
    Layout,
    /// The manifest is readable JSON with every field well formed.
    Manifest,
    /// The Ed25519 signature over everything before it.
    Signature,
    /// The manifest's SHA-256 of the contents.
    ContentsHash,
    /// The manifest's record count.
    RecordCount,
    /// Each record's length and place (after its epoch header).
    RecordFraming,
    /// Each epoch header's clear fields agree with the manifest.
    EpochHeaders,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Check::Header => "file header",
            Check::Framing => "framing",
            Check::Layout => "layout",
            Check::Manifest => "manifest",
            Check::Signature => "signature",
            Check::ContentsHash => "manifest hash of the contents",
            Check::RecordCount => "record count",
            Check::RecordFraming => "record framing",
            Check::EpochHeaders => "epoch headers",
        })
    }
}

/// Why exporting, trusting or importing a batch failed.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A store problem (missing store, damaged description, ...).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A key file problem.
    #[error(transparent)]
    Keys(#[from] KeysError),
    /// A signing key problem (missing, unusable, readable by others, badly written).
    #[error(transparent)]
    Sign(#[from] crate::crypto::sign::SignError),
    /// A batch failed one of its checks; nothing from it was taken.
    #[error(
        "{path}: rejected: {check} check failed: {detail}; nothing from this batch was imported"
    )]
    Rejected {
        path: PathBuf,
        check: Check,
        detail: String,
    },
    /// The batch is signed by a key not on the trust list.
    #[error(
        "{path}: rejected: signed by an unknown site key {key} (the batch says site {site:?}); nothing was imported. {}",
        if taken.is_empty() {
            format!("If you expect batches from this site, run `icare trust {key} --site NAME` after checking the key with the practice, or import with --trust-new-site")
        } else {
            format!("Site {site:?} already has the key {}: if the practice replaced it, run `icare trust --replace {} {key} --site {site:?}`; if this is another kiosk of the same practice, `icare trust {key} --site {site:?} --add-kiosk` (check the key with the practice first)", taken.join(", "), taken[0])
        }
    )]
    UnknownSigner {
        path: PathBuf,
        key: String,
        site: String,
        /// Fingerprints of the keys the site name has already.
        taken: Vec<String>,
    },
    /// A new key claims a site name that has a key already.
    #[error(
        "{}site {site:?} already has a trusted key ({}), and a new key {key} claiming it is refused{}. If the practice replaced its kiosk's key, run `icare trust --replace {} {key} --site {site:?}`; if this is another kiosk of the same practice, run `icare trust {key} --site {site:?} --add-kiosk` (check the key with the practice first)",
        path.as_ref().map(|p| format!("{}: rejected: ", p.display())).unwrap_or_default(),
        existing.join(", "),
        if path.is_some() { "; nothing was imported" } else { "" },
        existing.first().map(String::as_str).unwrap_or("OLD")
    )]
    SiteHasKey {
        path: Option<PathBuf>,
        site: String,
        key: String,
        /// Fingerprints of the site's keys.
        existing: Vec<String>,
    },
    /// The key was replaced by another and is trusted no more.
    #[error(
        "{}the key {key} was replaced by {by} for site {site:?}: a replaced key is trusted no more{}",
        path.as_ref().map(|p| format!("{}: rejected: signed by a replaced key: ", p.display())).unwrap_or_default(),
        if path.is_some() { "; nothing was imported" } else { "" }
    )]
    KeyReplaced {
        path: Option<PathBuf>,
        key: String,
        by: String,
        site: String,
    },
    /// A batch carries a known store's records under another key.
    #[error("{0}")]
    StoreOfAnotherKey(Box<StoreConflict>),
    /// A key that brought one store's records signs a batch of another store.
    #[error(
        "{path}: rejected: the key {key} (site {site:?}) brought the records of store {other} before, and this batch holds those of store {store_id}; a key speaks for one store (one kiosk), and nothing was imported. A second kiosk has its own key: run `icare keys` on it, and `icare trust KEY --site {site:?} --add-kiosk`"
    )]
    KeyOfAnotherStore {
        path: PathBuf,
        key: String,
        site: String,
        store_id: String,
        other: String,
    },
    /// The batch's epoch keys are not wrapped for the aggregation store's key.
    #[error(
        "{path}: rejected: the batch from site {site:?} cannot be read with this aggregation store's key: {unreadable} of its {epochs} epoch keys are not wrapped for {recipient} (the practice's store was made without it); nothing was imported. The practice should run `icare export --to {recipient} --out FILE` (with its manager passphrase) and send that batch"
    )]
    NotForUs {
        path: PathBuf,
        site: String,
        unreadable: u64,
        epochs: u64,
        recipient: String,
    },
    /// `trust --replace` names no key of the site.
    #[error(
        "site {site:?} has no key with fingerprint {fingerprint:?}; its keys: {} (as `icare keys` shows them)",
        if keys.is_empty() { "none".to_string() } else { keys.join(", ") }
    )]
    NoSuchKey {
        site: String,
        fingerprint: String,
        keys: Vec<String>,
    },
    /// The batch file's bytes changed between the check and the copy.
    #[error(
        "{0}: the file changed while it was imported (the second read found other bytes than the check); nothing was imported; import it again"
    )]
    Changed(PathBuf),
    /// Synthetic and real data would mix.
    #[error(
        "{path}: rejected: a {batch} batch cannot go into a {store} aggregation store (synthetic demo data and real answers are never mixed); nothing was imported"
    )]
    Mixing {
        path: PathBuf,
        batch: &'static str,
        store: &'static str,
    },
    /// The command needs an aggregation store and this is not one.
    #[error(
        "{0}: not an aggregation store (no aggregate.meta); create one with `icare init --aggregate` (add --synthetic for demo batches)"
    )]
    NotAggregate(PathBuf),
    /// The command needs a site's store and this is an aggregation store.
    #[error("{0}: an aggregation store holds imported batches and cannot export")]
    IsAggregate(PathBuf),
    /// A site name that is empty or holds control characters.
    #[error(
        "{0:?} cannot be a site name (empty, or holds control characters); give another with `icare trust KEY --site NAME`"
    )]
    BadSiteName(String),
    /// A key is already trusted under another name.
    #[error("{key} is already trusted as site {existing:?}; a key belongs to one site")]
    TrustConflict { key: String, existing: String },
    /// An epoch key could not be re-wrapped for `--to`.
    #[error("{path}: epoch key of {epoch}: {source}")]
    Rewrap {
        path: PathBuf,
        epoch: String,
        #[source]
        source: CryptoError,
    },
    /// `--to` was given without the manager identity.
    #[error(
        "--to needs the manager passphrase (ICARE_PASSPHRASE or --passphrase-file) to open the epoch keys and wrap them again"
    )]
    NoIdentityForTo,
    /// The batch file to write exists already.
    #[error("{0}: a file is already there; refusing to overwrite it (give a new --out name)")]
    OutExists(PathBuf),
    /// `export` found nothing to put in a batch.
    #[error("{0}")]
    NothingToExport(String),
}

/// A batch that carries a known store's records under another key than the one that first
/// brought them.
#[derive(Debug, thiserror::Error)]
#[error(
    "{path}: rejected: it holds the records of store {store_id}, which came first signed by the key {bound} (site {bound_site:?}), but this batch is signed by {key} (site {site:?}); a store's records are accepted only under the key that first brought them, and nothing was imported. If the practice's key really changed, run `icare trust --replace {bound} <new key> --site {bound_site:?}`; otherwise ask both practices which key is theirs"
)]
pub struct StoreConflict {
    pub path: PathBuf,
    pub store_id: String,
    /// Fingerprint of the key the store is bound to, and its site.
    pub bound: String,
    pub bound_site: String,
    /// Fingerprint of the batch's signer, and the site it is trusted for.
    pub key: String,
    pub site: String,
}

impl BatchError {
    /// The same refusal, naming the batch file it is about.
    pub(crate) fn with_path(self, path: &std::path::Path) -> BatchError {
        match self {
            BatchError::SiteHasKey {
                site,
                key,
                existing,
                ..
            } => BatchError::SiteHasKey {
                path: Some(path.to_owned()),
                site,
                key,
                existing,
            },
            BatchError::KeyReplaced { key, by, site, .. } => BatchError::KeyReplaced {
                path: Some(path.to_owned()),
                key,
                by,
                site,
            },
            other => other,
        }
    }

    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> BatchError + use<> {
        let path = path.to_owned();
        move |source| BatchError::Io { path, source }
    }
}
