//! What every sheet has around its plots: the title and subtitle on top and
//! the footer at the bottom; for the analysis charts also the legend above
//! the footer. The functions return the room they leave, so a chart lays
//! out its plots in what is left and nothing overlaps.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::canvas::{Area, Body, DrawResult};
use super::legend::{LegendItem, draw_legend, legend_layout};
use super::text::{self, Font, VAlign};
use super::theme::{self, Theme};

/// Draws the title and up to `sub_lines` lines of subtitle (none when it is
/// empty) from the top margin; returns the y just below them.
pub(crate) fn header<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    title: &str,
    subtitle: &str,
    sub_lines: usize,
) -> Result<f64, plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>> {
    let w = f64::from(theme.width);
    let m = f64::from(theme.margin());
    let title_font = Font::new(theme.title(), theme::TEXT).bold();
    let sub_font = Font::new(theme.subtitle(), theme::MUTED);
    let mut y = m;
    let title = text::fit(area, title, title_font, w - 2.0 * m);
    text::draw(
        area,
        theme,
        &title,
        (m, y),
        title_font,
        HPos::Left,
        VAlign::Top,
    )?;
    y += title_font.line() + theme.px(4.0);
    for line in text::wrap(area, subtitle, sub_font, w - 2.0 * m, sub_lines) {
        text::draw(
            area,
            theme,
            &line,
            (m, y),
            sub_font,
            HPos::Left,
            VAlign::Top,
        )?;
        y += sub_font.line();
    }
    Ok(y)
}

/// Draws the footer line at the bottom margin; returns the y of its top.
pub(crate) fn footer<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    footer: &str,
) -> Result<f64, plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>> {
    let (w, h) = (f64::from(theme.width), f64::from(theme.height));
    let m = f64::from(theme.margin());
    let foot_font = Font::new(theme.small(), theme::MUTED);
    let bottom = h - m - foot_font.line();
    let footer = text::fit(area, footer, foot_font, w - 2.0 * m);
    text::draw(
        area,
        theme,
        &footer,
        (m, bottom + theme.px(4.0)),
        foot_font,
        HPos::Left,
        VAlign::Top,
    )?;
    Ok(bottom)
}

/// Everything on a sheet of an analysis chart but its plots.
pub struct Page<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    pub legend: &'a [LegendItem],
    /// Notes about the numbers (e.g. estimator noise), in muted type above
    /// the footer, each wrapped onto at most two lines.
    pub notes: &'a [String],
    pub footer: &'a str,
}

/// Fills the sheet white and draws title, subtitle (two lines at most),
/// legend and footer; returns the room left for the plots.
pub(crate) fn draw<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    p: &Page<'_>,
) -> Result<Body, plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&theme::WHITE)?;
    let w = f64::from(theme.width);
    let m = f64::from(theme.margin());
    let top = header(area, theme, p.title, p.subtitle, 2)? + theme.px(10.0);
    let mut bottom = footer(area, theme, p.footer)?;
    let small = Font::new(theme.small(), theme::TEXT);
    let muted = Font::new(theme.small(), theme::MUTED);
    for note in p.notes.iter().rev() {
        let lines = text::wrap(area, note, muted, w - 2.0 * m, 2);
        bottom -= lines.len() as f64 * muted.line() + theme.px(6.0);
        for (i, line) in lines.iter().enumerate() {
            text::draw(
                area,
                theme,
                line,
                (m, bottom + i as f64 * muted.line()),
                muted,
                HPos::Left,
                VAlign::Top,
            )?;
        }
    }
    let legend = legend_layout(area, theme, p.legend, w - 2.0 * m, small);
    if !p.legend.is_empty() {
        bottom -= legend.height + theme.px(10.0);
        draw_legend(area, theme, p.legend, &legend, (m, bottom), small)?;
    }
    Ok(Body {
        left: m,
        top,
        right: w - m,
        bottom: bottom - theme.px(12.0),
    })
}

/// A note in the body, e.g. "no parameter has any effect", centred.
pub(crate) fn note<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &Theme,
    body: &Body,
    s: &str,
) -> DrawResult<DB> {
    let f = Font::new(theme.label(), theme::MUTED);
    let s = text::fit(area, s, f, body.width());
    text::draw(
        area,
        theme,
        &s,
        (
            (body.left + body.right) / 2.0,
            (body.top + body.bottom) / 2.0,
        ),
        f,
        HPos::Center,
        VAlign::Middle,
    )
}
