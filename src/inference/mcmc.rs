//! A posterior sample by adaptive random-walk Metropolis, several chains in
//! parallel, in the priors' free coordinates.
//!
//! With an exact (deterministic) likelihood this is Haario's adaptive
//! Metropolis: during warm-up the proposal's covariance follows the
//! chain's own draws and its scale is tuned toward an acceptance rate of
//! 0.234; after warm-up the proposal is frozen, so the kept draws come from
//! a fixed Markov kernel. With a filter likelihood it is particle-marginal
//! Metropolis–Hastings (Andrieu, Doucet & Holenstein 2010): every proposal
//! gets a fresh filter estimate with its own seed and the current state
//! keeps its estimate, which leaves the exact posterior invariant; the
//! target acceptance is lower (0.15) because the estimate's noise already
//! rejects some proposals.
//!
//! Each chain draws from its own generator and, for the filter, its own
//! seeds per iteration, so the sample does not depend on the thread count.

use nalgebra::{DMatrix, DVector};
use rand::RngExt;
use rayon::prelude::*;

use super::likelihood::Method;
use super::map::Target;
use super::{coordinates, log_prior, values};
use crate::engine::{RunRng, run_rng};
use crate::model::param::standard_normal;

/// How long and how many chains.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct McmcPlan {
    pub chains: usize,
    /// Iterations per chain spent adapting (discarded).
    pub warmup: usize,
    /// Draws kept per chain.
    pub draws: usize,
    pub seed: u64,
}

/// One chain's kept draws.
#[derive(Clone, Debug)]
pub struct Chain {
    /// draws × parameters, the parameters' values.
    pub x: Vec<f64>,
    /// Log posterior (log prior + log likelihood, the filter's estimate
    /// for a filter likelihood) of every draw.
    pub log_posterior: Vec<f64>,
    /// Share of the kept iterations whose proposal was accepted.
    pub acceptance: f64,
}

impl Chain {
    /// Parameter `j` across the chain's draws.
    pub fn column(&self, j: usize, k: usize) -> Vec<f64> {
        self.x.chunks(k).map(|row| row[j]).collect()
    }
}

/// The state of one chain: where it is, in free coordinates, and how
/// probable that is.
struct State {
    z: Vec<f64>,
    /// Log target in free coordinates (posterior + log Jacobian).
    target: f64,
    log_posterior: f64,
}

/// Samples the posterior of `target` from `start` (values; usually the
/// mode), with `scales` the initial proposal sd of every free coordinate.
pub fn sample(target: &Target<'_>, start: &[f64], scales: &[f64], plan: McmcPlan) -> Vec<Chain> {
    let z0 = coordinates(target.free, start);
    (0..plan.chains.max(1))
        .into_par_iter()
        .map(|c| run_chain(target, &z0, scales, plan, c as u64))
        .collect()
}

/// Evaluates the target at free coordinates `z` with the likelihood seed
/// `seed` (ignored by an exact likelihood).
fn evaluate(target: &Target<'_>, z: &[f64], seed: u64) -> State {
    let free = target.free;
    let x = values(free, z);
    let lp = log_prior(free, &x);
    let log_posterior = if lp.is_finite() {
        target.count(1);
        lp + target.lik.at_seeded(&x, seed)
    } else {
        f64::NEG_INFINITY
    };
    let jac: f64 = free
        .iter()
        .zip(z)
        .map(|(f, z)| f.prior.log_jacobian(*z))
        .sum();
    State {
        z: z.to_vec(),
        target: log_posterior + jac,
        log_posterior,
    }
}

fn run_chain(target: &Target<'_>, z0: &[f64], scales: &[f64], plan: McmcPlan, chain: u64) -> Chain {
    let k = z0.len();
    let mut rng = run_rng(plan.seed ^ 0x3C3C_A11E_D0C5, chain);
    let pseudo_marginal = matches!(target.lik.method(), Method::Filter { .. });
    let mut seeds = run_rng(plan.seed ^ 0x5EED_F11E_7E25, chain);
    let mut next_seed = move || seeds.random::<u64>() >> 1;
    let mut state = overdispersed_start(target, z0, scales, &mut rng, &mut next_seed);
    let accept_goal = if pseudo_marginal { 0.15 } else { 0.234 };
    let mut proposal = Proposal::new(scales);
    let mut moments = Moments::new(k);
    let total = plan.warmup + plan.draws;
    let (mut x, mut lps) = (
        Vec::with_capacity(plan.draws * k),
        Vec::with_capacity(plan.draws),
    );
    let mut accepted = 0usize;
    for it in 0..total {
        let step = proposal.draw(&mut rng);
        let z: Vec<f64> = state.z.iter().zip(&step).map(|(a, b)| a + b).collect();
        let cand = evaluate(target, &z, next_seed());
        let log_ratio = cand.target - state.target;
        let accept = log_ratio.is_finite() && rng.random::<f64>().ln() < log_ratio
            || log_ratio == f64::INFINITY;
        if accept {
            state = cand;
        }
        if it < plan.warmup {
            moments.add(&state.z);
            proposal.adapt(it, accept, accept_goal, &moments);
        } else {
            accepted += usize::from(accept);
            x.extend(values(target.free, &state.z));
            lps.push(state.log_posterior);
        }
    }
    Chain {
        x,
        log_posterior: lps,
        acceptance: accepted as f64 / plan.draws.max(1) as f64,
    }
}

