//! The skeleton of every single-plot chart: title and subtitle on top, a
//! lane of numbered event markers, the plot with its calendar x axis and
//! value y axis, shaded horizontal bands with their names at the right edge,
//! the legend, the key of the events and the footer. Layout is computed
//! from measured text, bottom-up and top-down, so nothing overlaps; the
//! chart kinds only draw their series into the plot.

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::axes::{self, Scale, Side};
use super::legend::{LegendItem, draw_key, draw_legend, key_layout, legend_layout};
use super::page;
use super::text::{self, Font, VAlign};
use super::theme::{self, Theme};
use super::time_axis::TimeAxis;
use super::{Area, DrawResult, Drawn, EventMark};

/// A horizontal band behind the data (a regime band), named at the right edge.
#[derive(Clone, Debug, PartialEq)]
pub struct Shade {
    pub name: String,
    pub lo: f64,
    pub hi: f64,
    pub colour: RGBColor,
}

/// Everything around the data of one plot.
pub struct Frame<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    pub y_title: &'a str,
    pub y_range: (f64, f64),
    /// Tick labels as percentages (shares).
    pub y_percent: bool,
    pub time: TimeAxis,
    pub shades: &'a [Shade],
    pub events: &'a [EventMark],
    pub legend: &'a [LegendItem],
    pub footer: &'a str,
}

/// The plot rectangle in pixels and the data ranges it shows.
#[derive(Clone, Debug)]
pub struct Plot {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

impl Plot {
    /// `[left, top, right, bottom]` in whole pixels.
    pub fn rect(&self) -> [i32; 4] {
        [self.left, self.top, self.right, self.bottom].map(|v| v.round() as i32)
    }

    /// A non-finite value is put at the left edge.
    pub fn px_x(&self, x: f64) -> f64 {
        let x = if x.is_finite() { x } else { self.x.0 };
        self.left + (x - self.x.0) / (self.x.1 - self.x.0) * (self.right - self.left)
    }

    /// Values outside the y range are held at its edge.
    pub fn px_y(&self, y: f64) -> f64 {
        let y = if y.is_finite() { y } else { self.y.0 };
        // max and min rather than clamp: no panic on a broken range.
        let y = y.max(self.y.0.min(self.y.1)).min(self.y.0.max(self.y.1));
        self.bottom - (y - self.y.0) / (self.y.1 - self.y.0) * (self.bottom - self.top)
    }

    /// In whole pixels, at most a million from the origin: what lies
    /// beyond is off the image anyway, and text there would overflow.
    pub fn px(&self, x: f64, y: f64) -> (i32, i32) {
        let whole = |v: f64| v.clamp(-1e6, 1e6).round() as i32;
        (whole(self.px_x(x)), whole(self.px_y(y)))
    }

    /// A monthly series as a polyline.
    pub fn path(&self, time: &TimeAxis, ys: &[f64]) -> Vec<(i32, i32)> {
        ys.iter()
            .enumerate()
            .map(|(t, y)| self.px(time.x(t), *y))
            .collect()
    }

    /// The area between two monthly series, as a closed polygon.
    pub fn band(&self, time: &TimeAxis, lo: &[f64], hi: &[f64]) -> Vec<(i32, i32)> {
        let mut pts = self.path(time, hi);
        pts.extend(self.path(time, lo).into_iter().rev());
        pts
    }
}

/// A series line of design width `w`.
pub fn line<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    pts: Vec<(i32, i32)>,
    colour: RGBColor,
    w: f64,
) -> DrawResult<DB> {
    if pts.len() == 1 {
        let (x, y) = pts[0];
        let r = theme.stroke(w);
        return area.draw(&Circle::new((x, y), r, colour.filled()));
    }
    area.draw(&PathElement::new(pts, colour.stroke_width(theme.stroke(w))))
}

/// A dashed series line of design width `w`.
pub fn dashed<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    pts: Vec<(i32, i32)>,
    colour: RGBColor,
    w: f64,
) -> DrawResult<DB> {
    area.draw(&DashedPathElement::new(
        pts,
        theme.ipx(12.0),
        theme.ipx(8.0),
        colour.stroke_width(theme.stroke(w)),
    ))
}

/// A filled polygon in an opaque colour.
pub fn fill<DB: DrawingBackend>(
    area: &Area<DB>,
    pts: Vec<(i32, i32)>,
    colour: RGBColor,
) -> DrawResult<DB> {
    area.draw(&Polygon::new(pts, colour.filled()))
}

