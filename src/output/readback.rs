//! Reading earlier results back (`compare` reuses an ensemble that was
//! already run). Every reader returns `None` unless the files hold exactly
//! what this model needs, so a mismatch means "run again", never "draw
//! something else".

use std::path::Path;

use super::{ENSEMBLE_CSV, REGIMES_CSV, RESOLVED_TOML, SUMMARY_JSON, quantile_column};
use crate::model::{Model, SourceId};
use crate::stats::Table;
use crate::stats::table::chart_levels;

/// True when `dir` holds the results of an ensemble of exactly this
/// resolved scenario (`document`), runs and seed, written by this geosim
/// version.
pub fn results_match(dir: &Path, document: &toml::Table, model: &Model) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join(RESOLVED_TOML)) else {
        return false;
    };
    let Ok(found) = text.parse::<toml::Table>() else {
        return false;
    };
    if found != super::resolved_document(document, model, model.ensemble.seed) {
        return false;
    }
    let Ok(summary) = std::fs::read_to_string(dir.join(SUMMARY_JSON)) else {
        return false;
    };
    let Ok(summary) = serde_json::from_str::<serde_json::Value>(&summary) else {
        return false;
    };
    summary["mode"] == "ensemble"
        && summary["runs"] == model.ensemble.runs
        && summary["seed"] == model.ensemble.seed
        && summary["geosim_version"] == crate::VERSION
}

/// The chart table of an earlier run of `model` in `dir` (`runs` runs).
pub fn read_table(dir: &Path, model: &Model, runs: u64) -> Option<Table> {
    let levels = chart_levels(model);
    let (mean, quantiles) = read_ensemble(dir, model, &levels)?;
    let regimes = match model.regimes {
        None => None,
        Some(_) => Some(read_regimes(dir, model)?),
    };
    Some(Table {
        months: model.months(),
        series: model.n_sources(),
        levels,
        runs,
        mean,
        quantiles,
        regimes,
    })
}

/// The mean (months × series) and the quantiles at `levels` (months ×
/// series × levels) from `dir/ensemble.csv`.
pub fn read_ensemble(dir: &Path, model: &Model, levels: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
    let (months, series) = (model.months(), model.n_sources());
    let mut rdr = csv::Reader::from_path(dir.join(ENSEMBLE_CSV)).ok()?;
    let header = rdr.headers().ok()?.clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (c_date, c_var, c_mean) = (col("date")?, col("variable")?, col("mean")?);
    let c_q: Vec<usize> = levels
        .iter()
        .map(|q| col(&quantile_column(*q)))
        .collect::<Option<_>>()?;
    let names: Vec<&str> = (0..series)
        .map(|s| model.source_name(SourceId(s)))
        .collect();
    let mut mean = Vec::with_capacity(months * series);
    let mut quantiles = Vec::with_capacity(months * series * levels.len());
    let mut rows = rdr.records();
    for t in 0..months {
        let date = model.date(t).to_string();
        for name in &names {
            let rec = rows.next()?.ok()?;
            if rec.get(c_date)? != date || rec.get(c_var)? != *name {
                return None;
            }
            mean.push(rec.get(c_mean)?.parse().ok()?);
            for &c in &c_q {
                quantiles.push(rec.get(c)?.parse().ok()?);
            }
        }
    }
    rows.next().is_none().then_some((mean, quantiles))
}

/// The regime shares (months × bands) from `dir/regimes.csv`; `None` also
/// when the model has no regimes.
pub fn read_regimes(dir: &Path, model: &Model) -> Option<Vec<f64>> {
    let names: Vec<&str> = model
        .regimes
        .as_ref()?
        .bands
        .iter()
        .map(|b| b.name.as_str())
        .collect();
    let mut rdr = csv::Reader::from_path(dir.join(REGIMES_CSV)).ok()?;
    let header = rdr.headers().ok()?;
    if header.len() != names.len() + 1 || header.iter().skip(1).ne(names.iter().copied()) {
        return None;
    }
    let bands = names.len();
    let mut out = Vec::with_capacity(model.months() * bands);
    let mut rows = rdr.records();
    for t in 0..model.months() {
        let rec = rows.next()?.ok()?;
        if rec.get(0)? != model.date(t).to_string() {
            return None;
        }
        for b in 0..bands {
            out.push(rec.get(b + 1)?.parse().ok()?);
        }
    }
    rows.next().is_none().then_some(out)
}
