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

/// Two rows for a set of timings: `WHAT, median` and `WHAT, slowest`, in milliseconds, against
/// `under_ms` when there is a target.
#[allow(dead_code)] // Not every benchmark program times things this way.
pub fn median_and_slowest(what: &str, median_ms: f64, max_ms: f64, under_ms: Option<f64>) {
    let target = under_ms.map_or_else(String::new, |t| format!("< {t} ms"));
    row(
        &format!("{what}, median"),
        &format!("{median_ms:.1} ms"),
        &target,
        under_ms.map(|t| median_ms < t),
    );
    row(
        &format!("{what}, slowest"),
        &format!("{max_ms:.1} ms"),
        &target,
        under_ms.map(|t| max_ms < t),
    );
}
