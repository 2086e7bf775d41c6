//! Golden results: every shipped scenario (and the small fixture) run end to
//! end, compared with the committed files in `tests/golden/<scenario>/`.
//!
//! A change to the numbers must be deliberate. To regenerate the files after
//! such a change, run
//!
//! ```sh
//! GEOSIM_BLESS=1 cargo test --test it golden -- --nocapture
//! ```
//!
//! which rewrites them and prints every value that moved; commit them with
//! the change and say why in the commit message.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::support::{fixture, geosim};

/// Relative tolerance of a number (results keep 9 significant digits).
const REL_TOL: f64 = 1e-9;
/// Absolute tolerance near zero.
const ABS_TOL: f64 = 1e-12;

/// Fields of summary.json that depend on the build, not on the results.
const IGNORED: &[&str] = &["geosim_version", "provenance"];

const SHIPPED: &[&str] = &[
    "asymmetric_interdependence",
    "balancing_act",
    "baseline",
    "instc_missed",
    "proxy_drift",
    "russian_world_exit",
    "sanctions_relief",
    "war_ends",
    "western_realignment",
];

fn golden_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(case)
}

fn blessing() -> bool {
    std::env::var_os("GEOSIM_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The result files of one case: (golden file name, produced file).
fn produce(spec: &str, work: &Path) -> Vec<(String, PathBuf)> {
    let [ens, det, exp, oat] =
        ["ens", "det", "exp", "oat"].map(|d| work.join(d).display().to_string());
    let runs: [&[&str]; 4] = [
        &["run", spec, "--no-charts", "--quiet", "--out", &ens],
        &[
            "run",
            spec,
            "--deterministic",
            "--no-charts",
            "--quiet",
            "--out",
            &det,
        ],
        &["explain", spec, "--no-charts", "--quiet", "--out", &exp],
        &["sensitivity", spec, "--no-charts", "--quiet", "--out", &oat],
    ];
    for args in &runs {
        geosim(work, args).ok();
    }
    let mut files = vec![
        ("ensemble.csv".to_string(), work.join("ens/ensemble.csv")),
        ("summary.json".to_string(), work.join("ens/summary.json")),
        (
            "trajectory.csv".to_string(),
            work.join("det/trajectory.csv"),
        ),
        ("explain.csv".to_string(), work.join("exp/explain.csv")),
        ("oat.csv".to_string(), work.join("oat/oat.csv")),
    ];
    if work.join("ens/regimes.csv").exists() {
        files.push(("regimes.csv".to_string(), work.join("ens/regimes.csv")));
    }
    files
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= ABS_TOL.max(REL_TOL * a.abs().max(b.abs()))
}

/// Differences between two CSV texts: cells compared as numbers when both
/// parse, as text otherwise.
fn csv_diff(want: &str, got: &str, out: &mut Vec<String>) {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    if w.len() != g.len() {
        out.push(format!("{} rows expected, {} found", w.len(), g.len()));
    }
    let header: Vec<&str> = w
        .first()
        .map(|h| h.split(',').collect())
        .unwrap_or_default();
    for (row, (a, b)) in w.iter().zip(&g).enumerate() {
        let (ca, cb): (Vec<&str>, Vec<&str>) = (a.split(',').collect(), b.split(',').collect());
        if ca.len() != cb.len() {
            out.push(format!("row {}: `{a}` became `{b}`", row + 1));
            continue;
        }
        for (col, (x, y)) in ca.iter().zip(&cb).enumerate() {
            let same = match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(p), Ok(q)) => close(p, q),
                _ => x == y,
            };
            if !same {
                let name = header.get(col).copied().unwrap_or("?");
                out.push(format!(
                    "row {} ({}), {name}: {x} -> {y}",
                    row + 1,
                    ca[..col.min(2)].join(",")
                ));
            }
        }
    }
}

