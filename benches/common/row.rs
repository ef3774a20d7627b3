//! The one output convention of the benchmark programs: besides their human-readable lines, each
//! figure is printed as `ROW<TAB>measure<TAB>value<TAB>target<TAB>verdict`, which
//! `scripts/bench.sh` gathers into the table of BENCHMARKS.md.

/// Print one table row. `target` is empty when the figure has none; `met` is `None` then.
pub fn row(measure: &str, value: &str, target: &str, met: Option<bool>) {
    let verdict = match met {
        Some(true) => "met",
        Some(false) => "MISSED",
        None => "",
    };
    println!("ROW\t{measure}\t{value}\t{target}\t{verdict}");
}
