//! `geosim backtest`: forecasts from the observations before an origin,
//! scored against the observations after it, beside two reference
//! forecasts (docs/FORMAT.md, "Backtests").

use clap::Args;
use clap::builder::{RangedU64ValueParser, TypedValueParser};

use super::args::{ChartArgs, OutputArgs, ScenarioArgs, SeedArg, ThreadsArg, ensemble_runs_parser};
use super::common;
use super::table::{Align, TextTable};
use crate::analysis::evaluate::with_threads;
use crate::charts::analysis as chart_files;
use crate::charts::backtest::{BacktestChart, PitChart, ReliabilityChart};
use crate::error::Error;
use crate::inference::backtest::{self, Failure, KindSummary, Plan};
use crate::model::{Model, YearMonth};
use crate::output::{self, backtest as out, request};
use crate::scenario;

pub(super) const BACKTEST_EXAMPLES: &str = "\
Examples:
  geosim backtest my_scenario.toml --origin 2024-01
  geosim backtest my_scenario.toml --origin 2023-01 --step 3 --until 2025-01 --runs 4000
  geosim backtest my_scenario.toml --origin 2024-01 --calibrate --params 'variables.*.rate'

Conditions the runs on the observations before each origin only, forecasts the rest and
scores every observation at or after the origin: CRPS, log score and PIT for measured
values, Brier and ranked probability scores for intervals and bands, 50%/90% coverage.
Persistence and climatology forecasts from the same earlier observations are scored
alike, with skill scores against both. --step N adds an origin every N months up to
--until (default: the last observation). --calibrate first estimates the selected
parameters (--params globs; default every uncertain one) from the earlier observations.
Writes scores.csv, summary.json, scenario.resolved.toml and the charts backtest.png
(forecast fans from the last origin), pit.png and reliability.png.";

/// Most runs × captured months and series held at once (two f64 each).
const MAX_CAPTURED: u64 = 25_000_000;

#[derive(Args, Debug)]
pub struct BacktestArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// First forecast origin, YYYY-MM: the forecast sees only observations before it
    #[arg(long, value_name = "YYYY-MM")]
    pub origin: String,
    /// Last origin when rolling (default: the last observation's month)
    #[arg(long, value_name = "YYYY-MM")]
    pub until: Option<String>,
    /// Months between rolling origins (default: one origin; 1 when --until is given)
    #[arg(long, value_parser = step_parser())]
    pub step: Option<usize>,
    /// Estimate parameters from the earlier observations (MAP) at every origin first
    #[arg(long)]
    pub calibrate: bool,
    /// Parameters to calibrate, by path glob (repeatable; default every uncertain one)
    #[arg(long = "params", value_name = "GLOB", requires = "calibrate")]
    pub params: Vec<String>,
    /// With --calibrate: runs of the particle filter per likelihood estimate (as in `geosim calibrate`)
    #[arg(long, default_value_t = 500, requires = "calibrate", value_parser = clap::value_parser!(u64).range(50..=1_000_000))]
    pub particles: u64,
    /// Runs (particles) per origin
    #[arg(long, default_value_t = 2000, value_parser = ensemble_runs_parser())]
    pub runs: u64,
    #[command(flatten)]
    pub seed: SeedArg,
    #[command(flatten)]
    pub threads: ThreadsArg,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub charts: ChartArgs,
}

fn step_parser() -> impl TypedValueParser<Value = usize> {
    RangedU64ValueParser::<usize>::new().range(1..=crate::limits::MAX_MONTHS as u64)
}

/// A month given to `flag`, checked to lie within the horizon.
fn month_of(flag: &str, text: &str, m: &Model) -> Result<usize, Error> {
    let date = YearMonth::parse(text).map_err(|e| Error::usage(format!("{flag}: {e}"), None))?;
    if date < m.start || date > m.end {
        return Err(Error::usage(
            format!(
                "{flag} {date} is outside the horizon of `{}` ({} … {})",
                m.name, m.start, m.end
            ),
            Some("origins must lie within [time] start … end".into()),
        ));
    }
    Ok(m.start.months_until(date) as usize)
}

