//! Charts of a run and of the analyses (PNG or SVG), drawn with plotters.
//!
//! Every chart is built in two steps so it can be tested without looking at
//! pixels: a plain data struct (e.g. [`fan::FanData`], [`tornado::TornadoData`])
//! is computed from the results [`Table`] and the [`Model`] (or from an
//! analysis' result), then drawn by [`render::render`].
//! The tests check the structs against the result files and only count
//! colours in the images.

pub mod analysis;
pub mod axes;
pub mod bars;
pub mod compare;
pub mod dashboard;
pub mod drivers;
pub mod explain;
pub mod fan;
pub mod frame;
pub mod glyphs;
pub mod legend;
pub mod morris;
pub mod page;
pub mod panels;
pub mod regimes;
pub mod render;
pub mod sobol;
pub mod sweep;
pub mod table;
pub mod text;
pub mod theme;
pub mod time_axis;
pub mod tornado;
pub mod trajectory;

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingAreaErrorKind, DrawingBackend};
use rayon::prelude::*;

use crate::error::Error;
use crate::model::{Model, VarId, YearMonth};
use crate::output::atomic::safe_name;
use crate::scenario::source::did_you_mean;
pub use table::Table;

/// The drawing surface every chart draws on.
pub type Area<DB> = DrawingArea<DB, Shift>;
/// What drawing on a backend returns.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;
/// Pixel rectangles `[left, top, right, bottom]` of the plots of a chart:
/// where its data went (the tests count colours there).
pub type PlotRects = Vec<[i32; 4]>;
/// What drawing a whole chart returns.
pub type Drawn<DB> = Result<PlotRects, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// File format of the charts.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
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

/// The charts a run can draw.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The fan chart of one variable.
    Variable(VarId),
    Dashboard,
    Regimes,
    Drivers,
    Trajectory,
}

/// Names accepted by `--charts` besides the variable names.
pub const KIND_NAMES: [&str; 6] = [
    "all",
    "variables",
    "dashboard",
    "regimes",
    "drivers",
    "trajectory",
];

/// What a run was, for the footers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInfo {
    pub runs: u64,
    pub seed: u64,
    pub deterministic: bool,
}

/// The footer of a run's charts: scenario, runs, seed, program version.
pub fn footer(model: &Model, info: &RunInfo) -> String {
    let what = if info.deterministic {
        "deterministic run".to_string()
    } else {
        format!("{} runs · seed {}", info.runs, info.seed)
    };
    format!(
        "scenario {} · {what} · {} … {} · geosim {}",
        model.name,
        model.start,
        model.end,
        crate::VERSION
    )
}

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

