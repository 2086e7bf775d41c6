//! `geosim calibrate`: which values of the uncertain parameters the
//! scenario's observations support (docs/FORMAT.md section 25).

use std::time::Instant;

use clap::{Args, ValueEnum};

use super::args::{ChartArgs, OutputArgs, ScenarioArgs, SeedArg, ThreadsArg};
use super::common;
use crate::analysis::evaluate::with_threads;
use crate::error::Error;
use crate::inference::calibrate::{Calibration, Plan, calibrate};
use crate::inference::likelihood::Method;
use crate::inference::mcmc::McmcPlan;
use crate::inference::{self, Prior};
use crate::model::{Draw, Model};
use crate::output::calibration::{self as files, Request};
use crate::output::posterior::{self, Header, dist_text};
use crate::output::{self, request};
use crate::scenario;

pub(super) const CALIBRATE_EXAMPLES: &str = "\
Examples:
  geosim calibrate my_scenario --list-params
  geosim calibrate my_scenario
  geosim calibrate my_scenario --params 'influences.*.weight' --params variables.trust.rate
  geosim calibrate my_scenario --method mcmc --chains 4 --draws 1000
  geosim run my_scenario --posterior output/my_scenario-calibrate-mcmc/posterior.csv

The scenario's distributions are the priors and its [[observations]] the data. The
likelihood is exact along the deterministic run when the scenario has no noise and no
incidents, and otherwise the particle filter's estimate (--particles runs, the same
random numbers at every point tried).
map   the posterior mode from --starts starting points (Nelder-Mead), then a profile of
      every parameter over --grid values (the others re-optimised): fit.csv (estimates
      and 90% profile intervals), profiles.csv, profiles.png, calibrated.toml (a scenario
      that extends scenario.resolved.toml and sets the estimates).
mcmc  all of map, then a posterior sample from --chains chains (adaptive Metropolis;
      particle-marginal Metropolis-Hastings with the filter): posterior.csv,
      diagnostics.csv (R-hat, effective sample sizes), trace.png, pairs.png.
Run time is printed at the end; a calibration can take minutes (see README).";

const DEFAULT_PARTICLES: u64 = 500;
const DEFAULT_STARTS: u64 = 4;
const DEFAULT_GRID: u64 = 15;
const DEFAULT_CHAINS: u64 = 4;
const DEFAULT_WARMUP: u64 = 1000;
const DEFAULT_DRAWS: u64 = 1000;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// Posterior mode and profile likelihoods
    Map,
    /// Also a posterior sample (Markov chain Monte Carlo)
    Mcmc,
}

#[derive(Args, Debug)]
pub struct CalibrateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Parameters to calibrate: paths or globs (`*` matches any text); default every uncertain parameter drawn once per run
    #[arg(long = "params", value_name = "GLOB")]
    pub params: Vec<String>,
    /// map: the posterior mode and profiles; mcmc: also a posterior sample
    #[arg(long, value_enum, default_value_t = MethodArg::Map)]
    pub method: MethodArg,
    /// List the parameters that can be calibrated, with their priors, and stop
    #[arg(long)]
    pub list_params: bool,
    /// Runs of the particle filter per likelihood estimate (scenarios with noise or incidents)
    #[arg(long, default_value_t = DEFAULT_PARTICLES, value_parser = clap::value_parser!(u64).range(50..=1_000_000))]
    pub particles: u64,
    /// Starting points of the mode search (the priors' centre, then random points)
    #[arg(long, default_value_t = DEFAULT_STARTS, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub starts: u64,
    /// Profile points per parameter
    #[arg(long, default_value_t = DEFAULT_GRID, value_parser = clap::value_parser!(u64).range(5..=201))]
    pub grid: u64,
    /// mcmc: chains (run in parallel)
    #[arg(long, default_value_t = DEFAULT_CHAINS, value_parser = clap::value_parser!(u64).range(2..=64))]
    pub chains: u64,
    /// mcmc: warm-up iterations per chain (adapting, discarded)
    #[arg(long, default_value_t = DEFAULT_WARMUP, value_parser = clap::value_parser!(u64).range(100..=1_000_000))]
    pub warmup: u64,
    /// mcmc: draws kept per chain
    #[arg(long, default_value_t = DEFAULT_DRAWS, value_parser = clap::value_parser!(u64).range(10..=1_000_000))]
    pub draws: u64,
    #[command(flatten)]
    pub seed: SeedArg,
    #[command(flatten)]
    pub threads: ThreadsArg,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub charts: ChartArgs,
}

