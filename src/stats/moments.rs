//! Numerically stable streaming moments (Welford) and co-moments, mergeable (Chan et al.).

use serde::Serialize;

/// Count, mean and sum of squared deviations of a stream of values.
///
/// Adding uses Welford's update; merging uses Chan, Golub and LeVeque's pairwise formula
/// `M2 = M2a + M2b + δ² · na · nb / n`, so halves summed on two threads give the same result (to
/// rounding) as one pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Moments {
    pub n: u64,
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
}

impl Moments {
    /// Add one value.
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Fold another accumulator into this one.
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let delta = other.mean - self.mean;
        let (na, nb) = (self.n as f64, other.n as f64);
        self.mean += delta * nb / n as f64;
        self.m2 += other.m2 + delta * delta * na * nb / n as f64;
        self.n = n;
    }

    /// Sample variance (divisor n − 1); `None` when n < 2.
    pub fn variance(&self) -> Option<f64> {
        (self.n >= 2).then(|| (self.m2 / (self.n - 1) as f64).max(0.0))
    }

    /// Sample standard deviation; `None` when n < 2.
    pub fn sd(&self) -> Option<f64> {
        self.variance().map(f64::sqrt)
    }
}

/// Means and the co-moment matrix `C[i][j] = Σ (xᵢ − x̄ᵢ)(xⱼ − x̄ⱼ)` of k-dimensional rows.
///
/// Update for a new row x: `δ = x − mean_old; mean += δ / n; C[i][j] += δ[i] · (x[j] − mean_new[j])`;
/// merge: `C = Ca + Cb + (x̄b − x̄a)(x̄b − x̄a)ᵀ · na · nb / n`.
#[derive(Debug, Clone, PartialEq)]
pub struct CoMoments {
    pub n: u64,
    pub mean: Vec<f64>,
    /// Row-major k × k.
    pub c: Vec<f64>,
    delta: Vec<f64>,
}

impl CoMoments {
    /// An empty accumulator for rows of `k` values.
    pub fn new(k: usize) -> Self {
        CoMoments {
            n: 0,
            mean: vec![0.0; k],
            c: vec![0.0; k * k],
            delta: vec![0.0; k],
        }
    }

    /// Number of values a row has.
    pub fn k(&self) -> usize {
        self.mean.len()
    }

    /// Add one row; rows of the wrong length are ignored (callers always pass k values).
    pub fn add(&mut self, x: &[f64]) {
        let k = self.k();
        if x.len() != k {
            return;
        }
        self.n += 1;
        let n = self.n as f64;
        for ((d, m), &xi) in self.delta.iter_mut().zip(&mut self.mean).zip(x) {
            *d = xi - *m;
            *m += *d / n;
        }
        for (row, &di) in self.c.chunks_exact_mut(k).zip(&self.delta) {
            for ((c, &xj), &mj) in row.iter_mut().zip(x).zip(&self.mean) {
                *c += di * (xj - mj);
            }
        }
    }

    /// Fold another accumulator of the same width into this one.
    pub fn merge(&mut self, other: &CoMoments) {
        let k = self.k();
        if other.n == 0 || other.k() != k {
            return;
        }
        if self.n == 0 {
            *self = other.clone();
            return;
        }
        let (na, nb) = (self.n as f64, other.n as f64);
        let n = na + nb;
        for i in 0..k {
            self.delta[i] = other.mean[i] - self.mean[i];
        }
        for i in 0..k {
            for j in 0..k {
                self.c[i * k + j] +=
                    other.c[i * k + j] + self.delta[i] * self.delta[j] * na * nb / n;
            }
        }
        for i in 0..k {
            self.mean[i] += self.delta[i] * nb / n;
        }
        self.n += other.n;
    }

    fn cov(&self, i: usize, j: usize) -> f64 {
        self.c[i * self.k() + j]
    }

    /// Cronbach's alpha, `k/(k−1) · (1 − Σ var(xᵢ) / var(Σ xᵢ))`; `None` when k < 2, n < 2 or the
    /// total has no variance.
    pub fn cronbach_alpha(&self) -> Option<f64> {
        let k = self.k();
        if k < 2 || self.n < 2 {
            return None;
        }
        let items: f64 = (0..k).map(|i| self.cov(i, i)).sum();
        let total: f64 = self.c.iter().sum();
        if total <= f64::EPSILON * items.abs().max(1.0) {
            return None;
        }
        let kf = k as f64;
        Some(kf / (kf - 1.0) * (1.0 - items / total))
    }

    /// Correlation of item `i` with the sum of the other items; `None` when either has no variance.
    pub fn item_rest(&self, i: usize) -> Option<f64> {
        let k = self.k();
        if i >= k || k < 2 || self.n < 2 {
            return None;
        }
        let var_i = self.cov(i, i);
        let cov_ir: f64 = (0..k).filter(|&j| j != i).map(|j| self.cov(i, j)).sum();
        let var_r: f64 = (0..k)
            .filter(|&j| j != i)
            .flat_map(|j| (0..k).filter(move |&l| l != i).map(move |l| (j, l)))
            .map(|(j, l)| self.cov(j, l))
            .sum();
        let denom = (var_i * var_r).sqrt();
        (var_i > 0.0 && var_r > 0.0 && denom.is_finite()).then(|| (cov_ir / denom).clamp(-1.0, 1.0))
    }
}
