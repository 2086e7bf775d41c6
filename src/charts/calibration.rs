//! The charts of `geosim calibrate`:
//! - `profiles.png`: one small panel per calibrated parameter with its
//!   profile log posterior (relative to the best fit), the prior alone
//!   (dashed), the 90 % reference line and profile interval, the MAP
//!   estimate and the prior's 90 % interval as a strip along the x axis, so
//!   a reader sees at a glance which parameters the record pins down and
//!   which it leaves to the prior;
//! - `trace.png`: each chain of the MCMC sample as a line over its kept
//!   draws, one row per parameter and the log posterior last, with R̂ and
//!   bulk ESS beside each row's name (in vermillion when poor);
//! - `pairs.png`: a scatter-plot matrix of the pooled draws (density in the
//!   lower triangle, histograms on the diagonal, the correlation
//!   coefficient in the upper triangle), with a key naming the parameters.
//!
//! Parameter paths are long (`influences."western_pressure -> alignment".weight`);
//! panel titles use [`short_label`], which keeps the field and its owner
//! and drops only the section, so the parameter stays identifiable.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::analysis::About;
use super::axes::{self, Scale, extent, non_empty, short};
use super::canvas::{self, Area, Body, DrawResult, Drawn, Plot};
use super::legend::{LegendItem, Swatch};
use super::page;
use super::panels;
use super::render::Chart;
use super::text::{self, Font, VAlign};
use super::theme::{self, Theme};
use super::time_axis::Tick;

/// The profile line and the profile interval.
pub const PROFILE: RGBColor = theme::BLUE;
/// The prior: its dashed log density and its 90 % strip.
pub const PRIOR: RGBColor = theme::GREEN;
/// Strength of the prior's strip along the x axis.
pub const PRIOR_STRIP: f64 = 0.35;
/// The MAP estimate, in every chart.
pub const ESTIMATE: RGBColor = theme::VERMILLION;
/// The 90 % reference line of the profiles.
pub const REFERENCE: RGBColor = theme::MUTED;
/// Posterior draws: density shading, histograms.
pub const DRAWS: RGBColor = theme::BLUE;

/// Half the 90 % quantile of χ²₁: the profile threshold when the data
/// carries none that is usable.
pub const DEFAULT_THRESHOLD: f64 = -1.3528;
/// How far below the best fit the profiles' y axis reaches at most. A log
/// posterior 8 below the best is a density ratio of e⁻⁸ ≈ 3·10⁻⁴: far
/// outside any interval of interest, so lower points (and the −1e6 of an
/// impossible record) are clipped to the floor rather than squashing the
/// part of the curve that matters.
pub const PROFILE_FLOOR: f64 = -8.0;

/// Most parameters the pair plot shows; the rest are named in the subtitle.
pub const PAIRS_MAX: usize = 6;
/// Up to this many draws a scatter shows each draw as a point; beyond, it
/// shades the density of draws on a fine grid, so thousands of draws
/// never merge into one blob.
pub const SCATTER_POINTS_MAX: usize = 400;

/// A trace row's R̂ above this (Vehtari et al. 2021) is shown in vermillion.
pub const RHAT_POOR: f64 = 1.01;
/// A trace row's bulk ESS below this (Vehtari et al. 2021) is shown in
/// vermillion.
pub const ESS_POOR: f64 = 400.0;

/// profiles.png: one small panel per calibrated parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct ProfilesData {
    /// title, footer; `metric` = "log posterior", `mode` e.g. "MAP, 4 starts; filter likelihood with 1000 runs"
    pub about: About,
    pub panels: Vec<ProfilePanel>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProfilePanel {
    /// The parameter's path, e.g. `influences."trust -> alignment".weight`.
    pub label: String,
    /// Grid values, ascending (may include the estimate itself).
    pub value: Vec<f64>,
    /// Profile log posterior minus the best log posterior (≤ 0). Points where the record
    /// is impossible or the optimiser failed are NaN or very negative (e.g. -1e6): draw them as gaps / clip to the axis floor, never let them squash the axis.
    pub drop: Vec<f64>,
    /// Log prior density at each grid value minus its maximum over the grid (≤ 0), drawn dashed: what the record adds is the difference.
    pub prior_drop: Vec<f64>,
    pub estimate: f64,
    /// The 90 % profile interval where the profile crosses `threshold`; None when it does not close inside the grid; `lo_closed`/`hi_closed` say which side closed.
    pub interval: Option<(f64, f64)>,
    pub lo_closed: bool,
    pub hi_closed: bool,
    /// −1.3528 (half the 90 % χ²₁ quantile): drawn as a horizontal reference line, named in the legend.
    pub threshold: f64,
    /// The prior's central 90 % interval, drawn as a light band along the x axis so a reader sees whether the record narrowed it.
    pub prior_interval: (f64, f64),
}

/// trace.png: one row per parameter, each chain a line over the kept draws (after warm-up), plus the log posterior as the last row.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceData {
    pub about: About,
    /// parameter paths; the last row is "log posterior"
    pub params: Vec<String>,
    /// [row][chain][draw]: rows are the parameters then the log posterior.
    pub chains: Vec<Vec<Vec<f64>>>,
    /// Per row: R-hat and bulk ESS, shown in the row's label (e.g. "R̂ 1.003 · ESS 812"); NaN when not computed.
    pub rhat: Vec<f64>,
    pub ess: Vec<f64>,
}

/// pairs.png: a scatter-plot matrix of the posterior draws (lower triangle scatter, diagonal histograms, upper triangle the correlation coefficient as text).
#[derive(Clone, Debug, PartialEq)]
pub struct PairsData {
    pub about: About,
    pub params: Vec<String>,
    /// [param][draw], all chains pooled (kept draws only).
    pub draws: Vec<Vec<f64>>,
    /// The MAP estimate if known, marked in each scatter and histogram.
    pub estimate: Option<Vec<f64>>,
}

/// "1 chain", "4 chains".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub use super::labels::{short_label, short_labels};

// ------------------------------------------------------------ panel frames

/// What every small panel of these charts shares: a light grid at the
/// ticks, the left and bottom axis lines, and tick labels where asked.
struct Frame<'a> {
    x_ticks: &'a [Tick],
    y_ticks: &'a [Tick],
    label_x: bool,
    label_y: bool,
}

/// Draws the [`Frame`] of `plot` (under the data, which comes after it).
fn frame<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    plot: &Plot,
    f: &Frame<'_>,
    font: Font,
) -> DrawResult<DB> {
    let xs: Vec<f64> = f.x_ticks.iter().map(|t| plot.px_x(t.x)).collect();
    let ys: Vec<f64> = f.y_ticks.iter().map(|t| t.x).collect();
    axes::grid(area, theme, plot, &ys, &xs)?;
    axes::axis_lines(area, theme, plot)?;
    if f.label_y {
        axes::y_labels(area, theme, plot, f.y_ticks, font, axes::Side::Left)?;
    }
    if f.label_x {
        axes::x_labels(area, theme, plot, f.x_ticks, |t| plot.px_x(t.x), font)?;
    }
    Ok(())
}

/// Ticks inside `lo..hi` (the range stays as given) on an axis `len`
/// pixels long: the most, up to `max`, of at least two whose labels
/// (`width(label)` long along the axis) keep `gap` apart and reach no more
/// than `overhang` past either end of the axis (into the gap between
/// panels, not into the next panel's labels). Where no two fit, the one
/// tick nearest the middle, labelled with its own significant digits (a
/// lone tick has no spacing to take decimals from).
fn fitted_ticks(
    (lo, hi): (f64, f64),
    len: f64,
    gap: f64,
    overhang: f64,
    width: &dyn Fn(&str) -> f64,
    max: usize,
) -> Vec<Tick> {
    let (lo, hi) = non_empty(lo, hi);
    let at = |x: f64| (x - lo) / (hi - lo) * len;
    let inside = |t: &Tick| {
        let half = width(&t.label) / 2.0;
        at(t.x) - half >= -overhang && at(t.x) + half <= len + overhang
    };
    for n in (2..=max.max(2)).rev() {
        let ticks: Vec<Tick> = Scale::within(lo, hi, n, false)
            .ticks
            .into_iter()
            .filter(inside)
            .collect();
        let apart = ticks.windows(2).all(|p| {
            at(p[1].x) - at(p[0].x) >= (width(&p[0].label) + width(&p[1].label)) / 2.0 + gap
        });
        if ticks.len() >= 2 && apart {
            return ticks;
        }
    }
    let mid = (lo + hi) / 2.0;
    Scale::within(lo, hi, 2, false)
        .values()
        .into_iter()
        .min_by(|a, b| (a - mid).abs().total_cmp(&(b - mid).abs()))
        .map(|x| vec![Tick { x, label: short(x) }])
        .unwrap_or_default()
}

/// Horizontal ticks for a panel `len` pixels wide (see [`fitted_ticks`]).
fn x_ticks<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    range: (f64, f64),
    len: f64,
    overhang: f64,
    max: usize,
    font: Font,
) -> Vec<Tick> {
    let measure = |s: &str| text::width(area, s, font);
    fitted_ticks(range, len, theme.px(14.0), overhang, &measure, max)
}