/// The origins the arguments ask for, as month indices, checked against
/// the record.
fn origins(args: &BacktestArgs, m: &Model) -> Result<(Vec<usize>, usize), Error> {
    let Some(last) = m.observations.iter().map(|o| o.month).max() else {
        return Err(Error::usage(
            format!("`{}` has no observations to backtest against", m.name),
            Some("add [[observations]] to the scenario (docs/FORMAT.md, section 24)".into()),
        ));
    };
    let origin = month_of("--origin", &args.origin, m)?;
    if origin > last {
        return Err(Error::usage(
            format!(
                "no observation at or after --origin {}: the last observation of `{}` is in {}",
                m.date(origin),
                m.name,
                m.date(last)
            ),
            Some(format!(
                "a backtest scores the observations from the origin on; pick an origin no later than {}",
                m.date(last)
            )),
        ));
    }
    let until = match &args.until {
        Some(text) => {
            let u = month_of("--until", text, m)?;
            if u < origin {
                return Err(Error::usage(
                    format!(
                        "--until {} is before --origin {}",
                        m.date(u),
                        m.date(origin)
                    ),
                    Some("--until is the last origin; give a month at or after --origin".into()),
                ));
            }
            if u > last {
                return Err(Error::usage(
                    format!(
                        "--until {} is after the last observation of `{}` ({}): an origin there would have nothing to score",
                        m.date(u),
                        m.name,
                        m.date(last)
                    ),
                    Some(format!(
                        "give --until {} or earlier, or leave it out",
                        m.date(last)
                    )),
                ));
            }
            u
        }
        None => last,
    };
    let step = args.step.or(args.until.as_ref().map(|_| 1));
    let list = match step {
        Some(s) => (origin..=until).step_by(s).collect(),
        None => vec![origin],
    };
    Ok((list, step.unwrap_or(0)))
}

