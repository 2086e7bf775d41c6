//! `geosim sensitivity`: which assumption matters most.

mod morris;
mod oat;
mod sobol;

use crate::cli::table::{Align, TextTable, sig};
use std::path::Path;

use clap::Args;
use clap::builder::{PossibleValue, PossibleValuesParser};

use super::args::{ChartArgs, OutputArgs, ScenarioArgs, SeedArg, ThreadsArg, analysis_runs_parser};
use super::common;
use crate::analysis::evaluate::{Plan, with_threads};
use crate::analysis::metric::Metric;
use crate::analysis::objective::{ModelObjective, Objective};
use crate::analysis::params;
use crate::analysis::shard::ShardedObjective;
use crate::charts::Options;
use crate::charts::analysis::About;
use crate::error::Error;
use crate::output::{self, partial, request};
use crate::scenario;

pub(super) const SENSITIVITY_EXAMPLES: &str = "\
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

Writes the table and a chart to output/<scenario>-<method>-<metric>/ (e.g. baseline-oat-alignment@2030-12):
  oat     oat.csv, tornado.png   bars from the metric at central values to the metric at
                                 each parameter's low and high end, largest swing on top
  morris  morris.csv, morris.png μ* against σ, the 12 largest numbered and named in a key
  sobol   sobol.csv, sobol.png   first-order and total indices with bootstrap 95% intervals
At most the 20 largest parameters are charted. --no-charts skips the chart; --format svg
and --size WxH work as for `geosim run`.";

/// The sensitivity methods: adding one is a file in this folder and a line here.
const METHODS: &[&dyn Method] = &[&oat::Oat, &morris::Morris, &sobol::Sobol];

/// A sensitivity method: its name on the command line (and in the result
/// folder's name), its cost, and how it runs.
trait Method: Sync {
    fn name(&self) -> &'static str;
    /// One line for `--help`.
    fn summary(&self) -> &'static str;
    /// `--samples` when not given.
    fn default_samples(&self) -> usize {
        20
    }
    /// The fewest samples the method's estimators mean anything with, and
    /// why (`None`: any number of samples is fine).
    fn min_samples(&self) -> Option<(usize, &'static str)> {
        None
    }
    /// Evaluations of the metric for `k` parameters and `samples` samples.
    fn evaluations(&self, k: f64, samples: f64) -> f64;
    /// Sample coordinates held in memory at once.
    fn points_held(&self, k: f64, samples: f64) -> f64;
    /// Runs the analysis (inside the worker pool).
    fn run(&self, study: &Study<'_>) -> Box<dyn Outcome + Send>;
}

/// What a method found: written into the result folder and printed.
trait Outcome: Send {
    fn write(&self, dir: &Path, study: &Study<'_>, opts: Option<&Options>) -> Result<(), Error>;
    fn table(&self, study: &Study<'_>) -> String;
}

/// One sensitivity request, as the methods see it.
struct Study<'a> {
    obj: &'a ModelObjective<'a>,
    /// What the method evaluates: `obj` itself, or a shard of it, or the
    /// merged values of all shards (`analysis::shard`).
    eval: &'a dyn crate::analysis::objective::Objective,
    samples: usize,
    seed: u64,
    metric_name: String,
    /// "deterministic run" or "mean of N runs".
    mode: String,
    spread: f64,
}

impl Study<'_> {
    fn deterministic(&self) -> bool {
        self.obj.plan() == Plan::Deterministic
    }

