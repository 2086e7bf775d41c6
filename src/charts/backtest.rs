//! The charts of `geosim backtest`:
//! - `backtest.png`: one panel per observed series — the forecast fan from
//!   the last origin (median, central 50 % and 90 %), a dashed line at the
//!   origin, the held-out observations in the record's ink and the
//!   observations before the origin, which the forecast was conditioned
//!   on, hollow and grey, so a reader sees at once what the model knew and
//!   what it was scored against;
//! - `pit.png`: the histogram of the PIT values of the measured
//!   observations against the flat line a calibrated forecast gives, with
//!   the band a calibrated forecast's counts fall in 95 % of the time and
//!   the uniformity tests' p-values in the subtitle;
//! - `reliability.png`: for interval and band observations, the forecast
//!   probability of each outcome (binned) against how often the outcome
//!   happened, with the diagonal of perfect reliability and each bin's
//!   count.
//!
//! Each is a plain data struct built from the backtest first (the tests
//! check those), then drawn.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::analysis::footer;
use super::axes::{self, Span, extent};
use super::canvas::{self, Area, Body, DrawResult, Drawn, Plot};
use super::fan::band_colours;
use super::frame::Shade;
use super::legend::{self, LegendItem, Swatch};
use super::observed::{self, INK, Kinds, ObservedKind, ObservedMark};
use super::page::{self, Page};
use super::panels;
use super::render::Chart;
use super::text::{self, Font, VAlign};
use super::theme::{self, Theme};
use super::time_axis::TimeAxis;
use crate::inference::backtest::{Backtest, Kind, probability_pairs};
use crate::model::{Model, YearMonth};
use crate::stats::scores::Uniformity;

/// Colour of the forecast fans.
pub const FAN: RGBColor = theme::BLUE;
/// Colour of the observations before the origin.
pub const BEFORE: RGBColor = theme::AXIS;
/// Colour of the PIT histogram's bars.
pub const BARS: RGBColor = theme::SKY_BLUE;

/// One panel of `backtest.png`, in the series' own units; months are
/// counted from the chart's first month.
#[derive(Clone, Debug, PartialEq)]
pub struct FanPanel {
    pub name: String,
    /// First month of the fan (the origin).
    pub first: usize,
    /// Quantiles 5, 25, 50, 75 and 95 % for each month from `first`.
    pub quantiles: Vec<[f64; 5]>,
    /// Observations before the origin.
    pub before: Vec<ObservedMark>,
    /// Observations from the origin on: the ones scored.
    pub held_out: Vec<ObservedMark>,
    pub y: (f64, f64),
    /// The regime bands, behind the regime variable's panel, so band
    /// observations read against the bands they name.
    pub shades: Vec<Shade>,
}

/// `backtest.png`.
#[derive(Clone, Debug, PartialEq)]
pub struct BacktestChart {
    pub title: String,
    pub subtitle: String,
    pub footer: String,
    /// From the month before the first observation to the month after
    /// the last.
    pub time: TimeAxis,
    /// The last origin, in months from the chart's first month; its line
    /// is drawn half a month before it, between the last month the
    /// forecast knew and the first it forecast.
    pub origin: usize,
    pub origin_label: String,
    pub panels: Vec<FanPanel>,
}