/// A start away from the mode (two proposal scales off in every
/// coordinate), so that chains that agree at the end have agreed from
/// different places; closer in when the far start is impossible.
fn overdispersed_start(
    target: &Target<'_>,
    z0: &[f64],
    scales: &[f64],
    rng: &mut RunRng,
    next_seed: &mut impl FnMut() -> u64,
) -> State {
    let mut spread = 2.0;
    for _ in 0..30 {
        let z: Vec<f64> = z0
            .iter()
            .zip(scales)
            .map(|(z, s)| z + spread * s * standard_normal(rng))
            .collect();
        let s = evaluate(target, &z, next_seed());
        if s.target.is_finite() && s.log_posterior > super::likelihood::impossible(0.0) {
            return s;
        }
        spread *= 0.7;
    }
    evaluate(target, z0, next_seed())
}

/// Running mean and covariance of the warm-up draws (Welford).
struct Moments {
    n: f64,
    mean: DVector<f64>,
    m2: DMatrix<f64>,
}

impl Moments {
    fn new(k: usize) -> Self {
        Moments {
            n: 0.0,
            mean: DVector::zeros(k),
            m2: DMatrix::zeros(k, k),
        }
    }

    fn add(&mut self, z: &[f64]) {
        let z = DVector::from_column_slice(z);
        self.n += 1.0;
        let d = &z - &self.mean;
        self.mean += &d / self.n;
        let d2 = &z - &self.mean;
        self.m2 += &d * d2.transpose();
    }

    fn covariance(&self) -> Option<DMatrix<f64>> {
        (self.n > 2.0).then(|| &self.m2 / (self.n - 1.0))
    }
}

/// A Gaussian random-walk proposal: scale² · covariance, by its Cholesky
/// factor.
struct Proposal {
    log_scale: f64,
    chol: DMatrix<f64>,
    base: DMatrix<f64>,
}

impl Proposal {
    fn new(scales: &[f64]) -> Self {
        let k = scales.len();
        let base = DMatrix::from_diagonal(&DVector::from_iterator(
            k,
            scales.iter().map(|s| s.max(1e-6).powi(2)),
        ));
        let mut p = Proposal {
            log_scale: (2.38 / (k as f64).sqrt()).ln(),
            chol: DMatrix::identity(k, k),
            base,
        };
        p.refactor();
        p
    }

    fn refactor(&mut self) {
        let s2 = (2.0 * self.log_scale).exp();
        if let Some(c) = (&self.base * s2).cholesky() {
            self.chol = c.l();
        }
    }

    fn draw(&self, rng: &mut RunRng) -> Vec<f64> {
        let e = DVector::from_iterator(
            self.chol.nrows(),
            (0..self.chol.nrows()).map(|_| standard_normal(rng)),
        );
        (&self.chol * e).iter().copied().collect()
    }

    /// Warm-up only: the scale follows the acceptance (Robbins–Monro), and
    /// from iteration 100 on the shape follows the draws' covariance.
    fn adapt(&mut self, it: usize, accepted: bool, goal: f64, moments: &Moments) {
        let gain = 1.0 / ((it + 1) as f64).powf(0.6);
        self.log_scale += gain * (f64::from(u8::from(accepted)) - goal);
        self.log_scale = self.log_scale.clamp(-12.0, 4.0);
        if it >= 100
            && it.is_multiple_of(25)
            && let Some(cov) = moments.covariance()
        {
            let k = cov.nrows();
            let jitter = DMatrix::identity(k, k) * 1e-10;
            self.base = cov + jitter;
        }
        self.refactor();
    }
}
