//! Conditioning on observations: the particle filter against the exact
//! Kalman filter of a linear-Gaussian model, hard intervals, thread
//! invariance, and the error when no run fits the record.

use geosim::engine::filter::run_filter;
use geosim::scenario;

/// x(t+1) = (1 − r) x + r b + σ ε, observed as x + N(0, sd²).
const RATE: f64 = 0.2;
const BIAS: f64 = 0.5;
const NOISE: f64 = 0.05;
const SD: f64 = 0.04;
const OBS: [(usize, f64); 4] = [(3, 0.30), (6, 0.42), (9, 0.38), (12, 0.50)];

fn linear_gaussian() -> String {
    let mut t = format!(
        "name = \"lg\"\n[time]\nstart = \"2020-01\"\nend = \"2021-12\"\n[variables.x]\nmin = -100\nmax = 100\ninitial = 0\nrate = {RATE}\nbias = {BIAS}\nnoise = {NOISE}\n"
    );
    for (month, y) in OBS {
        let m = 2020 * 12 + month;
        t += &format!(
            "[[observations]]\ndate = \"{}-{:02}\"\nvariable = \"x\"\nvalue = {y}\nsd = {SD}\n",
            m / 12,
            m % 12 + 1
        );
    }
    t
}

/// The exact answer: log p(y), and the mean and variance of x at the last
/// month (the forecast 11 months after the last observation).
fn kalman() -> (f64, f64, f64) {
    let (mut m, mut p, mut ll) = (0.0f64, 0.0f64, 0.0f64);
    for t in 1..24 {
        m = (1.0 - RATE) * m + RATE * BIAS;
        p = (1.0 - RATE).powi(2) * p + NOISE * NOISE;
        if let Some(&(_, y)) = OBS.iter().find(|(month, _)| *month == t) {
            let s = p + SD * SD;
            ll += -0.5 * (y - m).powi(2) / s - 0.5 * (2.0 * std::f64::consts::PI * s).ln();
            let k = p / s;
            m += k * (y - m);
            p *= 1.0 - k;
        }
    }
    (ll, m, p)
}

/// With 10⁵ runs the filter's estimates have Monte Carlo errors of about
/// 0.01 in the log evidence (its own standard error says how much) and
/// sd/√N ≈ 2·10⁻⁴ in the forecast mean; the tolerances are four of those,
/// plus the histogram's resolution for the variance.
#[test]
fn the_filter_agrees_with_the_kalman_filter() {
    let model = scenario::load_text("lg.toml", &linear_gaussian(), &[])
        .unwrap()
        .model;
    let (stats, cond) = run_filter(&model, 100_000, 11).unwrap();
    let (ll, mean, var) = kalman();
    eprintln!(
        "filter: log evidence {} (se {}), kalman {ll}; mean {} vs {mean}; sd {} vs {}",
        cond.log_evidence,
        cond.log_evidence_se,
        stats.mean(model.months() - 1, 0),
        stats.sd(model.months() - 1, 0),
        var.sqrt()
    );
    let last = model.months() - 1;
    assert!(
        cond.log_evidence_se > 0.0 && cond.log_evidence_se < 0.05,
        "{}",
        cond.log_evidence_se
    );
    assert!(
        (cond.log_evidence - ll).abs() < 4.0 * cond.log_evidence_se + 0.01,
        "log evidence {} (se {}) against {ll}",
        cond.log_evidence,
        cond.log_evidence_se
    );
    let sd = var.sqrt();
    assert!(
        (stats.mean(last, 0) - mean).abs() < 4.0 * sd / 300.0 + 1e-3,
        "mean {} against {mean}",
        stats.mean(last, 0)
    );
    let got_sd = stats.sd(last, 0);
    assert!((got_sd - sd).abs() / sd < 0.03, "sd {got_sd} against {sd}");
    // Every observation month was a filter step.
    assert_eq!(
        cond.steps.iter().map(|s| s.0).collect::<Vec<_>>(),
        [3, 6, 9, 12]
    );
}

