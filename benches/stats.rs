//! Throughput of scoring + accumulating synthetic responses (in memory, no decryption).
//!
//! `cargo bench --bench stats [-- COUNT]` (default 1,000,000).

#[path = "common/row.rs"]
mod row;
use row::row;

use std::time::Instant;

use icare::response::Period;
use icare::scoring::ScoringPlan;
use icare::stats::{Collector, Granularity};
use icare::synth::Synth;

fn main() -> anyhow::Result<()> {
    // `cargo bench` adds `--bench`; only the number is ours.
    let count: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map_or(Ok(1_000_000), |s| s.parse())?;
    let survey = icare::survey::embedded()?;
    let plan = ScoringPlan::new(&survey)?;
    let mut synth = Synth::new(&survey, 42);
    let t = Instant::now();
    let responses: Vec<_> = (0..count)
        .map(|i| {
            synth.next_response(Period::Week {
                year: 2026,
                week: 1 + (i % 52) as u8,
            })
        })
        .collect();
    let gen_s = t.elapsed().as_secs_f64();
    println!("generated {count} responses in {gen_s:.3} s");

    let mut scores = plan.scores_buffer();
    let t = Instant::now();
    for r in &responses {
        plan.score_into(r, &mut scores)?;
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "score only, 1 thread: {:.3} s = {:.2} M responses/s",
        s,
        count as f64 / s / 1e6
    );

    for threads in [1, 2] {
        let t = Instant::now();
        let c = Collector::collect_parallel(
            &plan,
            Granularity::Month,
            &responses,
            Some("main"),
            threads,
        )?;
        // The merges a report needs are part of the cost.
        let (overall, months, sites) = (c.overall(), c.by_period(), c.by_site());
        let s = t.elapsed().as_secs_f64();
        assert_eq!(overall.responses as usize, count);
        assert_eq!(sites.len(), 1);
        println!(
            "score + accumulate (overall, by month, by site), {threads} thread(s): {:.3} s = {:.2} M responses/s ({} periods)",
            s,
            count as f64 / s / 1e6,
            months.len()
        );
        row(
            &format!(
                "stats: score + accumulate {count} decoded responses in memory, {threads} thread(s)"
            ),
            &format!("{:.2} M/s", count as f64 / s / 1e6),
            "",
            None,
        );
    }
    Ok(())
}
