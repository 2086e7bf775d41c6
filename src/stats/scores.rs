//! Proper scoring rules for probabilistic forecasts, and calibration checks.
//!
//! Every score is negatively oriented (lower is better); the exceptions are
//! the probability integral transform (PIT), which is a calibration value in
//! [0, 1], and interval coverage. Inputs a user can produce (empty slices,
//! NaN, zero spread) give NaN or a documented value, never a panic.
//!
//! References: Gneiting & Raftery (2007) for the scores, Ferro (2014) and
//! Zamo & Naveau (2018) for the fair ensemble CRPS, Epstein (1969) and
//! Murphy (1971) for the ranked probability score.

use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::function::erf::erfc;

/// ln √(2π): the normalising constant of the Gaussian density, in log form.
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_7;

/// Standard normal CDF. Written with erfc so that the far lower tail keeps
/// its relative precision instead of rounding 1 − tiny to 1.
fn std_normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Standard normal density.
fn std_normal_pdf(z: f64) -> f64 {
    (-0.5 * z * z - LN_SQRT_2PI).exp()
}

/// The CRPS of a Gaussian forecast N(μ, σ²) for the outcome `y`, in closed
/// form (Gneiting & Raftery 2007, eq. 21). σ = 0 is a point forecast, whose
/// CRPS is the absolute error; σ < 0 or NaN gives NaN.
pub fn crps_gaussian(mu: f64, sigma: f64, y: f64) -> f64 {
    if sigma.is_nan() || sigma < 0.0 {
        return f64::NAN;
    }
    if sigma == 0.0 {
        return (y - mu).abs();
    }
    let z = (y - mu) / sigma;
    let inv_sqrt_pi = 1.0 / std::f64::consts::PI.sqrt();
    sigma * (z * (2.0 * std_normal_cdf(z) - 1.0) + 2.0 * std_normal_pdf(z) - inv_sqrt_pi)
}

/// Sorts `samples` and returns (Σ|x_i − y|, Σ_{i<j} |x_i − x_j|).
///
/// The pair sum uses the sorted-order identity
/// Σ_{i<j} (x_(j) − x_(i)) = Σ_k (2k − m − 1) x_(k) (1-based k), so it costs
/// one sort instead of m² differences. The draws are taken relative to `y`:
/// the weights (2k − m − 1) sum to zero, so the shift changes nothing in
/// exact arithmetic but keeps large common offsets from cancelling.
fn abs_sums(samples: &mut [f64], y: f64) -> (f64, f64) {
    samples.sort_unstable_by(f64::total_cmp);
    let m = samples.len() as f64;
    let mut to_y = 0.0;
    let mut pairs = 0.0;
    for (k, &x) in samples.iter().enumerate() {
        let d = x - y;
        to_y += d.abs();
        pairs += (2.0 * (k as f64 + 1.0) - m - 1.0) * d;
    }
    (to_y, pairs)
}

/// The fair (unbiased) ensemble CRPS (Ferro 2014; Zamo & Naveau 2018):
/// (1/m) Σ|x_i − y| − 1/(2m(m−1)) ΣΣ|x_i − x_j|.
///
/// Its expectation over ensembles of m independent draws from F equals the
/// CRPS of F itself, so small ensembles are not penalised for being small.
/// Sorts `samples` in place (O(m log m)). One member gives |x − y|; an empty
/// ensemble gives NaN.
pub fn crps_fair(samples: &mut [f64], y: f64) -> f64 {
    let m = samples.len();
    match m {
        0 => f64::NAN,
        1 => (samples[0] - y).abs(),
        _ => {
            let (to_y, pairs) = abs_sums(samples, y);
            let m = m as f64;
            // ΣΣ over all ordered pairs is twice the sum over i < j.
            to_y / m - pairs / (m * (m - 1.0))
        }
    }
}

/// The ordinary ensemble CRPS, the CRPS of the ensemble's empirical CDF:
/// (1/m) Σ|x_i − y| − 1/(2m²) ΣΣ|x_i − x_j|.
///
/// Biased upwards for finite m by E|X − X'| / (2m); kept for comparison with
/// [`crps_fair`]. Sorts `samples` in place; an empty ensemble gives NaN.
pub fn crps_ensemble(samples: &mut [f64], y: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let (to_y, pairs) = abs_sums(samples, y);
    let m = samples.len() as f64;
    to_y / m - pairs / (m * m)
}

