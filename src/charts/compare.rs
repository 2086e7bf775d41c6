//! The charts of `geosim compare`: one variable across scenarios, each
//! scenario as its median line and its (about 90 %) quantile band in its own
//! colour, on shared scales so the scenarios can be read against each other.

use plotters::prelude::*;

use super::canvas::{self, Area, Drawn};
use super::fan::{QuantileBand, axis_title, percent};
use super::frame::{self, Frame};
use super::legend::{LegendItem, Swatch};
use super::panels::{self, Panel, Sheet};
use super::render::Chart;
use super::run_kind::{RunInfo, conditioned_on};
use super::theme::{self, Theme};
use super::time_axis::TimeAxis;
use crate::model::{Model, VarId};
use crate::stats::Table;

/// Opacity of each scenario's band: light, so where bands overlap the
/// mix stays pale and each band's own edges (drawn in its colour) show.
pub const BAND_ALPHA: f64 = 0.10;
/// Design width of a band's dashed edges, in the scenario's colour.
pub const EDGE_WIDTH: f64 = 1.5;

/// The band coverage a comparison prefers.
pub const PREFERRED_COVERAGE: f64 = 0.9;

/// One scenario's results, as compared.
pub struct Entry<'a> {
    pub model: &'a Model,
    pub table: &'a Table,
    pub info: RunInfo,
}

