//! The "sites and batches" section of every report format and of the manager's screen: what
//! could not be read (a site whose keys are not wrapped for this store, a file the ledger does
//! not vouch for) and, for an aggregation store, each site's batches, latest period and the
//! batches of its chain that never arrived.
//!
//! It carries no count of responses or records: only site names, numbers of batches and kiosks,
//! periods and batch numbers (`docs/privacy.md`, "Sites and batches").

use serde_json::{Value, json};

use crate::batch::intake::{SiteIntake, runs};
use crate::store::Unreadable;

/// The section's title.
pub const TITLE: &str = "Sites and batches";

/// What the section shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Intake {
    /// An aggregation store's sites (none for a site's own store).
    pub sites: Vec<SiteIntake>,
    /// What could not be read: one entry per site or file.
    pub unreadable: Vec<Unreadable>,
}

impl Intake {
    /// Nothing to show: a site's own store read whole.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty() && self.unreadable.is_empty()
    }

    /// Some data could not be read, or some batches never arrived.
    pub fn incomplete(&self) -> bool {
        !self.unreadable.is_empty() || self.sites.iter().any(|s| !s.missing_sentences().is_empty())
    }

    /// The sentence that opens a report of incomplete data.
    pub fn warning(&self) -> Option<String> {
        match (
            self.unreadable.is_empty(),
            self.sites.iter().any(|s| !s.missing_sentences().is_empty()),
        ) {
            (true, false) => None,
            (false, false) => Some(format!(
                "Some data could not be read, and these figures leave it out: see \"{TITLE}\"."
            )),
            (true, true) => Some(format!(
                "Some batches have not arrived, and these figures leave them out: see \"{TITLE}\"."
            )),
            (false, true) => Some(format!(
                "Some data could not be read and some batches have not arrived; these figures leave them out: see \"{TITLE}\"."
            )),
        }
    }

    /// The section as sentences: what could not be read, then each site's batches and what is
    /// missing.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .unreadable
            .iter()
            .map(|u| format!("Could not read {u}"))
            .collect();
        for s in &self.sites {
            out.push(format!("{}: {}", s.site, s.received_sentence()));
            out.extend(s.missing_sentences());
        }
        out
    }
}

/// The section as JSON (`sites_and_batches` in `docs/report-schema.md`).
pub fn json(intake: &Intake) -> Value {
    json!({
        "sites": intake.sites.iter().map(|s| json!({
            "site": s.site,
            "kiosks": s.stores.len(),
            "batches": s.stores.iter().map(|st| st.batches).sum::<usize>(),
            "latest_period": s.latest.map(|p| p.to_string()),
            "missing": s.stores.iter().flat_map(|st| st.missing.iter().map(move |m| json!({
                "store": st.store_id,
                "batch": m.sequence,
                "of": m.of,
                "periods": m.periods.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
                "text": m.sentence(&s.name_of(st)),
            }))).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "could_not_read": intake.unreadable.iter().map(|u| json!({
            "place": u.place,
            "why": u.why,
        })).collect::<Vec<_>>(),
    })
}

/// The section as CSV rows `(group, point, measure, value)`, with `group_type`
/// `site_batches`: `could_not_read` (group: the site or file; value: why), and per site
/// `kiosks`, `batches`, `latest_period`, and `missing_batch` (group: the site or kiosk; point:
/// "3 of 5"; value: its periods not received since).
pub fn csv_rows(intake: &Intake) -> Vec<(String, String, &'static str, String)> {
    let mut rows = Vec::new();
    for u in &intake.unreadable {
        rows.push((
            u.place.clone(),
            String::new(),
            "could_not_read",
            u.why.clone(),
        ));
    }
    for s in &intake.sites {
        let row = |measure, value: String| (s.site.clone(), String::new(), measure, value);
        rows.push(row("kiosks", s.stores.len().to_string()));
        rows.push(row(
            "batches",
            s.stores
                .iter()
                .map(|st| st.batches)
                .sum::<usize>()
                .to_string(),
        ));
        if let Some(p) = s.latest {
            rows.push(row("latest_period", p.to_string()));
        }
        for st in &s.stores {
            for m in &st.missing {
                rows.push((
                    s.name_of(st),
                    format!("{} of {}", m.sequence, m.of),
                    "missing_batch",
                    runs(&m.periods),
                ));
            }
        }
    }
    rows
}