/// Differences between two JSON trees; `geosim_version` and `provenance`
/// (the build's commit, compiler and target) are left out.
fn json_diff(path: &str, want: &serde_json::Value, got: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (want, got) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                if IGNORED.contains(&k.as_str()) {
                    continue;
                }
                match b.get(k) {
                    Some(w) => json_diff(&format!("{path}.{k}"), v, w, out),
                    None => out.push(format!("{path}.{k}: missing")),
                }
            }
            for k in b.keys() {
                if !a.contains_key(k) && !IGNORED.contains(&k.as_str()) {
                    out.push(format!("{path}.{k}: new"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                json_diff(&format!("{path}[{i}]"), v, w, out);
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            let (x, y) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            if !close(x, y) {
                out.push(format!("{path}: {a} -> {b}"));
            }
        }
        (a, b) if a != b => out.push(format!("{path}: {a} -> {b}")),
        _ => {}
    }
}

fn diff(name: &str, want: &str, got: &str) -> Vec<String> {
    let mut out = Vec::new();
    if name.ends_with(".json") {
        match (
            serde_json::from_str::<serde_json::Value>(want),
            serde_json::from_str::<serde_json::Value>(got),
        ) {
            (Ok(a), Ok(b)) => json_diff("", &a, &b, &mut out),
            _ => out.push("not valid JSON".into()),
        }
    } else {
        csv_diff(want, got, &mut out);
    }
    out
}

/// Compares (or, when blessing, rewrites) one case; returns a report of
/// what differs.
fn check_case(case: &str, spec: &str) -> String {
    let work = tempfile::tempdir().unwrap();
    let dir = golden_dir(case);
    let mut report = String::new();
    for (name, produced) in produce(spec, work.path()) {
        let got = std::fs::read_to_string(&produced)
            .unwrap_or_else(|e| panic!("{}: {e}", produced.display()));
        let file = dir.join(&name);
        let want = std::fs::read_to_string(&file).unwrap_or_default();
        let changes = if want.is_empty() {
            vec!["no golden file yet".to_string()]
        } else {
            diff(&name, &want, &got)
        };
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(report, "{case}/{name}: {} differences", changes.len());
        for c in changes.iter().take(20) {
            let _ = writeln!(report, "    {c}");
        }
        if changes.len() > 20 {
            let _ = writeln!(report, "    … and {} more", changes.len() - 20);
        }
        if blessing() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&file, &got).unwrap();
        }
    }
    report
}

fn check_all(cases: &[(&str, String)]) {
    let mut report = String::new();
    for (case, spec) in cases {
        report.push_str(&check_case(case, spec));
    }
    if report.is_empty() {
        return;
    }
    if blessing() {
        println!("golden files rewritten; what changed:\n{report}");
    } else {
        panic!(
            "results differ from the golden files:\n{report}\nIf the change is deliberate: GEOSIM_BLESS=1 cargo test --test it golden -- --nocapture"
        );
    }
}

#[test]
fn shipped_scenarios_match_their_golden_results() {
    let cases: Vec<(&str, String)> = SHIPPED.iter().map(|s| (*s, s.to_string())).collect();
    check_all(&cases);
}

#[test]
fn the_small_fixture_matches_its_golden_results() {
    check_all(&[("small", fixture("small.toml"))]);
}

#[test]
fn every_shipped_scenario_has_golden_results() {
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names: Vec<String> = std::fs::read_dir(scenarios)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let p = e.path();
            (p.extension()? == "toml").then(|| p.file_stem().unwrap().to_string_lossy().into())
        })
        .collect();
    names.sort();
    assert_eq!(names, SHIPPED, "a new scenario needs golden results");
}

#[test]
fn the_comparison_notices_a_moved_number() {
    let want = "date,variable,mean\n2020-01,x,0.5\n2020-02,x,0.25\n";
    assert!(diff("a.csv", want, want).is_empty());
    let tiny = "date,variable,mean\n2020-01,x,0.5000000000001\n2020-02,x,0.25\n";
    assert!(diff("a.csv", want, tiny).is_empty(), "within 1e-9 relative");
    let moved = "date,variable,mean\n2020-01,x,0.5\n2020-02,x,0.2500001\n";
    let d = diff("a.csv", want, moved);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].contains("mean: 0.25 -> 0.2500001"), "{d:?}");
    let renamed = "date,variable,mean\n2020-01,y,0.5\n2020-02,x,0.25\n";
    assert_eq!(diff("a.csv", want, renamed).len(), 1);
    let j1 = r#"{"a": 1.0, "geosim_version": "0.1.0", "b": [1, 2]}"#;
    let j2 = r#"{"a": 1.0, "geosim_version": "9.9.9", "b": [1, 3]}"#;
    assert_eq!(diff("s.json", j1, j2), vec![".b[1]: 2 -> 3".to_string()]);
}