impl BacktestChart {
    /// `None` when the backtest has no fan (no observation at all).
    pub fn new(model: &Model, b: &Backtest, details: &[String]) -> Option<Self> {
        let first = model.observations.iter().map(|o| o.month).min()?;
        let last = model.observations.iter().map(|o| o.month).max()?;
        let origin = b.origins.last()?.month;
        if b.fans.is_empty() {
            return None;
        }
        // A month of room on either side, so the first and last marks are
        // not cut by the plot's edges: chart month k is model month
        // first + k − 1.
        let first = first.min(origin);
        let shift = |mut m: ObservedMark| {
            m.month = m.month + 1 - first;
            m
        };
        let panels = b
            .fans
            .iter()
            .map(|f| {
                let (before, held_out): (Vec<ObservedMark>, Vec<ObservedMark>) =
                    observed::marks(model, f.series)
                        .into_iter()
                        .map(shift)
                        .partition(|m| m.month + first < origin + 1);
                let (min, max) = model.source_bounds(f.series);
                // A band reaching the variable's bound (the first or last
                // band) would stretch the panel to that bound: its far edge
                // is left out, and the mark is cut at the plot's edge with
                // an arrowhead instead.
                let edges = |m: &ObservedMark| {
                    let band = m.kind == ObservedKind::Band;
                    [m.lo, m.hi]
                        .into_iter()
                        .filter(move |v| !band || (*v > min && *v < max))
                        .chain(m.point)
                };
                let values = f
                    .quantiles
                    .iter()
                    .flat_map(|q| [q[0], q[4]])
                    .chain(before.iter().chain(&held_out).flat_map(edges));
                let (lo, hi) = extent(values);
                let pad = if hi > lo { (hi - lo) * 0.06 } else { 0.5 };
                let y = ((lo - pad).max(min), (hi + pad).min(max));
                let shades = match &model.regimes {
                    Some(r) if r.variable.0 == f.series => r
                        .bands
                        .iter()
                        .enumerate()
                        .map(|(i, b)| Shade {
                            name: b.name.clone(),
                            lo: b.lo.max(min),
                            hi: b.hi.min(max),
                            colour: theme::band_colour(&r.bands, i),
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                FanPanel {
                    shades,
                    name: model
                        .source_name(crate::model::SourceId(f.series))
                        .to_string(),
                    first: f.first + 1 - first,
                    quantiles: f.quantiles.clone(),
                    before,
                    held_out,
                    y: axes::non_empty(y.0, y.1),
                }
            })
            .collect();
        let n_origins = b.origins.len();
        let subtitle = if n_origins > 1 {
            format!(
                "Forecast from the last of {n_origins} origins ({}), conditioned on the {} observations before it; held-out observations solid, earlier ones hollow grey",
                model.date(origin),
                b.origins.last()?.conditioned_on
            )
        } else {
            format!(
                "Forecast from {}, conditioned on the {} observations before it; held-out observations solid, earlier ones hollow grey",
                model.date(origin),
                b.origins.last()?.conditioned_on
            )
        };
        Some(BacktestChart {
            title: format!("{} — backtest", model.title),
            subtitle,
            footer: footer(model, details),
            time: TimeAxis {
                start: month_before(model.date(first)),
                end: model.date(last).plus_months(1),
            },
            origin: origin + 1 - first,
            origin_label: format!("origin {}", model.date(origin)),
            panels,
        })
    }

    fn legend(&self) -> Vec<LegendItem> {
        let colours = band_colours(FAN, 2);
        let mut items = vec![
            LegendItem {
                label: "forecast median".into(),
                swatch: Swatch::Line {
                    colour: FAN,
                    width: 3.0,
                    dashed: false,
                },
            },
            LegendItem {
                label: "50% of runs".into(),
                swatch: Swatch::Patch(colours[1]),
            },
            LegendItem {
                label: "90% of runs".into(),
                swatch: Swatch::Patch(colours[0]),
            },
        ];
        let kinds = Kinds::of(self.panels.iter().flat_map(|p| &p.held_out));
        if kinds.any() {
            items.push(LegendItem {
                label: format!(
                    "held out: {}",
                    kinds.label().trim_start_matches("observed: ")
                ),
                swatch: Swatch::Observed(kinds),
            });
        }
        if self.panels.iter().any(|p| !p.before.is_empty()) {
            items.push(LegendItem {
                label: "before the origin (conditioned on)".into(),
                swatch: Swatch::Line {
                    colour: BEFORE,
                    width: 2.0,
                    dashed: false,
                },
            });
        }
        items.push(LegendItem {
            label: "forecast origin".into(),
            swatch: Swatch::Line {
                colour: INK,
                width: 1.5,
                dashed: true,
            },
        });
        items
    }
}

/// The month before `m`.
fn month_before(m: YearMonth) -> YearMonth {
    if m.month() == 1 {
        YearMonth::new(m.year() - 1, 12)
    } else {
        YearMonth::new(m.year(), m.month() - 1)
    }
    .unwrap_or(m)
}

/// Three y ticks of a panel: its ends and middle.
fn y_ticks(y: (f64, f64)) -> [(f64, String); 3] {
    let mid = (y.0 + y.1) / 2.0;
    let values = [y.0, mid, y.1];
    let mut labels = axes::value_labels(&values, (y.1 - y.0) / 2.0, false).into_iter();
    values.map(|v| (v, labels.next().unwrap_or_default()))
}

/// An observation before the origin: a hollow grey mark, thinner than the
/// held-out ones, so the two never read alike.
fn hollow<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    plot: &Plot,
    time: &TimeAxis,
    m: &ObservedMark,
) -> DrawResult<DB> {
    let (ymin, ymax) = (plot.y.0.min(plot.y.1), plot.y.0.max(plot.y.1));
    let x = plot.px_x(time.x(m.month)).round() as i32;
    let top = plot.px_y(m.hi.clamp(ymin, ymax)).round() as i32;
    let bottom = plot.px_y(m.lo.clamp(ymin, ymax)).round() as i32;
    let stroke = BEFORE.stroke_width(theme.stroke(1.5));
    let half = theme.ipx(4.0).max(2);
    match m.kind {
        ObservedKind::Measured => {
            area.draw(&PathElement::new(vec![(x, top), (x, bottom)], stroke))?;
            match m.point {
                Some(p) if (ymin..=ymax).contains(&p) => {
                    let c = (x, plot.px_y(p).round() as i32);
                    let r = theme.ipx(4.5).max(3);
                    area.draw(&Circle::new(c, r, theme::WHITE.filled()))?;
                    area.draw(&Circle::new(c, r, stroke))?;
                }
                // Off the plot: a hollow arrowhead at the edge it lies beyond.
                Some(p) if p.is_finite() => {
                    let (edge, dir) = if p > ymax {
                        (plot.top.round() as i32, 1)
                    } else {
                        (plot.bottom.round() as i32, -1)
                    };
                    let len = theme.ipx(10.0).max(4);
                    let tip = (x, edge);
                    let base = edge + dir * len;
                    let pts = vec![(x - half, base), tip, (x + half, base), (x - half, base)];
                    area.draw(&Polygon::new(pts.clone(), theme::WHITE.filled()))?;
                    area.draw(&PathElement::new(pts, stroke))?;
                }
                _ => {}
            }
        }
        ObservedKind::Interval | ObservedKind::Band => {
            area.draw(&Rectangle::new(
                [(x - half, top), (x + half, bottom.max(top + 1))],
                stroke,
            ))?;
        }
    }
    Ok(())
}

impl Chart for BacktestChart {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        area.fill(&theme::WHITE)?;
        let w = f64::from(theme.width);
        let m = f64::from(theme.margin());
        let small = Font::new(theme.small(), theme::TEXT);
        let name_font = small.bold();
        let tick_font = Font::new(theme.tiny(), theme::TEXT);
        let mut y = page::header(area, theme, &self.title, &self.subtitle, 2)? + theme.px(4.0);
        let items = self.legend();
        let layout = legend::legend_layout(area, theme, &items, w - 2.0 * m, small);
        legend::draw_legend(area, theme, &items, &layout, (m, y), small)?;
        y += layout.height + theme.px(8.0);
        let bottom = page::footer(area, theme, &self.footer)? - theme.px(6.0);
        let n = self.panels.len();
        let cols = panels::columns(n, w - 2.0 * m, bottom - y);
        let rows = n.div_ceil(cols);
        let cell_w = (w - 2.0 * m) / cols as f64;
        let cell_h = (bottom - y) / rows as f64;
        let ylabel_w = self
            .panels
            .iter()
            .flat_map(|p| y_ticks(p.y))
            .map(|(_, l)| text::width(area, &l, tick_font))
            .fold(0.0, f64::max);
        let inner_w = cell_w - ylabel_w - theme.px(30.0);
        let xticks = self.time.ticks(inner_w, theme.px(16.0), &|t| {
            text::width(area, t, tick_font)
        });
        let label_room = tick_font.line() + theme.px(18.0);
        // Room right of every plot for the regime bands' names (the same for
        // all panels, so their time axes line up).
        let names_w = self
            .panels
            .iter()
            .flat_map(|p| &p.shades)
            .map(|s| text::width(area, &s.name, tick_font) + theme.px(8.0))
            .fold(0.0, f64::max);
        let colours = band_colours(FAN, 2);
        let mut rects = Vec::with_capacity(n);
        for (i, p) in self.panels.iter().enumerate() {
            let (cx, cy) = (
                m + (i % cols) as f64 * cell_w,
                y + (i / cols) as f64 * cell_h,
            );
            let plot = Plot {
                left: cx + ylabel_w + theme.px(10.0),
                top: cy + name_font.line() + theme.px(8.0),
                right: cx + cell_w - theme.px(20.0) - names_w,
                bottom: cy + cell_h - label_room,
                x: self.time.range(),
                y: p.y,
            };
            let (l, t, r, b) = (plot.left, plot.top, plot.right, plot.bottom);
            let name = text::fit(area, &p.name, name_font, r - l);
            let title_y = t - name_font.line() - theme.px(2.0);
            text::draw(
                area,
                theme,
                &name,
                (l, title_y),
                name_font,
                HPos::Left,
                VAlign::Top,
            )?;
            shades(area, theme, &plot, &p.shades, tick_font)?;
            let grid = theme::GRID.stroke_width(theme.stroke(1.0));
            let ticks = y_ticks(p.y);
            for (v, label) in &ticks {
                let py = plot.px_y(*v);
                area.draw(&PathElement::new(
                    vec![(l as i32, py as i32), (r as i32, py as i32)],
                    grid,
                ))?;
                text::draw(
                    area,
                    theme,
                    label,
                    (l - theme.px(8.0), py),
                    tick_font,
                    HPos::Right,
                    VAlign::Middle,
                )?;
            }
            for tk in &xticks {
                let px = plot.px_x(tk.x) as i32;
                area.draw(&PathElement::new(
                    vec![(px, t as i32), (px, b as i32)],
                    grid,
                ))?;
                if i + cols >= n {
                    text::draw(
                        area,
                        theme,
                        &tk.label,
                        (f64::from(px), b + theme.px(8.0)),
                        tick_font,
                        HPos::Center,
                        VAlign::Top,
                    )?;
                }
            }
            area.draw(&PathElement::new(
                vec![
                    (l as i32, t as i32),
                    (l as i32, b as i32),
                    (r as i32, b as i32),
                ],
                theme::AXIS.stroke_width(theme.stroke(1.2)),
            ))?;
            let at = |k: usize, v: f64| plot.px(self.time.x(p.first + k), v);
            let band = |a: usize, z: usize| {
                let mut pts: Vec<(i32, i32)> = p
                    .quantiles
                    .iter()
                    .enumerate()
                    .map(|(k, q)| at(k, q[z]))
                    .collect();
                pts.extend(
                    p.quantiles
                        .iter()
                        .enumerate()
                        .rev()
                        .map(|(k, q)| at(k, q[a])),
                );
                pts
            };
            canvas::fill(area, band(0, 4), colours[0])?;
            canvas::fill(area, band(1, 3), colours[1])?;
            let median = p
                .quantiles
                .iter()
                .enumerate()
                .map(|(k, q)| at(k, q[2]))
                .collect();
            canvas::line(area, theme, median, FAN, 3.0)?;
            let ox = plot.px_x(self.time.x(self.origin) - 1.0 / 24.0).round() as i32;
            canvas::dashed(area, theme, vec![(ox, t as i32), (ox, b as i32)], INK, 1.5)?;
            if i == 0 {
                origin_label(area, theme, &plot, ox, &self.origin_label)?;
            }
            for mk in &p.before {
                hollow(area, theme, &plot, &self.time, mk)?;
            }
            observed::draw(area, theme, &plot, &self.time, &p.held_out, true)?;
            rects.push(plot.rect());
        }
        Ok(rects)
    }
}

/// The regime bands as light shading across the plot, each named in
/// small muted text right of the plot where its visible part is tall
/// enough to hold the name.
fn shades<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    plot: &Plot,
    shades: &[Shade],
    font: Font,
) -> DrawResult<DB> {
    let (ymin, ymax) = (plot.y.0.min(plot.y.1), plot.y.0.max(plot.y.1));
    for s in shades {
        let (lo, hi) = (s.lo.max(ymin), s.hi.min(ymax));
        if hi <= lo {
            continue;
        }
        let (top, bottom) = (plot.px_y(hi), plot.px_y(lo));
        area.draw(&Rectangle::new(
            [
                (plot.left as i32, top as i32),
                (plot.right as i32, bottom as i32),
            ],
            theme::tint(s.colour, theme::REGIME_SHADE).filled(),
        ))?;
        let f = Font::new(font.size, theme::MUTED);
        if bottom - top >= f.cap() + theme.px(2.0) {
            text::draw(
                area,
                theme,
                &s.name,
                (plot.right + theme.px(6.0), (top + bottom) / 2.0),
                f,
                HPos::Left,
                VAlign::Middle,
            )?;
        }
    }
    Ok(())
}

