//! Reports for practice managers: the data a report shows ([`build`]) and its renderings as
//! text, Markdown, tidy CSV, JSON and self-contained HTML.
//!
//! Everything shown passes through [`crate::disclosure`]: a [`ReportData`] holds only
//! publishable summaries, never a response, each with what it covers ([`Coverage`]): whole rows
//! of the disclosure grid. Renderers are pure functions of a `ReportData`.

pub mod analyst;
pub mod chart;
pub mod common;
pub mod csv;
pub mod data;
pub mod html;
pub mod intake;
pub mod items;
pub mod json;
pub mod markdown;
pub mod text;

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::disclosure::{Count, Reason, Rule, Span, Summary};
use crate::priority::WhereToAct;
use crate::response::Period;
use crate::scoring::ScoringError;
use crate::stats::{Granularity, PeriodKey};
use crate::store::StoreError;
use crate::survey::{LoadError, Survey, SurveyHash};

pub use data::{
    Source, Tallied, build, build_from_responses, build_from_sited, read, site_of, tally,
};

/// What a report covers.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// How trends are grouped in time (and what `period` means).
    pub granularity: Granularity,
    /// Leave out periods (at `granularity`) that end before this day.
    pub from: Option<NaiveDate>,
    /// Leave out periods (at `granularity`) that start after this day.
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
    /// The day the report is made: it dates the report and says which period is still under way
    /// ("November 2026 (so far)"). The command line passes the local date; the default, 1 January
    /// 1970, is for tests that do not look at dates, so no report reads a clock of its own.
    pub today: NaiveDate,
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
            today: NaiveDate::default(),
        }
    }
}

/// Another survey found in the store: its id, version hash and number of responses.
pub type OtherSurvey = (String, SurveyHash, Count);

/// Exactly which responses a group of figures covers: these sites' responses dated in these
/// stored periods (a response's week or month). The differencing test checks every published
/// figure against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub sites: Vec<String>,
    pub periods: Vec<Period>,
    /// The reporting periods (at the report's granularity) it spans.
    pub span: Option<Span>,
}

/// One row of a trend: a period, or periods pooled where one alone would be too small.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub span: Span,
    pub covers: Coverage,
    pub summary: Summary,
}

/// One site's figures (or small sites' pooled).
#[derive(Debug, Clone, PartialEq)]
pub struct SiteRow {
    pub name: String,
    pub covers: Coverage,
    pub summary: Summary,
}

/// Everything a report shows, after disclosure control.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportData {
    /// The survey reported on.
    pub survey: Survey,
    /// The store holds demo data only.
    pub synthetic: bool,
    /// The store's own site name (may be empty).
    pub store_site: String,
    /// Every site with responses to the survey in the dates.
    pub sites: Vec<String>,
    /// Responses the overall figures cover.
    pub responses: Count,
    /// What the overall figures cover: the filters widened to whole rows of the grid.
    pub covers: Coverage,
    pub overall: Summary,
    pub where_to_act: WhereToAct,
    /// One row per period (pooled where needed), in time order, within the dates (site filter
    /// applied, `period` filter not).
    pub trends: Vec<Row>,
    /// One row per site (with `by_site`); small sites pooled.
    pub by_site: Vec<SiteRow>,
    /// The comments of one row, shuffled, or why they are not shown.
    pub comments: Result<Vec<String>, Reason>,
    /// The periods the comments come from: the row holding the `period` filter, else the latest.
    pub comments_span: Option<Span>,
    /// What the comments cover.
    pub comments_covers: Option<Coverage>,
    /// Every period with responses to the survey in the dates, for filters.
    pub periods: Vec<PeriodKey>,
    /// Responses whose stored period has no period at this granularity (month-dated responses in
    /// a report by week): counted in the overall figures only.
    pub unplaced: Count,
    /// Responses left out because their stored period is not a real date.
    pub left_out: Count,
    /// Other surveys in the store, most responses first.
    pub other_surveys: Vec<OtherSurvey>,
    /// The day the report was made ([`ReportOptions::today`]).
    pub generated: NaiveDate,
    /// The "sites and batches" section: what could not be read, and an aggregation store's
    /// batches received and missing.
    pub intake: intake::Intake,
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
    /// The store holds no response (in the chosen dates).
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
mod crosscheck_tests;
#[cfg(test)]
mod render_tests;

#[cfg(test)]
pub(crate) mod html_tests;
