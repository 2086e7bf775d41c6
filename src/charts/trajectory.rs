//! `trajectory.png` (with `--deterministic`): every state variable of the
//! single central run as a line on one plot, scheduled events marked.

use plotters::prelude::*;

use super::canvas::{self, Area, Drawn};
use super::events::{EventMark, event_marks};
use super::frame::{self, Frame};
use super::legend::{LegendItem, Swatch};
use super::render::Chart;
use super::run_kind::{RunChartKind, RunInfo, RunSource, footer};
use super::theme::{self, Theme};
use super::time_axis::TimeAxis;
use crate::error::Error;
use crate::model::Model;

#[derive(Clone, Debug, PartialEq)]
pub struct TrajectoryLine {
    pub name: String,
    pub colour: RGBColor,
    pub values: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrajectoryData {
    pub title: String,
    pub time: TimeAxis,
    pub y_range: (f64, f64),
    pub lines: Vec<TrajectoryLine>,
    pub events: Vec<EventMark>,
    pub footer: String,
}

impl TrajectoryData {
    /// `trajectory` is the run's months × sources matrix, as in
    /// `trajectory.csv`; only the variables are drawn.
    pub fn new(model: &Model, trajectory: &[f64], info: &RunInfo) -> Self {
        let ns = model.n_sources();
        let lines = model
            .variables
            .iter()
            .enumerate()
            .map(|(i, v)| TrajectoryLine {
                name: v.name.clone(),
                colour: theme::series(i),
                values: trajectory.chunks_exact(ns).map(|row| row[i]).collect(),
            })
            .collect();
        let lo = model
            .variables
            .iter()
            .map(|v| v.min)
            .fold(f64::INFINITY, f64::min);
        let hi = model
            .variables
            .iter()
            .map(|v| v.max)
            .fold(f64::NEG_INFINITY, f64::max);
        TrajectoryData {
            title: model.title.clone(),
            time: TimeAxis {
                start: model.start,
                end: model.end,
            },
            y_range: if lo < hi { (lo, hi) } else { (0.0, 1.0) },
            lines,
            events: event_marks(model, None),
            footer: footer(model, info),
        }
    }
}

impl Chart for TrajectoryData {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let legend: Vec<LegendItem> = self
            .lines
            .iter()
            .map(|l| LegendItem {
                label: l.name.clone(),
                swatch: Swatch::Line {
                    colour: l.colour,
                    width: 3.0,
                    dashed: false,
                },
            })
            .collect();
        let f = Frame {
            title: &self.title,
            subtitle: "Deterministic run: every parameter at its central value, no noise, no incidents",
            y_title: "level of each variable",
            y_range: self.y_range,
            y_percent: false,
            time: self.time,
            shades: &[],
            events: &self.events,
            legend: &legend,
            footer: &self.footer,
        };
        frame::draw(area, theme, &f, |plot| {
            for l in &self.lines {
                canvas::line(area, theme, plot.path(&self.time, &l.values), l.colour, 3.0)?;
            }
            Ok(())
        })
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
