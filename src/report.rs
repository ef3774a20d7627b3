//! Reports for practice managers: the data a report shows ([`build`]) and its renderings as
//! text, Markdown, tidy CSV, JSON and self-contained HTML.
//!
//! Everything shown passes through [`crate::disclosure`]: a [`ReportData`] holds only
//! publishable summaries, never a response. Renderers are pure functions of a `ReportData`.

pub mod common;
pub mod csv;
pub mod data;
pub mod html;
pub mod json;
pub mod markdown;
pub mod svg;
pub mod text;

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::disclosure::{Reason, Rule, Summary};
use crate::priority::WhereToAct;
use crate::scoring::ScoringError;
use crate::stats::{Granularity, PeriodKey};
use crate::store::StoreError;
use crate::survey::{LoadError, Survey, SurveyHash};

pub use data::{build, build_from_responses, site_of};

/// What a report covers.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// How trends are grouped in time (and what `period` means).
    pub granularity: Granularity,
    /// Leave out periods that end before this day.
    pub from: Option<NaiveDate>,
    /// Leave out periods that start after this day.
    pub to: Option<NaiveDate>,
    /// Add a summary per site.
    pub by_site: bool,
    /// The disclosure rule (minimum group size).
    pub rule: Rule,
    /// Only this site.
    pub site: Option<String>,
    /// Only this period (at `granularity`) for the overall figures and the comments; trends still
    /// show every period.
    pub period: Option<PeriodKey>,
    /// Report on this survey id instead of the one with the most responses.
    pub survey_id: Option<String>,
    /// Seed of the comments' shuffle: a screen passes a fresh random one; a fixed one makes a
    /// report reproducible.
    pub comment_seed: u64,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            granularity: Granularity::Month,
            from: None,
            to: None,
            by_site: false,
            rule: Rule::default(),
            site: None,
            period: None,
            survey_id: None,
            comment_seed: 0,
        }
    }
}

/// Another survey found in the store: its id, version hash and number of responses.
pub type OtherSurvey = (String, SurveyHash, u64);

/// Everything a report shows, after disclosure control.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportData {
    /// The survey reported on.
    pub survey: Survey,
    /// The store holds demo data only.
    pub synthetic: bool,
    /// The store's own site name (may be empty).
    pub store_site: String,
    /// Every site with responses to the survey.
    pub sites: Vec<String>,
    /// Responses the overall figures cover (after the filters).
    pub responses: u64,
    pub overall: Summary,
    pub where_to_act: WhereToAct,
    /// One summary per period, in time order (site filter applied, period filter not).
    pub trends: Vec<(PeriodKey, Summary)>,
    /// One summary per site (with `by_site`); sites below the minimum are pooled.
    pub by_site: Vec<(String, Summary)>,
    /// The comments of `comments_period`, shuffled, or why they are not shown.
    pub comments: Result<Vec<String>, Reason>,
    /// The period the comments come from: the `period` filter, else the latest period.
    pub comments_period: Option<PeriodKey>,
    /// Every period with responses to the survey, for filters.
    pub periods: Vec<PeriodKey>,
    /// Responses whose period cannot be placed at this granularity (counted overall only).
    pub unplaced: u64,
    /// Other surveys in the store, most responses first.
    pub other_surveys: Vec<OtherSurvey>,
    /// The day the report was made.
    pub generated: NaiveDate,
    pub options: ReportOptions,
}

/// Why a report cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The store could not be read (damage, or a key that cannot open it).
    #[error("cannot read the store (run `icare verify` to see all damage): {0}")]
    Store(#[from] StoreError),
    /// A known survey cannot be scored, or a response does not fit its survey.
    #[error(transparent)]
    Scoring(#[from] ScoringError),
    /// A survey file could not be loaded.
    #[error(transparent)]
    Survey(#[from] LoadError),
    /// The store holds no response in the chosen dates.
    #[error(
        "{data}: no responses to report{}; run the kiosk (or `icare simulate` on a synthetic store) first",
        if *.filtered { " in the chosen dates" } else { "" }
    )]
    Empty { data: PathBuf, filtered: bool },
    /// The survey with the most responses is not known here.
    #[error(
        "most responses ({count}) answer survey `{id}` version {}, which is not known here; pass --survey FILE with that version of the survey, or --survey-id to report another survey",
        .hash.short()
    )]
    UnknownSurvey {
        id: String,
        hash: SurveyHash,
        count: u64,
    },
    /// `--survey-id` names a survey with no (known) responses in the store.
    #[error("no responses to a known survey with id `{id}`; the store holds: {available}")]
    NoSuchSurvey { id: String, available: String },
    /// A filter names a period or site with no responses.
    #[error("{what} `{value}` has no responses; choose one of: {available}")]
    NoSuchGroup {
        what: &'static str,
        value: String,
        available: String,
    },
}

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text for a terminal.
    Text,
    /// Markdown for an email.
    Markdown,
    /// Tidy CSV: one row per group and measure.
    Csv,
    /// JSON in the schema of `docs/report-schema.md`.
    Json,
    /// One self-contained HTML file that prints on A4.
    Html,
}

/// Render a report in `format`. Pure: no I/O, cannot fail.
pub fn render(data: &ReportData, format: Format) -> String {
    match format {
        Format::Text => text::render(data),
        Format::Markdown => markdown::render(data),
        Format::Csv => csv::render(data),
        Format::Json => json::render(data),
        Format::Html => html::render(data),
    }
}

/// Largest number of comments the text, Markdown and HTML reports print (JSON and CSV carry all).
pub const COMMENTS_SHOWN: usize = 40;

#[cfg(test)]
pub(crate) mod tests;

#[cfg(test)]
mod render_tests;
