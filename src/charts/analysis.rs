//! What the charts of the analyses (`explain`, `sensitivity`, `sweep`)
//! share: what the chart says about the analysis (metric, mode, footer),
//! and writing a chart into the result folder.

use std::path::Path;

use super::Options;
use super::labels;
use super::legend::LegendItem;
use super::page::Page;
use super::render::{self, Chart};
use crate::error::Error;
use crate::model::Model;

/// Draws the chart `build` returns into `dir/<stem>.<png|svg>`, unless
/// charts are off (`opts` is `None`).
pub fn write<C: Chart>(
    dir: &Path,
    stem: &str,
    opts: Option<&Options>,
    build: impl FnOnce() -> C,
) -> Result<(), Error> {
    let Some(opts) = opts else {
        return Ok(());
    };
    let path = dir.join(format!("{stem}.{}", opts.format.extension()));
    render::render(&build(), &path, opts.format, opts.size).map(drop)
}

/// What an analysis chart says about the analysis behind its numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct About {
    /// The scenario's title, on top of the chart.
    pub title: String,
    /// The metric as written on the command line, e.g. `alignment@2030-12`.
    pub metric: String,
    /// The metric in words, e.g. `alignment in Dec 2030` ([`labels::metric`]).
    pub metric_label: String,
    /// How the metric was computed, e.g. "deterministic run", "mean of 100 runs".
    pub mode: String,
    /// The metric is a share of runs (axis labels in percent).
    pub percent: bool,
    pub footer: String,
}

impl About {
    /// `details` go into the footer between the scenario and the version.
    pub fn new(model: &Model, metric: &str, mode: &str, percent: bool, details: &[String]) -> Self {
        About {
            title: model.title.clone(),
            metric: metric.to_string(),
            metric_label: labels::metric(metric),
            mode: mode.to_string(),
            percent,
            footer: footer(model, details),
        }
    }
}

impl About {
    /// The sheet of a chart about this analysis: its title and footer
    /// around `subtitle` and `legend`.
    pub fn page<'a>(&'a self, subtitle: &'a str, legend: &'a [LegendItem]) -> Page<'a> {
        Page {
            title: &self.title,
            subtitle,
            legend,
            notes: &[],
            footer: &self.footer,
        }
    }
}

/// The footer of an analysis chart: scenario, the analysis' settings, version.
pub fn footer(model: &Model, details: &[String]) -> String {
    let mut parts = vec![format!("scenario {}", model.name)];
    parts.extend(details.iter().cloned());
    parts.push(format!("geosim {}", crate::VERSION));
    parts.join(" · ")
}
