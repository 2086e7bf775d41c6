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
//! - the six seeded ensembles give the distinct 2030 futures their theses
//!   argue for.
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

/// Pinned so that the test does not move when someone edits `[ensemble]`.
const RUNS: &str = "1000";
const SEED: &str = "20241225";

const BANDS: [&str; 5] = [
    "rupture",
    "estrangement",
    "balancing",
    "partnership",
    "proxy",
];

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
    for name in SCENARIOS {
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
    #[ignore = "fails (runs 1000, seed 20241225): ESS 31.1 of 1000 in 2025-01 (threshold 100; alignment [-0.5, 0.2], tension [0.2, 0.7], trust [0.05, 0.55]); seeds 1-3: 40-46. Log evidence -8.81 ± 0.20. docs/MODEL.md, The record"]
    proxy_drift_conditioned_passes_through_the_record => conditioned_check("proxy_drift");
    balancing_act_conditioned_passes_through_the_record => conditioned_check("balancing_act");
    western_realignment_conditioned_passes_through_the_record => conditioned_check("western_realignment");
    #[ignore = "fails (runs 1000, seed 20241225): ESS 75.3 in 2025-07, 8.0 in 2025-09, 2.4 in 2025-12 of 1000 (threshold 100; estrangement band and tension in 2025-07/09, alignment [-0.15, 0.55] in 2025-12). Log evidence -38.76 ± 0.66 (seeds 1-3: -47.5, -49.4, -46.9). docs/MODEL.md, The record"]
    russian_world_exit_conditioned_passes_through_the_record => conditioned_check("russian_world_exit");
    asymmetric_interdependence_conditioned_passes_through_the_record => conditioned_check("asymmetric_interdependence");

    baseline_prior_gives_every_observation_a_chance => prior_check("baseline");
    proxy_drift_prior_gives_every_observation_a_chance => prior_check("proxy_drift");
    balancing_act_prior_gives_every_observation_a_chance => prior_check("balancing_act");
    western_realignment_prior_gives_every_observation_a_chance => prior_check("western_realignment");
    #[ignore = "fails (runs 1000, seed 20241225): prior probability 0.0000 for 2025-12 alignment [-0.15, 0.55] (prior 90% range -1.00..-0.58) and 0.0066 for 2025-09 band estrangement (prior median -0.93) < 0.01. docs/MODEL.md, The record"]
    russian_world_exit_prior_gives_every_observation_a_chance => prior_check("russian_world_exit");
    asymmetric_interdependence_prior_gives_every_observation_a_chance => prior_check("asymmetric_interdependence");
}

// ---------------------------------------------------------------- futures

/// What item 4 of the model issue compares, for one scenario.
#[derive(Debug)]
struct Future {
    /// Share of runs per regime band in the final month (2030-12).
    shares: HashMap<String, f64>,
    /// Ensemble median of alignment in 2030-12.
    median: f64,
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
    let mut median = None;
    let mut tension = Vec::new();
    for r in &rows {
        if r[var] == "alignment" && r[date] == "2030-12" {
            median = Some(num(&r[p50]));
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
        median: median.expect("alignment in 2030-12"),
        tension: tension.iter().sum::<f64>() / tension.len() as f64,
    }
}

/// Checks that `who` beats every other scenario on `score` (larger is better)
/// by at least `margin`; returns a message on failure.
fn leads(
    futures: &HashMap<&str, Future>,
    who: &str,
    what: &str,
    margin: f64,
    score: impl Fn(&Future) -> f64,
) -> Option<String> {
    let mine = score(&futures[who]);
    let (rival, best) = futures
        .iter()
        .filter(|(n, _)| **n != who)
        .map(|(n, f)| (*n, score(f)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    (mine < best + margin)
        .then(|| format!("{who} should lead on {what} by {margin}: {mine:.3} vs {rival} {best:.3}"))
}

#[test]
fn thesis_scenarios_give_distinct_futures_in_2030() {
    let futures: HashMap<&str, Future> = std::thread::scope(|s| {
        let handles: Vec<_> = SCENARIOS
            .iter()
            .map(|n| (*n, s.spawn(move || future(n))))
            .collect();
        handles
            .into_iter()
            .map(|(n, h)| (n, h.join().unwrap()))
            .collect()
    });

    let mut table = String::new();
    for name in SCENARIOS {
        let f = &futures[name];
        table += &format!(
            "  {name:<27} median {:+.3}  tension {:.3} ",
            f.median, f.tension
        );
        for band in BANDS {
            table += &format!(" {band} {:.3}", f.shares[band]);
        }
        table.push('\n');
    }

    const MARGIN: f64 = 0.02;
    let asymmetric = "asymmetric_interdependence";
    let mass = futures[asymmetric].share(&["partnership", "balancing"]);
    let failures: Vec<String> = [
        leads(
            &futures,
            "russian_world_exit",
            "rupture+estrangement share",
            MARGIN,
            |f| f.share(&["rupture", "estrangement"]),
        ),
        leads(&futures, "proxy_drift", "proxy share", MARGIN, |f| {
            f.share(&["proxy"])
        }),
        leads(
            &futures,
            "western_realignment",
            "lowest median alignment",
            MARGIN,
            |f| -f.median,
        ),
        leads(&futures, "balancing_act", "balancing share", MARGIN, |f| {
            f.share(&["balancing"])
        }),
        leads(
            &futures,
            asymmetric,
            "lowest mean tension 2027–2030",
            MARGIN,
            |f| -f.tension,
        ),
        (mass <= 0.5).then(|| {
            format!("{asymmetric}: partnership+balancing {mass:.3} is not most of its mass")
        }),
    ]
    .into_iter()
    .flatten()
    .collect();

    assert!(
        failures.is_empty(),
        "{}\n2030-12 outcomes ({RUNS} runs, seed {SEED}):\n{table}",
        failures.join("\n")
    );
}
