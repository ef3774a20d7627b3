//! The signed ledger `records/ledger`: every records file with its record count and SHA-256, and
//! the SHA-256 of `store.meta`, signed with the kiosk's Ed25519 key (the one named in
//! `store.meta`). Readers count only records in files the ledger vouches for, so writing a record
//! that readers accept needs the kiosk's secret key, not just the public keys in `store.meta`.
//! Byte by byte in `docs/format.md`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::format::{self, KIND_LEDGER, KIND_LEDGER_SIGNATURE, hex};
use super::{RECORDS_DIR, StoreError, StoreMeta};
use crate::crypto::sign::{LEDGER_CONTEXT, SiteKey, SiteSigner};
use crate::fsio::Fs;

/// The ledger's name inside `records/`.
pub const LEDGER_FILE: &str = "ledger";

/// One records file as the ledger vouches for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// File name inside `records/`.
    pub name: String,
    /// Record frames in the file.
    pub records: u64,
    /// SHA-256 of the whole file, 64 hex digits.
    pub sha256: String,
}

/// What the ledger says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    /// The store's id, 32 hex digits.
    pub store_id: String,
    /// One more at every write: a reader takes a leftover temporary ledger only if it is the
    /// very next one (a write cut short between its two renames).
    pub generation: u64,
    /// SHA-256 of `store.meta` (its recipients and signing key), 64 hex digits.
    pub meta_sha256: String,
    /// Every records file, sorted by name.
    pub files: Vec<Entry>,
}

/// SHA-256 of some bytes as 64 hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Path of the ledger in the data folder `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(RECORDS_DIR).join(LEDGER_FILE)
}

impl Ledger {
    /// An empty ledger for a store.
    pub fn new(meta: &StoreMeta, meta_bytes: &[u8]) -> Ledger {
        Ledger {
            store_id: hex(&meta.store_id),
            generation: 0,
            meta_sha256: sha256_hex(meta_bytes),
            files: Vec::new(),
        }
    }

    /// The entry for a file name.
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.files.iter().find(|e| e.name == name)
    }

    /// Vouch for `name` holding `records` records and exactly `bytes`.
    pub fn set(&mut self, name: &str, records: u64, bytes: &[u8]) {
        let entry = Entry {
            name: name.to_string(),
            records,
            sha256: sha256_hex(bytes),
        };
        match self.files.iter_mut().find(|e| e.name == name) {
            Some(e) => *e = entry,
            None => {
                self.files.push(entry);
                self.files.sort_by(|a, b| a.name.cmp(&b.name));
            }
        }
    }

    /// Whether this ledger vouches for `name` holding exactly `bytes`.
    pub fn vouches(&self, name: &str, bytes: &[u8]) -> bool {
        self.entry(name)
            .is_some_and(|e| e.sha256 == sha256_hex(bytes))
    }

    /// The file's bytes: file header, the JSON frame, then the signature frame (Ed25519 over
    /// every byte before it, in [`LEDGER_CONTEXT`]).
    pub fn to_bytes(&self, signer: &SiteSigner) -> Vec<u8> {
        let mut out = format::LEDGER.header().to_vec();
        // Strings, numbers and lists of them always serialize.
        out.extend(format::frame(
            KIND_LEDGER,
            &serde_json::to_vec_pretty(self).unwrap_or_default(),
        ));
        let signature = signer.sign_in(LEDGER_CONTEXT, &out);
        out.extend(format::frame(KIND_LEDGER_SIGNATURE, &signature));
        out
    }

    /// Check a ledger file's framing and signature with `key`, then read it.
    pub fn parse(path: &Path, bytes: &[u8], key: &SiteKey) -> Result<Ledger, StoreError> {
        let bad = |offset: usize, what: String| StoreError::Corrupt {
            path: path.to_owned(),
            offset: offset as u64,
            what,
        };
        let scan = format::LEDGER
            .scan(bytes)
            .map_err(|source| StoreError::Header {
                path: path.to_owned(),
                source,
            })?;
        scan.check_whole(path)?;
        let [body, sig] = scan.frames[..] else {
            return Err(bad(
                format::FILE_HEADER_LEN,
                "expected a ledger frame and a signature frame".into(),
            ));
        };
        if body.kind != KIND_LEDGER || sig.kind != KIND_LEDGER_SIGNATURE {
            return Err(bad(body.offset, "unexpected frame kinds".into()));
        }
        let signature: [u8; 64] = bytes[sig.start..sig.end]
            .try_into()
            .map_err(|_| bad(sig.start, "the signature is not 64 bytes".into()))?;
        if !key.verify_in(LEDGER_CONTEXT, &bytes[..sig.offset], &signature) {
            return Err(bad(
                sig.offset,
                format!(
                    "the signature does not verify with the store's signing key {key} (the ledger was altered, or signed by another key)"
                ),
            ));
        }
        serde_json::from_slice(&bytes[body.start..body.end])
            .map_err(|e| bad(body.start, e.to_string()))
    }
}

/// How far a store's records files are vouched for.
#[derive(Debug, Clone)]
pub enum Vouch {
    /// A store no kiosk of format 2 has opened (no signing key in `store.meta`): its version-1
    /// files are read as before, unauthenticated; a version-2 file is not accepted.
    Legacy,
    /// The ledger, and a leftover next-generation ledger from a write cut short between its
    /// renames (the kiosk finishes that write when it next starts).
    Signed { main: Ledger, next: Option<Ledger> },
    /// `store.meta` names a signing key but the ledger is missing or does not verify: nothing is
    /// vouched for.
    Broken {
        path: PathBuf,
        offset: Option<u64>,
        what: String,
    },
}

