//! `compare.csv`: what the comparison charts draw, one row per variable,
//! scenario and month.

use std::path::Path;

use super::{csv_err, csv_writer, num};
use crate::error::Error;

/// The CSV written next to the comparison charts.
pub(crate) const COMPARE_CSV: &str = "compare.csv";

/// One row of `compare.csv`.
pub(crate) struct CompareRow<'a> {
    pub variable: &'a str,
    pub scenario: &'a str,
    pub date: String,
    pub median: f64,
    /// Low and high end of the band and the share of runs it covers.
    pub band: Option<(f64, f64, f64)>,
}

pub(crate) fn write_compare<'a>(
    path: &Path,
    rows: impl IntoIterator<Item = CompareRow<'a>>,
) -> Result<(), Error> {
    let mut w = csv_writer(path)?;
    w.write_record([
        "variable",
        "scenario",
        "date",
        "median",
        "band_low",
        "band_high",
        "band_coverage",
    ])
    .map_err(csv_err(path))?;
    for r in rows {
        let (lo, hi, cov) = match r.band {
            Some((lo, hi, cov)) => (num(lo), num(hi), num(cov)),
            None => (String::new(), String::new(), String::new()),
        };
        w.write_record([
            r.variable,
            r.scenario,
            &r.date,
            &num(r.median),
            &lo,
            &hi,
            &cov,
        ])
        .map_err(csv_err(path))?;
    }
    w.flush().map_err(|e| Error::io("write", path, e))
}

/// The CSV of how well each conditioned scenario explains the record.
pub(crate) const EVIDENCE_CSV: &str = "evidence.csv";

/// One row of `evidence.csv`.
pub(crate) struct EvidenceRow<'a> {
    pub scenario: &'a str,
    pub log_evidence: f64,
    pub se: f64,
    /// Under equal prior weights, when the scenarios share their observations.
    pub posterior: Option<f64>,
}

pub(crate) fn write_evidence(path: &Path, rows: &[EvidenceRow<'_>]) -> Result<(), Error> {
    let mut w = csv_writer(path)?;
    w.write_record([
        "scenario",
        "log_evidence",
        "log_evidence_se",
        "posterior_probability",
    ])
    .map_err(csv_err(path))?;
    for r in rows {
        let posterior = r.posterior.map(num).unwrap_or_default();
        w.write_record([r.scenario, &num(r.log_evidence), &num(r.se), &posterior])
            .map_err(csv_err(path))?;
    }
    w.flush().map_err(|e| Error::io("write", path, e))
}