/// Negative log density at `y` of the equal-weight mixture of N(c_i, sd²):
/// an ensemble forecast dressed with Gaussian measurement error.
///
/// Summed with log-sum-exp, so an outcome far from every center still gets
/// a large finite score rather than ln 0 = ∞ (as long as the squared
/// standardised distance is representable). `sd` must be positive and
/// finite, `centers` non-empty and free of NaN, and `y` a number, else NaN.
pub fn log_score_mixture(centers: &[f64], sd: f64, y: f64) -> f64 {
    let has_nan = y.is_nan() || centers.iter().any(|c| c.is_nan());
    if centers.is_empty() || has_nan || !(sd > 0.0 && sd.is_finite()) {
        return f64::NAN;
    }
    let exponent = |c: f64| {
        let z = (y - c) / sd;
        -0.5 * z * z
    };
    let top = centers
        .iter()
        .map(|&c| exponent(c))
        .fold(f64::NEG_INFINITY, f64::max);
    if top == f64::NEG_INFINITY {
        // Every term underflowed even in log form: the density is 0.
        return f64::INFINITY;
    }
    let rest: f64 = centers.iter().map(|&c| (exponent(c) - top).exp()).sum();
    let log_density = top + rest.ln() - (centers.len() as f64).ln() - sd.ln() - LN_SQRT_2PI;
    -log_density
}

/// Negative log density of N(μ, σ²) at `y`; σ must be positive and finite,
/// else NaN (a point forecast has no density).
pub fn log_score_gaussian(mu: f64, sigma: f64, y: f64) -> f64 {
    if !(sigma > 0.0 && sigma.is_finite()) {
        return f64::NAN;
    }
    let z = (y - mu) / sigma;
    0.5 * z * z + sigma.ln() + LN_SQRT_2PI
}

/// Mid-rank PIT of an empirical distribution: (#{c < y} + ½ #{c = y}) / m.
/// Counting ties as half keeps the PIT of an exchangeable outcome centred.
fn mid_rank(centers: &[f64], y: f64) -> f64 {
    let mut below = 0.0;
    for &c in centers {
        if c.is_nan() {
            return f64::NAN;
        }
        if c < y {
            below += 1.0;
        } else if c == y {
            below += 0.5;
        }
    }
    below / centers.len() as f64
}

/// PIT of `y` under the equal-weight mixture of N(c_i, sd²): the mixture's
/// CDF at y, (1/m) Σ Φ((y − c_i)/sd). With sd = 0 the mixture is the
/// ensemble's empirical distribution and the mid-rank PIT is returned.
/// Empty centers, negative or NaN sd, or NaN y give NaN.
pub fn pit_mixture(centers: &[f64], sd: f64, y: f64) -> f64 {
    if centers.is_empty() || sd.is_nan() || sd < 0.0 || y.is_nan() {
        return f64::NAN;
    }
    if sd == 0.0 {
        return mid_rank(centers, y);
    }
    let sum: f64 = centers.iter().map(|&c| std_normal_cdf((y - c) / sd)).sum();
    sum / centers.len() as f64
}

/// PIT of `y` under N(μ, σ²). σ = 0 is a point mass at μ, given the mid-rank
/// value (0, ½ or 1) like [`pit_mixture`]; negative or NaN σ gives NaN.
pub fn pit_gaussian(mu: f64, sigma: f64, y: f64) -> f64 {
    if sigma.is_nan() || sigma < 0.0 {
        return f64::NAN;
    }
    if sigma == 0.0 {
        return mid_rank(&[mu], y);
    }
    std_normal_cdf((y - mu) / sigma)
}

/// Whether the outcome lies in the forecast's central `level` interval,
/// judged from its PIT: |pit − ½| ≤ level/2.
///
/// For a continuous forecast CDF F this is the same as
/// F⁻¹((1 − level)/2) ≤ y ≤ F⁻¹((1 + level)/2), because F is monotone; it
/// avoids computing quantiles of mixtures. A NaN PIT never covers.
pub fn covers(pit: f64, level: f64) -> bool {
    (pit - 0.5).abs() <= 0.5 * level
}

