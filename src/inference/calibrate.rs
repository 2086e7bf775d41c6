//! A whole calibration, as `geosim calibrate` runs it: the mode from
//! several starts, a profile of every parameter (its 90 % interval and how
//! much the likelihood varies along it) and, if asked, a posterior sample
//! with its diagnostics. The steps share one likelihood, so their
//! evaluations are counted together.

use super::Free;
use super::likelihood::{Likelihood, Method};
use super::map::{Fit, Target, maximize};
use super::mcmc::{self, Chain, McmcPlan};
use super::profile::{DROP_90, Interval, Profile, profiles};
use crate::model::Model;
use crate::stats::diagnostics::{ChainSummary, summary};

/// What to compute.
#[derive(Copy, Clone, Debug)]
pub struct Plan {
    pub method: Method,
    pub starts: usize,
    /// Profile points per parameter (at least 2).
    pub grid: usize,
    pub mcmc: Option<McmcPlan>,
    pub seed: u64,
}

/// One parameter's result.
#[derive(Clone, Debug)]
pub struct Estimated {
    pub estimate: f64,
    /// The 90 % profile interval.
    pub interval: Interval,
    /// How far the log likelihood varies along the profile: below
    /// [`DROP_90`] the record barely informs the parameter.
    pub likelihood_range: f64,
    /// The posterior sample's summary, with `--method mcmc`.
    pub posterior: Option<ChainSummary>,
}

/// Everything a calibration found.
pub struct Calibration {
    pub fit: Fit,
    pub profiles: Vec<Profile>,
    pub params: Vec<Estimated>,
    pub chains: Vec<Chain>,
    /// The log posterior's summary over the sample (R-hat and ESS too).
    pub log_posterior: Option<ChainSummary>,
    /// Likelihood evaluations (filter runs or deterministic runs) in
    /// total, and by the mode search, the profiles and the sampler.
    pub evaluations: u64,
    pub evaluations_by_step: [u64; 3],
    /// Reasons to distrust the result, in words.
    pub warnings: Vec<String>,
}

/// Calibrates `free` against the observations of `model` under `plan`, on
/// the current rayon pool.
pub fn calibrate(model: &Model, free: &[Free], plan: &Plan) -> Calibration {
    let lik = Likelihood::new(model, free, plan.method);
    let target = Target::new(free, &lik);
    let fit = maximize(&target, plan.starts, plan.seed);
    let after_mode = target.evaluations();
    let profiles = profiles(&target, &fit, plan.grid);
    let after_profiles = target.evaluations();
    let mut warnings = Vec::new();
    if fit.best.log_likelihood <= super::likelihood::impossible(0.0) {
        warnings.push(
            "no value tried makes the record possible: a hard interval or band observation excludes every run at the best point (see the observations in summary.json)".to_string(),
        );
    }
    if fit.other_optima > 0 {
        warnings.push(format!(
            "{} of {} starts ended at a clearly lower optimum: the posterior may have several modes; compare the starts in summary.json",
            fit.other_optima,
            fit.starts.len()
        ));
    }
    let mut params: Vec<Estimated> = profiles
        .iter()
        .map(|p| {
            let j = p.param;
            Estimated {
                estimate: fit.best.x[j],
                interval: p.interval(fit.best.log_posterior, DROP_90),
                likelihood_range: p.likelihood_range(),
                posterior: None,
            }
        })
        .collect();
    let weak: Vec<String> = free
        .iter()
        .zip(&params)
        .filter(|(_, e)| e.likelihood_range < DROP_90)
        .map(|(f, e)| format!("{} ({:.2})", f.path, e.likelihood_range))
        .collect();
    if !weak.is_empty() {
        warnings.push(format!(
            "the record barely informs {}: the log likelihood varies by less than {DROP_90:.2} along their profiles (in brackets), so their intervals are mostly the priors'",
            weak.join(", ")
        ));
    }
    let mut chains = Vec::new();
    let mut log_posterior = None;
    if let Some(mplan) = plan.mcmc {
        let scales = proposal_scales(free, &params);
        chains = mcmc::sample(&target, &fit.best.x, &scales, mplan);
        let k = free.len();
        for (j, e) in params.iter_mut().enumerate() {
            let cols: Vec<Vec<f64>> = chains.iter().map(|c| c.column(j, k)).collect();
            let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
            e.posterior = Some(summary(&refs));
        }
        let lps: Vec<&[f64]> = chains.iter().map(|c| c.log_posterior.as_slice()).collect();
        log_posterior = Some(summary(&lps));
        warnings.extend(sampler_warnings(free, &params, mplan));
    }
    Calibration {
        fit,
        profiles,
        params,
        chains,
        log_posterior,
        evaluations: target.evaluations(),
        evaluations_by_step: [
            after_mode,
            after_profiles - after_mode,
            target.evaluations() - after_profiles,
        ],
        warnings,
    }
}

/// The sampler's first proposal sd in each free coordinate: the profile
/// interval's width there over 3.29 (a normal's 90 % interval is 3.29 sd),
/// or half a unit where the interval is degenerate.
fn proposal_scales(free: &[Free], params: &[Estimated]) -> Vec<f64> {
    free.iter()
        .zip(params)
        .map(|(f, e)| {
            let w = f.prior.to_free(e.interval.hi) - f.prior.to_free(e.interval.lo);
            if w.is_finite() && w > 1e-6 {
                w / 3.29
            } else {
                0.5
            }
        })
        .collect()
}

/// Below these the sample is not trusted (Vehtari et al. 2021: R-hat at
/// most 1.01 and a bulk ESS of at least 100 per chain).
pub const RHAT_MAX: f64 = 1.01;
pub const ESS_PER_CHAIN: f64 = 100.0;

fn sampler_warnings(free: &[Free], params: &[Estimated], plan: McmcPlan) -> Vec<String> {
    let need = ESS_PER_CHAIN * plan.chains as f64;
    let (mut mixing, mut short) = (Vec::new(), Vec::new());
    for (f, e) in free.iter().zip(params) {
        let Some(s) = &e.posterior else { continue };
        if s.rhat.is_nan() || s.rhat > RHAT_MAX {
            mixing.push(format!("{} ({:.3})", f.path, s.rhat));
        }
        if s.ess_bulk.is_nan() || s.ess_bulk < need {
            short.push(format!("{} ({:.0})", f.path, s.ess_bulk));
        }
    }
    let mut out = Vec::new();
    if !mixing.is_empty() {
        out.push(format!(
            "R-hat above {RHAT_MAX} (the chains disagree) for {}: run longer (--warmup, --draws)",
            mixing.join(", ")
        ));
    }
    if !short.is_empty() {
        out.push(format!(
            "bulk effective sample size below {need:.0} ({ESS_PER_CHAIN} per chain) for {}: run longer (--draws)",
            short.join(", ")
        ));
    }
    out
}
