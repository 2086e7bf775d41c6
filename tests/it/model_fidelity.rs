//! Fidelity of the shipped Baku–Moscow model (`scenarios/*.toml`).
//!
//! Three checks:
//! - every shipped scenario carries the record (`scenarios/data/record.csv`,
//!   coded from the five articles by the rules of docs/MODEL.md, "The
//!   record"), inherited from the baseline;
//! - against the record, for every scenario: (a) the conditioned ensemble
//!   passes through it with a healthy effective sample size, and (b) the
//!   prior (unconditioned) ensemble gives no observation of the record less
//!   than a small probability. These replace the hand-tuned assertions on
//!   the deterministic 2020–2025 arc, which tested the model against numbers
//!   tuned to pass them;
//! - each thesis moves the 2030 outcome its mechanism is about in the
//!   direction the mechanism implies, compared with the baseline (not
//!   "leads every other thesis": that invited tuning one thesis against
//!   another), and each driver case changes the future only.
//!
//! Every threshold below is explained in docs/MODEL.md ("The record",
//! "Distinct futures"). A scenario that fails a record test is not tuned to
//! pass it: its test is ignored with the failing numbers in the reason, so
//! the finding stays visible (`cargo test -- --ignored` runs them).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const SCENARIOS: [&str; 6] = [
    "baseline",
    "proxy_drift",
    "balancing_act",
    "western_realignment",
    "russian_world_exit",
    "asymmetric_interdependence",
];

/// Driver cases: the baseline with one driver's future (from 2026) changed.
const CASES: [&str; 3] = ["war_ends", "sanctions_relief", "instc_missed"];

/// Pinned so that the test does not move when someone edits `[ensemble]`.
const RUNS: &str = "1000";
const SEED: &str = "20241225";

fn scenario_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"))
}