/// Vertical ticks for a panel `len` pixels high: labels half a line
/// apart at least, none reaching more than `overhang` lines past the
/// panel's top or bottom (half a line lets a label sit centred on an end).
fn y_ticks(range: (f64, f64), len: f64, max: usize, overhang: f64, font: Font) -> Vec<Tick> {
    let line = font.line();
    fitted_ticks(range, len, line * 0.5, line * overhang, &|_| line, max)
}

/// A vertical scale for a panel `len` pixels high with at least two
/// labelled round ticks. Preferably the data's own range (padded by 5 %,
/// so the lines fill the panel) with ticks inside it; where two ticks do
/// not fit inside, the range is widened to whole ticks, so both ends are
/// labelled however low the panel: the most ticks (up to `max`) a line
/// and a half apart. Only tick counts whose spacing comes from at least
/// two round ticks inside the data are tried (one tick alone would leave
/// the step to the span, e.g. 0 to 1.3).
fn y_scale(range: (f64, f64), len: f64, max: usize, font: Font) -> Scale {
    let (lo, hi) = non_empty(range.0, range.1);
    let pad = (hi - lo) * 0.05;
    let padded = (lo - pad, hi + pad);
    let inside = y_ticks(padded, len, max, 0.5, font);
    if inside.len() >= 2 {
        return Scale {
            range: padded,
            ticks: inside,
        };
    }
    let usable = |n: usize| axes::value_ticks(lo, hi, n).len() >= 2;
    for n in (2..=max.max(2)).rev().filter(|n| usable(*n)) {
        let s = Scale::nice(lo, hi, n, false);
        let (a, b) = s.range;
        let room = s
            .ticks
            .windows(2)
            .map(|p| (p[1].x - p[0].x) / (b - a) * len)
            .fold(f64::INFINITY, f64::min);
        if room >= font.line() * 1.5 {
            return s;
        }
    }
    // Too low for ticks a line and a half apart: the tightest whole-tick
    // range, labelled at its two ends only (with their own digits: the
    // step between them is no longer the labels' spacing).
    let s = match (2..=max.max(2)).rev().find(|n| usable(*n)) {
        Some(n) => Scale::nice(lo, hi, n, false),
        None => Scale::within(lo, hi, 2, false),
    };
    let ends = [s.ticks.first(), s.ticks.last()];
    let mut ticks: Vec<Tick> = ends
        .into_iter()
        .flatten()
        .map(|t| Tick {
            x: t.x,
            label: short(t.x),
        })
        .collect();
    ticks.dedup_by(|a, b| a.x == b.x);
    Scale {
        range: s.range,
        ticks,
    }
}

