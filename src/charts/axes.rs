//! Value axes of a plot: nice tick values and their labels, the grid, the
//! axis lines and the tick labels around a [`Plot`]. The run charts' frame
//! and the analysis charts draw their axes with these, so every chart has
//! the same grid, ticks and label spacing.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::canvas::{Area, Body, DrawResult, Plot};
use super::text::{self, Font, VAlign};
use super::theme::{self, Theme};
use super::time_axis::Tick;

/// A value range and its labelled ticks.
#[derive(Clone, Debug, PartialEq)]
pub struct Scale {
    pub range: (f64, f64),
    pub ticks: Vec<Tick>,
}

/// Nice tick values covering `[lo, hi]`, at most about `max_count` of them.
pub(crate) fn value_ticks(lo: f64, hi: f64, max_count: usize) -> Vec<f64> {
    let span = hi - lo;
    if !span.is_finite() || span <= 0.0 {
        return vec![lo];
    }
    let raw = span / max_count.max(2) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step - 1e-9).ceil();
    let mut out = Vec::new();
    let mut k = first;
    // The cap ends the loop where k is too large for k + 1 to differ.
    while k * step <= hi + step * 1e-9 && out.len() < 2 * max_count.max(2) + 2 {
        let v = k * step;
        out.push(if v.abs() < step * 1e-9 {
            0.0
        } else {
            round_to_step(v, step)
        });
        k += 1.0;
    }
    out
}

/// `v` rounded to a tenth of the decimal magnitude of `step`, so 3 × 0.1
/// is the tick 0.3, not 0.30000000000000004, at any scale: 3 × 1e-13 is
/// 3e-13 and not rounded away.
pub(crate) fn round_to_step(v: f64, step: f64) -> f64 {
    if !(v.is_finite() && step.is_finite() && step > 0.0) {
        return v;
    }
    let p = step.log10().floor() as i32 - 1;
    // Powers of ten up to 1e22 are exact, so within that the result is the
    // double nearest to the decimal.
    let unit = 10f64.powi(p.abs());
    let r = if p < 0 {
        (v * unit).round() / unit
    } else {
        (v / unit).round() * unit
    };
    if r.is_finite() { r } else { v }
}

/// Beyond this many decimals, or from this magnitude on, labels are
/// written in scientific notation: fixed notation gets too long to read.
const MAX_DECIMALS: f64 = 12.0;
const MAX_FIXED: f64 = 1e15;

/// A tick label with as many decimals as the spacing needs (the tests' view
/// of [`value_labels`] for one value).
#[cfg(test)]
fn value_label(v: f64, step: f64, percent: bool) -> String {
    label(v, step, percent, v.abs())
}

/// The labels of the ticks of one axis, `step` apart: as [`value_label`],
/// but with as many decimals as the spacing needs and, in scientific
/// notation, all with the same mantissa digits (those
/// the largest needs), so 9.0e−14 stands beside 1.0e−13.
pub(crate) fn value_labels(values: &[f64], step: f64, percent: bool) -> Vec<String> {
    let largest = values
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0, |m: f64, v| m.max(v.abs()));
    values
        .iter()
        .map(|v| label(*v, step, percent, largest))
        .collect()
}

/// The label of `v` among ticks `step` apart up to `largest` in size.
fn label(v: f64, step: f64, percent: bool, largest: f64) -> String {
    let step = if step.is_finite() && step != 0.0 {
        step.abs()
    } else if v.is_finite() && v != 0.0 {
        // No usable spacing (a single tick): three significant digits.
        v.abs() / 100.0
    } else {
        1.0
    };
    if percent && step * 100.0 >= 1.0 {
        return format!("{:.0}%", v * 100.0);
    }
    let s = if percent {
        format!("{}%", number(v * 100.0, step * 100.0, largest * 100.0))
    } else {
        number(v, step, largest)
    };
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.', '%']).is_empty() {
        s[1..].to_string()
    } else {
        s.replace('-', "−")
    }
}

