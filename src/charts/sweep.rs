//! `sweep.png` (`geosim sweep`). Over one parameter: the metric's mean
//! (a line through the grid points), its median (dashed) and the band
//! holding 90 % of the runs, against the parameter's value. Over two: a
//! heatmap of the mean, one cell per grid point labelled with its value
//! where it fits, coloured on a colour-blind-safe sequential scale shown in
//! a colour bar.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::analysis::About;
use super::axes::{self, Scale, Side, Span, extent, short, value_labels};
use super::canvas::{self, Area, Drawn, Plot};
use super::fan::band_colours;
use super::labels;
use super::legend::{LegendItem, Swatch};
use super::page;
use super::render::Chart;
use super::text::{self, Font, VAlign};
use super::theme::{self, Theme};
use super::time_axis::Tick;
use crate::analysis::sweep::{Axis, SweepPoint};

pub const MEAN: RGBColor = theme::BLUE;
pub const MEDIAN: RGBColor = theme::BLACK;

pub use super::theme::viridis;

/// Text on a cell of colour `c`: white on dark cells, dark on light ones.
fn ink(c: RGBColor) -> RGBColor {
    let lum = 0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2);
    if lum < 128.0 {
        theme::WHITE
    } else {
        theme::TEXT
    }
}

/// The metric against one parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepLine {
    pub about: About,
    /// The parameter's path, as in sweep.csv.
    pub parameter: String,
    /// Its name in words, on the x axis.
    pub label: String,
    /// Grid values of the parameter, ascending.
    pub x: Vec<f64>,
    pub mean: Vec<f64>,
    pub p05: Vec<f64>,
    pub p50: Vec<f64>,
    pub p95: Vec<f64>,
    /// Runs per grid point; 0 for the deterministic run.
    pub runs: u64,
}

/// The mean of the metric over a grid of two parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepHeatmap {
    pub about: About,
    /// The first parameter, across: its path and its name in words.
    pub x_param: String,
    pub x_label: String,
    pub xs: Vec<f64>,
    /// The second parameter, upwards: its path and its name in words.
    pub y_param: String,
    pub y_label: String,
    pub ys: Vec<f64>,
    /// `mean[i * ys.len() + j]` at `(xs[i], ys[j])`, as in sweep.csv.
    pub mean: Vec<f64>,
    pub runs: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SweepData {
    Line(SweepLine),
    Heatmap(SweepHeatmap),
}

impl SweepData {
    /// `points` as `sweep::sweep` returns them (the first axis slowest);
    /// `None` unless there are one or two axes.
    pub fn new(about: About, axes: &[Axis], points: &[SweepPoint], runs: u64) -> Option<Self> {
        let col = |f: fn(&SweepPoint) -> f64| points.iter().map(f).collect::<Vec<f64>>();
        Some(match axes {
            [a] => SweepData::Line(SweepLine {
                about,
                parameter: a.path.clone(),
                label: labels::short_label(&a.path),
                x: points.iter().map(|p| p.at[0]).collect(),
                mean: col(|p| p.mean),
                p05: col(|p| p.p05),
                p50: col(|p| p.p50),
                p95: col(|p| p.p95),
                runs,
            }),
            [a, b] => SweepData::Heatmap(SweepHeatmap {
                about,
                x_param: a.path.clone(),
                x_label: labels::short_labels(&[a.path.clone(), b.path.clone()])[0].clone(),
                xs: a.values.clone(),
                y_param: b.path.clone(),
                y_label: labels::short_labels(&[a.path.clone(), b.path.clone()])[1].clone(),
                ys: b.values.clone(),
                mean: col(|p| p.mean),
                runs,
            }),
            _ => return None,
        })
    }
}

/// "200 runs per grid point, the same random numbers at every point".
fn runs_text(runs: u64) -> String {
    if runs == 0 {
        "deterministic run at every grid point".into()
    } else {
        format!("{runs} runs per grid point, the same random numbers at each")
    }
}

impl Chart for SweepData {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        match self {
            SweepData::Line(l) => l.draw(area, theme),
            SweepData::Heatmap(h) => h.draw(area, theme),
        }
    }
}