/// `pts` split into runs of finite points: a NaN breaks a line into pieces.
fn finite_runs(pts: impl IntoIterator<Item = Option<(i32, i32)>>) -> Vec<Vec<(i32, i32)>> {
    let mut runs = vec![Vec::new()];
    for p in pts {
        match p {
            Some(p) => runs.last_mut().map_or((), |r| r.push(p)),
            None => {
                if runs.last().is_some_and(|r| !r.is_empty()) {
                    runs.push(Vec::new());
                }
            }
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// A panel title: `name` in bold and, after it, `note` in `note_font`.
/// When both do not fit in `width`, the name comes first and the note is
/// left out (a note cut short, e.g. an interval missing its upper end,
/// would mislead), unless `keep_note`: then the name is cut to leave the
/// note its room (a trace row's R̂ and ESS matter more than the end of a
/// long name).
#[allow(clippy::too_many_arguments)]
fn panel_title<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    (x, y): (f64, f64),
    width: f64,
    (name, note): (&str, &str),
    (font, note_font): (Font, Font),
    keep_note: bool,
) -> DrawResult<DB> {
    let gap = theme.px(10.0);
    let note_w = if note.is_empty() {
        0.0
    } else {
        text::width(area, note, note_font) + gap
    };
    let name_room = if keep_note && note_w < width * 0.7 {
        width - note_w
    } else {
        width
    };
    let name = text::fit_label(area, name, font, name_room);
    text::draw(area, theme, &name, (x, y), font, HPos::Left, VAlign::Top)?;
    let nx = x + text::width(area, &name, font) + gap;
    if !note.is_empty() && nx + note_w - gap <= x + width {
        let ny = y + font.cap() - note_font.cap();
        text::draw(
            area,
            theme,
            note,
            (nx, ny),
            note_font,
            HPos::Left,
            VAlign::Top,
        )?;
    }
    Ok(())
}

/// The width of each of `cols` columns `gap` apart filling `left..right`.
fn column_width(left: f64, right: f64, cols: usize, gap: f64) -> f64 {
    let cols = cols.max(1) as f64;
    ((right - left) - gap * (cols - 1.0)) / cols
}

// ----------------------------------------------------------------- profiles

impl ProfilePanel {
    /// The threshold, or [`DEFAULT_THRESHOLD`] when it is not a negative
    /// number.
    fn threshold(&self) -> f64 {
        if self.threshold.is_finite() && self.threshold < 0.0 {
            self.threshold
        } else {
            DEFAULT_THRESHOLD
        }
    }

    /// The x range of the panel: the grid and the estimate.
    pub fn x_range(&self) -> (f64, f64) {
        let (lo, hi) = extent(self.value.iter().copied().chain([self.estimate]));
        non_empty(lo, hi)
    }

    /// "90 % 0.31 – 0.55"; an end the profile does not reach inside the
    /// grid is written as the grid's end with "<" or ">", so the reader
    /// knows the interval goes on.
    pub fn interval_text(&self) -> String {
        match self.interval {
            Some((lo, hi)) => {
                let lo = if self.lo_closed {
                    short(lo)
                } else {
                    format!("<{}", short(lo))
                };
                let hi = if self.hi_closed {
                    short(hi)
                } else {
                    format!(">{}", short(hi))
                };
                format!("90 % {lo} – {hi}")
            }
            None => "90 % interval not closed in the grid".into(),
        }
    }
}

impl ProfilesData {
    /// The y range all panels share: from the floor to a little above the
    /// best fit (0). The floor is the lowest finite value of any profile or
    /// prior curve, but never below [`PROFILE_FLOOR`] (so −1e6 sentinels
    /// and far tails are clipped to it, not allowed to squash the axis)
    /// and always at least twice the deepest threshold (so the 90 % line
    /// sits well inside the plot even when every curve is flat; only a
    /// threshold below half the floor takes the axis deeper). The floor is
    /// rounded down to a whole tick.
    pub fn y_range(&self) -> (f64, f64) {
        let thr = self
            .panels
            .iter()
            .map(ProfilePanel::threshold)
            .fold(DEFAULT_THRESHOLD, f64::min);
        let values = self
            .panels
            .iter()
            .flat_map(|p| p.drop.iter().chain(&p.prior_drop).copied());
        let (lowest, highest) = extent(values);
        let floor = if lowest.is_finite() {
            lowest.max(PROFILE_FLOOR.min(2.0 * thr))
        } else {
            2.0 * thr
        };
        let floor = floor.min(2.0 * thr);
        // A value above the best fit means the optimiser missed the best;
        // show it, within reason, rather than clip it.
        let top = if highest.is_finite() {
            highest.clamp(0.0, -PROFILE_FLOOR)
        } else {
            0.0
        };
        let nice = Scale::nice(floor, top, 5, false);
        let lo = nice.range.0;
        (lo, top + (top - lo) * 0.06)
    }
}

impl Chart for ProfilesData {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let a = &self.about;
        let legend = vec![
            LegendItem {
                label: "profile: best log posterior with the parameter held at each value".into(),
                swatch: Swatch::Line {
                    colour: PROFILE,
                    width: 3.0,
                    dashed: false,
                },
            },
            LegendItem {
                label: "prior alone".into(),
                swatch: Swatch::Line {
                    colour: PRIOR,
                    width: 2.0,
                    dashed: true,
                },
            },
            LegendItem {
                label: "prior's 90 % interval".into(),
                swatch: Swatch::Patch(theme::tint(PRIOR, PRIOR_STRIP)),
            },
            LegendItem {
                label: "90 % line".into(),
                swatch: Swatch::Line {
                    colour: REFERENCE,
                    width: 1.5,
                    dashed: false,
                },
            },
            LegendItem {
                label: "90 % profile interval (arrow: open beyond the grid)".into(),
                swatch: Swatch::Line {
                    colour: PROFILE,
                    width: 6.0,
                    dashed: false,
                },
            },
            LegendItem {
                label: "MAP estimate".into(),
                swatch: Swatch::Line {
                    colour: ESTIMATE,
                    width: 2.0,
                    dashed: false,
                },
            },
        ];
        let subtitle = format!(
            "What the record pins down: {} relative to the best fit ({}) for each of {} \
             parameters; values whose curve stays above the 90 % line are supported, a curve \
             as flat as the dashed prior means the record says little",
            a.metric_label,
            a.mode,
            self.panels.len()
        );
        let body = page::draw(area, theme, &a.page(&subtitle, &legend))?;
        if self.panels.is_empty() {
            page::note(area, theme, &body, "no parameter was profiled")?;
            return Ok(Vec::new());
        }
        let tick_font = Font::new(theme.tiny(), theme::TEXT);
        let label_font = Font::new(theme.label(), theme::TEXT);
        let name_font = Font::new(theme.small(), theme::TEXT).bold();
        let note_font = Font::new(theme.tiny(), theme::MUTED);

        let y_range = self.y_range();
        let n = self.panels.len();
        let y_label_w = |ticks: &[Tick]| {
            ticks
                .iter()
                .map(|t| text::width(area, &t.label, tick_font))
                .fold(0.0, f64::max)
        };
        // The y labels are measured on a first guess of the plot height.
        let rough = y_ticks(y_range, body.height() / 3.0, 5, 0.5, tick_font);
        let grid_left = body.left + label_font.line() + theme.px(8.0) + y_label_w(&rough);
        let grid_left = grid_left + theme.px(10.0);
        let cols = panels::columns(n, body.right - grid_left, body.height());
        let rows = n.div_ceil(cols);
        let col_gap = theme.px(36.0);
        let row_gap = theme.px(10.0);
        let cell_w = column_width(grid_left, body.right, cols, col_gap);
        let cell_h = (body.height() - row_gap * (rows as f64 - 1.0)) / rows as f64;
        let title_h = name_font.line() + theme.px(4.0);
        let x_room = tick_font.line() + theme.px(12.0);
        let plot_h = (cell_h - title_h - x_room).max(1.0);
        let y_ticks = y_ticks(y_range, plot_h, 5, 0.5, tick_font);

        let labels: Vec<String> = self.panels.iter().map(|p| p.label.clone()).collect();
        let names = short_labels(&labels);
        let mut rects = Vec::with_capacity(n);
        let mut first_plot = None;
        for (i, p) in self.panels.iter().enumerate() {
            let (col, row) = (i % cols, i / cols);
            let left = grid_left + col as f64 * (cell_w + col_gap);
            let top = body.top + row as f64 * (cell_h + row_gap);
            let plot = Plot {
                left,
                top: top + title_h,
                right: left + cell_w,
                bottom: top + title_h + plot_h,
                x: p.x_range(),
                y: y_range,
            };
            panel_title(
                area,
                theme,
                (left, top),
                cell_w,
                (&names[i], &p.interval_text()),
                (name_font, note_font),
                false,
            )?;
            let x_ticks = x_ticks(area, theme, plot.x, cell_w, col_gap * 0.4, 5, tick_font);
            draw_profile(
                area,
                theme,
                &plot,
                p,
                (&x_ticks, &y_ticks),
                col == 0,
                tick_font,
            )?;
            first_plot.get_or_insert(plot.clone());
            rects.push(plot.rect());
        }
        if let Some(p) = first_plot {
            let last_row_bottom = body.top + (rows - 1) as f64 * (cell_h + row_gap) + title_h;
            let span = Plot {
                bottom: last_row_bottom + plot_h,
                ..p
            };
            axes::y_title(
                area,
                theme,
                body.left,
                &span,
                "log posterior − best fit",
                label_font,
            )?;
        }
        Ok(rects)
    }
}

/// One profile panel inside `plot`.
fn draw_profile<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    plot: &Plot,
    p: &ProfilePanel,
    (x_ticks, y_ticks): (&[Tick], &[Tick]),
    label_y: bool,
    font: Font,
) -> DrawResult<DB> {
    let (l, r, b) = (plot.left, plot.right, plot.bottom);
    // The prior's 90 % interval as a strip along the x axis, clipped to the
    // grid (an interval reaching past the grid runs to its edge).
    let (p0, p1) = p.prior_interval;
    if p0.is_finite() && p1.is_finite() {
        let x0 = plot.px_x(p0.min(p1)).clamp(l, r);
        let x1 = plot.px_x(p0.max(p1)).clamp(l, r);
        if x1 > x0 {
            area.draw(&Rectangle::new(
                [
                    (x0.round() as i32, (b - theme.px(12.0)).round() as i32),
                    (x1.round() as i32, b.round() as i32),
                ],
                theme::tint(PRIOR, PRIOR_STRIP).filled(),
            ))?;
        }
    }
    frame(
        area,
        theme,
        plot,
        &Frame {
            x_ticks,
            y_ticks,
            label_x: true,
            label_y,
        },
        font,
    )?;

    // The 90 % line, named in the legend: a panel is too short for a label
    // that neither the flat profiles nor the interval's arrows would cover.
    let thr = p.threshold();
    let ty = plot.px_y(thr);
    area.draw(&PathElement::new(
        vec![(l as i32, ty as i32), (r as i32, ty as i32)],
        REFERENCE.stroke_width(theme.stroke(1.5)),
    ))?;
    let curve = |ys: &[f64]| {
        finite_runs(
            p.value
                .iter()
                .zip(ys)
                .map(|(x, y)| (x.is_finite() && y.is_finite()).then(|| plot.px(*x, *y))),
        )
    };
    for run in curve(&p.prior_drop) {
        if run.len() > 1 {
            canvas::dashed(area, theme, run, PRIOR, 2.0)?;
        }
    }
    for run in curve(&p.drop) {
        canvas::line(area, theme, run, PROFILE, 3.0)?;
    }
    // Grid points: filled where on the axis, hollow where clipped to the
    // floor (far less likely than the axis shows, or impossible).
    let dot = theme.stroke(3.5);
    for (x, y) in p.value.iter().zip(&p.drop) {
        if !(x.is_finite() && y.is_finite()) {
            continue;
        }
        let at = plot.px(*x, *y);
        if *y < plot.y.0 {
            area.draw(&Circle::new(
                at,
                dot,
                PROFILE.stroke_width(theme.stroke(1.5)),
            ))?;
        } else {
            area.draw(&Circle::new(at, dot, PROFILE.filled()))?;
        }
    }

    if !p
        .value
        .iter()
        .zip(&p.drop)
        .any(|(x, y)| x.is_finite() && y.is_finite())
    {
        page::note(area, theme, &Body::from(plot), "no finite profile value")?;
    }

    // The profile interval on the 90 % line, an arrow at an open end.
    if let Some((lo, hi)) = p.interval
        && lo.is_finite()
        && hi.is_finite()
    {
        let x0 = plot.px_x(lo.min(hi)).clamp(l, r);
        let x1 = plot.px_x(lo.max(hi)).clamp(l, r);
        let y = ty.round() as i32;
        canvas::line(
            area,
            theme,
            vec![(x0.round() as i32, y), (x1.round() as i32, y)],
            PROFILE,
            6.0,
        )?;
        let head = theme.px(9.0);
        for (open, x, dir) in [(!p.lo_closed, x0, -1.0), (!p.hi_closed, x1, 1.0)] {
            if open {
                let tip = ((x + dir * head).round() as i32, y);
                let back = x.round() as i32;
                let h = (head * 0.7).round() as i32;
                canvas::fill(area, vec![tip, (back, y - h), (back, y + h)], PROFILE)?;
            }
        }
    }

    // The estimate: a vertical line through the panel.
    if p.estimate.is_finite() && p.estimate >= plot.x.0 && p.estimate <= plot.x.1 {
        let ex = plot.px_x(p.estimate).round() as i32;
        area.draw(&PathElement::new(
            vec![(ex, plot.top as i32), (ex, b as i32)],
            ESTIMATE.stroke_width(theme.stroke(2.0)),
        ))?;
    }
    Ok(())
}

// -------------------------------------------------------------------- trace

/// "R̂ 1.003 · ESS 812", leaving out what was not computed; and whether
/// either is poor ([`RHAT_POOR`], [`ESS_POOR`]).
pub fn diagnostics_text(rhat: f64, ess: f64) -> (String, bool) {
    let mut parts = Vec::new();
    if rhat.is_finite() {
        parts.push(format!("R̂ {rhat:.3}"));
    }
    if ess.is_finite() {
        parts.push(format!("ESS {:.0}", ess.max(0.0)));
    }
    let poor = (rhat.is_finite() && rhat > RHAT_POOR) || (ess.is_finite() && ess < ESS_POOR);
    (parts.join(" · "), poor)
}

impl TraceData {
    /// Rows drawn: one per entry of `chains` (the names are matched by
    /// position; a row without a name is called "row k").
    fn row_name(&self, row: usize) -> String {
        match self.params.get(row) {
            Some(p) => short_labels(&self.params)
                .get(row)
                .cloned()
                .unwrap_or_else(|| p.clone()),
            None => format!("row {}", row + 1),
        }
    }

