//! Charts of a run and of the analyses (PNG or SVG), drawn with plotters.
//!
//! Every chart is built in two steps so it can be tested without looking at
//! pixels: a plain data struct (e.g. [`fan::FanData`], [`tornado::TornadoData`])
//! is computed from the results [`Table`] and the [`Model`](crate::model::Model)
//! (or from an analysis' result), then drawn by [`render::render`].
//! The tests check the structs against the result files and only count
//! colours in the images.
//!
//! The modules build on each other without cycles (a unit test checks it),
//! from the bottom up:
//! - [`theme`], [`time_axis`], [`glyphs`], [`labels`]: look, calendar axis,
//!   the numbers, the font outlines, names in words;
//! - [`canvas`]: the drawing area, plot geometry and series strokes;
//!   [`text`]: measuring and drawing text; [`observed`]: the record's
//!   marks (observations in their series' units) and how they are drawn;
//! - the layout pieces [`axes`], [`legend`], [`events`], [`page`], then
//!   [`frame`], [`panels`] and [`bars`]; [`render`] turns a chart into a file;
//! - [`run_kind`] (what run charts are drawn from) and [`analysis`] (what
//!   analysis charts share); the chart kinds; on top [`run`], the registry
//!   of a run's charts.
//!
//! This file holds the output options every layer may use ([`Format`],
//! [`Options`]) and re-exports the names callers use.

pub mod analysis;
pub(crate) mod axes;
pub mod backtest;
pub(crate) mod bars;
pub mod calibration;
pub mod canvas;
pub mod compare;
pub mod dashboard;
pub mod drivers;
pub(crate) mod events;
pub mod explain;
pub mod fan;
pub(crate) mod frame;
pub(crate) mod glyphs;
pub mod labels;
pub(crate) mod legend;
pub mod morris;
pub mod observed;
pub(crate) mod page;
pub mod panels;
pub mod regimes;
pub mod render;
pub mod run;
pub(crate) mod run_kind;
pub mod sobol;
pub mod sweep;
pub(crate) mod text;
pub mod theme;
pub(crate) mod time_axis;
pub mod tornado;
pub mod trajectory;

pub use crate::stats::Table;
pub use canvas::{Area, DrawResult, Drawn, PlotRects};
pub use events::{EventMark, event_marks};
pub use run::{KIND_NAMES, Kind, RunChart, file_name, plan, write_run_charts};
pub use run_kind::{RunInfo, RunSource, footer};

/// File format of the charts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// Default chart size: sharp on screen, readable when pasted at half size.
pub const DEFAULT_SIZE: (u32, u32) = (1600, 900);
/// Smallest and largest accepted `--size` edges, in pixels.
pub const MIN_EDGE: u32 = 400;
pub const MAX_EDGE: u32 = 8000;

/// Parses `--size WxH`, e.g. `1600x900`.
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`{s}` is not a size of the form WIDTHxHEIGHT, e.g. 1600x900");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    for edge in [w, h] {
        if !(MIN_EDGE..=MAX_EDGE).contains(&edge) {
            return Err(format!(
                "`{s}`: width and height must each lie between {MIN_EDGE} and {MAX_EDGE} pixels"
            ));
        }
    }
    Ok((w, h))
}

/// How charts are written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub format: Format,
    pub size: (u32, u32),
}

impl Default for Options {
    fn default() -> Self {
        Options {
            format: Format::Png,
            size: DEFAULT_SIZE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_are_bounded() {
        assert_eq!(parse_size("1600x900"), Ok((1600, 900)));
        assert_eq!(parse_size("800X600"), Ok((800, 600)));
        assert!(parse_size("1600").is_err());
        assert!(parse_size("10x10").is_err());
        assert!(parse_size("100000x900").is_err());
        assert!(parse_size("axb").is_err());
    }
}

#[cfg(test)]
mod layering;
