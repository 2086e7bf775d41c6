//! Turning a chart into a file: PNG through plotters' bitmap backend or SVG
//! through its SVG backend. A chart that cannot be drawn or saved becomes
//! an I/O error naming the file, never a panic.

use std::io;
use std::path::Path;

use plotters::prelude::*;

use super::Format;
use super::canvas::{Area, Drawn, PlotRects};
use super::glyphs;
use super::theme::{self, Theme};
use crate::error::Error;

/// A chart that can draw itself on any plotters backend.
pub trait Chart {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB>;
}

/// Draws `chart` into `path` at `size` pixels; returns where its plots are.
pub fn render<C: Chart>(
    chart: &C,
    path: &Path,
    format: Format,
    (w, h): (u32, u32),
) -> Result<PlotRects, Error> {
    let fail = |msg: String| Error::io("draw chart", path, io::Error::other(msg));
    if !theme::register_fonts() || !glyphs::available() {
        return Err(fail("the built-in DejaVu font could not be loaded".into()));
    }
    match format {
        Format::Png => {
            let area = BitMapBackend::new(path, (w, h)).into_drawing_area();
            let plots = chart
                .draw(&area, &Theme::new(w, h, true))
                .map_err(|e| fail(e.to_string()))?;
            area.present().map_err(|e| fail(e.to_string()))?;
            Ok(plots)
        }
        Format::Svg => {
            let area = SVGBackend::new(path, (w, h)).into_drawing_area();
            let plots = chart
                .draw(&area, &Theme::new(w, h, false))
                .map_err(|e| fail(e.to_string()))?;
            area.present().map_err(|e| fail(e.to_string()))?;
            Ok(plots)
        }
    }
}
