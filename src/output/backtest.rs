//! Result files of `geosim backtest` (docs/FORMAT.md, "Backtests"):
//! scores.csv, summary.json and scenario.resolved.toml.

use std::path::Path;

use serde_json::{Value, json};

use super::{csv_err, csv_writer, num, resolved_document, write_text};
use crate::error::Error;
use crate::inference::backtest::{Backtest, KindSummary, Row, Skill};
use crate::inference::reference::Scores;
use crate::model::Model;
use crate::stats::scores::Uniformity;

pub const SCORES_CSV: &str = "scores.csv";

/// The columns of scores.csv: the eleven the issue fixed, then the lead
/// time, the observation's name and the references' scores.
pub const COLUMNS: [&str; 21] = [
    "origin",
    "date",
    "variable",
    "kind",
    "crps",
    "log_score",
    "in50",
    "in90",
    "brier",
    "rps",
    "pit",
    "months_ahead",
    "observation",
    "persistence_crps",
    "persistence_log_score",
    "persistence_brier",
    "persistence_rps",
    "climatology_crps",
    "climatology_log_score",
    "climatology_brier",
    "climatology_rps",
];

fn opt(x: Option<f64>) -> String {
    x.map(num).unwrap_or_default()
}

fn flag(b: Option<bool>) -> String {
    b.map(|b| if b { "1" } else { "0" }.to_string())
        .unwrap_or_default()
}

fn reference_cells(s: Option<Scores>) -> [String; 4] {
    let s = s.unwrap_or_default();
    [opt(s.crps), opt(s.log_score), opt(s.brier), opt(s.rps)]
}

/// scores.csv: one row per held-out observation and origin.
pub fn write_scores(path: &Path, model: &Model, rows: &[Row]) -> Result<(), Error> {
    let mut w = csv_writer(path)?;
    w.write_record(COLUMNS).map_err(csv_err(path))?;
    for r in rows {
        let o = &model.observations[r.obs];
        let mut cells = vec![
            model.date(r.origin).to_string(),
            o.date.to_string(),
            model.source_name(o.series).to_string(),
            r.kind.name().to_string(),
            opt(r.crps),
            opt(r.log_score),
            flag(r.in50),
            flag(r.in90),
            opt(r.brier),
            opt(r.rps),
            opt(r.pit),
            r.ahead.to_string(),
            o.label.clone(),
        ];
        cells.extend(reference_cells(r.persistence));
        cells.extend(reference_cells(r.climatology));
        w.write_record(&cells).map_err(csv_err(path))?;
    }
    w.flush().map_err(|e| Error::io("write", path, e))
}

/// A number for JSON, rounded like the CSV files; null when absent or not
/// finite (JSON has no infinity).
fn j(x: Option<f64>) -> Value {
    match x {
        Some(x) if x.is_finite() => json!(num(x).parse::<f64>().unwrap_or(x)),
        _ => Value::Null,
    }
}

fn skill_json(s: &Skill) -> Value {
    json!({
        "rows": s.rows,
        "crps": j(s.crps),
        "brier": j(s.brier),
        "rps": j(s.rps),
        "log_score_gain": j(s.log_score_gain),
    })
}

fn kind_json(k: &KindSummary) -> Value {
    let rate = |r: crate::inference::backtest::Rate| json!({ "rate": j(r.rate()), "hits": r.hits, "count": r.count });
    json!({
        "rows": k.rows,
        "crps": j(k.crps),
        "log_score": j(k.log_score),
        "log_score_infinite": k.impossible,
        "brier": j(k.brier),
        "rps": j(k.rps),
        "in50": rate(k.in50),
        "in90": rate(k.in90),
        "skill": {
            "persistence": skill_json(&k.persistence),
            "climatology": skill_json(&k.climatology),
        },
    })
}

/// What summary.json records besides the results themselves.
pub struct Meta<'a> {
    pub document: &'a toml::Table,
    pub runs: u64,
    pub seed: u64,
    pub step: usize,
    pub until: String,
    /// The `--params` globs when calibrating.
    pub calibrate: Option<&'a [String]>,
}

/// summary.json.
pub fn summary_json(
    model: &Model,
    b: &Backtest,
    kinds: &[KindSummary],
    pit: &Uniformity,
    meta: &Meta<'_>,
) -> String {
    let origins: Vec<Value> = b
        .origins
        .iter()
        .map(|o| {
            let mut v = json!({
                "origin": model.date(o.month).to_string(),
                "conditioned_on": o.conditioned_on,
                "held_out": o.held_out,
                "log_evidence": j(Some(o.log_evidence)),
            });
            if let Some(c) = &o.calibration {
                let estimates: serde_json::Map<String, Value> = c
                    .estimates
                    .iter()
                    .map(|(p, x)| (p.clone(), j(Some(*x))))
                    .collect();
                v["calibration"] = json!({
                    "likelihood": c.method,
                    "estimates": estimates,
                    "log_posterior": j(Some(c.log_posterior)),
                    "other_optima": c.other_optima,
                });
            }
            v
        })
        .collect();
    let by_kind: serde_json::Map<String, Value> = kinds
        .iter()
        .map(|k| (k.kind.name().to_string(), kind_json(k)))
        .collect();
    let doc = json!({
        "scenario": model.name,
        "title": model.title,
        "mode": "backtest",
        "runs": meta.runs,
        "seed": meta.seed,
        "step": meta.step,
        "until": meta.until,
        "calibrate": meta.calibrate.map(|g| json!({ "params": g })),
        "origins": origins,
        "rows": b.rows.len(),
        "scores": by_kind,
        "pit_uniformity": {
            "values": pit.counts.iter().sum::<u64>(),
            "bins": pit.counts,
            "chi2": j(Some(pit.chi2)),
            "dof": pit.dof,
            "chi2_p_value": j(Some(pit.p_value)),
            "ks": j(Some(pit.ks)),
            "ks_p_value": j(Some(pit.ks_p_value)),
        },
        "geosim_version": crate::VERSION,
        "provenance": {
            "geosim_version": crate::VERSION,
            "source_commit": env!("GEOSIM_COMMIT"),
            "rustc": env!("GEOSIM_RUSTC"),
            "target": env!("GEOSIM_TARGET"),
            "scenario_sha256": super::document_sha256(meta.document, model, meta.seed),
        },
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes summary.json.
pub fn write_summary(dir: &Path, text: &str) -> Result<(), Error> {
    write_text(&dir.join(super::SUMMARY_JSON), text)
}

/// scenario.resolved.toml: the merged scenario with the seed used, headed
/// by the backtest command that reproduces the results.
pub fn write_resolved(
    dir: &Path,
    document: &toml::Table,
    model: &Model,
    seed: u64,
    command: &str,
) -> Result<(), Error> {
    let doc = resolved_document(document, model, seed);
    let text = format!(
        "# Resolved by geosim {} from: {}\n# Every `extends` and `--set` is merged in. To reproduce these results, run that\n# command with scenario.resolved.toml in place of the scenario.\n\n{}",
        crate::VERSION,
        command.replace('\r', "\\r").replace('\n', "\\n"),
        toml::to_string(&doc).unwrap_or_default()
    );
    write_text(&dir.join(super::RESOLVED_TOML), &text)
}
