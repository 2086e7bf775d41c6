//! The charts of a run and their registry: which charts a run draws
//! ([`plan`], the `--charts` selection), their file names, building their
//! data from a [`RunSource`] and writing them.
//!
//! A run draws the fan chart of every variable (a family: one chart per
//! variable) and the charts registered in `run_charts!` below, each drawn
//! once per run. To add one: write its data struct and draw function in
//! `charts/<kind>.rs`, implement [`RunChartKind`] for the struct there, and
//! add one line to the registration.

use std::path::{Path, PathBuf};

use plotters::prelude::DrawingBackend;
use rayon::prelude::*;

use super::canvas::{Area, Drawn};
use super::fan::FanData;
use super::render::{self, Chart};
use super::run_kind::{RunChartKind, RunSource};
use super::theme::Theme;
use super::{Format, Options};
use crate::error::Error;
use crate::model::{Model, VarId};
use crate::output::atomic::safe_name;
use crate::scenario::source::did_you_mean;

/// Declares the charts a run draws once each, one line per kind:
/// `Variant(data type)`, the data type implementing [`RunChartKind`]. Each
/// line becomes a [`Kind`] and a [`RunChart`] variant and an entry of
/// [`REGISTRY`]; the order of the lines is the order of the default plan
/// and of the names `--charts` lists.
macro_rules! run_charts {
    ($($(#[$attr:meta])* $variant:ident($data:ty),)*) => {
        /// The charts a run can draw.
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        pub enum Kind {
            /// The fan chart of one variable.
            Variable(VarId),
            $($(#[$attr])* $variant,)*
        }

        /// The data of one run chart, ready to draw.
        #[derive(Clone, Debug, PartialEq)]
        pub enum RunChart {
            Fan(FanData),
            $($variant($data),)*
        }

        impl Chart for RunChart {
            fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, theme: &Theme) -> Drawn<DB> {
                match self {
                    RunChart::Fan(c) => c.draw(area, theme),
                    $(RunChart::$variant(c) => c.draw(area, theme),)*
                }
            }
        }

        /// The charts a run draws once each, in plan order.
        pub static REGISTRY: &[Registration] = &[$(Registration {
            kind: Kind::$variant,
            name: <$data as RunChartKind>::NAME,
            stem: <$data as RunChartKind>::STEM,
            available: <$data as RunChartKind>::available,
            build: |src| <$data as RunChartKind>::build(src).map(RunChart::$variant),
        },)*];

        /// Names accepted by `--charts` besides the variable names.
        pub const KIND_NAMES: &[&str] = &[
            ALL,
            VARIABLES,
            $(<$data as RunChartKind>::NAME,)*
        ];
    };
}

run_charts! {
    Dashboard(super::dashboard::DashboardData),
    Regimes(super::regimes::RegimeData),
    Drivers(super::drivers::DriverData),
    Trajectory(super::trajectory::TrajectoryData),
}

/// `--charts all`: every chart the run can have.
const ALL: &str = "all";
/// `--charts variables`: the fan chart of every variable.
const VARIABLES: &str = "variables";

/// A chart a run draws once, as registered: what its [`RunChartKind`]
/// impl says, for the registry's table.
pub struct Registration {
    pub kind: Kind,
    /// The name `--charts` accepts.
    pub name: &'static str,
    /// The file name without its extension.
    pub stem: &'static str,
    /// See [`RunChartKind::available`].
    pub available: fn(&Model, bool) -> Result<(), Error>,
    /// See [`RunChartKind::build`].
    pub build: fn(&RunSource<'_>) -> Option<RunChart>,
}

impl Kind {
    /// The registration of a chart drawn once per run; `None` for the fan
    /// chart of a variable.
    pub fn registration(self) -> Option<&'static Registration> {
        REGISTRY.iter().find(|r| r.kind == self)
    }
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
    default.extend(
        REGISTRY
            .iter()
            .filter(|r| (r.available)(model, deterministic).is_ok())
            .map(|r| r.kind),
    );
    let Some(select) = select else {
        return Ok(default);
    };
    let mut out: Vec<Kind> = Vec::new();
    for name in select.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let kinds: Vec<Kind> = if name == ALL {
            default.clone()
        } else if name == VARIABLES {
            all_vars.clone().collect()
        } else if let Some(r) = REGISTRY.iter().find(|r| r.name == name) {
            (r.available)(model, deterministic)?;
            vec![r.kind]
        } else {
            match model.variables.iter().position(|v| v.name == name) {
                Some(i) => vec![Kind::Variable(VarId(i))],
                None => return Err(unknown_chart(model, name)),
            }
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

/// File name of a chart, without the folder. A variable named like the
/// file of a registered chart gets a prefix so its chart cannot overwrite
/// that one.
pub fn file_name(model: &Model, kind: Kind, format: Format) -> String {
    let stem = match kind {
        Kind::Variable(v) => {
            let name = safe_name(&model.variables[v.0].name);
            if REGISTRY.iter().any(|r| r.stem == name) {
                format!("variable-{name}")
            } else {
                name
            }
        }
        // Every other kind is registered.
        other => other.registration().map_or("", |r| r.stem).to_string(),
    };
    format!("{stem}.{}", format.extension())
}

impl RunSource<'_> {
    /// The data of chart `kind`; `None` when the run cannot have it (no
    /// regimes, no drivers, no trajectory).
    pub fn build(&self, kind: Kind) -> Option<RunChart> {
        match kind {
            Kind::Variable(v) => Some(RunChart::Fan(FanData::new(
                self.model, self.table, v, &self.info,
            ))),
            other => (other.registration()?.build)(self),
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
    fn registered_names_and_files_are_distinct() {
        let names: Vec<&str> = KIND_NAMES.to_vec();
        for (i, a) in names.iter().enumerate() {
            assert!(!names[i + 1..].contains(a), "--charts {a} twice");
        }
        for (i, r) in REGISTRY.iter().enumerate() {
            assert_eq!(r.kind.registration().map(|x| x.name), Some(r.name));
            assert!(REGISTRY[i + 1..].iter().all(|s| s.stem != r.stem));
            assert_eq!(
                safe_name(r.stem),
                r.stem,
                "{} is not a safe file stem",
                r.stem
            );
        }
        assert_eq!(
            Kind::Variable(VarId(0)).registration().map(|r| r.name),
            None
        );
    }
}