/// `v` with the decimals a spacing of `step` (> 0) needs; in scientific
/// notation where those are too many or the ticks (up to `largest` in
/// size) too large, with the mantissa digits the largest needs.
fn number(v: f64, step: f64, largest: f64) -> String {
    let quarter = f64::from(u8::from(is_quarter(step)));
    let decimals = if step >= 1.0 {
        0.0
    } else {
        (-(step.log10()) - 1e-9).ceil().max(0.0) + quarter
    };
    let largest = largest.max(v.abs());
    if !v.is_finite() || (decimals <= MAX_DECIMALS && largest.max(step) < MAX_FIXED) {
        let decimals = decimals as usize;
        return format!("{v:.decimals$}");
    }
    if v == 0.0 || v.abs() < step * 1e-6 {
        return "0".into();
    }
    let digits = (largest.log10().floor() - step.log10().floor()).clamp(0.0, 16.0) + quarter;
    let digits = digits as usize;
    format!("{v:.digits$e}")
}

/// True for steps like 0.25 or 0.025 that need one more decimal than their
/// magnitude suggests.
fn is_quarter(step: f64) -> bool {
    let mag = 10f64.powf(step.log10().floor());
    ((step / mag) - 2.5).abs() < 1e-6
}

/// Spans narrower than this share of the values' magnitude are below what
/// a double and a tick label resolve (1e12 ± 1e-3 is a handful of ulps).
const RELATIVE_FLOOR: f64 = 1e-12;
/// Spans narrower than this are widened whatever the values: it keeps the
/// tick arithmetic (powers of ten, label exponents) in the normal range of
/// doubles, far below any quantity a model means.
const ABSOLUTE_FLOOR: f64 = 1e-100;

/// A range that is never empty nor too narrow to tick: a single value gets
/// a small span around it; non-finite ends give `(0, 1)`.
pub(crate) fn non_empty(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo.min(hi), lo.max(hi))
    } else {
        (0.0, 1.0)
    };
    let mag = lo.abs().max(hi.abs());
    if hi - lo > (RELATIVE_FLOOR * mag).max(ABSOLUTE_FLOOR) {
        (lo, hi)
    } else if lo == 0.0 || mag * 0.1 <= ABSOLUTE_FLOOR {
        // Nothing but zeros (or values indistinguishable from them): most
        // such quantities (effects, shares) are non-negative.
        (0.0, 1.0)
    } else {
        let pad = lo.abs() * 0.1;
        (lo - pad, hi + pad)
    }
}

fn labelled(values: Vec<f64>, percent: bool) -> Vec<Tick> {
    let step = values.windows(2).map(|p| p[1] - p[0]).next().unwrap_or(1.0);
    let labels = value_labels(&values, step, percent);
    values
        .into_iter()
        .zip(labels)
        .map(|(x, label)| Tick { x, label })
        .collect()
}

impl Scale {
    /// About `max_ticks` ticks inside `lo..hi`; the range stays as given.
    pub fn within(lo: f64, hi: f64, max_ticks: usize, percent: bool) -> Self {
        Scale {
            range: (lo, hi),
            ticks: labelled(value_ticks(lo, hi, max_ticks), percent),
        }
    }

    /// About `max_ticks` ticks, the range widened to whole tick steps.
    pub fn nice(lo: f64, hi: f64, max_ticks: usize, percent: bool) -> Self {
        let (lo, hi) = non_empty(lo, hi);
        let inner = value_ticks(lo, hi, max_ticks);
        // The difference of two ticks, rounded: far from zero it carries
        // their rounding error (1e12 + 0.2 − 1e12 is 0.2001953125).
        let step = inner
            .windows(2)
            .map(|p| round_to_step(p[1] - p[0], p[1] - p[0]))
            .next()
            .unwrap_or(hi - lo);
        // A value within rounding of a step stays on it.
        let a = (lo / step + 1e-9).floor() * step;
        let b = (hi / step - 1e-9).ceil() * step;
        if !(a.is_finite() && b.is_finite() && a < b) {
            // Near the largest doubles: the range as given.
            return Scale::within(lo, hi, max_ticks, percent);
        }
        let first = (a / step).round() as i64;
        let last = (b / step).round() as i64;
        let values = (first..=last)
            .map(|k| {
                let v = k as f64 * step;
                // Rounded so 3 × 0.1 is the tick 0.3, as in value_ticks.
                if k == 0 { 0.0 } else { round_to_step(v, step) }
            })
            .collect();
        Scale {
            range: (a, b),
            ticks: labelled(values, percent),
        }
    }

