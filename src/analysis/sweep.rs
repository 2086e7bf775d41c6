//! Parameter sweeps: the metric over a grid of one or two parameters, each
//! grid point an ensemble sharing its random numbers with the others (or the
//! deterministic run when `runs` is 0).

use super::evaluate::{Evaluator, Override, Plan};
use super::metric::Metric;
use crate::limits::MAX_SWEEP_VALUES;
use crate::model::{Model, ParamId};

#[derive(Clone, Debug)]
pub struct Axis {
    pub id: ParamId,
    pub path: String,
    pub values: Vec<f64>,
}

/// Parses `PATH=lo:hi:n`: a parameter drawn once per run and a grid of
/// `n` evenly spaced values (checked against the parameter when the sweep
/// is evaluated).
pub fn parse_axis(spec: &str, model: &Model) -> Result<Axis, String> {
    let usage = || format!("`{spec}` is not PATH=lo:hi:n (e.g. variables.trust.rate=0.05:0.3:6)");
    let (path, grid) = spec.rsplit_once('=').ok_or_else(usage)?;
    let path = path.trim();
    let parts: Vec<&str> = grid.split(':').collect();
    let [lo, hi, n] = parts[..] else {
        return Err(usage());
    };
    let lo: f64 = lo.trim().parse().map_err(|_| usage())?;
    let hi: f64 = hi.trim().parse().map_err(|_| usage())?;
    let n: usize = n.trim().parse().map_err(|_| usage())?;
    if !(2..=MAX_SWEEP_VALUES).contains(&n) {
        return Err(format!(
            "`{spec}`: n must be between 2 and {MAX_SWEEP_VALUES}"
        ));
    }
    let id = super::params::find(model, path)?;
    // Checked here too, so the parameter's range is named before the grid.
    model.check_values(id, lo.min(hi), lo.max(hi))?;
    if !(hi - lo).is_finite() || lo >= hi {
        return Err(format!(
            "`{spec}`: need lo < hi, both finite and less than {:e} apart",
            f64::MAX
        ));
    }
    // The last value is `hi` itself, not a rounding away from it.
    let values = (0..n)
        .map(|k| {
            if k + 1 == n {
                hi
            } else {
                lo + (hi - lo) * k as f64 / (n - 1) as f64
            }
        })
        .collect();
    Ok(Axis {
        id,
        path: path.to_string(),
        values,
    })
}

#[derive(Clone, Debug)]
pub struct SweepPoint {
    /// One value per axis.
    pub at: Vec<f64>,
    pub mean: f64,
    pub p05: f64,
    pub p50: f64,
    pub p95: f64,
}

/// Every grid point (the first axis varying slowest), each evaluated under
/// `plan`: the deterministic run, or an ensemble whose runs share their
/// random numbers across grid points. Every grid value must be allowed
/// for its parameter; the error names the first that is not.
pub fn sweep(
    model: &Model,
    metric: &Metric,
    axes: &[Axis],
    plan: Plan,
) -> Result<Vec<SweepPoint>, String> {
    Ok(sweep_some(model, metric, axes, plan, &|_| true)?
        .into_iter()
        .map(|(_, p)| p)
        .collect())
}

/// The grid's points, row-major (one value per axis), the first axis
/// varying slowest.
pub fn grid(axes: &[Axis]) -> Vec<f64> {
    let mut grid: Vec<f64> = Vec::new();
    let mut at: Vec<usize> = vec![0; axes.len()];
    'points: loop {
        grid.extend(axes.iter().zip(&at).map(|(a, &i)| a.values[i]));
        for k in (0..axes.len()).rev() {
            at[k] += 1;
            if at[k] < axes[k].values.len() {
                continue 'points;
            }
            at[k] = 0;
        }
        break;
    }
    grid
}

/// The grid points whose number `select` accepts (a shard's), with their
/// numbers: every point is evaluated on its own, so any subset gives the
/// values the whole sweep gives.
pub fn sweep_some(
    model: &Model,
    metric: &Metric,
    axes: &[Axis],
    plan: Plan,
    select: &(dyn Fn(usize) -> bool + Sync),
) -> Result<Vec<(usize, SweepPoint)>, String> {
    let overrides: Vec<Override> = axes
        .iter()
        .map(|a| Override {
            id: a.id,
            lo: a.values[0],
            hi: a.values[a.values.len() - 1],
        })
        .collect();
    let evaluator = Evaluator::new(model, plan, &overrides)?;
    let k = axes.len().max(1);
    let all = grid(axes);
    let chosen: Vec<usize> = (0..all.len() / k).filter(|&i| select(i)).collect();
    let points: Vec<f64> = chosen
        .iter()
        .flat_map(|&i| all[i * k..(i + 1) * k].iter().copied())
        .collect();
    let values = evaluator.map_points(&points, metric, |point, values| {
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        values.sort_by(f64::total_cmp);
        let q = |p: f64| empirical_quantile(values, p);
        SweepPoint {
            at: point.to_vec(),
            mean,
            p05: q(0.05),
            p50: q(0.5),
            p95: q(0.95),
        }
    });
    Ok(chosen.into_iter().zip(values).collect())
}

/// Linear interpolation between order statistics (type 7), on sorted data.
pub fn empirical_quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (sorted[hi] - sorted[lo]) * frac
}
