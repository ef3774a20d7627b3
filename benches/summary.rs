//! Decrypt + summarise a store with the library, streaming: per-theme n, mean, SD and 95% CI and
//! the headline % positive, printed as JSON (the same figures `scripts/bench_summary.py` computes
//! with DuckDB and pandas from the plaintext CSV). A stand-in for `icare report` until it lands,
//! and a reference for what the read path and the statistics cost on their own.
//!
//! Run: `cargo bench --bench summary -- DATA_DIR PASSPHRASE_FILE [THREADS]` (default 2). With
//! two or more threads the records files are split between the threads, each streaming its
//! share into its own collector, and the collectors are merged.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use icare::fsio::{Fs, FsFile, RealFs};
use icare::scoring::ScoringPlan;
use icare::stats::{Collector, Estimate, Granularity, headline_pct_positive};
use icare::store::{self, RECORDS_DIR};

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
    let parts: Vec<anyhow::Result<Collector<'_>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|part| {
                let (plan, data, identity) = (&plan, &data, &identity);
                s.spawn(move || -> anyhow::Result<Collector<'_>> {
                    let fs = Arc::new(Share {
                        part,
                        of: threads.max(1),
                    });
                    let mut c = Collector::new(plan, Granularity::Month);
                    for r in store::read_responses_with(fs, data, identity)? {
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

/// The real file system, except that listing the records folder gives only every `of`-th file
/// starting at `part`: how the threads share the store.
struct Share {
    part: usize,
    of: usize,
}

impl Fs for Share {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        RealFs.read(path)
    }
    fn list(&self, dir: &Path) -> std::io::Result<Vec<String>> {
        let names = RealFs.list(dir)?;
        if !dir.ends_with(RECORDS_DIR) {
            return Ok(names);
        }
        Ok(names
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % self.of == self.part)
            .map(|(_, n)| n)
            .collect())
    }
    fn exists(&self, path: &Path) -> bool {
        RealFs.exists(path)
    }
    fn create_dir_all(&self, dir: &Path) -> std::io::Result<()> {
        RealFs.create_dir_all(dir)
    }
    fn create_new(&self, path: &Path) -> std::io::Result<Box<dyn FsFile>> {
        RealFs.create_new(path)
    }
    fn truncate(&self, path: &Path, len: u64) -> std::io::Result<()> {
        RealFs.truncate(path, len)
    }
    fn rename(&self, from: &Path, to: &Path) -> std::io::Result<()> {
        RealFs.rename(from, to)
    }
    fn remove_file(&self, path: &Path) -> std::io::Result<()> {
        RealFs.remove_file(path)
    }
    fn sync_dir(&self, dir: &Path) -> std::io::Result<()> {
        RealFs.sync_dir(dir)
    }
}
