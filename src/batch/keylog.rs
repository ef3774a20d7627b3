//! Which site keys an aggregation store trusts, and which store each key speaks for: the
//! append-only `keys.log` (`batch::journal`), replayed from the start. Every change is an
//! entry: a key trusted (by `icare trust`, by `import --trust-new-site`, as another kiosk of a
//! site), a key replaced by another, a store bound to the key that first brought its records.
//!
//! The rules it enforces: a key belongs to one site and speaks for one store; a store's records
//! are accepted only under the key that first brought them; a site that has a key gets another
//! only when the commissioner says so (`--replace` the old one, or `--add-kiosk`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::BatchError;
use super::journal::{self, Journal};
use super::sign::SiteKey;
use crate::fsio::{self, Fs};
use crate::store::aggregate::{AggregateMeta, TRUST_FILE, imported_files, read_origin};
use crate::store::format;

/// The keys log, relative to the aggregation store's folder.
pub const KEYS_LOG: &str = "keys.log";
const JOURNAL: Journal = Journal(format::KEYS_LOG);

/// One trusted site key and the site name its responses are reported under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedSite {
    pub site: String,
    /// `icare-site-ed25519:<64 hex>`.
    pub key: String,
}

/// One entry of the keys log. `at` is the time of the change (UTC, to the second); entries
/// taken over from an earlier version's trust list have none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum KeyEvent {
    /// `key` trusted for `site`; `how` says by which command.
    Trusted {
        site: String,
        key: String,
        how: String,
        at: Option<String>,
    },
    /// `old` no longer trusted; `key` trusted for `site` instead. The store `old` spoke for is
    /// bound to no key until a batch of it comes again (under `key`).
    Replaced {
        site: String,
        old: String,
        key: String,
        at: Option<String>,
    },
    /// The records of store `store_id` came first under `key`: only `key` may bring more.
    StoreBound {
        store_id: String,
        key: String,
        site: String,
        at: Option<String>,
    },
}

/// How a key comes to be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust<'a> {
    /// A site's first key (refused if the site has one).
    New,
    /// Another kiosk (another store) of a site that has a key already.
    AddKiosk,
    /// In place of the site's key with this fingerprint (or whole key).
    Replace(&'a str),
}

/// The trust state of an aggregation store: the log replayed.
#[derive(Debug, Default)]
pub struct Keys {
    /// Keys trusted now, in the order they were trusted.
    pub sites: Vec<TrustedSite>,
    /// Each store id (hex) and the key that may bring its records.
    pub stores: BTreeMap<String, String>,
    /// Keys replaced, with the key and site that replaced them.
    pub replaced: BTreeMap<String, (String, String)>,
    log: journal::Read<KeyEvent>,
    /// Entries made from an earlier version's files, written with the next change.
    taken_over: Vec<KeyEvent>,
}

/// The short fingerprint of a key in text form (the first 16 hex digits), for messages.
pub fn fingerprint(key: &str) -> String {
    SiteKey::parse(key).map_or_else(|_| key.to_string(), |k| k.fingerprint())
}