impl Chart for SweepLine {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let a = &self.about;
        // A share is 0 or 1 in each run: its mean is the share of runs and
        // its quantiles say nothing more.
        let single = self.runs == 0 || a.percent;
        let band = band_colours(MEAN, 1)[0];
        let mut legend = vec![LegendItem {
            label: if self.runs == 0 {
                "deterministic run".into()
            } else if a.percent {
                "share of runs".into()
            } else {
                "mean".into()
            },
            swatch: Swatch::Line {
                colour: MEAN,
                width: 3.5,
                dashed: false,
            },
        }];
        if !single {
            legend.push(LegendItem {
                label: "median".into(),
                swatch: Swatch::Line {
                    colour: MEDIAN,
                    width: 2.0,
                    dashed: true,
                },
            });
            legend.push(LegendItem {
                label: "90% of runs (p05 – p95)".into(),
                swatch: Swatch::Patch(band),
            });
        }
        let subtitle = format!(
            "{} against {} over {} values ({})",
            a.metric_label,
            self.label,
            self.x.len(),
            runs_text(self.runs)
        );
        let body = page::draw(area, theme, &a.page(&subtitle, &legend))?;
        // A share's axis starts at zero.
        let zero = a.percent.then_some(0.0);
        let (lo, hi) = if single {
            extent(self.mean.iter().copied().chain(zero))
        } else {
            extent(self.p05.iter().chain(&self.p95).chain(&self.mean).copied())
        };
        let (x0, x1) = (
            self.x.first().copied().unwrap_or(0.0),
            self.x.last().copied().unwrap_or(1.0),
        );
        let (plot, xs, ys) = axes::value_plot(
            area,
            theme,
            &body,
            body.right - theme.px(24.0),
            (
                Span {
                    lo: x0,
                    hi: x1,
                    widen: false,
                    percent: false,
                },
                Span {
                    lo,
                    hi,
                    widen: true,
                    percent: a.percent,
                },
            ),
        );
        let titles = (self.label.as_str(), a.metric_label.as_str());
        axes::xy(area, theme, &plot, (&xs, &ys), titles, body.left)?;

        let path = |v: &[f64]| -> Vec<(i32, i32)> {
            self.x.iter().zip(v).map(|(x, y)| plot.px(*x, *y)).collect()
        };
        if !single {
            let mut poly = path(&self.p95);
            poly.extend(path(&self.p05).into_iter().rev());
            canvas::fill(area, poly, band)?;
            canvas::dashed(area, theme, path(&self.p50), MEDIAN, 2.0)?;
        }
        canvas::line(area, theme, path(&self.mean), MEAN, 3.5)?;
        for p in path(&self.mean) {
            area.draw(&Circle::new(p, theme.stroke(5.5), MEAN.filled()))?;
        }
        Ok(vec![plot.rect()])
    }
}

/// Labels of a heatmap axis whose cells, `cell` pixels each, hold
/// `values` (evenly spaced) and whose labels are `width(label)` long along
/// it. When every value's label fits beside its neighbours' (`gap` pixels
/// apart), each cell is labelled with its value; on a denser grid the axis
/// gets round ticks placed by value instead. Tick positions are in cells,
/// 0.5 being the middle of the first.
fn grid_ticks(values: &[f64], cell: f64, gap: f64, width: &dyn Fn(&str) -> f64) -> Vec<Tick> {
    let (Some(first), Some(last)) = (values.first(), values.last()) else {
        return Vec::new();
    };
    let step = values.windows(2).map(|p| p[1] - p[0]).next().unwrap_or(1.0);
    let round = value_labels(values, step, false);
    let exact = round.iter().zip(values).all(|(s, v)| {
        (s.replace('−', "-").parse::<f64>().unwrap_or(f64::NAN) - v).abs() <= step * 1e-3
    });
    // Round values get the step's decimals; others (0.1 + 0.4·k/3) one
    // more than the step needs, the same for all.
    let decimals = ((-step.abs().log10()).ceil() + 1.0).max(0.0);
    let labels: Vec<String> = if exact {
        round
    } else if decimals <= 9.0 {
        let decimals = decimals as usize;
        values
            .iter()
            .map(|v| format!("{v:.decimals$}").replace('-', "−"))
            .collect()
    } else {
        // A tiny step: scientific notation, with that one more digit.
        value_labels(values, step / 10.0, false)
    };
    let widest = labels.iter().map(|s| width(s)).fold(0.0, f64::max);
    if widest + gap <= cell {
        return labels
            .into_iter()
            .enumerate()
            .map(|(i, label)| Tick {
                x: i as f64 + 0.5,
                label,
            })
            .collect();
    }
    if values.len() < 2 {
        return vec![Tick {
            x: 0.5,
            label: short(*first),
        }];
    }
    let len = cell * (values.len() - 1) as f64;
    let scale = Scale::fit(*first, *last, len, gap, width, 10, false, false);
    scale
        .ticks
        .into_iter()
        .map(|t| Tick {
            x: (t.x - first) / step + 0.5,
            label: t.label,
        })
        .collect()
}