    /// What the chart says about the analysis; `design` describes the sample.
    fn about(&self, design: String) -> About {
        let spread = format!("plain numbers ± {}%", self.spread * 100.0);
        let parts = [self.mode.clone(), design, spread];
        About::new(
            self.obj.model(),
            &self.metric_name,
            &self.mode,
            self.obj.metric.wants_ensemble(),
            &parts,
        )
    }
}

/// The options besides method and metric that change the results, as
/// written: they tell default result folders apart.
fn result_options(args: &SensitivityArgs) -> Vec<String> {
    let mut out: Vec<String> = args
        .params
        .iter()
        .map(|p| format!("--params {p}"))
        .collect();
    if args.spread != DEFAULT_SPREAD {
        out.push(format!("--spread {}", args.spread));
    }
    out.extend(args.samples.map(|n| format!("--samples {n}")));
    out.extend(args.runs.map(|n| format!("--runs {n}")));
    out.extend(args.seed.seed.map(|n| format!("--seed {n}")));
    out.extend(common::sets_options(&args.scenario.sets));
    out
}

/// `--spread` when not given.
const DEFAULT_SPREAD: f64 = 0.25;

fn method_parser() -> PossibleValuesParser {
    PossibleValuesParser::new(
        METHODS
            .iter()
            .map(|m| PossibleValue::new(m.name()).help(m.summary())),
    )
}

#[derive(Args, Debug)]
pub struct SensitivityArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The method
    #[arg(long, value_parser = method_parser(), default_value = "oat")]
    pub method: String,
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
    #[arg(long, default_value_t = DEFAULT_SPREAD)]
    pub spread: f64,
    /// Stochastic runs per evaluation; 0 = the deterministic run (default: 0, or 100 for share: metrics)
    #[arg(long, value_parser = analysis_runs_parser())]
    pub runs: Option<u64>,
    #[command(flatten)]
    pub seed: SeedArg,
    /// Print the parameter names and their ranges, and stop
    #[arg(long)]
    pub list_params: bool,
    /// Evaluate only shard I of N (from 0) of the analysis' evaluations and write a partial result for `geosim merge`
    #[arg(long, value_name = "I/N", value_parser = super::shard::parse_shard, conflicts_with = "list_params")]
    pub shard: Option<super::shard::Shard>,
    #[command(flatten)]
    pub threads: ThreadsArg,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub charts: ChartArgs,
}

/// The line under a table cut at `shown` rows: how many more the CSV holds.
pub(super) fn more_rows(total: usize, shown: usize) -> String {
    if total > shown {
        format!("({} more in the CSV)\n", total - shown)
    } else {
        String::new()
    }
}

pub(super) fn sensitivity(args: &SensitivityArgs) -> Result<(), Error> {
    sensitivity_with(args, None)
}