/// "origin 2024-01" at the top of the first panel, beside the origin's
/// line on the side where it fits (after it when it can).
fn origin_label<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    plot: &Plot,
    x: i32,
    label: &str,
) -> DrawResult<DB> {
    let f = Font::new(theme.tiny(), INK);
    let w = text::width(area, label, f);
    let gap = theme.px(5.0);
    let x = f64::from(x);
    let after = x + gap + w <= plot.right;
    let l = if after { x + gap } else { x - gap - w };
    let t = plot.top + theme.px(4.0);
    area.draw(&Rectangle::new(
        [
            ((l - 2.0) as i32, t as i32),
            ((l + w + 2.0) as i32, (t + f.line()) as i32),
        ],
        theme::WHITE.filled(),
    ))?;
    text::draw(area, theme, label, (l, t), f, HPos::Left, VAlign::Top)
}

/// `pit.png`.
#[derive(Clone, Debug, PartialEq)]
pub struct PitChart {
    pub title: String,
    pub subtitle: String,
    pub footer: String,
    /// PIT values per equal-width bin on [0, 1].
    pub counts: Vec<u64>,
    /// Each bin's count over the count a calibrated forecast gives on
    /// average (n / bins): 1 is flat. A density reads the same for 12
    /// values or 1200, where raw counts would not.
    pub density: Vec<f64>,
    /// The range one bin's density falls in 95 % of the time under
    /// uniformity (binomial, normal approximation).
    pub band: (f64, f64),
}

