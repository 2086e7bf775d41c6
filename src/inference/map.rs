//! The posterior's mode (MAP): the parameter values that make the record
//! and the priors most probable together, by Nelder–Mead (argmin) in the
//! priors' free coordinates, from several starts.
//!
//! Nelder–Mead needs no gradient, which matters here: a filter likelihood
//! with common random numbers is piecewise smooth (a resampling step flips
//! where a particle is copied), and a finite-difference gradient of it is
//! noise. The mode is the mode of the density over the parameter values,
//! not over the free coordinates (no Jacobian), so it does not depend on
//! how the coordinates are chosen.

use std::sync::atomic::{AtomicU64, Ordering};

use argmin::core::{CostFunction, Error as ArgminError, Executor, State};
use argmin::solver::neldermead::NelderMead;
use rand::RngExt;
use rayon::prelude::*;

use super::likelihood::Likelihood;
use super::{Free, coordinates, log_prior, values};
use crate::engine::run_rng;

/// The posterior of the calibrated parameters, up to a constant.
pub struct Target<'a> {
    pub free: &'a [Free],
    pub lik: &'a Likelihood<'a>,
    /// Likelihood evaluations so far.
    evaluations: AtomicU64,
}

impl<'a> Target<'a> {
    pub fn new(free: &'a [Free], lik: &'a Likelihood<'a>) -> Self {
        Target {
            free,
            lik,
            evaluations: AtomicU64::new(0),
        }
    }

    /// (log posterior, log likelihood) at values `x`; the likelihood is
    /// not computed where the prior rules `x` out.
    pub fn at(&self, x: &[f64]) -> (f64, f64) {
        let lp = log_prior(self.free, x);
        if !lp.is_finite() {
            return (f64::NEG_INFINITY, f64::NAN);
        }
        self.evaluations.fetch_add(1, Ordering::Relaxed);
        let ll = self.lik.at(x);
        (lp + ll, ll)
    }

    /// Likelihood evaluations made through this target so far.
    pub fn evaluations(&self) -> u64 {
        self.evaluations.load(Ordering::Relaxed)
    }

    /// Counts evaluations made elsewhere (batched) against this target.
    pub fn count(&self, n: u64) {
        self.evaluations.fetch_add(n, Ordering::Relaxed);
    }
}

/// A point and how probable it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub x: Vec<f64>,
    pub log_posterior: f64,
    pub log_likelihood: f64,
}

/// What the search found: the best of its starts, and every start's end.
#[derive(Clone, Debug)]
pub struct Fit {
    pub best: Estimate,
    pub starts: Vec<Estimate>,
    /// Starts that ended at a clearly different optimum from the best
    /// (log posterior lower by more than 0.5): the posterior has several modes
    /// or the search stalled.
    pub other_optima: usize,
}

/// The cost Nelder–Mead minimises: −log posterior, with some coordinates
/// held fixed.
struct Cost<'t, 'a> {
    target: &'t Target<'a>,
    /// The full free coordinates; the moving ones are overwritten.
    template: Vec<f64>,
    moving: Vec<usize>,
}

impl CostFunction for Cost<'_, '_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, p: &Self::Param) -> Result<f64, ArgminError> {
        let mut z = self.template.clone();
        for (&i, v) in self.moving.iter().zip(p) {
            z[i] = *v;
        }
        let (lp, _) = self.target.at(&values(self.target.free, &z));
        // Nelder–Mead compares costs; a finite stand-in keeps it ordered.
        Ok(if lp.is_finite() { -lp } else { 1e300 })
    }
}

/// How hard one Nelder–Mead search tries.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Effort {
    /// Initial simplex edge, in free coordinates.
    pub step: f64,
    /// Stop when the simplex's costs (log posteriors) differ by less.
    pub tolerance: f64,
    /// Iterations per moving coordinate and round.
    pub iterations: u64,
    /// Restarts from the result at most this often (Nelder–Mead can stall
    /// on a collapsed simplex; a fresh one around the result cures that).
    pub rounds: usize,
}