/// The values of the cells with one number of decimals, enough to tell
/// apart values a hundredth of their span apart.
fn cell_labels(values: &[f64], percent: bool) -> Vec<String> {
    let (lo, hi) = extent(values.iter().copied());
    let span = if percent { (hi - lo) * 100.0 } else { hi - lo };
    let decimals = if span > 0.0 && span.is_finite() {
        let decimals = (-span.log10()).ceil() + 1.0;
        if decimals > 6.0 {
            // Too fine for fixed notation: scientific, with those digits.
            return value_labels(values, (hi - lo) / 10.0, percent);
        }
        decimals.max(0.0) as usize
    } else {
        let largest = lo.abs().max(hi.abs());
        if largest > 0.0 && largest * if percent { 100.0 } else { 1.0 } < 0.005 {
            // All alike and too small for two decimals.
            return value_labels(values, 0.0, percent);
        }
        2
    };
    values
        .iter()
        .map(|v| {
            let s = if percent {
                format!("{:.decimals$}%", v * 100.0)
            } else {
                format!("{v:.decimals$}")
            };
            if s.starts_with('-') && s.trim_start_matches(['-', '0', '.', '%']).is_empty() {
                s[1..].to_string()
            } else {
                s.replace('-', "−")
            }
        })
        .collect()
}

impl SweepHeatmap {
    /// The values the colour bar spans, widened to round ticks.
    pub fn colour_scale(&self) -> Scale {
        let (lo, hi) = extent(self.mean.iter().copied());
        Scale::nice(lo, hi, 8, self.about.percent)
    }

    /// The colour of each cell, in the order of [`SweepHeatmap::mean`].
    pub fn cell_colours(&self) -> Vec<RGBColor> {
        let (c0, c1) = self.colour_scale().range;
        self.mean
            .iter()
            .map(|v| viridis((v - c0) / (c1 - c0)))
            .collect()
    }
}

impl Chart for SweepHeatmap {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let a = &self.about;
        // Beyond about 20 a side, numbers in every cell are noise.
        let crowded = self.xs.len() > 20 || self.ys.len() > 20;
        let subtitle = format!(
            "Mean of {} over a grid of two parameters ({}); each cell coloured {}",
            a.metric_label,
            runs_text(self.runs),
            if crowded {
                "by it"
            } else {
                "and labelled with it"
            }
        );
        let body = page::draw(area, theme, &a.page(&subtitle, &[]))?;
        let tick_font = Font::new(theme.tick(), theme::TEXT);
        let label_font = Font::new(theme.label(), theme::TEXT);
        let (nx, ny) = (self.xs.len().max(1), self.ys.len().max(1));
        let colours = self.colour_scale();
        let cell_colours = self.cell_colours();

