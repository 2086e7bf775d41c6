//! End-to-end tests of the `geosim` binary: results on disk, reproducibility,
//! and one test per class of bad input.

use std::path::{Path, PathBuf};

use crate::support::{fixture, geosim};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn run_writes_every_result_file() {
    let tmp = tempfile::tempdir().unwrap();
    let r = geosim(tmp.path(), &["run", &fixture("small.toml")]).ok();
    let dir = tmp.path().join("output/small");
    assert!(
        r.stdout.contains("median") && r.stdout.contains("90% interval"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("cold") && r.stdout.contains("output/small"),
        "{}",
        r.stdout
    );

    let ens = read(&dir.join("ensemble.csv"));
    let mut lines = ens.lines();
    assert_eq!(lines.next().unwrap(), "date,variable,mean,sd,p05,p50,p95");
    assert_eq!(
        ens.lines().count(),
        1 + 36 * 4,
        "one row per month per variable and driver"
    );
    assert!(
        ens.contains("\n2020-01,alignment,0.2,0,0.2,0.2,0.2\n"),
        "month 0 is the initial value"
    );
    for line in ens.lines().skip(1) {
        let f: Vec<f64> = line
            .split(',')
            .skip(2)
            .map(|x| x.parse().unwrap())
            .collect();
        assert!(f[2] <= f[3] && f[3] <= f[4], "quantiles ordered: {line}");
    }
    let reg = read(&dir.join("regimes.csv"));
    assert!(reg.starts_with("date,cold,neutral,warm\n"));
    for line in reg.lines().skip(1) {
        let s: f64 = line
            .split(',')
            .skip(1)
            .map(|x| x.parse::<f64>().unwrap())
            .sum();
        assert!((s - 1.0).abs() < 1e-6, "shares sum to 1: {line}");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&read(&dir.join("summary.json"))).unwrap();
    assert_eq!(summary["scenario"], "small");
    assert_eq!(summary["runs"], 200);
    assert_eq!(summary["seed"], 42);
    assert_eq!(summary["start"], "2020-01");
    assert_eq!(summary["end"], "2022-12");
    assert!(summary["final_month"]["variables"]["alignment"]["p50"].is_number());
    assert!(summary["regimes"]["ever_entered"]["neutral"].is_number());
    assert!(summary["geosim_version"].is_string());
    assert!(
        !dir.join("trajectory.csv").exists(),
        "trajectory only in deterministic mode"
    );
}

#[test]
fn resolved_scenario_reproduces_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    geosim(
        tmp.path(),
        &[
            "run",
            &fixture("child.toml"),
            "--set",
            "variables.y.noise=0.05",
            "--runs",
            "120",
            "--seed",
            "9",
            "--quiet",
        ],
    )
    .ok();
    let first = crate::support::folder(&tmp.path().join("output"), "child-runs120-seed9-");
    let resolved = first.join("scenario.resolved.toml");
    assert!(read(&resolved).contains("seed = 9"));
    geosim(
        tmp.path(),
        &[
            "run",
            resolved.to_str().unwrap(),
            "--out",
            "again",
            "--quiet",
        ],
    )
    .ok();
    for f in ["ensemble.csv", "regimes.csv", "summary.json"] {
        if first.join(f).exists() {
            assert_eq!(
                read(&first.join(f)),
                read(&tmp.path().join("again").join(f)),
                "{f} differs"
            );
        }
    }
}

#[test]
fn same_seed_same_bytes_on_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("small.toml");
    geosim(
        tmp.path(),
        &["run", &f, "--threads", "1", "--out", "a", "--quiet"],
    )
    .ok();
    geosim(
        tmp.path(),
        &["run", &f, "--threads", "2", "--out", "b", "--quiet"],
    )
    .ok();
    geosim(
        tmp.path(),
        &[
            "run",
            &f,
            "--threads",
            "2",
            "--out",
            "c",
            "--quiet",
            "--seed",
            "43",
        ],
    )
    .ok();
    for file in ["ensemble.csv", "regimes.csv", "summary.json"] {
        let a = read(&tmp.path().join("a").join(file));
        assert_eq!(
            a,
            read(&tmp.path().join("b").join(file)),
            "{file} depends on threads"
        );
        if file == "ensemble.csv" {
            assert_ne!(
                a,
                read(&tmp.path().join("c").join(file)),
                "seed must matter"
            );
        }
    }
}

#[test]
fn deterministic_run_writes_the_trajectory() {
    let tmp = tempfile::tempdir().unwrap();
    let r = geosim(
        tmp.path(),
        &[
            "run",
            &fixture("small.toml"),
            "--deterministic",
            "--out",
            "d",
        ],
    )
    .ok();
    assert!(r.stdout.contains("deterministic"));
    let traj = read(&tmp.path().join("d/trajectory.csv"));
    assert!(traj.starts_with("date,alignment,tension,sanctions,corridor\n"));
    assert_eq!(traj.lines().count(), 37);
    assert!(
        traj.lines()
            .nth(1)
            .unwrap()
            .starts_with("2020-01,0.2,0.3,0.1,0.2")
    );
    let summary: serde_json::Value =
        serde_json::from_str(&read(&tmp.path().join("d/summary.json"))).unwrap();
    assert_eq!(summary["mode"], "deterministic");
    assert_eq!(summary["runs"], 1);
}

