//! Encrypted batches: a kiosk exports its sealed records with a signed manifest, and an
//! aggregation store imports batches from many sites, checking each completely and never counting
//! a response twice. Byte by byte in `docs/batches.md`.
//!
//! - [`sign`]: the site's Ed25519 signing key (`keys/site-signing.key`), which lives in
//!   [`crate::crypto::sign`] since the store's ledger is signed with it too.
//! - [`file`](mod@file): the batch file format: writing, and checking everything before trusting anything.
//! - [`export`]: `icare export` (with the `--since-last` watermark and `--to` re-wrapping).
//! - [`aggregate`]: aggregation stores: `init --aggregate`, the trust list, crash-safe import.
//! - [`verify`]: `icare verify` on an aggregation store.
//! - Reading either kind of store, each response with its site, is the store's
//!   ([`crate::store::read_all`]).

pub mod aggregate;
pub mod export;
pub mod file;
pub use crate::crypto::sign;
#[cfg(test)]
mod testutil;
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
        "{path}: rejected: signed by an unknown site key {key} (the batch says site {site:?}); nothing was imported. If you expect batches from this site, run `icare trust {key} --site NAME` after checking the key with the practice, or import with --trust-new-site"
    )]
    UnknownSigner {
        path: PathBuf,
        key: String,
        site: String,
    },
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

impl BatchError {
    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> BatchError + use<> {
        let path = path.to_owned();
        move |source| BatchError::Io { path, source }
    }
}