/// Brier's original multi-category score Σ_k (p_k − 1[k = observed])², in
/// [0, 2] for probability vectors. Empty `probs` or an out-of-range
/// `observed` gives NaN.
pub fn brier(probs: &[f64], observed: usize) -> f64 {
    if observed >= probs.len() {
        return f64::NAN;
    }
    probs
        .iter()
        .enumerate()
        .map(|(k, &p)| {
            let o = if k == observed { 1.0 } else { 0.0 };
            (p - o) * (p - o)
        })
        .sum()
}

/// Ranked probability score for ordered categories, normalised to [0, 1]:
/// (1/(K−1)) Σ_{k=1}^{K−1} (P_k − O_k)², with P and O the cumulative forecast
/// and observation. Unlike [`brier`], it charges more for probability placed
/// far from the observed category. One category gives 0; empty `probs` or
/// an out-of-range `observed` gives NaN.
pub fn rps(probs: &[f64], observed: usize) -> f64 {
    let k = probs.len();
    if observed >= k {
        return f64::NAN;
    }
    if k == 1 {
        return 0.0;
    }
    let mut cum = 0.0;
    let mut total = 0.0;
    // The last cumulative pair is (1, 1) for a probability vector: skipped.
    for (i, &p) in probs[..k - 1].iter().enumerate() {
        cum += p;
        let o = if i >= observed { 1.0 } else { 0.0 };
        total += (cum - o) * (cum - o);
    }
    total / (k - 1) as f64
}

/// Categorical log score −ln p_observed: ∞ when the outcome was given
/// probability 0, NaN for an out-of-range `observed` or a negative p.
pub fn log_score_categorical(probs: &[f64], observed: usize) -> f64 {
    probs.get(observed).map_or(f64::NAN, |&p| -p.ln())
}

/// Skill score 1 − score/reference for negatively oriented scores: 1 is
/// perfect, 0 no better than the reference, negative worse. NaN when the
/// reference is 0 (no room for improvement to measure) or either is NaN.
pub fn skill(score: f64, reference: f64) -> f64 {
    if reference == 0.0 || score.is_nan() || reference.is_nan() {
        return f64::NAN;
    }
    1.0 - score / reference
}

/// Result of [`pit_uniformity`].
#[derive(Clone, Debug, PartialEq)]
pub struct Uniformity {
    /// Pearson's chi-square statistic over the equal-width bins.
    pub chi2: f64,
    /// Degrees of freedom of the chi-square test: bins − 1.
    pub dof: usize,
    pub p_value: f64,
    /// Kolmogorov–Smirnov distance to the U(0, 1) CDF.
    pub ks: f64,
    pub ks_p_value: f64,
    /// PIT values per bin, lowest bin first.
    pub counts: Vec<u64>,
}

/// Tests whether PIT values look uniform on [0, 1], as they do for a
/// calibrated forecast: a chi-square test on `bins` equal-width bins (shows
/// the shape: U-shaped means underdispersed, humped overdispersed) and a
/// one-sample Kolmogorov–Smirnov test (no binning, so it sees small shifts).
///
/// Values outside [0, 1] and NaN are ignored: they cannot be PITs. With
/// fewer than 2 usable values both p-values are NaN (the statistics are NaN
/// with none); with fewer than 2 bins the chi-square p-value is NaN.
pub fn pit_uniformity(pits: &[f64], bins: usize) -> Uniformity {
    let mut values: Vec<f64> = pits
        .iter()
        .copied()
        .filter(|p| (0.0..=1.0).contains(p))
        .collect();
    let n = values.len();
    let counts = bin_counts(&values, bins);
    let chi2 = chi_square(&counts, n);
    let dof = bins.saturating_sub(1);
    let ks = ks_uniform(&mut values);
    let (p_value, ks_p_value) = if n < 2 {
        (f64::NAN, f64::NAN)
    } else {
        (chi_square_p(chi2, dof), ks_p(ks, n))
    };
    Uniformity {
        chi2,
        dof,
        p_value,
        ks,
        ks_p_value,
        counts,
    }
}