impl Entry<'_> {
    pub fn variable(&self, name: &str) -> Option<VarId> {
        self.model
            .variables
            .iter()
            .position(|v| v.name == name)
            .map(VarId)
    }

    /// The symmetric band whose coverage is nearest 90 %, if the run has one.
    pub fn band(&self, s: usize) -> Option<QuantileBand> {
        if self.table.runs < 2 {
            return None;
        }
        let (i, j) = self.table.band_pairs().into_iter().min_by(|a, b| {
            let cov = |p: &(usize, usize)| self.table.levels[p.1] - self.table.levels[p.0];
            (cov(a) - PREFERRED_COVERAGE)
                .abs()
                .total_cmp(&(cov(b) - PREFERRED_COVERAGE).abs())
        })?;
        Some(QuantileBand {
            coverage: self.table.levels[j] - self.table.levels[i],
            lo: self.table.quantile_path(s, i),
            hi: self.table.quantile_path(s, j),
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CompareSeries {
    pub scenario: String,
    pub colour: RGBColor,
    pub time: TimeAxis,
    pub median: Vec<f64>,
    pub band: Option<QuantileBand>,
}

impl CompareSeries {
    /// The scenario's legend label: its name, and what its band holds.
    pub fn legend_label(&self) -> String {
        match &self.band {
            Some(b) => format!(
                "{}: median, {} of runs between the dashed edges",
                self.scenario,
                percent(b.coverage)
            ),
            None => format!("{}: median", self.scenario),
        }
    }

    /// The scenario's own legend entry, swatch in its own colour.
    pub(crate) fn legend(&self) -> LegendItem {
        LegendItem {
            label: self.legend_label(),
            swatch: match self.band {
                Some(_) => Swatch::Band {
                    colour: self.colour,
                    fill: theme::tint(self.colour, BAND_ALPHA * 2.5),
                },
                None => Swatch::Line {
                    colour: self.colour,
                    width: 3.5,
                    dashed: false,
                },
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CompareData {
    pub variable: String,
    pub description: String,
    pub y_title: String,
    /// Shared by all scenarios: the union of their bounds.
    pub y_range: (f64, f64),
    /// Shared by all scenarios: the union of their horizons.
    pub time: TimeAxis,
    /// In the order the scenarios were given; scenarios without the
    /// variable are left out (their colour is kept for the others).
    pub series: Vec<CompareSeries>,
    /// More than [`MAX_OVERLAID`] scenarios on one horizon: one panel per
    /// scenario on shared scales instead of all bands on one plot.
    pub small_multiples: bool,
    pub footer: String,
}

/// Most scenarios whose bands are drawn over each other; more get a panel
/// each.
pub const MAX_OVERLAID: usize = 3;

/// The footer of a comparison: each scenario's runs and seed, and whether
/// it was conditioned on its observations.
pub fn compare_footer(entries: &[Entry<'_>]) -> String {
    let parts: Vec<String> = entries
        .iter()
        .map(|e| {
            let mut s = format!(
                "{}: {} runs, seed {}",
                e.model.name, e.info.runs, e.info.seed
            );
            if e.info.is_conditioned() {
                s = format!("{s}, {}", conditioned_on(e.model));
            }
            s
        })
        .collect();
    format!("{} · geosim {}", parts.join(" · "), crate::VERSION)
}

impl CompareData {
    /// `None` when no scenario has `variable`.
    pub fn new(entries: &[Entry<'_>], variable: &str) -> Option<Self> {
        let mut series = Vec::new();
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut start = None;
        let mut end = None;
        let mut first: Option<(&Model, VarId)> = None;
        for (k, e) in entries.iter().enumerate() {
            let Some(v) = e.variable(variable) else {
                continue;
            };
            let var = &e.model.variables[v.0];
            lo = lo.min(var.min);
            hi = hi.max(var.max);
            start = Some(start.map_or(e.model.start, |s: crate::model::YearMonth| {
                s.min(e.model.start)
            }));
            end = Some(end.map_or(e.model.end, |s: crate::model::YearMonth| s.max(e.model.end)));
            first.get_or_insert((e.model, v));
            series.push(CompareSeries {
                scenario: e.model.name.clone(),
                colour: theme::series(k),
                time: TimeAxis {
                    start: e.model.start,
                    end: e.model.end,
                },
                median: e.table.median_path(v.0),
                band: e.band(v.0),
            });
        }
        let (model, v) = first?;
        let one_horizon = series.windows(2).all(|w| w[0].time == w[1].time);
        Some(CompareData {
            small_multiples: series.len() > MAX_OVERLAID && one_horizon,
            variable: variable.to_string(),
            description: model.variables[v.0].description.clone(),
            y_title: axis_title(model, v),
            y_range: (lo, hi),
            time: TimeAxis {
                start: start?,
                end: end?,
            },
            series,
            footer: compare_footer(entries),
        })
    }

    /// Title naming the variable and the scenarios.
    pub fn title(&self) -> String {
        let names: Vec<&str> = self.series.iter().map(|s| s.scenario.as_str()).collect();
        format!("{}: {}", self.variable, names.join(" vs "))
    }
}

impl Chart for CompareData {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let legend: Vec<LegendItem> = self.series.iter().map(CompareSeries::legend).collect();
        let subtitle = if self.description.is_empty() {
            "Median and band of runs of each scenario".to_string()
        } else {
            self.description.clone()
        };
        let title = self.title();
        if self.small_multiples {
            let panels: Vec<Panel> = self
                .series
                .iter()
                .map(|s| Panel {
                    name: s.scenario.clone(),
                    note: None,
                    bounds: self.y_range,
                    median: s.median.clone(),
                    bands: s.band.iter().cloned().collect(),
                    colour: s.colour,
                    shades: Vec::new(),
                    observations: Vec::new(),
                })
                .collect();
            // Each panel is named by its scenario; the legend says what a
            // panel shows, in each scenario's colour.
            let legend: Vec<LegendItem> = self
                .series
                .iter()
                .map(|s| LegendItem {
                    label: match &s.band {
                        Some(b) => format!(
                            "{}: median, shaded {} of runs",
                            s.scenario,
                            percent(b.coverage)
                        ),
                        None => format!("{}: median", s.scenario),
                    },
                    swatch: Swatch::Line {
                        colour: s.colour,
                        width: 3.0,
                        dashed: false,
                    },
                })
                .collect();
            return panels::draw(
                area,
                theme,
                &Sheet {
                    title: &title,
                    subtitle: Some(&subtitle),
                    legend: &legend,
                    time: self.time,
                    panels: &panels,
                    footer: &self.footer,
                },
            );
        }
        let f = Frame {
            title: &title,
            subtitle: &subtitle,
            y_title: &self.y_title,
            y_range: self.y_range,
            y_percent: false,
            time: self.time,
            shades: &[],
            events: &[],
            legend: &legend,
            footer: &self.footer,
        };
        frame::draw(area, theme, &f, |plot| {
            for s in &self.series {
                if let Some(b) = &s.band {
                    area.draw(&Polygon::new(
                        plot.band(&s.time, &b.lo, &b.hi),
                        s.colour.mix(BAND_ALPHA).filled(),
                    ))?;
                }
            }
            // Dashed edges in each scenario's own colour keep every band
            // readable where bands overlap, and apart from the solid medians.
            for s in &self.series {
                if let Some(b) = &s.band {
                    let edge = s.colour;
                    canvas::dashed(area, theme, plot.path(&s.time, &b.lo), edge, EDGE_WIDTH)?;
                    canvas::dashed(area, theme, plot.path(&s.time, &b.hi), edge, EDGE_WIDTH)?;
                }
            }
            for s in &self.series {
                canvas::line(area, theme, plot.path(&s.time, &s.median), s.colour, 3.5)?;
            }
            Ok(())
        })
    }
}