/// The search for the mode: thorough, since everything else starts there.
pub const MODE: Effort = Effort {
    step: 0.5,
    tolerance: 1e-7,
    iterations: 250,
    rounds: 4,
};

/// A profile point starts next to its optimum (from a neighbour's), and
/// the profile only needs to resolve log-posterior differences of about
/// 0.01 against the 1.35 that bounds an interval.
pub const PROFILE: Effort = Effort {
    step: 0.2,
    tolerance: 1e-3,
    iterations: 60,
    rounds: 2,
};

/// Nelder–Mead over the coordinates `moving` of free coordinates `z0`
/// (the others stay), restarted from its own result until a restart no
/// longer improves it or `effort.rounds` are done.
pub fn optimize(target: &Target<'_>, z0: &[f64], moving: &[usize], effort: Effort) -> Estimate {
    let mut z = z0.to_vec();
    let finish = |z: &[f64]| {
        let x = values(target.free, z);
        let (lp, ll) = target.at(&x);
        Estimate {
            x,
            log_posterior: lp,
            log_likelihood: ll,
        }
    };
    if moving.is_empty() {
        return finish(&z);
    }
    let mut best = f64::INFINITY;
    let mut edge = effort.step;
    for _round in 0..effort.rounds {
        let start: Vec<f64> = moving.iter().map(|&i| z[i]).collect();
        let mut simplex = vec![start.clone()];
        for j in 0..start.len() {
            let mut p = start.clone();
            p[j] += edge;
            simplex.push(p);
        }
        let cost = Cost {
            target,
            template: z.clone(),
            moving: moving.to_vec(),
        };
        let Ok(solver) = NelderMead::new(simplex).with_sd_tolerance(effort.tolerance) else {
            break;
        };
        let iters = effort.iterations * moving.len() as u64;
        let Ok(res) = Executor::new(cost, solver)
            .configure(|s| s.max_iters(iters))
            .run()
        else {
            break;
        };
        let found = res.state.get_best_cost();
        if let Some(p) = res.state.get_best_param() {
            for (&i, v) in moving.iter().zip(p) {
                z[i] = *v;
            }
        }
        let improved = best - found;
        best = best.min(found);
        if improved.is_finite() && improved < 1e-6 {
            break;
        }
        edge = (edge * 0.3).max(0.02);
    }
    finish(&z)
}

/// The mode, searched from the priors' central values and from
/// `starts − 1` further points drawn from the central 80 % of the priors
/// (seeded with `seed`), in parallel.
pub fn maximize(target: &Target<'_>, starts: usize, seed: u64) -> Fit {
    let k = target.free.len();
    let moving: Vec<usize> = (0..k).collect();
    let points: Vec<Vec<f64>> = (0..starts.max(1))
        .map(|s| {
            if s == 0 {
                let x: Vec<f64> = target.free.iter().map(|f| f.prior.central()).collect();
                return coordinates(target.free, &x);
            }
            let mut rng = run_rng(seed ^ 0x0057_A275_EED5, s as u64);
            let x: Vec<f64> = target
                .free
                .iter()
                .map(|f| f.prior.quantile(0.1 + 0.8 * rng.random::<f64>()))
                .collect();
            coordinates(target.free, &x)
        })
        .collect();
    let ends: Vec<Estimate> = points
        .par_iter()
        .map(|z| optimize(target, z, &moving, MODE))
        .collect();
    let best = ends
        .iter()
        .max_by(|a, b| a.log_posterior.total_cmp(&b.log_posterior))
        .cloned()
        .expect("at least one start");
    let other_optima = ends
        .iter()
        .filter(|e| e.log_posterior < best.log_posterior - 0.5)
        .count();
    Fit {
        best,
        starts: ends,
        other_optima,
    }
}