pub(super) fn calibrate_command(args: &CalibrateArgs) -> Result<(), Error> {
    let started = Instant::now();
    let scen = scenario::load(&args.scenario.scenario, &args.scenario.sets)?;
    let m = &scen.model;
    if args.list_params {
        return super::print(&list_params(m));
    }
    if m.observations.is_empty() {
        return Err(Error::usage(
            format!(
                "`{}` has no [[observations]]: calibration estimates parameters from the record, and there is none",
                m.name
            ),
            Some("add observations to the scenario (docs/FORMAT.md section 24), or extend it with a file that has them".into()),
        ));
    }
    let free = inference::select(m, &args.params).map_err(|e| Error::usage(e, None))?;
    let seed = args.seed.seed.unwrap_or(m.ensemble.seed);
    let method = Method::for_model(m, args.particles, seed);
    let mcmc = (args.method == MethodArg::Mcmc).then_some(McmcPlan {
        chains: args.chains as usize,
        warmup: args.warmup as usize,
        draws: args.draws as usize,
        seed,
    });
    let plan = Plan {
        method,
        starts: args.starts as usize,
        grid: args.grid as usize,
        mcmc,
        seed,
    };
    let threads = args.threads.get();
    if !args.output.quiet
        && let Some(note) = slow_note(free.len(), method, plan.grid)
    {
        eprintln!("note: {note}");
    }
    let cal = with_threads(threads, || calibrate(m, &free, &plan))
        .map_err(|e| Error::usage(format!("cannot start {threads} worker threads: {e}"), None))?;
    let kind = match args.method {
        MethodArg::Map => "map",
        MethodArg::Mcmc => "mcmc",
    };
    let hash = posterior::scenario_hash(&scen.document);
    let command = command_line(args);
    let req = Request {
        model: m,
        free: &free,
        method,
        kind,
        starts: plan.starts,
        grid: plan.grid,
        seed,
        scenario_hash: &hash,
        command: &command,
    };
    let dest = args.output.out.clone().unwrap_or_else(|| {
        let mut options: Vec<String> = args
            .params
            .iter()
            .map(|p| format!("--params {p}"))
            .collect();
        options.extend(common::sets_options(&args.scenario.sets));
        // Only settings that differ from the defaults name a folder, so a
        // plain `geosim calibrate NAME` writes to output/NAME-calibrate-map.
        let mut settings = vec![
            ("--particles", args.particles, DEFAULT_PARTICLES),
            ("--starts", args.starts, DEFAULT_STARTS),
            ("--grid", args.grid, DEFAULT_GRID),
        ];
        if mcmc.is_some() {
            settings.extend([
                ("--chains", args.chains, DEFAULT_CHAINS),
                ("--warmup", args.warmup, DEFAULT_WARMUP),
                ("--draws", args.draws, DEFAULT_DRAWS),
            ]);
        }
        options.extend(
            settings
                .into_iter()
                .filter(|(_, v, d)| v != d)
                .map(|(flag, v, _)| format!("{flag} {v}")),
        );
        options.extend(args.seed.seed.map(|s| format!("--seed {s}")));
        common::default_folder(&[m.name.clone(), "calibrate".into(), kind.into()], &options)
    });
    let mut key = vec![
        "calibrate".to_string(),
        format!("method {kind}"),
        format!("likelihood {}", method.describe()),
        format!("seed {seed}"),
        format!("starts {} grid {}", plan.starts, plan.grid),
        format!("scenario {hash}"),
    ];
    key.extend(free.iter().map(|f| format!("param {}", f.path)));
    if let Some(p) = mcmc {
        key.push(format!("mcmc {} {} {}", p.chains, p.warmup, p.draws));
    }
    let opts = args.charts.options();
    request::write_for_request(&dest, &request::key(&key), |d| {
        let put = |name: &str, text: &str| output::write_text(&d.join(name), text);
        put("fit.csv", &files::fit_csv(&req, &cal))?;
        put("profiles.csv", &files::profiles_csv(&req, &cal))?;
        put(
            "summary.json",
            &files::summary_json(&req, &cal, m.observations.len()),
        )?;
        put(
            output::RESOLVED_TOML,
            &resolved_toml(&scen.document, m, &command),
        )?;
        put("calibrated.toml", &files::calibrated_toml(&req, &cal))?;
        if let Some(p) = mcmc {
            put("posterior.csv", &posterior_csv(&req, &cal, p))?;
            put("diagnostics.csv", &files::diagnostics_csv(&req, &cal))?;
        }
        super::calibrate_charts::write(d, opts.as_ref(), &req, &cal)
    })?;
    if !args.output.quiet {
        let mut text = report(&req, &cal, &dest);
        let [mode, profiles, sample] = cal.evaluations_by_step;
        text.push_str(&format!(
            "took {:.1} s: {} likelihood evaluations (mode {mode}, profiles {profiles}, sample {sample})\n",
            started.elapsed().as_secs_f64(),
            cal.evaluations
        ));
        super::print(&text)?;
    }
    for w in &cal.warnings {
        eprintln!("warning: {w}");
    }
    Ok(())
}