    /// The most ticks (up to `max_ticks`) whose labels, `width(label)` wide,
    /// keep `gap` pixels apart on an axis `len` pixels long; the range
    /// widened to whole steps when `widen`.
    #[allow(clippy::too_many_arguments)]
    pub fn fit(
        lo: f64,
        hi: f64,
        len: f64,
        gap: f64,
        width: &dyn Fn(&str) -> f64,
        max_ticks: usize,
        widen: bool,
        percent: bool,
    ) -> Self {
        let (lo, hi) = non_empty(lo, hi);
        let make = |n| {
            if widen {
                Scale::nice(lo, hi, n, percent)
            } else {
                Scale::within(lo, hi, n, percent)
            }
        };
        for n in (2..=max_ticks.max(2)).rev() {
            let s = make(n);
            let (a, b) = s.range;
            let fits = s.ticks.windows(2).all(|p| {
                let room = (p[1].x - p[0].x) / (b - a) * len;
                room >= (width(&p[0].label) + width(&p[1].label)) / 2.0 + gap
            });
            if fits {
                return s;
            }
        }
        make(2)
    }

    pub fn values(&self) -> Vec<f64> {
        self.ticks.iter().map(|t| t.x).collect()
    }

    /// Width of the widest label.
    pub fn widest<DB: DrawingBackend>(&self, area: &Area<DB>, font: Font) -> f64 {
        self.ticks
            .iter()
            .map(|t| text::width(area, &t.label, font))
            .fold(0.0, f64::max)
    }
}

/// Horizontal grid lines at `ys` (values) and vertical ones at `xs` (pixels).
pub(crate) fn grid<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    plot: &Plot,
    ys: &[f64],
    xs_px: &[f64],
) -> DrawResult<DB> {
    let grid = theme::GRID.stroke_width(theme.stroke(1.0));
    for v in ys {
        let py = plot.px_y(*v) as i32;
        area.draw(&PathElement::new(
            vec![(plot.left as i32, py), (plot.right as i32, py)],
            grid,
        ))?;
    }
    for px in xs_px {
        let px = *px as i32;
        area.draw(&PathElement::new(
            vec![(px, plot.top as i32), (px, plot.bottom as i32)],
            grid,
        ))?;
    }
    Ok(())
}

fn axis_style(theme: &Theme) -> ShapeStyle {
    theme::AXIS.stroke_width(theme.stroke(1.5))
}

/// The left and bottom axis lines.
pub(crate) fn axis_lines<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    plot: &Plot,
) -> DrawResult<DB> {
    area.draw(&PathElement::new(
        vec![
            (plot.left as i32, plot.top as i32),
            (plot.left as i32, plot.bottom as i32),
            (plot.right as i32, plot.bottom as i32),
        ],
        axis_style(theme),
    ))
}

/// The side of a plot a vertical axis is labelled on.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Left,
    Right,
}

/// A tick mark from `from` to `to` and its label anchored at `at`.
#[allow(clippy::too_many_arguments)]
fn tick<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    (from, to): ((f64, f64), (f64, f64)),
    label: &str,
    at: (f64, f64),
    (h, v): (HPos, VAlign),
    font: Font,
) -> DrawResult<DB> {
    area.draw(&PathElement::new(
        vec![(from.0 as i32, from.1 as i32), (to.0 as i32, to.1 as i32)],
        axis_style(theme),
    ))?;
    text::draw(area, theme, label, at, font, h, v)
}

