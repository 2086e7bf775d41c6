//! `geosim sweep`: a metric over a grid of one or two parameters.

use clap::Args;

use super::args::{ChartArgs, OutputArgs, ScenarioArgs, SeedArg, ThreadsArg, analysis_runs_parser};
use super::common;
use super::table::{Align, TextTable, sig};
use crate::analysis::evaluate::{Plan, with_threads};
use crate::analysis::metric::Metric;
use crate::analysis::sweep::{self, SweepPoint};
use crate::charts::analysis::{self as charts, About};
use crate::charts::sweep::SweepData;
use crate::error::Error;
use crate::output::{self, analysis as out, partial, request};
use crate::scenario;

pub(super) const SWEEP_EXAMPLES: &str = "\
Examples:
  geosim sweep baseline --param 'influences.\"trust -> alignment\".weight=0.2:1.0:9'
  geosim sweep baseline --param variables.trust.rate=0.05:0.3:6 --param drivers.sanctions.offset=-0.2:0.2:5 \\
               --metric share:proxy@2030-12 --runs 300

Each grid point is an ensemble of --runs runs (the same random numbers at every point,
so differences come from the parameters); --runs 0 uses the deterministic run.
Writes sweep.csv (grid values, mean, p05, p50, p95 of the metric) and sweep.png: over one
parameter the mean, median and 90% band of the metric against its value; over two a
heatmap of the mean with a colour bar. --no-charts skips the chart; --format svg and
--size WxH work as for `geosim run`.";

#[derive(Args, Debug)]
pub struct SweepArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// PATH=lo:hi:n — a parameter and its grid; give one or two
    #[arg(long = "param", value_name = "PATH=lo:hi:n", required = true)]
    pub params: Vec<String>,
    /// VARIABLE@YYYY-MM, mean:VARIABLE@YYYY-MM..YYYY-MM or share:BAND@YYYY-MM
    #[arg(long)]
    pub metric: Option<String>,
    /// Runs per grid point; 0 = the deterministic run
    #[arg(long, default_value_t = 200, value_parser = analysis_runs_parser())]
    pub runs: u64,
    #[command(flatten)]
    pub seed: SeedArg,
    #[command(flatten)]
    pub threads: ThreadsArg,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub charts: ChartArgs,
    /// Evaluate only shard I of N (from 0) of the grid points and write a partial result for `geosim merge`
    #[arg(long, value_name = "I/N", value_parser = super::shard::parse_shard)]
    pub shard: Option<super::shard::Shard>,
}

/// Numbers a grid point's partial result carries: mean, p05, p50, p95.
const PER_POINT: usize = 4;

pub(super) fn sweep(args: &SweepArgs) -> Result<(), Error> {
    sweep_with(args, None)
}

