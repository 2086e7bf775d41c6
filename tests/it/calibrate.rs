//! `geosim calibrate` and `run --posterior` (docs/FORMAT.md section 25):
//! known parameter values calibrated back from a record generated with
//! them, the coverage of posterior intervals, result files, reproducibility
//! and errors.

use std::path::Path;

use geosim::engine::{self, Workspace, run_rng};
use geosim::inference::calibrate::{Plan, calibrate};
use geosim::inference::likelihood::{Likelihood, Method};
use geosim::inference::map::{Target, maximize};
use geosim::inference::mcmc::{self, McmcPlan};
use geosim::inference::{self};
use geosim::model::param::standard_normal;
use geosim::scenario;
use rand::RngExt;

use crate::support::{fixture, geosim};

const RATE: &str = "variables.x.rate";
const WEIGHT: &str = "influences.\"d -> x\".weight";

/// recover.toml with a record generated at `rate` and `weight`: `x` every
/// second month, reported with error sd `sd`; the errors are drawn from
/// `noise_seed`, or left out (exact values) without one.
fn with_record(rate: f64, weight: f64, sd: f64, noise_seed: Option<u64>) -> String {
    let text = std::fs::read_to_string(fixture("calibrate/recover.toml")).unwrap();
    let sets = vec![format!("{RATE}={rate}"), format!("{WEIGHT}={weight}")];
    let s = scenario::load_text("recover.toml", &text, &sets).unwrap();
    let m = &s.model;
    let mut ws = Workspace::new(m);
    engine::deterministic(m, &mut ws);
    let n = m.n_sources();
    let mut rng = run_rng(noise_seed.unwrap_or(0), 7);
    let mut out = text.clone();
    for t in (1..m.months()).step_by(2) {
        let e = noise_seed.map_or(0.0, |_| sd * standard_normal(&mut rng));
        out.push_str(&format!(
            "\n[[observations]]\ndate = \"{}\"\nvariable = \"x\"\nvalue = {:?}\nsd = {sd}\n",
            m.date(t),
            ws.trajectory[t * n] + e
        ));
    }
    out
}

fn model_of(text: &str) -> geosim::model::Model {
    scenario::load_text("recover.toml", text, &[])
        .unwrap()
        .model
}

#[test]
fn the_mode_recovers_the_values_that_generated_the_record() {
    let m = model_of(&with_record(0.3, 0.8, 0.02, None));
    let free = inference::select(&m, &[]).unwrap();
    let paths: Vec<&str> = free.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, [RATE, WEIGHT]);
    let plan = Plan {
        method: Method::for_model(&m, 100, 1),
        starts: 3,
        grid: 9,
        mcmc: None,
        seed: 1,
    };
    assert_eq!(plan.method, Method::Deterministic, "no noise, no incidents");
    let cal = calibrate(&m, &free, &plan);
    // Exact values with sd 0.02 at 12 months: the likelihood is sharp and
    // the priors (centred at 0.3 and 0.5) pull the mode by far less than this.
    let truth = [0.3, 0.8];
    for ((e, t), f) in cal.params.iter().zip(truth).zip(&free) {
        assert!(
            (e.estimate - t).abs() < 0.01,
            "{}: {} vs {t}",
            f.path,
            e.estimate
        );
        let (plo, phi) = f.prior.interval(0.9);
        assert!(
            e.interval.lo < t && t < e.interval.hi,
            "{}: {:?}",
            f.path,
            e.interval
        );
        assert!(e.interval.lo_closed && e.interval.hi_closed);
        assert!(
            e.interval.hi - e.interval.lo < 0.25 * (phi - plo),
            "the record narrows {}: {:?} vs prior [{plo}, {phi}]",
            f.path,
            e.interval
        );
        assert!(e.likelihood_range > 10.0, "{}", f.path);
    }
    assert!(cal.warnings.is_empty(), "{:?}", cal.warnings);
}

