//! A function of k inputs in [0, 1] evaluated in batches over threads. The
//! sensitivity methods only see this trait, so they are tested on analytic
//! functions and run on scenarios alike.

use rayon::prelude::*;

use super::metric::Metric;
use super::params::ParamRange;
use crate::engine::{Mode, Workspace, run_rng, simulate};
use crate::model::Model;

pub trait Objective: Sync {
    /// Number of inputs.
    fn k(&self) -> usize;
    /// Values at `points` (row-major, k per point), in order.
    fn eval_batch(&self, points: &[f64]) -> Vec<f64>;
}

/// An analytic function, for tests and benchmarks of the methods.
pub struct FnObjective<F: Fn(&[f64]) -> f64 + Sync> {
    pub k: usize,
    pub f: F,
}

impl<F: Fn(&[f64]) -> f64 + Sync> Objective for FnObjective<F> {
    fn k(&self) -> usize {
        self.k
    }
    fn eval_batch(&self, points: &[f64]) -> Vec<f64> {
        points.par_chunks(self.k).map(|p| (self.f)(p)).collect()
    }
}

/// A scenario's metric as a function of the selected parameters.
///
/// With `runs == 0` each evaluation is the deterministic run (the other
/// parameters at their central values). Otherwise it is the mean of the
/// metric over `runs` stochastic runs that share their random numbers across
/// evaluations (run r always uses generator (seed, r)), so differences
/// between points come from the parameters, not from sampling noise.
pub struct ModelObjective<'a> {
    pub model: &'a Model,
    pub metric: Metric,
    pub params: Vec<ParamRange>,
    pub runs: u64,
    pub seed: u64,
}

impl ModelObjective<'_> {
    fn set_params(&self, ws: &mut Workspace, unit: &[f64]) {
        for (p, u) in self.params.iter().zip(unit) {
            ws.params[p.id.0] = p.at(*u);
        }
    }

    /// The metric at one point, in a caller-provided workspace.
    pub fn eval(&self, ws: &mut Workspace, unit: &[f64]) -> f64 {
        if self.runs == 0 {
            ws.central_params(self.model);
            self.set_params(ws, unit);
            let mut rng = run_rng(0, 0);
            simulate(self.model, ws, &mut rng, Mode::Deterministic);
            return self.metric.of(self.model, &ws.trajectory);
        }
        let mut sum = 0.0;
        for r in 0..self.runs {
            let mut rng = run_rng(self.seed, r);
            ws.sample_params(self.model, &mut rng);
            self.set_params(ws, unit);
            simulate(self.model, ws, &mut rng, Mode::Stochastic);
            sum += self.metric.of(self.model, &ws.trajectory);
        }
        sum / self.runs as f64
    }

    /// The metric of each of `runs` stochastic runs at one point (for bands).
    pub fn eval_runs(&self, ws: &mut Workspace, unit: &[f64], out: &mut Vec<f64>) {
        out.clear();
        for r in 0..self.runs.max(1) {
            let mut rng = run_rng(self.seed, r);
            ws.sample_params(self.model, &mut rng);
            self.set_params(ws, unit);
            simulate(self.model, ws, &mut rng, Mode::Stochastic);
            out.push(self.metric.of(self.model, &ws.trajectory));
        }
    }

    /// Central values of the selected parameters, as a unit point.
    pub fn central_unit(&self) -> Vec<f64> {
        self.params
            .iter()
            .map(|p| ((p.central - p.lo) / (p.hi - p.lo)).clamp(0.0, 1.0))
            .collect()
    }
}

impl Objective for ModelObjective<'_> {
    fn k(&self) -> usize {
        self.params.len()
    }
    fn eval_batch(&self, points: &[f64]) -> Vec<f64> {
        let k = self.k().max(1);
        points
            .par_chunks(k)
            .map_init(|| Workspace::new(self.model), |ws, p| self.eval(ws, p))
            .collect()
    }
}

/// Runs `f` on a pool of `threads` threads (rayon's global pool is not used,
/// so `--threads` is honoured).
pub fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> Result<T, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| e.to_string())?;
    Ok(pool.install(f))
}
