//! MCMC convergence diagnostics: split R-hat, rank-normalised R-hat, bulk,
//! tail and plain effective sample sizes, after Vehtari, Gelman, Simpson,
//! Carpenter & Bürkner (2021), "Rank-normalization, folding, and
//! localization: an improved R-hat for assessing convergence of MCMC".
//!
//! Conventions shared by every function here:
//! * Chains of unequal length are cut to the shortest length, keeping each
//!   chain's *last* draws: the earliest ones are nearest to warm-up.
//! * Each chain is split in half (the middle draw of an odd-length chain is
//!   dropped), so a trend within one chain shows up as disagreement between
//!   its halves.
//! * NaN is returned for zero chains, fewer than 4 draws per chain (split
//!   halves need 2 draws for a variance), any non-finite draw, or draws that
//!   are all equal (nothing to diagnose); never a panic.

use statrs::distribution::{ContinuousCDF, Normal};

/// The classic split R-hat (BDA3): √(var⁺ / W) over the split chains, with W
/// the mean within-chain variance and var⁺ = (n−1)/n·W + B/n. Near 1 when
/// the chains agree; well above 1 (say > 1.01) when they do not. Chain
/// halves that are each constant but differ give ∞ (W = 0): stuck chains.
pub fn split_rhat(chains: &[&[f64]]) -> f64 {
    prepare(chains).map_or(f64::NAN, |draws| rhat_of(&split(&draws)))
}

/// The rank-normalised split R-hat: the larger of the bulk R-hat (on
/// rank-normalised draws) and the tail R-hat (the same on draws folded
/// around the median, |x − median|). Ranks make it finite and meaningful
/// for heavy tails; folding makes it see chains that differ in scale only.
pub fn rank_rhat(chains: &[&[f64]]) -> f64 {
    let Some(draws) = prepare(chains) else {
        return f64::NAN;
    };
    let bulk = rhat_of(&as_slices(&rank_normalise(&split(&draws))));
    let folded = fold(&draws);
    let tail = rhat_of(&as_slices(&rank_normalise(&split(&as_slices(&folded)))));
    nan_max(bulk, tail)
}

/// Bulk effective sample size: [`ess`] of the split, rank-normalised draws,
/// so it is defined (and robust) even when the mean or variance is not.
pub fn ess_bulk(chains: &[&[f64]]) -> f64 {
    prepare(chains).map_or(f64::NAN, |draws| {
        ess_of(&as_slices(&rank_normalise(&split(&draws))))
    })
}

/// Effective sample size of the raw split draws: how many independent draws
/// would estimate the mean as precisely. Multi-chain autocorrelations,
/// Geyer's initial monotone positive-pair truncation, capped at
/// N·M·log10(N·M) for antithetic chains as Stan does.
pub fn ess(chains: &[&[f64]]) -> f64 {
    prepare(chains).map_or(f64::NAN, |draws| ess_of(&split(&draws)))
}

/// Tail effective sample size: the smaller ESS of the indicators
/// I(x ≤ q05) and I(x ≤ q95) (the ESS of I(x ≥ q) is the same as that of
/// I(x < q)), i.e. how well the 5 % and 95 % quantiles are estimated.
pub fn ess_tail(chains: &[&[f64]]) -> f64 {
    let Some(draws) = prepare(chains) else {
        return f64::NAN;
    };
    let sorted = sorted_pool(&draws);
    let lo = quantile_sorted(&sorted, 0.05);
    let hi = quantile_sorted(&sorted, 0.95);
    nan_min(indicator_ess(&draws, lo), indicator_ess(&draws, hi))
}

/// Posterior summary of one quantity over all chains.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainSummary {
    pub mean: f64,
    pub sd: f64,
    pub q05: f64,
    pub q50: f64,
    pub q95: f64,
    /// [`rank_rhat`]
    pub rhat: f64,
    pub ess_bulk: f64,
    pub ess_tail: f64,
}