#[test]
fn failed_run_keeps_earlier_results() {
    let tmp = tempfile::tempdir().unwrap();
    geosim(
        tmp.path(),
        &["run", &fixture("small.toml"), "--out", "res", "--quiet"],
    )
    .ok();
    let before = read(&tmp.path().join("res/ensemble.csv"));
    geosim(
        tmp.path(),
        &[
            "run",
            &fixture("small.toml"),
            "--out",
            "res",
            "--set",
            "variables.tension.rate=7",
        ],
    )
    .fails(2, &["rate"]);
    assert_eq!(before, read(&tmp.path().join("res/ensemble.csv")));
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["res"], "no staging folders left behind");
}

#[test]
fn io_failure_exits_1_with_path() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("blocker"), "a file").unwrap();
    geosim(
        tmp.path(),
        &[
            "run",
            &fixture("small.toml"),
            "--out",
            "blocker/res",
            "--quiet",
        ],
    )
    .fails(1, &["blocker"]);
}

#[test]
fn list_and_check_and_help() {
    let r = geosim(&repo(), &["list"]).ok();
    assert!(
        r.stdout.lines().any(|l| l.starts_with("baseline ")),
        "{}",
        r.stdout
    );
    // built-in scenarios are found from any folder
    let tmp = tempfile::tempdir().unwrap();
    let r = geosim(tmp.path(), &["list"]).ok();
    assert!(r.stdout.contains("baseline"));
    let r = geosim(tmp.path(), &["check", "baseline"]).ok();
    assert!(
        r.stdout
            .contains("61 loops in all (60 reinforcing, 1 balancing)"),
        "{}",
        r.stdout
    );
    // A loop through a weight of 0 (western_realignment sets hedging to 0)
    // is neither reinforcing nor balancing.
    let r = geosim(tmp.path(), &["check", "western_realignment"]).ok();
    assert!(
        r.stdout
            .contains("(60 reinforcing, 0 balancing, 1 inactive (a weight of 0 on the way))"),
        "{}",
        r.stdout
    );
    let r = geosim(tmp.path(), &["check", &fixture("small.toml")]).ok();
    assert!(
        r.stdout.contains("variables    2 (alignment, tension)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("incidents    1 (spat)"));
    let r = geosim(tmp.path(), &["--help"]).ok();
    assert!(r.stdout.contains("Examples:") && r.stdout.contains("geosim run baseline"));
    let r = geosim(tmp.path(), &["run", "--help"]).ok();
    assert!(r.stdout.contains("--deterministic") && r.stdout.contains("Examples:"));
}

#[test]
fn runaway_requests_are_refused_with_an_estimate() {
    let tmp = tempfile::tempdir().unwrap();
    geosim(
        tmp.path(),
        &["run", &fixture("small.toml"), "--runs", "1000000000"],
    )
    .fails(2, &["refusing to run", "run-months", "would take roughly"]);
    assert!(!tmp.path().join("output").exists());
    geosim(
        tmp.path(),
        &["run", &fixture("small.toml"), "--runs", "5000000000"],
    )
    .fails(2, &["--runs", "5000000000 is not in 1..=4294967295"]);
    // a folder that geosim did not write is never replaced
    std::fs::create_dir(tmp.path().join("mine")).unwrap();
    std::fs::write(tmp.path().join("mine/notes.txt"), "keep").unwrap();
    geosim(
        tmp.path(),
        &["run", &fixture("small.toml"), "--out", "mine", "--quiet"],
    )
    .fails(2, &["refusing to replace", "not written by geosim"]);
    assert_eq!(read(&tmp.path().join("mine/notes.txt")), "keep");
}

// ---- bad input: one test per class ----

const BASE: &str = r#"name = "bad"
[time]
start = "2020-01"
end = "2021-12"

[variables.x]
initial = 0.5
rate = 0.2

[drivers.d]
points = [["2020-01", 0.1], ["2021-01", 0.5]]

[influences]
"d -> x" = { weight = 0.3 }
"#;

/// Writes BASE with `from` replaced by `to` (or `to` appended) and checks it.
fn bad(from: Option<&str>, to: &str, needles: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let text = match from {
        Some(f) => {
            assert!(BASE.contains(f), "test bug: {f:?} not in BASE");
            BASE.replacen(f, to, 1)
        }
        None => format!("{BASE}{to}"),
    };
    std::fs::write(tmp.path().join("bad.toml"), text).unwrap();
    geosim(tmp.path(), &["check", "bad.toml"]).fails(2, needles);
    geosim(tmp.path(), &["run", "bad.toml"]).fails(2, needles);
    assert!(
        !tmp.path().join("output").exists(),
        "nothing written on bad input"
    );
}

#[test]
fn bad_toml_syntax() {
    bad(
        Some("rate = 0.2"),
        "rate = = 0.2",
        &["bad.toml:8:", "TOML syntax error", "rate = = 0.2"],
    );
}

#[test]
fn bad_unknown_key_suggests_nearest() {
    bad(
        Some("rate = 0.2"),
        "rat = 0.2",
        &[
            "bad.toml:8:1",
            "unknown field `rat`",
            "did you mean `rate`?",
        ],
    );
}

#[test]
fn bad_unknown_variable_lists_known() {
    bad(
        None,
        "\"z -> x\" = { weight = 1 }\n",
        &["bad.toml:15:1", "unknown source `z`", "`x`, `d`"],
    );
    bad(
        None,
        "[[events]]\nname = \"e\"\ndate = \"2020-05\"\njump = { xx = 0.1 }\n",
        &[
            "bad.toml:18:",
            "event `e`: jump names unknown variable `xx`",
            "did you mean `x`?",
        ],
    );
}

#[test]
fn bad_non_finite_number() {
    bad(
        Some("initial = 0.5"),
        "initial = nan",
        &["bad.toml:7:", "not a finite number"],
    );
    bad(
        Some("[[\"2020-01\", 0.1]"),
        "[[\"2020-01\", inf]",
        &["bad.toml:11:", "not a finite number"],
    );
}

#[test]
fn bad_min_not_below_max() {
    bad(
        Some("rate = 0.2"),
        "rate = 0.2\nmin = 2\nmax = 1",
        &["bad.toml:10:", "min (2) must be below max (1)"],
    );
}

#[test]
fn bad_rate_outside_unit_interval() {
    bad(
        Some("rate = 0.2"),
        "rate = 1.5",
        &["bad.toml:8:8", "variables.x.rate = 1.5", "(0, 1]"],
    );
    bad(Some("rate = 0.2"), "rate = 0", &["bad.toml:8:", "(0, 1]"]);
    bad(
        Some("rate = 0.2"),
        "rate = { dist = \"uniform\", min = 1.5, max = 2 }",
        &["bad.toml:8:", "whole distribution"],
    );
}

#[test]
fn bad_negative_sd() {
    bad(
        Some("initial = 0.5"),
        "initial = { dist = \"normal\", mean = 0.5, sd = -0.1 }",
        &["bad.toml:7:", "sd = -0.1 is negative"],
    );
    bad(
        Some("rate = 0.2"),
        "rate = 0.2\nnoise = -0.01",
        &["bad.toml:9:", "noise = -0.01", ">= 0"],
    );
}

#[test]
fn bad_dates() {
    bad(
        Some("end = \"2021-12\""),
        "end = \"2021-13\"",
        &["bad.toml:4:", "months run from 01 to 12"],
    );
    bad(
        Some("end = \"2021-12\""),
        "end = \"21-12\"",
        &["bad.toml:4:", "YYYY-MM"],
    );
    bad(
        Some("[\"2021-01\", 0.5]"),
        "[\"2019-01\", 0.5]",
        &["bad.toml:11:", "dates must increase"],
    );
    bad(
        Some("end = \"2021-12\""),
        "end = \"2019-12\"",
        &[
            "bad.toml:4:",
            "time.start = 2020-01 is after time.end = 2019-12",
        ],
    );
}

#[test]
fn bad_extends() {
    bad(
        Some("name = \"bad\""),
        "extends = \"no_such_parent\"",
        &[
            "bad.toml:1:",
            "extends names `no_such_parent`",
            "known scenarios",
        ],
    );
    let tmp = tempfile::tempdir().unwrap();
    geosim(tmp.path(), &["check", &fixture("cycle_a.toml")]).fails(
        2,
        &["extends cycle: cycle_a.toml -> cycle_b.toml -> cycle_a.toml"],
    );
}

#[test]
fn bad_set_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("small.toml");
    geosim(
        tmp.path(),
        &["check", &f, "--set", "variables.tensoin.rate=0.2"],
    )
    .fails(
        2,
        &[
            "--set #1",
            "no `tensoin` in `variables`",
            "did you mean `tension`?",
        ],
    );
    geosim(
        tmp.path(),
        &["check", &f, "--set", "variables.tension.rat=0.2"],
    )
    .fails(2, &["unknown field `rat`", "did you mean `rate`?"]);
    geosim(
        tmp.path(),
        &["check", &f, "--set", "variables.tension.rate"],
    )
    .fails(2, &["PATH=VALUE"]);
    geosim(
        tmp.path(),
        &["check", &f, "--set", "variables.tension.rate=oops"],
    )
    .fails(2, &["not a TOML value"]);
    geosim(
        tmp.path(),
        &["check", &f, "--set", "events.nope.jump.tension=1"],
    )
    .fails(2, &["no entry named `nope`", "shock"]);
    geosim(tmp.path(), &["check", &f, "--set", "extends=\"baseline\""])
        .fails(2, &["--set cannot change `extends`"]);
}

#[test]
fn bad_scenario_name() {
    let tmp = tempfile::tempdir().unwrap();
    geosim(tmp.path(), &["run", "baselin"])
        .fails(2, &["no such scenario", "did you mean `baseline`?"]);
    geosim(tmp.path(), &["run", "missing.toml"]).fails(2, &["missing.toml"]);
}

#[test]
fn bad_regime_bands() {
    bad(
        None,
        "[regimes]\nvariable = \"x\"\nbands = [{ name = \"lo\", max = 0.3 }, { name = \"hi\", min = 0.4 }]\n",
        &["bad.toml:", "contiguous"],
    );
    bad(
        None,
        "[regimes]\nvariable = \"x\"\nbands = [{ name = \"lo\", min = 0.2, max = 0.5 }, { name = \"hi\", min = 0.5 }]\n",
        &["bad.toml:", "must cover all of `x`"],
    );
}

#[test]
fn bad_threads() {
    let tmp = tempfile::tempdir().unwrap();
    geosim(
        tmp.path(),
        &["run", &fixture("small.toml"), "--threads", "0"],
    )
    .fails(2, &["--threads"]);
}

// ---- analyses ----

#[test]
fn explain_writes_contributions_that_add_up() {
    let tmp = tempfile::tempdir().unwrap();
    let r = geosim(
        tmp.path(),
        &[
            "explain",
            &fixture("small.toml"),
            "--variable",
            "tension",
            "--from",
            "2020-06",
            "--to",
            "2021-06",
        ],
    )
    .ok();
    assert!(
        r.stdout.contains("total") && r.stdout.contains("alignment → tension"),
        "{}",
        r.stdout
    );
    let csv = read(
        &crate::support::folder(&tmp.path().join("output"), "small-explain-tension-")
            .join("explain.csv"),
    );
    assert!(csv.starts_with("date,term,contribution\n"));
    // The CSV keeps the exact term names; stdout shows arrows.
    assert!(csv.contains(",alignment -> tension,") && csv.contains(",corridor -> tension,"));
    let sum: f64 = csv
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .sum();
    // the deterministic trajectory gives the actual change
    geosim(
        tmp.path(),
        &[
            "run",
            &fixture("small.toml"),
            "--deterministic",
            "--out",
            "d",
            "--quiet",
        ],
    )
    .ok();
    let traj = read(&tmp.path().join("d/trajectory.csv"));
    let at = |date: &str| -> f64 {
        traj.lines()
            .find(|l| l.starts_with(date))
            .unwrap()
            .split(',')
            .nth(2)
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(
        (sum - (at("2021-06") - at("2020-06"))).abs() < 1e-6,
        "{sum}"
    );
    geosim(
        tmp.path(),
        &["explain", &fixture("small.toml"), "--variable", "tensio"],
    )
    .fails(2, &["did you mean `tension`?"]);
    geosim(
        tmp.path(),
        &["explain", &fixture("small.toml"), "--from", "2030-01"],
    )
    .fails(2, &["outside the scenario's horizon"]);
}

#[test]
fn sensitivity_methods_write_their_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("small.toml");
    let r = geosim(tmp.path(), &["sensitivity", &f, "--list-params"]).ok();
    assert!(
        r.stdout.lines().any(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            cells == ["variables.alignment.rate", "0.1", "0.3"]
        }),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("influences.\"tension -> alignment\".weight")
    );
    geosim(tmp.path(), &["sensitivity", &f, "--params", "variables.*"]).ok();
    let oat =
        read(&crate::support::folder(&tmp.path().join("output"), "small-oat-").join("oat.csv"));
    assert!(oat.starts_with("parameter,low,high,central,metric_at_low,metric_at_high,swing\n"));
    assert!(oat.lines().skip(1).all(|l| l.starts_with("variables.")));
    geosim(
        tmp.path(),
        &[
            "sensitivity",
            &f,
            "--method",
            "morris",
            "--samples",
            "5",
            "--quiet",
        ],
    )
    .ok();
    assert!(
        read(
            &tmp.path()
                .join(crate::support::folder(
                    &tmp.path().join("output"),
                    "small-morris-"
                ))
                .join("morris.csv")
        )
        .starts_with("parameter,low,high,mu_star,mu,sigma\n")
    );
    geosim(
        tmp.path(),
        &[
            "sensitivity",
            &f,
            "--method",
            "sobol",
            "--samples",
            "64",
            "--metric",
            "mean:alignment@2021-01..2022-12",
            "--quiet",
        ],
    )
    .ok();
    let sobol =
        read(&crate::support::folder(&tmp.path().join("output"), "small-sobol-").join("sobol.csv"));
    assert!(sobol.lines().count() > 5);
    geosim(tmp.path(), &["sensitivity", &f, "--params", "nothing.*"])
        .fails(2, &["no parameter to vary", "--list-params"]);
    geosim(
        tmp.path(),
        &["sensitivity", &f, "--metric", "alignment@2040-01"],
    )
    .fails(2, &["--metric", "outside"]);
    geosim(
        tmp.path(),
        &[
            "sensitivity",
            &f,
            "--method",
            "sobol",
            "--samples",
            "100000000",
        ],
    )
    .fails(2, &["refusing"]);
}