/// Is `name` a leftover temporary file of an atomic write (`.<name>.tmp-<hex>`)?
pub fn is_temp(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

impl Vouch {
    /// Read the ledger of the store in `dir` (and any next-generation temporary ledger) with the
    /// signing key named in `meta`.
    pub fn load(fs: &dyn Fs, dir: &Path, meta: &StoreMeta) -> Vouch {
        let Some(key) = meta.signing_key else {
            return Vouch::Legacy;
        };
        let lpath = path(dir);
        let broken = |offset: Option<u64>, what: String| Vouch::Broken {
            path: lpath.clone(),
            offset,
            what,
        };
        let main = match fs.read(&lpath) {
            Ok(bytes) => match Ledger::parse(&lpath, &bytes, &key) {
                Ok(l) => l,
                Err(StoreError::Corrupt { offset, what, .. }) => return broken(Some(offset), what),
                Err(StoreError::Header { source, .. }) => {
                    return broken(Some(0), source.to_string());
                }
                Err(e) => return broken(None, e.to_string()),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return broken(
                    None,
                    "missing, but store.meta names a signing key, so there must be one (removed?)"
                        .into(),
                );
            }
            Err(e) => return broken(None, e.to_string()),
        };
        if main.store_id != hex(&meta.store_id) {
            return broken(
                Some(format::FILE_HEADER_LEN as u64),
                "the ledger belongs to another store".into(),
            );
        }
        let next = next_ledgers(fs, dir, &key)
            .into_iter()
            .map(|(_, l, _)| l)
            .find(|l| l.generation == main.generation + 1 && l.store_id == main.store_id);
        Vouch::Signed { main, next }
    }

    /// Whether the records file `name` with contents `bytes` (format `version`, `records` record
    /// frames) may be counted; `Err` says why not, for a message naming the file.
    pub fn check(
        &self,
        name: &str,
        bytes: &[u8],
        version: u16,
        records: u64,
    ) -> Result<(), String> {
        match self {
            Vouch::Legacy if version <= 1 => Ok(()),
            Vouch::Legacy => Err(
                "a version-2 records file in a store whose store.meta names no signing key: nothing vouches for it"
                    .into(),
            ),
            Vouch::Broken { path, what, .. } => Err(format!(
                "not counted: nothing is vouched for while the ledger is unusable ({}: {what})",
                path.display()
            )),
            Vouch::Signed { main, next } => {
                if main.vouches(name, bytes) || next.as_ref().is_some_and(|n| n.vouches(name, bytes))
                {
                    return Ok(());
                }
                Err(match main.entry(name) {
                    None => format!(
                        "not in the signed ledger: added outside the kiosk ({records} records not counted)"
                    ),
                    Some(e) if e.records < records => format!(
                        "holds {records} records where the signed ledger vouches for {}: records were added or copied in (none of them counted)",
                        e.records
                    ),
                    Some(e) if e.records > records => format!(
                        "holds {records} records where the signed ledger vouches for {}: records were removed, or the file was replaced by an older copy (none counted)",
                        e.records
                    ),
                    Some(_) => format!(
                        "differs from what the signed ledger vouches for ({records} records as it says, but other bytes): records were replaced or altered (none counted)"
                    ),
                })
            }
        }
    }

    /// Files the ledger lists that are not among `present` (names inside `records/`).
    pub fn missing(&self, present: &[String]) -> Vec<Entry> {
        match self {
            Vouch::Signed { main, next } => main
                .files
                .iter()
                .filter(|e| !present.contains(&e.name))
                // A file the next ledger no longer lists is not missing (never happens today:
                // files are only added).
                .filter(|e| next.as_ref().is_none_or(|n| n.entry(&e.name).is_some()))
                .cloned()
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Every leftover temporary ledger in `records/` whose signature verifies with `key`: its path,
/// what it says, and its bytes.
pub(crate) fn next_ledgers(
    fs: &dyn Fs,
    dir: &Path,
    key: &SiteKey,
) -> Vec<(PathBuf, Ledger, Vec<u8>)> {
    let rdir = dir.join(RECORDS_DIR);
    let prefix = format!(".{LEDGER_FILE}.tmp-");
    let names = fs.list(&rdir).unwrap_or_default();
    names
        .iter()
        .filter(|n| n.starts_with(&prefix))
        .filter_map(|n| {
            let p = rdir.join(n);
            let bytes = fs.read(&p).ok()?;
            let ledger = Ledger::parse(&p, &bytes, key).ok()?;
            Some((p, ledger, bytes))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ledger_verifies_with_its_key_only_and_any_change_breaks_it() {
        let signer = SiteSigner::generate();
        let mut l = Ledger {
            store_id: "00".repeat(16),
            generation: 3,
            meta_sha256: sha256_hex(b"meta"),
            files: Vec::new(),
        };
        l.set("2026-W47.icr", 2, b"file");
        l.set("2026-W46.icr", 5, b"older");
        assert_eq!(l.files[0].name, "2026-W46.icr");
        let bytes = l.to_bytes(&signer);
        let p = Path::new("records/ledger");
        assert_eq!(Ledger::parse(p, &bytes, &signer.public()).unwrap(), l);
        assert!(l.vouches("2026-W47.icr", b"file"));
        assert!(!l.vouches("2026-W47.icr", b"filE"));
        let other = SiteSigner::generate().public();
        assert!(Ledger::parse(p, &bytes, &other).is_err());
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x20;
            assert!(
                Ledger::parse(p, &bad, &signer.public()).is_err(),
                "a change at {i} went unnoticed"
            );
        }
    }
}
