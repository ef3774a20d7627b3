//! Decrypt + summarise a store with the library, streaming: per-theme n, mean, SD and 95% CI and
//! the headline % positive, printed as JSON (the same figures `scripts/bench_summary.py` computes
//! with DuckDB and pandas from the plaintext CSV). A stand-in for `icare report` until it lands,
//! and a reference for what the read path and the statistics cost on their own.
//!
//! Run: `cargo bench --bench summary -- DATA_DIR PASSPHRASE_FILE [THREADS]` (default 2). With
//! two or more threads the records files are split between the threads
//! (`store::read_responses_split`), each streaming its share into its own collector, and the
//! collectors are merged.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use icare::scoring::ScoringPlan;
use icare::stats::{Collector, Estimate, Granularity, headline_pct_positive};
use icare::store;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let [data, pass, rest @ ..] = args.as_slice() else {
        anyhow::bail!("usage: summary DATA_DIR PASSPHRASE_FILE [THREADS]");
    };
    let threads: usize = rest.first().map(|t| t.parse()).transpose()?.unwrap_or(2);
    let data = PathBuf::from(data);
    let passphrase = std::fs::read_to_string(pass).with_context(|| pass.clone())?;
    let passphrase = age::secrecy::SecretString::from(passphrase.trim_end().to_string());
    let t = Instant::now();
    let identity = icare::keys::unlock_identity(&data, &passphrase)?;
    let unlock = t.elapsed();
    let survey = icare::survey::embedded()?;
    let plan = ScoringPlan::new(&survey)?;
    let t = Instant::now();
    let readers = store::read_responses_split(&data, &identity, threads.max(1))?;
    let parts: Vec<anyhow::Result<Collector<'_>>> = std::thread::scope(|s| {
        let handles: Vec<_> = readers
            .into_iter()
            .map(|reader| {
                let plan = &plan;
                s.spawn(move || -> anyhow::Result<Collector<'_>> {
                    let mut c = Collector::new(plan, Granularity::Month);
                    for r in reader {
                        c.add(&r?, None)?;
                    }
                    Ok(c)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut total = Collector::new(&plan, Granularity::Month);
    for p in parts {
        total.merge(&p?);
    }
    let overall = total.overall();
    let months = total.by_period().len();
    let elapsed = t.elapsed();
    let themes: Vec<serde_json::Value> = overall
        .themes
        .iter()
        .zip(&survey.themes)
        .map(|(acc, theme)| {
            let e = Estimate::of(&acc.scores);
            serde_json::json!({
                "id": theme.id, "n": e.n, "mean": e.mean, "sd": e.sd,
                "ci_low": e.ci.map(|c| c.0), "ci_high": e.ci.map(|c| c.1),
            })
        })
        .collect();
    let out = serde_json::json!({
        "responses": overall.responses,
        "months": months,
        "headline": { "pct_positive": headline_pct_positive(&plan, &overall.headline) },
        "themes": themes,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    eprintln!(
        "summary: {} responses, {threads} thread(s): unlock {:.3} s, decrypt + summarise {:.3} s ({:.0} k responses/s)",
        overall.responses,
        unlock.as_secs_f64(),
        elapsed.as_secs_f64(),
        overall.responses as f64 / elapsed.as_secs_f64() / 1e3
    );
    Ok(())
}
