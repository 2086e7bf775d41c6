//! Confronting a scenario with the record: which parameter values the
//! observations support (`geosim calibrate`: the posterior's mode, profile
//! likelihoods, a posterior sample) and how well the model would have
//! forecast what happened next (`geosim backtest`: proper scores against
//! reference forecasts).
//!
//! Every estimate starts from the scenario's own distributions, which act
//! as priors, and from the observations of the scenario (docs/FORMAT.md,
//! "Observations"); the likelihood is exact along the deterministic run
//! for a scenario without noise or incidents and the particle filter's
//! estimate otherwise (likelihood.rs).

pub mod backtest;
pub mod calibrate;
pub mod likelihood;
pub mod map;
pub mod mcmc;
pub mod prior;
pub mod profile;
pub mod reference;

use crate::analysis::params::{candidates, glob_match};
use crate::model::{Draw, Model, ParamId};
use crate::scenario::source::did_you_mean;
pub use prior::Prior;

/// One calibrated parameter.
#[derive(Clone, Debug)]
pub struct Free {
    pub id: ParamId,
    /// Its path in the scenario, e.g. `variables.trust.rate`.
    pub path: String,
    pub prior: Prior,
}

/// The parameters `globs` select for calibration (every uncertain
/// parameter drawn once per run when `globs` is empty), in model order.
/// A glob that matches nothing, or an exact path naming a parameter that
/// has no prior or is drawn at every incident, is an error that says why.
pub fn select(model: &Model, globs: &[String]) -> Result<Vec<Free>, String> {
    let prior_of = |id: ParamId| {
        let p = &model.params[id.0];
        Prior::new(&p.dist, p.domain, &model.allowed(id))
    };
    for g in globs {
        let exact = !g.contains('*');
        let all: Vec<(usize, &crate::model::Param)> = model
            .params
            .iter()
            .enumerate()
            .filter(|(_, p)| glob_match(g, &p.path))
            .collect();
        if all.is_empty() {
            let known: Vec<&str> = candidates(model).map(|(_, p)| p.path.as_str()).collect();
            let help = did_you_mean(g, known.iter().copied(), "parameters");
            return Err(format!(
                "--params {g} matches no parameter of `{}`; {help} (`geosim calibrate {} --list-params` lists them)",
                model.name, model.name
            ));
        }
        if exact && let Some((i, p)) = all.first() {
            if p.draw == Draw::PerOccurrence {
                return Err(format!(
                    "--params {g}: this value is drawn afresh at every incident, so the record cannot fix it; only values drawn once per run can be calibrated"
                ));
            }
            if prior_of(ParamId(*i)).is_none() {
                return Err(format!(
                    "--params {g} is a plain number in `{}` ({}): give it a distribution, its prior, to calibrate it (e.g. --set '{g}={{ dist = \"normal\", mean = {}, sd = … }}')",
                    model.name,
                    p.central(),
                    p.central()
                ));
            }
        }
    }
    let chosen: Vec<Free> = candidates(model)
        .filter(|(_, p)| globs.is_empty() || globs.iter().any(|g| glob_match(g, &p.path)))
        .filter_map(|(id, p)| {
            prior_of(id).map(|prior| Free {
                id,
                path: p.path.clone(),
                prior,
            })
        })
        .collect();
    if chosen.is_empty() {
        return Err(if globs.is_empty() {
            format!(
                "`{}` has no uncertain parameter to calibrate: every value is a plain number",
                model.name
            )
        } else {
            format!(
                "--params {} selects only plain numbers or values drawn at every incident: nothing has a prior to calibrate",
                globs.join(" --params ")
            )
        });
    }
    Ok(chosen)
}

/// The parameters' values at free coordinates `z`.
pub fn values(free: &[Free], z: &[f64]) -> Vec<f64> {
    free.iter()
        .zip(z)
        .map(|(f, z)| f.prior.from_free(*z))
        .collect()
}

/// The free coordinates of values `x`.
pub fn coordinates(free: &[Free], x: &[f64]) -> Vec<f64> {
    free.iter()
        .zip(x)
        .map(|(f, x)| f.prior.to_free(*x))
        .collect()
}

/// Log prior density of values `x` (the parameters are independent a priori).
pub fn log_prior(free: &[Free], x: &[f64]) -> f64 {
    free.iter()
        .zip(x)
        .map(|(f, x)| f.prior.log_density(*x))
        .sum()
}
