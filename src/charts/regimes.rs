//! `regimes.png`: the share of runs in each regime band over time, as a
//! stacked area from the lowest band up, in the band colours used on every
//! other chart; scheduled events are marked as on the fan charts.

use plotters::prelude::*;

use super::canvas::{self, Area, Drawn};
use super::events::{self, EventMark, event_marks};
use super::frame::{self, Frame, Shade};
use super::legend::{LegendItem, Swatch};
use super::render::Chart;
use super::run_kind::{RunChartKind, RunInfo, RunSource, footer};
use super::theme::{self, Theme};
use super::time_axis::TimeAxis;
use crate::error::Error;
use crate::model::Model;
use crate::stats::Table;

/// Strength of the band colours in the stacked areas.
pub const FILL: f64 = 0.6;

#[derive(Clone, Debug, PartialEq)]
pub struct RegimeBand {
    pub name: String,
    /// The band's colour on every chart.
    pub colour: RGBColor,
    /// Its area here: the colour lightened ([`FILL`]), so the event
    /// markers stay visible over the darkest band.
    pub fill: RGBColor,
    /// Share of runs in this band, month by month.
    pub shares: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RegimeData {
    pub title: String,
    pub variable: String,
    pub time: TimeAxis,
    /// Lowest band first.
    pub bands: Vec<RegimeBand>,
    pub events: Vec<EventMark>,
    /// What a grey event marker means, when some are grey (in the legend).
    pub grey_note: Option<String>,
    pub footer: String,
}

impl RegimeData {
    /// `None` when the scenario has no regimes.
    pub fn new(model: &Model, table: &Table, info: &RunInfo) -> Option<Self> {
        let reg = model.regimes.as_ref()?;
        let bands = reg
            .bands
            .iter()
            .enumerate()
            .map(|(i, b)| RegimeBand {
                name: b.name.clone(),
                colour: theme::band_colour(&reg.bands, i),
                fill: theme::tint(theme::band_colour(&reg.bands, i), FILL),
                shares: (0..table.months)
                    .map(|t| table.regime_shares(t).map_or(0.0, |s| s[i]))
                    .collect(),
            })
            .collect();
        let events = event_marks(model, Some(reg.variable));
        let variable = model.variables[reg.variable.0].name.clone();
        Some(RegimeData {
            grey_note: events::grey_note(&events, &variable),
            title: model.title.clone(),
            variable,
            time: TimeAxis {
                start: model.start,
                end: model.end,
            },
            bands,
            events,
            footer: footer(model, info),
        })
    }

    /// Lower and upper edge of each band's area, month by month.
    pub fn stacks(&self) -> Vec<(Vec<f64>, Vec<f64>)> {
        let months = self.bands.first().map_or(0, |b| b.shares.len());
        let mut below = vec![0.0; months];
        self.bands
            .iter()
            .map(|b| {
                let lo = below.clone();
                for (acc, s) in below.iter_mut().zip(&b.shares) {
                    *acc += s;
                }
                (lo, below.clone())
            })
            .collect()
    }
}

impl Chart for RegimeData {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let stacks = self.stacks();
        // Names at the right edge, beside each band's final share.
        let shades: Vec<Shade> = self
            .bands
            .iter()
            .zip(&stacks)
            .map(|(b, (lo, hi))| Shade {
                name: b.name.clone(),
                lo: lo.last().copied().unwrap_or(0.0),
                hi: hi.last().copied().unwrap_or(0.0),
                colour: b.fill,
            })
            .collect();
        let mut legend: Vec<LegendItem> = self
            .bands
            .iter()
            .map(|b| LegendItem {
                label: b.name.clone(),
                swatch: Swatch::Patch(b.fill),
            })
            .collect();
        legend.extend(events::grey_legend(&self.grey_note));
        let subtitle = format!(
            "Share of runs in each regime of {}, lowest band at the bottom",
            self.variable
        );
        let y_title = "share of runs";
        let f = Frame {
            title: &self.title,
            subtitle: &subtitle,
            y_title,
            y_range: (0.0, 1.0),
            y_percent: true,
            time: self.time,
            shades: &shades,
            events: &self.events,
            legend: &legend,
            footer: &self.footer,
        };
        frame::draw(area, theme, &f, |plot| {
            for (b, (lo, hi)) in self.bands.iter().zip(&stacks) {
                if b.shares.iter().any(|s| *s > 0.0) {
                    canvas::fill(area, plot.band(&self.time, lo, hi), b.fill)?;
                }
            }
            Ok(())
        })
    }
}

impl RunChartKind for RegimeData {
    const NAME: &'static str = "regimes";

    fn available(model: &Model, _deterministic: bool) -> Result<(), Error> {
        if model.regimes.is_none() {
            return Err(Error::usage(
                format!(
                    "--charts regimes: scenario `{}` has no [regimes] table",
                    model.name
                ),
                None,
            ));
        }
        Ok(())
    }

    fn build(src: &RunSource<'_>) -> Option<Self> {
        RegimeData::new(src.model, src.table, &src.info)
    }
}