        // Colour bar at the right: bar, tick labels, title reading upwards.
        let bar_w = theme.px(26.0);
        let bar_right = body.right
            - label_font.line()
            - theme.px(14.0)
            - colours.widest(area, tick_font)
            - theme.px(10.0);
        let bar_left = bar_right - bar_w;
        let right = bar_left - theme.px(40.0);
        let measure = |s: &str| text::width(area, s, tick_font);
        let rough_bottom = body.bottom - axes::x_label_room(theme, tick_font) - label_font.line();
        let y_ticks = grid_ticks(
            &self.ys,
            (rough_bottom - body.top) / ny as f64,
            theme.px(4.0),
            &|_| tick_font.line(),
        );
        let (left, top, bottom) = axes::plot_box(area, theme, &body, &y_ticks);
        let plot = Plot {
            left,
            top,
            right,
            bottom,
            x: (0.0, nx as f64),
            y: (0.0, ny as f64),
        };
        let (cw, ch) = ((right - left) / nx as f64, (bottom - top) / ny as f64);
        let x_ticks = grid_ticks(&self.xs, cw, theme.px(16.0), &measure);

        let inset = if cw.min(ch) > 14.0 { 1.0 } else { 0.0 };
        let cell_text = cell_labels(&self.mean, a.percent);
        // The larger text where every label fits its cell, else the smaller.
        let fits = |f: Font| {
            let widest = cell_text
                .iter()
                .map(|s| text::width(area, s, f))
                .fold(0.0, f64::max);
            widest + theme.px(8.0) <= cw && f.line() <= ch
        };
        let cell_font = [theme.label(), theme.tiny()]
            .map(|size| Font::new(size, theme::TEXT))
            .into_iter()
            .find(|f| !crowded && fits(*f));
        for k in 0..self.mean.len() {
            let (i, j) = (k / ny, k % ny);
            let x = left + i as f64 * cw;
            let y = bottom - (j + 1) as f64 * ch;
            let c = cell_colours[k];
            area.draw(&Rectangle::new(
                [
                    ((x + inset).round() as i32, (y + inset).round() as i32),
                    (
                        (x + cw - inset).round() as i32,
                        (y + ch - inset).round() as i32,
                    ),
                ],
                c.filled(),
            ))?;
            if let Some(f) = cell_font {
                let f = Font {
                    colour: ink(c),
                    ..f
                };
                text::draw(
                    area,
                    theme,
                    &cell_text[k],
                    (x + cw / 2.0, y + ch / 2.0),
                    f,
                    HPos::Center,
                    VAlign::Middle,
                )?;
            }
        }
        axes::y_labels(area, theme, &plot, &y_ticks, tick_font, Side::Left)?;
        axes::x_labels(area, theme, &plot, &x_ticks, |t| plot.px_x(t.x), tick_font)?;
        axes::x_title(
            area,
            theme,
            bottom + axes::x_label_room(theme, tick_font),
            &plot,
            &self.x_label,
            label_font,
        )?;
        axes::y_title(area, theme, body.left, &plot, &self.y_label, label_font)?;

        let bar = Plot {
            left: bar_left,
            right: bar_right,
            y: colours.range,
            ..plot.clone()
        };
        let rows = (bar.bottom - bar.top).round().max(1.0) as i32;
        for r in 0..rows {
            let y = bar.bottom as i32 - r;
            let t = (f64::from(r) + 0.5) / f64::from(rows);
            // Each strip overlaps the next by a unit: abutting strips leave
            // anti-aliased seams that let the white through.
            area.draw(&Rectangle::new(
                [(bar_left as i32, y - 2), (bar_right as i32, y)],
                viridis(t).filled(),
            ))?;
        }
        axes::y_labels(area, theme, &bar, &colours.ticks, tick_font, Side::Right)?;
        let title_x = body.right - label_font.line();
        let title = format!("mean of {}", a.metric_label);
        let title = text::fit(area, &title, label_font, bar.bottom - bar.top);
        text::draw_vertical(
            area,
            theme,
            &title,
            (title_x, (bar.top + bar.bottom) / 2.0),
            label_font,
        )?;
        Ok(vec![plot.rect(), bar.rect()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_runs_from_dark_to_light() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(0.5), RGBColor(33, 144, 141));
        assert_eq!(viridis(-3.0), viridis(0.0));
        let lum = |c: RGBColor| {
            0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2)
        };
        let steps: Vec<f64> = (0..=20)
            .map(|i| lum(viridis(f64::from(i) / 20.0)))
            .collect();
        assert!(steps.windows(2).all(|w| w[1] > w[0]), "{steps:?}");
    }
}
