//! Parameter sweeps: the metric over a grid of one or two parameters, each
//! grid point an ensemble sharing its random numbers with the others (or the
//! deterministic run when `runs` is 0).

use rayon::prelude::*;

use super::metric::Metric;
use crate::engine::{Mode, Workspace, run_rng, simulate};
use crate::limits::MAX_SWEEP_VALUES;
use crate::model::{Draw, Model, ParamId};

#[derive(Clone, Debug)]
pub struct Axis {
    pub id: ParamId,
    pub path: String,
    pub values: Vec<f64>,
}

/// Parses `PATH=lo:hi:n`; the values must lie in the parameter's domain.
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
    if !(lo.is_finite() && hi.is_finite()) || lo >= hi {
        return Err(format!("`{spec}`: need finite lo < hi"));
    }
    if !(2..=MAX_SWEEP_VALUES).contains(&n) {
        return Err(format!(
            "`{spec}`: n must be between 2 and {MAX_SWEEP_VALUES}"
        ));
    }
    let Some((i, p)) = model
        .params
        .iter()
        .enumerate()
        .find(|(_, p)| p.path == path && p.draw == Draw::PerRun)
    else {
        let near =
            crate::scenario::source::nearest(path, model.params.iter().map(|p| p.path.as_str()));
        return Err(match near {
            Some(n) => format!(
                "no parameter `{path}`; did you mean `{n}`? (`geosim sensitivity --list-params` lists them)"
            ),
            None => format!(
                "no parameter `{path}` (`geosim sensitivity <scenario> --list-params` lists them)"
            ),
        });
    };
    for x in [lo, hi] {
        if !p.domain.contains(x) {
            return Err(format!(
                "`{spec}`: {x} is outside the valid range of {path} ({})",
                p.domain.describe()
            ));
        }
    }
    let values = (0..n)
        .map(|k| lo + (hi - lo) * k as f64 / (n - 1) as f64)
        .collect();
    Ok(Axis {
        id: ParamId(i),
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

/// Every grid point (the first axis varying slowest).
pub fn sweep(
    model: &Model,
    metric: &Metric,
    axes: &[Axis],
    runs: u64,
    seed: u64,
) -> Vec<SweepPoint> {
    let mut grid: Vec<Vec<f64>> = vec![vec![]];
    for axis in axes {
        grid = grid
            .iter()
            .flat_map(|g| {
                axis.values
                    .iter()
                    .map(move |v| [g.as_slice(), &[*v]].concat())
            })
            .collect();
    }
    grid.par_iter()
        .map_init(
            || (Workspace::new(model), Vec::new()),
            |(ws, values), at| {
                values.clear();
                if runs == 0 {
                    ws.central_params(model);
                    for (axis, v) in axes.iter().zip(at) {
                        ws.params[axis.id.0] = *v;
                    }
                    simulate(model, ws, &mut run_rng(0, 0), Mode::Deterministic);
                    values.push(metric.of(model, &ws.trajectory));
                } else {
                    for r in 0..runs {
                        let mut rng = run_rng(seed, r);
                        ws.sample_params(model, &mut rng);
                        for (axis, v) in axes.iter().zip(at) {
                            ws.params[axis.id.0] = *v;
                        }
                        simulate(model, ws, &mut rng, Mode::Stochastic);
                        values.push(metric.of(model, &ws.trajectory));
                    }
                }
                let mean = values.iter().sum::<f64>() / values.len() as f64;
                values.sort_by(f64::total_cmp);
                let q = |p: f64| empirical_quantile(values, p);
                SweepPoint {
                    at: at.clone(),
                    mean,
                    p05: q(0.05),
                    p50: q(0.5),
                    p95: q(0.95),
                }
            },
        )
        .collect()
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
