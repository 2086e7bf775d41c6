//! Every limit geosim enforces, in one place: sizes a scenario may declare,
//! and the size of the requests it accepts. Requests are checked before any
//! work starts, so a mistyped `--runs` or `--samples` is refused with an
//! estimate instead of running for days or exhausting memory.
//! `docs/FORMAT.md` and the README state the same numbers.

use crate::error::Error;
use crate::model::Model;

// ------------------------------------------------------------- scenarios

/// Largest magnitude of a bound, and of the signal a variable can receive:
/// far beyond any meaningful scale, far below where arithmetic overflows.
pub(crate) const MAX_MAGNITUDE: f64 = 1e12;
/// Largest ensemble: histogram counts are 32-bit.
pub(crate) const MAX_RUNS: u64 = u32::MAX as u64;
/// Largest seed: TOML integers are signed 64-bit.
pub(crate) const MAX_SEED: u64 = i64::MAX as u64;
/// Most regime bands (the "ever entered" flags of a run are one 64-bit word).
pub(crate) const MAX_BANDS: usize = 64;
/// Expected incidents per month are capped here: a rate that explodes
/// (e.g. `exp` of a large `rate_by` sum) would otherwise stall the run.
pub(crate) const MAX_INCIDENT_RATE: f64 = 100.0;

/// Largest scenario (or data) file read, in bytes: far above any real
/// scenario, and a guard against reading a device or a runaway file.
pub(crate) const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Longest identifier, scenario name, label or band name, in characters:
/// names become file names and column headers.
pub(crate) const MAX_NAME_CHARS: usize = 64;
/// Longest event or incident name, in characters.
pub(crate) const MAX_LABEL_CHARS: usize = 120;
/// Longest title, in characters.
pub(crate) const MAX_TITLE_CHARS: usize = 200;
/// Longest horizon, in months (200 years): every driver's path and every
/// workspace holds one value per month.
pub(crate) const MAX_MONTHS: usize = 2400;
/// Most variables plus drivers: every statistic is kept per month and series.
pub(crate) const MAX_SERIES: usize = 256;
/// Most files in an `extends` chain (the scenario and its ancestors).
pub(crate) const MAX_EXTENDS_DEPTH: usize = 16;

// -------------------------------------------------------------- requests

/// Most worker threads a command starts.
pub(crate) const MAX_THREADS: usize = 1024;
/// Largest simulation accepted, in run-months (runs × months).
pub(crate) const MAX_RUN_MONTHS: f64 = 5e9;
/// Largest memory for ensemble statistics, in bytes.
pub(crate) const MAX_STATS_BYTES: f64 = 4.0 * 1024.0 * 1024.0 * 1024.0;
/// Throughput assumed for the time estimate of refused requests
/// (run-months per second per thread, from the benchmark on a 2-core machine).
pub(crate) const RUN_MONTHS_PER_SECOND_PER_THREAD: f64 = 3e6;
/// Largest number of engine runs one sensitivity analysis may ask for.
pub(crate) const MAX_ANALYSIS_RUNS: f64 = 5e7;
/// Largest memory for the sample points of one sensitivity analysis.
pub(crate) const MAX_POINT_BYTES: f64 = 1024.0 * 1024.0 * 1024.0;
/// Runs per sweep grid point: their metric values are kept (8 bytes each,
/// per thread) to compute quantiles.
pub(crate) const MAX_SWEEP_RUNS: u64 = 10_000_000;
/// Most runs `--save-runs` writes whole (each one is months × series rows).
pub(crate) const MAX_SAVED_RUNS: usize = 1000;
/// Grid values per sweep axis.
pub(crate) const MAX_SWEEP_VALUES: usize = 1000;
/// Feedback loops `check` lists before it stops enumerating.
pub(crate) const MAX_LOOPS: usize = 10_000;
/// Search steps after which loop enumeration stops (it is exponential in
/// the worst case).
pub(crate) const MAX_LOOP_STEPS: usize = 2_000_000;
/// Iterations of the Schur decomposition behind `check`'s eigenvalues.
pub(crate) const MAX_SCHUR_ITERATIONS: usize = 10_000;

