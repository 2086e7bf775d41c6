//! The legend row and the key of numbered events under a plot. Both are
//! laid out from measured text before anything is drawn, so the frame can
//! give the plot whatever height is left.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::frame::{dashed, line};
use super::text::{self, Font, VAlign};
use super::theme::{self, Theme};
use super::{Area, DrawResult, EventMark};

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
}

#[derive(Clone, Debug, PartialEq)]
pub struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
}

/// Where each legend item goes, and the height of the legend.
pub struct LegendLayout {
    /// (row, x offset) of each item
    pub places: Vec<(usize, f64)>,
    pub height: f64,
}

const SWATCH_W: f64 = 40.0;

pub fn legend_layout<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    items: &[LegendItem],
    avail: f64,
    font: Font,
) -> LegendLayout {
    let (mut row, mut x) = (0, 0.0);
    let mut places = Vec::with_capacity(items.len());
    for it in items {
        let wi = theme.px(SWATCH_W + 8.0) + text::width(area, &it.label, font);
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

pub fn draw_legend<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    items: &[LegendItem],
    layout: &LegendLayout,
    (x0, y0): (f64, f64),
    font: Font,
) -> DrawResult<DB> {
    let sw = theme.px(SWATCH_W);
    for (it, (row, dx)) in items.iter().zip(&layout.places) {
        let x = x0 + dx;
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

/// Column layout of the event key.
pub struct KeyLayout {
    pub rows: usize,
    /// Width of each column's text.
    cols: Vec<f64>,
}

const KEY_GAP: f64 = 36.0;

/// Key entries as `n  YYYY-MM  name`, in as many columns as fit and at most
/// a few rows, so the plot keeps most of the height. Columns take their
/// natural widths; when they do not all fit, the widest are cut to a
/// common limit.
pub fn key_layout<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    events: &[EventMark],
    avail: f64,
    font: Font,
    height: f64,
) -> KeyLayout {
    let n = events.len();
    if n == 0 {
        return KeyLayout {
            rows: 0,
            cols: Vec::new(),
        };
    }
    let gap = theme.px(KEY_GAP);
    let num_w = text::width(area, &n.to_string(), font.bold()) + theme.px(10.0);
    let widths: Vec<f64> = events
        .iter()
        .map(|e| num_w + text::width(area, &key_text(e), font))
        .collect();
    let max_rows = ((height * 0.2) / font.line()).floor().max(2.0) as usize;
    let natural = |rows: usize| -> Vec<f64> {
        widths
            .chunks(rows)
            .map(|c| c.iter().copied().fold(0.0, f64::max))
            .collect()
    };
    let total = |cols: &[f64]| cols.iter().sum::<f64>() + gap * (cols.len() as f64 - 1.0);
    // Fewest rows whose natural columns fit; else the most rows allowed.
    let rows = (1..=max_rows.min(n))
        .find(|&r| total(&natural(r)) <= avail)
        .unwrap_or(max_rows.min(n));
    let mut cols = natural(rows);
    let room = avail - gap * (cols.len() as f64 - 1.0);
    if cols.iter().sum::<f64>() > room {
        // Water-filling: the largest limit L with sum(min(w, L)) <= room.
        let mut sorted = cols.clone();
        sorted.sort_by(f64::total_cmp);
        let mut left = room;
        let mut limit = 0.0;
        for (i, w) in sorted.iter().enumerate() {
            let share = left / (sorted.len() - i) as f64;
            if *w <= share {
                left -= w;
            } else {
                limit = share;
                break;
            }
        }
        for c in &mut cols {
            *c = c.min(limit.max(0.0));
        }
    }
    KeyLayout { rows, cols }
}

/// A key line after its number.
fn key_text(e: &EventMark) -> String {
    format!("{}  {}", e.date, e.name)
}

pub fn draw_key<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    events: &[EventMark],
    k: &KeyLayout,
    (x0, y0): (f64, f64),
    font: Font,
) -> DrawResult<DB> {
    let gap = theme.px(KEY_GAP);
    let num_w = text::width(area, &events.len().to_string(), font.bold());
    let mut x = x0;
    for (col, chunk) in events.chunks(k.rows.max(1)).enumerate() {
        let col_w = k.cols.get(col).copied().unwrap_or(0.0);
        for (row, e) in chunk.iter().enumerate() {
            let y = y0 + row as f64 * font.line();
            let colour = if e.emphasis {
                theme::TEXT
            } else {
                theme::MUTED
            };
            let f = Font { colour, ..font };
            text::draw(
                area,
                theme,
                &e.number.to_string(),
                (x + num_w, y),
                f.bold(),
                HPos::Right,
                VAlign::Top,
            )?;
            let rest = key_text(e);
            let indent = num_w + theme.px(10.0);
            let rest = text::fit(area, &rest, f, col_w - indent);
            text::draw(
                area,
                theme,
                &rest,
                (x + indent, y),
                f,
                HPos::Left,
                VAlign::Top,
            )?;
        }
        x += col_w + gap;
    }
    Ok(())
}