/// Tick marks and labels beside the plot (left or right of it), at values
/// `ticks` of its y range.
pub(crate) fn y_labels<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    plot: &Plot,
    ticks: &[Tick],
    font: Font,
    side: Side,
) -> DrawResult<DB> {
    let (edge, dir, pos) = match side {
        Side::Left => (plot.left, -1.0, HPos::Right),
        Side::Right => (plot.right, 1.0, HPos::Left),
    };
    for t in ticks {
        let py = plot.px_y(t.x);
        tick(
            area,
            theme,
            ((edge + dir * theme.px(6.0), py), (edge, py)),
            &t.label,
            (edge + dir * theme.px(10.0), py),
            (pos, VAlign::Middle),
            font,
        )?;
    }
    Ok(())
}

/// Tick marks and labels under the plot, at pixel columns `px(tick)`.
pub(crate) fn x_labels<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    plot: &Plot,
    ticks: &[Tick],
    px: impl Fn(&Tick) -> f64,
    font: Font,
) -> DrawResult<DB> {
    let bottom = plot.bottom;
    for t in ticks {
        let x = px(t);
        tick(
            area,
            theme,
            ((x, bottom), (x, bottom + theme.px(6.0))),
            &t.label,
            (x, bottom + theme.px(12.0)),
            (HPos::Center, VAlign::Top),
            font,
        )?;
    }
    Ok(())
}

/// The whole frame of a plot with value axes: grid, axis lines, tick
/// labels and both axis titles (the y title with its capitals' tops at
/// `y_title_x`).
pub(crate) fn xy<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    plot: &Plot,
    (xs, ys): (&Scale, &Scale),
    (x_title_text, y_title_text): (&str, &str),
    y_title_x: f64,
) -> DrawResult<DB> {
    let tick_font = Font::new(theme.tick(), theme::TEXT);
    let label_font = Font::new(theme.label(), theme::TEXT);
    let xs_px: Vec<f64> = xs.ticks.iter().map(|t| plot.px_x(t.x)).collect();
    grid(area, theme, plot, &ys.values(), &xs_px)?;
    axis_lines(area, theme, plot)?;
    y_labels(area, theme, plot, &ys.ticks, tick_font, Side::Left)?;
    x_labels(area, theme, plot, &xs.ticks, |t| plot.px_x(t.x), tick_font)?;
    let below = plot.bottom + x_label_room(theme, tick_font);
    x_title(area, theme, below, plot, x_title_text, label_font)?;
    y_title(area, theme, y_title_x, plot, y_title_text, label_font)
}

/// Left, top and bottom of a plot in `body` whose y tick labels are
/// `y_ticks`, leaving room left of it for the labels and the y title and
/// under it for the x tick labels and the x title.
pub(crate) fn plot_box<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    body: &Body,
    y_ticks: &[Tick],
) -> (f64, f64, f64) {
    let tick_font = Font::new(theme.tick(), theme::TEXT);
    let label_font = Font::new(theme.label(), theme::TEXT);
    let ylabel_w = y_ticks
        .iter()
        .map(|t| text::width(area, &t.label, tick_font))
        .fold(0.0, f64::max);
    let left = body.left + label_font.line() + theme.px(12.0) + ylabel_w + theme.px(10.0);
    let bottom = body.bottom - x_label_room(theme, tick_font) - label_font.line();
    (left, body.top + theme.px(8.0), bottom)
}

/// One axis of a [`value_plot`]: the data range, whether to widen it to
/// whole ticks, and whether its labels are percentages.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Span {
    pub lo: f64,
    pub hi: f64,
    pub widen: bool,
    pub percent: bool,
}