/// The analysis; with `replay`, every evaluation's value comes from the
/// merged shards instead of the model (`geosim merge`).
pub(super) fn sensitivity_with(
    args: &SensitivityArgs,
    replay: Option<Vec<f64>>,
) -> Result<(), Error> {
    let scen = scenario::load(&args.scenario.scenario, &args.scenario.sets)?;
    let m = &scen.model;
    if !(args.spread.is_finite() && args.spread >= 0.0) {
        return Err(Error::usage("--spread must be a number >= 0", None));
    }
    if args.list_params {
        let mut t = TextTable::new(&[
            ("parameter", Align::Left),
            ("low", Align::Right),
            ("high", Align::Right),
        ]);
        for (_, p) in params::candidates(m) {
            let (lo, hi) = params::range_of(&p.dist, p.domain, args.spread);
            t.row(vec![p.path.clone(), sig(lo, 6), sig(hi, 6)]);
        }
        return super::print(&t.render());
    }
    let method = *METHODS
        .iter()
        .find(|x| x.name() == args.method)
        .ok_or_else(|| Error::usage(format!("no method `{}`", args.method), None))?;
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
    let seed = args.seed.seed.unwrap_or(m.ensemble.seed);
    let k = selected.len();
    let samples = args.samples.unwrap_or(method.default_samples());
    if samples == 0 {
        return Err(Error::usage("--samples must be at least 1", None));
    }
    if let Some((min, why)) = method.min_samples()
        && samples < min
    {
        return Err(Error::usage(
            format!(
                "--samples {samples} is too few for {}: it needs at least {min}",
                method.name()
            ),
            Some(why.to_string()),
        ));
    }
    // In floating point, so a huge --samples cannot wrap around the check.
    let (k_f, samples_f) = (k as f64, samples as f64);
    let evaluations = method.evaluations(k_f, samples_f);
    crate::limits::check_analysis(m, evaluations, runs, method.points_held(k_f, samples_f))?;
    let study_metric = metric_name.clone();
    let obj = ModelObjective::new(m, metric, selected, Plan::from_runs(runs, seed))
        .map_err(|e| Error::usage(format!("--params/--spread: {e}"), None))?;
    let name = method.name();
    let dest = args.output.out.clone().unwrap_or_else(|| {
        let parts = [m.name.clone(), name.to_string(), study_metric.clone()];
        common::default_folder(&parts, &result_options(args))
    });
    let mode = if runs == 0 {
        "deterministic run".to_string()
    } else {
        format!("mean of {runs} runs")
    };
    let expected = replay.as_ref().map(Vec::len);
    let sharded = match (args.shard, replay) {
        (Some(sh), _) => Some(ShardedObjective::shard(&obj, sh.index, sh.count)),
        (None, Some(values)) => Some(ShardedObjective::replay(&obj, values)),
        (None, None) => None,
    };
    let eval: &dyn Objective = match &sharded {
        Some(s) => s,
        None => &obj,
    };
    let study = Study {
        obj: &obj,
        eval,
        samples,
        seed,
        metric_name,
        mode,
        spread: args.spread,
    };
    let outcome = with_threads(args.threads.get(), || method.run(&study))
        .map_err(|e| Error::usage(format!("cannot start worker threads: {e}"), None))?;
    let scenario_hash = output::document_sha256(&scen.document, m, m.ensemble.seed);
    if let (Some(sh), Some(s)) = (args.shard, &sharded) {
        let path = super::shard::partial_path(args.output.out.as_deref(), &dest, sh);
        let part = partial::AnalysisPartial {
            geosim_version: crate::VERSION.into(),
            args: request_args(),
            scenario_sha256: scenario_hash,
            shards: sh.count,
            shard_set: vec![sh.index],
            rows: s.rows(),
            values: s
                .recorded()
                .into_iter()
                .map(|(r, v)| (r, v.is_finite().then_some(v)))
                .collect(),
        };
        let what = format!(
            "{} — {name} sensitivity, shard {}/{}: {} of {} evaluations",
            m.name,
            sh.index,
            sh.count,
            part.values.len(),
            part.rows
        );
        return super::shard::write_analysis_shard(&path, &part, args.output.quiet, &what);
    }
    if let (Some(want), Some(s)) = (expected, &sharded)
        && s.rows() as usize != want
    {
        return Err(Error::usage(
            format!(
                "the merged shards hold {want} evaluations, but the analysis makes {}: the partials come from another geosim version",
                s.rows()
            ),
            None,
        ));
    }
    let opts = args.charts.options();
    let mut lines = vec![
        "sensitivity".to_string(),
        format!("method {name}"),
        format!("metric {}", study.metric_name),
        format!("runs {runs}"),
        format!("seed {seed}"),
        format!("samples {samples}"),
        format!("spread {}", args.spread),
        format!(
            "scenario {}",
            output::document_sha256(&scen.document, m, m.ensemble.seed)
        ),
    ];
    lines.extend(args.params.iter().map(|p| format!("params {p}")));
    request::write_for_request(&dest, &request::key(&lines), |d| {
        outcome.write(d, &study, opts.as_ref())
    })?;
    if args.output.quiet {
        return Ok(());
    }
    let text = format!(
        "{} — {name} sensitivity of {} ({}), {k} parameters\n\n{}\nresults in {}/\n",
        m.name,
        study.metric_name,
        study.mode,
        outcome.table(&study),
        dest.display()
    );
    super::print(&text)
}

/// This process's arguments without `--shard`, `--out` and `--quiet`: the
/// request every shard shares, which `geosim merge` runs again.
pub(super) fn request_args() -> Vec<String> {
    let mut out = Vec::new();
    let mut args = std::env::args();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--shard" | "--out" => {
                args.next();
            }
            "--quiet" | "-q" => {}
            _ if a.starts_with("--shard=") || a.starts_with("--out=") => {}
            _ => out.push(a),
        }
    }
    out
}
