//! `<variable>.png`: the fan chart of one state variable — median line,
//! quantile bands, the mean dashed, regime bands shaded behind the regime
//! variable, a numbered marker for every scheduled event, and the record:
//! every observation of the variable (and every band observation, on the
//! regime variable's chart), with the last observation of a conditioned run
//! marked where the forecast begins.

use plotters::prelude::*;

use super::canvas::{self, Area, Drawn};
use super::events::{self, EventMark, event_marks};
use super::frame::{self, Frame, Shade};
use super::legend::{LegendItem, Swatch};
use super::observed::{self, Kinds, ObservedMark};
use super::render::Chart;
use super::run_kind::{RunInfo, footer};
use super::theme::{self, Theme};
use super::time_axis::TimeAxis;
use crate::model::{Model, VarId};
use crate::stats::Table;

/// One quantile band: the runs between `lo` and `hi` each month.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantileBand {
    /// Share of runs inside the band, e.g. 0.9 for p05–p95.
    pub coverage: f64,
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
}

/// Quantile bands of series `s`, widest first (the pairs the table holds).
pub fn quantile_bands(table: &Table, s: usize) -> Vec<QuantileBand> {
    table
        .band_pairs()
        .into_iter()
        .map(|(i, j)| QuantileBand {
            coverage: table.levels[j] - table.levels[i],
            lo: table.quantile_path(s, i),
            hi: table.quantile_path(s, j),
        })
        .collect()
}

/// "90%" for 0.9, "97.5%" for 0.975.
pub fn percent(x: f64) -> String {
    let p = (x * 1000.0).round() / 10.0;
    format!("{p}%")
}

/// The y-axis title of a variable: its name and the meaning of its ends.
pub fn axis_title(model: &Model, v: VarId) -> String {
    let var = &model.variables[v.0];
    match &var.labels {
        Some([lo, hi]) => format!("{}: {lo} ↔ {hi}", var.name),
        None => var.name.clone(),
    }
}

/// Everything a fan chart shows, computed from the results.
#[derive(Clone, Debug, PartialEq)]
pub struct FanData {
    pub title: String,
    pub variable: String,
    pub description: String,
    pub y_title: String,
    pub bounds: (f64, f64),
    pub time: TimeAxis,
    pub median: Vec<f64>,
    /// `None` for a single (deterministic) run, whose mean is its median.
    pub mean: Option<Vec<f64>>,
    /// Widest first; empty for a single run.
    pub bands: Vec<QuantileBand>,
    pub events: Vec<EventMark>,
    /// What a grey event marker means, when some are grey (in the legend).
    pub grey_note: Option<String>,
    /// Regime bands, when this is the regime variable.
    pub regimes: Vec<Shade>,
    /// The observations of this variable, in month order, in its units.
    pub observations: Vec<ObservedMark>,
    /// The month of the last observation of a conditioned run (of any
    /// series): the runs are a forecast after it. `None` when the run was
    /// not conditioned.
    pub last_observation: Option<usize>,
    pub footer: String,
}

impl FanData {
    pub fn new(model: &Model, table: &Table, v: VarId, info: &RunInfo) -> Self {
        let var = &model.variables[v.0];
        let single = table.runs < 2;
        let regimes = match &model.regimes {
            Some(r) if r.variable == v => r
                .bands
                .iter()
                .enumerate()
                .map(|(i, b)| Shade {
                    name: b.name.clone(),
                    lo: b.lo.max(var.min),
                    hi: b.hi.min(var.max),
                    colour: theme::band_colour(&r.bands, i),
                })
                .collect(),
            _ => Vec::new(),
        };
        let events = event_marks(model, Some(v));
        FanData {
            grey_note: events::grey_note(&events, &var.name),
            title: model.title.clone(),
            variable: var.name.clone(),
            description: var.description.clone(),
            y_title: axis_title(model, v),
            bounds: (var.min, var.max),
            time: TimeAxis {
                start: model.start,
                end: model.end,
            },
            median: table.median_path(v.0),
            mean: (!single).then(|| table.mean_path(v.0)),
            bands: if single {
                Vec::new()
            } else {
                quantile_bands(table, v.0)
            },
            events,
            regimes,
            observations: observed::marks(model, v.0),
            last_observation: if info.is_conditioned() {
                observed::last_month(model)
            } else {
                None
            },
            footer: footer(model, info),
        }
    }