#[test]
fn sweep_writes_a_grid() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("small.toml");
    geosim(
        tmp.path(),
        &[
            "sweep",
            &f,
            "--param",
            "variables.alignment.bias=0:0.3:4",
            "--runs",
            "20",
            "--quiet",
        ],
    )
    .ok();
    let csv =
        read(&crate::support::folder(&tmp.path().join("output"), "small-sweep-").join("sweep.csv"));
    assert!(csv.starts_with("variables.alignment.bias,mean,p05,p50,p95\n"));
    assert_eq!(csv.lines().count(), 5);
    let means: Vec<f64> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(
        means.windows(2).all(|w| w[1] > w[0]),
        "a higher bias raises alignment: {means:?}"
    );
    geosim(
        tmp.path(),
        &[
            "sweep",
            &f,
            "--param",
            "variables.alignment.bias=0:0.3:3",
            "--param",
            "variables.tension.rate=0.1:0.5:2",
            "--runs",
            "0",
            "--quiet",
            "--out",
            "two",
        ],
    )
    .ok();
    assert_eq!(read(&tmp.path().join("two/sweep.csv")).lines().count(), 7);
    geosim(
        tmp.path(),
        &["sweep", &f, "--param", "variables.alignment.rate=0:2:3"],
    )
    .fails(
        2,
        &["variables.alignment.rate = 0 is outside its allowed range: it must be in (0, 1]"],
    );
}

