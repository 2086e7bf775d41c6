//! Calibration studies, run with `cargo bench --bench calibration`:
//!
//! 1. Coverage (simulation-based calibration): for each of REPS data sets,
//!    true values drawn from the priors of tests/fixtures/calibrate/recover.toml,
//!    a record of 12 observations with error sd 0.1 generated from them, and
//!    the full `calibrate --method mcmc` (4 chains × 1000 warm-up + 1000
//!    draws) run on it. A correct posterior's central 90 % intervals hold
//!    the truth in 90 % of the data sets; the profile intervals (a
//!    likelihood-based approximation) are reported beside them.
//! 2. Cost on the baseline with a synthetic record of 30 interval
//!    observations (benches/data/baseline_synthetic_record.toml) and five
//!    free parameters: `map` and `mcmc` with the default settings.
//!
//! `GEOSIM_COVERAGE_REPS` sets REPS (default 200); `GEOSIM_SKIP_BASELINE=1`
//! skips part 2.

use std::time::Instant;

use geosim::engine::{self, Workspace, run_rng};
use geosim::inference::calibrate::{Plan, calibrate};
use geosim::inference::likelihood::Method;
use geosim::inference::mcmc::McmcPlan;
use geosim::inference::{self};
use geosim::model::param::standard_normal;
use geosim::scenario;
use rand::RngExt;

const FIXTURE: &str = "tests/fixtures/calibrate/recover.toml";

/// The fixture with a record generated at (rate, weight), every second
/// month, errors of sd `sd` drawn with `seed`.
fn record(text: &str, rate: f64, weight: f64, sd: f64, seed: u64) -> String {
    let sets = vec![
        format!("variables.x.rate={rate}"),
        format!("influences.\"d -> x\".weight={weight}"),
    ];
    let s = scenario::load_text("recover.toml", text, &sets).expect("fixture loads");
    let m = &s.model;
    let mut ws = Workspace::new(m);
    engine::deterministic(m, &mut ws);
    let n = m.n_sources();
    let mut rng = run_rng(seed, 7);
    let mut out = text.to_string();
    for t in (1..m.months()).step_by(2) {
        let y = ws.trajectory[t * n] + sd * standard_normal(&mut rng);
        out.push_str(&format!(
            "\n[[observations]]\ndate = \"{}\"\nvariable = \"x\"\nvalue = {y:?}\nsd = {sd}\n",
            m.date(t)
        ));
    }
    out
}

/// A binomial proportion's 95 % Wilson interval.
fn wilson(k: usize, n: usize) -> (f64, f64) {
    let (k, n, z) = (k as f64, n as f64, 1.959_964);
    let p = k / n;
    let c = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let h = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    (c - h, c + h)
}

fn coverage(reps: u64) {
    let text = std::fs::read_to_string(FIXTURE).expect("run from the repository root");
    let started = Instant::now();
    let (mut posterior, mut profile) = ([0usize; 2], [0usize; 2]);
    for rep in 0..reps {
        let mut rng = run_rng(99, rep);
        let truth = [
            0.1 + 0.4 * rng.random::<f64>(),
            0.5 + 0.2 * standard_normal(&mut rng),
        ];
        let s = scenario::load_text(
            "recover.toml",
            &record(&text, truth[0], truth[1], 0.1, rep),
            &[],
        )
        .expect("record loads");
        let free = inference::select(&s.model, &[]).expect("two priors");
        let plan = Plan {
            method: Method::Deterministic,
            starts: 4,
            grid: 15,
            mcmc: Some(McmcPlan {
                chains: 4,
                warmup: 1000,
                draws: 1000,
                seed: rep,
            }),
            seed: rep,
        };
        let cal = calibrate(&s.model, &free, &plan);
        for (j, t) in truth.iter().enumerate() {
            let e = &cal.params[j];
            let post = e.posterior.as_ref().expect("a sample");
            posterior[j] += usize::from(post.q05 <= *t && *t <= post.q95);
            profile[j] += usize::from(e.interval.lo <= *t && *t <= e.interval.hi);
        }
    }
    let n = reps as usize;
    println!(
        "coverage of 90 % intervals over {reps} simulated data sets ({:.1} s):",
        started.elapsed().as_secs_f64()
    );
    for (j, name) in ["variables.x.rate", "influences.\"d -> x\".weight"]
        .iter()
        .enumerate()
    {
        for (what, k) in [("posterior (MCMC)", posterior[j]), ("profile", profile[j])] {
            let (lo, hi) = wilson(k, n);
            println!(
                "  {name:<28} {what:<17} {k:>4}/{n} = {:.3}  (95 % CI {lo:.3}-{hi:.3})",
                k as f64 / n as f64
            );
        }
    }
}

fn baseline() {
    let s = scenario::load("benches/data/baseline_synthetic_record.toml", &[])
        .expect("the bench scenario loads");
    let globs: Vec<String> = [
        "influences.\"trust -> alignment\".weight",
        "variables.tension.rate",
        "influences.\"western_ties -> tension\".weight",
        "influences.\"trade -> tension\".weight",
        "influences.\"war_load -> russian_leverage\".weight",
    ]
    .iter()
    .map(|g| g.to_string())
    .collect();
    let free = inference::select(&s.model, &globs).expect("five priors");
    for mcmc in [
        None,
        Some(McmcPlan {
            chains: 4,
            warmup: 1000,
            draws: 1000,
            seed: 1,
        }),
    ] {
        let plan = Plan {
            method: Method::for_model(&s.model, 500, 1),
            starts: 4,
            grid: 15,
            mcmc,
            seed: 1,
        };
        let started = Instant::now();
        let cal = calibrate(&s.model, &free, &plan);
        let [mode, profiles, sample] = cal.evaluations_by_step;
        println!(
            "baseline, 30 observations, 5 parameters, {}: {:.1} s, {} filter evaluations (mode {mode}, profiles {profiles}, sample {sample})",
            if mcmc.is_some() { "mcmc" } else { "map" },
            started.elapsed().as_secs_f64(),
            cal.evaluations
        );
    }
}

fn main() {
    // `cargo bench` passes --bench; a plain `cargo test --benches` passes
    // nothing: run the study only when asked to benchmark.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let reps = std::env::var("GEOSIM_COVERAGE_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    coverage(reps);
    if std::env::var_os("GEOSIM_SKIP_BASELINE").is_none() {
        baseline();
    }
}
