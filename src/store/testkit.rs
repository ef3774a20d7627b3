//! The one fixture of the library's tests that need a store: a store in memory as `init` makes it
//! (without the scrypt and Argon2 cost), responses told apart by a tag in their comment, submitted
//! and read back, and snapshots of the in-memory file system restored. The store's own tests, the
//! fault and power-cut tests and the hostile-input tests all use it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

mod logged;

pub use logged::{Logged, Op};

use super::{QUARANTINE_DIR, RECORDS_DIR, Store, StoreMeta, ledger, read_responses_with};
use crate::crypto::sign;
use crate::fsio::Fs;
use crate::fsio::mem::MemFs;
use crate::response::{Answer, Period, PeriodKind, Response};
use crate::survey::Survey;

/// The data folder of the fixture's store.
pub const DIR: &str = "/data";

/// Every file of a file system and its bytes ([`MemFs::snapshot`]).
pub type Files = Vec<(PathBuf, Vec<u8>)>;

/// A store at `dir` in `fs` and its manager identity. `signed`: as `init` makes it (description,
/// signing key, empty ledger); otherwise as a version-1 program left it (no signing key, no
/// ledger), for the first writer to adopt.
pub fn store_in(fs: &MemFs, dir: &Path, synthetic: bool, signed: bool) -> age::x25519::Identity {
    let id = age::x25519::Identity::generate();
    for d in [RECORDS_DIR, QUARANTINE_DIR] {
        fs.create_dir_all(&dir.join(d)).unwrap();
    }
    let signer = signed.then(|| sign::create_signer(fs, dir).unwrap());
    let meta = StoreMeta {
        store_id: rand::random(),
        site: "Test practice".into(),
        synthetic,
        period: PeriodKind::Week,
        recipients: vec![id.to_public()],
        signing_key: signer.as_ref().map(|s| s.public()),
    };
    let meta_bytes = meta.to_bytes();
    if let Some(signer) = &signer {
        let ledger = ledger::Ledger::new(&meta, &meta_bytes);
        fs.put(&ledger::path(dir), ledger.to_bytes(signer));
    }
    fs.put(&StoreMeta::path(dir), meta_bytes);
    id
}

/// A new in-memory file system holding a store at [`DIR`] as `init` makes it, and its identity.
pub fn memory_store(synthetic: bool) -> (MemFs, age::x25519::Identity) {
    let fs = MemFs::new();
    let id = store_in(&fs, Path::new(DIR), synthetic, true);
    (fs, id)
}

/// The survey built into the program.
pub fn survey() -> Survey {
    crate::survey::embedded().unwrap()
}

/// A one-language survey: one item, a headline and a comment (`tests/testdata/tiny.toml`).
pub const TINY: &str = include_str!("../../tests/testdata/tiny.toml");

/// The one-language survey [`TINY`].
pub fn tiny() -> Survey {
    crate::survey::from_str(TINY, "tiny.toml").unwrap()
}

/// Week `n` of 2026.
pub fn week(n: u8) -> Period {
    Period::Week {
        year: 2026,
        week: n,
    }
}

/// A response to `s` in `period` whose comment, `comment <tag>`, tells it apart. Its answers are
/// valid on every scale: a point, "does not apply" (or skipped where a scale has none), skipped
/// and the last point, item after item; the headline's first point.
pub fn tagged(s: &Survey, period: Period, tag: &str) -> Response {
    let answers = s
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let scale = s.item_scale(item).expect("a checked survey");
            match i % 4 {
                0 => Answer::Value(scale.points[i % scale.points.len()].value),
                1 if scale.not_applicable => Answer::NotApplicable,
                3 => Answer::Value(scale.points[scale.points.len() - 1].value),
                _ => Answer::Skipped,
            }
        })
        .collect();
    let headline = s
        .headline
        .as_ref()
        .and_then(|h| s.scale(&h.scale))
        .map_or(Answer::Skipped, |scale| {
            Answer::Value(scale.points[0].value)
        });
    Response {
        survey_id: s.id.clone(),
        survey_hash: s.hash,
        language: s.default_language().to_string(),
        period,
        answers,
        headline,
        comment: Some(format!("comment {tag}")),
    }
}

/// A store in memory as a version-1 program left it (the first submission adopts it), on a file
/// system that logs every operation, and its identity.
pub fn logged_store() -> (Logged, age::x25519::Identity) {
    let mem = MemFs::new();
    let id = store_in(&mem, Path::new(DIR), true, false);
    (Logged::new(mem), id)
}

/// Open the store at [`DIR`] on `fs`.
pub fn open_logged(fs: &Logged) -> Store {
    Store::open_with(Arc::new(fs.clone()), Path::new(DIR)).unwrap()
}

/// Open the store at [`DIR`] for writing.
pub fn open(fs: &MemFs) -> Store {
    Store::open_with(Arc::new(fs.clone()), Path::new(DIR)).unwrap()
}

/// Submit one response per tag, in `period`, through one writer.
pub fn submit(fs: &MemFs, s: &Survey, period: Period, tags: &[&str]) {
    let mut store = open(fs);
    for tag in tags {
        store.submit(s, &tagged(s, period, tag)).unwrap();
    }
}

/// Every response the store at [`DIR`] yields, errors as their messages.
pub fn read_all(fs: &MemFs, id: &age::x25519::Identity) -> Vec<Result<Response, String>> {
    read_responses_with(Arc::new(fs.clone()), Path::new(DIR), id)
        .unwrap()
        .map(|r| r.map_err(|e| e.to_string()))
        .collect()
}

/// The comments of every response read, sorted; panics on any read error.
pub fn comments(fs: &MemFs, id: &age::x25519::Identity) -> Vec<String> {
    let mut out: Vec<String> = read_all(fs, id)
        .into_iter()
        .map(|r| r.unwrap().comment.unwrap_or_default())
        .collect();
    out.sort();
    out
}

/// A new in-memory file system holding `files`, all durable, with the store's folders.
pub fn restore(files: &[(PathBuf, Vec<u8>)]) -> MemFs {
    let dirs = ["keys", RECORDS_DIR, QUARANTINE_DIR].map(|d| Path::new(DIR).join(d));
    restore_files(files, &dirs)
}

/// A new in-memory file system holding `files` (a [`MemFs::snapshot`], which keeps no empty
/// folder), all durable, and the folders `dirs`.
pub fn restore_files(files: &[(PathBuf, Vec<u8>)], dirs: &[PathBuf]) -> MemFs {
    let fs = MemFs::new();
    for d in dirs {
        fs.create_dir_all(d).unwrap();
    }
    for (p, b) in files {
        fs.create_dir_all(crate::fsio::parent(p)).unwrap();
        fs.put(p, b.clone());
    }
    fs
}
