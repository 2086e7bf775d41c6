//! `tornado.png` (`geosim sensitivity --method oat`): one row per
//! parameter, largest swing on top. Each bar runs from the metric at
//! central values to the metric with the parameter at the low end of its
//! range (one colour) and at the high end (the other colour); the
//! parameter's value at each end is written beside the bar's end.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::analysis::About;
use super::axes::{extent, short};
use super::bars::{self, Rows};
use super::canvas::{Area, Drawn};
use super::labels;
use super::legend::{LegendItem, Swatch};
use super::render::Chart;
use super::text::{self, Font, VAlign};
use super::theme::{self, Theme};
use crate::analysis::oat::OatRow;
use crate::analysis::params::ParamRange;

/// The side of a bar where the parameter is at the low end of its range.
pub const LOW: RGBColor = theme::ORANGE;
/// The side where it is at the high end.
pub const HIGH: RGBColor = theme::BLUE;
/// The line at the metric's central value.
pub const CENTRAL: RGBColor = theme::TEXT;

#[derive(Clone, Debug, PartialEq)]
pub struct TornadoBar {
    /// The parameter's path, as in oat.csv.
    pub parameter: String,
    /// Its name in words ([`labels::short_labels`]), shown on the chart.
    pub label: String,
    /// The parameter's range.
    pub low: f64,
    pub high: f64,
    /// The metric with the parameter at each end.
    pub at_low: f64,
    pub at_high: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TornadoData {
    pub about: About,
    /// The metric with every parameter at its central value.
    pub central: f64,
    /// Largest swing first, at most [`bars::MAX_ROWS`].
    pub bars: Vec<TornadoBar>,
    /// Parameters varied in all.
    pub parameters: usize,
}

impl TornadoData {
    /// `rows` as `oat::oat` returns them, sorted by swing.
    pub fn new(about: About, params: &[ParamRange], central: f64, rows: &[OatRow]) -> Self {
        let shown = &rows[..rows.len().min(bars::MAX_ROWS)];
        let paths: Vec<String> = shown.iter().map(|r| params[r.input].path.clone()).collect();
        let names = labels::short_labels(&paths);
        TornadoData {
            about,
            central,
            bars: shown
                .iter()
                .zip(names)
                .map(|(r, label)| {
                    let p = &params[r.input];
                    TornadoBar {
                        parameter: p.path.clone(),
                        label,
                        low: p.lo,
                        high: p.hi,
                        at_low: r.at_low,
                        at_high: r.at_high,
                    }
                })
                .collect(),
            parameters: params.len(),
        }
    }
}

impl Chart for TornadoData {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let a = &self.about;
        let legend = [
            LegendItem {
                label: "parameter at the low end of its range".into(),
                swatch: Swatch::Patch(LOW),
            },
            LegendItem {
                label: "parameter at the high end".into(),
                swatch: Swatch::Patch(HIGH),
            },
            LegendItem {
                label: format!("every parameter central: {}", short(self.central)),
                swatch: Swatch::Line {
                    colour: CENTRAL,
                    width: 2.0,
                    dashed: false,
                },
            },
        ];
        let subtitle = format!(
            "One at a time: {} ({}) with each parameter at the low and at the high end of its \
             range (its value there beside the bar), the others central; the {} largest swings of \
             {} parameters (named field: owner; exact paths in oat.csv)",
            a.metric_label,
            a.mode,
            self.bars.len(),
            self.parameters
        );
        let names: Vec<String> = self.bars.iter().map(|b| b.label.clone()).collect();
        let ends = self.bars.iter().flat_map(|b| [b.at_low, b.at_high]);
        let span = extent(ends.chain([self.central]));
        let end_font = Font::new(theme.tiny(), theme::MUTED);
        let end_room = self
            .bars
            .iter()
            .flat_map(|b| [short(b.low), short(b.high)])
            .map(|s| text::width(area, &s, end_font))
            .fold(0.0, f64::max)
            + theme.px(10.0);
        let x_title = format!("{} ({})", a.metric_label, a.mode);
        let rows = Rows {
            page: a.page(&subtitle, &legend),
            names: &names,
            x_title: &x_title,
            span,
            percent: a.percent,
            end_room,
        };
        bars::draw(area, theme, &rows, |rp| {
            let h = (rp.row_h * 0.64).min(theme.px(34.0));
            for (i, b) in self.bars.iter().enumerate() {
                let y = rp.centre(i);
                // The longer side first, so a shorter one on the same side shows.
                let c = self.central;
                let mut sides = [(b.at_low, LOW, b.low), (b.at_high, HIGH, b.high)];
                sides.sort_by(|p, q| (q.0 - c).abs().total_cmp(&(p.0 - c).abs()));
                for (end, colour, _) in sides {
                    rp.bar(area, (c, end), y, h, colour)?;
                }
                for (k, (end, _, value)) in sides.iter().enumerate() {
                    // An end at the central value is labelled on the side
                    // away from the other end (the low end left when both are).
                    let other = sides[1 - k].0;
                    let left = if *end != c {
                        *end < c
                    } else if other != c {
                        other > c
                    } else {
                        *value == b.low
                    };
                    let (x, pad) = (rp.plot.px_x(*end), theme.px(5.0));
                    let (at, pos) = if left {
                        (x - pad, HPos::Right)
                    } else {
                        (x + pad, HPos::Left)
                    };
                    text::draw(
                        area,
                        theme,
                        &short(*value),
                        (at, y),
                        end_font,
                        pos,
                        VAlign::Middle,
                    )?;
                }
            }
            if self.bars.iter().all(|b| b.at_low == b.at_high) {
                rp.note(area, theme, "no parameter moves the metric")?;
            }
            rp.rule(area, theme, self.central, CENTRAL, 2.0)
        })
    }
}
