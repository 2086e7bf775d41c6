//! The only code that writes result files (docs/FORMAT.md, "Result files").

pub mod analysis;
pub mod atomic;
pub mod backtest;
pub mod calibration;
pub(crate) mod compare;
pub(crate) mod observations;
pub mod partial;
pub mod posterior;
pub mod readback;
pub mod request;
pub mod runs;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::error::Error;
use crate::model::Model;
use crate::stats::EnsembleStats;

/// What a run produced, ready to be written.
pub struct RunResults<'a> {
    pub model: &'a Model,
    pub stats: &'a EnsembleStats,
    pub seed: u64,
    pub deterministic: bool,
    /// The merged scenario document (with overrides applied).
    pub document: &'a toml::Table,
    /// The deterministic trajectory (months × sources), when there is one.
    pub trajectory: Option<&'a [f64]>,
    /// How the user invoked the run, recorded in the resolved scenario.
    pub command: String,
    /// What conditioning on the observations found, when it was done.
    pub conditioning: Option<&'a crate::engine::filter::Conditioning>,
}

pub const ENSEMBLE_CSV: &str = "ensemble.csv";
pub const REGIMES_CSV: &str = "regimes.csv";
pub const SUMMARY_JSON: &str = "summary.json";
pub const RESOLVED_TOML: &str = "scenario.resolved.toml";
pub const TRAJECTORY_CSV: &str = "trajectory.csv";

/// Column name of a quantile: `p` then the percentage, two digits, decimals kept.
pub fn quantile_column(q: f64) -> String {
    let pct = (q * 100.0 * 1e9).round() / 1e9;
    let text = format!("{pct}");
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(a, b)| (a, Some(b)));
    match frac {
        Some(f) => format!("p{int:0>2}.{f}"),
        None => format!("p{int:0>2}"),
    }
}

/// Numbers in result files: 9 significant digits, shortest form.
pub fn num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return if x.is_finite() {
            "0".into()
        } else {
            format!("{x}")
        };
    }
    let rounded: f64 = format!("{x:.8e}").parse().unwrap_or(x);
    format!("{rounded}")
}

/// The last line of defence against silent NaN: validation keeps every
/// parameter within ±1e12 so no run can overflow, but should a statistic
/// still come out non-finite, the run fails naming the series and month
/// rather than write it.
pub fn check_finite(model: &Model, stats: &EnsembleStats) -> Result<(), Error> {
    let qs = &model.ensemble.quantiles;
    let mut qv = Vec::with_capacity(qs.len());
    for t in 0..model.months() {
        for s in 0..model.n_sources() {
            stats.quantiles_into(t, s, qs, &mut qv);
            let bad = [("mean", stats.mean(t, s)), ("sd", stats.sd(t, s))]
                .into_iter()
                .chain(
                    qs.iter()
                        .map(|q| ("a quantile", *q))
                        .zip(qv.iter())
                        .map(|((w, _), v)| (w, *v)),
                )
                .find(|(_, v)| !v.is_finite());
            if let Some((what, v)) = bad {
                return Err(Error::usage(
                    format!(
                        "the results hold a non-finite {what} ({v}) of `{}` in {}; nothing was written",
                        model.source_name(crate::model::SourceId(s)),
                        model.date(t)
                    ),
                    Some("a parameter's distribution is too wide for the arithmetic; narrow it (docs/FORMAT.md, \"Validation rules and limits\")".into()),
                ));
            }
        }
    }
    Ok(())
}

/// Writes every result file into `dir` (a staging folder).
pub fn write_results(dir: &Path, r: &RunResults<'_>) -> Result<(), Error> {
    if r.deterministic
        && let Some(traj) = r.trajectory
    {
        write_trajectory(&dir.join(TRAJECTORY_CSV), r.model, traj)?;
    }
    write_ensemble(&dir.join(ENSEMBLE_CSV), r.model, r.stats)?;
    if r.model.regimes.is_some() {
        write_regimes(&dir.join(REGIMES_CSV), r.model, r.stats)?;
    }
    write_text(&dir.join(SUMMARY_JSON), &summary_json(r))?;
    write_text(&dir.join(RESOLVED_TOML), &resolved_toml(r))?;
    Ok(())
}