/// The posterior sample as `posterior.csv`.
fn posterior_csv(req: &Request<'_>, cal: &Calibration, p: McmcPlan) -> String {
    let k = req.free.len();
    let chains: Vec<Vec<(f64, Vec<f64>)>> = cal
        .chains
        .iter()
        .map(|c| {
            c.x.chunks(k)
                .zip(&c.log_posterior)
                .map(|(x, lp)| (*lp, x.to_vec()))
                .collect()
        })
        .collect();
    let method = match req.method {
        Method::Deterministic => {
            "adaptive random-walk Metropolis on the exact likelihood".to_string()
        }
        Method::Filter { particles, .. } => format!(
            "particle-marginal Metropolis-Hastings, filter likelihood with {particles} runs"
        ),
    };
    let ids: Vec<_> = req.free.iter().map(|f| f.id).collect();
    posterior::text(
        req.model,
        &Header {
            scenario: &req.model.name,
            scenario_hash: req.scenario_hash,
            method: &method,
            chains: p.chains,
            warmup: p.warmup,
            draws: p.draws,
        },
        &ids,
        &chains,
    )
}

/// The merged scenario the calibration used, which `calibrated.toml` extends.
fn resolved_toml(document: &toml::Table, m: &Model, command: &str) -> String {
    let doc = output::resolved_document(document, m, m.ensemble.seed);
    format!(
        "# Resolved by geosim {} from: {}\n# Every `extends` and `--set` is merged in: the scenario as calibrated.\n\n{}",
        crate::VERSION,
        command.replace(['\r', '\n'], " "),
        toml::to_string(&doc).unwrap_or_default()
    )
}

fn command_line(args: &CalibrateArgs) -> String {
    let mut words: Vec<String> = std::env::args().collect();
    if words.is_empty() {
        words = vec![
            "geosim".into(),
            "calibrate".into(),
            args.scenario.scenario.clone(),
        ];
    }
    words[0] = "geosim".into();
    words.join(" ")
}

/// `--list-params`: the parameters drawn once per run that have a prior,
/// then those that are plain numbers (a distribution makes them calibratable).
fn list_params(m: &Model) -> String {
    let mut with_prior = Vec::new();
    let mut plain = Vec::new();
    for (i, p) in m.params.iter().enumerate() {
        if p.draw != Draw::PerRun {
            continue;
        }
        match Prior::new(&p.dist, p.domain, &m.allowed(crate::model::ParamId(i))) {
            Some(_) => with_prior.push((p.path.as_str(), dist_text(&p.dist))),
            None => plain.push((p.path.as_str(), crate::output::num(p.central()))),
        }
    }
    let width = with_prior
        .iter()
        .map(|(p, _)| p.len())
        .max()
        .unwrap_or(0)
        .min(64);
    let mut out = format!(
        "`{}` has {} observations. Parameters with a prior, which --params can select ({}):\n",
        m.name,
        m.observations.len(),
        with_prior.len()
    );
    for (path, prior) in &with_prior {
        out.push_str(&format!("  {path:<width$}  {prior}\n"));
    }
    if !plain.is_empty() {
        out.push_str(&format!(
            "\nPlain numbers ({}); give one a distribution to calibrate it, e.g. --set 'PATH={{ dist = \"normal\", mean = VALUE, sd = … }}':\n",
            plain.len()
        ));
        for (path, value) in &plain {
            out.push_str(&format!("  {path} = {value}\n"));
        }
    }
    out
}