pub(super) fn backtest(args: &BacktestArgs) -> Result<(), Error> {
    let scen = scenario::load(&args.scenario.scenario, &args.scenario.sets)?;
    let m = &scen.model;
    let (origins, step) = origins(args, m)?;
    let first = origins[0];
    if args.calibrate && !m.observations.iter().any(|o| o.month < first) {
        return Err(Error::usage(
            format!(
                "--calibrate needs observations before the origin, and `{}` has none before {} (its first is in {})",
                m.name,
                m.date(first),
                m.observations.first().map_or(m.start, |o| o.date)
            ),
            Some("move --origin after the first observations, or leave out --calibrate".into()),
        ));
    }
    let series = backtest::observed_series(m).len() as u64;
    let last = m
        .observations
        .iter()
        .map(|o| o.month)
        .max()
        .unwrap_or(first);
    let at_first = m.observations.iter().filter(|o| o.month >= first).count() as u64
        + series * (last + 1 - origins[origins.len() - 1]) as u64;
    if args.runs.saturating_mul(at_first) > MAX_CAPTURED {
        return Err(Error::usage(
            format!(
                "--runs {} × {at_first} forecast months and series is more values than a backtest holds ({MAX_CAPTURED})",
                args.runs
            ),
            Some(format!(
                "use --runs {} or fewer",
                (MAX_CAPTURED / at_first.max(1)).max(1)
            )),
        ));
    }
    let seed = args.seed.seed.unwrap_or(m.ensemble.seed);
    let globs = args.params.clone();
    let plan = Plan {
        origins: origins.clone(),
        runs: args.runs,
        seed,
        particles: args.particles,
        calibrate: args.calibrate.then_some(globs.as_slice()),
    };
    let result = with_threads(args.threads.get(), || backtest::backtest(m, &plan))
        .map_err(|e| Error::usage(format!("cannot start worker threads: {e}"), None))?
        .map_err(|f| failure(m, args.runs, f))?;
    let kinds = backtest::summarize(&result.rows);
    let pit = backtest::uniformity(&result.rows);

    let until = m.date(origins[origins.len() - 1]).to_string();
    let mut options = vec![format!("--runs {}", args.runs)];
    options.extend(args.seed.seed.map(|s| format!("--seed {s}")));
    if step > 0 {
        options.push(format!("--step {step} --until {until}"));
    }
    if args.calibrate {
        options.push("--calibrate".into());
        options.extend(args.params.iter().map(|p| format!("--params {p}")));
        if args.particles != 500 {
            options.push(format!("--particles {}", args.particles));
        }
    }
    options.extend(common::sets_options(&args.scenario.sets));
    let dest = args.output.out.clone().unwrap_or_else(|| {
        let mut parts = vec![m.name.clone(), "backtest".into(), m.date(first).to_string()];
        if origins.len() > 1 {
            parts.push(format!("to-{until}"));
        }
        common::default_folder(&parts, &options)
    });
    let sha = output::document_sha256(&scen.document, m, seed);
    let mut lines = vec![
        "backtest".to_string(),
        format!(
            "origins {}",
            origins
                .iter()
                .map(|&t| m.date(t).to_string())
                .collect::<Vec<_>>()
                .join(" ")
        ),
        format!("scenario {sha}"),
        format!("seed {seed}"),
    ];
    lines.extend(options.iter().cloned());
    let command = reproducing_command(args, &origins, step, m);
    let meta = out::Meta {
        document: &scen.document,
        runs: args.runs,
        seed,
        step,
        until: until.clone(),
        calibrate: args.calibrate.then_some(args.params.as_slice()),
    };
    let summary = out::summary_json(m, &result, &kinds, &pit, &meta);
    let opts = args.charts.options();
    let mut notes: Vec<String> = Vec::new();
    request::write_for_request(&dest, &request::key(&lines), |d| {
        out::write_scores(&d.join(out::SCORES_CSV), m, &result.rows)?;
        out::write_summary(d, &summary)?;
        out::write_resolved(d, &scen.document, m, seed, &command)?;
        let Some(opts) = opts.as_ref() else {
            return Ok(());
        };
        let details = vec![format!("{} runs, seed {seed}", args.runs)];
        let ext = opts.format.extension();
        match BacktestChart::new(m, &result, &details) {
            Some(c) => chart_files::write(d, "backtest", Some(opts), || c)?,
            None => notes.push(format!("backtest.{ext} not drawn: no forecast fan to show")),
        }
        match PitChart::new(m, &result, &pit, &details) {
            Some(c) => chart_files::write(d, "pit", Some(opts), || c)?,
            None => notes.push(format!(
                "pit.{ext} not drawn: no measured (value ± sd) observation was held out, so there are no PIT values"
            )),
        }
        match ReliabilityChart::new(m, &result, &details) {
            Some(c) => chart_files::write(d, "reliability", Some(opts), || c)?,
            None => notes.push(format!(
                "reliability.{ext} not drawn: no interval or band observation was held out"
            )),
        }
        Ok(())
    })?;
    if args.output.quiet {
        return Ok(());
    }
    let mut text = table(m, &result, &kinds, &pit, args.runs, seed);
    for n in &notes {
        text.push_str(&format!("note: {n}\n"));
    }
    text.push_str(&format!("\nresults in {}/\n", dest.display()));
    super::print(&text)
}

/// A failed backtest as the user's error.
fn failure(m: &Model, runs: u64, f: Failure) -> Error {
    match f {
        Failure::Incompatible { origin, why } => Error::usage(
            format!(
                "at origin {}: no run is compatible with observation `{}` ({}): the closest of {runs} runs came within {:.4} of the observed {} … {}",
                m.date(origin),
                why.observation,
                why.date,
                why.closest,
                why.observed.0,
                why.observed.1
            ),
            Some("widen the observation's interval, give it a soft edge (softness), or add runs with --runs".into()),
        ),
        Failure::Calibration { origin, message } => Error::usage(
            format!("--calibrate at origin {}: {message}", m.date(origin)),
            None,
        ),
    }
}