fn series_names(model: &Model) -> impl Iterator<Item = &str> {
    model
        .variables
        .iter()
        .map(|v| v.name.as_str())
        .chain(model.drivers.iter().map(|d| d.name.as_str()))
}

pub(crate) fn csv_writer(path: &Path) -> Result<csv::Writer<BufWriter<File>>, Error> {
    let f = File::create(path).map_err(|e| Error::io("create", path, e))?;
    Ok(csv::Writer::from_writer(BufWriter::new(f)))
}

pub(crate) fn csv_err(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |e| Error::io("write", path, std::io::Error::other(e))
}

fn write_ensemble(path: &Path, model: &Model, stats: &EnsembleStats) -> Result<(), Error> {
    let qs = &model.ensemble.quantiles;
    let mut w = csv_writer(path)?;
    let mut header = vec![
        "date".to_string(),
        "variable".into(),
        "mean".into(),
        "sd".into(),
    ];
    header.extend(qs.iter().map(|q| quantile_column(*q)));
    w.write_record(&header).map_err(csv_err(path))?;
    let names: Vec<&str> = series_names(model).collect();
    let mut qv = Vec::with_capacity(qs.len());
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for t in 0..model.months() {
        let date = model.date(t).to_string();
        for (s, name) in names.iter().enumerate() {
            stats.quantiles_into(t, s, qs, &mut qv);
            row.clear();
            row.push(date.clone());
            row.push(name.to_string());
            row.push(num(stats.mean(t, s)));
            row.push(num(stats.sd(t, s)));
            row.extend(qv.iter().map(|x| num(*x)));
            w.write_record(&row).map_err(csv_err(path))?;
        }
    }
    w.flush().map_err(|e| Error::io("write", path, e))
}

fn write_regimes(path: &Path, model: &Model, stats: &EnsembleStats) -> Result<(), Error> {
    let Some(reg) = &model.regimes else {
        return Ok(());
    };
    let mut w = csv_writer(path)?;
    let mut header = vec!["date".to_string()];
    header.extend(reg.bands.iter().map(|b| b.name.clone()));
    w.write_record(&header).map_err(csv_err(path))?;
    for t in 0..model.months() {
        let mut row = vec![model.date(t).to_string()];
        row.extend(stats.regime_shares(t).iter().map(|x| num(*x)));
        w.write_record(&row).map_err(csv_err(path))?;
    }
    w.flush().map_err(|e| Error::io("write", path, e))
}

fn write_trajectory(path: &Path, model: &Model, traj: &[f64]) -> Result<(), Error> {
    let mut w = csv_writer(path)?;
    let mut header = vec!["date".to_string()];
    header.extend(series_names(model).map(String::from));
    w.write_record(&header).map_err(csv_err(path))?;
    let ns = model.n_sources();
    for t in 0..model.months() {
        let mut row = vec![model.date(t).to_string()];
        row.extend(traj[t * ns..(t + 1) * ns].iter().map(|x| num(*x)));
        w.write_record(&row).map_err(csv_err(path))?;
    }
    w.flush().map_err(|e| Error::io("write", path, e))
}

pub(crate) fn write_text(path: &Path, text: &str) -> Result<(), Error> {
    let mut f = File::create(path).map_err(|e| Error::io("create", path, e))?;
    f.write_all(text.as_bytes())
        .map_err(|e| Error::io("write", path, e))?;
    f.sync_all().map_err(|e| Error::io("write", path, e))
}

/// Statistics of one series at one month, as JSON.
fn cell_json(model: &Model, stats: &EnsembleStats, t: usize, s: usize) -> Value {
    let mut m = Map::new();
    m.insert("mean".into(), json!(round9(stats.mean(t, s))));
    m.insert("sd".into(), json!(round9(stats.sd(t, s))));
    let mut qv = Vec::new();
    stats.quantiles_into(t, s, &model.ensemble.quantiles, &mut qv);
    for (q, x) in model.ensemble.quantiles.iter().zip(qv) {
        m.insert(quantile_column(*q), json!(round9(x)));
    }
    Value::Object(m)
}

