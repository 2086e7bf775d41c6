//! `sobol.png` (`geosim sensitivity --method sobol`): one row per
//! parameter, largest total index on top; in each row the first-order
//! index (the share of the metric's variance the parameter causes alone)
//! above the total index (alone and through its interactions), each with
//! its bootstrap 95 % interval as an error bar.

use plotters::prelude::*;

use super::analysis::About;
use super::axes::extent;
use super::bars::{self, RowPlot, Rows};
use super::canvas::{Area, DrawResult, Drawn};
use super::labels;
use super::legend::{LegendItem, Swatch};
use super::page::Page;
use super::render::Chart;
use super::theme::{self, Theme};
use crate::analysis::params::ParamRange;
use crate::analysis::sobol::{SobolResult, SobolRow};

pub const FIRST: RGBColor = theme::SKY_BLUE;
pub const TOTAL: RGBColor = theme::BLUE;
/// Error bars.
pub const WHISKER: RGBColor = theme::TEXT;

#[derive(Clone, Debug, PartialEq)]
pub struct SobolBar {
    /// The parameter's path, as in sobol.csv.
    pub parameter: String,
    /// Its name in words ([`labels::short_labels`]), shown on the chart.
    pub label: String,
    pub first: f64,
    pub first_ci: (f64, f64),
    pub total: f64,
    pub total_ci: (f64, f64),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SobolData {
    pub about: About,
    /// Largest total index first, at most [`bars::MAX_ROWS`].
    pub bars: Vec<SobolBar>,
    /// Parameters varied in all.
    pub parameters: usize,
    /// Sum of the first-order indices of all parameters.
    pub first_sum: f64,
    /// Base samples of the estimate (N).
    pub samples: usize,
    /// What in the estimates is estimator noise rather than a property of
    /// the model ([`noise_note`]), shown under the legend.
    pub noise: Option<String>,
}

/// Indices are shares of variance, so a true first-order index lies in
/// 0 … 1 and never exceeds its total index. Estimated from `samples` base
/// samples they can do both; this note says where it happens (among all
/// `rows`), that it is noise, and what to do. `None` when nothing needs
/// saying.
pub fn noise_note(rows: &[SobolRow], samples: usize) -> Option<String> {
    // Within 0.005 the difference does not show at two decimals.
    const SHOWN: f64 = 0.005;
    let below = rows
        .iter()
        .filter(|r| {
            r.first < -SHOWN || r.total < -SHOWN || r.first_ci.0 < -SHOWN || r.total_ci.0 < -SHOWN
        })
        .count();
    let above = rows.iter().filter(|r| r.first > r.total + SHOWN).count();
    if below == 0 && above == 0 {
        return None;
    }
    let all = rows.len();
    let params = |n: usize| {
        if n == 1 {
            format!("1 of {all} parameters has")
        } else {
            format!("{n} of {all} parameters have")
        }
    };
    let mut what = Vec::new();
    if below > 0 {
        what.push(format!("{} an index or interval below zero", params(below)));
    }
    if above > 0 {
        what.push(format!(
            "{} a first-order index above its total index",
            params(above)
        ));
    }
    Some(format!(
        "Note: {}. True indices lie between 0 and 1, first order at most total: this is \
         estimator noise at {samples} base samples; --samples {} or more narrows it.",
        what.join("; "),
        (samples * 4).max(1024)
    ))
}

impl SobolData {
    /// `samples`: the base samples N the estimate used.
    pub fn new(about: About, params: &[ParamRange], res: &SobolResult, samples: usize) -> Self {
        let mut rows: Vec<_> = res.rows.iter().collect();
        rows.sort_by(|a, b| b.total.total_cmp(&a.total));
        rows.truncate(bars::MAX_ROWS);
        let paths: Vec<String> = rows.iter().map(|r| params[r.input].path.clone()).collect();
        let names = labels::short_labels(&paths);
        SobolData {
            about,
            bars: rows
                .iter()
                .zip(names)
                .map(|(r, label)| SobolBar {
                    parameter: params[r.input].path.clone(),
                    label,
                    first: r.first,
                    first_ci: r.first_ci,
                    total: r.total,
                    total_ci: r.total_ci,
                })
                .collect(),
            parameters: params.len(),
            first_sum: res.rows.iter().map(|r| r.first).sum(),
            samples,
            noise: noise_note(&res.rows, samples),
        }
    }
}

/// A horizontal error bar from `lo` to `hi` with caps `h` pixels high.
fn whisker<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    rp: &RowPlot,
    (lo, hi): (f64, f64),
    y: f64,
    h: f64,
) -> DrawResult<DB> {
    let style = WHISKER.stroke_width(theme.stroke(1.5));
    let (a, b) = (rp.plot.px_x(lo) as i32, rp.plot.px_x(hi) as i32);
    let (top, bottom, y) = ((y - h / 2.0) as i32, (y + h / 2.0) as i32, y as i32);
    area.draw(&PathElement::new(vec![(a, y), (b, y)], style))?;
    for x in [a, b] {
        area.draw(&PathElement::new(vec![(x, top), (x, bottom)], style))?;
    }
    Ok(())
}