    /// Most chains of any row.
    pub fn chain_count(&self) -> usize {
        self.chains.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// Most kept draws of any chain.
    pub fn draw_count(&self) -> usize {
        self.chains
            .iter()
            .flatten()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
    }

    /// Columns of rows: one while each row keeps at least about 80 design
    /// pixels of height, otherwise as many as needed (a trace wants width,
    /// so rows are stacked before columns are added).
    pub fn columns(rows: usize, body_height: f64, theme: &Theme) -> usize {
        let fit = (body_height / theme.px(80.0)).floor().max(1.0) as usize;
        rows.div_ceil(fit).clamp(1, 3)
    }
}

impl Chart for TraceData {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let a = &self.about;
        let chains = self.chain_count();
        let legend: Vec<LegendItem> = (0..chains)
            .map(|c| LegendItem {
                label: format!("chain {}", c + 1),
                swatch: Swatch::Line {
                    colour: theme::series(c),
                    width: 3.0,
                    dashed: false,
                },
            })
            .collect();
        let subtitle = format!(
            "MCMC trace ({}): {} × {} after warm-up; well-mixed chains \
             overlap like noise around one level. R̂ above {RHAT_POOR} or ESS below {ESS_POOR:.0} \
             in vermillion",
            a.mode,
            count(chains, "chain", "chains"),
            count(self.draw_count(), "kept draw", "kept draws"),
        );
        let body = page::draw(area, theme, &a.page(&subtitle, &legend))?;
        let n = self.chains.len();
        if n == 0 || self.draw_count() == 0 {
            page::note(area, theme, &body, "no draws to show")?;
            return Ok(Vec::new());
        }
        let tick_font = Font::new(theme.tiny(), theme::TEXT);
        let label_font = Font::new(theme.label(), theme::TEXT);
        let name_font = Font::new(theme.small(), theme::TEXT).bold();

        let x_room = tick_font.line() + theme.px(12.0) + label_font.line();
        let cols = Self::columns(n, body.height() - x_room, theme);
        let per_col = n.div_ceil(cols);
        let row_gap = theme.px(6.0);
        let title_h = name_font.line() + theme.px(2.0);
        let row_h = (body.height() - x_room - row_gap * (per_col as f64 - 1.0)) / per_col as f64;
        let plot_h = (row_h - title_h).max(1.0);
        // Each row's range widened to whole ticks, so it has labelled
        // ticks at both ends however low the row.
        let scales: Vec<Scale> = self
            .chains
            .iter()
            .map(|row| y_scale(extent(row.iter().flatten().copied()), plot_h, 4, tick_font))
            .collect();
        let y_ticks: Vec<&[Tick]> = scales.iter().map(|s| s.ticks.as_slice()).collect();
        let y_label_w = y_ticks
            .iter()
            .flat_map(|t| t.iter())
            .map(|t| text::width(area, &t.label, tick_font))
            .fold(0.0, f64::max);
        let col_gap = theme.px(30.0);
        let inner_left = y_label_w + theme.px(12.0);
        let col_w = column_width(body.left, body.right, cols, col_gap);
        let plot_w = (col_w - inner_left).max(1.0);
        let draws = self.draw_count();
        // Draws are counted: whole-number ticks only, and at least the
        // range 1..2 so a single draw has an axis.
        let x_range = (1.0, draws.max(2) as f64);
        let x_ticks: Vec<Tick> = x_ticks(area, theme, x_range, plot_w, col_gap * 0.4, 8, tick_font)
            .into_iter()
            .filter(|t| t.x.fract() == 0.0)
            .map(|t| Tick {
                x: t.x,
                label: format!("{}", t.x as i64),
            })
            .collect();

        let mut rects = Vec::with_capacity(n);
        for (i, row) in self.chains.iter().enumerate() {
            let (col, k) = (i / per_col, i % per_col);
            let left = body.left + col as f64 * (col_w + col_gap) + inner_left;
            let top = body.top + k as f64 * (row_h + row_gap);
            let plot = Plot {
                left,
                top: top + title_h,
                right: left + plot_w,
                bottom: top + title_h + plot_h,
                x: x_range,
                y: scales[i].range,
            };
            let last_in_col = k + 1 == per_col || i + 1 == n;
            let (note, poor) = diagnostics_text(
                self.rhat.get(i).copied().unwrap_or(f64::NAN),
                self.ess.get(i).copied().unwrap_or(f64::NAN),
            );
            let note_font = Font::new(theme.tiny(), if poor { ESTIMATE } else { theme::MUTED });
            let note_font = if poor { note_font.bold() } else { note_font };
            panel_title(
                area,
                theme,
                (left, top),
                plot_w,
                (&self.row_name(i), &note),
                (name_font, note_font),
                true,
            )?;
            frame(
                area,
                theme,
                &plot,
                &Frame {
                    x_ticks: &x_ticks,
                    y_ticks: y_ticks[i],
                    label_x: last_in_col,
                    label_y: true,
                },
                tick_font,
            )?;
            for (c, chain) in row.iter().enumerate() {
                let pts = chain
                    .iter()
                    .enumerate()
                    .map(|(d, y)| y.is_finite().then(|| plot.px((d + 1) as f64, *y)));
                for run in finite_runs(pts) {
                    if let [p] = run[..] {
                        // A lone draw (between gaps, or the only one) as a dot.
                        area.draw(&Circle::new(
                            p,
                            theme.stroke(3.0),
                            theme::series(c).filled(),
                        ))?;
                    } else {
                        canvas::line(area, theme, run, theme::series(c), 1.2)?;
                    }
                }
            }
            if !row.iter().flatten().any(|v| v.is_finite()) {
                page::note(area, theme, &Body::from(&plot), "no finite draws")?;
            }
            if last_in_col {
                axes::x_title(
                    area,
                    theme,
                    plot.bottom + tick_font.line() + theme.px(14.0),
                    &plot,
                    "draw (after warm-up)",
                    label_font,
                )?;
            }
            rects.push(plot.rect());
        }
        Ok(rects)
    }
}

// -------------------------------------------------------------------- pairs

/// Pearson's correlation of the pairs of `x` and `y` where both are
/// finite; `None` with fewer than two such pairs or without variance.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| (*a, *b))
        .collect();
    if pairs.len() < 2 {
        return None;
    }
    let n = pairs.len() as f64;
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in &pairs {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    // A spread within rounding of the values' size is no spread: a
    // constant column's deviations from its computed mean are rounding
    // noise, and their "correlation" would be arbitrary.
    let flat = |ss: f64, m: f64, sel: fn(&(f64, f64)) -> f64| {
        let size = pairs.iter().map(|p| sel(p).abs()).fold(m.abs(), f64::max);
        (ss / n).sqrt() <= 1e-12 * size
    };
    if flat(sxx, mx, |p| p.0) || flat(syy, my, |p| p.1) {
        return None;
    }
    let r = sxy / (sxx * syy).sqrt();
    r.is_finite().then(|| r.clamp(-1.0, 1.0))
}

/// A correlation as the pair plot writes it: two decimals and a real minus
/// sign ("−0.83"); "n/a" where it is not defined.
pub fn correlation_text(r: Option<f64>) -> String {
    match r {
        Some(r) => {
            let s = format!("{r:.2}");
            match s.strip_prefix('-') {
                Some(rest) if rest == "0.00" => rest.to_string(),
                Some(rest) => format!("−{rest}"),
                None => s,
            }
        }
        None => "n/a".into(),
    }
}

/// The `q` quantile (0..1) of the finite values of `v`, by linear
/// interpolation between order statistics.
fn quantile(v: &[f64], q: f64) -> Option<f64> {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return None;
    }
    s.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (s.len() - 1) as f64;
    let i = pos.floor() as usize;
    let j = (i + 1).min(s.len() - 1);
    Some(s[i] + (s[j] - s[i]) * (pos - i as f64))
}

impl PairsData {
    /// How many parameters the matrix shows: at most [`PAIRS_MAX`].
    pub fn shown(&self) -> usize {
        self.params.len().min(self.draws.len()).min(PAIRS_MAX)
    }

    /// The correlation of parameters `i` and `j` over the pooled draws.
    pub fn correlation(&self, i: usize, j: usize) -> Option<f64> {
        pearson(self.draws.get(i)?, self.draws.get(j)?)
    }

    /// The text in the upper-triangle cell of `i` and `j`.
    pub fn correlation_label(&self, i: usize, j: usize) -> String {
        correlation_text(self.correlation(i, j))
    }

    fn estimate_of(&self, i: usize) -> Option<f64> {
        self.estimate
            .as_ref()
            .and_then(|e| e.get(i).copied())
            .filter(|v| v.is_finite())
    }

    /// The axis range of parameter `i`: its finite draws and the estimate,
    /// widened by 4 % each side so no point sits on the frame.
    pub fn range(&self, i: usize) -> (f64, f64) {
        let draws = self.draws.get(i).map_or(&[][..], Vec::as_slice);
        let (lo, hi) = extent(draws.iter().copied().chain(self.estimate_of(i)));
        let (lo, hi) = non_empty(lo, hi);
        let pad = (hi - lo) * 0.04;
        (lo - pad, hi + pad)
    }

