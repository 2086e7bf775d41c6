//! `geosim run`: simulate a scenario and write its results.

use std::io::IsTerminal;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::{ChartArgs, OutputArgs, ScenarioArgs, SeedArg, ThreadsArg, ensemble_runs_parser};
use super::table::{Align, TextTable};
use crate::analysis::evaluate::with_threads;
use crate::charts;
use crate::engine::filter::{self, Conditioning};
use crate::engine::{self, Workspace, ensemble};
use crate::error::Error;
use crate::limits::MAX_SAVED_RUNS;
use crate::model::{Draw, ParamId};
use crate::output::runs::{SavedRun, write_saved_runs};
use crate::output::{self, RunResults, request};
use crate::scenario;
use crate::stats::EnsembleStats;

pub(super) const RUN_EXAMPLES: &str = "\
Examples:
  geosim run baseline
  geosim run baseline --runs 20000 --seed 42
  geosim run baseline --deterministic
  geosim run baseline --set variables.trust.rate=0.2 --set 'drivers.sanctions.interpolation=\"step\"'
  geosim run path/to/my.toml --out /tmp/my-results --threads 1 --quiet
  geosim run baseline --charts alignment,regimes --size 1200x675
  geosim run baseline --format svg
  geosim run baseline --no-charts
  geosim run baseline --runs 1000000 --shard 3/8   (one of 8 shards; see geosim merge --help)

Results go to output/<scenario name>/ unless --out is given: ensemble.csv, regimes.csv,
summary.json, scenario.resolved.toml, and trajectory.csv with --deterministic.

Charts (in the same folder, written with the results or not at all):
  <variable>.png   fan chart of each variable: median, 50% and 90% bands, mean dashed,
                   numbered event markers with a key, regime bands behind the regime variable
  dashboard.png    every variable and driver as small multiples on one time axis
  regimes.png      share of runs in each regime band over time (stacked)
  drivers.png      driver paths, with bands where a driver has an uncertain offset
  trajectory.png   with --deterministic: every variable of the single run as a line
--charts takes a comma-separated list of: all, variables, dashboard, regimes, drivers,
trajectory, or variable names.";

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Number of Monte Carlo runs (default: the scenario's ensemble.runs)
    #[arg(long, value_parser = ensemble_runs_parser())]
    pub runs: Option<u64>,
    #[command(flatten)]
    pub seed: SeedArg,
    /// One run at central values, without noise or incidents; also writes trajectory.csv
    #[arg(long, conflicts_with_all = ["runs", "seed", "condition"])]
    pub deterministic: bool,
    /// Condition the ensemble on the scenario's observations (a particle filter; also `condition = true` in [ensemble])
    #[arg(long)]
    pub condition: bool,
    /// Draw each run's calibrated parameters jointly from a row of this posterior sample (posterior.csv of `geosim calibrate --method mcmc`)
    #[arg(long, value_name = "FILE", conflicts_with = "deterministic")]
    pub posterior: Option<std::path::PathBuf>,
    /// With --posterior: accept a sample calibrated on a different scenario when its parameter paths and priors match
    #[arg(long, requires = "posterior")]
    pub posterior_from_other_scenario: bool,
    /// Run only shard I of N (from 0) of the ensemble and write a partial result to merge with `geosim merge`
    #[arg(long, value_name = "I/N", value_parser = super::shard::parse_shard, conflicts_with_all = ["deterministic", "condition", "save_runs", "posterior"])]
    pub shard: Option<super::shard::Shard>,
    /// Also write N runs whole: runs.csv (every month of every series) and params.csv (their parameters)
    #[arg(long, value_name = "N", conflicts_with = "deterministic", value_parser = clap::value_parser!(u64).range(1..=MAX_SAVED_RUNS as u64))]
    pub save_runs: Option<u64>,
    #[command(flatten)]
    pub threads: ThreadsArg,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub chart: ChartArgs,
    /// Charts to draw, comma separated: all, variables, dashboard, regimes, drivers, trajectory or a variable name (default: all)
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        conflicts_with = "no_charts"
    )]
    pub charts: Option<Vec<String>>,
}