fn geosim(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_geosim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the geosim binary runs");
    assert!(
        out.status.success(),
        "geosim {args:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run_scenario(name: &str, out: &Path, extra: &[&str]) {
    let file = scenario_file(name);
    let mut args = vec![
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    geosim(&args);
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn num(text: &str) -> f64 {
    text.parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

// ---------------------------------------------------------------- the record

fn in_window(date: &str, from: &str, to: &str) -> bool {
    from <= date && date <= to
}

/// The conditioned ensemble is healthy when, at every month with
/// observations, the effective sample size after weighting is at least this
/// share of the runs (100 of 1000): below about a tenth the weighted
/// population rests on a few lineages and its statistics and log evidence
/// are dominated by them.
const MIN_ESS_SHARE: f64 = 0.10;

/// No observation of the record may be given less than this probability by
/// the prior (unconditioned) ensemble.
const MIN_PRIOR_PROBABILITY: f64 = 0.01;

/// The number of observations in `scenarios/data/record.csv`.
const RECORD_SIZE: usize = 36;

/// A shipped scenario with the pinned ensemble size and seed.
fn model(name: &str) -> geosim::model::Model {
    let file = scenario_file(name);
    geosim::scenario::load(
        file.to_str().unwrap(),
        &[
            format!("ensemble.runs={RUNS}"),
            format!("ensemble.seed={SEED}"),
        ],
    )
    .unwrap_or_else(|e| panic!("{name}: {e:?}"))
    .model
}

fn runs() -> u64 {
    RUNS.parse().unwrap()
}

fn seed() -> u64 {
    SEED.parse().unwrap()
}

/// How an observation reads in a message: its label and its interval.
fn describe(o: &geosim::model::Observation) -> String {
    let (lo, hi) = o.range();
    format!("{} [{lo}, {hi}]", o.label)
}

#[test]
fn every_scenario_carries_the_record() {
    let base = model("baseline");
    assert_eq!(
        base.observations.len(),
        RECORD_SIZE,
        "the baseline should read the {RECORD_SIZE} observations of data/record.csv"
    );
    for o in &base.observations {
        let source = o.source.as_deref().unwrap_or("");
        assert!(
            source.starts_with("S00") && source.contains('\''),
            "{}: the source should start with a key and hold a quote: {source:?}",
            o.label
        );
        let year = o.date.to_string();
        assert!(
            in_window(&year, "2020-01", "2025-12"),
            "{}: the record covers 2020–2025",
            o.label
        );
    }
    for name in SCENARIOS.iter().chain(&CASES) {
        let m = model(name);
        assert_eq!(
            m.observations, base.observations,
            "{name} should inherit the baseline's record unchanged"
        );
    }
}

/// (a): conditions `name` on the record with the pinned runs and seed; an
/// error message names every month whose effective sample size is below
/// the threshold, with that month's observations.
fn conditioned_check(name: &str) -> Result<String, String> {
    let model = model(name);
    let (_, c) = geosim::engine::filter::run_filter(&model, runs(), seed())
        .map_err(|e| format!("{name}: no run is compatible with the record: {e:?}"))?;
    let floor = MIN_ESS_SHARE * runs() as f64;
    let (min_month, min_ess) = c
        .steps
        .iter()
        .map(|&(t, ess, _)| (t, ess))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("the record has observation months");
    let summary = format!(
        "{name}: log evidence {:.2} ± {:.2}, smallest ESS {min_ess:.1} of {RUNS} in {}",
        c.log_evidence,
        c.log_evidence_se,
        model.date(min_month)
    );
    let failures: Vec<String> = c
        .steps
        .iter()
        .filter(|s| s.1 < floor)
        .map(|&(t, ess, _)| {
            let seen: Vec<String> = model
                .observations
                .iter()
                .filter(|o| o.month == t)
                .map(describe)
                .collect();
            format!(
                "  {}: ESS {ess:.1} < {floor} ({})",
                model.date(t),
                seen.join("; ")
            )
        })
        .collect();
    if failures.is_empty() {
        Ok(summary)
    } else {
        Err(format!("{summary}\n{}", failures.join("\n")))
    }
}

/// (b): the share of prior runs compatible with each observation is the
/// mean over runs of its likelihood, i.e. for an interval with a soft edge
/// the probability Φ((y − lo)/s) − Φ((y − hi)/s) that the run's value y plus
/// a normal error of sd `softness` lies inside (docs/FORMAT.md section 24):
/// the prior predictive probability of the observation.
fn prior_check(name: &str) -> Result<String, String> {
    let model = model(name);
    let ns = model.n_sources();
    let mut ws = geosim::engine::Workspace::new(&model);
    let mut p = vec![0.0; model.observations.len()];
    for run in 0..runs() {
        geosim::engine::stochastic_run(&model, &mut ws, seed(), run);
        for (pi, o) in p.iter_mut().zip(&model.observations) {
            let x = ws.trajectory[o.month * ns + o.series.0];
            *pi += o.log_likelihood(x).exp();
        }
    }
    let mut rows: Vec<(f64, String)> = p
        .iter()
        .zip(&model.observations)
        .map(|(pi, o)| (pi / runs() as f64, describe(o)))
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let summary = format!(
        "{name}: least probable observation under the prior: {} with {:.4}",
        rows[0].1, rows[0].0
    );
    let failures: Vec<String> = rows
        .iter()
        .filter(|r| r.0 < MIN_PRIOR_PROBABILITY)
        .map(|(pi, what)| format!("  {what}: prior probability {pi:.4} < {MIN_PRIOR_PROBABILITY}"))
        .collect();
    if failures.is_empty() {
        Ok(summary)
    } else {
        Err(format!("{summary}\n{}", failures.join("\n")))
    }
}

fn report(result: Result<String, String>) {
    match result {
        Ok(s) => eprintln!("{s}"),
        Err(e) => panic!("{e}"),
    }
}

macro_rules! record_tests {
    ($($(#[$attr:meta])* $test:ident => $check:ident($name:literal);)*) => {
        $(
            #[test]
            $(#[$attr])*
            fn $test() {
                report($check($name));
            }
        )*
    };
}

record_tests! {
    baseline_conditioned_passes_through_the_record => conditioned_check("baseline");
    #[ignore = "fails (runs 1000, seed 20241225): ESS 15.4 of 1000 in 2025-01 (threshold 100; alignment [-0.5, 0.2], tension [0.2, 0.7], trust [0.05, 0.55]); seeds 1-3: 14.0, 7.6, 11.1. Log evidence -12.48 ± 0.26. docs/MODEL.md, The record"]
    proxy_drift_conditioned_passes_through_the_record => conditioned_check("proxy_drift");
    balancing_act_conditioned_passes_through_the_record => conditioned_check("balancing_act");
    western_realignment_conditioned_passes_through_the_record => conditioned_check("western_realignment");
    #[ignore = "fails (runs 1000, seed 20241225): ESS 4.9 of 1000 in 2025-12 (threshold 100; alignment [-0.15, 0.55] and five other 2025-12 intervals); seeds 1-3: 6.1, 1.0, 3.8. Log evidence -15.93 ± 0.45. docs/MODEL.md, The record"]
    russian_world_exit_conditioned_passes_through_the_record => conditioned_check("russian_world_exit");
    asymmetric_interdependence_conditioned_passes_through_the_record => conditioned_check("asymmetric_interdependence");

    baseline_prior_gives_every_observation_a_chance => prior_check("baseline");
    #[ignore = "fails (runs 1000, seed 20241225): prior probability 0.0044 for 2025-07 band estrangement and 0.0070 for 2025-01 alignment [-0.5, 0.2] < 0.01. docs/MODEL.md, The record"]
    proxy_drift_prior_gives_every_observation_a_chance => prior_check("proxy_drift");
    #[ignore = "fails (runs 1000, seed 20241225): prior probability 0.0062 for 2022-02 band partnership < 0.01 (strong hedging damps the allied declaration). docs/MODEL.md, The record"]
    balancing_act_prior_gives_every_observation_a_chance => prior_check("balancing_act");
    western_realignment_prior_gives_every_observation_a_chance => prior_check("western_realignment");
    russian_world_exit_prior_gives_every_observation_a_chance => prior_check("russian_world_exit");
    asymmetric_interdependence_prior_gives_every_observation_a_chance => prior_check("asymmetric_interdependence");
}

// ---------------------------------------------------------------- futures

/// What a scenario's 2030 looks like in its seeded (prior) ensemble.
#[derive(Debug)]
struct Future {
    /// Share of runs per regime band in the final month (2030-12).
    shares: HashMap<String, f64>,
    /// Ensemble median of each variable in 2030-12.
    median: HashMap<String, f64>,
    /// Ensemble mean of tension averaged over 2027-01..2030-12.
    tension: f64,
}

impl Future {
    fn share(&self, bands: &[&str]) -> f64 {
        bands.iter().map(|b| self.shares[*b]).sum()
    }
}

fn future(name: &str) -> Future {
    let dir = tempfile::tempdir().unwrap();
    run_scenario(name, dir.path(), &["--runs", RUNS, "--seed", SEED]);

    let (header, rows) = read_csv(&dir.path().join("regimes.csv"));
    let last = rows.last().expect("regimes.csv has rows");
    assert_eq!(
        last[0], "2030-12",
        "{name}: regimes.csv should end in 2030-12"
    );
    let shares: HashMap<String, f64> = header
        .iter()
        .skip(1)
        .cloned()
        .zip(last.iter().skip(1).map(|v| num(v)))
        .collect();
    let total: f64 = shares.values().sum();
    assert!(
        (total - 1.0).abs() < 1e-6,
        "{name}: regime shares sum to {total}"
    );

    let (header, rows) = read_csv(&dir.path().join("ensemble.csv"));
    let col = |n: &str| {
        header
            .iter()
            .position(|h| h == n)
            .unwrap_or_else(|| panic!("ensemble.csv has no {n}"))
    };
    let (date, var, mean, p50) = (col("date"), col("variable"), col("mean"), col("p50"));
    let mut median = HashMap::new();
    let mut tension = Vec::new();
    for r in &rows {
        if r[date] == "2030-12" {
            median.insert(r[var].clone(), num(&r[p50]));
        }
        if r[var] == "tension" && in_window(&r[date], "2027-01", "2030-12") {
            tension.push(num(&r[mean]));
        }
    }
    assert_eq!(
        tension.len(),
        48,
        "{name}: 48 months of tension in 2027–2030"
    );
    Future {
        shares,
        median,
        tension: tension.iter().sum::<f64>() / tension.len() as f64,
    }
}

fn futures(names: &[&str]) -> HashMap<String, Future> {
    std::thread::scope(|s| {
        let handles: Vec<_> = names
            .iter()
            .map(|n| (*n, s.spawn(move || future(n))))
            .collect();
        handles
            .into_iter()
            .map(|(n, h)| (n.to_string(), h.join().unwrap()))
            .collect()
    })
}

/// A claim that `who`'s `what` lies on the stated side of the baseline's;
/// returns a message when it does not.
fn beyond_baseline(
    futures: &HashMap<String, Future>,
    who: &str,
    what: &str,
    higher: bool,
    score: impl Fn(&Future) -> f64,
) -> Option<String> {
    let (mine, base) = (score(&futures[who]), score(&futures["baseline"]));
    let holds = if higher { mine > base } else { mine < base };
    let side = if higher { "above" } else { "below" };
    (!holds).then(|| format!("{who}: {what} {mine:.3} should lie {side} the baseline's {base:.3}"))
}

/// Each thesis changes the outcome its mechanism is about in the direction
/// the mechanism implies: a sign, not a size and not a ranking among the
/// theses, so no thesis parameter can be tuned against it. The shares and
/// medians are in docs/MODEL.md ("Distinct futures").
#[test]
fn each_thesis_moves_its_outcome_the_way_its_mechanism_implies() {
    let f = futures(&SCENARIOS);
    let failures: Vec<String> = [
        beyond_baseline(&f, "proxy_drift", "proxy+partnership share", true, |f| {
            f.share(&["proxy", "partnership"])
        }),
        beyond_baseline(&f, "balancing_act", "balancing share", true, |f| {
            f.share(&["balancing"])
        }),
        beyond_baseline(
            &f,
            "western_realignment",
            "median western_ties",
            true,
            |f| f.median["western_ties"],
        ),
        beyond_baseline(&f, "western_realignment", "median alignment", false, |f| {
            f.median["alignment"]
        }),
        beyond_baseline(
            &f,
            "russian_world_exit",
            "rupture+estrangement share",
            true,
            |f| f.share(&["rupture", "estrangement"]),
        ),
        beyond_baseline(
            &f,
            "asymmetric_interdependence",
            "mean tension 2027–2030",
            false,
            |f| f.tension,
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A driver case shares the baseline's past exactly (its driver changes
/// from 2026, after the record), so its conditioned log evidence is the
/// baseline's to the last bit; and its driver moves the variable it feeds
/// in the direction the weights imply.
#[test]
fn driver_cases_change_the_future_only() {
    let evidence = |name: &str| {
        let (_, c) = geosim::engine::filter::run_filter(&model(name), runs(), seed())
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        c.log_evidence
    };
    let base = evidence("baseline");
    for name in CASES {
        assert_eq!(
            evidence(name).to_bits(),
            base.to_bits(),
            "{name} should leave the past (and so the evidence) unchanged"
        );
    }
    let mut names = CASES.to_vec();
    names.push("baseline");
    let f = futures(&names);
    let failures: Vec<String> = [
        // Less war, more of Moscow's hand free in the Caucasus.
        beyond_baseline(&f, "war_ends", "median russian_leverage", true, |f| {
            f.median["russian_leverage"]
        }),
        // Sanctions are what make Azerbaijan Russia's route south.
        beyond_baseline(
            &f,
            "sanctions_relief",
            "median transit_dependence",
            false,
            |f| f.median["transit_dependence"],
        ),
        beyond_baseline(
            &f,
            "instc_missed",
            "median transit_dependence",
            false,
            |f| f.median["transit_dependence"],
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
