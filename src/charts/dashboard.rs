//! `dashboard.png`: every variable and driver as a small multiple on one
//! sheet — median and quantile bands on each series' own bounds, one shared
//! calendar axis.

use plotters::prelude::*;

use super::canvas::{Area, Drawn};
use super::drivers::{driver_colour, driver_panel};
use super::fan::quantile_bands;
use super::legend::{LegendItem, Swatch};
use super::observed;
use super::panels::{self, Panel, Sheet};
use super::render::Chart;
use super::run_kind::{RunChartKind, RunInfo, RunSource, footer};
use super::theme::{self, Theme};
use super::time_axis::TimeAxis;
use crate::error::Error;
use crate::model::Model;
use crate::stats::Table;

#[derive(Clone, Debug, PartialEq)]
pub struct DashboardData {
    pub title: String,
    pub time: TimeAxis,
    /// Variables first, then drivers, in scenario order.
    pub panels: Vec<Panel>,
    pub footer: String,
}

impl DashboardData {
    pub fn new(model: &Model, table: &Table, info: &RunInfo) -> Self {
        let single = table.runs < 2;
        let mut panels = Vec::with_capacity(model.n_sources());
        for (i, v) in model.variables.iter().enumerate() {
            let shades = panels::regime_shades(model, i);
            panels.push(Panel {
                name: v.name.clone(),
                note: v.labels.as_ref().map(|[lo, hi]| format!("{lo} ↔ {hi}")),
                bounds: (v.min, v.max),
                median: table.median_path(i),
                bands: if single {
                    Vec::new()
                } else {
                    quantile_bands(table, i)
                },
                colour: theme::BLUE,
                shades,
                observations: observed::marks(model, i),
            });
        }
        for k in 0..model.drivers.len() {
            let mut p = driver_panel(model, table, k);
            p.note = Some("driver".into());
            panels.push(p);
        }
        DashboardData {
            title: model.title.clone(),
            time: TimeAxis {
                start: model.start,
                end: model.end,
            },
            panels,
            footer: footer(model, info),
        }
    }

    fn legend(&self) -> Vec<LegendItem> {
        let mut items = panels::median_and_bands_legend(&self.panels, "median", theme::BLUE);
        if self.panels.iter().any(|p| p.colour != theme::BLUE) {
            items.push(LegendItem {
                label: "drivers in their own colours".into(),
                swatch: Swatch::Line {
                    colour: driver_colour(0),
                    width: 3.0,
                    dashed: false,
                },
            });
        }
        items.extend(panels::observed_legend(&self.panels));
        items
    }
}

impl Chart for DashboardData {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let legend = self.legend();
        panels::draw(
            area,
            theme,
            &Sheet {
                title: &self.title,
                subtitle: None,
                legend: &legend,
                time: self.time,
                panels: &self.panels,
                footer: &self.footer,
            },
        )
    }
}

impl RunChartKind for DashboardData {
    const NAME: &'static str = "dashboard";

    /// Every run has one.
    fn available(_model: &Model, _deterministic: bool) -> Result<(), Error> {
        Ok(())
    }

    fn build(src: &RunSource<'_>) -> Option<Self> {
        Some(DashboardData::new(src.model, src.table, &src.info))
    }
}