pub(super) fn run(args: &RunArgs) -> Result<(), Error> {
    // --runs and --seed are recorded in the resolved scenario like overrides.
    let request = scenario::Request {
        sets: &args.scenario.sets,
        runs: args.runs,
        seed: args.seed.seed,
        condition: args.condition,
    };
    let mut scen = scenario::load_request(&args.scenario.scenario, &request)?;
    if let Some(file) = &args.posterior {
        attach_posterior(&mut scen, file, args.posterior_from_other_scenario)?;
    }
    let scen = scen;
    let model = &scen.model;
    let threads = args.threads.get();
    let runs = if args.deterministic {
        1
    } else {
        model.ensemble.runs
    };
    // The deterministic run uses one thread, whatever --threads says.
    let workers = if args.deterministic { 1 } else { threads };
    crate::limits::check_ensemble(model, runs, workers)?;
    let seed = model.ensemble.seed;
    // Chart names are checked before the ensemble runs, not after.
    let chart_kinds = if args.chart.no_charts {
        Vec::new()
    } else {
        charts::plan(model, args.deterministic, args.charts.as_deref())?
    };

    if let Some(shard) = args.shard {
        if model.ensemble.condition {
            return Err(Error::usage(
                "--shard cannot split a conditioned ensemble: the particle filter weighs and resamples all runs together at every observed month, so no shard can finish its runs alone",
                Some("run it on one machine, or shard it unconditioned (--set ensemble.condition=false)".into()),
            ));
        }
        let dest = default_dest(args, model);
        return super::shard::run_shard(
            &scen,
            shard,
            threads,
            reproducing_command(args),
            dest,
            args.output.out.as_deref(),
            args.output.quiet,
        );
    }
    let mut ws = Workspace::new(model);
    let mut conditioning = None;
    let (stats, trajectory): (EnsembleStats, Option<Vec<f64>>) = if args.deterministic {
        engine::deterministic(model, &mut ws);
        (
            ensemble::deterministic_stats(model, &ws),
            Some(ws.trajectory.clone()),
        )
    } else if model.ensemble.condition {
        let (stats, cond) = condition(model, runs, seed, threads)?;
        conditioning = Some(cond);
        (stats, None)
    } else {
        let bar = progress_bar(runs, args.output.quiet);
        let stats =
            ensemble::run_ensemble(model, runs, seed, threads, &|n| bar.inc(n)).map_err(|e| {
                Error::usage(format!("cannot start {threads} worker threads: {e}"), None)
            })?;
        bar.finish_and_clear();
        (stats, None)
    };

    output::check_finite(model, &stats)?;
    let saved = match args.save_runs {
        Some(count) => save_runs(model, count.min(runs), seed, conditioning.as_ref()),
        None => Vec::new(),
    };
    let dest = args
        .output
        .out
        .clone()
        .unwrap_or_else(|| default_dest(args, model));
    let chart_opts = args.chart.options();
    let results = write_run_folder(
        &dest,
        &RunFolder {
            model,
            document: &scen.document,
            stats: &stats,
            seed,
            deterministic: args.deterministic,
            trajectory: trajectory.as_deref(),
            command: reproducing_command(args),
            conditioning: conditioning.as_ref(),
            saved: &saved,
            chart_kinds: &chart_kinds,
            chart_opts: chart_opts.as_ref(),
        },
    )?;
    if !args.output.quiet {
        super::print(&summary_text(&results, &dest))?;
    }
    Ok(())
}

/// The results folder a run writes when --out is not given.
fn default_dest(args: &RunArgs, model: &crate::model::Model) -> std::path::PathBuf {
    let mode = if args.deterministic {
        Some("deterministic")
    } else if args.condition {
        Some("conditioned")
    } else {
        None
    };
    let mut sets = args.scenario.sets.clone();
    // A different sample gives a different folder.
    sets.extend(
        model
            .joint
            .as_ref()
            .map(|j| format!("--posterior {}", j.sha256)),
    );
    let mode = match (mode, &model.joint) {
        (None, Some(_)) => Some("posterior"),
        (mode, _) => mode,
    };
    super::common::run_folder(&model.name, mode, args.runs, args.seed.seed, &sets)
}

/// Everything a run's results folder is written from.
pub(super) struct RunFolder<'a> {
    pub model: &'a crate::model::Model,
    pub document: &'a toml::Table,
    pub stats: &'a EnsembleStats,
    pub seed: u64,
    pub deterministic: bool,
    pub trajectory: Option<&'a [f64]>,
    pub command: String,
    pub conditioning: Option<&'a Conditioning>,
    pub saved: &'a [SavedRun],
    pub chart_kinds: &'a [charts::Kind],
    pub chart_opts: Option<&'a charts::Options>,
}

