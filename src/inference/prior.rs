//! A calibrated parameter's prior, and the unconstrained coordinate the
//! optimiser and the samplers move in.
//!
//! The prior is the parameter's distribution in the scenario, restricted to
//! the values the parameter may take (its domain and the signal limit):
//! a normal prior on a rate is a normal truncated to (0, 1]. The sampler of
//! an ensemble clips such draws to the edge instead; for estimation a
//! density is needed, and the truncated one is the density of the values
//! the parameter can take (the clipped mass at an edge is a single value a
//! fit would never choose).
//!
//! Every prior maps one to one onto the whole real line: a logit where both
//! ends are bounded, a log where only the lower one is, and a shift and
//! scale by the prior's sd otherwise. Nelder–Mead and random-walk
//! Metropolis then never propose a value outside the support, and the
//! scale of a step means the same for every parameter.

use crate::model::param::RATE_FLOOR;
use crate::model::{Allowed, Dist, Domain};

/// How the free coordinate z maps onto the parameter value x.
#[derive(Copy, Clone, Debug, PartialEq)]
enum Transform {
    /// x = lo + (hi − lo) · σ(z)
    Logit { lo: f64, hi: f64 },
    /// x = lo + e^z
    Log { lo: f64 },
    /// x = center + scale · z
    Affine { center: f64, scale: f64 },
}

/// Upper bounds at least this large are the size limit, not a real bound.
const UNBOUNDED: f64 = 1e10;

/// One parameter's prior: its distribution, the values it may take, and
/// the map to an unconstrained coordinate.
#[derive(Clone, Debug, PartialEq)]
pub struct Prior {
    pub dist: Dist,
    /// The smallest and largest value the parameter may take here.
    pub lo: f64,
    pub hi: f64,
    transform: Transform,
}

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// A normal prior whose allowed range holds its mean ± this many sd is
/// treated as unbounded (the bounds cannot matter to a fit).
const FAR: f64 = 12.0;

