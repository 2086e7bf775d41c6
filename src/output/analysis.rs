//! CSV files of the analyses (explain, sensitivity, sweep).

use std::path::Path;

use super::{csv_err, csv_writer, num};
use crate::analysis::explain::Explanation;
use crate::analysis::morris::MorrisRow;
use crate::analysis::oat::OatRow;
use crate::analysis::params::ParamRange;
use crate::analysis::sobol::SobolResult;
use crate::analysis::sweep::{Axis, SweepPoint};
use crate::error::Error;
use crate::model::Model;

pub const EXPLAIN_CSV: &str = "explain.csv";

/// Writes a header and rows; every table of the analyses goes through here.
fn write_table<S: AsRef<[u8]>>(
    path: &Path,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<S>>,
) -> Result<(), Error> {
    let mut w = csv_writer(path)?;
    w.write_record(header).map_err(csv_err(path))?;
    for row in rows {
        w.write_record(&row).map_err(csv_err(path))?;
    }
    w.flush().map_err(|e| Error::io("write", path, e))
}

/// `date,term,contribution`: the term's share of x(date) − x(previous month).
pub fn write_explain(path: &Path, model: &Model, e: &Explanation) -> Result<(), Error> {
    let rows = (0..(e.to - e.from)).flat_map(|k| {
        let date = model.date(e.from + k + 1).to_string();
        e.terms
            .iter()
            .map(move |t| vec![date.clone(), t.name.clone(), num(t.monthly[k])])
    });
    write_table(path, &["date", "term", "contribution"], rows)
}

pub fn write_oat(path: &Path, params: &[ParamRange], rows: &[OatRow]) -> Result<(), Error> {
    let header = [
        "parameter",
        "low",
        "high",
        "central",
        "metric_at_low",
        "metric_at_high",
        "swing",
    ];
    let rows = rows.iter().map(|r| {
        let p = &params[r.input];
        vec![
            p.path.clone(),
            num(p.lo),
            num(p.hi),
            num(p.central),
            num(r.at_low),
            num(r.at_high),
            num(r.swing),
        ]
    });
    write_table(path, &header, rows)
}

pub fn write_morris(path: &Path, params: &[ParamRange], rows: &[MorrisRow]) -> Result<(), Error> {
    let rows = rows.iter().map(|r| {
        let p = &params[r.input];
        vec![
            p.path.clone(),
            num(p.lo),
            num(p.hi),
            num(r.mu_star),
            num(r.mu),
            num(r.sigma),
        ]
    });
    write_table(
        path,
        &["parameter", "low", "high", "mu_star", "mu", "sigma"],
        rows,
    )
}

pub fn write_sobol(path: &Path, params: &[ParamRange], res: &SobolResult) -> Result<(), Error> {
    let header = [
        "parameter",
        "low",
        "high",
        "first",
        "first_ci_low",
        "first_ci_high",
        "total",
        "total_ci_low",
        "total_ci_high",
    ];
    let rows = res.rows.iter().map(|r| {
        let p = &params[r.input];
        vec![
            p.path.clone(),
            num(p.lo),
            num(p.hi),
            num(r.first),
            num(r.first_ci.0),
            num(r.first_ci.1),
            num(r.total),
            num(r.total_ci.0),
            num(r.total_ci.1),
        ]
    });
    write_table(path, &header, rows)
}

pub fn write_sweep(path: &Path, axes: &[Axis], points: &[SweepPoint]) -> Result<(), Error> {
    let mut header: Vec<&str> = axes.iter().map(|a| a.path.as_str()).collect();
    header.extend(["mean", "p05", "p50", "p95"]);
    let rows = points.iter().map(|p| {
        let mut row: Vec<String> = p.at.iter().map(|x| num(*x)).collect();
        row.extend([num(p.mean), num(p.p05), num(p.p50), num(p.p95)]);
        row
    });
    write_table(path, &header, rows)
}