/// Regression: analyses wrote parameter values straight into the
/// workspace, so values no scenario file may hold ran and wrote NaN/inf.
#[test]
fn analysis_overrides_are_checked_like_scenario_values() {
    let tmp = tempfile::tempdir().unwrap();
    let allowed = "variables.trust.bias = -1e308 is outside its allowed range: it must be in [";
    geosim(
        tmp.path(),
        &[
            "sweep",
            "baseline",
            // The shipped biases are "equilibrium" (derived, not parameters).
            "--set",
            "variables.trust.bias=0.3",
            "--param",
            "variables.trust.bias=-1e308:1e308:2",
            "--runs",
            "0",
        ],
    )
    .fails(2, &[allowed, "(keeps the signal of `trust` within ±1e12)"]);
    geosim(
        tmp.path(),
        &[
            "sensitivity",
            "baseline",
            "--set",
            "variables.trust.bias=0.3",
            "--spread",
            "1e308",
            "--params",
            "variables.trust.bias",
        ],
    )
    .fails(
        2,
        &[
            "variables.trust.bias = ",
            "is outside its allowed range",
            "(keeps the signal of `trust` within ±1e12)",
        ],
    );
    assert!(!tmp.path().join("output").exists(), "nothing written");
}

#[test]
fn check_prints_the_model_report() {
    let r = geosim(&repo(), &["check", &fixture("small.toml")]).ok();
    assert!(
        r.stdout
            .contains("balancing   gain -0.500  delay  3 mo  alignment -> tension -> alignment"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("spectral radius"));
    assert!(r.stdout.contains("evidence: 1/4 influences (25%)"));
}

/// Regression: `--runs`/`--seed` were synthetic `--set` strings, so a bad
/// value blamed a `--set #1` the user never typed.
#[test]
fn runs_and_seed_are_typed_values_in_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let huge = "18446744073709551615";
    for args in [
        vec!["compare", "baseline", "proxy_drift", "--seed", huge],
        vec!["run", "baseline", "--seed", huge],
        vec![
            "sweep",
            "baseline",
            "--param",
            "variables.trust.rate=0.1:0.2:2",
            "--seed",
            huge,
        ],
        vec!["sensitivity", "baseline", "--seed", huge],
    ] {
        let r =
            geosim(tmp.path(), &args).fails(2, &["--seed", "is not in 0..=9223372036854775807"]);
        assert!(!r.stderr.contains("--set"), "{}", r.stderr);
    }
    geosim(
        tmp.path(),
        &["compare", "baseline", "proxy_drift", "--runs", "0"],
    )
    .fails(2, &["--runs", "0 is not in 1..=4294967295"]);
}

