//! Observations of what actually happened, and how likely a run's value
//! makes each of them: the likelihood a particle filter weights runs by.
//! docs/FORMAT.md ("Observations") states the same rules for authors.

use super::{SourceId, YearMonth};

/// How much an observation says about the observed quantity y = scale · x
/// + offset of one run's value x.
#[derive(Clone, Debug, PartialEq)]
pub enum Evidence {
    /// A measurement with Gaussian error: y ~ N(value, sd²).
    Measured { value: f64, sd: f64 },
    /// The quantity lay between `lo` and `hi` (either may be infinite),
    /// with a soft edge: the likelihood is P(lo < y + e < hi) for
    /// e ~ N(0, softness²), so a run just outside is unlikely but not
    /// impossible; with softness 0 the edge is hard.
    Interval { lo: f64, hi: f64, softness: f64 },
}

/// One compiled observation.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// How messages name it: its `name`, or `DATE VARIABLE` / `DATE band BAND`.
    pub label: String,
    pub date: YearMonth,
    /// Month index within the horizon.
    pub month: usize,
    /// The observed series (for a band, the regime variable).
    pub series: SourceId,
    /// The band, for a band observation.
    pub band: Option<usize>,
    pub evidence: Evidence,
    pub scale: f64,
    pub offset: f64,
    /// The source the observation cites.
    pub source: Option<String>,
}

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

impl Observation {
    /// The observed quantity for a run's value `x`.
    pub fn measured(&self, x: f64) -> f64 {
        self.scale * x + self.offset
    }

    /// Log of the likelihood of this observation given a run's value `x`
    /// (−∞ where a hard interval excludes it).
    pub fn log_likelihood(&self, x: f64) -> f64 {
        let y = self.measured(x);
        match self.evidence {
            Evidence::Measured { value, sd } => {
                let z = (y - value) / sd;
                -0.5 * z * z - sd.ln() - LN_SQRT_2PI
            }
            Evidence::Interval { lo, hi, softness } => {
                if softness == 0.0 {
                    return if y > lo && y < hi || (y == lo || y == hi) {
                        0.0
                    } else {
                        f64::NEG_INFINITY
                    };
                }
                log_diff_ndtr((y - lo) / softness, (y - hi) / softness)
            }
        }
    }

    /// How far the quantity of value `x` lies from what was observed, in
    /// the observation's units: 0 inside an interval, the distance to the
    /// nearer edge outside, |y − value| for a measurement.
    pub fn miss(&self, x: f64) -> f64 {
        let y = self.measured(x);
        match self.evidence {
            Evidence::Measured { value, .. } => (y - value).abs(),
            Evidence::Interval { lo, hi, .. } => (lo - y).max(y - hi).max(0.0),
        }
    }

    /// The interval an analyst reads off the observation (a measurement's
    /// value ± 1.645 sd, the central 90 %), in the observed units.
    pub fn range(&self) -> (f64, f64) {
        match self.evidence {
            Evidence::Measured { value, sd } => (value - 1.645 * sd, value + 1.645 * sd),
            Evidence::Interval { lo, hi, .. } => (lo, hi),
        }
    }
}

/// log Φ(a), accurate far into the lower tail.
pub fn log_ndtr(a: f64) -> f64 {
    if a > -20.0 {
        (0.5 * libm::erfc(-a / std::f64::consts::SQRT_2)).ln()
    } else {
        // Mills ratio: Φ(a) ≈ φ(a)/|a| · (1 − 1/a² + 3/a⁴).
        let a2 = a * a;
        -0.5 * a2 - (-a).ln() - LN_SQRT_2PI + (1.0 - 1.0 / a2 + 3.0 / (a2 * a2)).ln()
    }
}