/// Counts of values in [0, 1] per equal-width bin; 1.0 goes to the last bin.
fn bin_counts(values: &[f64], bins: usize) -> Vec<u64> {
    let mut counts = vec![0u64; bins];
    if bins == 0 {
        return counts;
    }
    for &v in values {
        let b = ((v * bins as f64) as usize).min(bins - 1);
        counts[b] += 1;
    }
    counts
}

/// Pearson's Σ (observed − expected)² / expected against equal expected
/// counts; NaN without values or bins.
fn chi_square(counts: &[u64], n: usize) -> f64 {
    if n == 0 || counts.is_empty() {
        return f64::NAN;
    }
    let expected = n as f64 / counts.len() as f64;
    counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum()
}

/// Upper-tail probability of the chi-square statistic; NaN for 0 dof.
fn chi_square_p(chi2: f64, dof: usize) -> f64 {
    match ChiSquared::new(dof as f64) {
        Ok(dist) if chi2.is_finite() => dist.sf(chi2),
        _ => f64::NAN,
    }
}

/// One-sample KS distance of `values` (all in [0, 1]) to U(0, 1): the largest
/// gap between the empirical CDF, just before and at each order statistic,
/// and the identity. Sorts in place; NaN when empty.
fn ks_uniform(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len() as f64;
    values
        .iter()
        .enumerate()
        .map(|(i, &u)| {
            let above = (i as f64 + 1.0) / n - u;
            let below = u - i as f64 / n;
            above.max(below)
        })
        .fold(0.0, f64::max)
}

/// KS p-value for distance `d` over `n` values: the asymptotic Kolmogorov
/// tail at λ = (√n + 0.12 + 0.11/√n)·d, a correction (Stephens 1970) that
/// makes the asymptotic law accurate down to small n.
fn ks_p(d: f64, n: usize) -> f64 {
    let sqrt_n = (n as f64).sqrt();
    kolmogorov_q((sqrt_n + 0.12 + 0.11 / sqrt_n) * d)
}

/// Tail of the Kolmogorov distribution, Q(λ) = P(K > λ)
/// = 2 Σ_{j≥1} (−1)^{j−1} exp(−2 j² λ²).
///
/// The alternating series converges fast for λ ≥ 1 but needs many nearly
/// cancelling terms for small λ, where the equivalent (Jacobi theta) form
/// 1 − (√(2π)/λ) Σ_{j≥1} exp(−(2j − 1)² π² / (8λ²)) converges fast instead.
fn kolmogorov_q(lambda: f64) -> f64 {
    if lambda.is_nan() {
        return f64::NAN;
    }
    if lambda <= 0.0 {
        return 1.0;
    }
    let q = if lambda < 1.0 {
        1.0 - kolmogorov_cdf_small(lambda)
    } else {
        kolmogorov_q_large(lambda)
    };
    q.clamp(0.0, 1.0)
}

/// The alternating series for Q(λ), for λ ≥ 1.
fn kolmogorov_q_large(lambda: f64) -> f64 {
    let mut sum = 0.0;
    let mut sign = 1.0;
    for j in 1..=100 {
        let j = f64::from(j);
        let term = (-2.0 * j * j * lambda * lambda).exp();
        sum += sign * term;
        if term <= 1e-17 * sum.abs() {
            break;
        }
        sign = -sign;
    }
    2.0 * sum
}

