//! `icare summary`: unlock the store and open the practice manager's screen.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use super::secret::{self, IdentityArgs, Prompt};
use crate::disclosure::{DEFAULT_MIN_N, Rule};
use crate::manager::{self, Filter};
use crate::report::{self, ReportOptions};
use crate::stats::Granularity;
use crate::survey::Catalog;

/// How trends are grouped at the start (the screen's `g` key changes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Week,
    Month,
    Quarter,
}

impl From<PeriodArg> for Granularity {
    fn from(p: PeriodArg) -> Granularity {
        match p {
            PeriodArg::Week => Granularity::Week,
            PeriodArg::Month => Granularity::Month,
            PeriodArg::Quarter => Granularity::Quarter,
        }
    }
}

#[derive(Debug, Args)]
#[command(after_help = super::exit::READER_EXIT_HELP)]
pub struct SummaryArgs {
    /// Group trends by week, month or quarter to start with.
    #[arg(long, value_enum, default_value = "month")]
    pub period: PeriodArg,
    /// Least number of respondents for any figure (never below 5).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MIN_N)]
    pub min_n: u64,
    /// Survey files for versions not built in or kept in the data folder's `surveys/`.
    #[arg(long = "survey", value_name = "FILE")]
    pub surveys: Vec<PathBuf>,
    /// Show this survey id (default: the one with the most responses).
    #[arg(long, value_name = "ID")]
    pub survey_id: Option<String>,
    #[command(flatten)]
    pub identity: IdentityArgs,
}

pub fn run(data: &Path, args: SummaryArgs) -> anyhow::Result<i32> {
    // Everything that can be checked without the passphrase is checked first.
    let base = ReportOptions {
        rule: Rule::new(args.min_n).context("--min-n")?,
        survey_id: args.survey_id.clone(),
        // A fresh shuffle of the comments for each session on screen.
        comment_seed: rand::random(),
        today: chrono::Local::now().date_naive(),
        ..ReportOptions::default()
    };
    let catalog = Catalog::for_store(data, &args.surveys)?;
    // The passphrase is asked for (and checked) before the screen takes over the terminal.
    let identity =
        secret::unlock(data, &args.identity, Prompt::Once)?.context("no passphrase given")?;
    if !std::io::stdout().is_terminal() {
        bail!(
            "the summary screen needs a terminal; for a file, use `icare report` (or `icare decrypt` for the responses)"
        );
    }
    let filter = Filter {
        granularity: args.period.into(),
        ..Filter::default()
    };
    // The store is read once; each change of filter re-applies the grid to the same totals.
    let tallied = report::read(data, &identity, &catalog)?;
    let load = |f: &Filter| tallied.report(&f.options(&base));
    let first = load(&filter)?;
    for (id, hash, n) in &first.other_surveys {
        eprintln!(
            "icare: note: {n} responses answer survey {id} version {} and are not on this screen; pass --survey-id {id} to see them",
            hash.short()
        );
    }
    // Said before the screen takes over, so it is still there when the screen closes.
    let status = super::report::unreadable(&first.intake);
    manager::run(first, filter, &mut |f| {
        load(f).map_err(|e| format!("{:#}", anyhow::Error::from(e)))
    })?;
    Ok(status)
}
