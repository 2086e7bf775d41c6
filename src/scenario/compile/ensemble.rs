//! `[ensemble]`: runs, seed and reported quantiles.

use super::{Checker, DEFAULT_QUANTILES, DEFAULT_RUNS, DEFAULT_SEED};
use crate::limits::MAX_RUNS;
use crate::model::EnsembleSettings;
use crate::scenario::file::{EnsembleFile, Finite};

/// The settings, defaults filled in; quantiles sorted without repeats.
pub(super) fn compile(c: &mut Checker<'_>, ens: Option<&EnsembleFile>) -> EnsembleSettings {
    let runs = ens.and_then(|e| e.runs).unwrap_or(DEFAULT_RUNS);
    check_runs(c, runs);
    EnsembleSettings {
        runs,
        seed: ens.and_then(|e| e.seed).unwrap_or(DEFAULT_SEED),
        quantiles: quantiles(c, ens.and_then(|e| e.quantiles.as_deref())),
        condition: ens.and_then(|e| e.condition).unwrap_or(false),
    }
}

fn check_runs(c: &mut Checker<'_>, runs: u64) {
    if runs == 0 {
        c.err(&["ensemble", "runs"], "ensemble.runs must be at least 1");
    } else if runs > MAX_RUNS {
        c.err(
            &["ensemble", "runs"],
            format!("ensemble.runs = {runs} is more than the {MAX_RUNS} an ensemble can count"),
        );
    }
}

fn quantiles(c: &mut Checker<'_>, written: Option<&[Finite]>) -> Vec<f64> {
    let mut quantiles: Vec<f64> = match written {
        Some(q) => q.iter().map(|f| f.0).collect(),
        None => DEFAULT_QUANTILES.to_vec(),
    };
    if quantiles.is_empty() {
        c.err(
            &["ensemble", "quantiles"],
            "ensemble.quantiles is empty; give at least one, e.g. [0.05, 0.5, 0.95]",
        );
    }
    for (i, q) in quantiles.iter().enumerate() {
        if !(*q > 0.0 && *q < 1.0) {
            c.err(
                &["ensemble", "quantiles", &i.to_string()],
                format!("quantile {q} must lie strictly between 0 and 1"),
            );
        }
    }
    quantiles.sort_by(f64::total_cmp);
    quantiles.dedup();
    quantiles
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{BASE, compiles, errors, only_error};

    #[test]
    fn defaults() {
        let m = compiles(BASE);
        assert_eq!(m.ensemble.runs, 1000);
        assert_eq!(m.ensemble.seed, 1);
        assert_eq!(m.ensemble.quantiles, [0.05, 0.25, 0.5, 0.75, 0.95]);
    }

    #[test]
    fn quantiles_are_sorted_without_repeats() {
        let m = compiles(&format!(
            "{BASE}[ensemble]\nruns = 7\nseed = 9\nquantiles = [0.9, 0.1, 0.5, 0.1]\n"
        ));
        assert_eq!(m.ensemble.runs, 7);
        assert_eq!(m.ensemble.seed, 9);
        assert_eq!(m.ensemble.quantiles, [0.1, 0.5, 0.9]);
    }

    #[test]
    fn zero_runs() {
        assert_eq!(
            only_error(&format!("{BASE}[ensemble]\nruns = 0\n")),
            "t.toml:9:8: ensemble.runs must be at least 1"
        );
    }

    #[test]
    fn too_many_runs() {
        assert_eq!(
            only_error(&format!("{BASE}[ensemble]\nruns = 4294967296\n")),
            "t.toml:9:8: ensemble.runs = 4294967296 is more than the 4294967295 an ensemble can count"
        );
    }

    #[test]
    fn empty_quantiles() {
        assert_eq!(
            only_error(&format!("{BASE}[ensemble]\nquantiles = []\n")),
            "t.toml:9:13: ensemble.quantiles is empty; give at least one, e.g. [0.05, 0.5, 0.95]"
        );
    }

    #[test]
    fn each_quantile_outside_zero_one_points_at_itself() {
        assert_eq!(
            errors(&format!("{BASE}[ensemble]\nquantiles = [0.5, 0, 1.5]\n")),
            [
                "t.toml:9:19: quantile 0 must lie strictly between 0 and 1",
                "t.toml:9:22: quantile 1.5 must lie strictly between 0 and 1",
            ]
        );
    }
}
