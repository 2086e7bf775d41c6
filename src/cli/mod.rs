//! Command-line glue: parse arguments, call the library, print, map errors
//! to exit codes. One file per subcommand.

mod args;
mod backtest;
mod calibrate;
mod calibrate_charts;
mod check;
mod common;
mod compare;
mod explain;
mod import;
mod list;
mod run;
mod sensitivity;
mod shard;
mod sweep;
mod table;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::Error;

const EXAMPLES: &str = "\
Examples:
  geosim list
  geosim check baseline
  geosim run baseline
  geosim run baseline --runs 10000 --seed 7 --threads 2
  geosim run baseline --deterministic
  geosim run proxy_drift --set 'influences.\"trust -> alignment\".weight=0.8'
  geosim run my_scenario.toml --out results/my_scenario --quiet
  geosim run baseline --charts alignment,dashboard --format svg --size 1200x675
  geosim compare baseline proxy_drift --variable alignment
  geosim explain baseline --variable alignment --from 2024-11 --to 2025-09
  geosim sensitivity baseline --method sobol --samples 1024
  geosim sweep baseline --param variables.trust.rate=0.05:0.3:6
  geosim run baseline --runs 1000000 --shard 0/8   (… 7/8, anywhere), then:
  geosim merge output/baseline-runs1000000-shards/*.partial
  geosim calibrate my_scenario.toml --method mcmc
  geosim run my_scenario.toml --posterior output/my_scenario-calibrate-mcmc/posterior.csv
  geosim backtest my_scenario.toml --origin 2024-01 --step 3
  geosim import --format gdelt --dyad AZE,RUS --variable alignment --scale 10 --out obs.csv *.export.CSV

Exit codes: 0 success, 1 a file could not be read or written, 2 invalid scenario or arguments,
130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP (the half-written folder is removed).";

#[derive(Parser, Debug)]
#[command(
    name = "geosim",
    version,
    about = "Simulate geopolitical relationships month by month: deterministic runs and Monte Carlo ensembles",
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the named scenarios (./scenarios and built-in) with their titles
    #[command(after_help = "Example:\n  geosim list")]
    List,
    /// Parse, merge and validate a scenario and print a short model summary
    #[command(
        after_help = "Examples:\n  geosim check baseline\n  geosim check my_scenario.toml --set variables.trust.rate=0.2\n\nExit code 0 when valid, 2 when not."
    )]
    Check(check::CheckArgs),
    /// Run a scenario and write results and charts to output/<name>/
    #[command(after_help = run::RUN_EXAMPLES)]
    Run(run::RunArgs),
    /// Run (or reuse) several scenarios and chart them against each other
    #[command(after_help = compare::COMPARE_EXAMPLES)]
    Compare(compare::CompareArgs),
    /// Attribute a variable's change to the terms of its signal (deterministic run)
    #[command(after_help = explain::EXPLAIN_EXAMPLES)]
    Explain(explain::ExplainArgs),
    /// Rank the parameters by their effect on a metric (OAT, Morris or Sobol)
    #[command(after_help = sensitivity::SENSITIVITY_EXAMPLES)]
    Sensitivity(sensitivity::SensitivityArgs),
    /// A metric over a grid of one or two parameters
    #[command(after_help = sweep::SWEEP_EXAMPLES)]
    Sweep(sweep::SweepArgs),
    /// Estimate uncertain parameters from the scenario's observations: posterior mode, profiles, posterior sample
    #[command(after_help = calibrate::CALIBRATE_EXAMPLES)]
    Calibrate(calibrate::CalibrateArgs),
    /// Score forecasts from the observations before an origin against those after it
    #[command(after_help = backtest::BACKTEST_EXAMPLES)]
    Backtest(backtest::BacktestArgs),
    /// Merge the partial results of a sharded run (`run --shard I/N`) into the results of the whole request
    #[command(after_help = shard::MERGE_EXAMPLES)]
    Merge(shard::MergeArgs),
    /// Turn GDELT or ICEWS event files into an observation file (monthly means of a dyad)
    #[command(after_help = import::IMPORT_EXAMPLES)]
    Import(import::ImportArgs),
}

/// Entry point used by `main`.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    crate::output::atomic::install_signal_handlers();
    let result = match cli.command {
        Command::List => list::list(),
        Command::Check(args) => check::check(&args),
        Command::Run(args) => run::run(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Explain(args) => explain::explain(&args),
        Command::Sensitivity(args) => sensitivity::sensitivity(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Calibrate(args) => calibrate::calibrate_command(&args),
        Command::Backtest(args) => backtest::backtest(&args),
        Command::Merge(args) => shard::merge(&args),
        Command::Import(args) => import::import(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            ExitCode::from(e.exit_code())
        }
    }
}

/// Prints an error with its source snippet(s) to stderr.
pub fn report(e: &Error) {
    let theme = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut out = String::new();
    let rendered = match e {
        Error::Scenario(errs) => {
            let mut r = Ok(());
            for one in &errs.errors {
                r = r.and(handler.render_report(&mut out, one));
            }
            if errs.errors.len() > 1 {
                out.push_str(&format!("{} errors\n", errs.errors.len()));
            }
            r
        }
        _ => handler.render_report(&mut out, e),
    };
    if rendered.is_err() {
        out = format!("error: {e}\n");
    }
    let _ = std::io::stderr().write_all(out.as_bytes());
}

/// Writes to stdout, treating a closed pipe (`geosim list | head`) as success.
pub(crate) fn print(text: &str) -> Result<(), Error> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("write to", "stdout", e)),
    }
}