/// The sweep; with `replay`, every grid point's numbers come from the
/// merged shards (`geosim merge`) instead of the model.
pub(super) fn sweep_with(args: &SweepArgs, replay: Option<Vec<f64>>) -> Result<(), Error> {
    let scen = scenario::load(&args.scenario.scenario, &args.scenario.sets)?;
    let m = &scen.model;
    if args.params.len() > 2 {
        return Err(Error::usage("give one or two --param", None));
    }
    let axes = args
        .params
        .iter()
        .map(|p| sweep::parse_axis(p, m))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::usage(format!("--param: {e}"), None))?;
    if axes.len() == 2 && axes[0].id == axes[1].id {
        return Err(Error::usage(
            "the two --param name the same parameter",
            None,
        ));
    }
    let (metric, metric_name) = match &args.metric {
        Some(t) => Metric::parse(t, m).map_err(|e| Error::usage(format!("--metric: {e}"), None))?,
        None => Metric::default_for(m),
    };
    let points: f64 = axes.iter().map(|a| a.values.len() as f64).product();
    crate::limits::check_sweep(m, points, args.runs)?;
    let seed = args.seed.seed.unwrap_or(m.ensemble.seed);
    let threads = args.threads.get();
    let plan = Plan::from_runs(args.runs, seed);
    let count = axes.iter().map(|a| a.values.len()).product::<usize>();
    let select = |i: usize| args.shard.is_none_or(|sh| i as u64 % sh.count == sh.index);
    let computed: Vec<(usize, SweepPoint)> = match &replay {
        Some(values) => {
            if values.len() != count * PER_POINT {
                return Err(Error::usage(
                    format!(
                        "the merged shards hold {} numbers, but this sweep has {count} grid points",
                        values.len()
                    ),
                    None,
                ));
            }
            let grid = sweep::grid(&axes);
            let k = axes.len();
            (0..count)
                .map(|i| {
                    let v = &values[i * PER_POINT..(i + 1) * PER_POINT];
                    let at = grid[i * k..(i + 1) * k].to_vec();
                    (
                        i,
                        SweepPoint {
                            at,
                            mean: v[0],
                            p05: v[1],
                            p50: v[2],
                            p95: v[3],
                        },
                    )
                })
                .collect()
        }
        None => with_threads(threads, || {
            sweep::sweep_some(m, &metric, &axes, plan, &select)
        })
        .map_err(|e| Error::usage(format!("cannot start worker threads: {e}"), None))?
        .map_err(|e| Error::usage(format!("--param: {e}"), None))?,
    };
    let dest = args.output.out.clone().unwrap_or_else(|| {
        // The parameters by their short names (path without its section).
        let short: Vec<&str> = axes
            .iter()
            .map(|a| {
                a.path
                    .split_once('.')
                    .map_or(a.path.as_str(), |(_, rest)| rest)
            })
            .collect();
        let parts = [
            m.name.clone(),
            "sweep".into(),
            short.join("-x-"),
            metric_name.clone(),
        ];
        let mut options: Vec<String> = args.params.iter().map(|p| format!("--param {p}")).collect();
        options.push(format!("--runs {}", args.runs));
        options.extend(args.seed.seed.map(|s| format!("--seed {s}")));
        options.extend(common::sets_options(&args.scenario.sets));
        common::default_folder(&parts, &options)
    });
    let scenario_hash = output::document_sha256(&scen.document, m, m.ensemble.seed);
    if let Some(sh) = args.shard {
        let path = super::shard::partial_path(args.output.out.as_deref(), &dest, sh);
        let values = computed
            .iter()
            .flat_map(|(i, p)| {
                [p.mean, p.p05, p.p50, p.p95]
                    .into_iter()
                    .enumerate()
                    .map(move |(j, v)| ((i * PER_POINT + j) as u64, v.is_finite().then_some(v)))
            })
            .collect();
        let part = partial::AnalysisPartial {
            geosim_version: crate::VERSION.into(),
            args: super::sensitivity::request_args(),
            scenario_sha256: scenario_hash,
            shards: sh.count,
            shard_set: vec![sh.index],
            rows: (count * PER_POINT) as u64,
            values,
        };
        let what = format!(
            "{} — sweep, shard {}/{}: {} of {count} grid points",
            m.name,
            sh.index,
            sh.count,
            computed.len()
        );
        return super::shard::write_analysis_shard(&path, &part, args.output.quiet, &what);
    }
    let result: Vec<SweepPoint> = computed.into_iter().map(|(_, p)| p).collect();
    let opts = args.charts.options();
    let mut lines = vec![
        "sweep".to_string(),
        format!("metric {metric_name}"),
        format!("runs {}", args.runs),
        format!("seed {seed}"),
        format!("scenario {scenario_hash}"),
    ];
    lines.extend(args.params.iter().map(|p| format!("param {p}")));
    request::write_for_request(&dest, &request::key(&lines), |d| {
        out::write_sweep(&d.join("sweep.csv"), &axes, &result)?;
        let Some(opts) = opts.as_ref() else {
            return Ok(());
        };
        let mode = if args.runs == 0 {
            "deterministic run".to_string()
        } else {
            format!("{} runs, seed {seed}", args.runs)
        };
        let share = metric.wants_ensemble();
        let about = About::new(m, &metric_name, &mode, share, std::slice::from_ref(&mode));
        // One or two axes (checked above), so there is always a chart.
        match SweepData::new(about, &axes, &result, args.runs) {
            Some(chart) => charts::write(d, "sweep", Some(opts), || chart),
            None => Ok(()),
        }
    })?;
    if args.output.quiet {
        return Ok(());
    }
    let mut text = format!(
        "{} — {metric_name} over {}\n\n",
        m.name,
        axes.iter()
            .map(|a| a.path.as_str())
            .collect::<Vec<_>>()
            .join(" × ")
    );
    let mut columns: Vec<(&str, Align)> = axes
        .iter()
        .map(|a| (a.path.as_str(), Align::Right))
        .collect();
    let stats: &[&str] = if args.runs == 0 {
        &["value"]
    } else {
        &["mean", "5%", "median", "95%"]
    };
    columns.extend(stats.iter().map(|h| (*h, Align::Right)));
    let mut t = TextTable::new(&columns);
    for p in &result {
        let mut row: Vec<String> = p.at.iter().map(|x| sig(*x, 6)).collect();
        if args.runs == 0 {
            row.push(format!("{:.4}", p.mean));
        } else {
            row.extend([p.mean, p.p05, p.p50, p.p95].map(|x| format!("{x:.4}")));
        }
        t.row(row);
    }
    text.push_str(&t.render());
    text.push_str(&format!("\nresults in {}/\n", dest.display()));
    super::print(&text)
}