    /// The key's line under a parameter's name: MAP, median and the central
    /// 90 % of the draws.
    fn summary(&self, i: usize) -> String {
        let d = self.draws.get(i).map_or(&[][..], Vec::as_slice);
        let mut parts = Vec::new();
        if let Some(e) = self.estimate_of(i) {
            parts.push(format!("MAP {}", short(e)));
        }
        if let (Some(m), Some(lo), Some(hi)) =
            (quantile(d, 0.5), quantile(d, 0.05), quantile(d, 0.95))
        {
            parts.push(format!("median {}", short(m)));
            parts.push(format!("90 % {} – {}", short(lo), short(hi)));
        }
        if parts.is_empty() {
            "no finite draws".into()
        } else {
            parts.join(" · ")
        }
    }

    /// The subtitle: what the matrix shows and, with more than
    /// [`PAIRS_MAX`] parameters, that only the first are shown.
    pub fn subtitle(&self) -> String {
        let k = self.shown();
        let mut subtitle = format!(
            "Posterior draws ({}, {} pooled over chains): each pair of parameters below \
             the diagonal, each one's histogram on it, their correlation r above it",
            self.about.mode,
            count(self.draw_count(), "draw", "draws")
        );
        let hidden = self.params.len().min(self.draws.len()).saturating_sub(k);
        if hidden > 0 {
            subtitle.push_str(&format!(
                "; the first {k} of {} parameters shown (posterior.csv holds all)",
                k + hidden
            ));
        }
        subtitle
    }

    /// Draws per parameter (the longest column).
    fn draw_count(&self) -> usize {
        self.draws.iter().map(Vec::len).max().unwrap_or(0)
    }
}

/// The names along one side of the pair matrix, each `room` pixels long
/// at most, numbered as in the key: "1 rate: trust" where every name fits
/// whole; cut with an ellipsis where each keeps at least a dozen
/// characters; otherwise the numbers alone. One rule for the whole side,
/// so a reader never sees names beside bare numbers.
fn axis_names(names: &[String], room: f64, width: &dyn Fn(&str) -> f64) -> Vec<String> {
    let full: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{} {n}", i + 1))
        .collect();
    if full.iter().all(|s| width(s) <= room) {
        return full;
    }
    let cut: Vec<String> = full.iter().map(|s| fit_with(s, room, width)).collect();
    if cut.iter().all(|s| s.chars().count() >= 12) {
        return cut;
    }
    (1..=names.len()).map(|i| i.to_string()).collect()
}

/// `s` cut with an ellipsis to `room` pixels as measured by `width` (as
/// [`text::fit`], which needs a drawing area).
fn fit_with(s: &str, room: f64, width: &dyn Fn(&str) -> f64) -> String {
    if width(s) <= room {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut keep = chars.len();
    while keep > 0 {
        keep -= 1;
        let cand: String = chars[..keep]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…";
        if width(&cand) <= room {
            return cand;
        }
    }
    "…".into()
}

impl Chart for PairsData {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
        let a = &self.about;
        let k = self.shown();
        let n = self.draw_count();
        let mut legend = vec![LegendItem {
            label: if n > SCATTER_POINTS_MAX {
                "posterior draws (darker: more draws)".into()
            } else {
                "posterior draws".into()
            },
            swatch: Swatch::Patch(theme::tint(DRAWS, 0.7)),
        }];
        if (0..k).any(|i| self.estimate_of(i).is_some()) {
            legend.push(LegendItem {
                label: "MAP estimate".into(),
                swatch: Swatch::Line {
                    colour: ESTIMATE,
                    width: 2.5,
                    dashed: false,
                },
            });
        }
        let subtitle = self.subtitle();
        let body = page::draw(area, theme, &a.page(&subtitle, &legend))?;
        if k == 0 || n == 0 {
            page::note(area, theme, &body, "no posterior draws to show")?;
            return Ok(Vec::new());
        }
        let tick_font = Font::new(theme.tiny(), theme::TEXT);
        let label_font = Font::new(theme.small(), theme::TEXT);
        let names = short_labels(&self.params);
        let ranges: Vec<(f64, f64)> = (0..k).map(|i| self.range(i)).collect();

        // The matrix on the left, its cells at most 1.6 times as wide as
        // high; the key of names and summaries beside it, as wide as its
        // text (up to 40 % of the sheet).
        let key_w = self
            .key_width(area, theme, &names[..k])
            .min(body.width() * 0.4);
        let key_gap = theme.px(40.0);
        let bottom_room = tick_font.line() + theme.px(12.0) + label_font.line() + theme.px(4.0);
        let height = (body.height() - bottom_room).max(1.0);
        let rough_cell = height / k as f64;
        let rough_y: Vec<Vec<Tick>> = ranges
            .iter()
            .map(|r| y_ticks(*r, rough_cell, 4, 0.25, tick_font))
            .collect();
        // The first row's left cell is a histogram: no y labels there.
        let y_label_w = rough_y
            .iter()
            .skip(1)
            .flatten()
            .map(|t| text::width(area, &t.label, tick_font))
            .fold(0.0, f64::max);
        let left = body.left + label_font.line() + theme.px(8.0) + y_label_w + theme.px(10.0);
        let gap = theme.px(6.0).min(height / k as f64 * 0.08);
        let (kf, gaps) = (k as f64, gap * (k as f64 - 1.0));
        let ch = (height - gaps) / kf;
        let cw = ((body.right - key_w - key_gap - left - gaps) / kf)
            .min(ch * 1.6)
            .max(1.0);
        let top = body.top;
        let cell_plot = |i: usize, j: usize| Plot {
            left: left + j as f64 * (cw + gap),
            top: top + i as f64 * (ch + gap),
            right: left + j as f64 * (cw + gap) + cw,
            bottom: top + i as f64 * (ch + gap) + ch,
            x: ranges[j],
            y: ranges[i],
        };
        let x_ticks: Vec<Vec<Tick>> = ranges
            .iter()
            .map(|r| x_ticks(area, theme, *r, cw, gap * 0.4, 5, tick_font))
            .collect();
        let y_ticks: Vec<Vec<Tick>> = ranges
            .iter()
            .map(|r| y_ticks(*r, ch, 4, 0.25, tick_font))
            .collect();

        let style = self.correlation_style(area, theme, k, cw);
        let mut rects = Vec::with_capacity(k * k);
        for i in 0..k {
            for j in 0..k {
                let plot = cell_plot(i, j);
                if i == j {
                    self.draw_histogram(area, theme, &plot, i, &x_ticks[i], i + 1 == k)?;
                } else if i > j {
                    frame(
                        area,
                        theme,
                        &plot,
                        &Frame {
                            x_ticks: &x_ticks[j],
                            y_ticks: &y_ticks[i],
                            label_x: i + 1 == k,
                            label_y: j == 0,
                        },
                        tick_font,
                    )?;
                    self.draw_scatter(area, theme, &plot, (j, i))?;
                } else {
                    self.draw_correlation(area, theme, &plot, (i, j), style)?;
                }
                rects.push(plot.rect());
            }
        }
        // Names: under each column and left of each row (rows from the
        // second on: the first row's left cell is a histogram), numbered
        // as in the key; just the number where too little of the name fits.
        let measure = |s: &str| text::width(area, s, label_font);
        let column_names = axis_names(&names[..k], cw, &measure);
        let row_names = axis_names(&names[..k], ch, &measure);
        for i in 0..k {
            let col = cell_plot(k - 1, i);
            axes::x_title(
                area,
                theme,
                col.bottom + tick_font.line() + theme.px(14.0),
                &col,
                &column_names[i],
                label_font,
            )?;
            if i > 0 {
                let row = cell_plot(i, 0);
                axes::y_title(area, theme, body.left, &row, &row_names[i], label_font)?;
            }
        }
        let key_left = cell_plot(0, k - 1).right + key_gap;
        if body.right - key_left > theme.px(100.0) {
            self.draw_key(
                area,
                theme,
                (key_left, top),
                body.right - key_left,
                &names[..k],
            )?;
        }
        Ok(rects)
    }
}

