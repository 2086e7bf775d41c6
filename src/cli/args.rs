//! Argument groups shared by the subcommands, so the same flag has the same
//! parser, range and help everywhere: the scenario and its `--set`
//! overrides, the seed, worker threads, where results go, and the chart
//! options.

use std::path::PathBuf;

use clap::Args;
use clap::builder::{RangedU64ValueParser, TypedValueParser};

use crate::charts::{Format, Options};
use crate::limits::{MAX_RUNS, MAX_SEED, MAX_THREADS};

/// A scenario and the overrides applied to it after merging.
#[derive(Args, Debug, Clone)]
pub struct ScenarioArgs {
    /// Scenario name (looked up in ./scenarios, then built in) or path to a .toml file
    pub scenario: String,
    /// Override a value after merging: PATH=VALUE, e.g. variables.trust.rate=0.2 (repeatable; see docs/FORMAT.md)
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// `--seed`.
#[derive(Args, Debug, Clone, Copy)]
pub struct SeedArg {
    /// Seed of the random numbers (default: the scenario's ensemble.seed)
    #[arg(long, value_parser = seed_parser())]
    pub seed: Option<u64>,
}

/// `--threads`.
#[derive(Args, Debug, Clone, Copy)]
pub struct ThreadsArg {
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long, value_parser = threads_parser())]
    pub threads: Option<usize>,
}

/// Where results go, and whether to print a summary.
#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Results folder (default: a folder under output/ named after the scenario and the command)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print nothing on stdout (no summary, no progress bar)
    #[arg(long, short)]
    pub quiet: bool,
}

/// The chart options every command that draws charts takes.
#[derive(Args, Debug, Clone)]
pub struct ChartArgs {
    /// Write the result files only, no charts
    #[arg(long, conflicts_with_all = ["format", "size"])]
    pub no_charts: bool,
    /// Chart file format
    #[arg(long, value_enum, default_value_t = FormatArg::Png)]
    pub format: FormatArg,
    /// Chart size in pixels, WIDTHxHEIGHT
    #[arg(long, value_name = "WxH", value_parser = crate::charts::parse_size, default_value = "1600x900")]
    pub size: (u32, u32),
}

impl ChartArgs {
    /// How to write charts; `None` with `--no-charts`.
    pub fn options(&self) -> Option<Options> {
        (!self.no_charts).then_some(Options {
            format: self.format.into(),
            size: self.size,
        })
    }
}

/// `--format`: the chart file formats, as the command line names them.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Png,
    Svg,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Png => Format::Png,
            FormatArg::Svg => Format::Svg,
        }
    }
}

/// `--runs` of an ensemble: 1 up to the most runs an ensemble can count.
pub(super) fn ensemble_runs_parser() -> impl TypedValueParser<Value = u64> {
    RangedU64ValueParser::<u64>::new().range(1..=MAX_RUNS)
}

/// `--runs` of an analysis, per evaluation: 0 (the deterministic run) up to
/// the most runs an ensemble can count.
pub(super) fn analysis_runs_parser() -> impl TypedValueParser<Value = u64> {
    RangedU64ValueParser::<u64>::new().range(0..=MAX_RUNS)
}

fn seed_parser() -> impl TypedValueParser<Value = u64> {
    RangedU64ValueParser::<u64>::new().range(0..=MAX_SEED)
}

fn threads_parser() -> impl TypedValueParser<Value = usize> {
    RangedU64ValueParser::<usize>::new().range(1..=MAX_THREADS as u64)
}

impl ThreadsArg {
    /// The requested threads, or every core.
    pub fn get(&self) -> usize {
        self.threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}