/// A plot with two value axes in `body`, left of `right`: y ticks about
/// every 2.6 lines of tick text (widened to whole ticks), x ticks as many
/// as their labels allow.
pub(crate) fn value_plot<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    body: &Body,
    right: f64,
    (x, y): (Span, Span),
) -> (Plot, Scale, Scale) {
    let tick_font = Font::new(theme.tick(), theme::TEXT);
    let rough_h = body.height() * 0.75;
    let count = ((rough_h / (tick_font.size * 2.6)) as usize).clamp(3, 10);
    let ys = Scale::nice(y.lo, y.hi, count, y.percent);
    let (left, top, bottom) = plot_box(area, theme, body, &ys.ticks);
    let measure = |s: &str| text::width(area, s, tick_font);
    let gap = theme.px(24.0);
    let xs = Scale::fit(
        x.lo,
        x.hi,
        right - left,
        gap,
        &measure,
        10,
        x.widen,
        x.percent,
    );
    let plot = Plot {
        left,
        top,
        right,
        bottom,
        x: xs.range,
        y: ys.range,
    };
    (plot, xs, ys)
}

/// Smallest and largest of the finite `values` (infinite ends when there
/// are none).
pub(crate) fn extent(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
}

/// Height the x tick labels take under a plot.
pub(crate) fn x_label_room(theme: &Theme, font: Font) -> f64 {
    font.line() + theme.px(14.0)
}

/// A vertical axis title reading upwards, its capitals' tops at `x`,
/// centred on the plot's height and cut to fit it.
pub(crate) fn y_title<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    x: f64,
    plot: &Plot,
    s: &str,
    font: Font,
) -> DrawResult<DB> {
    let s = text::fit(area, s, font, plot.bottom - plot.top);
    text::draw_vertical(area, theme, &s, (x, (plot.top + plot.bottom) / 2.0), font)
}

/// An axis title centred under the plot, its top at `y`, cut to fit.
pub(crate) fn x_title<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    y: f64,
    plot: &Plot,
    s: &str,
    font: Font,
) -> DrawResult<DB> {
    let s = text::fit(area, s, font, plot.right - plot.left);
    text::draw(
        area,
        theme,
        &s,
        ((plot.left + plot.right) / 2.0, y),
        font,
        HPos::Center,
        VAlign::Top,
    )
}

