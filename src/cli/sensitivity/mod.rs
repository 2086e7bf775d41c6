//! `geosim sensitivity`: which assumption matters most.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::common;
use crate::analysis::evaluate::{Plan, with_threads};
use crate::analysis::metric::Metric;
use crate::analysis::objective::ModelObjective;
use crate::analysis::{morris, oat, params, sobol};
use crate::charts::analysis::{self as charts, About, ChartArgs};
use crate::charts::morris::MorrisData;
use crate::charts::sobol::SobolData;
use crate::charts::tornado::TornadoData;
use crate::error::Error;
use crate::output::{analysis as out, atomic};
use crate::scenario;

pub const SENSITIVITY_EXAMPLES: &str = "\
Examples:
  geosim sensitivity baseline --list-params
  geosim sensitivity baseline                                   # one-at-a-time, all parameters
  geosim sensitivity baseline --method morris --samples 40
  geosim sensitivity baseline --method sobol --samples 1024 --metric 'mean:alignment@2026-01..2030-12'
  geosim sensitivity baseline --params 'influences.*' --params 'variables.*.rate'
  geosim sensitivity baseline --metric share:proxy@2030-12 --runs 200

Parameters are the uncertain-capable fields of the scenario, named by path. Each is
varied over its distribution's support (normal: mean ± 2 sd) or ± --spread of a plain
number, clipped to its valid range. The metric is computed on the deterministic run
(other parameters at their central values) unless --runs N > 0, in which case it is the
mean over N stochastic runs that share their random numbers across samples.

Writes the table and a chart to output/<scenario>-sensitivity-<method>/:
  oat     oat.csv, tornado.png   bars from the metric at central values to the metric at
                                 each parameter's low and high end, largest swing on top
  morris  morris.csv, morris.png μ* against σ, the 12 largest numbered and named in a key
  sobol   sobol.csv, sobol.png   first-order and total indices with bootstrap 95% intervals
At most the 20 largest parameters are charted. --no-charts skips the chart; --format svg
and --size WxH work as for `geosim run`.";

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// One at a time: each parameter at both ends of its range (tornado)
    Oat,
    /// Morris elementary effects: screening (μ*, σ)
    Morris,
    /// Sobol first-order and total indices, Saltelli sampling, bootstrap 95% CIs
    Sobol,
}

#[derive(Args, Debug)]
pub struct SensitivityArgs {
    /// Scenario name or path to a .toml file
    pub scenario: String,
    #[arg(long, value_enum, default_value_t = Method::Oat)]
    pub method: Method,
    /// VARIABLE@YYYY-MM, mean:VARIABLE@YYYY-MM..YYYY-MM or share:BAND@YYYY-MM (default: regime variable at the end)
    #[arg(long)]
    pub metric: Option<String>,
    /// Parameters to vary, as globs over their paths (`*` matches anything); repeatable; default all
    #[arg(long = "params", value_name = "GLOB")]
    pub params: Vec<String>,
    /// Sobol: base samples N (N·(k+2) evaluations); Morris: trajectories
    #[arg(long)]
    pub samples: Option<usize>,
    /// Range of a plain-number parameter: ± this share of its value
    #[arg(long, default_value_t = 0.25)]
    pub spread: f64,
    /// Stochastic runs per evaluation; 0 = the deterministic run (default: 0, or 100 for share: metrics)
    #[arg(long)]
    pub runs: Option<u64>,
    /// Seed of the samples and of the runs
    #[arg(long)]
    pub seed: Option<u64>,
    /// Print the parameter names and their ranges, and stop
    #[arg(long)]
    pub list_params: bool,
    /// Override a value after merging (repeatable)
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Results folder (default: output/<scenario>-sensitivity-<method>)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long)]
    pub threads: Option<usize>,
    /// No table on stdout
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
}

