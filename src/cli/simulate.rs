//! `icare simulate`: append synthetic responses through the real sealing path, only to a store
//! made with `init --synthetic`.

use std::path::{Path, PathBuf};

use anyhow::bail;
use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::response::Period;
use crate::store::{Durability, Store};
use crate::survey;
use crate::synth::Synth;

/// How many weeks back the synthetic responses are spread.
const WEEKS: i64 = 26;

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// How many responses to add.
    #[arg(long, value_name = "N")]
    pub count: u64,
    /// Seed of the generator (random when omitted; printed so a run can be repeated).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Survey to answer (default: the built-in iCARE survey).
    #[arg(long, value_name = "FILE")]
    pub survey: Option<PathBuf>,
    /// For crash tests: put `ack RUNnK` in the comment of response K and print that line to
    /// standard output as soon as the store has acknowledged it (RUN: letters and digits).
    #[arg(long, hide = true, value_name = "RUN")]
    pub ack_log: Option<String>,
    /// Bulk mode for large synthetic stores (benchmarks): one fsync per 10,000 responses and per
    /// records file instead of one per response. Same format; a crash may lose the responses
    /// written since the last fsync.
    #[arg(long)]
    pub bulk: bool,
}

/// Responses per fsync in `--bulk` mode.
pub const BULK_BATCH: u32 = 10_000;

pub fn run(data: &Path, args: SimulateArgs) -> anyhow::Result<i32> {
    let survey = match &args.survey {
        Some(p) => survey::from_file(p)?,
        None => survey::embedded()?,
    };
    if let Some(run) = &args.ack_log {
        // Letters only between digit groups, so the comment scrubber never takes the id for a
        // phone number.
        if run.is_empty() || run.len() > 16 || !run.bytes().all(|b| b.is_ascii_alphanumeric()) {
            bail!("--ack-log {run:?}: give 1 to 16 letters and digits");
        }
        if survey.comment.is_none() {
            bail!(
                "--ack-log: survey {} has no comment, so there is nowhere to put the ids",
                survey.id
            );
        }
    }
    let mut store = Store::open(data)?;
    if !store.is_synthetic() {
        bail!(
            "{}: not a synthetic store; simulate only writes to stores made with `icare init --synthetic`, so demo data never mixes with real answers",
            data.display()
        );
    }
    for q in &store.report().quarantined {
        eprintln!(
            "icare: recovered: cut a torn tail of {} bytes from {} at offset {} (kept in {})",
            q.len,
            q.file.display(),
            q.offset,
            q.saved_as.display()
        );
    }
    for p in &store.report().damaged {
        eprintln!("icare: warning: {p}; left as it is (run `icare verify` to see all damage)");
    }
    if args.bulk {
        store.set_durability(Durability::Batched(BULK_BATCH))?;
    }
    let seed = args.seed.unwrap_or_else(rand::random);
    let mut rng = StdRng::seed_from_u64(seed);
    let today = chrono::Local::now().date_naive();
    let kind = store.meta().period;
    // Spread the count over the last 26 weeks, oldest first, so each period is one epoch.
    let mut per_week = vec![0u64; WEEKS as usize];
    for _ in 0..args.count {
        per_week[rng.gen_range(0..WEEKS as usize)] += 1;
    }
    // Plausible answers: a latent attitude per respondent and per theme, so themes differ and
    // items within a theme agree (see `synth`).
    let mut synth = Synth::new(&survey, seed);
    let mut k = 0u64;
    for (i, n) in per_week.iter().enumerate() {
        let date = today - chrono::Duration::days(7 * (WEEKS - 1 - i as i64));
        let period = Period::of_date(kind, date);
        for _ in 0..*n {
            let mut r = synth.next_response(period);
            let ack = args.ack_log.as_ref().map(|run| format!("ack {run}n{k}"));
            if let Some(ack) = &ack {
                r.comment = Some(format!("Synthetic comment: {ack}"));
            }
            store.submit(&survey, &r)?;
            if let Some(ack) = &ack {
                // Standard output is line-buffered: the line leaves the process here.
                println!("{ack}");
            }
            k += 1;
        }
    }
    store.flush()?;
    println!(
        "Added {} SYNTHETIC responses to {} (seed {seed}, last {WEEKS} weeks)",
        args.count,
        data.display()
    );
    Ok(0)
}
