//! `icare simulate`: append synthetic responses through the real sealing path, only to a store
//! made with `init --synthetic`.

use std::path::{Path, PathBuf};

use anyhow::bail;
use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::response::{Answer, Period, Response};
use crate::store::{Durability, Store};
use crate::survey::{self, Scale, Survey};

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
    let mut synth = Uniform::new(&survey, &mut rng);
    for (i, n) in per_week.iter().enumerate() {
        let date = today - chrono::Duration::days(7 * (WEEKS - 1 - i as i64));
        let period = Period::of_date(kind, date);
        for _ in 0..*n {
            let r = synth.next_response(period);
            store.submit(&survey, &r)?;
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

/// A minimal generator: every possible answer equally likely. Stand-in for the statistics
/// module's `Synth`, which gives plausible patterns.
struct Uniform<'a, 'r> {
    survey: &'a Survey,
    rng: &'r mut StdRng,
}

const COMMENTS: [&str; 4] = [
    "Synthetic comment: the staff were kind.",
    "Synthetic comment: waiting times could be shorter.",
    "Synthetic comment: I would like more flexible pick-up times.",
    "Synthetic comment: it helps to see the same person.",
];

impl<'a, 'r> Uniform<'a, 'r> {
    fn new(survey: &'a Survey, rng: &'r mut StdRng) -> Self {
        Uniform { survey, rng }
    }

    fn answer(&mut self, scale: Option<&Scale>) -> Answer {
        let Some(scale) = scale else {
            return Answer::Skipped;
        };
        let mut options: Vec<Answer> = scale
            .points
            .iter()
            .map(|p| Answer::Value(p.value))
            .collect();
        if scale.not_applicable {
            options.push(Answer::NotApplicable);
        }
        if scale.skip {
            options.push(Answer::Skipped);
        }
        options[self.rng.gen_range(0..options.len())]
    }

    fn next_response(&mut self, period: Period) -> Response {
        let s = self.survey;
        let answers = s
            .items
            .iter()
            .map(|i| self.answer(s.item_scale(i)))
            .collect();
        let headline = match &s.headline {
            Some(h) => self.answer(s.scale(&h.scale)),
            None => Answer::Skipped,
        };
        let comment = (s.comment.is_some() && self.rng.gen_bool(0.2))
            .then(|| COMMENTS[self.rng.gen_range(0..COMMENTS.len())].to_string());
        Response {
            survey_id: s.id.clone(),
            survey_hash: s.hash,
            language: s.default_language().to_string(),
            period,
            answers,
            headline,
            comment,
        }
    }
}