/// Writes a run's results folder at `dest` (replacing it as a whole, or
/// adding to it for the same request): the result files, saved runs and
/// charts. `geosim merge` writes merged shards through here too, so a
/// merged folder is the folder of the whole request.
pub(super) fn write_run_folder<'a>(
    dest: &std::path::Path,
    f: &RunFolder<'a>,
) -> Result<RunResults<'a>, Error> {
    let (model, stats, seed) = (f.model, f.stats, f.seed);
    let results = RunResults {
        model,
        stats,
        seed,
        deterministic: f.deterministic,
        document: f.document,
        trajectory: f.trajectory,
        command: f.command.clone(),
        conditioning: f.conditioning,
    };
    let mode = if f.deterministic {
        "deterministic"
    } else {
        "ensemble"
    };
    let mut key_lines = vec![
        "run".into(),
        format!("mode {mode}"),
        format!("runs {}", stats.runs()),
        format!("seed {seed}"),
        format!(
            "scenario {}",
            output::document_sha256(f.document, model, seed)
        ),
    ];
    key_lines.extend(
        model
            .joint
            .as_ref()
            .map(|j| format!("posterior {}", j.sha256)),
    );
    let key = request::key(&key_lines);
    request::write_for_request(dest, &key, |dir| {
        output::write_results(dir, &results)?;
        if !f.saved.is_empty() {
            write_saved_runs(dir, model, &uncertain_params(model), f.saved)?;
        }
        let Some(opts) = f.chart_opts.filter(|_| !f.chart_kinds.is_empty()) else {
            return Ok(());
        };
        let table = charts::Table::from_stats(model, stats);
        let source = charts::RunSource {
            model,
            table: &table,
            info: charts::RunInfo {
                runs: stats.runs(),
                seed,
                deterministic: f.deterministic,
                conditioned: model.ensemble.condition && !f.deterministic,
            },
            trajectory: f.trajectory,
        };
        charts::write_run_charts(dir, &source, f.chart_kinds, opts).map(drop)
    })?;
    Ok(results)
}

/// Reads the posterior sample `file` and makes every run take its
/// parameters from one of its rows. Refused for a conditioned ensemble:
/// the sample already holds what the record says about the parameters, and
/// weighting the runs by the record again would count it twice.
fn attach_posterior(
    scen: &mut scenario::Scenario,
    file: &std::path::Path,
    other_scenario: bool,
) -> Result<(), Error> {
    if scen.model.ensemble.condition {
        return Err(Error::usage(
            "--posterior cannot be combined with conditioning on the record (--condition or ensemble.condition = true): the posterior sample already holds what the record says about the parameters, and conditioning the runs again would count the record twice",
            Some("run without --condition, or with --set ensemble.condition=false if the scenario asks for it".into()),
        ));
    }
    let other = if other_scenario {
        output::posterior::OtherScenario::Accept
    } else {
        output::posterior::OtherScenario::Refuse
    };
    let draws = output::posterior::read(file, &scen.model, &scen.document, other)?;
    scen.model.joint = Some(std::sync::Arc::new(draws));
    Ok(())
}

/// The uncertain parameters a run draws (the columns of params.csv).
fn uncertain_params(model: &crate::model::Model) -> Vec<ParamId> {
    (0..model.params.len())
        .map(ParamId)
        .filter(|p| {
            let param = &model.params[p.0];
            param.draw == Draw::PerRun && param.dist.is_uncertain()
        })
        .collect()
}

/// `count` runs of the ensemble, whole: runs k·R/count (k = 0, 1, …) of
/// the R runs — for a conditioned ensemble, the runs in those places of
/// the final population, replayed through their genealogy.
fn save_runs(
    model: &crate::model::Model,
    count: u64,
    seed: u64,
    conditioning: Option<&Conditioning>,
) -> Vec<SavedRun> {
    let runs = model.ensemble.runs;
    let chosen: Vec<u64> = (0..count).map(|k| k * runs / count).collect();
    let params = uncertain_params(model);
    match conditioning {
        None => engine::saved_runs(model, seed, &chosen, &params)
            .into_iter()
            .zip(&chosen)
            .map(|((params, trajectory), &run)| SavedRun {
                run,
                origin: run,
                weight: None,
                params,
                trajectory,
            })
            .collect(),
        Some(c) => {
            let slots: Vec<usize> = chosen.iter().map(|&r| r as usize).collect();
            let mut kept = vec![(Vec::new(), Vec::new()); slots.len()];
            filter::replay(model, seed, &c.genealogy, &slots, |b| {
                engine::keep_lanes(b, &params, &mut kept)
            });
            let origins = filter::origins(&c.genealogy, &slots);
            kept.into_iter()
                .zip(&slots)
                .zip(origins)
                .map(|(((params, trajectory), &slot), origin)| SavedRun {
                    run: slot as u64,
                    origin,
                    weight: Some(c.genealogy.final_weights[slot]),
                    params,
                    trajectory,
                })
                .collect()
        }
    }
}

