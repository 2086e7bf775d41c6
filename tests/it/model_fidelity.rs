//! Fidelity of the shipped Baku–Moscow model (`scenarios/*.toml`).
//!
//! Two checks, both through the compiled binary as a user would run it:
//! - the deterministic baseline replays the 2020–2025 arc of MODEL-NOTES
//!   (rise to the allied declaration and the state visit, sharp fall after the
//!   airliner downing, trough in the summer 2025 spiral, partial recovery after
//!   the Dushanbe apology);
//! - the six seeded ensembles give the distinct 2030 futures their theses
//!   argue for.
//!
//! Every margin below is explained in docs/MODEL.md, "Historical fidelity" and
//! "Distinct futures". A model that loses the arc or the orderings fails here.

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

// ---------------------------------------------------------------- history

/// `trajectory.csv` of a deterministic run: one column per variable.
struct Trajectory {
    dates: Vec<String>,
    columns: HashMap<String, Vec<f64>>,
}

impl Trajectory {
    fn read(path: &Path) -> Self {
        let (header, rows) = read_csv(path);
        assert_eq!(header[0], "date");
        let dates = rows.iter().map(|r| r[0].clone()).collect();
        let columns = header
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, name)| (name.clone(), rows.iter().map(|r| num(&r[i])).collect()))
            .collect();
        Trajectory { dates, columns }
    }

    fn index(&self, date: &str) -> usize {
        self.dates
            .iter()
            .position(|d| d == date)
            .unwrap_or_else(|| panic!("no month {date}"))
    }

    fn at(&self, var: &str, date: &str) -> f64 {
        self.columns[var][self.index(date)]
    }

    /// (month, value) of the extreme of `var` over `from..=to`; `max` picks the largest.
    fn extreme(&self, var: &str, from: &str, to: &str, max: bool) -> (String, f64) {
        let (a, b) = (self.index(from), self.index(to));
        let col = &self.columns[var];
        let mut best = a;
        for i in a..=b {
            if (max && col[i] > col[best]) || (!max && col[i] < col[best]) {
                best = i;
            }
        }
        (self.dates[best].clone(), col[best])
    }

    fn mean(&self, var: &str, from: &str, to: &str) -> f64 {
        let (a, b) = (self.index(from), self.index(to));
        self.columns[var][a..=b].iter().sum::<f64>() / (b - a + 1) as f64
    }
}

fn in_window(date: &str, from: &str, to: &str) -> bool {
    from <= date && date <= to
}

#[test]
fn deterministic_baseline_replays_the_2020_2025_arc() {
    let dir = tempfile::tempdir().unwrap();
    run_scenario("baseline", dir.path(), &["--deterministic"]);
    let t = Trajectory::read(&dir.path().join("trajectory.csv"));
    let a = "alignment";
    let start = t.at(a, "2020-01");

    // 1. Rise from 2020 into 2022–2024: both the allied declaration and the
    //    state visit lift alignment clearly above its 2020 level, and the
    //    period peaks inside the partnership band.
    let (_, peak_2022) = t.extreme(a, "2022-02", "2022-12", true);
    let (visit_month, peak_2024) = t.extreme(a, "2024-01", "2024-12", true);
    assert!(
        peak_2022 >= start + 0.10,
        "allied declaration: 2022 peak {peak_2022:.3} vs 2020-01 {start:.3}"
    );
    assert!(
        peak_2024 >= start + 0.15,
        "state visit: 2024 peak {peak_2024:.3} vs 2020-01 {start:.3}"
    );
    assert!(
        in_window(&visit_month, "2024-08", "2024-12"),
        "the 2024 peak should follow the August state visit, found {visit_month}"
    );
    assert!(
        peak_2022.max(peak_2024) >= 0.20,
        "2022–2024 should reach partnership (>= 0.20)"
    );
    assert!(
        t.mean(a, "2022-01", "2024-12") >= start + 0.05,
        "2022–2024 on average above 2020-01"
    );

    // 2. Sharp fall after the airliner downing of 2024-12: more than 0.25 (most of
    //    a band) within three months, from a peak no later than the downing.
    let (peak_month, peak) = t.extreme(a, "2024-01", "2025-12", true);
    assert!(
        peak_month.as_str() <= "2024-12",
        "alignment peaks at {peak_month}, after the downing"
    );
    let fall = t.at(a, "2024-12") - t.at(a, "2025-03");
    assert!(fall >= 0.25, "fall 2024-12 → 2025-03 is only {fall:.3}");

    // 3. Trough in summer 2025, in the estrangement band, when tension peaks.
    let (trough_month, trough) = t.extreme(a, "2024-12", "2026-12", false);
    assert!(
        in_window(&trough_month, "2025-06", "2025-09"),
        "trough at {trough_month}, expected 2025-06..2025-09"
    );
    assert!(
        (-0.5..-0.15).contains(&trough),
        "trough {trough:.3} should be estrangement (-0.5 ≤ a < -0.15), not rupture nor balancing"
    );
    let (tension_month, tension_peak) = t.extreme("tension", "2024-01", "2026-12", true);
    assert!(
        in_window(&tension_month, "2025-06", "2025-09"),
        "tension peaks at {tension_month}, expected summer 2025"
    );
    assert!(
        tension_peak >= 0.5,
        "summer 2025 tension peak only {tension_peak:.3}"
    );
    assert!(
        trough_month >= tension_month,
        "alignment bottoms out before tension peaks"
    );

    // 4. Partial recovery after the Dushanbe apology (2025-10): alignment turns
    //    up at once, climbs for six months, and by end-2026 has recovered
    //    between 30% and 90% of the fall from the pre-downing peak.
    let october = t.index("2025-10");
    let col = &t.columns[a];
    for i in october..october + 6 {
        assert!(
            col[i] > col[i - 1],
            "no steady recovery: {} {:.3} → {} {:.3}",
            t.dates[i - 1],
            col[i - 1],
            t.dates[i],
            col[i]
        );
    }
    let recovered = (t.at(a, "2026-12") - trough) / (peak - trough);
    assert!(
        (0.3..=0.9).contains(&recovered),
        "share of the fall recovered by 2026-12 is {recovered:.2}, expected partial (0.3..0.9)"
    );
    let (_, best_after) = t.extreme(a, "2025-10", "2026-12", true);
    assert!(
        best_after < peak,
        "recovery overshoots the pre-downing peak"
    );
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