/// Nice tick values covering `[lo, hi]`, at most about `max_count` of them.
pub fn value_ticks(lo: f64, hi: f64, max_count: usize) -> Vec<f64> {
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
pub fn round_to_step(v: f64, step: f64) -> f64 {
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

/// A tick label with as many decimals as the spacing needs.
pub fn value_label(v: f64, step: f64, percent: bool) -> String {
    label(v, step, percent, v.abs())
}

/// The labels of the ticks of one axis, `step` apart: as [`value_label`],
/// but in scientific notation all with the same mantissa digits (those
/// the largest needs), so 9.0e−14 stands beside 1.0e−13.
pub fn value_labels(values: &[f64], step: f64, percent: bool) -> Vec<String> {
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

/// Row of each event's number label in the marker lane: an event goes into
/// the first row where it keeps `gap` pixels from the previous label. At
/// most `max_rows` rows: beyond that (dozens of events in one month) a label
/// goes where it overlaps least, so the plot keeps its height.
pub fn stagger(xs: &[(f64, f64)], gap: f64, max_rows: usize) -> Vec<usize> {
    let mut ends: Vec<f64> = Vec::new();
    xs.iter()
        .map(|&(left, right)| {
            let row = match ends.iter().position(|e| *e + gap <= left) {
                Some(r) => r,
                None if ends.len() < max_rows.max(1) => {
                    ends.push(f64::NEG_INFINITY);
                    ends.len() - 1
                }
                None => (0..ends.len())
                    .min_by(|a, b| ends[*a].total_cmp(&ends[*b]))
                    .unwrap_or(0),
            };
            ends[row] = right;
            row
        })
        .collect()
}

/// Draws the frame and, inside it, the data through `contents`.
pub fn draw<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    f: &Frame<'_>,
    contents: impl FnOnce(&Plot) -> DrawResult<DB>,
) -> Drawn<DB> {
    area.fill(&theme::WHITE)?;
    let (w, h) = (f64::from(theme.width), f64::from(theme.height));
    let m = f64::from(theme.margin());
    let label_font = Font::new(theme.label(), theme::TEXT);
    let tick_font = Font::new(theme.tick(), theme::TEXT);
    let small = Font::new(theme.small(), theme::TEXT);

    // Horizontal layout: y title and tick labels on the left, band names
    // (or room for the last x label) on the right.
    let y_step_count = ((h * 0.55) / (tick_font.size * 2.6)).max(3.0) as usize;
    // A variable's bounds, but never an empty or unreadably narrow range.
    let y_range = axes::non_empty(f.y_range.0, f.y_range.1);
    let yscale = Scale::within(y_range.0, y_range.1, y_step_count.min(10), f.y_percent);
    let ylabel_w = yscale.widest(area, tick_font);
    let left = m + label_font.line() + theme.px(12.0) + ylabel_w + theme.px(10.0);
    let swatch = theme.px(14.0);
    let right = if f.shades.is_empty() {
        w - m - theme.px(24.0)
    } else {
        let names = f
            .shades
            .iter()
            .map(|s| text::width(area, &s.name, small))
            .fold(0.0, f64::max);
        w - m - names - swatch - theme.px(20.0)
    };
    let (x0, x1) = f.time.range();
    let to_px = |x: f64| left + (x - x0) / (x1 - x0) * (right - left);

    // Top: title, subtitle, event lane.
    let y = page::header(area, theme, f.title, f.subtitle, 2)?;
    let lane_font = small.bold();
    let lane_pad = theme.px(5.0);
    let lane_boxes: Vec<(f64, f64)> = f
        .events
        .iter()
        .map(|e| {
            let half = text::width(area, &e.number.to_string(), lane_font) / 2.0 + lane_pad;
            let cx = to_px(e.date.as_year_fraction());
            (cx - half, cx + half)
        })
        .collect();
    let lane_row_h = lane_font.cap() + 2.0 * lane_pad + theme.px(5.0);
    let rows = stagger(&lane_boxes, theme.px(4.0), (h * 0.2 / lane_row_h) as usize);
    let lane_rows = rows.iter().max().map_or(0, |r| r + 1);
    let lane_top = y + theme.px(8.0);
    let plot_top = lane_top + lane_rows as f64 * lane_row_h + tick_font.size * 0.6;

    // Bottom, upwards: footer, event key, legend, x tick labels.
    let mut bottom = page::footer(area, theme, f.footer)?;
    let key = key_layout(area, theme, f.events, w - 2.0 * m, small, h);
    bottom -= key.rows as f64 * small.line() + if key.rows > 0 { theme.px(8.0) } else { 0.0 };
    let key_top = bottom;
    let legend = legend_layout(area, theme, f.legend, w - 2.0 * m, small);
    bottom -= legend.height + theme.px(14.0);
    let legend_top = bottom;
    let plot_bottom = bottom - tick_font.line() - theme.px(14.0);

    let plot = Plot {
        left,
        top: plot_top,
        right,
        bottom: plot_bottom,
        x: (x0, x1),
        y: y_range,
    };

    // Behind the data: shading and grid.
    for s in f.shades {
        let (a, b) = (plot.px_y(s.hi), plot.px_y(s.lo));
        if b - a >= 1.0 {
            area.draw(&Rectangle::new(
                [(left as i32, a as i32), (right as i32, b as i32)],
                theme::tint(s.colour, theme::REGIME_SHADE).filled(),
            ))?;
        }
    }
    let xticks = f.time.ticks(right - left, theme.px(24.0), &|s| {
        text::width(area, s, tick_font)
    });
    let xs: Vec<f64> = xticks.iter().map(|t| plot.px_x(t.x)).collect();
    axes::grid(area, theme, &plot, &yscale.values(), &xs)?;

    // Axes, ticks and their labels, under the data so a series on a bound
    // stays visible.
    axes::axis_lines(area, theme, &plot)?;
    axes::y_labels(area, theme, &plot, &yscale.ticks, tick_font, Side::Left)?;
    axes::x_labels(area, theme, &plot, &xticks, |t| plot.px_x(t.x), tick_font)?;
    contents(&plot)?;

    // Event markers over the data, numbers in the lane above the plot. All
    // lines go first, so no line crosses a number box.
    let marker_colour = |e: &EventMark| {
        if e.emphasis {
            RGBColor(70, 70, 70)
        } else {
            RGBColor(150, 150, 150)
        }
    };
    let boxes: Vec<(f64, f64, f64, f64)> = lane_boxes
        .iter()
        .zip(&rows)
        .map(|((l, r), row)| {
            let top = lane_top + *row as f64 * lane_row_h;
            (*l, top, *r, top + lane_font.cap() + 2.0 * lane_pad)
        })
        .collect();
    for (e, (l, _, r, bottom)) in f.events.iter().zip(&boxes) {
        let cx = ((l + r) / 2.0) as i32;
        area.draw(&DashedPathElement::new(
            vec![(cx, *bottom as i32), (cx, plot_bottom as i32)],
            theme.ipx(6.0),
            theme.ipx(5.0),
            marker_colour(e).stroke_width(theme.stroke(1.5)),
        ))?;
    }
    for (e, (l, top, r, bottom)) in f.events.iter().zip(&boxes) {
        let colour = marker_colour(e);
        let corners = [(*l as i32, *top as i32), (*r as i32, *bottom as i32)];
        area.draw(&Rectangle::new(corners, theme::WHITE.filled()))?;
        area.draw(&Rectangle::new(
            corners,
            colour.stroke_width(theme.stroke(1.5)),
        ))?;
        let font = Font {
            colour,
            ..lane_font
        };
        let at = ((l + r) / 2.0, top + lane_pad);
        text::draw(
            area,
            theme,
            &e.number.to_string(),
            at,
            font,
            HPos::Center,
            VAlign::Top,
        )?;
    }

    axes::y_title(area, theme, m, &plot, f.y_title, label_font)?;

    shade_labels(area, theme, f.shades, &plot, small, swatch)?;
    draw_legend(area, theme, f.legend, &legend, (m, legend_top), small)?;
    draw_key(area, theme, f.events, &key, (m, key_top), small)?;
    Ok(vec![plot.rect()])
}

/// Names of the shaded bands in the right margin, at the middle of the
/// visible part of each band, pushed apart where they would touch.
fn shade_labels<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    shades: &[Shade],
    plot: &Plot,
    font: Font,
    swatch: f64,
) -> DrawResult<DB> {
    let mut placed: Vec<(f64, &Shade)> = shades
        .iter()
        .filter_map(|s| {
            let (a, b) = (plot.px_y(s.hi), plot.px_y(s.lo));
            (b - a >= 1.0).then_some(((a + b) / 2.0, s))
        })
        .collect();
    placed.sort_by(|a, b| a.0.total_cmp(&b.0));
    let need = font.line();
    for i in 1..placed.len() {
        if placed[i].0 - placed[i - 1].0 < need {
            placed[i].0 = placed[i - 1].0 + need;
        }
    }
    let x = plot.right + theme.px(10.0);
    for (cy, s) in placed {
        let half = swatch / 2.0;
        area.draw(&Rectangle::new(
            [
                (x as i32, (cy - half) as i32),
                ((x + swatch) as i32, (cy + half) as i32),
            ],
            s.colour.filled(),
        ))?;
        text::draw(
            area,
            theme,
            &s.name,
            (x + swatch + theme.px(6.0), cy),
            font,
            HPos::Left,
            VAlign::Middle,
        )?;
    }
    Ok(())
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
    fn a_broken_range_puts_values_somewhere_without_panicking() {
        let mut plot = Plot {
            left: 0.0,
            top: 0.0,
            right: 100.0,
            bottom: 100.0,
            x: (0.0, 1.0),
            y: (0.0, 1.0),
        };
        assert_eq!(plot.px(0.5, 2.0), (50, 0));
        assert_eq!(plot.px(0.5, f64::NAN), (50, 100));
        plot.y = (f64::NAN, f64::NAN);
        let _ = plot.px(0.5, 0.5);
        plot.y = (1.0, 1.0);
        let _ = plot.px(0.5, f64::INFINITY);
    }

    #[test]
    fn crowded_labels_are_staggered_into_rows() {
        let boxes = [(0.0, 10.0), (5.0, 15.0), (8.0, 18.0), (30.0, 40.0)];
        assert_eq!(stagger(&boxes, 2.0, 6), [0, 1, 2, 0]);
        // With two rows allowed, the third goes where it overlaps least.
        assert_eq!(stagger(&boxes, 2.0, 2), [0, 1, 0, 0]);
    }
}