/// The ensemble conditioned on the scenario's observations.
pub(super) fn condition(
    model: &crate::model::Model,
    runs: u64,
    seed: u64,
    threads: usize,
) -> Result<(EnsembleStats, Conditioning), Error> {
    let pool =
        |e: String| Error::usage(format!("cannot start {threads} worker threads: {e}"), None);
    with_threads(threads, || filter::run_filter(model, runs, seed))
        .map_err(pool)?
        .map_err(|e| {
            let (lo, hi) = e.observed;
            Error::usage(
                format!(
                    "no run is compatible with observation `{}` ({}): the closest of {runs} runs came within {:.4} of the observed {lo} … {hi}",
                    e.observation, e.date, e.closest
                ),
                Some("check the observation against the scenario (a wrong sign, scale or month?), widen its interval or give it a softness, or run more --runs".into()),
            )
        })
}

fn progress_bar(runs: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} runs ({eta} left)")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// The command as it matters for the results: the scenario, its
/// overrides, runs, seed and mode — not --threads, --out or the chart
/// options, so the resolved scenario is the same bytes however it ran.
fn reproducing_command(args: &RunArgs) -> String {
    let mut words = vec![
        "geosim".to_string(),
        "run".into(),
        shell_quote(&args.scenario.scenario),
    ];
    for set in &args.scenario.sets {
        words.push("--set".into());
        words.push(shell_quote(set));
    }
    if let Some(r) = args.runs {
        words.push(format!("--runs {r}"));
    }
    if let Some(s) = args.seed.seed {
        words.push(format!("--seed {s}"));
    }
    if args.deterministic {
        words.push("--deterministic".into());
    }
    if let Some(p) = &args.posterior {
        words.push("--posterior".into());
        words.push(shell_quote(&p.display().to_string()));
    }
    if args.posterior_from_other_scenario {
        words.push("--posterior-from-other-scenario".into());
    }
    words.join(" ")
}

fn shell_quote(a: &str) -> String {
    if !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,".contains(c))
    {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', "'\\''"))
    }
}

/// The human summary on stdout: final-month median and 90 % interval of
/// each variable, regime shares, where the files are.
pub(super) fn summary_text(r: &RunResults<'_>, dest: &std::path::Path) -> String {
    let m = r.model;
    let last = m.months() - 1;
    let mut out = format!("{} — {}\n", m.name, m.title);
    if r.deterministic {
        out.push_str(&format!(
            "deterministic run, {} … {} ({} months)\n\n",
            m.start,
            m.end,
            m.months()
        ));
    } else {
        out.push_str(&format!(
            "{} runs, seed {}, {} … {} ({} months)\n",
            r.stats.runs(),
            r.seed,
            m.start,
            m.end,
            m.months()
        ));
        if let Some(c) = r.conditioning {
            let resampled = c.steps.iter().filter(|s| s.2).count();
            out.push_str(&format!(
                "conditioned on {} observations in {} months (resampled {resampled} times): log evidence {:.3} ± {:.3}\n",
                m.observations.len(),
                c.steps.len(),
                c.log_evidence,
                c.log_evidence_se
            ));
        }
        out.push('\n');
    }
    let mut t = TextTable::new(&[
        (&format!("in {}", m.end), Align::Left),
        ("median", Align::Right),
        ("90% interval", Align::Right),
    ]);
    for (i, v) in m.variables.iter().enumerate() {
        let (lo, med, hi) = (
            r.stats.quantile(last, i, 0.05),
            r.stats.quantile(last, i, 0.5),
            r.stats.quantile(last, i, 0.95),
        );
        t.row(vec![
            v.name.clone(),
            format!("{med:.3}"),
            format!("[{lo:.3}, {hi:.3}]"),
        ]);
    }
    out.push_str(&t.render());
    if let Some(reg) = &m.regimes {
        let percent = |s: f64| format!("{:.1}%", s * 100.0);
        let heading = format!("regimes of {}", m.variables[reg.variable.0].name);
        let ever = format!("ever entered {} … {}", m.start, m.end);
        let end = format!("in {}", m.end);
        let mut t = TextTable::new(&[
            (&heading, Align::Left),
            (&end, Align::Right),
            (&ever, Align::Right),
        ]);
        let now = r.stats.regime_shares(last);
        let ever = r.stats.ever_shares();
        for (k, b) in reg.bands.iter().enumerate() {
            t.row(vec![b.name.clone(), percent(now[k]), percent(ever[k])]);
        }
        out.push('\n');
        out.push_str(&t.render());
    }
    out.push_str(&format!("\nresults in {}/\n", dest.display()));
    out
}
