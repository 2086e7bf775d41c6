//! The result files of `geosim calibrate` (docs/FORMAT.md section 25):
//! `fit.csv`, `profiles.csv`, `diagnostics.csv`, `calibrated.toml` and
//! `summary.json`. `posterior.csv` has its own module, since `run` reads it.

use serde_json::{Value, json};

use super::{num, round9};
use crate::inference::Free;
use crate::inference::calibrate::Calibration;
use crate::inference::likelihood::Method;
use crate::model::Model;
use crate::output::observations::csv_text;
use crate::output::posterior::dist_text;
use crate::stats::diagnostics::ChainSummary;

/// What the files record about the request.
pub struct Request<'a> {
    pub model: &'a Model,
    pub free: &'a [Free],
    pub method: Method,
    /// `map` or `mcmc`.
    pub kind: &'a str,
    pub starts: usize,
    pub grid: usize,
    pub seed: u64,
    /// The scenario hash `posterior.csv` carries.
    pub scenario_hash: &'a str,
    /// The command as typed, for `calibrated.toml`'s header.
    pub command: &'a str,
}

fn yes_no(b: bool) -> String {
    if b { "true".into() } else { "false".into() }
}

/// `fit.csv`: one row per parameter.
pub fn fit_csv(req: &Request<'_>, cal: &Calibration) -> String {
    let header = [
        "param",
        "prior_central",
        "estimate",
        "lo90",
        "hi90",
        "lo90_closed",
        "hi90_closed",
        "prior_lo90",
        "prior_hi90",
        "likelihood_range",
        "posterior_mean",
        "posterior_q05",
        "posterior_q95",
    ];
    let rows: Vec<Vec<String>> = req
        .free
        .iter()
        .zip(&cal.params)
        .map(|(f, e)| {
            let (plo, phi) = f.prior.interval(0.9);
            let post = |g: fn(&ChainSummary) -> f64| {
                e.posterior.as_ref().map_or(String::new(), |s| num(g(s)))
            };
            vec![
                f.path.clone(),
                num(f.prior.central()),
                num(e.estimate),
                num(e.interval.lo),
                num(e.interval.hi),
                yes_no(e.interval.lo_closed),
                yes_no(e.interval.hi_closed),
                num(plo),
                num(phi),
                num(e.likelihood_range),
                post(|s| s.mean),
                post(|s| s.q05),
                post(|s| s.q95),
            ]
        })
        .collect();
    csv_text(&[], &header, &rows)
}

/// `profiles.csv`: every profile point with the other parameters' values
/// there (the profiled one's column repeats `value`).
pub fn profiles_csv(req: &Request<'_>, cal: &Calibration) -> String {
    let mut header = vec![
        "param",
        "value",
        "log_posterior",
        "log_likelihood",
        "log_prior",
    ];
    header.extend(req.free.iter().map(|f| f.path.as_str()));
    let mut rows = Vec::new();
    for p in &cal.profiles {
        let j = p.param;
        for pt in &p.points {
            let mut x = pt.others.clone();
            x.insert(j.min(x.len()), pt.value);
            let mut row = vec![
                req.free[j].path.clone(),
                num(pt.value),
                num(pt.log_posterior),
                num(pt.log_likelihood),
                num(crate::inference::log_prior(req.free, &x)),
            ];
            row.extend(x.iter().map(|v| num(*v)));
            rows.push(row);
        }
    }
    csv_text(&[], &header, &rows)
}

/// `diagnostics.csv`: the posterior sample's summary per parameter and of
/// the log posterior.
pub fn diagnostics_csv(req: &Request<'_>, cal: &Calibration) -> String {
    let header = [
        "param", "mean", "sd", "q05", "q50", "q95", "rhat", "ess_bulk", "ess_tail",
    ];
    let row = |name: &str, s: &ChainSummary| {
        vec![
            name.to_string(),
            num(s.mean),
            num(s.sd),
            num(s.q05),
            num(s.q50),
            num(s.q95),
            num(s.rhat),
            num(s.ess_bulk),
            num(s.ess_tail),
        ]
    };
    let mut rows: Vec<Vec<String>> = req
        .free
        .iter()
        .zip(&cal.params)
        .filter_map(|(f, e)| e.posterior.as_ref().map(|s| row(&f.path, s)))
        .collect();
    if let Some(s) = &cal.log_posterior {
        rows.push(row("log_posterior", s));
    }
    csv_text(&[], &header, &rows)
}