impl PitChart {
    /// `None` without PIT values.
    pub fn new(model: &Model, b: &Backtest, u: &Uniformity, details: &[String]) -> Option<Self> {
        let n: u64 = u.counts.iter().sum();
        if n == 0 || u.counts.is_empty() {
            return None;
        }
        let k = u.counts.len() as f64;
        let expected = n as f64 / k;
        let half = 1.96 * (n as f64 * (1.0 / k) * (1.0 - 1.0 / k)).sqrt() / expected;
        let p = |x: f64| {
            if x.is_finite() {
                format!("{x:.3}")
            } else {
                "n/a (too few values)".into()
            }
        };
        let origins = b.origins.len();
        Some(PitChart {
            title: format!("{} — PIT of the held-out measurements", model.title),
            subtitle: format!(
                "{n} measured observations from {origins} origin{}; a calibrated forecast gives a flat histogram. Uniformity: chi-square p = {}, Kolmogorov–Smirnov p = {}",
                if origins == 1 { "" } else { "s" },
                p(u.p_value),
                p(u.ks_p_value)
            ),
            footer: footer(model, details),
            counts: u.counts.clone(),
            density: u.counts.iter().map(|c| *c as f64 / expected).collect(),
            band: ((1.0 - half).max(0.0), 1.0 + half),
        })
    }
}

