//! `runs.csv` and `params.csv` (`geosim run --save-runs N`): some runs of
//! an ensemble in full, for an analyst's own checks — every month of every
//! series, and every uncertain parameter the run drew (for a conditioned
//! ensemble: after the filter's moves, with the run's final weight and the
//! initial run it descends from).

use std::path::Path;

use super::{csv_err, csv_writer, num};
use crate::error::Error;
use crate::model::{Model, ParamId, SourceId};

pub const RUNS_CSV: &str = "runs.csv";
pub const PARAMS_CSV: &str = "params.csv";

/// One saved run.
pub struct SavedRun {
    /// Its run index (for a conditioned ensemble: its place in the final population).
    pub run: u64,
    /// The initial run it descends from (itself unless conditioned).
    pub origin: u64,
    /// Its final weight, for a conditioned ensemble.
    pub weight: Option<f64>,
    /// Values of `params` (see [`write_saved_runs`]).
    pub params: Vec<f64>,
    /// months × sources
    pub trajectory: Vec<f64>,
}

/// Writes `runs.csv` (`run,date,variable,value`) and `params.csv`
/// (`run,origin,weight,<parameter paths…>`).
pub fn write_saved_runs(
    dir: &Path,
    model: &Model,
    params: &[ParamId],
    runs: &[SavedRun],
) -> Result<(), Error> {
    let path = dir.join(RUNS_CSV);
    let mut w = csv_writer(&path)?;
    w.write_record(["run", "date", "variable", "value"])
        .map_err(csv_err(&path))?;
    let ns = model.n_sources();
    for r in runs {
        let id = r.run.to_string();
        for (t, row) in r.trajectory.chunks_exact(ns).enumerate() {
            let date = model.date(t).to_string();
            for (s, x) in row.iter().enumerate() {
                w.write_record([id.as_str(), &date, model.source_name(SourceId(s)), &num(*x)])
                    .map_err(csv_err(&path))?;
            }
        }
    }
    w.flush().map_err(|e| Error::io("write", &path, e))?;
    let path = dir.join(PARAMS_CSV);
    let mut w = csv_writer(&path)?;
    let mut header = vec!["run".to_string(), "origin".into(), "weight".into()];
    header.extend(params.iter().map(|p| model.params[p.0].path.clone()));
    w.write_record(&header).map_err(csv_err(&path))?;
    for r in runs {
        let mut row = vec![
            r.run.to_string(),
            r.origin.to_string(),
            r.weight.map(num).unwrap_or_default(),
        ];
        row.extend(r.params.iter().map(|x| num(*x)));
        w.write_record(&row).map_err(csv_err(&path))?;
    }
    w.flush().map_err(|e| Error::io("write", &path, e))
}