/// Simulation-based calibration: with the true values drawn from the
/// priors and the record from the model, a correct posterior's 90 %
/// intervals hold the truth 90 % of the time, exactly, at any sample size.
/// 40 data sets × 2 parameters = 80 intervals (not all independent: two
/// per data set): a binomial(80, 0.9) count has mean 72 and sd 2.7, and the
/// test accepts 64 to 79 covered (about 3 sd below; 80 of 80 would mean
/// intervals too wide).
#[test]
fn posterior_intervals_cover_the_truth_about_90_percent_of_the_time() {
    let reps = 40;
    let mut covered = 0;
    for rep in 0..reps {
        let mut rng = run_rng(2024, rep);
        let rate = 0.1 + 0.4 * rng.random::<f64>();
        let weight = 0.5 + 0.2 * standard_normal(&mut rng);
        let m = model_of(&with_record(rate, weight, 0.1, Some(rep)));
        let free = inference::select(&m, &[]).unwrap();
        let lik = Likelihood::new(&m, &free, Method::Deterministic);
        let target = Target::new(&free, &lik);
        let fit = maximize(&target, 1, rep);
        let plan = McmcPlan {
            chains: 2,
            warmup: 400,
            draws: 500,
            seed: rep,
        };
        let chains = mcmc::sample(&target, &fit.best.x, &[0.3, 0.3], plan);
        for (j, truth) in [rate, weight].into_iter().enumerate() {
            let mut draws: Vec<f64> = chains.iter().flat_map(|c| c.column(j, 2)).collect();
            draws.sort_by(f64::total_cmp);
            let q = |p: f64| draws[((draws.len() - 1) as f64 * p).round() as usize];
            if q(0.05) <= truth && truth <= q(0.95) {
                covered += 1;
            }
        }
    }
    eprintln!("{covered} of {} intervals cover", 2 * reps);
    assert!(
        (64..80).contains(&covered),
        "{covered} of {} 90 % intervals hold the truth",
        2 * reps
    );
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The data rows of a CSV with `#` comments: (header, rows).
fn table(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], rows: &[Vec<String>], name: &str) -> Vec<f64> {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    rows.iter().map(|r| r[i].parse().unwrap()).collect()
}

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

