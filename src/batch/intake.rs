//! What an aggregation store has received: the append-only `batches.log` (`batch::journal`),
//! one entry per batch imported (even one that added nothing new), and from it each site's
//! latest period and the batches of its stores' chains that never arrived ("Site A: batch 3 of 5
//! not received: 2026-W10 to 2026-W14").
//!
//! A batch `m` of a store's `--since-last` chain carries the numbers and periods of every batch
//! before it. Batch `n` is missing when it was never imported, no full export numbered `n` or
//! later was, and some of its periods came in no later batch of the chain (a later batch that
//! holds a period holds all of that period's records, so those periods are complete).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::BatchError;
use super::file::{Manifest, Sent};
use super::journal::{self, Journal};
use crate::fsio::Fs;
use crate::response::Period;
use crate::store::aggregate::{imported_files, open_imported, read_origin};
use crate::store::format::{self, EpochInfo, KIND_EPOCH};
use crate::store::period_file::period_of_name;
use crate::store::stream::Step;

/// The log of batches received, relative to the aggregation store's folder.
pub const RECEIVED_LOG: &str = "batches.log";
const JOURNAL: Journal = Journal(format::RECEIVED_LOG);

/// One batch received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Received {
    pub batch_id: String,
    /// The site its records count under (the trusted name when it was imported).
    pub site: String,
    pub signing_key: String,
    pub store_id: String,
    /// Its number in the store's chain (absent for batches of format 1, and for batches imported
    /// by an earlier version, whose entries are made from the imported files).
    pub sequence: Option<u64>,
    /// A `--since-last` batch (else a full export).
    pub since_last: Option<bool>,
    /// The periods it held.
    pub periods: Vec<String>,
    /// The earlier batches of its chain that this store had not received when it came, with
    /// their periods.
    pub missing_then: Vec<Sent>,
}