impl Chart for SobolData {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let a = &self.about;
        let legend = [
            LegendItem {
                label: "first order: the parameter alone".into(),
                swatch: Swatch::Patch(FIRST),
            },
            LegendItem {
                label: "total: alone and through interactions".into(),
                swatch: Swatch::Patch(TOTAL),
            },
            LegendItem {
                label: "bootstrap 95% interval".into(),
                swatch: Swatch::Line {
                    colour: WHISKER,
                    width: 1.5,
                    dashed: false,
                },
            },
        ];
        let subtitle = format!(
            "Sobol indices of {} ({}): the share of its variance due to each parameter; the {} \
             largest total indices of {} parameters (first-order indices sum to {:.2})",
            a.metric_label,
            a.mode,
            self.bars.len(),
            self.parameters,
            self.first_sum
        );
        let names: Vec<String> = self.bars.iter().map(|b| b.label.clone()).collect();
        let notes: Vec<String> = self.noise.iter().cloned().collect();
        let ends = self.bars.iter().flat_map(|b| {
            let (f, t) = (b.first_ci, b.total_ci);
            [b.first, b.total, f.0, f.1, t.0, t.1]
        });
        let span = extent(ends.chain([0.0]));
        let rows = Rows {
            page: Page {
                notes: &notes,
                ..a.page(&subtitle, &legend)
            },
            names: &names,
            x_title: "share of the metric's variance",
            span,
            percent: false,
            end_room: theme.px(8.0),
        };
        bars::draw(area, theme, &rows, |rp| {
            let h = (rp.row_h * 0.36).min(theme.px(16.0));
            rp.rule(area, theme, 0.0, theme::AXIS, 1.5)?;
            for (i, b) in self.bars.iter().enumerate() {
                let (y1, y2) = (rp.centre(i) - h * 0.55, rp.centre(i) + h * 0.55);
                rp.bar(area, (0.0, b.first), y1, h, FIRST)?;
                rp.bar(area, (0.0, b.total), y2, h, TOTAL)?;
                whisker(area, theme, rp, b.first_ci, y1, h * 0.7)?;
                whisker(area, theme, rp, b.total_ci, y2, h * 0.7)?;
            }
            if self.bars.iter().all(|b| b.total == 0.0) {
                rp.note(area, theme, "the metric does not vary over these ranges")?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(first: f64, first_ci: (f64, f64), total: f64, total_ci: (f64, f64)) -> SobolRow {
        SobolRow {
            input: 0,
            first,
            first_ci,
            total,
            total_ci,
        }
    }

    #[test]
    fn noise_is_named_only_when_it_shows() {
        let clean = row(0.2, (0.1, 0.3), 0.3, (0.2, 0.4));
        assert_eq!(noise_note(std::slice::from_ref(&clean), 256), None);
        // Below zero by less than what two decimals show: nothing to say.
        let tiny = row(0.0, (-0.004, 0.01), 0.01, (0.0, 0.02));
        assert_eq!(noise_note(&[clean.clone(), tiny], 256), None);
        let below = row(0.02, (-0.03, 0.07), 0.05, (0.03, 0.07));
        let above = row(0.3, (0.2, 0.4), 0.2, (0.1, 0.3));
        assert_eq!(
            noise_note(&[below.clone(), clean, above.clone()], 256).as_deref(),
            Some(
                "Note: 1 of 3 parameters has an index or interval below zero; 1 of 3 parameters \
                 has a first-order index above its total index. True indices lie between 0 and 1, \
                 first order at most total: this is estimator noise at 256 base samples; \
                 --samples 1024 or more narrows it."
            )
        );
        let two = noise_note(&[below.clone(), below], 1000).unwrap();
        assert!(two.starts_with("Note: 2 of 2 parameters have an index or interval below zero. "));
        assert!(two.ends_with("--samples 4000 or more narrows it."));
    }
}
