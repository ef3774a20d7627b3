//! Pearson's chi-square test of uniformity, for the tests that show records stand in random
//! order. Plain Rust with no dependency, so the command-line tests include the same file
//! (`#[path]`) and run the same statistic end to end.

/// Upper 10^-6 quantiles of the chi-square distribution for 1 to 9 degrees of freedom
/// (`scipy.stats.chi2.isf(1e-6, df)`): a uniform order fails the test once in a million runs.
pub const CRITICAL_1E6: [f64; 9] = [
    23.928, 27.631, 30.665, 33.377, 35.888, 38.258, 40.522, 42.701, 44.811,
];

/// Pearson's statistic for `counts` against equal expected counts.
pub fn statistic(counts: &[u64]) -> f64 {
    let total: u64 = counts.iter().sum();
    let expected = total as f64 / counts.len() as f64;
    counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum()
}

/// Whether `counts` (at least 2 cells, at most 10) look uniform at the 10^-6 level.
pub fn looks_uniform(counts: &[u64]) -> bool {
    statistic(counts) < CRITICAL_1E6[counts.len() - 2]
}