impl Received {
    /// The entry for a batch with `manifest`, counted under `site`, given what was received.
    pub fn of(manifest: &Manifest, site: &str, before: &[Received]) -> Received {
        let chain = manifest.chain.as_ref();
        let got: BTreeSet<u64> = before
            .iter()
            .filter(|r| r.store_id == manifest.store_id && r.since_last == Some(true))
            .filter_map(|r| r.sequence)
            .collect();
        Received {
            batch_id: manifest.batch_id.clone(),
            site: site.to_string(),
            signing_key: manifest.signing_key.clone(),
            store_id: manifest.store_id.clone(),
            sequence: chain.map(|c| c.sequence),
            since_last: chain.map(|c| c.since_last),
            periods: manifest.periods.clone(),
            missing_then: chain
                .map(|c| {
                    c.earlier
                        .iter()
                        .filter(|s| !got.contains(&s.sequence))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// The log of batches received, as read.
pub struct Log {
    read: journal::Read<Received>,
    /// Entries for imported files of an earlier version (not in the log), written with the next
    /// import.
    taken_over: Vec<Received>,
}

impl Log {
    /// Read the log of the aggregation store in `dir`, with entries made from the imported files
    /// of batches an earlier version imported (which the log does not list).
    pub fn load(fs: &dyn Fs, dir: &Path) -> Result<Log, BatchError> {
        let read = JOURNAL.read::<Received>(fs, &dir.join(RECEIVED_LOG))?;
        let known: BTreeSet<&str> = read.entries.iter().map(|r| r.batch_id.as_str()).collect();
        let mut taken: BTreeMap<String, Received> = BTreeMap::new();
        for path in imported_files(fs, dir)? {
            let Ok(origin) = read_origin(fs, &path) else {
                continue;
            };
            if known.contains(origin.batch_id.as_str()) {
                continue;
            }
            let periods = periods_in(fs, &path);
            let entry = taken
                .entry(origin.batch_id.clone())
                .or_insert_with(|| Received {
                    batch_id: origin.batch_id,
                    site: origin.site,
                    signing_key: origin.signing_key,
                    store_id: origin.store_id,
                    sequence: None,
                    since_last: None,
                    periods: Vec::new(),
                    missing_then: Vec::new(),
                });
            entry.periods.extend(periods);
            entry.periods.sort();
            entry.periods.dedup();
        }
        Ok(Log {
            read,
            taken_over: taken.into_values().collect(),
        })
    }

    /// Every batch received, in the order logged.
    pub fn entries(&self) -> impl Iterator<Item = &Received> {
        self.read.entries.iter().chain(&self.taken_over)
    }

    /// Log a batch received, unless it was logged already with its number (a batch imported
    /// again). Entries taken over from imported files go first, except one for this batch (its
    /// import was cut short before it was logged): this entry, with its number, replaces it.
    pub fn add(&mut self, fs: &dyn Fs, dir: &Path, entry: Received) -> Result<(), BatchError> {
        let logged = self
            .read
            .entries
            .iter()
            .any(|r| r.batch_id == entry.batch_id && r.sequence == entry.sequence);
        let mut new = std::mem::take(&mut self.taken_over);
        new.retain(|r| r.batch_id != entry.batch_id);
        if !logged {
            new.push(entry);
        }
        JOURNAL.append(fs, &dir.join(RECEIVED_LOG), &mut self.read, new)
    }

    /// Each site's batches and what is missing, sites by name.
    pub fn sites(&self) -> Vec<SiteIntake> {
        let mut by_store: BTreeMap<&str, Vec<&Received>> = BTreeMap::new();
        for r in self.entries() {
            by_store.entry(&r.store_id).or_default().push(r);
        }
        let mut sites: BTreeMap<String, SiteIntake> = BTreeMap::new();
        for (store_id, entries) in by_store {
            // The name its latest batch counted under.
            let site = entries.last().map(|r| r.site.clone()).unwrap_or_default();
            let s = sites.entry(site.clone()).or_insert_with(|| SiteIntake {
                site,
                ..SiteIntake::default()
            });
            s.stores.push(store_intake(store_id, &entries));
        }
        let mut out: Vec<SiteIntake> = sites.into_values().collect();
        for s in &mut out {
            s.latest = s
                .stores
                .iter()
                .filter_map(|st| st.latest)
                .max_by_key(|p| start(*p));
        }
        out
    }
}

/// What one store of a site has sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreIntake {
    pub store_id: String,
    /// Batches received (all of them, numbered or not).
    pub batches: usize,
    /// The highest number of its chain received (from a `--since-last` batch or a full export).
    pub last: Option<u64>,
    /// Its latest period received.
    pub latest: Option<Period>,
    /// Batches of its chain never received whose periods came in no later batch.
    pub missing: Vec<Missing>,
}

/// A batch of a store's chain that never arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub sequence: u64,
    /// The highest number received from the store.
    pub of: u64,
    /// Its periods that came in no later batch, in order.
    pub periods: Vec<Period>,
}

impl Missing {
    /// "North: batch 3 of 5 not received: 2026-W10 to 2026-W14", for the store named `name`.
    pub fn sentence(&self, name: &str) -> String {
        let periods = if self.periods.is_empty() {
            String::new()
        } else {
            format!(": {}", runs(&self.periods))
        };
        format!(
            "{name}: batch {} of {} not received{periods}",
            self.sequence, self.of
        )
    }
}

/// What one site has sent: its stores (kiosks) and its latest period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteIntake {
    pub site: String,
    pub stores: Vec<StoreIntake>,
    pub latest: Option<Period>,
}

/// A period's name (`2026-W47`, `2026-11`) read back.
pub fn parse_period(s: &str) -> Option<Period> {
    period_of_name(&format!("{s}.icr"))
}

/// The first day of a period, to compare weeks and months.
fn start(p: Period) -> chrono::NaiveDate {
    let d = match p {
        Period::Week { year, week } => {
            chrono::NaiveDate::from_isoywd_opt(year, u32::from(week), chrono::Weekday::Mon)
        }
        Period::Month { year, month } => chrono::NaiveDate::from_ymd_opt(year, u32::from(month), 1),
    };
    d.unwrap_or_default()
}

fn store_intake(store_id: &str, entries: &[&Received]) -> StoreIntake {
    let periods = |r: &Received| -> Vec<Period> {
        r.periods.iter().filter_map(|p| parse_period(p)).collect()
    };
    let latest = entries
        .iter()
        .flat_map(|r| periods(r))
        .max_by_key(|p| start(*p));
    let since: BTreeMap<u64, BTreeSet<Period>> = entries
        .iter()
        .filter(|r| r.since_last == Some(true))
        .filter_map(|r| Some((r.sequence?, periods(r))))
        .fold(BTreeMap::new(), |mut m, (n, ps)| {
            m.entry(n).or_insert_with(BTreeSet::new).extend(ps);
            m
        });
    let full = entries
        .iter()
        .filter(|r| r.since_last == Some(false))
        .filter_map(|r| r.sequence)
        .max()
        .unwrap_or(0);
    let last = since.keys().copied().chain([full]).max().filter(|&n| n > 0);
    // The periods of each batch never received, as the latest batch that named it said.
    let mut told: BTreeMap<u64, Vec<Period>> = BTreeMap::new();
    for r in entries.iter().filter(|r| r.sequence.is_some()) {
        for s in &r.missing_then {
            told.insert(
                s.sequence,
                s.periods.iter().filter_map(|p| parse_period(p)).collect(),
            );
        }
    }
    let mut missing = Vec::new();
    for n in (full + 1)..=last.unwrap_or(0) {
        if since.contains_key(&n) {
            continue;
        }
        let later: BTreeSet<Period> = since
            .range(n + 1..)
            .flat_map(|(_, p)| p.iter().copied())
            .collect();
        let mut periods: Vec<Period> = told
            .get(&n)
            .map(|ps| ps.iter().copied().filter(|p| !later.contains(p)).collect())
            .unwrap_or_default();
        periods.sort_by_key(|p| start(*p));
        if !periods.is_empty() || !told.contains_key(&n) {
            missing.push(Missing {
                sequence: n,
                of: last.unwrap_or(n),
                periods,
            });
        }
    }
    StoreIntake {
        store_id: store_id.to_string(),
        batches: entries
            .iter()
            .map(|r| r.batch_id.as_str())
            .collect::<BTreeSet<_>>()
            .len(),
        last,
        latest,
        missing,
    }
}

/// The periods of the epoch headers in an imported file (read as a stream, without a key).
fn periods_in(fs: &dyn Fs, path: &Path) -> Vec<String> {
    let mut out = BTreeSet::new();
    let Ok((_, mut frames)) = open_imported(fs, path) else {
        return Vec::new();
    };
    while let Ok(step) = frames.next_frame() {
        match step {
            Step::Frame(f) if f.kind == KIND_EPOCH => {
                if let Some((info, _)) = EpochInfo::parse(f.payload) {
                    out.insert(info.period.to_string());
                }
            }
            Step::Frame(_) | Step::BadPayload { .. } => {}
            _ => break,
        }
    }
    out.into_iter().collect()
}

/// The period after `p` (`None` past the calendar's end).
fn next(p: Period) -> Option<Period> {
    use chrono::Datelike;
    Some(match p {
        Period::Week { .. } => {
            let d = start(p).checked_add_days(chrono::Days::new(7))?.iso_week();
            Period::Week {
                year: d.year(),
                week: u8::try_from(d.week()).ok()?,
            }
        }
        Period::Month { year, month: 12 } => Period::Month {
            year: year.checked_add(1)?,
            month: 1,
        },
        Period::Month { year, month } => Period::Month {
            year,
            month: month + 1,
        },
    })
}

/// Periods (in order) as runs of consecutive ones: "2026-W10 to 2026-W12, 2026-W14".
pub fn runs(periods: &[Period]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < periods.len() {
        let first = periods[i];
        let mut last = first;
        while i + 1 < periods.len() && next(last) == Some(periods[i + 1]) {
            i += 1;
            last = periods[i];
        }
        out.push(if first == last {
            first.to_string()
        } else {
            format!("{first} to {last}")
        });
        i += 1;
    }
    out.join(", ")
}

impl SiteIntake {
    /// The site's name with one of its stores, when it has several (kiosks): "North (kiosk
    /// 1a2b3c4d)", the store id's first 8 hex digits.
    pub fn name_of(&self, store: &StoreIntake) -> String {
        if self.stores.len() > 1 {
            format!(
                "{} (kiosk {})",
                self.site,
                store.store_id.get(..8).unwrap_or(&store.store_id)
            )
        } else {
            self.site.clone()
        }
    }

    /// One sentence per batch missing: "North: batch 3 of 5 not received: 2026-W10 to 2026-W14".
    pub fn missing_sentences(&self) -> Vec<String> {
        self.stores
            .iter()
            .flat_map(|store| {
                store
                    .missing
                    .iter()
                    .map(|m| m.sentence(&self.name_of(store)))
            })
            .collect()
    }

    /// What the site has sent, in a few words: "2 kiosks, 7 batches, latest period 2026-W14".
    pub fn received_sentence(&self) -> String {
        let batches: usize = self.stores.iter().map(|s| s.batches).sum();
        let mut parts = Vec::new();
        if self.stores.len() > 1 {
            parts.push(format!("{} kiosks", self.stores.len()));
        }
        parts.push(format!(
            "{batches} batch{}",
            if batches == 1 { "" } else { "es" }
        ));
        if let Some(p) = self.latest {
            parts.push(format!("latest period {p}"));
        }
        parts.join(", ")
    }
}
