//! Incident counts, drawn exactly as `rand_distr::Poisson` draws them, but
//! mostly without evaluating `exp`.
//!
//! For the small rates incidents have, `Poisson` uses Knuth's method: draw
//! uniforms u₁, u₂, … and count how many products u₁·u₂·… stay above
//! e^(−λ). Most months no incident happens: u₁ ≤ e^(−λ), and the two
//! `exp` calls (λ = base · e^exponent, then e^(−λ)) only served to say so.
//! Since e^(−λ) ≥ 1 − λ, a first uniform at or below 1 − λ̄, for any λ̄ ≥ λ,
//! means zero incidents, exactly as `Poisson` would have decided.
//! [`zero_below`] computes such a bound from a rough upper bound λ̄ (a few
//! multiplications, for a whole row of lanes at once); only a first
//! uniform above it (probability about λ, close to that of an incident)
//! takes the exact path: λ and e^(−λ) as before and Knuth's loop
//! continued. Every uniform is drawn in the same order as before, so a
//! run's random stream and its results do not change.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Poisson};

use crate::model::rule;

/// e^x for |x| ≤ 700 within a relative 1e-4 (the largest error is about
/// 5.6e-5): reduction to e^r · 2^k with |r| ≤ ln 2 / 2 and the Taylor
/// polynomial of degree 4; branch-free, so loops over lanes vectorise.
#[inline(always)]
fn exp_rough(x: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const LN2: f64 = std::f64::consts::LN_2;
    // Adding 1.5 · 2^52 rounds to an integer held in the low bits.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    let shifted = x * LOG2E + ROUND;
    let kf = shifted - ROUND;
    let k = shifted.to_bits().wrapping_sub(ROUND.to_bits()) as i64;
    let r = x - kf * LN2;
    let p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0))));
    p * f64::from_bits(((k + 1023) as u64) << 52)
}

/// A bound at or below the exact e^(−λ) for λ = `rule::incident_rate(base,
/// exponent)` when that rate is one `Poisson` draws with Knuth's method
/// and a first uniform decides something; −1 (below every uniform) when it
/// is not. A first uniform at or below the bound means no incident.
#[inline(always)]
pub(crate) fn zero_below(base: f64, exponent: f64) -> f64 {
    // Written without branches (`&` on the conditions, clamps as selects)
    // so that a loop over lanes vectorises. Exponents out of range take
    // the exact path; the clamps only keep the arithmetic finite.
    let e = if exponent > -700.0 { exponent } else { -700.0 };
    let e = if e < 700.0 { e } else { 700.0 };
    let lambda = base * exp_rough(e);
    // λ̄ = 1.001 λ̃ ≥ λ (the rough exp is within 1e-4); the bound is 1 − λ̄
    // less a margin for the rounding of the exact e^(−λ).
    let below = 1.0 - lambda * 1.001 - 1e-15;
    // λ̃ > 1e-280 keeps the exact rate from underflowing to 0 (no process);
    // λ̄ < 1 makes it one Knuth's method draws (< 12).
    let usable = (exponent > -700.0) & (exponent < 700.0) & (lambda > 1e-280) & (below > 0.0);
    if usable { below } else { -1.0 }
}

/// The number of incidents of a process with `base` rate and `exponent`
/// (the sum of its `rate_by` terms) this month, drawn from `rng` exactly
/// as `Poisson::new(rule::incident_rate(base, exponent))` would; `None`
/// (and nothing drawn) when no incident can happen. `below` is
/// [`zero_below`]`(base, exponent)`. The engine draws the first uniform
/// of all lanes at once and calls [`count_after`]; this is the same draw
/// for one generator.
#[cfg(test)]
pub(crate) fn count<R: Rng + ?Sized>(
    base: f64,
    exponent: f64,
    below: f64,
    rng: &mut R,
) -> Option<u64> {
    let first = if below > 0.0 { rng.random() } else { 0.0 };
    count_after(first, base, exponent, below, rng)
}

/// [`count`] when its first uniform, `first`, was already drawn from `rng`
/// (only where `below > 0`; elsewhere `first` is not looked at and
/// `Poisson` draws from the start).
#[inline]
pub(crate) fn count_after<R: Rng + ?Sized>(
    first: f64,
    base: f64,
    exponent: f64,
    below: f64,
    rng: &mut R,
) -> Option<u64> {
    if below > 0.0 {
        // Knuth's method, its first uniform drawn before λ is known.
        if first <= below {
            return Some(0);
        }
        return knuth_after(first, base, exponent, rng);
    }
    poisson(base, exponent, rng)
}

/// Knuth's method continued after a first uniform `p` above the bound.
#[cold]
fn knuth_after<R: Rng + ?Sized>(mut p: f64, base: f64, exponent: f64, rng: &mut R) -> Option<u64> {
    let lambda = rule::incident_rate(base, exponent)?;
    let limit = (-lambda).exp();
    let mut n = 0;
    while p > limit {
        p *= rng.random::<f64>();
        n += 1;
    }
    Some(n)
}

/// The exact path: `Poisson` itself, for rates the bound does not cover.
#[cold]
fn poisson<R: Rng + ?Sized>(base: f64, exponent: f64, rng: &mut R) -> Option<u64> {
    let lambda = rule::incident_rate(base, exponent)?;
    Some(match Poisson::new(lambda) {
        Ok(p) => p.sample(rng) as u64,
        Err(_) => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::run_rng;

    #[test]
    fn the_rough_exp_is_within_1e_4() {
        let mut worst: f64 = 0.0;
        for i in -70_000..=70_000 {
            let x = f64::from(i) * 0.010_000_3;
            let (got, want) = (exp_rough(x), x.exp());
            worst = worst.max(((got - want) / want).abs());
        }
        assert!(worst < 1e-4, "relative error {worst}");
    }

    #[test]
    fn counts_and_streams_equal_rand_distr_poisson() {
        let mut fast_seen = 0;
        let bases = [
            0.0, -0.1, 1e-320, 1e-12, 0.003, 0.02, 0.05, 0.4, 2.0, 9.0, 30.0, 1e6,
        ];
        let exponents = [
            -800.0,
            -699.0,
            -30.0,
            -2.0,
            0.0,
            0.3,
            1.7,
            2.5,
            6.0,
            699.0,
            750.0,
            f64::NAN,
        ];
        for (i, &base) in bases.iter().enumerate() {
            for (j, &exponent) in exponents.iter().enumerate() {
                let below = zero_below(base, exponent);
                for run in 0..200u64 {
                    let seed = (i * 100 + j) as u64;
                    let (mut a, mut b) = (run_rng(seed, run), run_rng(seed, run));
                    let want = rule::incident_rate(base, exponent)
                        .map(|l| Poisson::new(l).map_or(0, |p| p.sample(&mut a) as u64));
                    let got = count(base, exponent, below, &mut b);
                    assert_eq!(got, want, "base {base}, exponent {exponent}, run {run}");
                    assert_eq!(a.random::<u64>(), b.random::<u64>(), "streams diverge");
                    fast_seen += usize::from(below > 0.0 && got == Some(0));
                }
            }
        }
        assert!(fast_seen > 1000, "the fast test decided {fast_seen} draws");
    }
}
