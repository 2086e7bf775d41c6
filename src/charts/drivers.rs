//! `drivers.png`: the exogenous driver paths, one panel each on a shared
//! calendar axis, with quantile bands where the driver has an uncertain
//! offset (the other drivers follow the same path in every run).

use plotters::prelude::*;

use super::canvas::{Area, Drawn};
use super::fan::quantile_bands;
use super::legend::LegendItem;
use super::observed;
use super::panels::{self, Panel, Sheet};
use super::render::Chart;
use super::run_kind::{RunChartKind, RunInfo, RunSource, footer};
use super::theme::{self, Theme};
use super::time_axis::TimeAxis;
use crate::error::Error;
use crate::model::Model;
use crate::stats::Table;

/// Colour of driver `k` on every chart. Blue is left to the variables.
pub fn driver_colour(k: usize) -> RGBColor {
    theme::series(k + 1)
}

/// The panel of driver `k`: its median path, and its quantile bands when
/// it has an offset and the run is an ensemble.
pub fn driver_panel(model: &Model, table: &Table, k: usize) -> Panel {
    let d = &model.drivers[k];
    let s = model.n_vars() + k;
    let banded = d.offset.is_some() && table.runs > 1;
    Panel {
        name: d.name.clone(),
        note: Some(if banded {
            "uncertain offset".into()
        } else {
            "fixed path".into()
        }),
        bounds: (d.min, d.max),
        median: table.median_path(s),
        bands: if banded {
            quantile_bands(table, s)
        } else {
            Vec::new()
        },
        colour: driver_colour(k),
        shades: Vec::new(),
        observations: observed::marks(model, s),
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct DriverData {
    pub title: String,
    pub time: TimeAxis,
    /// One per driver, in scenario order.
    pub panels: Vec<Panel>,
    pub footer: String,
}

impl DriverData {
    pub fn new(model: &Model, table: &Table, info: &RunInfo) -> Self {
        DriverData {
            title: model.title.clone(),
            time: TimeAxis {
                start: model.start,
                end: model.end,
            },
            panels: (0..model.drivers.len())
                .map(|k| driver_panel(model, table, k))
                .collect(),
            footer: footer(model, info),
        }
    }

    fn legend(&self) -> Vec<LegendItem> {
        let mut items = panels::median_and_bands_legend(&self.panels, "median path", theme::MUTED);
        items.extend(panels::observed_legend(&self.panels));
        items
    }
}

impl Chart for DriverData {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let legend = self.legend();
        panels::draw(
            area,
            theme,
            &Sheet {
                title: &self.title,
                subtitle: Some(
                    "Exogenous drivers: the path of each; bands where the driver has an uncertain offset, in each driver's colour",
                ),
                legend: &legend,
                time: self.time,
                panels: &self.panels,
                footer: &self.footer,
            },
        )
    }
}

impl RunChartKind for DriverData {
    const NAME: &'static str = "drivers";

    fn available(model: &Model, _deterministic: bool) -> Result<(), Error> {
        if model.drivers.is_empty() {
            return Err(Error::usage(
                format!("--charts drivers: scenario `{}` has no drivers", model.name),
                None,
            ));
        }
        Ok(())
    }

    fn build(src: &RunSource<'_>) -> Option<Self> {
        let m = src.model;
        (!m.drivers.is_empty()).then(|| DriverData::new(m, src.table, &src.info))
    }
}
