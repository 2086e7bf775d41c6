//! What the charts of a run are drawn from and what a kind of run chart
//! is. [`RunSource`] holds the model, the results table, what the run was
//! ([`RunInfo`], told in every footer) and the deterministic trajectory;
//! [`RunChartKind`] is what a chart drawn once per run (the dashboard, the
//! regimes, …) says about itself, in its own file, so the registry of run
//! charts (`run.rs`) needs one line per kind.

use super::render::Chart;
use crate::error::Error;
use crate::model::Model;
use crate::stats::Table;

/// What a run was, for the footers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInfo {
    pub runs: u64,
    pub seed: u64,
    pub deterministic: bool,
    /// The ensemble was conditioned on the scenario's observations.
    pub conditioned: bool,
}

impl RunInfo {
    /// A conditioned ensemble: its runs pass through the record up to the
    /// last observation.
    pub fn is_conditioned(&self) -> bool {
        self.conditioned && !self.deterministic
    }
}

/// "conditioned on 3 observations", for the footers of a conditioned run.
pub(crate) fn conditioned_on(model: &Model) -> String {
    let n = model.observations.len();
    let s = if n == 1 { "" } else { "s" };
    format!("conditioned on {n} observation{s}")
}

/// The footer of a run's charts: scenario, runs, seed, whether the runs
/// were conditioned on the record, program version.
pub fn footer(model: &Model, info: &RunInfo) -> String {
    let mut what = if info.deterministic {
        "deterministic run".to_string()
    } else {
        format!("{} runs · seed {}", info.runs, info.seed)
    };
    if info.is_conditioned() {
        what = format!("{what} · {}", conditioned_on(model));
    }
    format!(
        "scenario {} · {what} · {} … {} · geosim {}",
        model.name,
        model.start,
        model.end,
        crate::VERSION
    )
}

/// What a run's charts are drawn from.
pub struct RunSource<'a> {
    pub model: &'a Model,
    pub table: &'a Table,
    pub info: RunInfo,
    /// The deterministic trajectory (months × sources), when there is one.
    pub trajectory: Option<&'a [f64]>,
}

/// A chart drawn once per run, implemented by its data struct. Registered
/// with one line in `run.rs`, it becomes a `Kind` and a `RunChart` variant,
/// a `--charts` name and a file.
pub(crate) trait RunChartKind: Chart + Sized {
    /// The name `--charts` accepts.
    const NAME: &'static str;
    /// The file name without its extension; a variable of this name gets a
    /// prefix so its fan chart cannot overwrite the file.
    const STEM: &'static str = Self::NAME;

    /// Whether a run of `model` (`deterministic` or an ensemble) can have
    /// this chart: when it cannot, the usage error for asking for it by
    /// name; such a chart is left out of the default plan.
    fn available(model: &Model, deterministic: bool) -> Result<(), Error>;

    /// The chart's data; `None` when the run cannot have it.
    fn build(src: &RunSource<'_>) -> Option<Self>;
}
