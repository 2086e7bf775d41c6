//! How likely the record is at given values of the calibrated parameters:
//! log p(observations | θ).
//!
//! A scenario without noise and incidents has one trajectory per θ, and the
//! likelihood is exact: the product of the observations' likelihoods along
//! the deterministic run (every other parameter at its central value).
//! With noise or incidents the trajectory is random, and the particle
//! filter estimates the likelihood, integrating over the noise, the
//! incidents and the other uncertain parameters. With one seed for every θ
//! (common random numbers) the estimate is a fixed, smooth-enough function
//! of θ for an optimiser; a sampler instead draws a fresh seed for every
//! proposal, which keeps particle-marginal Metropolis–Hastings exact.

use rayon::prelude::*;

use super::Free;
use crate::engine::block::{Block, Schedule};
use crate::engine::filter::{FilterPlan, filter};
use crate::model::{Model, ParamId};

/// How the likelihood is computed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Method {
    /// Along the deterministic run: exact for a scenario without noise and
    /// incidents.
    Deterministic,
    /// The particle filter's estimate with `particles` runs.
    Filter { particles: u64, seed: u64 },
}

impl Method {
    /// Deterministic for a scenario whose runs differ only through the
    /// uncertain parameters (no noise, no incidents); the filter otherwise.
    pub fn for_model(model: &Model, particles: u64, seed: u64) -> Method {
        if is_deterministic(model) {
            Method::Deterministic
        } else {
            Method::Filter { particles, seed }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Method::Deterministic => "exact, along the deterministic run".into(),
            Method::Filter { particles, .. } => {
                format!("particle filter estimate with {particles} runs")
            }
        }
    }
}

/// Whether every run of `model` follows the same path when its parameters
/// agree: no variable has noise and no incident can occur.
pub fn is_deterministic(model: &Model) -> bool {
    let noisy = model.variables.iter().any(|v| {
        let p = &model.params[v.noise.0];
        p.dist.is_uncertain() || p.central() != 0.0
    });
    let incidents = model.incidents.iter().any(|i| {
        let p = &model.params[i.base_rate.0];
        p.dist.is_uncertain() || p.central() != 0.0 || !i.rate_by.is_empty()
    });
    !noisy && !incidents
}

/// The cost an optimiser sees where the record is impossible (a hard
/// interval no run meets): huge, but growing with the distance to the
/// nearest compatible value, so the search is led back.
pub fn impossible(miss: f64) -> f64 {
    -1e6 * (1.0 + miss.abs().min(1e12))
}

/// log p(record | θ) for one scenario and one set of calibrated parameters.
pub struct Likelihood<'m> {
    model: &'m Model,
    ids: Vec<ParamId>,
    method: Method,
    schedule: Schedule,
    /// The last month with an observation: no run needs to go further.
    last: usize,
}

/// Deterministic evaluations run this many points as the lanes of one block.
const LANES: usize = 64;

impl<'m> Likelihood<'m> {
    pub fn new(model: &'m Model, free: &[Free], method: Method) -> Self {
        Likelihood {
            model,
            ids: free.iter().map(|f| f.id).collect(),
            method,
            schedule: Schedule::new(model),
            last: model
                .observations
                .iter()
                .map(|o| o.month)
                .max()
                .unwrap_or(0),
        }
    }

    pub fn model(&self) -> &'m Model {
        self.model
    }

    pub fn method(&self) -> Method {
        self.method
    }

    /// log p(record | θ); with the filter, for its own seed. Where the record
    /// is impossible, a very negative finite value ([`impossible`]).
    pub fn at(&self, theta: &[f64]) -> f64 {
        match self.method {
            Method::Deterministic => {
                let mut out = [0.0];
                self.deterministic(theta, &mut out);
                out[0]
            }
            Method::Filter { particles, seed } => self.filtered(theta, particles, seed),
        }
    }

    /// The filter's estimate at θ with the random numbers of `seed` (a
    /// deterministic likelihood ignores the seed).
    pub fn at_seeded(&self, theta: &[f64], seed: u64) -> f64 {
        match self.method {
            Method::Deterministic => self.at(theta),
            Method::Filter { particles, .. } => self.filtered(theta, particles, seed),
        }
    }

    /// The likelihood at many points (row-major, one value per calibrated
    /// parameter), in order, over the current rayon pool.
    pub fn many(&self, points: &[f64]) -> Vec<f64> {
        let k = self.ids.len().max(1);
        match self.method {
            Method::Deterministic => points
                .par_chunks(k * LANES)
                .flat_map_iter(|chunk| {
                    let mut out = vec![0.0; chunk.len() / k];
                    self.deterministic(chunk, &mut out);
                    out
                })
                .collect(),
            Method::Filter { .. } => points.chunks(k).map(|p| self.at(p)).collect(),
        }
    }

    /// Runs the points of `thetas` as the lanes of one block along the
    /// deterministic run, leaving each one's log-likelihood in `out`.
    fn deterministic(&self, thetas: &[f64], out: &mut [f64]) {
        let (model, k) = (self.model, self.ids.len().max(1));
        let lanes = out.len();
        let mut block = Block::new(model, &self.schedule, lanes);
        block.load_central(lanes);
        for (lane, theta) in thetas.chunks(k).enumerate().take(lanes) {
            for (id, v) in self.ids.iter().zip(theta) {
                block.set_param(lane, *id, *v);
            }
        }
        out.fill(0.0);
        let mut miss = vec![0.0; lanes];
        let mut next = 0;
        let observations = &model.observations;
        block.start();
        loop {
            let t = block.month();
            let row = block.row(t);
            while let Some(o) = observations.get(next).filter(|o| o.month == t) {
                let xs = &row[o.series.0 * lanes..(o.series.0 + 1) * lanes];
                for ((l, m), &x) in out.iter_mut().zip(miss.iter_mut()).zip(xs) {
                    let ll = o.log_likelihood(x);
                    if ll.is_finite() {
                        *l += ll;
                    } else {
                        *m += o.miss(x);
                    }
                }
                next += 1;
            }
            if t >= self.last {
                break;
            }
            block.step();
        }
        for (l, m) in out.iter_mut().zip(&miss) {
            if *m > 0.0 || !l.is_finite() {
                *l = impossible(*m);
            }
        }
    }

    fn filtered(&self, theta: &[f64], particles: u64, seed: u64) -> f64 {
        let fixed: Vec<(ParamId, f64)> = self
            .ids
            .iter()
            .copied()
            .zip(theta.iter().copied())
            .collect();
        let plan = FilterPlan {
            runs: particles,
            seed,
            fixed: &fixed,
            statistics: false,
            capture: &[],
        };
        match filter(self.model, &plan) {
            Ok(out) => out.conditioning.log_evidence,
            Err(e) => impossible(e.closest),
        }
    }
}