/// Mean, sd (n − 1), 5/50/95 % quantiles (linear interpolation between
/// order statistics) of all draws, and the diagnostics above. Location and
/// spread are given whenever there are finite draws (after cutting to the
/// shortest chain); everything is NaN with no draws or a non-finite one.
pub fn summary(chains: &[&[f64]]) -> ChainSummary {
    let nan = ChainSummary {
        mean: f64::NAN,
        sd: f64::NAN,
        q05: f64::NAN,
        q50: f64::NAN,
        q95: f64::NAN,
        rhat: f64::NAN,
        ess_bulk: f64::NAN,
        ess_tail: f64::NAN,
    };
    let Some(draws) = truncate(chains) else {
        return nan;
    };
    if draws[0].is_empty() || draws.iter().any(|c| c.iter().any(|x| !x.is_finite())) {
        return nan;
    }
    let sorted = sorted_pool(&draws);
    let (mean, var) = mean_var(&sorted);
    ChainSummary {
        mean,
        sd: var.sqrt(),
        q05: quantile_sorted(&sorted, 0.05),
        q50: quantile_sorted(&sorted, 0.5),
        q95: quantile_sorted(&sorted, 0.95),
        rhat: rank_rhat(chains),
        ess_bulk: ess_bulk(chains),
        ess_tail: ess_tail(chains),
    }
}

/// Every chain cut to the shortest length, keeping its last draws; None for
/// zero chains.
fn truncate<'a>(chains: &[&'a [f64]]) -> Option<Vec<&'a [f64]>> {
    let n = chains.iter().map(|c| c.len()).min()?;
    Some(chains.iter().map(|c| &c[c.len() - n..]).collect())
}

/// The draws the diagnostics can work on, or None (see the module notes).
fn prepare<'a>(chains: &[&'a [f64]]) -> Option<Vec<&'a [f64]>> {
    let draws = truncate(chains)?;
    if draws[0].len() < 4 {
        return None;
    }
    let first = draws[0][0];
    let mut varies = false;
    for &x in draws.iter().flat_map(|c| c.iter()) {
        if !x.is_finite() {
            return None;
        }
        varies |= x != first;
    }
    varies.then_some(draws)
}

/// Each chain as its two halves; an odd chain's middle draw is left out so
/// the halves have equal length.
fn split<'a>(chains: &[&'a [f64]]) -> Vec<&'a [f64]> {
    chains
        .iter()
        .flat_map(|c| {
            let half = c.len() / 2;
            [&c[..half], &c[c.len() - half..]]
        })
        .collect()
}

fn as_slices(chains: &[Vec<f64>]) -> Vec<&[f64]> {
    chains.iter().map(Vec::as_slice).collect()
}

/// Mean and sample variance (n − 1); the variance is NaN for one value.
fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let ss: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
    (mean, ss / (n - 1.0))
}

/// W (mean within-chain variance) and B/n (variance of the chain means) of
/// equal-length chains, at least two of them.
fn within_between(chains: &[&[f64]]) -> (f64, f64) {
    let (means, vars): (Vec<f64>, Vec<f64>) = chains.iter().map(|c| mean_var(c)).unzip();
    let w = vars.iter().sum::<f64>() / vars.len() as f64;
    let (_, b_over_n) = mean_var(&means);
    (w, b_over_n)
}

/// The pooled variance estimate var⁺ = (n−1)/n·W + B/n.
fn var_plus(w: f64, b_over_n: f64, n: usize) -> f64 {
    let n = n as f64;
    (n - 1.0) / n * w + b_over_n
}

/// R-hat of already split (equal-length) chains; NaN when every draw is the
/// same (0/0), ∞ when each chain is constant but they differ.
fn rhat_of(chains: &[&[f64]]) -> f64 {
    let (w, b_over_n) = within_between(chains);
    let vp = var_plus(w, b_over_n, chains[0].len());
    if vp == 0.0 {
        return f64::NAN;
    }
    (vp / w).sqrt()
}

/// Pooled draws in ascending order.
fn sorted_pool(chains: &[&[f64]]) -> Vec<f64> {
    let mut all: Vec<f64> = chains.iter().flat_map(|c| c.iter().copied()).collect();
    all.sort_unstable_by(f64::total_cmp);
    all
}

/// Quantile p of sorted values, interpolating linearly between order
/// statistics at (len − 1)·p (R's default, type 7). NaN when empty.
fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Draws folded around the pooled median, |x − median|: chains that differ
/// in spread but not location differ in location after folding.
fn fold(chains: &[&[f64]]) -> Vec<Vec<f64>> {
    let median = quantile_sorted(&sorted_pool(chains), 0.5);
    chains
        .iter()
        .map(|c| c.iter().map(|x| (x - median).abs()).collect())
        .collect()
}

