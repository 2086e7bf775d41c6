//! Parameters that may be uncertain (docs/FORMAT.md, "Numbers that may be uncertain"). Each (P) field of a scenario
//! becomes one [`Param`] in the model's flat list, so a run's sampled values are
//! just a `Vec<f64>` indexed by [`ParamId`] — which is also what sensitivity
//! analysis varies.

use rand::Rng;
use rand_distr::{Distribution, Normal, StandardNormal, Triangular, Uniform};

/// Index into [`crate::model::Model::params`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ParamId(pub usize);

/// Smallest rate a sampled rate is clipped to: (0, 1] excludes zero.
pub const RATE_FLOOR: f64 = 1e-6;

#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    Fixed(f64),
    Normal { mean: f64, sd: f64 },
    Uniform { min: f64, max: f64 },
    Triangular { min: f64, mode: f64, max: f64 },
}

impl Dist {
    /// The value deterministic mode uses: mean, midpoint, mode.
    pub fn central(&self) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Normal { mean, .. } => mean,
            Dist::Uniform { min, max } => 0.5 * (min + max),
            Dist::Triangular { mode, .. } => mode,
        }
    }

    /// The range used when a parameter is varied: the support, or mean ± 2 sd.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Dist::Fixed(v) => (v, v),
            Dist::Normal { mean, sd } => (mean - 2.0 * sd, mean + 2.0 * sd),
            Dist::Uniform { min, max } | Dist::Triangular { min, max, .. } => (min, max),
        }
    }

    /// The largest magnitude the parameter plausibly takes (normal:
    /// |mean| + 6 sd): what the signal limit counts.
    pub fn size(&self) -> f64 {
        match *self {
            Dist::Fixed(v) => v.abs(),
            Dist::Normal { mean, sd } => mean.abs() + 6.0 * sd,
            Dist::Uniform { min, max } | Dist::Triangular { min, max, .. } => {
                min.abs().max(max.abs())
            }
        }
    }

    pub fn is_uncertain(&self) -> bool {
        !matches!(self, Dist::Fixed(_)) && !matches!(self, Dist::Normal { sd, .. } if *sd == 0.0)
    }
}

/// Where a field's values are meaningful; sampled values are clipped into it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Domain {
    Real,
    NonNegative,
    /// (0, 1]
    Rate,
}

impl Domain {
    pub fn clip(self, x: f64) -> f64 {
        match self {
            Domain::Real => x,
            Domain::NonNegative => x.max(0.0),
            Domain::Rate => x.clamp(RATE_FLOOR, 1.0),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Domain::Real => "a finite number",
            Domain::NonNegative => ">= 0",
            Domain::Rate => "in (0, 1]",
        }
    }
}

/// When a parameter is drawn: once per run, or afresh at every incident.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Draw {
    PerRun,
    PerOccurrence,
}

/// Pre-built sampler, so drawing never validates or allocates.
#[derive(Clone, Debug)]
enum Sampler {
    Fixed(f64),
    Normal(Normal<f64>),
    Uniform(Uniform<f64>),
    Triangular(Triangular<f64>),
}

#[derive(Clone, Debug)]
pub struct Param {
    /// The parameter's path in the scenario, e.g. `variables.trust.rate`.
    pub path: String,
    pub dist: Dist,
    pub domain: Domain,
    pub draw: Draw,
    sampler: Sampler,
}

impl Param {
    /// Builds a parameter; the distribution must already be validated
    /// (finite values, sd >= 0, min < max, min <= mode <= max).
    pub fn new(path: String, dist: Dist, domain: Domain, draw: Draw) -> Result<Self, String> {
        let sampler = match dist {
            Dist::Fixed(v) => Sampler::Fixed(v),
            Dist::Normal { mean, sd } => {
                Sampler::Normal(Normal::new(mean, sd).map_err(|e| e.to_string())?)
            }
            Dist::Uniform { min, max } => {
                Sampler::Uniform(Uniform::new_inclusive(min, max).map_err(|e| e.to_string())?)
            }
            Dist::Triangular { min, mode, max } => {
                Sampler::Triangular(Triangular::new(min, max, mode).map_err(|e| e.to_string())?)
            }
        };
        Ok(Param {
            path,
            dist,
            domain,
            draw,
            sampler,
        })
    }

    pub fn central(&self) -> f64 {
        self.domain.clip(self.dist.central())
    }

    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let x = match &self.sampler {
            Sampler::Fixed(v) => return *v,
            Sampler::Normal(d) => d.sample(rng),
            Sampler::Uniform(d) => d.sample(rng),
            Sampler::Triangular(d) => d.sample(rng),
        };
        self.domain.clip(x)
    }
}

/// A standard normal draw; kept here so the engine names one source of noise.
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    StandardNormal.sample(rng)
}
