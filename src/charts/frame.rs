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
use super::canvas::{Area, DrawResult, Drawn, Plot};
use super::events::{self, EventMark, draw_key, key_layout};
use super::legend::{LegendItem, draw_legend, legend_layout};
use super::page;
use super::text::{self, Font, VAlign};
use super::theme::{self, Theme};
use super::time_axis::TimeAxis;

/// A horizontal band behind the data (a regime band), named at the right edge.
#[derive(Clone, Debug, PartialEq)]
pub struct Shade {
    pub name: String,
    pub lo: f64,
    pub hi: f64,
    pub colour: RGBColor,
}

/// Everything around the data of one plot.
pub(crate) struct Frame<'a> {
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
/// Row of each event's number label in the marker lane: an event goes into
/// the first row where it keeps `gap` pixels from the previous label. At
/// most `max_rows` rows: beyond that (dozens of events in one month) a label
/// goes where it overlaps least, so the plot keeps its height.
pub(crate) fn stagger(xs: &[(f64, f64)], gap: f64, max_rows: usize) -> Vec<usize> {
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
pub(crate) fn draw<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    f: &Frame<'_>,
    contents: impl FnOnce(&Plot) -> DrawResult<DB>,
) -> Drawn<DB> {
    draw_with_overlay(area, theme, f, contents, |_| Ok(()))
}

/// As [`draw`], and then `overlay` over the event markers: marks that must
/// not be crossed by an event's line (the observations).
pub(crate) fn draw_with_overlay<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    f: &Frame<'_>,
    contents: impl FnOnce(&Plot) -> DrawResult<DB>,
    overlay: impl FnOnce(&Plot) -> DrawResult<DB>,
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
            events::MARKER
        } else {
            events::MARKER_GREY
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

    overlay(&plot)?;

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
    fn crowded_labels_are_staggered_into_rows() {
        let boxes = [(0.0, 10.0), (5.0, 15.0), (8.0, 18.0), (30.0, 40.0)];
        assert_eq!(stagger(&boxes, 2.0, 6), [0, 1, 2, 0]);
        // With two rows allowed, the third goes where it overlaps least.
        assert_eq!(stagger(&boxes, 2.0, 2), [0, 1, 0, 0]);
    }
}
