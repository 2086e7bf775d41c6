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