impl Prior {
    /// The prior of an uncertain parameter; `None` for a fixed value (a
    /// plain number has no prior to estimate from).
    pub fn new(dist: &Dist, domain: Domain, allowed: &Allowed) -> Option<Prior> {
        if !dist.is_uncertain() {
            return None;
        }
        let floor = if domain == Domain::Rate {
            RATE_FLOOR
        } else {
            allowed.lo
        };
        let (mut lo, mut hi) = (floor.max(allowed.lo), allowed.hi);
        if let Dist::Uniform { min, max } | Dist::Triangular { min, max, .. } = *dist {
            lo = lo.max(min);
            hi = hi.min(max);
        }
        // NaN bounds compare false and are refused here too.
        if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
            return None;
        }
        let transform = match *dist {
            Dist::Normal { mean, sd } => {
                let (near_lo, near_hi) = (mean - FAR * sd <= lo, mean + FAR * sd >= hi);
                match (near_lo, near_hi) {
                    (false, false) => Transform::Affine {
                        center: mean,
                        scale: sd,
                    },
                    // A log scale only where nothing bounds the value above
                    // (the size limit aside): a finite upper bound, like a
                    // rate's 1, keeps the logit so the bijection holds.
                    (true, false) if hi >= UNBOUNDED => Transform::Log { lo },
                    _ => Transform::Logit { lo, hi },
                }
            }
            _ => Transform::Logit { lo, hi },
        };
        Some(Prior {
            dist: dist.clone(),
            lo,
            hi,
            transform,
        })
    }

    /// Whether `x` is a value the parameter may take.
    pub fn contains(&self, x: f64) -> bool {
        x.is_finite() && x >= self.lo && x <= self.hi
    }

    /// Log prior density at `x` (up to a constant; −∞ outside the support).
    pub fn log_density(&self, x: f64) -> f64 {
        if !self.contains(x) {
            return f64::NEG_INFINITY;
        }
        match self.dist {
            Dist::Normal { mean, sd } => {
                let z = (x - mean) / sd;
                -0.5 * z * z - sd.ln() - LN_SQRT_2PI
            }
            Dist::Uniform { min, max } => -(max - min).ln(),
            Dist::Triangular { min, mode, max } => {
                let density = if x < mode {
                    2.0 * (x - min) / ((max - min) * (mode - min))
                } else if x > mode {
                    2.0 * (max - x) / ((max - min) * (max - mode))
                } else {
                    2.0 / (max - min)
                };
                density.ln()
            }
            Dist::Fixed(_) => 0.0,
        }
    }

    /// The value at free coordinate `z`.
    pub fn from_free(&self, z: f64) -> f64 {
        let x = match self.transform {
            Transform::Logit { lo, hi } => lo + (hi - lo) * sigmoid(z),
            Transform::Log { lo } => lo + z.exp(),
            Transform::Affine { center, scale } => center + scale * z,
        };
        x.clamp(self.lo, self.hi)
    }

    /// The free coordinate of value `x` (inside the support).
    pub fn to_free(&self, x: f64) -> f64 {
        match self.transform {
            Transform::Logit { lo, hi } => {
                let u = ((x - lo) / (hi - lo)).clamp(1e-12, 1.0 - 1e-12);
                (u / (1.0 - u)).ln()
            }
            Transform::Log { lo } => (x - lo).max(1e-300).ln(),
            Transform::Affine { center, scale } => (x - center) / scale,
        }
    }

    /// log |dx/dz| at `z`: what a density over x gains when written over z.
    pub fn log_jacobian(&self, z: f64) -> f64 {
        match self.transform {
            Transform::Logit { lo, hi } => (hi - lo).ln() - softplus(-z) - softplus(z),
            Transform::Log { .. } => z,
            Transform::Affine { scale, .. } => scale.ln(),
        }
    }

    /// The central interval holding `level` of the prior mass (within the
    /// support), for comparing with what the record leaves.
    pub fn interval(&self, level: f64) -> (f64, f64) {
        let tail = 0.5 * (1.0 - level);
        (self.quantile(tail), self.quantile(1.0 - tail))
    }

    /// The range profiles scan: the prior's 99.8 % interval.
    pub fn scan_range(&self) -> (f64, f64) {
        self.interval(0.998)
    }

    /// Quantile `q` of the prior restricted to the support.
    pub fn quantile(&self, q: f64) -> f64 {
        let x = match self.dist {
            Dist::Normal { mean, sd } => {
                // Truncated to [lo, hi]: invert Φ over the kept mass.
                let (a, b) = (ndtr((self.lo - mean) / sd), ndtr((self.hi - mean) / sd));
                mean + sd * ndtri(a + q * (b - a))
            }
            Dist::Uniform { .. } => self.lo + q * (self.hi - self.lo),
            Dist::Triangular { min, mode, max } => {
                let cut = (mode - min) / (max - min);
                if q < cut {
                    min + (q * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - q) * (max - min) * (max - mode)).sqrt()
                }
            }
            Dist::Fixed(v) => v,
        };
        x.clamp(self.lo, self.hi)
    }

    /// The prior's central value (mean, midpoint, mode) within the support.
    pub fn central(&self) -> f64 {
        self.dist.central().clamp(self.lo, self.hi)
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// ln(1 + e^z) without overflow.
fn softplus(z: f64) -> f64 {
    if z > 30.0 { z } else { z.exp().ln_1p() }
}

/// Φ(x).
pub fn ndtr(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Φ⁻¹(p).
pub fn ndtri(p: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::standard().inverse_cdf(p.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wide() -> Allowed {
        Allowed {
            lo: -1e11,
            hi: 1e11,
            lo_open: false,
            reason: None,
        }
    }

    fn rate() -> Allowed {
        Allowed {
            lo: 0.0,
            hi: 1.0,
            lo_open: true,
            reason: None,
        }
    }

    #[test]
    fn free_coordinates_round_trip_and_stay_inside() {
        let priors = [
            Prior::new(&Dist::Normal { mean: 0.3, sd: 0.1 }, Domain::Real, &wide()).unwrap(),
            Prior::new(
                &Dist::Normal {
                    mean: 0.1,
                    sd: 0.05,
                },
                Domain::Rate,
                &rate(),
            )
            .unwrap(),
            Prior::new(
                &Dist::Uniform {
                    min: -0.2,
                    max: 0.4,
                },
                Domain::Real,
                &wide(),
            )
            .unwrap(),
            Prior::new(
                &Dist::Triangular {
                    min: 0.0,
                    mode: 0.1,
                    max: 0.5,
                },
                Domain::NonNegative,
                &Allowed { lo: 0.0, ..wide() },
            )
            .unwrap(),
            Prior::new(
                &Dist::Normal {
                    mean: 0.05,
                    sd: 0.1,
                },
                Domain::NonNegative,
                &Allowed { lo: 0.0, ..wide() },
            )
            .unwrap(),
        ];
        for p in &priors {
            for q in [0.01, 0.2, 0.5, 0.8, 0.99] {
                let x = p.quantile(q);
                let back = p.from_free(p.to_free(x));
                assert!(
                    (back - x).abs() < 1e-9 * (1.0 + x.abs()),
                    "{p:?} {x} {back}"
                );
            }
            for z in [-40.0, -5.0, 0.0, 5.0, 40.0] {
                assert!(p.contains(p.from_free(z)), "{p:?} {z}");
            }
        }
        assert!(matches!(priors[0].transform, Transform::Affine { .. }));
        assert!(matches!(priors[1].transform, Transform::Logit { .. }));
        assert!(matches!(priors[4].transform, Transform::Log { .. }));
        assert_eq!(priors[1].lo, RATE_FLOOR);
    }

    #[test]
    fn the_jacobian_is_the_derivative_of_the_map() {
        let p = Prior::new(
            &Dist::Uniform {
                min: -0.2,
                max: 0.4,
            },
            Domain::Real,
            &wide(),
        )
        .unwrap();
        let q = Prior::new(
            &Dist::Normal {
                mean: 0.05,
                sd: 0.1,
            },
            Domain::NonNegative,
            &Allowed { lo: 0.0, ..wide() },
        )
        .unwrap();
        for prior in [p, q] {
            for z in [-3.0, -0.5, 0.0, 1.2] {
                let h = 1e-6;
                let slope = (prior.from_free(z + h) - prior.from_free(z - h)) / (2.0 * h);
                assert!(
                    (prior.log_jacobian(z) - slope.ln()).abs() < 1e-6,
                    "{z}: {} vs {}",
                    prior.log_jacobian(z),
                    slope.ln()
                );
            }
        }
    }

    #[test]
    fn densities_and_quantiles_match_their_distributions() {
        let n = Prior::new(&Dist::Normal { mean: 1.0, sd: 2.0 }, Domain::Real, &wide()).unwrap();
        // ln φ(0.5)/2 at x = 2.
        let expected = -0.125 - 2f64.ln() - LN_SQRT_2PI;
        assert!((n.log_density(2.0) - expected).abs() < 1e-12);
        let (lo, hi) = n.interval(0.9);
        assert!((lo - (1.0 - 1.644_853_626_951 * 2.0)).abs() < 1e-9, "{lo}");
        assert!((hi - (1.0 + 1.644_853_626_951 * 2.0)).abs() < 1e-9, "{hi}");
        let t = Prior::new(
            &Dist::Triangular {
                min: 0.0,
                mode: 1.0,
                max: 4.0,
            },
            Domain::Real,
            &wide(),
        )
        .unwrap();
        // The mode splits the mass 1 : 3.
        assert!((t.quantile(0.25) - 1.0).abs() < 1e-12);
        assert!((t.log_density(1.0) - 0.5f64.ln()).abs() < 1e-12);
        assert!((t.log_density(2.5) - 0.25f64.ln()).abs() < 1e-12);
        assert_eq!(t.log_density(4.5), f64::NEG_INFINITY);
        // A normal truncated at 0: its median lies above the mean.
        let half = Prior::new(
            &Dist::Normal { mean: 0.0, sd: 1.0 },
            Domain::NonNegative,
            &Allowed { lo: 0.0, ..wide() },
        )
        .unwrap();
        assert!((half.quantile(0.5) - 0.674_489_750_196).abs() < 1e-9);
        assert!(Prior::new(&Dist::Fixed(0.3), Domain::Real, &wide()).is_none());
    }

    #[test]
    fn the_normal_quantile_inverts_the_cdf() {
        for p in [1e-12, 1e-4, 0.025, 0.3, 0.5, 0.9, 0.999_999] {
            let x = ndtri(p);
            assert!((ndtr(x) - p).abs() < 1e-14 * p.max(1e-3), "{p}: {x}");
        }
        assert!((ndtri(0.975) - 1.959_963_984_540).abs() < 1e-10);
    }
}
