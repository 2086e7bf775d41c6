//! `geosim backtest`: the result files and their rows, rolling origins,
//! the errors, thread invariance, the reference forecasts on a hand-worked
//! case, and calibration in the statistical sense — the PIT of a correctly
//! specified model is uniform and that of a shifted one is not.

use std::path::Path;

use geosim::engine::filter::{FilterPlan, filter};
use geosim::engine::run_rng;
use geosim::inference::backtest::{self, Kind, Plan};
use geosim::model::param::standard_normal;
use geosim::scenario;
use geosim::stats::scores::{crps_gaussian, pit_uniformity};

use crate::support::{files, fixture, folder, geosim};

const COLUMNS: [&str; 11] = [
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
];

/// scores.csv as rows of (column → cell).
fn scores(dir: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join("scores.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &header[..11],
        COLUMNS,
        "the fixed columns come first, in order"
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// Months (as "YYYY-MM") of the fixture's observations.
fn observation_months() -> Vec<String> {
    let model = scenario::load(&fixture("backtest.toml"), &[])
        .unwrap()
        .model;
    model
        .observations
        .iter()
        .map(|o| o.date.to_string())
        .collect()
}

#[test]
fn backtest_writes_one_scored_row_per_held_out_observation() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bt");
    let run = geosim(
        dir.path(),
        &[
            "backtest",
            &fixture("backtest.toml"),
            "--origin",
            "2021-01",
            "--runs",
            "400",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .ok();
    assert!(
        run.stdout.contains("held-out observations scored"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("persistence"), "{}", run.stdout);
    // Both tables headed and aligned: every line as long as its header
    // (the last column is right-aligned).
    for skill in [false, true] {
        let lines: Vec<&str> = run.stdout.lines().collect();
        let start = lines
            .iter()
            .position(|l| l.starts_with("kind ") && l.contains(" reference ") == skill)
            .unwrap();
        let block: Vec<&str> = lines[start..]
            .iter()
            .take_while(|l| !l.trim().is_empty())
            .copied()
            .collect();
        assert!(block.len() > 1, "{}", run.stdout);
        let w = block[0].chars().count();
        assert!(
            block.iter().all(|l| l.chars().count() == w),
            "{}",
            block.join("\n")
        );
    }
    assert_eq!(
        files(&out, ".png"),
        ["backtest.png", "pit.png", "reliability.png"]
    );
    assert!(out.join("scenario.resolved.toml").exists());
    let rows = scores(&out);
    let held: Vec<String> = observation_months()
        .into_iter()
        .filter(|d| d.as_str() >= "2021-01")
        .collect();
    assert_eq!(rows.len(), held.len(), "one row per held-out observation");
    let mut dates: Vec<&str> = rows.iter().map(|r| r["date"].as_str()).collect();
    dates.sort_unstable();
    let mut want: Vec<&str> = held.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(dates, want);
    for r in &rows {
        assert_eq!(r["origin"], "2021-01");
        let has = |c: &str| !r[c].is_empty();
        match r["kind"].as_str() {
            "measured" => {
                assert!(has("crps") && has("log_score") && has("pit") && has("in90"));
                assert!(!has("brier") && !has("rps"), "{r:?}");
                let pit: f64 = r["pit"].parse().unwrap();
                assert!((0.0..=1.0).contains(&pit));
                assert_eq!(r["variable"], "trust");
            }
            "interval" | "band" => {
                assert!(has("brier") && has("rps") && has("log_score") && has("in50"));
                assert!(!has("crps") && !has("pit"), "{r:?}");
            }
            k => panic!("unknown kind {k}"),
        }
        assert!(["0", "1"].contains(&r["in50"].as_str()));
    }
    let s = summary(&out);
    assert_eq!(s["origins"].as_array().unwrap().len(), 1);
    assert_eq!(s["origins"][0]["conditioned_on"], 6);
    assert_eq!(s["runs"], 400);
    assert_eq!(s["scores"]["measured"]["rows"], 4);
    assert_eq!(s["scores"]["measured"]["skill"]["persistence"]["rows"], 4);
    assert!(s["scores"]["measured"]["crps"].as_f64().unwrap() > 0.0);
    assert_eq!(s["pit_uniformity"]["values"], 4);
    assert_eq!(
        s["provenance"]["scenario_sha256"].as_str().unwrap().len(),
        64
    );
}

/// The hand-worked references for trust in 2021-03 from origin 2021-01:
/// earlier values 0.16, 0.21, 0.27, 0.30 three months apart.
#[test]
fn reference_scores_match_a_hand_computed_case() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bt");
    geosim(
        dir.path(),
        &[
            "backtest",
            &fixture("backtest.toml"),
            "--origin",
            "2021-01",
            "--runs",
            "100",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .ok();
    let rows = scores(&out);
    let r = rows
        .iter()
        .find(|r| r["date"] == "2021-03" && r["variable"] == "trust")
        .unwrap();
    // Persistence: N(0.30, σ²·lead), σ² the mean of Δx²/Δt = (0.05², 0.06²,
    // 0.03²)/3, lead 3 months.
    let var: f64 = (0.0025 + 0.0036 + 0.0009) / 3.0 / 3.0;
    let want = crps_gaussian(0.30, (var * 3.0).sqrt(), 0.33);
    let got: f64 = r["persistence_crps"].parse().unwrap();
    assert!((got - want).abs() < 1e-8, "{got} vs {want}");
    // Climatology: mean 0.235, sample variance 0.0117 / 3.
    let want = crps_gaussian(0.235, (0.0117f64 / 3.0).sqrt(), 0.33);
    let got: f64 = r["climatology_crps"].parse().unwrap();
    assert!((got - want).abs() < 1e-8, "{got} vs {want}");
    // One interval and one band before the origin: too few for either
    // reference, so their cells stay empty.
    let band = rows.iter().find(|r| r["kind"] == "band").unwrap();
    assert!(band["persistence_brier"].is_empty() && band["climatology_rps"].is_empty());
    assert!(!band["brier"].is_empty());
}

#[test]
fn rolling_origins_follow_step_and_until() {
    let dir = tempfile::tempdir().unwrap();
    geosim(
        dir.path(),
        &[
            "backtest",
            &fixture("backtest.toml"),
            "--origin",
            "2020-07",
            "--step",
            "3",
            "--until",
            "2021-10",
            "--runs",
            "100",
            "--no-charts",
        ],
    )
    .ok();
    let out = folder(
        &dir.path().join("output"),
        "backtest_fixture-backtest-2020-07-to-2021-10",
    );
    let s = summary(&out);
    let origins: Vec<&str> = s["origins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["origin"].as_str().unwrap())
        .collect();
    assert_eq!(
        origins,
        [
            "2020-07", "2020-10", "2021-01", "2021-04", "2021-07", "2021-10"
        ]
    );
    let months = observation_months();
    let rows = scores(&out);
    let mut expected = 0;
    for o in &origins {
        let held = months.iter().filter(|d| d.as_str() >= *o).count();
        let got = rows.iter().filter(|r| r["origin"] == *o).count();
        assert_eq!(got, held, "rows of origin {o}");
        let before = months.iter().filter(|d| d.as_str() < *o).count();
        let entry = s["origins"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["origin"] == *o)
            .unwrap();
        assert_eq!(entry["conditioned_on"], before);
        expected += held;
    }
    assert_eq!(rows.len(), expected);
    assert!(rows.iter().all(|r| r["date"] >= r["origin"]));

    // --until defaults to the last observation (2021-12): 2021-06, 2021-10.
    let out = dir.path().join("default-until");
    geosim(
        dir.path(),
        &[
            "backtest",
            &fixture("backtest.toml"),
            "--origin",
            "2021-06",
            "--step",
            "4",
            "--runs",
            "100",
            "--no-charts",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .ok();
    let s = summary(&out);
    let origins: Vec<&str> = s["origins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["origin"].as_str().unwrap())
        .collect();
    assert_eq!(origins, ["2021-06", "2021-10"]);
}

#[test]
fn a_forecast_before_any_observation_is_the_unconditioned_ensemble() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bt");
    geosim(
        dir.path(),
        &[
            "backtest",
            &fixture("backtest.toml"),
            "--origin",
            "2020-01",
            "--runs",
            "200",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .ok();
    let s = summary(&out);
    assert_eq!(s["origins"][0]["conditioned_on"], 0);
    assert_eq!(s["origins"][0]["log_evidence"], 0.0);
    assert_eq!(scores(&out).len(), observation_months().len());
    // No earlier observations: no reference is defined for any row.
    assert_eq!(s["scores"]["measured"]["skill"]["climatology"]["rows"], 0);
}

#[test]
fn bad_requests_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("backtest.toml");
    let run = |extra: &[&str]| {
        let mut args = vec!["backtest", f.as_str(), "--runs", "50", "--no-charts"];
        args.extend_from_slice(extra);
        geosim(dir.path(), &args)
    };
    run(&["--origin", "2019-06"]).fails(
        2,
        &[
            "--origin 2019-06 is outside the horizon",
            "2020-01 … 2022-12",
        ],
    );
    run(&["--origin", "2022-03"]).fails(
        2,
        &[
            "no observation at or after --origin 2022-03",
            "last observation",
            "2021-12",
        ],
    );
    run(&["--origin", "2021-06", "--until", "2021-01"])
        .fails(2, &["--until 2021-01 is before --origin 2021-06"]);
    run(&["--origin", "2021-06", "--until", "2022-06"])
        .fails(2, &["--until 2022-06 is after the last observation"]);
    run(&["--origin", "2021-1"]).fails(2, &["--origin", "\"YYYY-MM\""]);
    run(&["--origin", "2021-13"]).fails(2, &["--origin", "months run from 01 to 12"]);
    run(&["--origin", "2021-01", "--until", "soon"]).fails(2, &["--until", "\"YYYY-MM\""]);
    run(&["--origin", "2021-01", "--step", "0"]).fails(2, &["--step"]);
    run(&["--origin", "2020-02", "--calibrate"]).fails(
        2,
        &[
            "--calibrate needs observations before the origin",
            "2020-03",
        ],
    );
    run(&["--origin", "2021-01", "--params", "variables.*"]).fails(2, &["--calibrate"]);
    run(&[
        "--origin",
        "2021-01",
        "--calibrate",
        "--params",
        "nothing.here",
    ])
    .fails(2, &["--params nothing.here matches no parameter"]);
    // A scenario without observations.
    geosim(
        dir.path(),
        &["backtest", &fixture("small.toml"), "--origin", "2021-01"],
    )
    .fails(2, &["has no observations to backtest against"]);
}

#[test]
fn results_are_byte_identical_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        geosim(
            dir.path(),
            &[
                "backtest",
                &fixture("backtest.toml"),
                "--origin",
                "2020-09",
                "--step",
                "5",
                "--runs",
                "600",
                "--threads",
                threads,
                "--quiet",
                "--out",
                out.to_str().unwrap(),
            ],
        )
        .ok();
        outs.push(out);
    }
    for f in [
        "scores.csv",
        "summary.json",
        "scenario.resolved.toml",
        "backtest.png",
        "pit.png",
        "reliability.png",
    ] {
        let a = std::fs::read(outs[0].join(f)).unwrap();
        let b = std::fs::read(outs[1].join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
}

#[test]
fn calibration_reports_estimates_per_origin() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bt");
    let run = geosim(
        dir.path(),
        &[
            "backtest",
            &fixture("backtest.toml"),
            "--origin",
            "2021-01",
            "--step",
            "6",
            "--calibrate",
            "--params",
            "variables.trust.rate",
            "--runs",
            "150",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .ok();
    assert!(
        run.stdout.contains("calibrated at each origin"),
        "{}",
        run.stdout
    );
    let s = summary(&out);
    let origins = s["origins"].as_array().unwrap();
    assert_eq!(origins.len(), 2);
    for o in origins {
        let est = o["calibration"]["estimates"]["variables.trust.rate"]
            .as_f64()
            .unwrap();
        // The prior is uniform on [0.05, 0.3].
        assert!((0.05..=0.3).contains(&est), "{est}");
        assert!(
            o["calibration"]["likelihood"]
                .as_str()
                .unwrap()
                .contains("particle filter")
        );
    }
    assert_eq!(s["calibrate"]["params"][0], "variables.trust.rate");
}

// --------------------------------------------- calibration of the forecasts

/// x(t+1) = (1 − r) x + r·bias + σ ε, observed monthly as x + N(0, sd²).
const RATE: f64 = 0.2;
const NOISE: f64 = 0.05;
const SD: f64 = 0.04;
const MONTHS: usize = 84;

fn random_walk(bias: f64, record: &[(usize, f64)]) -> String {
    let mut t = format!(
        "name = \"rw\"\n[time]\nstart = \"2020-01\"\nend = \"2026-12\"\n[variables.x]\nmin = -100\nmax = 100\ninitial = 0\nrate = {RATE}\nbias = {bias}\nnoise = {NOISE}\n"
    );
    for &(month, y) in record {
        let m = 2020 * 12 + month;
        t += &format!(
            "[[observations]]\ndate = \"{}-{:02}\"\nvariable = \"x\"\nvalue = {y}\nsd = {SD}\n",
            m / 12,
            m % 12 + 1
        );
    }
    t
}

/// A record drawn from the model itself: one run of geosim (the filter
/// with one run and no observations is the plain model), observed every
/// month with Gaussian error of sd `SD`.
fn synthetic_record() -> Vec<(usize, f64)> {
    let model = scenario::load_text("rw.toml", &random_walk(0.5, &[]), &[])
        .unwrap()
        .model;
    let capture: Vec<(usize, usize)> = (1..MONTHS).map(|t| (t, 0)).collect();
    let out = filter(
        &model,
        &FilterPlan {
            runs: 1,
            seed: 2024,
            fixed: &[],
            statistics: false,
            capture: &capture,
        },
    )
    .unwrap();
    let mut rng = run_rng(77, 0);
    out.captured
        .iter()
        .zip(&capture)
        .map(|(c, (t, _))| (*t, c.values[0] + SD * standard_normal(&mut rng)))
        .collect()
}

/// One-step-ahead PITs (the observation in each origin's month) of rolling
/// origins: for a correctly specified model these are independent and
/// uniform (Diebold, Gunther and Tay 1998); PITs of longer leads from
/// overlapping origins are not independent, so only the first is tested.
fn one_step_pits(bias: f64, record: &[(usize, f64)]) -> (Vec<f64>, f64) {
    let model = scenario::load_text("rw.toml", &random_walk(bias, record), &[])
        .unwrap()
        .model;
    let plan = Plan {
        origins: (12..MONTHS).collect(),
        runs: 1000,
        seed: 9,
        particles: 500,
        calibrate: None,
    };
    let b = backtest::backtest(&model, &plan).unwrap();
    let first: Vec<&backtest::Row> = b.rows.iter().filter(|r| r.ahead == 1).collect();
    assert_eq!(first.len(), MONTHS - 12, "one one-step forecast per origin");
    assert!(first.iter().all(|r| r.kind == Kind::Measured));
    let in90 = first.iter().filter(|r| r.in90 == Some(true)).count() as f64 / first.len() as f64;
    (first.iter().filter_map(|r| r.pit).collect(), in90)
}

#[test]
fn pit_values_are_uniform_for_a_correct_model_and_not_for_a_shifted_one() {
    let record = synthetic_record();
    let (pits, in90) = one_step_pits(0.5, &record);
    let u = pit_uniformity(&pits, 10);
    eprintln!(
        "correct model: {} PITs, chi² p = {}, KS p = {}, in90 {in90}, bins {:?}",
        pits.len(),
        u.p_value,
        u.ks_p_value,
        u.counts
    );
    assert!(u.p_value > 0.01 && u.ks_p_value > 0.01, "{u:?}");
    // 72 forecasts at 90 %: 3 binomial sd is about 0.11.
    assert!((in90 - 0.9).abs() < 0.11, "in90 {in90}");

    // The same record forecast with the equilibrium moved from 0.5 to 0.8:
    // every one-step forecast is too high by r·0.3 = 0.06, about one
    // predictive sd, so the PITs pile up low.
    let (pits, _) = one_step_pits(0.8, &record);
    let u = pit_uniformity(&pits, 10);
    eprintln!(
        "shifted model: chi² p = {}, KS p = {}, bins {:?}",
        u.p_value, u.ks_p_value, u.counts
    );
    assert!(u.ks_p_value < 0.01 && u.p_value < 0.01, "{u:?}");
}

// ------------------------------------------------------------ chart data

#[test]
fn chart_data_follow_the_backtest() {
    use geosim::charts::backtest::{BacktestChart, PitChart, ReliabilityChart};
    let model = scenario::load(&fixture("backtest.toml"), &[])
        .unwrap()
        .model;
    let origin = 12; // 2021-01
    let plan = Plan {
        origins: vec![6, origin],
        runs: 300,
        seed: 3,
        particles: 500,
        calibrate: None,
    };
    let b = backtest::backtest(&model, &plan).unwrap();
    let details = vec!["300 runs".to_string()];
    let chart = BacktestChart::new(&model, &b, &details).unwrap();
    // One panel per observed series (trust, alignment), in series order.
    let names: Vec<&str> = chart.panels.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["trust", "alignment"]);
    // The regime bands shade the regime variable's panel only.
    let bands: Vec<&str> = chart.panels[1]
        .shades
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(bands, ["cool", "warm", "close"]);
    assert!(chart.panels[0].shades.is_empty());
    // The axis runs from the month before the first observation (2020-03)
    // to the month after the last (2021-12); chart month k is model month
    // 2 + k − 1.
    assert_eq!(chart.time.start.to_string(), "2020-02");
    assert_eq!(chart.time.end.to_string(), "2022-01");
    assert_eq!(chart.origin, origin + 1 - 2);
    let last = model.observations.iter().map(|o| o.month).max().unwrap();
    for (p, fan) in chart.panels.iter().zip(&b.fans) {
        assert_eq!(p.first, chart.origin, "the fan starts at the last origin");
        assert_eq!(p.quantiles.len(), last - origin + 1);
        assert_eq!(p.quantiles, fan.quantiles);
        assert!(
            p.quantiles
                .iter()
                .all(|q| q.windows(2).all(|w| w[0] <= w[1]))
        );
        assert!(p.before.iter().all(|m| m.month < chart.origin));
        assert!(p.held_out.iter().all(|m| m.month >= chart.origin));
        let s = model
            .variables
            .iter()
            .position(|v| v.name == p.name)
            .unwrap();
        let count = model
            .observations
            .iter()
            .filter(|o| o.series.0 == s)
            .count();
        assert_eq!(p.before.len() + p.held_out.len(), count);
        assert!(p.y.0 < p.y.1);
    }
    let u = backtest::uniformity(&b.rows);
    let pit = PitChart::new(&model, &b, &u, &details).unwrap();
    let n: u64 = pit.counts.iter().sum();
    assert_eq!(
        n as usize,
        b.rows.iter().filter(|r| r.pit.is_some()).count()
    );
    let mean: f64 = pit.density.iter().sum::<f64>() / pit.density.len() as f64;
    assert!((mean - 1.0).abs() < 1e-12, "a density averages 1");
    assert!(pit.band.0 < 1.0 && 1.0 < pit.band.1);
    let rel = ReliabilityChart::new(&model, &b, &details).unwrap();
    let outcomes: usize = b.rows.iter().map(|r| r.probs.len()).sum();
    assert_eq!(rel.bins.iter().map(|x| x.count).sum::<usize>(), outcomes);
    // Every categorical row has exactly one outcome that happened.
    let happened: f64 = rel.bins.iter().map(|x| x.observed * x.count as f64).sum();
    let categorical = b.rows.iter().filter(|r| !r.probs.is_empty()).count();
    assert!((happened - categorical as f64).abs() < 1e-9);
    assert!(rel.bins.windows(2).all(|w| w[0].forecast < w[1].forecast));
}

#[test]
fn charts_without_data_are_skipped_with_a_note() {
    // Only measured observations: no reliability diagram.
    let dir = tempfile::tempdir().unwrap();
    let text = random_walk(0.5, &[(3, 0.1), (6, 0.2), (9, 0.25)]);
    let path = dir.path().join("rw.toml");
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("bt");
    let run = geosim(
        dir.path(),
        &[
            "backtest",
            path.to_str().unwrap(),
            "--origin",
            "2020-08",
            "--runs",
            "100",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .ok();
    assert!(
        run.stdout
            .contains("reliability.png not drawn: no interval or band observation"),
        "{}",
        run.stdout
    );
    assert_eq!(files(&out, ".png"), ["backtest.png", "pit.png"]);
}

#[test]
fn a_record_no_run_can_meet_is_an_error_naming_the_origin() {
    let dir = tempfile::tempdir().unwrap();
    // The alignment interval of 2020-06 made hard and out of reach.
    geosim(
        dir.path(),
        &[
            "backtest",
            &fixture("backtest.toml"),
            "--origin",
            "2021-01",
            "--runs",
            "50",
            "--no-charts",
            "--set",
            "observations.8.lo=0.95",
            "--set",
            "observations.8.hi=0.99",
            "--set",
            "observations.8.softness=0",
        ],
    )
    .fails(
        2,
        &[
            "at origin 2021-01",
            "no run is compatible with observation `2020-06 alignment`",
        ],
    );
}