/// Regression: valid-looking distributions made `run` exit 0 with NaN means
/// in ensemble.csv and `null` in summary.json. Every parameter's values
/// must now stay within ±1e12, so every draw and every sum stays finite.
#[test]
fn distributions_that_could_overflow_a_run_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let base = "name = \"nan\"\n[time]\nstart = \"2020-01\"\nend = \"2021-12\"\n[variables.x]\nmin = -1\ninitial = 0\nrate = 0.5\n";
    let cases = [
        (
            "[[incidents]]\nname = \"i\"\nbase_rate = 3\njump = { x = { dist = \"normal\", mean = 0, sd = 1e308 } }\n",
            "incidents.i.jump.x: this normal distribution reaches inf (|mean| + 6 sd); keep it within ±1e12",
        ),
        (
            "[[incidents]]\nname = \"i\"\nbase_rate = 3\njump = { x = { dist = \"triangular\", min = 1e12, mode = 5e307, max = 1e308 } }\n",
            "incidents.i.jump.x: this distribution reaches 1e308; keep it within ±1e12",
        ),
        (
            "[[events]]\nname = \"e\"\ndate = \"2020-06\"\npressure = { x = { dist = \"normal\", mean = -1e12, sd = 1.7e308 } }\n",
            "events.e.pressure.x: this normal distribution reaches inf (|mean| + 6 sd); keep it within ±1e12",
        ),
    ];
    for (extra, message) in cases {
        std::fs::write(tmp.path().join("nan.toml"), format!("{base}{extra}")).unwrap();
        geosim(tmp.path(), &["run", "nan.toml", "--quiet"]).fails(2, &[message]);
        assert!(!tmp.path().join("output").exists(), "nothing written");
    }
}

