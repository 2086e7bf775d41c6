//! `trajectory.png` (with `--deterministic`): every state variable of the
//! single central run as a small multiple on its own bounds, one shared
//! calendar axis, in one colour: eight lines on one axis were hard to tell
//! apart. Events are marked on each variable's own chart.

use plotters::prelude::*;

use super::canvas::{Area, Drawn};
use super::legend::{LegendItem, Swatch};
use super::observed;
use super::panels::{self, Panel, Sheet};
use super::render::Chart;
use super::run_kind::{RunChartKind, RunInfo, RunSource, footer};
use super::theme::{self, Theme};
use super::time_axis::TimeAxis;
use crate::error::Error;
use crate::model::Model;

/// Colour of every variable's line: the panels tell them apart.
pub const LINE: RGBColor = theme::BLUE;

#[derive(Clone, Debug, PartialEq)]
pub struct TrajectoryData {
    pub title: String,
    pub time: TimeAxis,
    /// One panel per variable, in scenario order; `median` is the run.
    pub panels: Vec<Panel>,
    pub footer: String,
}

impl TrajectoryData {
    /// `trajectory` is the run's months × sources matrix, as in
    /// `trajectory.csv`; only the variables are drawn.
    pub fn new(model: &Model, trajectory: &[f64], info: &RunInfo) -> Self {
        let ns = model.n_sources();
        let panels = model
            .variables
            .iter()
            .enumerate()
            .map(|(i, v)| Panel {
                name: v.name.clone(),
                note: v.labels.as_ref().map(|[lo, hi]| format!("{lo} ↔ {hi}")),
                bounds: (v.min, v.max),
                median: trajectory.chunks_exact(ns).map(|row| row[i]).collect(),
                bands: Vec::new(),
                colour: LINE,
                shades: panels::regime_shades(model, i),
                observations: observed::marks(model, i),
            })
            .collect();
        TrajectoryData {
            title: model.title.clone(),
            time: TimeAxis {
                start: model.start,
                end: model.end,
            },
            panels,
            footer: footer(model, info),
        }
    }
}

impl Chart for TrajectoryData {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let mut legend = vec![LegendItem {
            label: "deterministic run".into(),
            swatch: Swatch::Line {
                colour: LINE,
                width: 3.0,
                dashed: false,
            },
        }];
        legend.extend(panels::observed_legend(&self.panels));
        panels::draw(
            area,
            theme,
            &Sheet {
                title: &self.title,
                subtitle: Some(
                    "Deterministic run: every parameter at its central value, no noise, no \
                     incidents; each variable on its own scale (events are marked on its own chart)",
                ),
                legend: &legend,
                time: self.time,
                panels: &self.panels,
                footer: &self.footer,
            },
        )
    }
}

impl RunChartKind for TrajectoryData {
    const NAME: &'static str = "trajectory";

    fn available(_model: &Model, deterministic: bool) -> Result<(), Error> {
        if !deterministic {
            return Err(Error::usage(
                "--charts trajectory needs --deterministic",
                Some("the trajectory chart draws the single deterministic run".into()),
            ));
        }
        Ok(())
    }

    fn build(src: &RunSource<'_>) -> Option<Self> {
        Some(TrajectoryData::new(src.model, src.trajectory?, &src.info))
    }
}
