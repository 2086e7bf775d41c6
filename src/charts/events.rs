//! Scheduled events on a chart: which events a chart marks, numbered in
//! date order ([`event_marks`]), and the key under the plot that names
//! them, laid out from measured text before anything is drawn. The frame
//! draws the numbered markers above its plot.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::canvas::{Area, DrawResult};
use super::legend::{LegendItem, Swatch};
use super::text::{self, Font, VAlign};
use super::theme::{self, Theme};
use crate::model::{Model, VarId, YearMonth};

/// A scheduled event as marked on a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct EventMark {
    /// Number of the marker and of its line in the key, from 1 in date order.
    pub number: usize,
    pub date: YearMonth,
    pub name: String,
    /// The event acts on the charted variable (jump or pressure).
    pub emphasis: bool,
}

/// The events inside the horizon, in date order, numbered from 1. With a
/// variable, those that act on it are emphasised.
pub fn event_marks(model: &Model, var: Option<VarId>) -> Vec<EventMark> {
    let mut evs: Vec<_> = model.events.iter().filter(|e| e.month.is_some()).collect();
    evs.sort_by_key(|e| e.date);
    evs.iter()
        .enumerate()
        .map(|(i, e)| EventMark {
            number: i + 1,
            date: e.date,
            name: e.name.clone(),
            emphasis: var.is_none_or(|v| {
                e.jumps
                    .iter()
                    .chain(&e.pressures)
                    .any(|(target, _)| *target == v)
            }),
        })
        .collect()
}
/// Colour of the marker of an event that acts on the charted variable.
pub(crate) const MARKER: RGBColor = RGBColor(70, 70, 70);
/// Colour of the marker of an event that does not (drawn grey so the
/// numbering stays the same on every chart).
pub(crate) const MARKER_GREY: RGBColor = RGBColor(150, 150, 150);

/// What a grey marker means on a chart of `variable`, when some event is
/// grey; `None` when every marker is dark.
pub(crate) fn grey_note(events: &[EventMark], variable: &str) -> Option<String> {
    events
        .iter()
        .any(|e| !e.emphasis)
        .then(|| format!("grey event: no jump or pressure on {variable}"))
}

/// The legend entry for [`grey_note`]: a grey dashed marker line.
pub(crate) fn grey_legend(note: &Option<String>) -> Option<LegendItem> {
    note.as_ref().map(|label| LegendItem {
        label: label.clone(),
        swatch: Swatch::Line {
            colour: MARKER_GREY,
            width: 1.5,
            dashed: true,
        },
    })
}

/// Column layout of the event key.
pub(crate) struct KeyLayout {
    pub rows: usize,
    /// Width of each column's text.
    cols: Vec<f64>,
}

const KEY_GAP: f64 = 36.0;

/// Key entries as `n  YYYY-MM  name`, in as many columns as fit and at most
/// a few rows (never more than a third of the sheet's height), so the plot
/// keeps most of the height. Columns take their
/// natural widths; when they do not all fit, the widest are cut to a
/// common limit.
pub(crate) fn key_layout<DB: DrawingBackend>(
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
    // At most a third of the height (the fewest rows that fit are taken,
    // so usually far less): a key line cut short names no event.
    let rows_in = |share: f64| ((height * share) / font.line()).floor().max(2.0) as usize;
    let most_rows = rows_in(0.34);
    let natural = |rows: usize| -> Vec<f64> {
        widths
            .chunks(rows)
            .map(|c| c.iter().copied().fold(0.0, f64::max))
            .collect()
    };
    let total = |cols: &[f64]| cols.iter().sum::<f64>() + gap * (cols.len() as f64 - 1.0);
    // Fewest rows whose natural columns fit; else the most rows allowed.
    let rows = (1..=most_rows.min(n))
        .find(|&r| total(&natural(r)) <= avail)
        .unwrap_or(most_rows.min(n));
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

pub(crate) fn draw_key<DB: DrawingBackend>(
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Fourteen events with names as long as the baseline's.
    fn long_events() -> Vec<EventMark> {
        (0..14)
            .map(|i| EventMark {
                number: i + 1,
                date: YearMonth::new(2020 + i as i32 / 3, 1 + (i as u32 % 12)).unwrap(),
                name: format!("Second Karabakh War and Russian peacekeepers {i:02}"),
                emphasis: i % 5 != 0,
            })
            .collect()
    }

    #[test]
    fn key_entries_are_not_cut_on_a_small_sheet() {
        for (w, h) in [(800u32, 450u32), (1600, 900)] {
            let mut svg = String::new();
            let area =
                plotters::backend::SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
            let theme = Theme::new(w, h);
            let font = Font::new(theme.small(), theme::TEXT);
            let events = long_events();
            let m = f64::from(theme.margin());
            let avail = f64::from(w) - 2.0 * m;
            let k = key_layout(&area, &theme, &events, avail, font, f64::from(h));
            let num_w = text::width(&area, "14", font.bold()) + theme.px(10.0);
            for (col, chunk) in events.chunks(k.rows).enumerate() {
                for e in chunk {
                    let need = num_w + text::width(&area, &key_text(e), font);
                    assert!(
                        k.cols[col] + 1e-9 >= need,
                        "{w}x{h}: `{}` cut to {} of {need} px",
                        e.name,
                        k.cols[col]
                    );
                }
            }
            assert!(
                k.rows as f64 * font.line() <= f64::from(h) * 0.34,
                "{w}x{h}: the key keeps to a third of the height"
            );
        }
    }
}
