//! The validated, compiled model. Everything is index-based: names live here
//! only for output; the engine reads numbers and indices.

pub mod allowed;
pub mod calendar;
pub mod joint;
pub mod observe;
pub mod param;
pub mod rule;

pub use allowed::Allowed;
pub use calendar::YearMonth;
pub use observe::{Evidence, Observation};
pub use param::{Dist, Domain, Draw, Param, ParamId};

/// Index of a variable (0..n_vars).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct VarId(pub usize);

/// Index of a source: variables first (0..n_vars), then drivers.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceId(pub usize);

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Response {
    Linear,
    Logistic,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Interpolation {
    Linear,
    Step,
}

#[derive(Clone, Debug)]
pub struct Variable {
    pub name: String,
    pub description: String,
    pub min: f64,
    pub max: f64,
    pub labels: Option<[String; 2]>,
    pub initial: ParamId,
    pub rate: ParamId,
    pub bias: ParamId,
    /// `bias = "equilibrium"`: each run computes its bias at the start so
    /// that its initial state is a fixed point (docs/FORMAT.md section 7).
    pub equilibrium: bool,
    pub noise: ParamId,
    pub response: Response,
}

#[derive(Clone, Debug)]
pub struct Driver {
    pub name: String,
    pub min: f64,
    pub max: f64,
    /// The path evaluated at every simulated month, before offset and clamping.
    pub path: Vec<f64>,
    pub offset: Option<ParamId>,
    /// The first month the offset acts (`offset_from`; 0 by default), so
    /// uncertainty about a driver's future leaves its history alone.
    pub offset_from: usize,
}

#[derive(Clone, Debug)]
pub struct Influence {
    /// The key as written, `"source -> target"` or `"a * b -> target"`.
    pub key: String,
    pub source: SourceId,
    /// For an interaction (`"a * b -> target"`), the second factor: the
    /// influence then carries weight × a × b.
    pub by: Option<SourceId>,
    pub target: VarId,
    pub weight: ParamId,
    pub lag: usize,
    pub evidence: Option<String>,
}

/// A scheduled, dated shock.
#[derive(Clone, Debug)]
pub struct Event {
    pub name: String,
    pub date: YearMonth,
    /// Month index within the horizon; `None` when the date lies outside it.
    pub month: Option<usize>,
    pub jumps: Vec<(VarId, ParamId)>,
    pub pressures: Vec<(VarId, ParamId)>,
    pub half_life: f64,
    /// Index into [`Model::decay_factors`].
    pub decay_class: usize,
    pub evidence: Option<String>,
}

/// A stochastic shock process: Poisson occurrences each month.
#[derive(Clone, Debug)]
pub struct Incident {
    pub name: String,
    pub base_rate: ParamId,
    pub rate_by: Vec<(SourceId, f64)>,
    /// Drawn afresh at each occurrence ([`Draw::PerOccurrence`]).
    pub jumps: Vec<(VarId, ParamId)>,
    pub pressures: Vec<(VarId, ParamId)>,
    pub decay_class: usize,
    /// First and last month index (inclusive) at which occurrences can happen.
    pub window: (usize, usize),
    pub evidence: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Band {
    pub name: String,
    /// Lower bound, inclusive (`-inf` when open).
    pub lo: f64,
    /// Upper bound, exclusive (`+inf` when open).
    pub hi: f64,
    /// The colour the author chose (`color = "#rrggbb"`), as red, green,
    /// blue; `None` leaves the charts' neutral palette.
    pub colour: Option<[u8; 3]>,
}

#[derive(Clone, Debug)]
pub struct Regimes {
    pub variable: VarId,
    pub bands: Vec<Band>,
}

impl Regimes {
    /// The band holding `x`; bands are contiguous and ordered, so this is the
    /// last band whose lower bound is <= x.
    pub fn band_of(&self, x: f64) -> usize {
        let mut idx = 0;
        for (i, b) in self.bands.iter().enumerate() {
            if x >= b.lo {
                idx = i;
            }
        }
        idx
    }

    /// [`Regimes::band_of`] of every value of `xs`, into `out`: the same
    /// rule written as one select per band over all values, which
    /// vectorises (ensembles fold a block of runs at a time).
    pub fn bands_of(&self, xs: &[f64], out: &mut [u8]) {
        debug_assert!(self.bands.len() <= usize::from(u8::MAX) + 1);
        out.fill(0);
        for (i, b) in self.bands.iter().enumerate() {
            for (o, &x) in out.iter_mut().zip(xs) {
                *o = if x >= b.lo { i as u8 } else { *o };
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct EnsembleSettings {
    pub runs: u64,
    pub seed: u64,
    pub quantiles: Vec<f64>,
    /// Condition the ensemble on the observations (a particle filter).
    pub condition: bool,
}

#[derive(Clone, Debug)]
pub struct Model {
    pub name: String,
    pub title: String,
    pub start: YearMonth,
    pub end: YearMonth,
    pub ensemble: EnsembleSettings,
    pub variables: Vec<Variable>,
    pub drivers: Vec<Driver>,
    pub params: Vec<Param>,
    pub influences: Vec<Influence>,
    /// Distinct lags, ascending (reported by `check`).
    pub lags: Vec<usize>,
    pub events: Vec<Event>,
    pub incidents: Vec<Incident>,
    /// Per-month decay factor 0.5^(1/half_life) of each distinct half-life.
    pub decay_factors: Vec<f64>,
    pub regimes: Option<Regimes>,
    /// What actually happened, in month order.
    pub observations: Vec<Observation>,
    /// Parameters every run takes jointly from a sample (`run --posterior`)
    /// instead of drawing them from their distributions.
    pub joint: Option<std::sync::Arc<joint::JointDraws>>,
}

impl Model {
    /// Number of simulated months, start and end inclusive.
    pub fn months(&self) -> usize {
        self.start.months_until(self.end) as usize + 1
    }

    pub fn n_vars(&self) -> usize {
        self.variables.len()
    }

    /// Variables plus drivers: the series every result file reports.
    pub fn n_sources(&self) -> usize {
        self.variables.len() + self.drivers.len()
    }

    pub fn date(&self, month: usize) -> YearMonth {
        self.start.plus_months(month)
    }

    pub fn source_name(&self, s: SourceId) -> &str {
        let nv = self.variables.len();
        if s.0 < nv {
            &self.variables[s.0].name
        } else {
            &self.drivers[s.0 - nv].name
        }
    }

    /// Bounds of a source (variable or driver).
    pub fn source_bounds(&self, s: usize) -> (f64, f64) {
        let nv = self.variables.len();
        if s < nv {
            (self.variables[s].min, self.variables[s].max)
        } else {
            (self.drivers[s - nv].min, self.drivers[s - nv].max)
        }
    }

    /// Every parameter at its central value: the deterministic run's inputs.
    pub fn central_params(&self) -> Vec<f64> {
        self.params.iter().map(Param::central).collect()
    }
}

/// Evaluates a driver's path at `month`: linear or step between points, flat
/// before the first and after the last point.
pub fn interpolate(points: &[(YearMonth, f64)], how: Interpolation, at: YearMonth) -> f64 {
    let Some(first) = points.first() else {
        return 0.0;
    };
    if at <= first.0 {
        return first.1;
    }
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        if at < b.0 {
            return match how {
                Interpolation::Step => a.1,
                Interpolation::Linear => {
                    let span = a.0.months_until(b.0) as f64;
                    let frac = a.0.months_until(at) as f64 / span;
                    a.1 + (b.1 - a.1) * frac
                }
            };
        }
    }
    points[points.len() - 1].1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    #[test]
    fn linear_interpolation_between_and_outside_points() {
        let pts = [
            (ym("2020-01"), 0.2),
            (ym("2020-05"), 0.6),
            (ym("2021-01"), 0.0),
        ];
        let f = |d| interpolate(&pts, Interpolation::Linear, ym(d));
        assert!((f("2019-06") - 0.2).abs() < 1e-12);
        assert!((f("2020-01") - 0.2).abs() < 1e-12);
        assert!((f("2020-02") - 0.3).abs() < 1e-12);
        assert!((f("2020-04") - 0.5).abs() < 1e-12);
        assert!((f("2020-05") - 0.6).abs() < 1e-12);
        assert!((f("2020-09") - 0.3).abs() < 1e-12);
        assert!((f("2025-01") - 0.0).abs() < 1e-12);
    }

    #[test]
    fn step_interpolation_holds_previous_point() {
        let pts = [(ym("2020-01"), 0.2), (ym("2020-05"), 0.6)];
        let f = |d| interpolate(&pts, Interpolation::Step, ym(d));
        assert_eq!(f("2020-04"), 0.2);
        assert_eq!(f("2020-05"), 0.6);
        assert_eq!(f("2030-05"), 0.6);
    }

    #[test]
    fn band_lookup_is_half_open() {
        let r = Regimes {
            variable: VarId(0),
            bands: vec![
                Band {
                    name: "low".into(),
                    lo: f64::NEG_INFINITY,
                    hi: 0.0,
                    colour: None,
                },
                Band {
                    name: "mid".into(),
                    lo: 0.0,
                    hi: 0.5,
                    colour: None,
                },
                Band {
                    name: "high".into(),
                    lo: 0.5,
                    hi: f64::INFINITY,
                    colour: None,
                },
            ],
        };
        assert_eq!(r.band_of(-0.1), 0);
        assert_eq!(r.band_of(0.0), 1);
        assert_eq!(r.band_of(0.49), 1);
        assert_eq!(r.band_of(0.5), 2);
    }
}