/// `calibrated.toml`: the scenario as resolved, with every estimate set.
pub fn calibrated_toml(req: &Request<'_>, cal: &Calibration) -> String {
    let m = req.model;
    let mut out = format!(
        "# Written by geosim {} from: {}\n\
         # The scenario `{}` (scenario.resolved.toml beside this file) with the\n\
         # calibrated parameters set to their posterior mode (fit.csv has their\n\
         # 90 % intervals). A point estimate drops their uncertainty: to carry it\n\
         # into a forecast, run the original scenario with --posterior posterior.csv\n\
         # (from --method mcmc) instead.\n\n",
        crate::VERSION,
        req.command.replace(['\r', '\n'], " "),
        m.name
    );
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    out.push_str(&format!(
        "name = {}\n",
        quote(&format!("{}-calibrated", m.name))
    ));
    out.push_str(&format!(
        "title = {}\n",
        quote(&format!("{} (calibrated)", m.title))
    ));
    out.push_str("extends = \"scenario.resolved.toml\"\n\n[set]\n");
    for (f, e) in req.free.iter().zip(&cal.params) {
        out.push_str(&format!(
            "# prior {}; 90 % interval [{}, {}]\n{} = {:?}\n",
            dist_text(&f.prior.dist),
            num(e.interval.lo),
            num(e.interval.hi),
            quote(&f.path),
            e.estimate
        ));
    }
    out
}

/// `summary.json`.
pub fn summary_json(req: &Request<'_>, cal: &Calibration, observations: usize) -> String {
    let m = req.model;
    let params: Vec<Value> = req
        .free
        .iter()
        .zip(&cal.params)
        .map(|(f, e)| {
            let (plo, phi) = f.prior.interval(0.9);
            let mut v = json!({
                "param": f.path,
                "prior": dist_text(&f.prior.dist),
                "prior_central": round9(f.prior.central()),
                "prior_interval90": [round9(plo), round9(phi)],
                "estimate": round9(e.estimate),
                "interval90": [round9(e.interval.lo), round9(e.interval.hi)],
                "interval90_closed": [e.interval.lo_closed, e.interval.hi_closed],
                "likelihood_range": round9(e.likelihood_range),
            });
            if let Some(s) = &e.posterior {
                v["posterior"] = chain_json(s);
            }
            v
        })
        .collect();
    let (likelihood, particles) = match req.method {
        Method::Deterministic => ("deterministic", None),
        Method::Filter { particles, .. } => ("particle filter", Some(particles)),
    };
    let mut doc = json!({
        "scenario": m.name,
        "title": m.title,
        "command": "calibrate",
        "method": req.kind,
        "likelihood": likelihood,
        "likelihood_description": req.method.describe(),
        "particles": particles,
        "seed": req.seed,
        "observations": observations,
        "starts": req.starts,
        "profile_points": req.grid,
        "evaluations": cal.evaluations,
        "evaluations_by_step": {
            "mode": cal.evaluations_by_step[0],
            "profiles": cal.evaluations_by_step[1],
            "sample": cal.evaluations_by_step[2],
        },
        "best": {
            "log_posterior": round9(cal.fit.best.log_posterior),
            "log_likelihood": round9(cal.fit.best.log_likelihood),
        },
        "start_ends": cal.fit.starts.iter().map(|s| json!({
            "log_posterior": round9(s.log_posterior),
            "values": s.x.iter().map(|v| round9(*v)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "other_optima": cal.fit.other_optima,
        "parameters": params,
        "warnings": cal.warnings,
        "geosim_version": crate::VERSION,
        "provenance": {
            "geosim_version": crate::VERSION,
            "source_commit": env!("GEOSIM_COMMIT"),
            "rustc": env!("GEOSIM_RUSTC"),
            "target": env!("GEOSIM_TARGET"),
            "scenario_sha256": req.scenario_hash,
        },
    });
    if !cal.chains.is_empty() {
        doc["mcmc"] = json!({
            "chains": cal.chains.len(),
            "draws_per_chain": cal.chains[0].log_posterior.len(),
            "acceptance": cal.chains.iter().map(|c| round9(c.acceptance)).collect::<Vec<_>>(),
            "log_posterior": cal.log_posterior.as_ref().map(chain_json),
        });
    }
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn chain_json(s: &ChainSummary) -> Value {
    let r = |x: f64| x.is_finite().then(|| round9(x));
    json!({
        "mean": r(s.mean), "sd": r(s.sd), "q05": r(s.q05), "q50": r(s.q50), "q95": r(s.q95),
        "rhat": r(s.rhat), "ess_bulk": r(s.ess_bulk), "ess_tail": r(s.ess_tail),
    })
}