/// Rank normalisation: ranks over all draws (ties share their average
/// rank), mapped to normal scores Φ⁻¹((r − 3/8)/(S + 1/4)) (Blom). This
/// removes the influence of the tails, so R-hat and ESS exist for any
/// distribution.
fn rank_normalise(chains: &[&[f64]]) -> Vec<Vec<f64>> {
    let n = chains[0].len();
    let pooled: Vec<f64> = chains.iter().flat_map(|c| c.iter().copied()).collect();
    let ranks = average_ranks(&pooled);
    let total = pooled.len() as f64;
    let normal = Normal::standard();
    let z: Vec<f64> = ranks
        .iter()
        .map(|r| normal.inverse_cdf((r - 0.375) / (total + 0.25)))
        .collect();
    z.chunks(n.max(1)).map(<[f64]>::to_vec).collect()
}

/// 1-based ranks of `xs`, equal values all given the mean of their ranks.
fn average_ranks(xs: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_unstable_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut ranks = vec![0.0; xs.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && xs[order[end]] == xs[order[start]] {
            end += 1;
        }
        // Positions start..end hold ranks start+1 ..= end: their mean.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
    ranks
}

/// ESS of the split indicator chains I(x ≤ q); NaN when the indicator is
/// constant (q below or at/above every draw).
fn indicator_ess(chains: &[&[f64]], q: f64) -> f64 {
    let ind: Vec<Vec<f64>> = chains
        .iter()
        .map(|c| c.iter().map(|&x| if x <= q { 1.0 } else { 0.0 }).collect())
        .collect();
    let first = ind[0][0];
    if ind.iter().flatten().all(|&v| v == first) {
        return f64::NAN;
    }
    ess_of(&split(&as_slices(&ind)))
}

/// Multi-chain ESS of already split (equal-length) chains.
///
/// Autocorrelation at lag t combines all chains and the between-chain
/// variance, ρ̂_t = 1 − (W − mean_m γ̂_m(t)) / var⁺, so chains that have not
/// mixed count as correlated. Pair sums P̂_k = ρ̂_{2k} + ρ̂_{2k+1} are added
/// while positive (Geyer's initial positive sequence) and forced
/// non-increasing (initial monotone sequence); τ = −1 + 2 Σ P̂_k. Lags are
/// computed one pair at a time, so the work stops at the truncation point.
fn ess_of(chains: &[&[f64]]) -> f64 {
    let n = chains[0].len();
    let (w, b_over_n) = within_between(chains);
    let vp = var_plus(w, b_over_n, n);
    if vp.is_nan() || vp <= 0.0 {
        return f64::NAN;
    }
    let centred: Vec<Vec<f64>> = chains
        .iter()
        .map(|c| {
            let mean = c.iter().sum::<f64>() / n as f64;
            c.iter().map(|x| x - mean).collect()
        })
        .collect();
    let rho = |t: usize| {
        let acov: f64 = centred.iter().map(|c| autocov(c, t)).sum::<f64>() / centred.len() as f64;
        1.0 - (w - acov) / vp
    };
    // ρ̂_0 is 1 by definition (the formula gives 1 − W/(n·var⁺)).
    let mut sum = 1.0 + rho(1);
    let mut previous = sum;
    let mut t = 2;
    while t + 1 < n {
        let pair = rho(t) + rho(t + 1);
        if pair.is_nan() || pair <= 0.0 {
            break;
        }
        let pair = pair.min(previous);
        sum += pair;
        previous = pair;
        t += 2;
    }
    let total = (chains.len() * n) as f64;
    // Antithetic chains can make τ tiny or negative: Stan's floor.
    let tau = (2.0 * sum - 1.0).max(1.0 / total.log10());
    total / tau
}

/// Autocovariance of a centred chain at lag t, divided by n (the biased
/// estimator, which keeps the sequence positive semi-definite).
fn autocov(centred: &[f64], t: usize) -> f64 {
    let n = centred.len();
    let s: f64 = centred[..n - t]
        .iter()
        .zip(&centred[t..])
        .map(|(a, b)| a * b)
        .sum();
    s / n as f64
}

/// max that returns NaN when either side is NaN (f64::max would hide it).
fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// min that returns NaN when either side is NaN.
fn nan_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::run_rng;
    use rand_distr::{Cauchy, Distribution, StandardNormal};

    fn normal_chains(seed: u64, chains: usize, n: usize) -> Vec<Vec<f64>> {
        (0..chains as u64)
            .map(|c| {
                let mut rng = run_rng(seed, c);
                (0..n).map(|_| StandardNormal.sample(&mut rng)).collect()
            })
            .collect()
    }

    /// Stationary AR(1) chains with unit variance and lag-1 correlation ρ.
    fn ar1_chains(seed: u64, chains: usize, n: usize, rho: f64) -> Vec<Vec<f64>> {
        let innovation = (1.0 - rho * rho).sqrt();
        normal_chains(seed, chains, n)
            .into_iter()
            .map(|eps| {
                let mut x = eps[0];
                std::iter::once(x)
                    .chain(eps[1..].iter().map(|e| {
                        x = rho * x + innovation * e;
                        x
                    }))
                    .collect()
            })
            .collect()
    }

    fn refs(chains: &[Vec<f64>]) -> Vec<&[f64]> {
        as_slices(chains)
    }

    #[test]
    fn split_rhat_by_hand() {
        // Halves [1,3] [2,4] [2,4] [3,5]: means 2,3,3,4, variances 2 each,
        // so W = 2; var of means = (1+0+0+1)/3 = 2/3 = B/n; n = 2:
        // var⁺ = ½·2 + 2/3 = 5/3, R-hat = √(5/6).
        let (a, b) = ([1.0, 3.0, 2.0, 4.0], [2.0, 4.0, 3.0, 5.0]);
        let r = split_rhat(&[&a, &b]);
        assert!((r - (5.0f64 / 6.0).sqrt()).abs() < 1e-15, "{r}");
        // The longer chain keeps its last four draws: the same answer.
        let longer = [99.0, 2.0, 4.0, 3.0, 5.0];
        assert_eq!(split_rhat(&[&a, &longer]), r);
        // Odd length: the middle draw (100) is dropped.
        let odd = [1.0, 3.0, 100.0, 2.0, 4.0];
        let odd_b = [2.0, 4.0, -100.0, 3.0, 5.0];
        assert_eq!(split_rhat(&[&odd, &odd_b]), r);
    }

    #[test]
    fn iid_chains_look_converged() {
        let chains = normal_chains(1, 4, 1000);
        let c = refs(&chains);
        for r in [split_rhat(&c), rank_rhat(&c)] {
            assert!((r - 1.0).abs() < 0.01, "rhat {r}");
        }
        for e in [ess(&c), ess_bulk(&c)] {
            assert!((e - 4000.0).abs() < 0.15 * 4000.0, "ess {e}");
        }
        // Tail ESS: of the order of the draws too.
        let t = ess_tail(&c);
        assert!(t > 0.5 * 4000.0 && t < 1.5 * 4000.0, "tail {t}");
    }

    #[test]
    fn ar1_ess_matches_theory() {
        let rho = 0.9;
        let (chains, n) = (4, 4000);
        let theory = (chains * n) as f64 * (1.0 - rho) / (1.0 + rho);
        let draws = ar1_chains(2, chains, n, rho);
        let c = refs(&draws);
        for e in [ess(&c), ess_bulk(&c)] {
            assert!((e - theory).abs() < 0.25 * theory, "ess {e} vs {theory}");
        }
        assert!((split_rhat(&c) - 1.0).abs() < 0.02);
    }

    #[test]
    fn a_shifted_chain_is_detected() {
        let mut chains = normal_chains(3, 4, 1000);
        chains[3].iter_mut().for_each(|x| *x += 2.0);
        let c = refs(&chains);
        assert!(split_rhat(&c) > 1.1, "{}", split_rhat(&c));
        assert!(rank_rhat(&c) > 1.1, "{}", rank_rhat(&c));
    }

    #[test]
    fn a_chain_of_different_scale_is_seen_by_the_tail_rhat() {
        // Same location, one chain 3× as wide: the bulk barely notices, the
        // folded (tail) R-hat does.
        let mut chains = normal_chains(4, 4, 1000);
        chains[0].iter_mut().for_each(|x| *x *= 3.0);
        let c = refs(&chains);
        assert!(split_rhat(&c) < 1.05, "{}", split_rhat(&c));
        assert!(rank_rhat(&c) > 1.1, "{}", rank_rhat(&c));
    }

    #[test]
    fn a_trend_within_one_chain_is_detected_by_splitting() {
        let mut chain = normal_chains(5, 1, 1000).remove(0);
        chain[500..].iter_mut().for_each(|x| *x += 3.0);
        assert!(split_rhat(&[&chain]) > 1.1);
        assert!(rank_rhat(&[&chain]) > 1.1);
    }

    #[test]
    fn rank_rhat_is_sane_for_cauchy_draws() {
        let chains: Vec<Vec<f64>> = (0..4)
            .map(|c| {
                let mut rng = run_rng(6, c);
                let cauchy = Cauchy::new(0.0, 1.0).expect("valid Cauchy");
                (0..1000).map(|_| cauchy.sample(&mut rng)).collect()
            })
            .collect();
        let c = refs(&chains);
        let r = rank_rhat(&c);
        assert!(r.is_finite() && r < 1.05, "{r}");
        let e = ess_bulk(&c);
        assert!((e - 4000.0).abs() < 0.2 * 4000.0, "{e}");
    }

    #[test]
    fn antithetic_chains_are_capped() {
        // x_t = −x_{t−1} + small noise: ρ₁ ≈ −1, so τ would be ≈ 0.
        let noise = normal_chains(7, 2, 500);
        let chains: Vec<Vec<f64>> = noise
            .iter()
            .map(|e| {
                e.iter()
                    .enumerate()
                    .map(|(i, x)| if i % 2 == 0 { 1.0 } else { -1.0 } + 0.01 * x)
                    .collect()
            })
            .collect();
        let e = ess(&refs(&chains));
        let total = 1000.0f64;
        assert!(
            e > total && e <= total * total.log10() * (1.0 + 1e-12),
            "{e}"
        );
    }

    #[test]
    fn degenerate_input_gives_nan() {
        let ok = [0.1, 0.5, -0.3, 0.9, 1.2];
        let cases: Vec<Vec<&[f64]>> = vec![
            vec![],
            vec![&[1.0, 2.0, 3.0]],
            vec![&ok, &[1.0, 2.0]],
            vec![&[2.0; 10], &[2.0; 10]],
            vec![&ok, &[0.0, f64::NAN, 1.0, 2.0, 3.0]],
            vec![&ok, &[0.0, f64::INFINITY, 1.0, 2.0, 3.0]],
        ];
        for c in &cases {
            assert!(split_rhat(c).is_nan(), "{c:?}");
            assert!(rank_rhat(c).is_nan(), "{c:?}");
            assert!(
                ess(c).is_nan() && ess_bulk(c).is_nan() && ess_tail(c).is_nan(),
                "{c:?}"
            );
            assert!(summary(c).rhat.is_nan());
        }
        assert!(summary(&[]).mean.is_nan());
        let short = summary(&[&[1.0, 3.0]]);
        assert_eq!((short.mean, short.q50), (2.0, 2.0));
        assert!(short.ess_bulk.is_nan());
        // Two-valued draws fold to a constant: the tail R-hat and so the
        // rank R-hat are NaN, but nothing panics.
        let two = [1.0, -1.0, 1.0, -1.0, -1.0, 1.0];
        assert!(rank_rhat(&[&two, &two]).is_nan());
        assert!(ess_bulk(&[&two, &two]).is_finite());
    }

    #[test]
    fn summary_of_iid_normal_chains() {
        let chains = normal_chains(8, 4, 2000);
        let s = summary(&refs(&chains));
        assert!(s.mean.abs() < 0.05 && (s.sd - 1.0).abs() < 0.03, "{s:?}");
        assert!(
            (s.q05 + 1.645).abs() < 0.08 && (s.q95 - 1.645).abs() < 0.08,
            "{s:?}"
        );
        assert!(s.q50.abs() < 0.05, "{s:?}");
        assert!((s.rhat - 1.0).abs() < 0.01, "{s:?}");
        assert!(s.ess_bulk > 6000.0 && s.ess_tail > 4000.0, "{s:?}");
    }

    #[test]
    fn average_ranks_share_ties() {
        assert_eq!(
            average_ranks(&[3.0, 1.0, 3.0, 2.0]),
            vec![3.5, 1.0, 3.5, 2.0]
        );
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
    }
}