impl Chart for PitChart {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let band_colour = theme::tint(theme::MUTED, 0.2);
        let legend = [
            LegendItem {
                label: "PIT values per bin".into(),
                swatch: Swatch::Patch(BARS),
            },
            LegendItem {
                label: "expected if calibrated".into(),
                swatch: Swatch::Line {
                    colour: theme::BLACK,
                    width: 2.0,
                    dashed: true,
                },
            },
            LegendItem {
                label: "95% range of a bin if calibrated".into(),
                swatch: Swatch::Patch(band_colour),
            },
        ];
        let body = page::draw(
            area,
            theme,
            &Page {
                title: &self.title,
                subtitle: &self.subtitle,
                legend: &legend,
                notes: &[],
                footer: &self.footer,
            },
        )?;
        let top = self.density.iter().copied().fold(self.band.1, f64::max);
        let (plot, xs, ys) = axes::value_plot(
            area,
            theme,
            &body,
            body.right - theme.px(24.0),
            (
                Span {
                    lo: 0.0,
                    hi: 1.0,
                    widen: false,
                    percent: false,
                },
                Span {
                    lo: 0.0,
                    hi: top,
                    widen: true,
                    percent: false,
                },
            ),
        );
        axes::xy(
            area,
            theme,
            &plot,
            (&xs, &ys),
            (
                "PIT: the forecast's probability of a value below the one observed",
                "density (1 = flat)",
            ),
            body.left,
        )?;
        let (b0, b1) = (plot.px(0.0, self.band.0), plot.px(1.0, self.band.1));
        area.draw(&Rectangle::new(
            [(b0.0, b1.1), (b1.0, b0.1)],
            band_colour.filled(),
        ))?;
        let k = self.density.len() as f64;
        for (i, d) in self.density.iter().enumerate() {
            let (x0, x1) = (i as f64 / k, (i + 1) as f64 / k);
            let (l, t) = plot.px(x0, *d);
            let (r, b) = plot.px(x1, 0.0);
            let gap = theme.ipx(2.0);
            area.draw(&Rectangle::new([(l + gap, t), (r - gap, b)], BARS.filled()))?;
        }
        canvas::dashed(
            area,
            theme,
            vec![plot.px(0.0, 1.0), plot.px(1.0, 1.0)],
            theme::BLACK,
            2.0,
        )?;
        Ok(vec![plot.rect()])
    }
}