/// log(Φ(a) − Φ(b)) for a ≥ b, without cancellation in either tail.
pub fn log_diff_ndtr(a: f64, b: f64) -> f64 {
    if a <= b {
        return f64::NEG_INFINITY;
    }
    if b >= 0.0 {
        // Both in the upper tail: Φ(a) − Φ(b) = Φ(−b) − Φ(−a).
        return log_diff_ndtr(-b, -a);
    }
    if a <= 0.0 {
        let (la, lb) = (log_ndtr(a), log_ndtr(b));
        return la + (-(lb - la).exp()).ln_1p();
    }
    // Straddling zero: neither term is small.
    (1.0 - 0.5 * libm::erfc(a / std::f64::consts::SQRT_2)
        - 0.5 * libm::erfc(-b / std::f64::consts::SQRT_2))
    .ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(evidence: Evidence) -> Observation {
        Observation {
            label: "o".into(),
            date: YearMonth::parse("2020-01").unwrap(),
            month: 0,
            series: SourceId(0),
            band: None,
            evidence,
            scale: 1.0,
            offset: 0.0,
            source: None,
        }
    }

    #[test]
    fn a_measurement_is_a_normal_density() {
        let o = obs(Evidence::Measured {
            value: 0.6,
            sd: 0.1,
        });
        let density = (-0.5f64).exp() / (0.1 * (2.0 * std::f64::consts::PI).sqrt());
        assert!((o.log_likelihood(0.7) - density.ln()).abs() < 1e-12);
        let scaled = Observation {
            scale: 2.0,
            offset: -0.5,
            ..o
        };
        assert!(
            (scaled.log_likelihood(0.6) - density.ln()).abs() < 1e-12,
            "y = 2·0.6 − 0.5 = 0.7"
        );
    }

    #[test]
    fn a_hard_interval_is_an_indicator_and_a_soft_one_a_smoothed_box() {
        let hard = obs(Evidence::Interval {
            lo: -0.5,
            hi: -0.15,
            softness: 0.0,
        });
        assert_eq!(hard.log_likelihood(-0.3), 0.0);
        assert_eq!(hard.log_likelihood(-0.1), f64::NEG_INFINITY);
        let soft = obs(Evidence::Interval {
            lo: -0.5,
            hi: -0.15,
            softness: 0.02,
        });
        assert!(
            soft.log_likelihood(-0.3).abs() < 1e-9,
            "deep inside: probability 1"
        );
        // At an edge half the mass lies inside.
        assert!((soft.log_likelihood(-0.15) - 0.5f64.ln()).abs() < 1e-6);
        // One softness outside: Φ(−1) ≈ 0.1587.
        assert!((soft.log_likelihood(-0.13) - 0.158_655_253_9f64.ln()).abs() < 1e-6);
        assert!((soft.miss(-0.13) - 0.02).abs() < 1e-12);
        assert_eq!(soft.miss(-0.3), 0.0);
    }

    #[test]
    fn tails_stay_finite_and_monotone_far_outside() {
        let soft = obs(Evidence::Interval {
            lo: 0.0,
            hi: 1.0,
            softness: 0.01,
        });
        let far: Vec<f64> = [1.5, 2.0, 3.0, 10.0]
            .iter()
            .map(|x| soft.log_likelihood(*x))
            .collect();
        assert!(far.iter().all(|l| l.is_finite()), "{far:?}");
        assert!(far.windows(2).all(|w| w[1] < w[0]), "{far:?}");
        let low: Vec<f64> = [-0.5, -1.0, -5.0]
            .iter()
            .map(|x| soft.log_likelihood(*x))
            .collect();
        assert!(low.iter().all(|l| l.is_finite()) && low.windows(2).all(|w| w[1] < w[0]));
        // log Φ agrees with its asymptote where both are accurate.
        assert!((log_ndtr(-19.0) - log_ndtr(-19.0 - 1e-9)).abs() < 1e-6);
        assert!(
            (log_ndtr(-20.5) - (-0.5 * 20.5f64.powi(2) - 20.5f64.ln() - LN_SQRT_2PI)).abs() < 0.01
        );
        assert!((log_ndtr(0.0) - 0.5f64.ln()).abs() < 1e-15);
    }
}