/// Refuses an ensemble that would run for hours or exhaust memory, with an
/// estimate.
pub(crate) fn check_ensemble(model: &Model, runs: u64, threads: usize) -> Result<(), Error> {
    let months = model.months() as f64;
    let run_months = runs as f64 * months;
    let layout = crate::stats::Layout::new(model);
    let bytes = layout.worker_bytes() as f64 * (threads as f64 + 1.0);
    if bytes > MAX_STATS_BYTES {
        return Err(Error::usage(
            format!(
                "refusing to run: the statistics for {} months × {} series would need about {:.1} GiB on {threads} threads",
                model.months(),
                model.n_sources(),
                bytes / 1024f64.powi(3)
            ),
            Some("shorten the horizon (time.start … time.end) or use fewer --threads".into()),
        ));
    }
    if run_months > MAX_RUN_MONTHS {
        let secs = run_months / (RUN_MONTHS_PER_SECOND_PER_THREAD * threads as f64);
        return Err(Error::usage(
            format!(
                "refusing to run {runs} runs × {} months = {run_months:.2e} run-months: at about {:.0e} run-months per second per thread this would take roughly {}",
                model.months(),
                RUN_MONTHS_PER_SECOND_PER_THREAD,
                human_duration(secs)
            ),
            Some(format!(
                "the limit is {MAX_RUN_MONTHS:.0e} run-months; with this horizon at most {} runs",
                (MAX_RUN_MONTHS / months) as u64
            )),
        ));
    }
    Ok(())
}

/// Refuses a sensitivity analysis of `evaluations` evaluations, each of
/// `runs` runs (0: the deterministic run), holding `points` sample
/// coordinates at once.
pub(crate) fn check_analysis(
    model: &Model,
    evaluations: f64,
    runs: u64,
    points: f64,
) -> Result<(), Error> {
    let point_bytes = 8.0 * points;
    if point_bytes > MAX_POINT_BYTES {
        return Err(Error::usage(
            format!(
                "refusing to hold {:.1} GiB of sample points",
                point_bytes / 1024f64.powi(3)
            ),
            Some("use fewer --samples or narrow --params".into()),
        ));
    }
    let simulated = evaluations * runs.max(1) as f64;
    if simulated > MAX_ANALYSIS_RUNS || simulated * model.months() as f64 > MAX_RUN_MONTHS {
        return Err(Error::usage(
            format!(
                "refusing to run {evaluations:.0} evaluations × {} runs each × {} months",
                runs.max(1),
                model.months()
            ),
            Some("use fewer --samples, fewer --runs, or narrow --params".into()),
        ));
    }
    Ok(())
}

/// Refuses a sweep of `points` grid points of `runs` runs each.
pub(crate) fn check_sweep(model: &Model, points: f64, runs: u64) -> Result<(), Error> {
    if points * runs.max(1) as f64 * model.months() as f64 > MAX_RUN_MONTHS {
        return Err(Error::usage(
            format!(
                "refusing to simulate {points:.0} grid points × {} runs × {} months",
                runs.max(1),
                model.months()
            ),
            Some("use a coarser grid or fewer --runs".into()),
        ));
    }
    if runs > MAX_SWEEP_RUNS {
        return Err(Error::usage(
            format!("--runs {runs} is more than the {MAX_SWEEP_RUNS} runs a grid point may hold"),
            Some("each grid point keeps its runs' metric values to compute quantiles".into()),
        ));
    }
    Ok(())
}

fn human_duration(secs: f64) -> String {
    match secs {
        s if s < 120.0 => format!("{s:.0} s"),
        s if s < 7200.0 => format!("{:.0} minutes", s / 60.0),
        s if s < 172_800.0 => format!("{:.0} hours", s / 3600.0),
        s => format!("{:.0} days", s / 86400.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(30.0), "30 s");
        assert_eq!(human_duration(600.0), "10 minutes");
        assert_eq!(human_duration(36_000.0), "10 hours");
        assert_eq!(human_duration(864_000.0), "10 days");
    }
}