#[test]
fn runs_respect_hard_intervals() {
    let text = "name = \"h\"\n[time]\nstart = \"2020-01\"\nend = \"2020-12\"\n[variables.x]\nmin = -1\ninitial = 0\nrate = 0.3\nbias = 0.2\nnoise = 0.1\n\
                [[observations]]\ndate = \"2020-06\"\nvariable = \"x\"\nlo = 0.25\nhi = 0.35\nsoftness = 0\n";
    let model = scenario::load_text("h.toml", text, &[]).unwrap().model;
    let (stats, cond) = run_filter(&model, 5000, 3).unwrap();
    let m = 5;
    let (lo, hi) = (stats.quantile(m, 0, 0.001), stats.quantile(m, 0, 0.999));
    assert!(
        stats.dist.min[m] >= 0.25 && stats.dist.max[m] <= 0.35,
        "{} … {}",
        stats.dist.min[m],
        stats.dist.max[m]
    );
    assert!(lo >= 0.25 && hi <= 0.35);
    assert!(
        cond.steps[0].2,
        "a hard interval that most runs miss forces a resample"
    );
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let model = scenario::load_text("lg.toml", &linear_gaussian(), &[])
        .unwrap()
        .model;
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| run_filter(&model, 3000, 5).unwrap())
    };
    let (a, ca) = on(1);
    let (b, cb) = on(3);
    assert_eq!(a.moments.mean, b.moments.mean);
    assert_eq!(a.moments.m2, b.moments.m2);
    assert_eq!(a.dist.counts, b.dist.counts);
    assert_eq!(ca.log_evidence.to_bits(), cb.log_evidence.to_bits());
}

#[test]
fn no_compatible_run_is_an_error_naming_the_observation() {
    let text = "name = \"i\"\n[time]\nstart = \"2020-01\"\nend = \"2020-12\"\n[variables.x]\ninitial = 0\nrate = 0.3\nbias = 0.2\nnoise = 0.01\n\
                [[observations]]\nname = \"impossible\"\ndate = \"2020-04\"\nvariable = \"x\"\nlo = 0.9\nsoftness = 0\n";
    let model = scenario::load_text("i.toml", text, &[]).unwrap().model;
    let e = run_filter(&model, 500, 1).unwrap_err();
    assert_eq!(e.observation, "impossible");
    assert_eq!(e.date, "2020-04");
    assert!(e.closest > 0.5 && e.closest < 0.9, "{}", e.closest);
}

/// The genealogy replays the conditioned population exactly: replaying
/// every final run reproduces the statistics the filter folded at the last
/// resampling month (where every run counts once).
#[test]
fn replaying_the_genealogy_reproduces_the_filtered_population() {
    let text = "name = \"r\"\n[time]\nstart = \"2020-01\"\nend = \"2020-12\"\n[variables.x]\nmin = -1\ninitial = 0\nrate = { dist = \"uniform\", min = 0.1, max = 0.5 }\nbias = 0.2\nnoise = 0.1\n\
                [[observations]]\ndate = \"2020-04\"\nvariable = \"x\"\nlo = 0.25\nhi = 0.3\n\
                [[observations]]\ndate = \"2020-08\"\nvariable = \"x\"\nvalue = 0.1\nsd = 0.02\n";
    let model = scenario::load_text("r.toml", text, &[]).unwrap().model;
    let n = 300;
    let (stats, cond) = run_filter(&model, n as u64, 9).unwrap();
    let g = &cond.genealogy;
    assert!(!g.resamplings.is_empty());
    let m = g.resamplings.last().unwrap().month;
    let slots: Vec<usize> = (0..n).collect();
    let mut at_m = Vec::new();
    geosim::engine::filter::replay(&model, 9, g, &slots, |b| {
        if b.month() == m {
            at_m = b.row(m)[..n].to_vec();
        }
    });
    let mean = at_m.iter().sum::<f64>() / n as f64;
    assert!(
        (mean - stats.mean(m, 0)).abs() < 1e-12,
        "{mean} against {}",
        stats.mean(m, 0)
    );
    let var = at_m.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    assert!((var.sqrt() - stats.sd(m, 0)).abs() < 1e-12);
}