/// One bin of a reliability diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct ReliabilityBin {
    /// Mean forecast probability of the outcomes in the bin.
    pub forecast: f64,
    /// Share of those outcomes that happened.
    pub observed: f64,
    pub count: usize,
}

/// `reliability.png`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReliabilityChart {
    pub title: String,
    pub subtitle: String,
    pub footer: String,
    /// Non-empty bins of forecast probability, ascending.
    pub bins: Vec<ReliabilityBin>,
}

/// Bins of forecast probability: tenths.
pub const RELIABILITY_BINS: usize = 10;

impl ReliabilityChart {
    /// `None` without interval or band observations held out.
    pub fn new(model: &Model, b: &Backtest, details: &[String]) -> Option<Self> {
        let pairs = probability_pairs(&b.rows);
        if pairs.is_empty() {
            return None;
        }
        let mut sums = vec![(0.0, 0usize, 0usize); RELIABILITY_BINS];
        for (p, hit) in &pairs {
            let i = ((p * RELIABILITY_BINS as f64) as usize).min(RELIABILITY_BINS - 1);
            sums[i].0 += p;
            sums[i].1 += usize::from(*hit);
            sums[i].2 += 1;
        }
        let bins = sums
            .into_iter()
            .filter(|s| s.2 > 0)
            .map(|(p, hits, n)| ReliabilityBin {
                forecast: p / n as f64,
                observed: hits as f64 / n as f64,
                count: n,
            })
            .collect();
        let rows = |k: Kind| b.rows.iter().filter(|r| r.kind == k).count();
        let (intervals, bands) = (rows(Kind::Interval), rows(Kind::Band));
        let what = match (intervals, bands) {
            (0, n) => format!("{n} band observations (one outcome per band)"),
            (n, 0) => format!("{n} interval observations (outcomes below, inside, above)"),
            (i, n) => format!(
                "{i} interval observations (below, inside, above) and {n} band observations (one outcome per band)"
            ),
        };
        Some(ReliabilityChart {
            title: format!(
                "{} — reliability of the forecast probabilities",
                model.title
            ),
            subtitle: format!(
                "Every outcome of {what}, binned by its forecast probability; a reliable forecast lies on the diagonal. Numbers: outcomes per bin"
            ),
            footer: footer(model, details),
            bins,
        })
    }
}

