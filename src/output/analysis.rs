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

fn finish(mut w: csv::Writer<std::io::BufWriter<std::fs::File>>, path: &Path) -> Result<(), Error> {
    w.flush().map_err(|e| Error::io("write", path, e))
}

/// `date,term,contribution`: the term's share of x(date) − x(previous month).
pub fn write_explain(path: &Path, model: &Model, e: &Explanation) -> Result<(), Error> {
    let mut w = csv_writer(path)?;
    w.write_record(["date", "term", "contribution"])
        .map_err(csv_err(path))?;
    for k in 0..(e.to - e.from) {
        let date = model.date(e.from + k + 1).to_string();
        for t in &e.terms {
            w.write_record([date.as_str(), t.name.as_str(), &num(t.monthly[k])])
                .map_err(csv_err(path))?;
        }
    }
    finish(w, path)
}

pub fn write_oat(path: &Path, params: &[ParamRange], rows: &[OatRow]) -> Result<(), Error> {
    let mut w = csv_writer(path)?;
    w.write_record([
        "parameter",
        "low",
        "high",
        "central",
        "metric_at_low",
        "metric_at_high",
        "swing",
    ])
    .map_err(csv_err(path))?;
    for r in rows {
        let p = &params[r.input];
        w.write_record([
            p.path.clone(),
            num(p.lo),
            num(p.hi),
            num(p.central),
            num(r.at_low),
            num(r.at_high),
            num(r.swing),
        ])
        .map_err(csv_err(path))?;
    }
    finish(w, path)
}

pub fn write_morris(path: &Path, params: &[ParamRange], rows: &[MorrisRow]) -> Result<(), Error> {
    let mut w = csv_writer(path)?;
    w.write_record(["parameter", "low", "high", "mu_star", "mu", "sigma"])
        .map_err(csv_err(path))?;
    for r in rows {
        let p = &params[r.input];
        w.write_record([
            p.path.clone(),
            num(p.lo),
            num(p.hi),
            num(r.mu_star),
            num(r.mu),
            num(r.sigma),
        ])
        .map_err(csv_err(path))?;
    }
    finish(w, path)
}

pub fn write_sobol(path: &Path, params: &[ParamRange], res: &SobolResult) -> Result<(), Error> {
    let mut w = csv_writer(path)?;
    w.write_record([
        "parameter",
        "low",
        "high",
        "first",
        "first_ci_low",
        "first_ci_high",
        "total",
        "total_ci_low",
        "total_ci_high",
    ])
    .map_err(csv_err(path))?;
    for r in &res.rows {
        let p = &params[r.input];
        w.write_record([
            p.path.clone(),
            num(p.lo),
            num(p.hi),
            num(r.first),
            num(r.first_ci.0),
            num(r.first_ci.1),
            num(r.total),
            num(r.total_ci.0),
            num(r.total_ci.1),
        ])
        .map_err(csv_err(path))?;
    }
    finish(w, path)
}

pub fn write_sweep(path: &Path, axes: &[Axis], points: &[SweepPoint]) -> Result<(), Error> {
    let mut w = csv_writer(path)?;
    let mut header: Vec<String> = axes.iter().map(|a| a.path.clone()).collect();
    header.extend(["mean", "p05", "p50", "p95"].map(String::from));
    w.write_record(&header).map_err(csv_err(path))?;
    for p in points {
        let mut row: Vec<String> = p.at.iter().map(|x| num(*x)).collect();
        row.extend([num(p.mean), num(p.p05), num(p.p50), num(p.p95)]);
        w.write_record(&row).map_err(csv_err(path))?;
    }
    finish(w, path)
}