/// The time now, as the log writes it.
fn now() -> Option<String> {
    Some(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

impl Keys {
    /// Read the keys log of the aggregation store in `dir`. A store from an earlier version has
    /// none: its trust list (`trusted-sites`) is taken over, and each store whose imported
    /// records came under exactly one key (and that key under that store only) is bound to it.
    pub fn load(fs: &dyn Fs, dir: &Path) -> Result<Keys, BatchError> {
        let path = dir.join(KEYS_LOG);
        let log = JOURNAL.read::<KeyEvent>(fs, &path)?;
        let mut keys = Keys::default();
        let taken_over = if log.exists() {
            Vec::new()
        } else {
            take_over(fs, dir)?
        };
        for e in log.entries.iter().chain(&taken_over) {
            keys.apply(e);
        }
        keys.log = log;
        keys.taken_over = taken_over;
        Ok(keys)
    }

    fn apply(&mut self, e: &KeyEvent) {
        match e {
            KeyEvent::Trusted { site, key, .. } => {
                if self.site_of(key).is_none() {
                    self.sites.push(TrustedSite {
                        site: site.clone(),
                        key: key.clone(),
                    });
                }
            }
            KeyEvent::Replaced { site, old, key, .. } => {
                self.sites.retain(|t| &t.key != old);
                self.sites.push(TrustedSite {
                    site: site.clone(),
                    key: key.clone(),
                });
                // The old key's store is free again: the new key may bring it (the same kiosk
                // with a new key) or a store of its own (a kiosk set up again).
                self.stores.retain(|_, k| k != old);
                self.replaced
                    .insert(old.clone(), (key.clone(), site.clone()));
            }
            KeyEvent::StoreBound { store_id, key, .. } => {
                self.stores.insert(store_id.clone(), key.clone());
            }
        }
    }

    /// Every entry, as logged (and taken over from an earlier version).
    pub fn events(&self) -> impl Iterator<Item = &KeyEvent> {
        self.log.entries.iter().chain(&self.taken_over)
    }

    /// The site `key` is trusted for.
    pub fn site_of(&self, key: &str) -> Option<&str> {
        self.sites
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.site.as_str())
    }

    /// The keys trusted for `site`.
    pub fn keys_of(&self, site: &str) -> Vec<&str> {
        self.sites
            .iter()
            .filter(|t| t.site == site)
            .map(|t| t.key.as_str())
            .collect()
    }

    /// The key that may bring the records of store `store_id` (hex).
    pub fn key_of_store(&self, store_id: &str) -> Option<&str> {
        self.stores.get(store_id).map(String::as_str)
    }

    /// The store `key` speaks for.
    pub fn store_of_key(&self, key: &str) -> Option<&str> {
        self.stores
            .iter()
            .find(|(_, k)| *k == key)
            .map(|(s, _)| s.as_str())
    }

    /// Add entries to the log (with any taken over from an earlier version first, even when
    /// there is nothing new), then remove an earlier version's trust list.
    pub fn record(
        &mut self,
        fs: &dyn Fs,
        dir: &Path,
        new: Vec<KeyEvent>,
    ) -> Result<(), BatchError> {
        if new.is_empty() && self.taken_over.is_empty() {
            return Ok(());
        }
        let mut all = std::mem::take(&mut self.taken_over);
        let had_old_list = !self.log.exists() && fs.exists(&dir.join(TRUST_FILE));
        for e in &new {
            self.apply(e);
        }
        all.extend(new);
        JOURNAL.append(fs, &dir.join(KEYS_LOG), &mut self.log, all)?;
        if had_old_list {
            let old = dir.join(TRUST_FILE);
            fs.remove_file(&old).map_err(BatchError::io(&old))?;
            fs.sync_dir(dir).map_err(BatchError::io(dir))?;
        }
        Ok(())
    }

    /// What trusting `key` for `site` would log, or why it is refused. `Ok(None)`: it already is.
    pub fn plan_trust(
        &self,
        key: &str,
        site: &str,
        how: Trust<'_>,
        by: &str,
    ) -> Result<Option<KeyEvent>, BatchError> {
        if site.trim().is_empty() || site.chars().any(crate::sanitize::is_unsafe) {
            return Err(BatchError::BadSiteName(site.to_string()));
        }
        if let Some(existing) = self.site_of(key) {
            if existing == site {
                return Ok(None);
            }
            return Err(BatchError::TrustConflict {
                key: key.to_string(),
                existing: existing.to_string(),
            });
        }
        if let Some((by_key, by_site)) = self.replaced.get(key) {
            return Err(BatchError::KeyReplaced {
                path: None,
                key: key.to_string(),
                by: fingerprint(by_key),
                site: by_site.clone(),
            });
        }
        let existing = self.keys_of(site);
        match how {
            Trust::New if !existing.is_empty() => Err(BatchError::SiteHasKey {
                path: None,
                site: site.to_string(),
                key: key.to_string(),
                existing: existing.iter().map(|k| fingerprint(k)).collect(),
            }),
            Trust::New | Trust::AddKiosk => Ok(Some(KeyEvent::Trusted {
                site: site.to_string(),
                key: key.to_string(),
                how: by.to_string(),
                at: now(),
            })),
            Trust::Replace(old) => {
                let wanted = old.trim().to_ascii_lowercase();
                let matching: Vec<&str> = existing
                    .iter()
                    .copied()
                    .filter(|k| *k == old.trim() || fingerprint(k) == wanted)
                    .collect();
                let [old] = matching[..] else {
                    return Err(BatchError::NoSuchKey {
                        site: site.to_string(),
                        fingerprint: old.to_string(),
                        keys: existing.iter().map(|k| fingerprint(k)).collect(),
                    });
                };
                Ok(Some(KeyEvent::Replaced {
                    site: site.to_string(),
                    old: old.to_string(),
                    key: key.to_string(),
                    at: now(),
                }))
            }
        }
    }
}

/// What a binding of `store_id` to `key` (for `site`) is logged as.
pub fn bound(store_id: &str, key: &str, site: &str) -> KeyEvent {
    KeyEvent::StoreBound {
        store_id: store_id.to_string(),
        key: key.to_string(),
        site: site.to_string(),
        at: now(),
    }
}

/// The entries an aggregation store of an earlier version implies: its trust list, and the
/// unambiguous store bindings of its imported files.
fn take_over(fs: &dyn Fs, dir: &Path) -> Result<Vec<KeyEvent>, BatchError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct TrustJson {
        sites: Vec<TrustedSite>,
    }
    let mut events = Vec::new();
    let path = dir.join(TRUST_FILE);
    match fs.read(&path) {
        Ok(bytes) => {
            let t: TrustJson = format::TRUST.parse_json(&path, &bytes)?;
            for s in t.sites {
                events.push(KeyEvent::Trusted {
                    site: s.site,
                    key: s.key,
                    how: "the trust list of an earlier version".into(),
                    at: None,
                });
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => return Err(BatchError::Io { path, source }),
    }
    let mut pairs: BTreeMap<(String, String), String> = BTreeMap::new();
    for file in imported_files(fs, dir)? {
        // A file whose origin cannot be read binds nothing (readers report it).
        if let Ok(o) = read_origin(fs, &file) {
            pairs.insert((o.store_id, o.signing_key), o.site);
        }
    }
    let count = |f: &dyn Fn(&(String, String)) -> bool| pairs.keys().filter(|p| f(p)).count();
    for ((store, key), site) in &pairs {
        if count(&|(s, _)| s == store) == 1 && count(&|(_, k)| k == key) == 1 {
            events.push(KeyEvent::StoreBound {
                store_id: store.clone(),
                key: key.clone(),
                site: site.clone(),
                at: None,
            });
        }
    }
    Ok(events)
}

/// Trust `key` as site `site` in the aggregation store in `dir` (logged). Returns `false` when
/// it already was. A key belongs to one site; a site gets a second key only as another kiosk
/// ([`Trust::AddKiosk`]) or in place of its key ([`Trust::Replace`]).
pub fn trust(
    fs: &dyn Fs,
    dir: &Path,
    key: &SiteKey,
    site: &str,
    how: Trust<'_>,
) -> Result<bool, BatchError> {
    AggregateMeta::load(fs, dir)?;
    let _lock = crate::store::lock(fs, dir)?;
    remove_leftovers(fs, dir)?;
    let mut keys = Keys::load(fs, dir)?;
    let by = match how {
        Trust::New => "icare trust",
        Trust::AddKiosk => "icare trust --add-kiosk",
        Trust::Replace(_) => "icare trust --replace",
    };
    match keys.plan_trust(&key.to_string(), site, how, by)? {
        Some(event) => {
            keys.record(fs, dir, vec![event])?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// The keys the aggregation store in `dir` trusts now.
pub fn trusted(fs: &dyn Fs, dir: &Path) -> Result<Vec<TrustedSite>, BatchError> {
    Ok(Keys::load(fs, dir)?.sites)
}

/// Remove what a write of the keys log cut short left beside it.
fn remove_leftovers(fs: &dyn Fs, dir: &Path) -> Result<(), BatchError> {
    let path = dir.join(KEYS_LOG);
    fsio::remove_leftovers(fs, &path).map_err(BatchError::io(&path))
}