pub fn sensitivity(args: &SensitivityArgs) -> Result<(), Error> {
    let scen = scenario::load(&args.scenario, &args.sets)?;
    let m = &scen.model;
    if !(args.spread.is_finite() && args.spread >= 0.0) {
        return Err(Error::usage("--spread must be a number >= 0", None));
    }
    if args.list_params {
        let mut text = String::new();
        for (_, p) in params::candidates(m) {
            let (lo, hi) = params::range_of(&p.dist, p.domain, args.spread);
            text.push_str(&format!("{}  [{lo}, {hi}]\n", p.path));
        }
        return super::print(&text);
    }
    let selected = params::select(m, &args.params, args.spread);
    if selected.is_empty() {
        return Err(Error::usage(
            "no parameter to vary: no parameter matches --params, or all matching ones have an empty range",
            Some("`geosim sensitivity <scenario> --list-params` lists the names and ranges".into()),
        ));
    }
    let (metric, metric_name) = match &args.metric {
        Some(t) => Metric::parse(t, m).map_err(|e| Error::usage(format!("--metric: {e}"), None))?,
        None => Metric::default_for(m),
    };
    let runs = args
        .runs
        .unwrap_or(if metric.wants_ensemble() { 100 } else { 0 });
    let seed = args.seed.unwrap_or(m.ensemble.seed);
    let k = selected.len();
    let samples = args.samples.unwrap_or(match args.method {
        Method::Sobol => 1024,
        _ => 20,
    });
    if samples == 0 {
        return Err(Error::usage("--samples must be at least 1", None));
    }
    // In floating point, so a huge --samples cannot wrap around the check.
    let (k_f, samples_f) = (k as f64, samples as f64);
    let evaluations = match args.method {
        Method::Oat => 2.0 * k_f + 1.0,
        Method::Morris => samples_f * (k_f + 1.0),
        Method::Sobol => samples_f * (k_f + 2.0),
    };
    // The sample points held at once.
    let points = k_f
        * match args.method {
            Method::Oat => evaluations,
            Method::Morris => evaluations,
            Method::Sobol => 3.0 * samples_f,
        };
    crate::limits::check_analysis(m, evaluations, runs, points)?;
    let threads = crate::limits::threads(args.threads)?;
    let obj = ModelObjective::new(m, metric, selected, Plan::from_runs(runs, seed))
        .map_err(|e| Error::usage(format!("--params/--spread: {e}"), None))?;
    let method = format!("{:?}", args.method).to_lowercase();
    let dest = common::out_dir(&args.out, m, &format!("sensitivity-{method}"));
    let pool_err = |e: String| Error::usage(format!("cannot start worker threads: {e}"), None);
    let mode = if runs == 0 {
        "deterministic run".to_string()
    } else {
        format!("mean of {runs} runs")
    };
    let mut text = format!(
        "{} — {method} sensitivity of {metric_name} ({mode}), {k} parameters\n\n",
        m.name
    );
    let opts = args.charts.options();
    let spread = format!("plain numbers ± {}%", args.spread * 100.0);
    let about = |details: String| {
        let parts = [mode.clone(), details, spread.clone()];
        About::new(m, &metric_name, &mode, obj.metric.wants_ensemble(), &parts)
    };
    match args.method {
        Method::Oat => {
            let centre = obj.central_unit();
            let (base, rows) =
                with_threads(threads, || oat::oat(&obj, &centre)).map_err(pool_err)?;
            atomic::write_folder(&dest, |d| {
                out::write_oat(&d.join("oat.csv"), &obj.params, &rows)?;
                charts::write(d, "tornado", opts.as_ref(), || {
                    let about = about(if runs == 0 {
                        format!("{k} parameters, one at a time")
                    } else {
                        format!("{k} parameters, one at a time, seed {seed}")
                    });
                    TornadoData::new(about, &obj.params, base, &rows)
                })
            })?;
            text.push_str(&format!(
                "metric at central values: {base:.4}\n\n{:<50} {:>10} {:>10} {:>9}\n",
                "parameter", "at low", "at high", "swing"
            ));
            for r in rows.iter().take(15) {
                text.push_str(&format!(
                    "{:<50} {:>10.4} {:>10.4} {:>9.4}\n",
                    obj.params[r.input].path, r.at_low, r.at_high, r.swing
                ));
            }
        }
        Method::Morris => {
            let mut rows =
                with_threads(threads, || morris::morris(&obj, samples, seed)).map_err(pool_err)?;
            rows.sort_by(|a, b| b.mu_star.total_cmp(&a.mu_star));
            atomic::write_folder(&dest, |d| {
                out::write_morris(&d.join("morris.csv"), &obj.params, &rows)?;
                charts::write(d, "morris", opts.as_ref(), || {
                    let about = about(format!("{samples} Morris trajectories, seed {seed}"));
                    MorrisData::new(about, &obj.params, &rows)
                })
            })?;
            text.push_str(&format!(
                "{:<50} {:>10} {:>10}\n",
                "parameter", "mu*", "sigma"
            ));
            for r in rows.iter().take(15) {
                text.push_str(&format!(
                    "{:<50} {:>10.4} {:>10.4}\n",
                    obj.params[r.input].path, r.mu_star, r.sigma
                ));
            }
        }
        Method::Sobol => {
            let mut res =
                with_threads(threads, || sobol::sobol(&obj, samples, seed)).map_err(pool_err)?;
            res.rows.sort_by(|a, b| b.total.total_cmp(&a.total));
            atomic::write_folder(&dest, |d| {
                out::write_sobol(&d.join("sobol.csv"), &obj.params, &res)?;
                charts::write(d, "sobol", opts.as_ref(), || {
                    let about = about(format!(
                        "{samples} base samples, {} evaluations, seed {seed}",
                        res.evaluations
                    ));
                    SobolData::new(about, &obj.params, &res)
                })
            })?;
            text.push_str(&format!(
                "{} evaluations, metric variance {:.3e}\n\n{:<50} {:>18} {:>18}\n",
                res.evaluations, res.variance, "parameter", "first order [95%]", "total [95%]"
            ));
            for r in res.rows.iter().take(15) {
                text.push_str(&format!(
                    "{:<50} {:>5.2} [{:>5.2},{:>5.2}] {:>5.2} [{:>5.2},{:>5.2}]\n",
                    obj.params[r.input].path,
                    r.first,
                    r.first_ci.0,
                    r.first_ci.1,
                    r.total,
                    r.total_ci.0,
                    r.total_ci.1
                ));
            }
        }
    }
    text.push_str(&format!("\nresults in {}/\n", dest.display()));
    if args.quiet {
        Ok(())
    } else {
        super::print(&text)
    }
}