    /// Fill colours of the bands, widest first: lighter outside.
    pub fn band_colours(&self) -> Vec<RGBColor> {
        band_colours(theme::BLUE, self.bands.len())
    }
}

/// Tints of `c` for `n` nested bands, widest (lightest) first.
pub fn band_colours(c: RGBColor, n: usize) -> Vec<RGBColor> {
    (0..n)
        .map(|i| {
            let k = if n < 2 {
                0.0
            } else {
                i as f64 / (n - 1) as f64
            };
            theme::tint(
                c,
                theme::OUTER_BAND + (theme::INNER_BAND - theme::OUTER_BAND) * k,
            )
        })
        .collect()
}

/// Colour of the median line.
pub const MEDIAN: RGBColor = theme::BLUE;
/// Colour of the dashed mean line.
pub const MEAN: RGBColor = theme::BLACK;

impl Chart for FanData {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let colours = self.band_colours();
        let mut legend = vec![LegendItem {
            label: if self.mean.is_some() {
                "median".into()
            } else {
                "deterministic run".into()
            },
            swatch: Swatch::Line {
                colour: MEDIAN,
                width: 3.5,
                dashed: false,
            },
        }];
        for (b, c) in self.bands.iter().zip(&colours).rev() {
            legend.push(LegendItem {
                label: format!("{} of runs", percent(b.coverage)),
                swatch: Swatch::Patch(*c),
            });
        }
        if self.mean.is_some() {
            legend.push(LegendItem {
                label: "mean".into(),
                swatch: Swatch::Line {
                    colour: MEAN,
                    width: 2.0,
                    dashed: true,
                },
            });
        }
        legend.extend(events::grey_legend(&self.grey_note));
        let kinds = Kinds::of(&self.observations);
        if kinds.any() {
            legend.push(LegendItem {
                label: kinds.label(),
                swatch: Swatch::Observed(kinds),
            });
        }
        let subtitle = if self.description.is_empty() {
            self.variable.clone()
        } else {
            format!("{} — {}", self.variable, self.description)
        };
        let f = Frame {
            title: &self.title,
            subtitle: &subtitle,
            y_title: &self.y_title,
            y_range: self.bounds,
            y_percent: false,
            time: self.time,
            shades: &self.regimes,
            events: &self.events,
            legend: &legend,
            footer: &self.footer,
        };
        let contents = |plot: &canvas::Plot| {
            for (b, c) in self.bands.iter().zip(&colours) {
                canvas::fill(area, plot.band(&self.time, &b.lo, &b.hi), *c)?;
            }
            if let Some(mean) = &self.mean {
                canvas::dashed(area, theme, plot.path(&self.time, mean), MEAN, 2.0)?;
            }
            canvas::line(
                area,
                theme,
                plot.path(&self.time, &self.median),
                MEDIAN,
                3.5,
            )
        };
        // The record goes over the event markers, so no event line crosses it.
        frame::draw_with_overlay(area, theme, &f, contents, |plot| {
            if let Some(month) = self.last_observation {
                let top = self.label_on_top(month);
                observed::draw_last(area, theme, plot, &self.time, month, top)?;
            }
            observed::draw(area, theme, plot, &self.time, &self.observations, false)
        })
    }
}

impl FanData {
    /// Whether the label of the line at `month` goes at the top of the
    /// plot: where the runs and the record leave more room that month.
    fn label_on_top(&self, month: usize) -> bool {
        let (lo, hi) = self.bounds;
        let mid = (lo + hi) / 2.0;
        let mut below = 0.0;
        let mut above = 0.0;
        let mut weigh = |v: f64| {
            if v.is_finite() {
                if v > mid {
                    above += 1.0;
                } else {
                    below += 1.0;
                }
            }
        };
        if let Some(m) = self.median.get(month) {
            weigh(*m);
        }
        for b in &self.bands {
            for side in [&b.lo, &b.hi] {
                if let Some(v) = side.get(month) {
                    weigh(*v);
                }
            }
        }
        for o in self.observations.iter().filter(|o| o.month == month) {
            weigh(o.point.unwrap_or((o.lo.max(lo) + o.hi.min(hi)) / 2.0));
        }
        above <= below
    }
}
