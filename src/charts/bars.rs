//! The layout of the charts with one row per parameter (tornado, Sobol):
//! the full parameter names in a column on the left, as wide as the longest
//! name needs (up to half the sheet), a horizontal value axis under the
//! rows, and light stripes on every other row to lead the eye from a name
//! to its bars. The chart kinds only draw their bars into the rows.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::axes::{self, Scale};
use super::canvas::{self, Area, DrawResult, Drawn, Plot};
use super::page::{self, Page};
use super::text::{self, Font, VAlign};
use super::theme::{self, Theme};

/// Most rows (parameters) drawn: the rest are too small to read anyway.
pub(crate) const MAX_ROWS: usize = 20;

/// Colour of the stripes behind every other row.
pub(crate) const STRIPE: RGBColor = RGBColor(244, 244, 244);

/// Everything on a sheet of rows but the bars.
pub(crate) struct Rows<'a> {
    pub page: Page<'a>,
    /// One name a row, top row first.
    pub names: &'a [String],
    pub x_title: &'a str,
    /// The values the axis must show.
    pub span: (f64, f64),
    pub percent: bool,
    /// Pixels kept free beyond the data at each end, for labels there.
    pub end_room: f64,
}

/// The plot of the rows: x in values, rows from the top.
pub(crate) struct RowPlot {
    pub plot: Plot,
    pub row_h: f64,
}

impl RowPlot {
    /// Pixel y of the middle of row `i`.
    pub(crate) fn centre(&self, i: usize) -> f64 {
        self.plot.top + (i as f64 + 0.5) * self.row_h
    }

    /// A filled bar from value `a` to `b`, `h` pixels high, centred on `y`.
    pub(crate) fn bar<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        (a, b): (f64, f64),
        y: f64,
        h: f64,
        colour: RGBColor,
    ) -> DrawResult<DB> {
        let (xa, xb) = (self.plot.px_x(a), self.plot.px_x(b));
        area.draw(&Rectangle::new(
            [
                (xa.min(xb).round() as i32, (y - h / 2.0).round() as i32),
                (xa.max(xb).round() as i32, (y + h / 2.0).round() as i32),
            ],
            colour.filled(),
        ))
    }

    /// A note across the middle of the rows, e.g. when no bar has a length.
    pub(crate) fn note<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        theme: &Theme,
        s: &str,
    ) -> DrawResult<DB> {
        page::note(area, theme, &canvas::Body::from(&self.plot), s)
    }

    /// A vertical line across all rows at value `x`.
    pub(crate) fn rule<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        theme: &Theme,
        x: f64,
        colour: RGBColor,
        w: f64,
    ) -> DrawResult<DB> {
        let px = self.plot.px_x(x).round() as i32;
        area.draw(&PathElement::new(
            vec![(px, self.plot.top as i32), (px, self.plot.bottom as i32)],
            colour.stroke_width(theme.stroke(w)),
        ))
    }
}

/// Draws the sheet, then the bars through `contents`.
pub(crate) fn draw<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    r: &Rows<'_>,
    contents: impl FnOnce(&RowPlot) -> DrawResult<DB>,
) -> Drawn<DB> {
    let body = page::draw(area, theme, &r.page)?;
    let name_font = Font::new(theme.small(), theme::TEXT);
    let tick_font = Font::new(theme.tick(), theme::TEXT);
    let label_font = Font::new(theme.label(), theme::TEXT);
    let names_w = r
        .names
        .iter()
        .map(|s| text::width(area, s, name_font))
        .fold(0.0, f64::max)
        .min(body.width() * 0.5);
    let left = body.left + names_w + theme.px(16.0);
    let right = body.right - theme.px(16.0);
    let top = body.top + theme.px(4.0);
    let bottom = body.bottom - axes::x_label_room(theme, tick_font) - label_font.line();
    let width = right - left;
    // Room for end labels: the data span takes what the labels leave.
    let (a, b) = axes::non_empty(r.span.0, r.span.1);
    let per_px = (b - a) / (width - 2.0 * r.end_room).max(width * 0.2);
    let measure = |s: &str| text::width(area, s, tick_font);
    let scale = Scale::fit(
        a - r.end_room * per_px,
        b + r.end_room * per_px,
        width,
        theme.px(24.0),
        &measure,
        10,
        true,
        r.percent,
    );
    let n = r.names.len().max(1);
    let rows = RowPlot {
        plot: Plot {
            left,
            top,
            right,
            bottom,
            x: scale.range,
            y: (0.0, n as f64),
        },
        row_h: (bottom - top) / n as f64,
    };
    let plot = &rows.plot;
    for i in (1..r.names.len()).step_by(2) {
        let y = rows.centre(i);
        area.draw(&Rectangle::new(
            [
                (body.left as i32, (y - rows.row_h / 2.0).round() as i32),
                (right as i32, (y + rows.row_h / 2.0).round() as i32),
            ],
            STRIPE.filled(),
        ))?;
    }
    let xs: Vec<f64> = scale.ticks.iter().map(|t| plot.px_x(t.x)).collect();
    axes::grid(area, theme, plot, &[], &xs)?;
    axes::axis_lines(area, theme, plot)?;
    axes::x_labels(
        area,
        theme,
        plot,
        &scale.ticks,
        |t| plot.px_x(t.x),
        tick_font,
    )?;
    axes::x_title(
        area,
        theme,
        bottom + axes::x_label_room(theme, tick_font),
        plot,
        r.x_title,
        label_font,
    )?;
    for (i, name) in r.names.iter().enumerate() {
        let s = text::fit(area, name, name_font, names_w);
        text::draw(
            area,
            theme,
            &s,
            (left - theme.px(12.0), rows.centre(i)),
            name_font,
            HPos::Right,
            VAlign::Middle,
        )?;
    }
    contents(&rows)?;
    Ok(vec![plot.rect()])
}
