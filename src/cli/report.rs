//! `icare report`: the practice's summary as text, Markdown, CSV, JSON or HTML.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use super::secret::{self, IdentityArgs, Prompt};
use crate::disclosure::{DEFAULT_MIN_N, Rule};
use crate::report::{self, Format, ReportOptions};
use crate::stats::{Granularity, PeriodKey};
use crate::survey::Catalog;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// For the terminal.
    Text,
    /// For an email.
    Markdown,
    /// Tidy CSV for R, pandas, DuckDB or a spreadsheet.
    Csv,
    /// JSON (schema in docs/report-schema.md).
    Json,
    /// One self-contained HTML file that prints on A4.
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Week,
    Month,
    Quarter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    /// One summary per site.
    Site,
}

#[derive(Debug, Args)]
#[command(after_help = super::exit::READER_EXIT_HELP)]
pub struct ReportArgs {
    /// Output format: text for the terminal, markdown for an email, tidy csv, json (see
    /// docs/report-schema.md) or one self-contained html file that prints on A4.
    #[arg(long, value_enum, default_value = "text")]
    pub format: FormatArg,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// How trends are grouped in time.
    #[arg(long, value_enum, default_value = "month")]
    pub period: PeriodArg,
    /// Only responses from periods (at --period) that end on or after this day (YYYY-MM-DD);
    /// widened to whole periods, and to pooled periods where one alone is too small.
    #[arg(long, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    /// Only responses from periods (at --period) that start on or before this day (YYYY-MM-DD);
    /// widened as --from.
    #[arg(long, value_name = "DATE")]
    pub to: Option<NaiveDate>,
    /// Add a summary per site.
    #[arg(long, value_enum, value_name = "site")]
    pub by: Option<ByArg>,
    /// Only this site.
    #[arg(long, value_name = "NAME")]
    pub site: Option<String>,
    /// Overall figures and comments for one period only, e.g. 2026-03, 2026-W07 or 2026-Q1
    /// (matching --period).
    #[arg(long, value_name = "PERIOD")]
    pub only: Option<String>,
    /// Least number of respondents for any figure (never below 5).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MIN_N)]
    pub min_n: u64,
    /// Survey files for versions neither built in nor kept in the surveys/ folder of the data folder.
    #[arg(long = "survey", value_name = "FILE")]
    pub surveys: Vec<PathBuf>,
    /// Report on this survey id (default: the one with the most responses).
    #[arg(long, value_name = "ID")]
    pub survey_id: Option<String>,
    /// Seed of the comments' shuffle (random when omitted).
    #[arg(long, hide = true, value_name = "S")]
    pub comment_seed: Option<u64>,
    #[command(flatten)]
    pub identity: IdentityArgs,
}

pub fn run(data: &Path, args: ReportArgs) -> anyhow::Result<i32> {
    // Everything that can be checked without the passphrase is checked first.
    let granularity = match args.period {
        PeriodArg::Week => Granularity::Week,
        PeriodArg::Month => Granularity::Month,
        PeriodArg::Quarter => Granularity::Quarter,
    };
    if let (Some(f), Some(t)) = (args.from, args.to)
        && f > t
    {
        bail!("--from {f} is after --to {t}; swap them");
    }
    let options = ReportOptions {
        granularity,
        from: args.from,
        to: args.to,
        by_site: args.by == Some(ByArg::Site),
        rule: Rule::new(args.min_n).context("--min-n")?,
        site: args.site.clone(),
        period: args
            .only
            .as_deref()
            .map(|s| PeriodKey::parse(s, granularity))
            .transpose()
            .map_err(|e| anyhow::anyhow!("--only {e} (it must match --period)"))?,
        survey_id: args.survey_id.clone(),
        comment_seed: args.comment_seed.unwrap_or_else(rand::random),
        today: chrono::Local::now().date_naive(),
    };
    let format = match args.format {
        FormatArg::Text => Format::Text,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Csv => Format::Csv,
        FormatArg::Json => Format::Json,
        FormatArg::Html => Format::Html,
    };
    if let Some(out) = &args.out
        && out.file_name().is_none()
    {
        bail!("--out {}: needs a file name", out.display());
    }
    let catalog = Catalog::for_store(data, &args.surveys)?;
    let identity =
        secret::unlock(data, &args.identity, Prompt::Once)?.context("no passphrase given")?;
    let report_data = report::build(data, &identity, &catalog, &options)?;
    if report_data.synthetic {
        eprintln!("icare: SYNTHETIC store: this report is demo data, not real answers");
    }
    let text = report::render(&report_data, format);
    match &args.out {
        Some(path) => {
            crate::fsio::write_out(&crate::fsio::RealFs, path, |w| w.write_all(text.as_bytes()))
                .with_context(|| format!("{}: report not written", path.display()))?
        }
        None => {
            let mut out = std::io::stdout().lock();
            let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
            // A closed pipe (`| head`) is the reader's choice, not a failure.
            if let Err(e) = written
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(e).context("cannot write the report to standard output");
            }
        }
    }
    Ok(unreadable(&report_data.intake))
}

/// Name on standard error what could not be read, and the exit status that goes with it.
pub(super) fn unreadable(intake: &crate::report::intake::Intake) -> i32 {
    for u in &intake.unreadable {
        eprintln!("icare: could not read {u}");
    }
    for line in intake.sites.iter().flat_map(|s| s.missing_sentences()) {
        eprintln!("icare: missing: {line}");
    }
    if intake.unreadable.is_empty() {
        0
    } else {
        super::exit::SOME_UNREADABLE
    }
}