#[test]
fn calibrate_writes_its_files_and_run_draws_whole_posterior_rows() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Few observations, a loose error: the two parameters trade off.
    std::fs::write(d.join("rec.toml"), with_record(0.3, 0.8, 0.15, Some(3))).unwrap();
    let args = [
        "calibrate",
        "rec.toml",
        "--method",
        "mcmc",
        "--chains",
        "2",
        "--warmup",
        "300",
        "--draws",
        "300",
        "--grid",
        "7",
        "--out",
        "cal",
    ];
    let run = geosim(d, &args).ok();
    assert!(run.stdout.contains("variables.x.rate"), "{}", run.stdout);
    let cal = d.join("cal");
    for f in [
        "fit.csv",
        "profiles.csv",
        "profiles.png",
        "calibrated.toml",
        "scenario.resolved.toml",
        "summary.json",
        "posterior.csv",
        "diagnostics.csv",
        "trace.png",
        "pairs.png",
    ] {
        assert!(cal.join(f).is_file(), "{f} missing");
    }
    let (h, fit) = table(&read(&cal, "fit.csv"));
    assert_eq!(
        h[..5],
        ["param", "prior_central", "estimate", "lo90", "hi90"]
    );
    assert_eq!(fit.len(), 2);
    let estimates = column(&h, &fit, "estimate");
    let (h, diag) = table(&read(&cal, "diagnostics.csv"));
    assert_eq!(
        h,
        [
            "param", "mean", "sd", "q05", "q50", "q95", "rhat", "ess_bulk", "ess_tail"
        ]
    );
    assert_eq!(diag.len(), 3, "two parameters and the log posterior");
    let summary: serde_json::Value = serde_json::from_str(&read(&cal, "summary.json")).unwrap();
    assert_eq!(summary["likelihood"], "deterministic");
    assert_eq!(summary["mcmc"]["chains"], 2);

    // calibrated.toml extends the resolved scenario and sets the estimates.
    let calibrated = scenario::load(cal.join("calibrated.toml").to_str().unwrap(), &[]).unwrap();
    for (path, e) in [RATE, WEIGHT].iter().zip(&estimates) {
        let p = calibrated
            .model
            .params
            .iter()
            .find(|p| p.path == *path)
            .unwrap();
        assert!((p.central() - e).abs() <= 1e-8 * e.abs().max(1.0), "{path}");
        assert!(!p.dist.is_uncertain(), "{path} is set to a number");
    }
    assert_eq!(calibrated.model.name, "recover-calibrated");

    // The posterior sample: chain, draw, log posterior, one column per path.
    let posterior = read(&cal, "posterior.csv");
    assert!(posterior.contains("# scenario: recover"));
    assert!(
        posterior
            .contains("# prior: variables.x.rate ~ { dist = \"uniform\", min = 0.1, max = 0.5 }")
    );
    let (h, rows) = table(&posterior);
    assert_eq!(h, ["chain", "draw", "log_posterior", RATE, WEIGHT]);
    assert_eq!(rows.len(), 600);
    let (pr, pw) = (column(&h, &rows, RATE), column(&h, &rows, WEIGHT));
    let sample_r = correlation(&pr, &pw);

    // run --posterior: every run's pair of values is one row of the sample,
    // so the correlation between them survives.
    geosim(
        d,
        &[
            "run",
            "rec.toml",
            "--posterior",
            "cal/posterior.csv",
            "--runs",
            "1000",
            "--save-runs",
            "1000",
            "--no-charts",
            "--out",
            "post",
        ],
    )
    .ok();
    let (h, runs) = table(&read(&d.join("post"), "params.csv"));
    let (rr, rw) = (column(&h, &runs, RATE), column(&h, &runs, WEIGHT));
    let rows_set: std::collections::HashSet<(u64, u64)> = pr
        .iter()
        .zip(&pw)
        .map(|(a, b)| (a.to_bits(), b.to_bits()))
        .collect();
    let from_rows = rr
        .iter()
        .zip(&rw)
        .filter(|(a, b)| {
            // params.csv keeps 9 significant digits: find the row it rounds.
            rows_set.contains(&(a.to_bits(), b.to_bits()))
                || pr.iter().zip(&pw).any(|(x, y)| {
                    (x - *a).abs() <= 1e-8 * x.abs().max(1.0)
                        && (y - *b).abs() <= 1e-8 * y.abs().max(1.0)
                })
        })
        .count();
    assert_eq!(from_rows, 1000, "every run takes a whole row of the sample");
    let run_r = correlation(&rr, &rw);
    assert!(
        sample_r.abs() > 0.2,
        "the fixture makes the parameters trade off: r = {sample_r}"
    );
    assert!(
        (run_r - sample_r).abs() < 0.1,
        "runs r = {run_r}, sample r = {sample_r}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&read(&d.join("post"), "summary.json")).unwrap();
    assert_eq!(summary["posterior"]["rows"], 600);
    assert!(
        read(&d.join("post"), "scenario.resolved.toml").contains("--posterior cal/posterior.csv")
    );

    // Refusals: another version of the scenario, conditioning, a bad file.
    geosim(
        d,
        &[
            "run",
            "rec.toml",
            "--posterior",
            "cal/posterior.csv",
            "--set",
            "variables.x.initial=0.1",
            "-q",
        ],
    )
    .fails(
        2,
        &[
            "another version of `recover`",
            "--posterior-from-other-scenario",
        ],
    );
    geosim(
        d,
        &[
            "run",
            "rec.toml",
            "--posterior",
            "cal/posterior.csv",
            "--set",
            "variables.x.initial=0.1",
            "--posterior-from-other-scenario",
            "-q",
            "--no-charts",
            "--out",
            "other",
        ],
    )
    .ok();
    geosim(
        d,
        &[
            "run",
            "rec.toml",
            "--posterior",
            "cal/posterior.csv",
            "--condition",
            "-q",
        ],
    )
    .fails(2, &["count the record twice"]);
    geosim(
        d,
        &[
            "run",
            "cal/calibrated.toml",
            "--posterior",
            "cal/posterior.csv",
            "--posterior-from-other-scenario",
            "-q",
        ],
    )
    .fails(2, &["variables.x.rate` had the prior", "does not apply"]);
    let bad = posterior.replacen(&format!("{RATE},"), "variables.x.rat,", 1);
    std::fs::write(d.join("bad.csv"), bad).unwrap();
    geosim(d, &["run", "rec.toml", "--posterior", "bad.csv", "-q"]).fails(
        2,
        &[
            "bad.csv:",
            "`variables.x.rat` is not a parameter",
            "did you mean `variables.x.rate`",
        ],
    );
    let lines: Vec<&str> = posterior.lines().collect();
    let data_line = lines.iter().position(|l| l.starts_with("1,5,")).unwrap();
    let mut broken: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    broken[data_line] = "1,5,0.1,0.7".into();
    std::fs::write(d.join("short.csv"), broken.join("\n")).unwrap();
    geosim(d, &["run", "rec.toml", "--posterior", "short.csv", "-q"])
        .fails(2, &[&format!("short.csv:{}", data_line + 1), "4 cells"]);
    broken[data_line] = "1,5,0.1,7.5,0.7".into();
    std::fs::write(d.join("range.csv"), broken.join("\n")).unwrap();
    geosim(d, &["run", "rec.toml", "--posterior", "range.csv", "-q"]).fails(
        2,
        &[&format!("range.csv:{}", data_line + 1), "variables.x.rate"],
    );
}