/// Regression: `extends = "/dev/zero"` read forever and a FIFO blocked;
/// scenario files must be regular files of bounded size, and the extends
/// chain has a depth limit.
#[test]
fn only_bounded_regular_files_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("zero.toml"), "extends = \"/dev/zero\"\n").unwrap();
    geosim(tmp.path(), &["check", "zero.toml"]).fails(
        2,
        &["`/dev/zero` is not a scenario: it is a device, not a regular file"],
    );
    std::os::unix::fs::symlink("/dev/zero", tmp.path().join("link.toml")).unwrap();
    geosim(tmp.path(), &["check", "link.toml"]).fails(2, &["it is a device, not a regular file"]);
    let fifo = tmp.path().join("fifo.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        geosim(tmp.path(), &["check", "fifo.toml"]).fails(2, &["it is a FIFO, not a regular file"]);
    }
    let big = format!("name = \"big\"\n# {}\n", "x".repeat(5 * 1024 * 1024));
    std::fs::write(tmp.path().join("big.toml"), big).unwrap();
    geosim(tmp.path(), &["check", "big.toml"])
        .fails(2, &["files of more than 4194304 bytes are refused"]);
    // A chain of 20 files, each extending the next: deeper than 16.
    let base = "name = \"n\"\n[time]\nstart = \"2020-01\"\nend = \"2020-03\"\n[variables.x]\ninitial = 0\nrate = 0.5\n";
    std::fs::write(tmp.path().join("c20.toml"), base).unwrap();
    for i in 0..20 {
        std::fs::write(
            tmp.path().join(format!("c{i}.toml")),
            format!("extends = \"c{}.toml\"\n", i + 1),
        )
        .unwrap();
    }
    geosim(tmp.path(), &["check", "c5.toml"]).ok();
    geosim(tmp.path(), &["check", "c0.toml"])
        .fails(2, &["the extends chain is deeper than 16 files"]);
}

/// Regression: integers between 2^63 and 2^64 − 1 were reported as
/// "invalid type: string" at line 1 of the parent file.
#[test]
fn integers_beyond_64_bits_are_reported_where_they_are_written() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("parent.toml"),
        "name = \"p\"\n[time]\nstart = \"2020-01\"\nend = \"2020-03\"\n[variables.x]\ninitial = 0\nrate = 0.5\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("child.toml"),
        "extends = \"parent.toml\"\n[ensemble]\nruns = 9223372036854775808\n",
    )
    .unwrap();
    geosim(tmp.path(), &["check", "child.toml"]).fails(
        2,
        &["child.toml:3:8: 9223372036854775808 is not a whole number a scenario can hold: they lie between -9223372036854775808 and 9223372036854775807"],
    );
}

/// Regression: `--runs 5 --deterministic` was accepted and recorded
/// inconsistently (the resolved file said 5 runs, the summary 1).
#[test]
fn a_deterministic_run_takes_no_runs_or_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("small.toml");
    for flag in [["--runs", "5"], ["--seed", "3"]] {
        let args = ["run", f.as_str(), "--deterministic", flag[0], flag[1]];
        geosim(tmp.path(), &args).fails(2, &["cannot be used with"]);
    }
}

/// Regression: `sensitivity --method sobol --samples 1` printed a
/// first-order index of −2.52 with a zero-width "95 %" interval.
#[test]
fn too_few_samples_for_an_estimator_are_refused_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("small.toml");
    geosim(
        tmp.path(),
        &["sensitivity", &f, "--method", "sobol", "--samples", "1"],
    )
    .fails(
        2,
        &[
            "--samples 1 is too few for sobol: it needs at least 32",
            "noise",
        ],
    );
    geosim(
        tmp.path(),
        &["sensitivity", &f, "--method", "morris", "--samples", "1"],
    )
    .fails(
        2,
        &[
            "--samples 1 is too few for morris: it needs at least 2",
            "σ",
        ],
    );
    assert!(!tmp.path().join("output").exists());
}

