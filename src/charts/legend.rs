//! The legend row under a plot: a swatch and a label per series, wrapped
//! into rows. It is laid out from measured text before anything is drawn,
//! so the frame or the page can give the plots whatever height is left.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::canvas::{Area, DrawResult, dashed, line};
use super::observed::{self, Kinds};
use super::text::{self, Font, VAlign};
use super::theme::Theme;

#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Swatch {
    /// A line of the given design width, solid or dashed.
    Line {
        colour: RGBColor,
        width: f64,
        dashed: bool,
    },
    /// A filled square (a band or an area).
    Patch(RGBColor),
    /// A scenario's line inside its band: a light fill with dashed edges
    /// above and below in `colour`, the line across the middle (comparisons).
    Band { colour: RGBColor, fill: RGBColor },
    /// Small observation marks of the kinds shown.
    Observed(Kinds),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
}

/// Where each legend item goes, and the height of the legend.
pub(crate) struct LegendLayout {
    /// (row, x offset) of each item
    pub places: Vec<(usize, f64)>,
    pub height: f64,
}

const SWATCH_W: f64 = 40.0;

/// Design width of an item's swatch: wider for observation marks, which
/// show a small mark of each kind side by side.
fn swatch_w(it: &LegendItem) -> f64 {
    match it.swatch {
        Swatch::Observed(_) => 60.0,
        _ => SWATCH_W,
    }
}

pub(crate) fn legend_layout<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    items: &[LegendItem],
    avail: f64,
    font: Font,
) -> LegendLayout {
    let (mut row, mut x) = (0, 0.0);
    let mut places = Vec::with_capacity(items.len());
    for it in items {
        let wi = theme.px(swatch_w(it) + 8.0) + text::width(area, &it.label, font);
        if x > 0.0 && x + wi > avail {
            row += 1;
            x = 0.0;
        }
        places.push((row, x));
        x += wi + theme.px(32.0);
    }
    let rows = if items.is_empty() { 0 } else { row + 1 };
    LegendLayout {
        places,
        height: rows as f64 * font.line(),
    }
}

pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    items: &[LegendItem],
    layout: &LegendLayout,
    (x0, y0): (f64, f64),
    font: Font,
) -> DrawResult<DB> {
    for (it, (row, dx)) in items.iter().zip(&layout.places) {
        let x = x0 + dx;
        let sw = theme.px(swatch_w(it));
        let top = y0 + *row as f64 * font.line();
        let mid = top + font.cap() / 2.0;
        match it.swatch {
            Swatch::Line {
                colour,
                width,
                dashed: false,
            } => line(
                area,
                theme,
                vec![(x as i32, mid as i32), ((x + sw) as i32, mid as i32)],
                colour,
                width,
            )?,
            Swatch::Line {
                colour,
                width,
                dashed: true,
            } => dashed(
                area,
                theme,
                vec![(x as i32, mid as i32), ((x + sw) as i32, mid as i32)],
                colour,
                width,
            )?,
            Swatch::Patch(colour) => area.draw(&Rectangle::new(
                [
                    (x as i32, (mid - font.size * 0.45) as i32),
                    ((x + sw) as i32, (mid + font.size * 0.45) as i32),
                ],
                colour.filled(),
            ))?,
            Swatch::Band { colour, fill } => {
                let (top, bottom) = (mid - font.size * 0.45, mid + font.size * 0.45);
                let (l, r) = (x as i32, (x + sw) as i32);
                area.draw(&Rectangle::new(
                    [(l, top as i32), (r, bottom as i32)],
                    fill.filled(),
                ))?;
                for y in [top as i32, bottom as i32] {
                    dashed(area, theme, vec![(l, y), (r, y)], colour, 1.5)?;
                }
                line(
                    area,
                    theme,
                    vec![(l, mid as i32), (r, mid as i32)],
                    colour,
                    3.5,
                )?
            }
            Swatch::Observed(kinds) => {
                observed::swatch(area, theme, kinds, (x, mid), (sw, font.size * 1.1))?
            }
        }
        text::draw(
            area,
            theme,
            &it.label,
            (x + sw + theme.px(8.0), top),
            font,
            HPos::Left,
            VAlign::Top,
        )?;
    }
    Ok(())
}