impl PairsData {
    /// The histogram of parameter `i` on the diagonal, the estimate as a
    /// vertical line. Bars rise from the bottom; their height is the share
    /// of draws, scaled to the tallest bar (no y axis: only the shape
    /// matters).
    fn draw_histogram<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        theme: &Theme,
        plot: &Plot,
        i: usize,
        x_ticks: &[Tick],
        label_x: bool,
    ) -> DrawResult<DB> {
        let tick_font = Font::new(theme.tiny(), theme::TEXT);
        frame(
            area,
            theme,
            plot,
            &Frame {
                x_ticks,
                y_ticks: &[],
                label_x,
                label_y: false,
            },
            tick_font,
        )?;
        let draws: Vec<f64> = self.draws[i]
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        let (x0, x1) = plot.x;
        // About √n bins, 6 to 40, none narrower than 3 design pixels.
        let widest = ((plot.right - plot.left) / theme.px(3.0)).max(1.0);
        let bins = ((draws.len() as f64).sqrt().round())
            .clamp(6.0, 40.0)
            .min(widest) as usize;
        let mut counts = vec![0usize; bins.max(1)];
        for v in &draws {
            let b = ((v - x0) / (x1 - x0) * bins as f64).floor();
            let b = (b.max(0.0) as usize).min(counts.len() - 1);
            counts[b] += 1;
        }
        let most = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
        let h = (plot.bottom - plot.top) * 0.9;
        let bar = theme::tint(DRAWS, 0.6);
        for (b, c) in counts.iter().enumerate() {
            if *c == 0 {
                continue;
            }
            let l = plot.px_x(x0 + (x1 - x0) * b as f64 / bins as f64);
            let r = plot.px_x(x0 + (x1 - x0) * (b + 1) as f64 / bins as f64);
            let t = plot.bottom - h * *c as f64 / most;
            area.draw(&Rectangle::new(
                [
                    (l.round() as i32, t.round() as i32),
                    (
                        (r.round() as i32 - 1).max(l.round() as i32),
                        plot.bottom as i32,
                    ),
                ],
                bar.filled(),
            ))?;
        }
        if let Some(e) = self.estimate_of(i) {
            let ex = plot.px_x(e).round() as i32;
            area.draw(&PathElement::new(
                vec![(ex, plot.top as i32), (ex, plot.bottom as i32)],
                ESTIMATE.stroke_width(theme.stroke(2.5)),
            ))?;
        }
        // The parameter's number in the corner, so the diagonal reads as
        // the index of the matrix.
        let f = Font::new(theme.small(), theme::MUTED).bold();
        text::draw(
            area,
            theme,
            &(i + 1).to_string(),
            (plot.left + theme.px(5.0), plot.top + theme.px(4.0)),
            f,
            HPos::Left,
            VAlign::Top,
        )
    }

    /// Parameter `xi` across, `yi` up: the draws as points, or as the
    /// density of draws on a grid of small squares when there are many;
    /// the estimate as a cross.
    fn draw_scatter<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        theme: &Theme,
        plot: &Plot,
        (xi, yi): (usize, usize),
    ) -> DrawResult<DB> {
        let pts: Vec<(f64, f64)> = self.draws[xi]
            .iter()
            .zip(&self.draws[yi])
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|(x, y)| (plot.px_x(*x), plot.px_y(*y)))
            .collect();
        if pts.len() <= SCATTER_POINTS_MAX {
            let r = theme.stroke(2.5);
            for (x, y) in &pts {
                area.draw(&Circle::new(
                    (x.round() as i32, y.round() as i32),
                    r,
                    DRAWS.mix(0.45).filled(),
                ))?;
            }
        } else {
            // Counts on squares of about 4 design pixels; the shade grows
            // with the square root of the count, so the tails stay visible
            // beside the core and the core still shows its shape.
            let size = theme.px(4.0).max(2.0);
            let w = ((plot.right - plot.left) / size).ceil().max(1.0) as usize;
            let h = ((plot.bottom - plot.top) / size).ceil().max(1.0) as usize;
            let mut counts = vec![0u32; w * h];
            for (x, y) in &pts {
                let cx = (((x - plot.left) / size).floor().max(0.0) as usize).min(w - 1);
                let cy = (((y - plot.top) / size).floor().max(0.0) as usize).min(h - 1);
                counts[cy * w + cx] += 1;
            }
            let most = f64::from(counts.iter().copied().max().unwrap_or(1).max(1));
            for (idx, c) in counts.iter().enumerate() {
                if *c == 0 {
                    continue;
                }
                let (cx, cy) = (idx % w, idx / w);
                let l = plot.left + cx as f64 * size;
                let t = plot.top + cy as f64 * size;
                let shade = 0.18 + 0.82 * (f64::from(*c) / most).sqrt();
                area.draw(&Rectangle::new(
                    [
                        (l.round() as i32, t.round() as i32),
                        (
                            (l + size).min(plot.right).round() as i32,
                            (t + size).min(plot.bottom).round() as i32,
                        ),
                    ],
                    theme::tint(DRAWS, shade).filled(),
                ))?;
            }
        }
        if let (Some(ex), Some(ey)) = (self.estimate_of(xi), self.estimate_of(yi)) {
            let (x, y) = plot.px(ex, ey);
            let arm = theme.ipx(7.0);
            let style = ESTIMATE.stroke_width(theme.stroke(2.5));
            // A white halo first, so the cross reads on the darkest shade.
            let halo = theme::WHITE.stroke_width(theme.stroke(5.0));
            for s in [halo, style] {
                area.draw(&PathElement::new(vec![(x - arm, y), (x + arm, y)], s))?;
                area.draw(&PathElement::new(vec![(x, y - arm), (x, y + arm)], s))?;
            }
        }
        Ok(())
    }

    /// The correlation of `i` and `j` as text (in the matrix's `font`, with
    /// "r = " when `prefixed`) on a cell tinted blue for a positive and
    /// vermillion for a negative correlation, the stronger the deeper.
    fn draw_correlation<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        theme: &Theme,
        plot: &Plot,
        (i, j): (usize, usize),
        (font, prefixed): (Font, bool),
    ) -> DrawResult<DB> {
        let r = self.correlation(i, j);
        let fill = match r {
            Some(r) if r >= 0.0 => theme::tint(DRAWS, 0.45 * r),
            Some(r) => theme::tint(ESTIMATE, 0.45 * -r),
            None => theme::WHITE,
        };
        let rect = plot.rect();
        area.draw(&Rectangle::new(
            [(rect[0], rect[1]), (rect[2], rect[3])],
            fill.filled(),
        ))?;
        area.draw(&Rectangle::new(
            [(rect[0], rect[1]), (rect[2], rect[3])],
            theme::GRID.stroke_width(theme.stroke(1.0)),
        ))?;
        let value = correlation_text(r);
        let centre = (
            (plot.left + plot.right) / 2.0,
            (plot.top + plot.bottom) / 2.0,
        );
        // Weak correlations in grey, so the strong ones stand out.
        let ink = if r.is_some_and(|r| r.abs() >= 0.3) {
            theme::TEXT
        } else {
            theme::MUTED
        };
        let f = Font {
            colour: ink,
            ..font
        };
        let s = if prefixed {
            format!("r = {value}")
        } else {
            value
        };
        text::draw(area, theme, &s, centre, f, HPos::Center, VAlign::Middle)
    }

    /// The font and form of the correlations, the same in every cell: the
    /// largest of three sizes at which every label of the matrix (of `k`
    /// parameters, in cells `w` pixels wide) fits, with "r = " in front
    /// where that fits too.
    fn correlation_style<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        theme: &Theme,
        k: usize,
        w: f64,
    ) -> (Font, bool) {
        let labels: Vec<String> = (0..k)
            .flat_map(|i| (i + 1..k).map(move |j| (i, j)))
            .map(|(i, j)| self.correlation_label(i, j))
            .collect();
        for size in [theme.title(), theme.label(), theme.tiny()] {
            let f = Font::new(size, theme::TEXT).bold();
            for prefixed in [true, false] {
                let fits = labels.iter().all(|v| {
                    let s = if prefixed {
                        format!("r = {v}")
                    } else {
                        v.clone()
                    };
                    text::width(area, &s, f) + theme.px(24.0) <= w
                });
                if fits {
                    return (f, prefixed);
                }
            }
        }
        (Font::new(theme.tiny(), theme::TEXT).bold(), false)
    }

    /// The key's fonts: heading and numbers, names, summaries.
    fn key_fonts(theme: &Theme) -> (Font, Font, Font) {
        (
            Font::new(theme.small(), theme::TEXT).bold(),
            Font::new(theme.small(), theme::TEXT),
            Font::new(theme.tiny(), theme::MUTED),
        )
    }

    /// The width the key takes at most: its widest name or summary after
    /// the numbers.
    fn key_width<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        theme: &Theme,
        names: &[String],
    ) -> f64 {
        let (head, name_font, note_font) = Self::key_fonts(theme);
        let num_w = text::width(area, &names.len().to_string(), head) + theme.px(10.0);
        let widest = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                text::width(area, n, name_font).max(text::width(area, &self.summary(i), note_font))
            })
            .fold(text::width(area, "parameters", head), f64::max);
        num_w + widest
    }

    /// The parameters by number, each with its MAP, median and central
    /// 90 % of the draws.
    fn draw_key<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        theme: &Theme,
        (x, y): (f64, f64),
        width: f64,
        names: &[String],
    ) -> DrawResult<DB> {
        let (head, name_font, note_font) = Self::key_fonts(theme);
        text::draw(
            area,
            theme,
            "parameters",
            (x, y),
            head,
            HPos::Left,
            VAlign::Top,
        )?;
        let num_w = text::width(area, &names.len().to_string(), head) + theme.px(10.0);
        let mut row = y + head.line() * 1.4;
        for (i, name) in names.iter().enumerate() {
            text::draw(
                area,
                theme,
                &(i + 1).to_string(),
                (x, row),
                head,
                HPos::Left,
                VAlign::Top,
            )?;
            let name = text::fit_label(area, name, name_font, width - num_w);
            text::draw(
                area,
                theme,
                &name,
                (x + num_w, row),
                name_font,
                HPos::Left,
                VAlign::Top,
            )?;
            row += name_font.line();
            let note = text::fit(area, &self.summary(i), note_font, width - num_w);
            text::draw(
                area,
                theme,
                &note,
                (x + num_w, row),
                note_font,
                HPos::Left,
                VAlign::Top,
            )?;
            row += note_font.line() + theme.px(8.0);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::Format;
    use crate::charts::render::render;
    use std::path::{Path, PathBuf};

    fn about(mode: &str) -> About {
        About {
            title: "Baseline: trust and alignment, 2015–2030".into(),
            metric: "log posterior".into(),
            metric_label: "log posterior".into(),
            mode: mode.into(),
            percent: false,
            footer: "scenario baseline · 32 observations · geosim test".into(),
        }
    }

    /// A deterministic stream of standard normal numbers (Box–Muller on a
    /// 64-bit LCG), so the tests need no random number crate.
    struct Normals(u64);
    impl Normals {
        fn uniform(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }
        fn next(&mut self) -> f64 {
            let (u, v) = (self.uniform(), self.uniform());
            (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        }
    }

    const PATHS: [&str; 12] = [
        "influences.\"trust -> alignment\".weight",
        "influences.\"western_pressure -> alignment\".weight",
        "variables.trust.rate",
        "variables.alignment.noise",
        "drivers.western_pressure.offset",
        "incidents.\"border clash\".base_rate",
        "incidents.\"border clash\".pressure.trust",
        "variables.trade.rate",
        "influences.\"trade -> trust\".weight",
        "variables.alignment.rate",
        "variables.trust.bias",
        "influences.\"sanctions -> trade\".weight",
    ];

    fn profile(i: usize) -> ProfilePanel {
        let centre = 0.2 + 0.05 * i as f64;
        let width = 0.05 + 0.04 * (i % 4) as f64;
        let value: Vec<f64> = (0..21).map(|k| f64::from(k) * 0.05).collect();
        let mut drop: Vec<f64> = value
            .iter()
            .map(|v| -0.5 * ((v - centre) / width).powi(2))
            .collect();
        // An impossible record and a failed optimisation.
        drop[20] = -1e6;
        if i.is_multiple_of(3) {
            drop[1] = f64::NAN;
        }
        let prior_drop: Vec<f64> = value
            .iter()
            .map(|v| -0.5 * ((v - 0.5) / 0.4).powi(2))
            .collect();
        let half = width * (2.0 * 1.3528f64).sqrt();
        let (lo, hi) = (centre - half, centre + half);
        let lo_closed = lo >= 0.0;
        let hi_closed = i % 5 != 4;
        ProfilePanel {
            label: PATHS[i % PATHS.len()].into(),
            value,
            drop,
            prior_drop,
            estimate: centre,
            interval: Some((lo.max(0.0), if hi_closed { hi } else { 1.0 })),
            lo_closed,
            hi_closed,
            threshold: -1.3528,
            prior_interval: (0.5 - 1.645 * 0.4, 0.5 + 1.645 * 0.4),
        }
    }

    fn profiles(n: usize) -> ProfilesData {
        ProfilesData {
            about: about("MAP, 4 starts; filter likelihood with 1000 runs"),
            panels: (0..n).map(profile).collect(),
        }
    }

    fn trace(params: usize, chains: usize, draws: usize) -> TraceData {
        let mut g = Normals(7);
        let mut names: Vec<String> = PATHS.iter().take(params).map(|s| s.to_string()).collect();
        names.push("log posterior".into());
        let rows: Vec<Vec<Vec<f64>>> = (0..=params)
            .map(|r| {
                (0..chains)
                    .map(|c| {
                        // An AR(1) chain, the last chain shifted in row 1 (a
                        // chain stuck elsewhere).
                        let mut x = 0.0;
                        (0..draws)
                            .map(|_| {
                                x = 0.8 * x + 0.6 * g.next();
                                let shift = if r == 1 && c + 1 == chains { 1.5 } else { 0.0 };
                                if r == params {
                                    -120.0 - (x * x) * 0.8
                                } else {
                                    0.3 + 0.05 * r as f64 + 0.1 * (x + shift)
                                }
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let rhat = (0..=params)
            .map(|r| {
                if r == 1 {
                    1.084
                } else {
                    1.0 + 0.001 * r as f64
                }
            })
            .collect();
        let ess = (0..=params)
            .map(|r| if r == 1 { 96.0 } else { 812.0 + r as f64 })
            .collect();
        TraceData {
            about: about("adaptive Metropolis, 4 chains, 1000 warm-up draws each"),
            params: names,
            chains: rows,
            rhat,
            ess,
        }
    }

    fn pairs(params: usize, draws: usize) -> PairsData {
        let mut g = Normals(11);
        let z: Vec<Vec<f64>> = (0..params)
            .map(|_| (0..draws).map(|_| g.next()).collect())
            .collect();
        // Parameter 1 correlates with 0 (ρ = 0.8), 2 negatively with 0.
        let cols: Vec<Vec<f64>> = (0..params)
            .map(|p| {
                (0..draws)
                    .map(|d| {
                        let v = match p {
                            1 => 0.8 * z[0][d] + 0.6 * z[1][d],
                            2 => -0.5 * z[0][d] + 0.866 * z[2][d],
                            _ => z[p][d],
                        };
                        0.2 + 0.1 * p as f64 + 0.05 * v
                    })
                    .collect()
            })
            .collect();
        PairsData {
            about: about("adaptive Metropolis, 4 chains × 1000 kept draws"),
            params: PATHS.iter().take(params).map(|s| s.to_string()).collect(),
            estimate: Some((0..params).map(|p| 0.2 + 0.1 * p as f64).collect()),
            draws: cols,
        }
    }

    /// Where the tests write their charts: a fresh temporary directory, or
    /// the directory in `GEOSIM_CHART_DUMP` to look at them (e.g.
    /// `GEOSIM_CHART_DUMP=/tmp/calib-charts cargo test --lib charts::calibration`).
    fn out_dir() -> (Option<tempfile::TempDir>, PathBuf) {
        if let Some(dir) = std::env::var_os("GEOSIM_CHART_DUMP").filter(|d| !d.is_empty()) {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir).unwrap();
            return (None, dir);
        }
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().to_path_buf();
        (Some(tmp), path)
    }

    /// Decodes a PNG; returns its size and its distinct colours.
    fn decode(path: &Path) -> ((u32, u32), std::collections::HashSet<[u8; 3]>) {
        let f = std::fs::File::open(path).unwrap();
        let mut reader = png::Decoder::new(std::io::BufReader::new(f))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let channels = match info.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            c => panic!("{}: colour type {c:?}", path.display()),
        };
        let colours = buf[..info.buffer_size()]
            .chunks(channels)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        ((info.width, info.height), colours)
    }

    fn has(colours: &std::collections::HashSet<[u8; 3]>, c: RGBColor) -> bool {
        colours.contains(&[c.0, c.1, c.2])
    }

    /// Renders `chart` as PNG at both sizes and as SVG; returns the colours
    /// of the default-size PNG.
    fn render_all<C: Chart>(chart: &C, stem: &str) -> std::collections::HashSet<[u8; 3]> {
        let (_keep, dir) = out_dir();
        let mut first = None;
        for (w, h) in [(1600, 900), (800, 450)] {
            let path = dir.join(format!("{stem}-{w}.png"));
            let rects = render(chart, &path, Format::Png, (w, h)).unwrap();
            for r in &rects {
                assert!(r[0] >= 0 && r[1] >= 0 && r[2] <= w as i32 && r[3] <= h as i32);
                assert!(r[0] < r[2] && r[1] < r[3], "{stem}: empty plot {r:?}");
            }
            let (size, colours) = decode(&path);
            assert_eq!(size, (w, h));
            first.get_or_insert(colours);
        }
        let svg = dir.join(format!("{stem}.svg"));
        render(chart, &svg, Format::Svg, (1600, 900)).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
        first.unwrap()
    }

    #[test]
    fn sentinels_and_gaps_do_not_stretch_the_profile_axis() {
        let d = profiles(4);
        let (lo, hi) = d.y_range();
        assert!(lo >= PROFILE_FLOOR - 1e-9, "{lo}");
        assert!(lo <= 2.0 * DEFAULT_THRESHOLD, "{lo}");
        assert!(hi > 0.0 && hi < 1.0, "{hi}");
        // Flat profiles still show the 90 % line well inside the plot.
        let mut flat = profiles(1);
        flat.panels[0].drop = vec![0.0, -0.1, f64::NAN, -0.2];
        flat.panels[0].prior_drop = vec![0.0; 4];
        flat.panels[0].value = vec![0.0, 1.0, 2.0, 3.0];
        let (lo, _) = flat.y_range();
        assert!((-3.0..=2.0 * DEFAULT_THRESHOLD).contains(&lo), "{lo}");
        // Nothing finite at all, or a broken threshold: still a range.
        flat.panels[0].drop = vec![f64::NAN, -1e300, f64::NEG_INFINITY];
        flat.panels[0].threshold = f64::NAN;
        let (lo, hi) = flat.y_range();
        assert!(lo.is_finite() && hi.is_finite() && lo < hi);
        assert!(lo >= PROFILE_FLOOR);
        let empty = ProfilesData {
            about: about("x"),
            panels: vec![],
        };
        let (lo, hi) = empty.y_range();
        assert!(lo < hi && lo < DEFAULT_THRESHOLD);
    }

    #[test]
    fn interval_texts_say_which_end_is_open() {
        let mut p = profile(0);
        p.interval = Some((0.1, 0.45));
        assert_eq!(p.interval_text(), "90 % 0.1 – 0.45");
        p.hi_closed = false;
        assert_eq!(p.interval_text(), "90 % 0.1 – >0.45");
        p.lo_closed = false;
        assert_eq!(p.interval_text(), "90 % <0.1 – >0.45");
        p.interval = None;
        assert_eq!(p.interval_text(), "90 % interval not closed in the grid");
    }

    #[test]
    fn profiles_render_at_both_sizes() {
        let colours = render_all(&profiles(12), "profiles");
        for c in [PROFILE, PRIOR, ESTIMATE, theme::tint(PRIOR, PRIOR_STRIP)] {
            assert!(has(&colours, c), "{c:?} missing");
        }
        render_all(&profiles(3), "profiles-3");
        render_all(&profiles(1), "profiles-1");
        // Odd data: nothing, empty grids, a single point, all NaN.
        let mut odd = profiles(3);
        odd.panels[0].value.clear();
        odd.panels[0].drop.clear();
        odd.panels[0].prior_drop.clear();
        odd.panels[1].value = vec![0.5];
        odd.panels[1].drop = vec![0.0];
        odd.panels[1].prior_drop = vec![];
        odd.panels[1].interval = None;
        odd.panels[2].drop = vec![f64::NAN; odd.panels[2].value.len()];
        odd.panels[2].estimate = f64::NAN;
        odd.panels[2].prior_interval = (f64::NAN, 3.0);
        render_all(&odd, "profiles-odd");
        render_all(
            &ProfilesData {
                about: about("x"),
                panels: vec![],
            },
            "profiles-empty",
        );
    }

    #[test]
    fn low_panels_get_round_ticks_at_both_ends() {
        let f = Font::new(15.0, theme::TEXT);
        for (range, len) in [
            ((0.07, 0.73), 30.0),
            ((0.07, 0.73), 300.0),
            ((-141.0, -113.0), 25.0),
        ] {
            let s = y_scale(range, len, 4, f);
            assert!(s.ticks.len() >= 2, "{s:?}");
            assert!(s.range.0 <= range.0 && s.range.1 >= range.1, "{s:?}");
            let (a, b) = s.range;
            for p in s.ticks.windows(2) {
                assert!((p[1].x - p[0].x) / (b - a) * len >= f.line(), "{s:?}");
            }
            for t in &s.ticks {
                let read: f64 = t.label.replace('−', "-").parse().unwrap();
                assert!((read - t.x).abs() < 1e-9, "{s:?}");
            }
        }
        // A lone tick is labelled with its own digits, not the axis step's.
        let t = fitted_ticks((0.15, 0.25), 20.0, 10.0, 0.0, &|_| 30.0, 4);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].label, short(t[0].x));
        assert!(t[0].x > 0.15 && t[0].x < 0.25 && t[0].label != "0");
    }

    #[test]
    fn diagnostics_are_written_and_flagged() {
        assert_eq!(
            diagnostics_text(1.0031, 812.4),
            ("R̂ 1.003 · ESS 812".to_string(), false)
        );
        assert_eq!(
            diagnostics_text(1.084, 96.0),
            ("R̂ 1.084 · ESS 96".to_string(), true)
        );
        assert_eq!(
            diagnostics_text(f64::NAN, 812.0),
            ("ESS 812".to_string(), false)
        );
        assert_eq!(diagnostics_text(f64::NAN, f64::NAN), (String::new(), false));
    }

    #[test]
    fn trace_rows_go_into_columns_only_when_they_must() {
        let theme = Theme::new(1600, 900);
        assert_eq!(TraceData::columns(4, 680.0, &theme), 1);
        assert_eq!(TraceData::columns(13, 680.0, &theme), 2);
        let small = Theme::new(800, 450);
        assert_eq!(TraceData::columns(13, 340.0, &small), 2);
        assert_eq!(TraceData::columns(0, 340.0, &small), 1);
    }

    #[test]
    fn traces_render_at_both_sizes() {
        let d = trace(3, 4, 1000);
        assert_eq!((d.chain_count(), d.draw_count()), (4, 1000));
        let colours = render_all(&d, "trace");
        for c in 0..4 {
            assert!(has(&colours, theme::series(c)), "chain {c} missing");
        }
        render_all(&trace(12, 4, 1000), "trace-12");
        // Odd data: no chains, one draw, a row of NaN, constant rows.
        let mut odd = trace(3, 2, 1);
        odd.chains[0] = vec![vec![f64::NAN]; 2];
        odd.chains[1] = vec![vec![0.5], vec![]];
        odd.rhat.clear();
        odd.params.truncate(1);
        render_all(&odd, "trace-odd");
        let mut empty = trace(2, 0, 0);
        render_all(&empty, "trace-empty");
        empty.chains.clear();
        render_all(&empty, "trace-empty");
    }

    #[test]
    fn matrix_sides_name_parameters_by_one_rule() {
        let w = |s: &str| s.chars().count() as f64 * 10.0;
        let names = [
            "rate: trust".to_string(),
            "weight: western_pressure → alignment".to_string(),
        ];
        assert_eq!(
            axis_names(&names, 400.0, &w),
            ["1 rate: trust", "2 weight: western_pressure → alignment"]
        );
        assert_eq!(
            axis_names(&names, 150.0, &w),
            ["1 rate: trust", "2 weight: west…"]
        );
        assert_eq!(axis_names(&names, 100.0, &w), ["1", "2"]);
    }

    #[test]
    fn correlation_text_is_pearson_to_two_decimals() {
        let d = pairs(3, 4000);
        for (i, j) in [(0, 1), (0, 2), (1, 2)] {
            let r = d.correlation(i, j).unwrap();
            // Pearson r straight from its definition, by another route.
            let (x, y) = (&d.draws[i], &d.draws[j]);
            let n = x.len() as f64;
            let (sx, sy) = (x.iter().sum::<f64>(), y.iter().sum::<f64>());
            let sxy: f64 = x.iter().zip(y).map(|(a, b)| a * b).sum();
            let sxx: f64 = x.iter().map(|a| a * a).sum();
            let syy: f64 = y.iter().map(|b| b * b).sum();
            let direct =
                (n * sxy - sx * sy) / ((n * sxx - sx * sx).sqrt() * (n * syy - sy * sy).sqrt());
            assert!((r - direct).abs() < 1e-9, "{r} {direct}");
            let label = d.correlation_label(i, j);
            assert_eq!(label.replace('−', "-"), format!("{direct:.2}"));
        }
        assert!(d.correlation(0, 1).unwrap() > 0.7);
        assert!(d.correlation_label(0, 2).starts_with('−'));
        assert_eq!(correlation_text(Some(-0.001)), "0.00");
        // No variance, too few draws: no correlation, no panic.
        assert_eq!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(pearson(&[1.0], &[2.0]), None);
        assert_eq!(pearson(&[1.0, f64::NAN, 3.0], &[1.0, 2.0, 3.0]), Some(1.0));
        assert_eq!(correlation_text(None), "n/a");
    }

    #[test]
    fn pairs_render_and_show_at_most_six() {
        let d = pairs(3, 4000);
        let colours = render_all(&d, "pairs");
        assert!(has(&colours, ESTIMATE));
        let few = pairs(2, 60);
        render_all(&few, "pairs-few");
        let many = pairs(9, 4000);
        assert_eq!(many.shown(), PAIRS_MAX);
        assert!(
            many.subtitle()
                .ends_with("the first 6 of 9 parameters shown (posterior.csv holds all)"),
            "{}",
            many.subtitle()
        );
        assert!(!d.subtitle().contains("first"));
        render_all(&many, "pairs-9");
        // Odd data: a single draw, zero variance, NaN, no estimate, none.
        let mut odd = pairs(3, 1);
        odd.draws[1] = vec![0.3];
        odd.draws[2] = vec![f64::NAN];
        odd.estimate = Some(vec![f64::NAN]);
        render_all(&odd, "pairs-odd");
        let mut flat = pairs(2, 500);
        flat.draws[1] = vec![0.7; 500];
        flat.estimate = None;
        assert_eq!(flat.correlation_label(0, 1), "n/a");
        render_all(&flat, "pairs-flat");
        let none = PairsData {
            about: about("x"),
            params: vec![],
            draws: vec![],
            estimate: None,
        };
        render_all(&none, "pairs-empty");
    }
}
