//! The store description file `store.meta`: store id, site, synthetic flag, period kind, the
//! recipients every group key is wrapped to, and the public key that signs the ledger. Public
//! information only.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::StoreError;
use super::format::{self, META};
use crate::crypto::sign::SiteKey;
use crate::fsio::Fs;
use crate::response::PeriodKind;

/// The store description file, relative to the data folder.
pub const META_FILE: &str = "store.meta";

/// What `store.meta` says.
#[derive(Debug, Clone)]
pub struct StoreMeta {
    /// Random id, bound into every record so records cannot move between stores.
    pub store_id: [u8; 16],
    pub site: String,
    /// Made with `init --synthetic`: holds demo data only.
    pub synthetic: bool,
    pub period: PeriodKind,
    /// The manager's key first, then any others.
    pub recipients: Vec<age::x25519::Recipient>,
    /// The kiosk's key that signs `records/ledger`; `None` in a store no kiosk of format 2 has
    /// opened yet (its records are not authenticated, see `docs/security.md`).
    pub signing_key: Option<SiteKey>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetaJson {
    store_id: String,
    site: String,
    synthetic: bool,
    period: PeriodKind,
    recipients: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signing_key: Option<String>,
}

impl StoreMeta {
    /// The file's bytes: file header and one frame holding JSON.
    pub fn to_bytes(&self) -> Vec<u8> {
        let json = MetaJson {
            store_id: format::hex(&self.store_id),
            site: self.site.clone(),
            synthetic: self.synthetic,
            period: self.period,
            recipients: self.recipients.iter().map(|r| r.to_string()).collect(),
            signing_key: self.signing_key.map(|k| k.to_string()),
        };
        META.json_file(&json)
    }

    /// Read and check `store.meta` in `dir`.
    pub fn load(fs: &dyn Fs, dir: &Path) -> Result<StoreMeta, StoreError> {
        Self::load_raw(fs, dir).map(|(meta, _)| meta)
    }

    /// [`StoreMeta::load`], with the file's bytes (the ledger vouches for their SHA-256).
    pub(crate) fn load_raw(fs: &dyn Fs, dir: &Path) -> Result<(StoreMeta, Vec<u8>), StoreError> {
        let path = dir.join(META_FILE);
        let bytes = fs.read(&path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                if super::aggregate::is_aggregate(fs, dir) {
                    StoreError::IsAggregate(dir.to_owned())
                } else {
                    StoreError::NotAStore(dir.to_owned())
                }
            } else {
                StoreError::Io {
                    path: path.clone(),
                    source,
                }
            }
        })?;
        Ok((Self::parse(&bytes, &path)?, bytes))
    }

    fn parse(bytes: &[u8], path: &Path) -> Result<StoreMeta, StoreError> {
        let json: MetaJson = META.parse_json(path, bytes)?;
        let corrupt = |what: String| StoreError::Corrupt {
            path: path.to_owned(),
            offset: format::JSON_AT as u64,
            what,
        };
        let store_id = format::unhex(&json.store_id)
            .and_then(|v| <[u8; 16]>::try_from(v).ok())
            .ok_or_else(|| corrupt("store_id is not 32 hex digits".into()))?;
        let recipients = json
            .recipients
            .iter()
            .map(|r| {
                r.parse()
                    .map_err(|_| corrupt(format!("bad recipient {r:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if recipients.is_empty() {
            return Err(corrupt("no recipients".into()));
        }
        let signing_key = json
            .signing_key
            .as_deref()
            .map(|k| SiteKey::parse(k).map_err(|e| corrupt(e.to_string())))
            .transpose()?;
        Ok(StoreMeta {
            store_id,
            site: json.site,
            synthetic: json.synthetic,
            period: json.period,
            recipients,
            signing_key,
        })
    }

    /// Path of `store.meta` in `dir`.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(META_FILE)
    }
}