/// The theta-function series for the CDF 1 − Q(λ), for 0 < λ < 1.
fn kolmogorov_cdf_small(lambda: f64) -> f64 {
    let pi2_over_8l2 = std::f64::consts::PI.powi(2) / (8.0 * lambda * lambda);
    let mut sum = 0.0;
    for j in 1..=100 {
        let odd = f64::from(2 * j - 1);
        let term = (-odd * odd * pi2_over_8l2).exp();
        sum += term;
        if term <= 1e-17 * sum {
            break;
        }
    }
    (2.0 * std::f64::consts::PI).sqrt() / lambda * sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RunRng, run_rng};
    use rand_distr::{Distribution, StandardNormal};

    fn normal(rng: &mut RunRng) -> f64 {
        StandardNormal.sample(rng)
    }

    /// ∫ (Φ((x−μ)/σ) − 1[x ≥ y])² dx by the trapezoid rule, split at y so
    /// the step is a grid point, over ±12σ around μ (and y).
    fn crps_by_integral(mu: f64, sigma: f64, y: f64) -> f64 {
        let lo = (mu - 12.0 * sigma).min(y - 1.0);
        let hi = (mu + 12.0 * sigma).max(y + 1.0);
        let f = |x: f64| std_normal_cdf((x - mu) / sigma);
        let trapezoid = |a: f64, b: f64, g: &dyn Fn(f64) -> f64| {
            let steps = 200_000;
            let h = (b - a) / steps as f64;
            let inner: f64 = (1..steps).map(|i| g(a + i as f64 * h)).sum();
            h * (inner + 0.5 * (g(a) + g(b)))
        };
        trapezoid(lo, y, &|x| f(x).powi(2)) + trapezoid(y, hi, &|x| (1.0 - f(x)).powi(2))
    }

    #[test]
    fn crps_gaussian_equals_the_integral_definition() {
        for (mu, sigma, y) in [
            (0.0, 1.0, 0.0),
            (1.0, 2.0, -0.7),
            (-3.0, 0.5, 1.2),
            (10.0, 3.0, 19.0),
        ] {
            let closed = crps_gaussian(mu, sigma, y);
            let numeric = crps_by_integral(mu, sigma, y);
            assert!(
                (closed - numeric).abs() < 1e-7,
                "{mu} {sigma} {y}: {closed} vs {numeric}"
            );
        }
        // σ = 0 is the absolute error; at y = μ, σ = 1 the value is
        // 2φ(0) − 1/√π = √2/√π − 1/√π = (√2 − 1)/√π.
        assert_eq!(crps_gaussian(2.0, 0.0, -1.0), 3.0);
        let at_mean = (2f64.sqrt() - 1.0) / std::f64::consts::PI.sqrt();
        assert!((crps_gaussian(0.0, 1.0, 0.0) - at_mean).abs() < 1e-15);
        assert!(crps_gaussian(0.0, -1.0, 0.0).is_nan());
        assert!(crps_gaussian(0.0, f64::NAN, 0.0).is_nan());
    }

    #[test]
    fn fair_crps_is_unbiased_and_ecdf_crps_is_not() {
        let (mu, sigma, y, m) = (1.0, 2.0, 0.3, 5);
        let ensembles = 20_000;
        let mut rng = run_rng(2024, 1);
        let (mut fair, mut fair_sq, mut gap) = (0.0, 0.0, 0.0);
        let mut ens = vec![0.0; m];
        for _ in 0..ensembles {
            ens.iter_mut()
                .for_each(|x| *x = mu + sigma * normal(&mut rng));
            let f = crps_fair(&mut ens, y);
            fair += f;
            fair_sq += f * f;
            gap += crps_ensemble(&mut ens, y) - f;
        }
        let n = f64::from(ensembles);
        let mean = fair / n;
        let se = ((fair_sq / n - mean * mean) / n).sqrt();
        let exact = crps_gaussian(mu, sigma, y);
        // Unbiased: within 4 Monte Carlo standard errors (se ≈ 0.0026 here).
        assert!(
            (mean - exact).abs() < 4.0 * se,
            "{mean} vs {exact} (se {se})"
        );
        // The ECDF version exceeds it by E|X − X'|/(2m) = σ/(m√π) ≈ 0.2257,
        // about 85 standard errors: clearly visible.
        let bias = sigma / (m as f64 * std::f64::consts::PI.sqrt());
        let mean_gap = gap / n;
        assert!((mean_gap - bias).abs() < 0.1 * bias, "{mean_gap} vs {bias}");
        assert!(mean + mean_gap - exact > 20.0 * se);
    }

    #[test]
    fn fair_crps_by_hand_and_against_the_double_sum() {
        // x = {3, 1, 2}, y = 2.5: (1/3)(0.5 + 1.5 + 0.5) = 5/6; the pairs
        // |1−2| + |1−3| + |2−3| = 4, counted twice = 8, over 2·3·2 = 12:
        // 5/6 − 8/12 = 1/6. The ECDF version takes 8/18: 5/6 − 4/9 = 7/18.
        assert!((crps_fair(&mut [3.0, 1.0, 2.0], 2.5) - 1.0 / 6.0).abs() < 1e-15);
        assert!((crps_ensemble(&mut [3.0, 1.0, 2.0], 2.5) - 7.0 / 18.0).abs() < 1e-15);
        assert_eq!(crps_fair(&mut [4.0], 1.5), 2.5);
        assert!(crps_fair(&mut [], 1.0).is_nan());
        assert!(crps_ensemble(&mut [], 1.0).is_nan());
        assert!(crps_fair(&mut [1.0, f64::NAN], 1.0).is_nan());

        let mut rng = run_rng(7, 0);
        for m in [2, 3, 10, 57] {
            let xs: Vec<f64> = (0..m).map(|_| 100.0 + 3.0 * normal(&mut rng)).collect();
            let y = 100.0 + normal(&mut rng);
            let to_y: f64 = xs.iter().map(|x| (x - y).abs()).sum();
            let all_pairs: f64 = xs
                .iter()
                .flat_map(|a| xs.iter().map(move |b| (a - b).abs()))
                .sum();
            let mf = m as f64;
            let naive = to_y / mf - all_pairs / (2.0 * mf * (mf - 1.0));
            let got = crps_fair(&mut xs.clone(), y);
            assert!((got - naive).abs() < 1e-11, "m={m}: {got} vs {naive}");
        }
    }

    #[test]
    fn brier_and_rps_by_hand() {
        let p = [0.2, 0.5, 0.3];
        // Brier, observed 0: 0.8² + 0.5² + 0.3² = 0.64 + 0.25 + 0.09 = 0.98
        // observed 1: 0.2² + 0.5² + 0.3² = 0.04 + 0.25 + 0.09 = 0.38
        // observed 2: 0.2² + 0.5² + 0.7² = 0.04 + 0.25 + 0.49 = 0.78
        for (obs, want) in [(0, 0.98), (1, 0.38), (2, 0.78)] {
            assert!((brier(&p, obs) - want).abs() < 1e-12, "brier {obs}");
        }
        // RPS: cumulative forecast (0.2, 0.7), K − 1 = 2.
        // observed 0: O = (1, 1): (0.8² + 0.3²)/2 = (0.64 + 0.09)/2 = 0.365
        // observed 1: O = (0, 1): (0.2² + 0.3²)/2 = (0.04 + 0.09)/2 = 0.065
        // observed 2: O = (0, 0): (0.2² + 0.7²)/2 = (0.04 + 0.49)/2 = 0.265
        for (obs, want) in [(0, 0.365), (1, 0.065), (2, 0.265)] {
            assert!((rps(&p, obs) - want).abs() < 1e-12, "rps {obs}");
        }
        assert_eq!(rps(&[0.0, 1.0, 0.0, 0.0], 1), 0.0);
        assert_eq!(brier(&[0.0, 1.0, 0.0, 0.0], 1), 0.0);
        assert_eq!(rps(&[1.0], 0), 0.0);
        // Distance matters to RPS only: all mass on the adjacent category or
        // on the far one has the same Brier score 2; observed 0, the cumulative
        // forecasts (0, 1, 1) and (0, 0, 0) against (1, 1, 1) give RPS 1/3 and 1.
        let (near, far) = ([0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]);
        assert_eq!(brier(&near, 0), brier(&far, 0));
        assert!((rps(&near, 0) - 1.0 / 3.0).abs() < 1e-15);
        assert!((rps(&far, 0) - 1.0).abs() < 1e-15);
        for bad in [brier(&[], 0), rps(&[], 0), brier(&p, 3), rps(&p, 3)] {
            assert!(bad.is_nan());
        }
    }

    #[test]
    fn categorical_log_score_and_skill() {
        assert!((log_score_categorical(&[0.25, 0.75], 0) - 4f64.ln()).abs() < 1e-15);
        assert_eq!(log_score_categorical(&[0.0, 1.0], 0), f64::INFINITY);
        assert!(log_score_categorical(&[0.5, 0.5], 2).is_nan());
        assert_eq!(skill(0.5, 2.0), 0.75);
        assert_eq!(skill(3.0, 2.0), -0.5);
        assert!(skill(1.0, 0.0).is_nan());
        assert!(skill(f64::NAN, 1.0).is_nan());
    }

    #[test]
    fn mixture_log_score_matches_gaussian_and_stays_finite() {
        for (c, sd, y) in [(0.0, 1.0, 0.3), (5.0, 0.2, 4.1), (-2.0, 7.0, 30.0)] {
            let mix = log_score_mixture(&[c], sd, y);
            let gauss = log_score_gaussian(c, sd, y);
            assert!((mix - gauss).abs() < 1e-12, "{mix} vs {gauss}");
        }
        // Two equal centers are one Gaussian; two distinct ones average
        // densities: at y = 0 with centers ±1, density is φ(1).
        let two = log_score_mixture(&[-1.0, 1.0], 1.0, 0.0);
        assert!((two - log_score_gaussian(1.0, 1.0, 0.0)).abs() < 1e-12);
        // 1000 sd away: the density underflows, the score is ½·1000² + …
        let far = log_score_mixture(&[0.0, 0.5], 1.0, 1000.0);
        assert!(far.is_finite() && far > 0.5 * 999.5_f64.powi(2));
        assert!((far - log_score_gaussian(0.5, 1.0, 1000.0) - 2f64.ln()).abs() < 1e-6);
        assert!(log_score_mixture(&[], 1.0, 0.0).is_nan());
        assert!(log_score_mixture(&[0.0], 0.0, 0.0).is_nan());
        assert!(log_score_mixture(&[f64::NAN], 1.0, 0.0).is_nan());
        assert!(log_score_gaussian(0.0, 0.0, 0.0).is_nan());
    }

    #[test]
    fn pit_of_point_ensembles_is_the_mid_rank() {
        // {1, 2, 2, 3} at y = 2: (1 + ½·2)/4 = 0.5; at y = 2.5: 3/4.
        assert_eq!(pit_mixture(&[1.0, 2.0, 2.0, 3.0], 0.0, 2.0), 0.5);
        assert_eq!(pit_mixture(&[1.0, 2.0, 2.0, 3.0], 0.0, 2.5), 0.75);
        assert_eq!(pit_gaussian(1.0, 0.0, 1.0), 0.5);
        assert_eq!(pit_gaussian(1.0, 0.0, 0.0), 0.0);
        assert!(pit_mixture(&[], 1.0, 0.0).is_nan());
        assert!(pit_mixture(&[0.0], -1.0, 0.0).is_nan());
        assert!((pit_mixture(&[0.0], 2.0, 2.0) - pit_gaussian(0.0, 2.0, 2.0)).abs() < 1e-15);
        assert!(covers(0.5, 0.0) && covers(0.05, 0.9) && !covers(0.04, 0.9));
        assert!(!covers(f64::NAN, 1.0));
    }

    /// PITs of n outcomes `truth(rng)` under the forecast `N(0, 1)` written as
    /// a mixture: 10 centers from N(0, 0.8²) dressed with sd 0.6.
    fn mixture_pits(seed: u64, truth: impl Fn(&mut RunRng, &[f64]) -> f64) -> Vec<f64> {
        let mut rng = run_rng(seed, 0);
        (0..4000)
            .map(|_| {
                let centers: Vec<f64> = (0..10).map(|_| 0.8 * normal(&mut rng)).collect();
                let y = truth(&mut rng, &centers);
                pit_mixture(&centers, 0.6, y)
            })
            .collect()
    }

    /// An outcome drawn from the mixture itself: a random center plus noise.
    fn from_mixture(rng: &mut RunRng, centers: &[f64]) -> f64 {
        use rand::RngExt;
        let pick = rng.random_range(0..centers.len());
        centers[pick] + 0.6 * normal(rng)
    }

    #[test]
    fn calibrated_pits_pass_and_miscalibrated_fail() {
        let mut rng = run_rng(11, 0);
        let gaussian: Vec<f64> = (0..4000)
            .map(|_| pit_gaussian(0.0, 1.0, normal(&mut rng)))
            .collect();
        let mixture = mixture_pits(12, from_mixture);
        for pits in [&gaussian, &mixture] {
            let u = pit_uniformity(pits, 10);
            assert!(u.p_value > 0.01 && u.ks_p_value > 0.01, "{u:?}");
            let covered = pits.iter().filter(|&&p| covers(p, 0.9)).count() as f64 / 4000.0;
            // Binomial sd of the coverage is √(0.9·0.1/4000) ≈ 0.0047.
            assert!((covered - 0.9).abs() < 0.02, "coverage {covered}");
        }
        let shifted: Vec<f64> = (0..4000)
            .map(|_| pit_gaussian(0.0, 1.0, 0.5 + normal(&mut rng)))
            .collect();
        let wide: Vec<f64> = (0..4000)
            .map(|_| pit_gaussian(0.0, 1.0, 2.0 * normal(&mut rng)))
            .collect();
        let mix_shifted = mixture_pits(13, |r, c| 0.5 + from_mixture(r, c));
        let mix_wide = mixture_pits(14, |r, c| 2.0 * from_mixture(r, c));
        for pits in [&shifted, &wide, &mix_shifted, &mix_wide] {
            let u = pit_uniformity(pits, 10);
            assert!(u.p_value < 1e-6 && u.ks_p_value < 1e-6, "{u:?}");
        }
        // Too-narrow forecasts cover less than promised: the 90 % interval
        // of N(0, 1) is ±1.645, which holds N(0, 2²) only 59.9 % of the time.
        let covered = wide.iter().filter(|&&p| covers(p, 0.9)).count() as f64 / 4000.0;
        assert!((covered - 0.599).abs() < 0.03, "coverage {covered}");
    }

    #[test]
    fn uniformity_bins_and_degenerate_input() {
        let u = pit_uniformity(&[0.05, 0.15, 0.95, 1.0, -0.1, 1.5, f64::NAN], 2);
        assert_eq!(u.counts, vec![2, 2]);
        assert_eq!(u.dof, 1);
        assert_eq!(u.chi2, 0.0);
        for tiny in [&[][..], &[0.3][..]] {
            let u = pit_uniformity(tiny, 5);
            assert!(u.p_value.is_nan() && u.ks_p_value.is_nan());
        }
        assert!(pit_uniformity(&[], 5).chi2.is_nan());
        let none = pit_uniformity(&[0.2, 0.4], 0);
        assert!(none.counts.is_empty() && none.p_value.is_nan() && none.chi2.is_nan());
        assert!(pit_uniformity(&[0.2, 0.4], 1).p_value.is_nan());
    }

    #[test]
    fn kolmogorov_tail_matches_known_values() {
        // Q(1) = 2(e⁻² − e⁻⁸ + e⁻¹⁸ − …) = 0.26999967167735456, summed term by
        // term independently (400 terms, in Python); Q(0.5) = 0.9639452436648751
        // and Q(1.5) = 0.022217962616525127 likewise.
        assert!((kolmogorov_q(1.0) - 0.269_999_671_677_354_56).abs() < 1e-12);
        assert!((kolmogorov_q(0.5) - 0.963_945_243_664_875_1).abs() < 1e-12);
        assert!((kolmogorov_q(1.5) - 0.022_217_962_616_525_127).abs() < 1e-12);
        // The two series agree where they meet.
        assert!((1.0 - kolmogorov_cdf_small(1.0) - kolmogorov_q_large(1.0)).abs() < 1e-14);
        assert_eq!(kolmogorov_q(0.0), 1.0);
        assert!(kolmogorov_q(0.05) > 0.999_999 && kolmogorov_q(0.05) <= 1.0);
        assert!(kolmogorov_q(10.0) < 1e-80);
        // D = 0.1 with n = 100: 90 values at (i − 1)/100 + 0.1 and 10 at 1.
        // λ = 0.1·(10 + 0.12 + 0.011) = 1.0131, Q(λ) = 0.2562211850701 (the
        // uncorrected asymptotic value would be Q(1) ≈ 0.27).
        let pits: Vec<f64> = (0..100)
            .map(|i| {
                if i < 90 {
                    f64::from(i) / 100.0 + 0.1
                } else {
                    1.0
                }
            })
            .collect();
        let u = pit_uniformity(&pits, 10);
        assert!((u.ks - 0.1).abs() < 1e-12, "{}", u.ks);
        assert!(
            (u.ks_p_value - 0.256_221_185_070_1).abs() < 1e-9,
            "{}",
            u.ks_p_value
        );
    }
}
