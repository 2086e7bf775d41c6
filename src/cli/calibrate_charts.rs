//! The charts of `geosim calibrate`: profiles.png always, trace.png and
//! pairs.png with a posterior sample. Built from the calibration's results
//! into the chart data of `charts::calibration`.

use std::path::Path;

use crate::charts::Options;
use crate::charts::analysis::{self as charts, About};
use crate::charts::calibration::{PairsData, ProfilePanel, ProfilesData, TraceData};
use crate::error::Error;
use crate::inference::calibrate::Calibration;
use crate::inference::likelihood::Method;
use crate::inference::profile::DROP_90;
use crate::output::calibration::Request;

pub(super) fn write(
    dir: &Path,
    opts: Option<&Options>,
    req: &Request<'_>,
    cal: &Calibration,
) -> Result<(), Error> {
    let Some(opts) = opts else {
        return Ok(());
    };
    let m = req.model;
    let likelihood = match req.method {
        Method::Deterministic => "exact likelihood (deterministic run)".to_string(),
        Method::Filter { particles, .. } => format!("filter likelihood, {particles} runs"),
    };
    let details = vec![
        format!("{} observations", m.observations.len()),
        likelihood.clone(),
    ];
    let mode = format!("posterior mode from {} starts; {likelihood}", req.starts);
    let about = |metric: &str| About::new(m, metric, &mode, false, &details);
    charts::write(dir, "profiles", Some(opts), || {
        profiles(about("profile log posterior"), req, cal)
    })?;
    if cal.chains.is_empty() {
        return Ok(());
    }
    charts::write(dir, "trace", Some(opts), || {
        trace(about("posterior sample"), req, cal)
    })?;
    charts::write(dir, "pairs", Some(opts), || {
        pairs(about("posterior sample"), req, cal)
    })
}

fn profiles(about: About, req: &Request<'_>, cal: &Calibration) -> ProfilesData {
    let best = cal.fit.best.log_posterior;
    let panels = cal
        .profiles
        .iter()
        .zip(&cal.params)
        .map(|(p, e)| {
            let prior = &req.free[p.param].prior;
            let value: Vec<f64> = p.points.iter().map(|q| q.value).collect();
            let top = p.top(best);
            let log_prior: Vec<f64> = value.iter().map(|v| prior.log_density(*v)).collect();
            let prior_top = log_prior
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .fold(f64::NEG_INFINITY, f64::max);
            ProfilePanel {
                label: req.free[p.param].path.clone(),
                drop: p.points.iter().map(|q| q.log_posterior - top).collect(),
                prior_drop: log_prior.iter().map(|v| v - prior_top).collect(),
                value,
                estimate: e.estimate,
                interval: Some((e.interval.lo, e.interval.hi)),
                lo_closed: e.interval.lo_closed,
                hi_closed: e.interval.hi_closed,
                threshold: -DROP_90,
                prior_interval: prior.interval(0.9),
            }
        })
        .collect();
    ProfilesData { about, panels }
}

fn trace(about: About, req: &Request<'_>, cal: &Calibration) -> TraceData {
    let k = req.free.len();
    let mut params: Vec<String> = req.free.iter().map(|f| f.path.clone()).collect();
    params.push("log posterior".into());
    let mut chains: Vec<Vec<Vec<f64>>> = (0..k)
        .map(|j| cal.chains.iter().map(|c| c.column(j, k)).collect())
        .collect();
    chains.push(cal.chains.iter().map(|c| c.log_posterior.clone()).collect());
    let summaries = cal
        .params
        .iter()
        .map(|e| e.posterior.as_ref())
        .chain([cal.log_posterior.as_ref()]);
    let (rhat, ess) = summaries
        .map(|s| s.map_or((f64::NAN, f64::NAN), |s| (s.rhat, s.ess_bulk)))
        .unzip();
    TraceData {
        about,
        params,
        chains,
        rhat,
        ess,
    }
}

fn pairs(about: About, req: &Request<'_>, cal: &Calibration) -> PairsData {
    let k = req.free.len();
    PairsData {
        about,
        params: req.free.iter().map(|f| f.path.clone()).collect(),
        draws: (0..k)
            .map(|j| cal.chains.iter().flat_map(|c| c.column(j, k)).collect())
            .collect(),
        estimate: Some(cal.fit.best.x.clone()),
    }
}