/// The charts to draw for a run: everything that applies, or the `--charts`
/// selection. Asking for a chart the run cannot have is a usage error.
pub fn plan(
    model: &Model,
    deterministic: bool,
    select: Option<&[String]>,
) -> Result<Vec<Kind>, Error> {
    let all_vars = (0..model.n_vars()).map(|i| Kind::Variable(VarId(i)));
    let mut default: Vec<Kind> = all_vars.clone().collect();
    default.push(Kind::Dashboard);
    if model.regimes.is_some() {
        default.push(Kind::Regimes);
    }
    if !model.drivers.is_empty() {
        default.push(Kind::Drivers);
    }
    if deterministic {
        default.push(Kind::Trajectory);
    }
    let Some(select) = select else {
        return Ok(default);
    };
    let mut out: Vec<Kind> = Vec::new();
    for name in select.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let kinds: Vec<Kind> = match name {
            "all" => default.clone(),
            "variables" => all_vars.clone().collect(),
            "dashboard" => vec![Kind::Dashboard],
            "regimes" if model.regimes.is_none() => {
                return Err(Error::usage(
                    format!(
                        "--charts regimes: scenario `{}` has no [regimes] table",
                        model.name
                    ),
                    None,
                ));
            }
            "regimes" => vec![Kind::Regimes],
            "drivers" if model.drivers.is_empty() => {
                return Err(Error::usage(
                    format!("--charts drivers: scenario `{}` has no drivers", model.name),
                    None,
                ));
            }
            "drivers" => vec![Kind::Drivers],
            "trajectory" if !deterministic => {
                return Err(Error::usage(
                    "--charts trajectory needs --deterministic",
                    Some("the trajectory chart draws the single deterministic run".into()),
                ));
            }
            "trajectory" => vec![Kind::Trajectory],
            other => match model.variables.iter().position(|v| v.name == other) {
                Some(i) => vec![Kind::Variable(VarId(i))],
                None => return Err(unknown_chart(model, other)),
            },
        };
        for k in kinds {
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    Ok(out)
}

fn unknown_chart(model: &Model, name: &str) -> Error {
    let known: Vec<&str> = KIND_NAMES
        .iter()
        .copied()
        .chain(model.variables.iter().map(|v| v.name.as_str()))
        .collect();
    let hint = did_you_mean(name, known.iter().copied(), "charts");
    Error::usage(format!("--charts: no chart named `{name}`"), Some(hint))
}

/// Chart names that are not variables; a variable of the same name gets a
/// prefix so its chart cannot overwrite them.
const RESERVED: [&str; 4] = ["dashboard", "regimes", "drivers", "trajectory"];

/// File name of a chart, without the folder.
pub fn file_name(model: &Model, kind: Kind, format: Format) -> String {
    let stem = match kind {
        Kind::Variable(v) => {
            let name = safe_name(&model.variables[v.0].name);
            if RESERVED.contains(&name.as_str()) {
                format!("variable-{name}")
            } else {
                name
            }
        }
        Kind::Dashboard => "dashboard".into(),
        Kind::Regimes => "regimes".into(),
        Kind::Drivers => "drivers".into(),
        Kind::Trajectory => "trajectory".into(),
    };
    format!("{stem}.{}", format.extension())
}

/// The data of one run chart, ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub enum RunChart {
    Fan(fan::FanData),
    Dashboard(dashboard::DashboardData),
    Regimes(regimes::RegimeData),
    Drivers(drivers::DriverData),
    Trajectory(trajectory::TrajectoryData),
}

/// What a run's charts are drawn from.
pub struct RunSource<'a> {
    pub model: &'a Model,
    pub table: &'a Table,
    pub info: RunInfo,
    /// The deterministic trajectory (months × sources), when there is one.
    pub trajectory: Option<&'a [f64]>,
}

impl RunSource<'_> {
    /// The data of chart `kind`; `None` when the run cannot have it (no
    /// regimes, no drivers, no trajectory).
    pub fn build(&self, kind: Kind) -> Option<RunChart> {
        let (m, t, i) = (self.model, self.table, &self.info);
        Some(match kind {
            Kind::Variable(v) => RunChart::Fan(fan::FanData::new(m, t, v, i)),
            Kind::Dashboard => RunChart::Dashboard(dashboard::DashboardData::new(m, t, i)),
            Kind::Regimes => RunChart::Regimes(regimes::RegimeData::new(m, t, i)?),
            Kind::Drivers if m.drivers.is_empty() => return None,
            Kind::Drivers => RunChart::Drivers(drivers::DriverData::new(m, t, i)),
            Kind::Trajectory => {
                RunChart::Trajectory(trajectory::TrajectoryData::new(m, self.trajectory?, i))
            }
        })
    }
}

impl render::Chart for RunChart {
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &theme::Theme) -> Drawn<DB> {
        match self {
            RunChart::Fan(c) => c.draw(area, theme),
            RunChart::Dashboard(c) => c.draw(area, theme),
            RunChart::Regimes(c) => c.draw(area, theme),
            RunChart::Drivers(c) => c.draw(area, theme),
            RunChart::Trajectory(c) => c.draw(area, theme),
        }
    }
}

/// Draws the charts `kinds` of a run into `dir`, in parallel, and returns
/// the files written. Charts the run cannot have are skipped.
pub fn write_run_charts(
    dir: &Path,
    src: &RunSource<'_>,
    kinds: &[Kind],
    opts: &Options,
) -> Result<Vec<PathBuf>, Error> {
    kinds
        .par_iter()
        .filter_map(|&k| {
            let chart = src.build(k)?;
            let path = dir.join(file_name(src.model, k, opts.format));
            Some(render::render(&chart, &path, opts.format, opts.size).map(|_| path))
        })
        .collect()
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
