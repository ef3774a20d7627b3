//! `icare summary`: unlock the store and open the practice manager's screen.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use super::secret::{self, IdentityArgs, Prompt};
use crate::disclosure::Rule;
use crate::manager::load::Builder;
use crate::manager::{self, Data, Filter};
use crate::scoring::ScoringPlan;
use crate::stats::Granularity;
use crate::store;
use crate::survey::{self, Survey};

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
pub struct SummaryArgs {
    /// Group trends by week, month or quarter to start with.
    #[arg(long, value_enum, default_value = "month")]
    pub period: PeriodArg,
    /// Smallest group whose figures are shown (at least 5; default 10, the GP Patient Survey's).
    #[arg(long, value_name = "N", default_value_t = crate::disclosure::DEFAULT_MIN_N)]
    pub min_group: u64,
    /// Summarise the responses to this survey file (default: the built-in iCARE survey).
    #[arg(long, value_name = "FILE")]
    pub survey: Option<PathBuf>,
    #[command(flatten)]
    pub identity: IdentityArgs,
}

pub fn run(data: &Path, args: SummaryArgs) -> anyhow::Result<i32> {
    let rule = Rule::new(args.min_group)?;
    let survey = match &args.survey {
        Some(p) => survey::from_file(p)?,
        None => survey::embedded()?,
    };
    // The passphrase is asked for (and checked) before the screen takes over the terminal.
    let identity =
        secret::unlock(data, &args.identity, Prompt::Once)?.context("no passphrase given")?;
    if !std::io::stdout().is_terminal() {
        bail!(
            "the summary screen needs a terminal; for a file, use `icare report` or `icare decrypt`"
        );
    }
    let filter = Filter {
        granularity: args.period.into(),
        ..Filter::default()
    };
    let seed = rand::random();
    let load = |f: &Filter| load(data, &identity, &survey, f, &rule, seed);
    let first = load(&filter)?;
    if first.other_surveys > 0 {
        eprintln!(
            "icare: note: {} responses answer another survey (or version) and are left out; pass --survey FILE to see them",
            first.other_surveys
        );
    }
    manager::run(first, filter, &mut |f| {
        load(f).map_err(|e| format!("{e:#}"))
    })?;
    Ok(0)
}

/// Read the whole store once and build the screen's figures for `filter`.
fn load(
    data: &Path,
    identity: &age::x25519::Identity,
    survey: &Survey,
    filter: &Filter,
    rule: &Rule,
    seed: u64,
) -> anyhow::Result<Data> {
    let plan = ScoringPlan::new(survey)?;
    let responses = store::read_responses(data, identity)?;
    let meta = responses.meta().clone();
    let mut builder = Builder::new(survey, &plan, &meta.site, filter);
    for r in responses {
        let r = r.context("cannot decrypt the store (run `icare verify` to see all damage)")?;
        builder.add(&r)?;
    }
    Ok(builder.finish(meta.synthetic, rule, seed))
}