impl Chart for ReliabilityChart {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let legend = [
            LegendItem {
                label: "observed frequency".into(),
                swatch: Swatch::Line {
                    colour: FAN,
                    width: 3.0,
                    dashed: false,
                },
            },
            LegendItem {
                label: "perfect reliability".into(),
                swatch: Swatch::Line {
                    colour: theme::MUTED,
                    width: 1.5,
                    dashed: true,
                },
            },
        ];
        let body = page::draw(
            area,
            theme,
            &Page {
                title: &self.title,
                subtitle: &self.subtitle,
                legend: &legend,
                notes: &[],
                footer: &self.footer,
            },
        )?;
        // A square plot: the diagonal at 45°.
        let side = body.height().min(body.width());
        let square = Body {
            left: (body.left + body.right - side) / 2.0,
            right: (body.left + body.right + side) / 2.0,
            ..body
        };
        let unit = Span {
            lo: 0.0,
            hi: 1.0,
            widen: false,
            percent: true,
        };
        let (plot, xs, ys) = axes::value_plot(
            area,
            theme,
            &square,
            square.right - theme.px(24.0),
            (unit, unit),
        );
        axes::xy(
            area,
            theme,
            &plot,
            (&xs, &ys),
            ("forecast probability", "observed frequency"),
            square.left,
        )?;
        canvas::dashed(
            area,
            theme,
            vec![plot.px(0.0, 0.0), plot.px(1.0, 1.0)],
            theme::MUTED,
            1.5,
        )?;
        let pts: Vec<(i32, i32)> = self
            .bins
            .iter()
            .map(|b| plot.px(b.forecast, b.observed))
            .collect();
        canvas::line(area, theme, pts.clone(), FAN, 3.0)?;
        let f = Font::new(theme.tiny(), theme::TEXT);
        for (b, p) in self.bins.iter().zip(&pts) {
            area.draw(&Circle::new(*p, theme.stroke(6.0), FAN.filled()))?;
            // The count on the side of the diagonal away from it (above a
            // point above the diagonal), inside the plot, on white.
            let up = b.observed >= b.forecast;
            let gap = theme.px(12.0);
            let (py, room) = (f64::from(p.1), f.cap() + gap);
            let up = if up {
                py - room > plot.top
            } else {
                py + room >= plot.bottom
            };
            let y = if up { py - gap - f.cap() } else { py + gap };
            let label = b.count.to_string();
            let w = text::width(area, &label, f);
            let pad = theme.px(3.0);
            area.draw(&Rectangle::new(
                [
                    ((f64::from(p.0) - w / 2.0 - pad) as i32, (y - pad) as i32),
                    (
                        (f64::from(p.0) + w / 2.0 + pad) as i32,
                        (y + f.cap() + pad) as i32,
                    ),
                ],
                theme::WHITE.filled(),
            ))?;
            text::draw(
                area,
                theme,
                &label,
                (f64::from(p.0), y),
                f,
                HPos::Center,
                VAlign::Top,
            )?;
        }
        Ok(vec![plot.rect()])
    }
}