/// A number for a label: three significant digits, no trailing zeros, a
/// real minus sign; scientific notation where fixed would need more than
/// six zeros after the point, or from 1e15 on.
pub(crate) fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v.is_finite() {
            "0".into()
        } else {
            v.to_string()
        };
    }
    let mag = v.abs().log10().floor() as i32;
    if !(-6..15).contains(&mag) {
        // Too many zeros for fixed notation: 7.5e−14, not 0.000000000000075.
        let s = format!("{v:.2e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exp}").replace('-', "−");
    }
    let decimals = (2 - mag).max(0) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s.trim_start_matches(['-', '0', '.']).is_empty() {
        "0".into()
    } else {
        s.replace('-', "−")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_ticks_are_round_and_cover_the_range() {
        assert_eq!(
            value_ticks(0.0, 1.0, 10),
            (0..=10).map(|i| f64::from(i) / 10.0).collect::<Vec<_>>()
        );
        assert_eq!(
            value_ticks(-1.0, 1.0, 8),
            [-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0]
        );
        assert_eq!(
            value_ticks(0.0, 100.0, 5),
            [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(value_ticks(0.5, 0.5, 5), [0.5]);
    }

    #[test]
    fn value_labels_have_the_decimals_the_step_needs() {
        assert_eq!(value_label(0.25, 0.25, false), "0.25");
        assert_eq!(value_label(0.5, 0.1, false), "0.5");
        assert_eq!(value_label(-1.0, 0.5, false), "−1.0");
        assert_eq!(value_label(-0.0, 0.5, false), "0.0");
        assert_eq!(value_label(20.0, 20.0, false), "20");
        assert_eq!(value_label(0.3, 0.1, true), "30%");
    }

    #[test]
    fn tiny_and_huge_spans_get_distinct_round_ticks() {
        // Rounding to 1e-12 made all of these 0 (a step of 0).
        let t = value_ticks(0.0, 1e-12, 10);
        assert_eq!(t.len(), 11, "{t:?}");
        assert_eq!((t[0], t[3], t[10]), (0.0, 3e-13, 1e-12));
        let t = value_ticks(-2e-20, 3e-20, 5);
        assert_eq!(t, [-2e-20, -1e-20, 0.0, 1e-20, 2e-20, 3e-20]);
        // The doubles nearest to the decimals, far from zero too.
        let t = value_ticks(1e12, 1e12 + 1.0, 5);
        assert_eq!(t[1], 1_000_000_000_000.2);
        assert!(t.windows(2).all(|w| w[1] > w[0]), "{t:?}");
        // Steps below the resolution of a double end the loop.
        assert!(value_ticks(1e20, 1e20 + 1e5, 10).len() <= 22);
    }

    #[test]
    fn labels_of_tiny_or_huge_ticks_switch_to_scientific_notation() {
        assert_eq!(value_label(3e-13, 1e-13, false), "3e−13");
        assert_eq!(value_label(-3e-13, 1e-13, false), "−3e−13");
        assert_eq!(value_label(0.0, 1e-13, false), "0");
        assert_eq!(value_label(1e-25, 1e-13, false), "0");
        assert_eq!(
            value_label(1.0000000000001, 1e-13, false),
            "1.0000000000001e0"
        );
        assert_eq!(value_label(2e15, 1e15, false), "2e15");
        assert_eq!(value_label(0.5, 1e-12, false), "0.500000000000");
        assert_eq!(
            value_labels(&[0.0, 5e-14, 1e-13, 1.5e-13], 5e-14, false),
            ["0", "5.0e−14", "1.0e−13", "1.5e−13"]
        );
        assert_eq!(
            value_labels(&[2.5e-13, 5e-13], 2.5e-13, false),
            ["2.5e−13", "5.0e−13"]
        );
        assert_eq!(value_label(0.003, 0.001, true), "0.3%");
        assert_eq!(value_label(3e-15, 1e-15, true), "3e−13%");
        // No usable step: the value's own three significant digits.
        for step in [0.0, -0.0, f64::NAN, f64::INFINITY] {
            assert_eq!(value_label(1.5, step, false), "1.50");
            assert_eq!(value_label(5e-13, step, false), "5.00e−13");
            assert_eq!(value_label(0.0, step, false), "0");
        }
        assert_eq!(value_label(0.25, -0.25, false), "0.25");
        assert_eq!(value_label(f64::NAN, 0.1, false), "NaN");
        assert_eq!(value_label(f64::NEG_INFINITY, 1e-13, false), "−inf");
    }

    #[test]
    fn nice_scales_cover_the_data_with_round_ends() {
        let s = Scale::nice(0.03, 0.97, 6, false);
        assert_eq!(s.range, (0.0, 1.0));
        assert_eq!(s.ticks.first().unwrap().label, "0.0");
        let s = Scale::nice(-0.37, 0.12, 6, false);
        assert!(s.range.0 <= -0.37 && s.range.1 >= 0.12, "{:?}", s.range);
        assert!(s.ticks.iter().any(|t| t.x == 0.0));
        let s = Scale::nice(0.5, 0.5, 5, false);
        assert!(s.range.0 < 0.5 && s.range.1 > 0.5);
    }

    /// Checks a scale's range covers `lo..hi` and its ticks are distinct,
    /// inside it, and labelled with distinct labels that read back as them.
    fn check_scale(s: &Scale, lo: f64, hi: f64) {
        let (a, b) = s.range;
        assert!(a.is_finite() && b.is_finite() && a < b, "{s:?}");
        assert!(s.ticks.len() >= 2, "{s:?}");
        let step = s.ticks[1].x - s.ticks[0].x;
        // Within rounding: a value a billionth of a step off one stays on it.
        let tol = step * 1e-6;
        assert!(a <= lo + tol && hi - tol <= b, "{lo}..{hi}: {s:?}");
        for (t, u) in s.ticks.iter().zip(&s.ticks[1..]) {
            assert!(u.x > t.x && t.label != u.label, "{s:?}");
        }
        for t in &s.ticks {
            assert!(a - tol <= t.x && t.x <= b + tol, "{s:?}");
            let read: f64 = t.label.replace('−', "-").parse().unwrap();
            assert!((read - t.x).abs() <= step * 1e-3, "{s:?}");
        }
    }

    #[test]
    fn scales_of_tiny_and_huge_values_have_distinct_ticks() {
        let w = |s: &str| s.chars().count() as f64 * 10.0;
        for (lo, hi) in [
            (0.0, 1.2e-13),
            (0.0, 1e-12),
            (-3e-14, 7e-14),
            (5e-13, 5e-13),
            (1e-13, 1.0000001e-13),
            (1e12, 1e12 + 2.0),
            (1e12, 1e12 + 1e-3),
            (-5e15, 7e15),
            (1e300, 1.5e300),
        ] {
            let (a, b) = non_empty(lo, hi);
            check_scale(&Scale::nice(lo, hi, 8, false), a, b);
            check_scale(&Scale::fit(lo, hi, 800.0, 10.0, &w, 10, true, false), a, b);
            check_scale(&Scale::fit(lo, hi, 800.0, 10.0, &w, 10, false, false), a, b);
        }
        let s = Scale::nice(0.0, 1.2e-13, 6, false);
        let labels: Vec<&str> = s.ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "0",
                "2.0e−14",
                "4.0e−14",
                "6.0e−14",
                "8.0e−14",
                "1.0e−13",
                "1.2e−13"
            ]
        );
    }

    #[test]
    fn ranges_too_narrow_to_tick_are_widened() {
        // Narrow but well above the resolution of a double: kept.
        assert_eq!(non_empty(0.0, 1e-12), (0.0, 1e-12));
        assert_eq!(non_empty(1e12, 1e12 + 2.0), (1e12, 1e12 + 2.0));
        assert_eq!(non_empty(1.0, 0.0), (0.0, 1.0));
        // A handful of ulps around 1e12, or a single value: ± 10%.
        let (a, b) = non_empty(1e12, 1e12 + 1e-3);
        assert!(
            (a - 0.9e12).abs() < 1.0 && (b - 1.1e12).abs() < 1.0,
            "{a} {b}"
        );
        let (a, b) = non_empty(5e-13, 5e-13);
        assert!(
            (a - 4.5e-13).abs() < 1e-25 && (b - 5.5e-13).abs() < 1e-25,
            "{a} {b}"
        );
        // Zeros, nothing distinguishable from them, nothing finite: 0..1.
        for (lo, hi) in [
            (0.0, 0.0),
            (1e-120, 2e-120),
            (f64::NAN, 1.0),
            (0.0, f64::INFINITY),
            (f64::NEG_INFINITY, f64::INFINITY),
        ] {
            assert_eq!(non_empty(lo, hi), (0.0, 1.0), "{lo} {hi}");
        }
        assert_eq!(extent([1.0, f64::NAN, f64::INFINITY, -2.0]), (-2.0, 1.0));
    }

    #[test]
    fn fitted_scales_keep_their_labels_apart() {
        let w = |s: &str| s.chars().count() as f64 * 10.0;
        let s = Scale::fit(0.0, 1.0, 200.0, 10.0, &w, 12, true, false);
        assert!(s.ticks.len() >= 2 && s.ticks.len() <= 6, "{:?}", s.ticks);
        let s = Scale::fit(0.0, 1.0, 2000.0, 10.0, &w, 12, true, false);
        assert!(s.ticks.len() >= 10, "{:?}", s.ticks);
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short(0.2), "0.2");
        assert_eq!(short(-0.4), "−0.4");
        assert_eq!(short(0.025), "0.025");
        assert_eq!(short(0.123456), "0.123");
        assert_eq!(short(12.345), "12.3");
        assert_eq!(short(1500.0), "1500");
        assert_eq!(short(0.0), "0");
        assert_eq!(short(-0.0001), "−0.0001");
        assert_eq!(short(0.0000015), "0.0000015");
        assert_eq!(short(7.5e-14), "7.5e−14");
        assert_eq!(short(-1.25e-13), "−1.25e−13");
        assert_eq!(short(1e-13), "1e−13");
        assert_eq!(short(2.5e18), "2.5e18");
    }
}