pub(crate) fn round9(x: f64) -> f64 {
    num(x).parse().unwrap_or(x)
}

pub fn summary_json(r: &RunResults<'_>) -> String {
    let model = r.model;
    let last = model.months() - 1;
    let nv = model.n_vars();
    let mut vars = Map::new();
    for (i, v) in model.variables.iter().enumerate() {
        vars.insert(v.name.clone(), cell_json(model, r.stats, last, i));
    }
    let mut drivers = Map::new();
    for (k, d) in model.drivers.iter().enumerate() {
        drivers.insert(d.name.clone(), cell_json(model, r.stats, last, nv + k));
    }
    let regimes = model.regimes.as_ref().map(|reg| {
        let names: Vec<&str> = reg.bands.iter().map(|b| b.name.as_str()).collect();
        let shares = |v: Vec<f64>| -> Map<String, Value> {
            names
                .iter()
                .zip(v)
                .map(|(n, x)| (n.to_string(), json!(round9(x))))
                .collect()
        };
        json!({
            "variable": model.variables[reg.variable.0].name,
            "bands": reg.bands.iter().map(|b| json!({
                "name": b.name,
                "min": b.lo.is_finite().then_some(b.lo),
                "max": b.hi.is_finite().then_some(b.hi),
            })).collect::<Vec<_>>(),
            "final_shares": shares(r.stats.regime_shares(last)),
            "ever_entered": shares(r.stats.ever_shares()),
        })
    });
    let doc = json!({
        "scenario": model.name,
        "title": model.title,
        "mode": if r.deterministic { "deterministic" } else { "ensemble" },
        "seed": r.seed,
        "runs": r.stats.runs(),
        "start": model.start.to_string(),
        "end": model.end.to_string(),
        "months": model.months(),
        "quantiles": model.ensemble.quantiles,
        "final_month": {
            "date": model.end.to_string(),
            "variables": vars,
            "drivers": drivers,
        },
        "regimes": regimes,
        "conditioned": r.conditioning.is_some(),
        "geosim_version": crate::VERSION,
        "provenance": {
            "geosim_version": crate::VERSION,
            "source_commit": env!("GEOSIM_COMMIT"),
            "rustc": env!("GEOSIM_RUSTC"),
            "target": env!("GEOSIM_TARGET"),
            "scenario_sha256": scenario_sha256(r),
        },
    });
    let mut doc = doc;
    if let Some(c) = r.conditioning {
        doc["log_evidence"] = json!(round9(c.log_evidence));
        doc["log_evidence_se"] = json!(round9(c.log_evidence_se));
        doc["filter_steps"] = c
            .steps
            .iter()
            .map(|&(t, ess, resampled)| {
                json!({ "date": model.date(t).to_string(), "ess": round9(ess), "resampled": resampled })
            })
            .collect();
    }
    if let Some(j) = &model.joint {
        doc["posterior"] = json!({
            "file": j.file,
            "sha256": j.sha256,
            "rows": j.len(),
            "parameters": j.ids.iter().map(|id| &model.params[id.0].path).collect::<Vec<_>>(),
        });
    }
    if !model.observations.is_empty() {
        doc["observations"] = observations_json(model, r.stats);
    }
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The merged scenario document with the runs, seed and quantiles actually
/// used: what `scenario.resolved.toml` holds (`compare` matches earlier
/// results against it).
pub fn resolved_document(document: &toml::Table, model: &Model, seed: u64) -> toml::Table {
    let mut doc = document.clone();
    let ens = doc
        .entry("ensemble")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let toml::Value::Table(t) = ens {
        t.insert(
            "runs".into(),
            toml::Value::Integer(model.ensemble.runs as i64),
        );
        t.insert("seed".into(), toml::Value::Integer(seed as i64));
        t.insert(
            "quantiles".into(),
            toml::Value::Array(
                model
                    .ensemble
                    .quantiles
                    .iter()
                    .map(|q| toml::Value::Float(*q))
                    .collect(),
            ),
        );
    }
    doc
}

/// Each observation beside the ensemble's central 90 % of its observed
/// quantity in its month, and whether the two agree: a measurement's value
/// inside that range, or an interval overlapping it.
fn observations_json(model: &Model, stats: &EnsembleStats) -> Value {
    model
        .observations
        .iter()
        .map(|o| {
            let q = |p: f64| o.measured(stats.quantile(o.month, o.series.0, p));
            let (a, b) = (q(0.05), q(0.95));
            let (lo, hi) = (a.min(b), a.max(b));
            let (olo, ohi) = o.range();
            let agrees = match o.evidence {
                crate::model::Evidence::Measured { value, .. } => value >= lo && value <= hi,
                crate::model::Evidence::Interval { .. } => olo <= hi && ohi >= lo,
            };
            let finite = |x: f64| x.is_finite().then(|| round9(x));
            json!({
                "label": o.label,
                "date": o.date.to_string(),
                "series": model.source_name(o.series),
                "band": o.band.map(|b| model.regimes.as_ref().map(|r| r.bands[b].name.clone())),
                "observed": [finite(olo), finite(ohi)],
                "ensemble_90": [round9(lo), round9(hi)],
                "agrees": agrees,
                "source": o.source,
            })
        })
        .collect()
}

/// SHA-256 of the resolved scenario as TOML (without the comment lines on
/// top): two results with the same hash came from the same scenario.
pub fn scenario_sha256(r: &RunResults<'_>) -> String {
    document_sha256(r.document, r.model, r.seed)
}

/// SHA-256 of a merged scenario document resolved with `seed`.
pub fn document_sha256(document: &toml::Table, model: &Model, seed: u64) -> String {
    let doc = resolved_document(document, model, seed);
    request::sha256(&toml::to_string(&doc).unwrap_or_default())
}

/// The merged scenario, with the runs and seed actually used, as TOML that
/// reproduces the run.
pub fn resolved_toml(r: &RunResults<'_>) -> String {
    let doc = resolved_document(r.document, r.model, r.seed);
    let mode = if r.deterministic {
        " --deterministic".to_string()
    } else if let Some(j) = &r.model.joint {
        // The sample is not part of the scenario: the run needs it again.
        format!(" --posterior {}", j.file.replace(['\r', '\n'], " "))
    } else {
        String::new()
    };
    format!(
        "# Resolved by geosim {} from: {}\n# Every `extends` and `--set` is merged in. To reproduce these results:\n#   geosim run scenario.resolved.toml{mode}\n\n{}",
        crate::VERSION,
        // A comment ends at a line break: keep the command on one line.
        r.command.replace('\r', "\\r").replace('\n', "\\n"),
        toml::to_string(&doc).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_columns_follow_the_spec() {
        assert_eq!(quantile_column(0.05), "p05");
        assert_eq!(quantile_column(0.5), "p50");
        assert_eq!(quantile_column(0.975), "p97.5");
        assert_eq!(quantile_column(0.07), "p07");
        assert_eq!(quantile_column(0.001), "p00.1");
    }

    #[test]
    fn a_non_finite_statistic_is_never_written() {
        let text = "name=\"t\"\n[time]\nstart=\"2020-01\"\nend=\"2020-04\"\n[variables.x]\ninitial=0.5\nrate=0.5\n";
        let model = crate::scenario::load_text("t.toml", text, &[])
            .unwrap()
            .model;
        let mut ws = crate::engine::Workspace::new(&model);
        crate::engine::deterministic(&model, &mut ws);
        let stats = crate::engine::ensemble::deterministic_stats(&model, &ws);
        assert!(check_finite(&model, &stats).is_ok());
        ws.trajectory[2] = f64::NAN; // x in 2020-03
        let stats = crate::engine::ensemble::deterministic_stats(&model, &ws);
        let e = check_finite(&model, &stats).unwrap_err().to_string();
        assert_eq!(
            e,
            "the results hold a non-finite mean (NaN) of `x` in 2020-03; nothing was written"
        );
    }

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(num(0.1 + 0.2), "0.3");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-1.0), "-1");
        assert_eq!(num(0.123456789123), "0.123456789");
    }
}