#[test]
fn calibration_is_the_same_on_any_thread_count_with_the_filter() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let noisy = fixture("calibrate/noisy.toml");
    let args = |threads: &'static str, out: &'static str| {
        vec![
            "calibrate".to_string(),
            noisy.clone(),
            "--particles".into(),
            "100".into(),
            "--starts".into(),
            "2".into(),
            "--grid".into(),
            "5".into(),
            "--threads".into(),
            threads.into(),
            "--no-charts".into(),
            "--out".into(),
            out.into(),
        ]
    };
    let a1: Vec<String> = args("1", "one");
    let a2: Vec<String> = args("2", "two");
    let run = geosim(d, &a1.iter().map(String::as_str).collect::<Vec<_>>()).ok();
    assert!(
        run.stdout
            .contains("particle filter estimate with 100 runs"),
        "{}",
        run.stdout
    );
    geosim(d, &a2.iter().map(String::as_str).collect::<Vec<_>>()).ok();
    for f in ["fit.csv", "profiles.csv", "calibrated.toml"] {
        // calibrated.toml's first line quotes the command, --threads included.
        let body = |dir: &str| {
            read(&d.join(dir), f)
                .lines()
                .skip(1)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(body("one"), body("two"), "{f}");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&read(&d.join("one"), "summary.json")).unwrap();
    assert_eq!(summary["likelihood"], "particle filter");
    assert_eq!(summary["particles"], 100);
}

#[test]
fn bad_calibration_requests_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let recover = fixture("calibrate/recover.toml");
    geosim(d, &["calibrate", &recover]).fails(2, &["has no [[observations]]", "section 24"]);
    let noisy = fixture("calibrate/noisy.toml");
    geosim(d, &["calibrate", &noisy, "--params", "variables.z*"])
        .fails(2, &["matches no parameter", "--list-params"]);
    geosim(d, &["calibrate", &noisy, "--params", "variables.x.initial"])
        .fails(2, &["plain number", "give it a distribution"]);
    geosim(d, &["calibrate", &noisy, "--method", "gradient"]).fails(2, &["gradient"]);
    let list = geosim(d, &["calibrate", &noisy, "--list-params"]).ok();
    assert!(list.stdout.contains("variables.x.rate"), "{}", list.stdout);
    assert!(
        list.stdout.contains("variables.x.initial = 0"),
        "{}",
        list.stdout
    );
}