/// The table printed on stdout.
fn report(req: &Request<'_>, cal: &Calibration, dest: &std::path::Path) -> String {
    let m = req.model;
    let mut out = format!(
        "{} — calibrated on {} observations ({}); likelihood {}\n\n",
        m.name,
        m.observations.len(),
        req.kind,
        req.method.describe()
    );
    let width = req
        .free
        .iter()
        .map(|f| f.path.len())
        .max()
        .unwrap_or(5)
        .clamp(9, 60);
    out.push_str(&format!(
        "{:<width$}  {:>10}  {:>10}  {:>23}  {:>23}\n",
        "parameter", "prior", "estimate", "90% interval (profile)", "prior 90%"
    ));
    for (f, e) in req.free.iter().zip(&cal.params) {
        let (plo, phi) = f.prior.interval(0.9);
        let open = |closed: bool| if closed { "" } else { "…" };
        out.push_str(&format!(
            "{:<width$}  {:>10.4}  {:>10.4}  {:>23}  {:>23}\n",
            f.path,
            f.prior.central(),
            e.estimate,
            format!(
                "[{}{:.4}, {:.4}{}]",
                open(e.interval.lo_closed),
                e.interval.lo,
                e.interval.hi,
                open(e.interval.hi_closed)
            ),
            format!("[{plo:.4}, {phi:.4}]"),
        ));
    }
    out.push_str(&format!(
        "\nlog posterior {:.3}, log likelihood {:.3} at the estimate",
        cal.fit.best.log_posterior, cal.fit.best.log_likelihood
    ));
    if let Some(s) = &cal.log_posterior {
        out.push_str(&format!(
            "; posterior sample: {} chains × {} draws, R-hat ≤ {:.3}, bulk ESS ≥ {:.0}",
            cal.chains.len(),
            cal.chains.first().map_or(0, |c| c.log_posterior.len()),
            worst(cal, |s| s.rhat, f64::max).max(s.rhat),
            worst(cal, |s| s.ess_bulk, f64::min).min(s.ess_bulk)
        ));
    }
    out.push('\n');
    if cal
        .params
        .iter()
        .any(|e| !(e.interval.lo_closed && e.interval.hi_closed))
    {
        out.push_str(
            "(… marks an interval end the profile did not reach inside the prior's range)\n",
        );
    }
    out.push_str(&format!("results in {}\n", dest.display()));
    out
}

fn worst(
    cal: &Calibration,
    get: fn(&crate::stats::diagnostics::ChainSummary) -> f64,
    pick: fn(f64, f64) -> f64,
) -> f64 {
    cal.params
        .iter()
        .filter_map(|e| e.posterior.as_ref().map(get))
        .reduce(pick)
        .unwrap_or(f64::NAN)
}

/// Parameters above which a filter-likelihood calibration is warned about:
/// each profile point re-optimises all the others, so the cost grows with
/// the square of their number (five take about 15 s on the baseline; all
/// 26 of the baseline's took 10 minutes: 231,267 filter evaluations).
const MANY_PARAMETERS: usize = 8;

/// A note for a request that will take long, or `None`.
fn slow_note(k: usize, method: Method, grid: usize) -> Option<String> {
    let Method::Filter { particles, .. } = method else {
        return None;
    };
    (k > MANY_PARAMETERS).then(|| {
        format!(
            "calibrating {k} parameters with the particle filter ({particles} runs per evaluation): each of the {} profile points re-optimises the other {}, which can take tens of minutes; --params selects fewer (--list-params shows them), and the profiles of map say which ones the record informs",
            k * (grid + 1),
            k - 1
        )
    })
}