/// Regression: the first line of scenario.resolved.toml held the whole
/// command line, so folders written with different --threads or --out
/// differed.
#[test]
fn result_folders_are_byte_identical_across_thread_counts_and_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("small.toml");
    geosim(
        tmp.path(),
        &["run", &f, "--threads", "1", "--out", "a", "--quiet"],
    )
    .ok();
    geosim(
        tmp.path(),
        &["run", &f, "--threads", "2", "--out", "b/c", "--quiet"],
    )
    .ok();
    let names = crate::support::files(&tmp.path().join("a"), "");
    assert!(names.len() > 8, "{names:?}");
    assert_eq!(names, crate::support::files(&tmp.path().join("b/c"), ""));
    for name in names {
        let (a, b) = (
            tmp.path().join("a").join(&name),
            tmp.path().join("b/c").join(&name),
        );
        assert!(
            std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
            "{name} depends on --threads or --out"
        );
    }
    let resolved = read(&tmp.path().join("a/scenario.resolved.toml"));
    assert!(resolved.starts_with(&format!(
        "# Resolved by geosim {} from: geosim run ",
        env!("CARGO_PKG_VERSION")
    )));
    assert!(!resolved.lines().next().unwrap().contains("--threads"));
}

/// summary.json records what produced it: version, source commit,
/// compiler, target, and the SHA-256 of the resolved scenario.
#[test]
fn summary_records_provenance() {
    let tmp = tempfile::tempdir().unwrap();
    geosim(
        tmp.path(),
        &[
            "run",
            &fixture("small.toml"),
            "--out",
            "p",
            "--quiet",
            "--no-charts",
        ],
    )
    .ok();
    let s: serde_json::Value =
        serde_json::from_str(&read(&tmp.path().join("p/summary.json"))).unwrap();
    let p = &s["provenance"];
    assert_eq!(p["geosim_version"], env!("CARGO_PKG_VERSION"));
    assert!(p["rustc"].as_str().unwrap().starts_with("rustc "), "{p}");
    assert!(!p["target"].as_str().unwrap().is_empty());
    assert!(p["source_commit"].is_string());
    let hash = p["scenario_sha256"].as_str().unwrap();
    assert_eq!(hash.len(), 64);
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
    // The same scenario with another seed is another resolved scenario.
    geosim(
        tmp.path(),
        &[
            "run",
            &fixture("small.toml"),
            "--seed",
            "5",
            "--out",
            "q",
            "--quiet",
            "--no-charts",
        ],
    )
    .ok();
    let q: serde_json::Value =
        serde_json::from_str(&read(&tmp.path().join("q/summary.json"))).unwrap();
    assert_ne!(q["provenance"]["scenario_sha256"], p["scenario_sha256"]);
}

/// Regression: the deterministic run, another --runs/--seed, another
/// explain window or another sensitivity metric all silently replaced the
/// same default folder.
#[test]
fn default_folders_tell_results_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("small.toml");
    let runs: [&[&str]; 10] = [
        &["run", &f],
        &["run", &f, "--deterministic"],
        &["run", &f, "--runs", "50", "--seed", "3"],
        &["run", &f, "--set", "variables.alignment.bias=0.2"],
        &["explain", &f, "--variable", "alignment"],
        &[
            "explain",
            &f,
            "--variable",
            "alignment",
            "--from",
            "2021-01",
            "--to",
            "2021-12",
        ],
        &["sensitivity", &f, "--metric", "alignment@2022-12"],
        &[
            "sensitivity",
            &f,
            "--metric",
            "mean:alignment@2021-01..2022-12",
        ],
        &["sensitivity", &f, "--method", "morris", "--samples", "4"],
        &[
            "sweep",
            &f,
            "--param",
            "variables.alignment.bias=0:0.2:2",
            "--runs",
            "5",
        ],
    ];
    let mut folders = Vec::new();
    for args in runs {
        let r = geosim(tmp.path(), &[args, &["--no-charts"]].concat()).ok();
        let line = r
            .stdout
            .lines()
            .find(|l| l.starts_with("results in "))
            .unwrap();
        folders.push(
            line.trim_start_matches("results in ")
                .trim_end_matches('/')
                .to_string(),
        );
    }
    let mut distinct = folders.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), folders.len(), "{folders:?}");
    assert_eq!(folders[0], "output/small");
    assert_eq!(folders[1], "output/small-deterministic");
    assert_eq!(folders[2], "output/small-runs50-seed3");
    assert!(folders[3].starts_with("output/small-"), "{}", folders[3]);
    assert_eq!(
        folders[4],
        "output/small-explain-alignment-2020-01..2022-12"
    );
    assert_eq!(
        folders[5],
        "output/small-explain-alignment-2021-01..2021-12"
    );
    assert_eq!(folders[6], "output/small-oat-alignment@2022-12");
    assert_eq!(
        folders[7],
        "output/small-oat-mean_alignment@2021-01..2022-12"
    );
    for f in &folders {
        assert!(tmp.path().join(f).is_dir(), "{f}");
    }
}