/// `--save-runs N` writes runs k·R/N whole, exactly as the ensemble ran
/// them, and their parameters; a conditioned ensemble's saved runs carry
/// their final weight and the initial run they descend from.
#[test]
fn saved_runs_are_the_ensembles_own_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let f = crate::support::fixture("small.toml");
    crate::support::geosim(
        tmp.path(),
        &[
            "run",
            &f,
            "--runs",
            "40",
            "--save-runs",
            "4",
            "--out",
            "s",
            "--quiet",
            "--no-charts",
        ],
    )
    .ok();
    let runs = std::fs::read_to_string(tmp.path().join("s/runs.csv")).unwrap();
    let model = scenario::load(&f, &["ensemble.runs=40".into()])
        .unwrap()
        .model;
    let ns = model.n_sources();
    assert_eq!(runs.lines().count(), 1 + 4 * model.months() * ns);
    let mut ws = geosim::engine::Workspace::new(&model);
    for (k, run) in [0u64, 10, 20, 30].iter().enumerate() {
        geosim::engine::stochastic_run(&model, &mut ws, 42, *run);
        let mine: Vec<f64> = runs
            .lines()
            .skip(1 + k * model.months() * ns)
            .take(model.months() * ns)
            .map(|l| {
                assert!(l.starts_with(&format!("{run},")), "{l}");
                l.rsplit(',').next().unwrap().parse().unwrap()
            })
            .collect();
        for (a, b) in mine.iter().zip(&ws.trajectory) {
            assert!(
                (a - b).abs() <= 1e-8 * b.abs().max(1.0),
                "run {run}: {a} against {b}"
            );
        }
    }
    let params = std::fs::read_to_string(tmp.path().join("s/params.csv")).unwrap();
    let header = params.lines().next().unwrap();
    assert!(
        header.starts_with("run,origin,weight,variables.alignment.rate"),
        "{header}"
    );
    assert_eq!(params.lines().count(), 5);

    let text = "name = \"c\"\n[time]\nstart = \"2020-01\"\nend = \"2020-12\"\n[variables.x]\nmin = -1\ninitial = 0\nrate = { dist = \"uniform\", min = 0.1, max = 0.5 }\nbias = 0.2\nnoise = 0.1\n[[observations]]\ndate = \"2020-04\"\nvariable = \"x\"\nlo = 0.25\nhi = 0.3\n";
    std::fs::write(tmp.path().join("c.toml"), text).unwrap();
    crate::support::geosim(
        tmp.path(),
        &[
            "run",
            "c.toml",
            "--condition",
            "--runs",
            "200",
            "--save-runs",
            "5",
            "--out",
            "c",
            "--quiet",
            "--no-charts",
        ],
    )
    .ok();
    let params = std::fs::read_to_string(tmp.path().join("c/params.csv")).unwrap();
    let rows: Vec<Vec<&str>> = params
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 5);
    for r in &rows {
        let w: f64 = r[2].parse().unwrap();
        assert!(w > 0.0 && w < 1.0, "{r:?}");
        let origin: u64 = r[1].parse().unwrap();
        assert!(origin < 200);
    }
    // Every saved run passes through the observed interval in 2020-04.
    let runs = std::fs::read_to_string(tmp.path().join("c/runs.csv")).unwrap();
    for line in runs.lines().filter(|l| l.contains(",2020-04,x,")) {
        let x: f64 = line.rsplit(',').next().unwrap().parse().unwrap();
        assert!(x > 0.2 && x < 0.35, "{line}");
    }
}

/// The shipped scenarios read their record (`scenarios/data/record.csv`)
/// wherever they are run from: from the repository (next to the scenario
/// file), and from a folder without `./scenarios`, where the built-in copy
/// of the scenario finds the built-in copy of the record, also through the
/// `extends` of a user's own scenario.
#[test]
fn the_built_in_scenarios_find_their_record_from_any_folder() {
    let summary = |dir: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
    };
    // What an observation says, without what the ensemble made of it.
    let record = |s: &serde_json::Value| -> Vec<String> {
        s["observations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                format!(
                    "{} {} {} {}",
                    o["label"], o["band"], o["observed"], o["source"]
                )
            })
            .collect()
    };
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let o = tmp.path().join("repo");
    let args = ["--condition", "--runs", "50", "--quiet", "--no-charts"];
    let mut a = vec!["run", "baseline", "--out", o.to_str().unwrap()];
    a.extend(args);
    crate::support::geosim(repo, &a).ok();
    let from_repo = summary(&o);

    std::fs::write(
        tmp.path().join("mine.toml"),
        "extends = \"russian_world_exit\"\nname = \"mine\"\n",
    )
    .unwrap();
    for spec in ["baseline", "russian_world_exit", "mine.toml"] {
        let mut a = vec!["run", spec, "--out", "o"];
        a.extend(args);
        crate::support::geosim(tmp.path(), &a).ok();
        let s = summary(&tmp.path().join("o"));
        assert_eq!(s["conditioned"], true, "{spec}");
        assert_eq!(
            record(&s),
            record(&from_repo),
            "{spec}: the built-in record differs from scenarios/data/record.csv"
        );
        if spec == "baseline" {
            assert_eq!(s["log_evidence"], from_repo["log_evidence"]);
        }
    }
    assert_eq!(record(&from_repo).len(), 36);
}