/// The command that reproduces the results (without --threads, --out and
/// the chart options, which do not change them).
fn reproducing_command(args: &BacktestArgs, origins: &[usize], step: usize, m: &Model) -> String {
    let quote = |a: &str| {
        if !a.is_empty()
            && a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:,".contains(c))
        {
            a.to_string()
        } else {
            format!("'{}'", a.replace('\'', "'\\''"))
        }
    };
    let mut words = vec![
        "geosim".to_string(),
        "backtest".into(),
        quote(&args.scenario.scenario),
        format!("--origin {}", m.date(origins[0])),
    ];
    if step > 0 {
        words.push(format!("--step {step}"));
        words.push(format!("--until {}", m.date(origins[origins.len() - 1])));
    }
    if args.calibrate {
        words.push("--calibrate".into());
        for p in &args.params {
            words.push(format!("--params {}", quote(p)));
        }
    }
    for set in &args.scenario.sets {
        words.push(format!("--set {}", quote(set)));
    }
    words.push(format!("--runs {}", args.runs));
    if let Some(s) = args.seed.seed {
        words.push(format!("--seed {s}"));
    }
    words.join(" ")
}

fn cell(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v:.4}"),
        Some(v) => format!("{v}"),
        None => "·".into(),
    }
}

/// A coverage rate with its count.
fn pct(r: backtest::Rate) -> String {
    match r.rate() {
        Some(x) => format!("{:.0}% of {}", x * 100.0, r.count),
        None => "·".into(),
    }
}

/// The summary printed on stdout.
fn table(
    m: &Model,
    b: &backtest::Backtest,
    kinds: &[KindSummary],
    pit: &crate::stats::scores::Uniformity,
    runs: u64,
    seed: u64,
) -> String {
    let first = b.origins.first().map_or(0, |o| o.month);
    let last = b.origins.last().map_or(0, |o| o.month);
    let span = if b.origins.len() > 1 {
        format!(
            "{} origins from {} to {}",
            b.origins.len(),
            m.date(first),
            m.date(last)
        )
    } else {
        format!("origin {}", m.date(first))
    };
    let mut t = format!(
        "{} — backtest, {span}, {runs} runs, seed {seed}\n{} held-out observations scored\n\n",
        m.name,
        b.rows.len()
    );
    let right = |h| (h, Align::Right);
    let mut scores = TextTable::new(&[
        ("kind", Align::Left),
        right("rows"),
        right("CRPS"),
        right("log score"),
        right("Brier"),
        right("RPS"),
        right("in 50%"),
        right("in 90%"),
    ]);
    for k in kinds {
        scores.row(vec![
            k.kind.name().to_string(),
            k.rows.to_string(),
            cell(k.crps),
            cell(k.log_score),
            cell(k.brier),
            cell(k.rps),
            pct(k.in50),
            pct(k.in90),
        ]);
    }
    t.push_str(&scores.render());
    t.push_str("\nskill (1 − model/reference; log score: reference − model, nats)\n");
    let mut skill = TextTable::new(&[
        ("kind", Align::Left),
        ("reference", Align::Left),
        right("rows"),
        right("CRPS"),
        right("Brier"),
        right("RPS"),
        right("log score"),
    ]);
    for k in kinds {
        for (name, s) in [
            ("persistence", &k.persistence),
            ("climatology", &k.climatology),
        ] {
            skill.row(vec![
                k.kind.name().to_string(),
                name.to_string(),
                s.rows.to_string(),
                cell(s.crps),
                cell(s.brier),
                cell(s.rps),
                cell(s.log_score_gain),
            ]);
        }
    }
    t.push_str(&skill.render());
    let n: u64 = pit.counts.iter().sum();
    if n >= 2 {
        t.push_str(&format!(
            "\nPIT uniformity over {n} values: chi-square p = {:.3}, Kolmogorov–Smirnov p = {:.3}\n",
            pit.p_value, pit.ks_p_value
        ));
    }
    if b.origins.iter().any(|o| o.calibration.is_some()) {
        t.push_str("\ncalibrated at each origin:\n");
        for o in &b.origins {
            if let Some(c) = &o.calibration {
                t.push_str(&format!("  {} ({})\n", m.date(o.month), c.method));
                for (p, x) in &c.estimates {
                    t.push_str(&format!("    {p} = {x:.4}\n"));
                }
            }
        }
    }
    t
}