/// Regression (fuzzing): the resolved scenario of a scenario whose
/// observations come from a file did not load again (its rows keep `file`).
#[test]
fn a_resolved_scenario_with_an_observation_file_reproduces_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("main.toml"),
        "[time]\nstart = \"2020-01\"\nend = \"2020-12\"\n[variables.x]\ninitial = 0.5\nrate = 0.1\nnoise = 0.05\n[[observations]]\nfile = \"obs.csv\"\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("obs.csv"),
        "date,variable,value,sd\n2020-06,x,0.5,0.1\n",
    )
    .unwrap();
    geosim(
        tmp.path(),
        &[
            "run",
            "main.toml",
            "--condition",
            "--runs",
            "100",
            "--out",
            "a",
            "--quiet",
            "--no-charts",
        ],
    )
    .ok();
    geosim(
        tmp.path(),
        &[
            "run",
            "a/scenario.resolved.toml",
            "--out",
            "b",
            "--quiet",
            "--no-charts",
        ],
    )
    .ok();
    assert_eq!(
        read(&tmp.path().join("a/ensemble.csv")),
        read(&tmp.path().join("b/ensemble.csv"))
    );
}

// ---- tables on stdout ----

/// The tables in `stdout`: blocks of lines from a header line to the next
/// blank line, found by their first words.
fn table_block<'a>(stdout: &'a str, header_start: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = stdout.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with(header_start))
        .unwrap_or_else(|| panic!("no table headed {header_start:?} in\n{stdout}"));
    lines[start..]
        .iter()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('('))
        .copied()
        .collect()
}

/// Every line of a table whose last column is right-aligned ends in the same
/// column, and every header word above a right-aligned column ends where its
/// cells end.
fn assert_aligned(what: &str, block: &[&str]) {
    assert!(block.len() >= 2, "{what}: a header and rows: {block:?}");
    let width = |l: &str| l.chars().count();
    let w = width(block[0]);
    for l in block {
        assert_eq!(width(l), w, "{what}: line {l:?} in\n{}", block.join("\n"));
    }
}

#[test]
fn every_table_is_headed_and_aligned_to_its_widest_cell() {
    let tmp = tempfile::tempdir().unwrap();
    // A scenario whose bands divide tension, and a variable with a short name.
    std::fs::write(
        tmp.path().join("tense.toml"),
        format!(
            "name = \"tense\"\nextends = \"{}\"\n\
             # the record's band observations name the baseline's alignment bands\n\
             remove_observations = [\"2022-02 band partnership\", \"2025-07 band estrangement\", \"2025-09 band estrangement\"]\n\
             [regimes]\nvariable = \"tension\"\n\
             bands = [{{ name = \"calm\", max = 0.3 }}, {{ name = \"tense\" }}]\n",
            repo().join("scenarios/baseline.toml").display()
        ),
    )
    .unwrap();
    let run = |args: &[&str]| geosim(tmp.path(), args).ok().stdout;

    let out = run(&["run", &fixture("small.toml"), "--runs", "20", "--no-charts"]);
    assert_aligned("run", &table_block(&out, "in "));
    assert_aligned("run regimes", &table_block(&out, "regimes of "));

    let out = run(&[
        "compare",
        "baseline",
        "tense.toml",
        "--runs",
        "20",
        "--no-charts",
    ]);
    assert_aligned("compare", &table_block(&out, "median in the final month"));
    let alignment = table_block(&out, "regimes of alignment, final month");
    assert_aligned("compare alignment", &alignment);
    assert!(alignment[0].ends_with(" baseline"), "{alignment:?}");
    assert!(alignment.iter().any(|l| l.starts_with("rupture")));
    let tension = table_block(&out, "regimes of tension, final month");
    assert_aligned("compare tension", &tension);
    assert!(tension[0].ends_with(" tense") && !tension[0].contains("baseline"));
    assert_eq!(tension.len(), 3, "calm and tense: {tension:?}");

    let out = run(&[
        "explain",
        "baseline",
        "--from",
        "2024-11",
        "--to",
        "2025-09",
        "--top",
        "3",
        "--no-charts",
    ]);
    let block = table_block(&out, "term ");
    assert_aligned("explain", &block);
    assert!(block.iter().any(|l| l.contains(" other terms ")));

    for method in ["oat", "morris", "sobol"] {
        let mut args = vec!["sensitivity", "baseline", "--method", method, "--no-charts"];
        if method == "sobol" {
            args.extend(["--samples", "64"]);
        }
        let out = run(&args);
        assert_aligned(method, &table_block(&out, "parameter "));
    }

    let out = run(&[
        "sweep",
        "baseline",
        "--param",
        "variables.trust.rate=0.05:0.3:3",
        "--param",
        "drivers.sanctions.offset=-0.2:0.2:3",
        "--runs",
        "10",
        "--no-charts",
    ]);
    let block = table_block(&out, "variables.trust.rate ");
    assert_aligned("sweep", &block);
    assert_eq!(block.len(), 10, "a header and 3 × 3 rows");
    assert!(block[0].contains("drivers.sanctions.offset") && block[0].contains("mean"));

    let out = run(&["sensitivity", "baseline", "--list-params"]);
    let block = table_block(&out, "parameter ");
    assert_aligned("list-params", &block);
    // Ranges with a few significant digits, not float noise.
    assert!(
        block.iter().all(|l| !l.contains("000000")),
        "{}",
        block.join("\n")
    );
}
