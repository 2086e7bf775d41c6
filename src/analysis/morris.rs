//! Morris elementary effects (screening): `r` random one-at-a-time
//! trajectories on a p-level grid. μ* (mean absolute effect) ranks
//! importance; σ flags non-linearity or interaction.

use rand::RngExt;

use super::objective::Objective;
use crate::engine::run_rng;

/// Grid levels; Δ = p / (2 (p − 1)) as Morris recommends.
pub const LEVELS: usize = 4;

#[derive(Clone, Debug)]
pub struct MorrisRow {
    pub input: usize,
    /// Mean of |elementary effect|, in metric units per unit of the input's range.
    pub mu_star: f64,
    /// Mean elementary effect (signed).
    pub mu: f64,
    /// Standard deviation of the elementary effects.
    pub sigma: f64,
}

pub fn morris(obj: &dyn Objective, trajectories: usize, seed: u64) -> Vec<MorrisRow> {
    let k = obj.k();
    let delta = LEVELS as f64 / (2.0 * (LEVELS as f64 - 1.0));
    let mut rng = run_rng(seed, 0x4d6f_7272_6973);
    // Each trajectory: a base point on the grid, then each input moved by ±Δ in random order.
    let mut points = Vec::with_capacity(trajectories * (k + 1) * k);
    let mut plan: Vec<(Vec<usize>, Vec<f64>)> = Vec::with_capacity(trajectories);
    let base_levels = LEVELS / 2; // base levels 0..p/2 keep base + Δ on the grid
    for _ in 0..trajectories {
        let mut x: Vec<f64> = (0..k)
            .map(|_| rng.random_range(0..base_levels) as f64 / (LEVELS as f64 - 1.0))
            .collect();
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        let steps: Vec<f64> = (0..k)
            .map(|_| if rng.random::<bool>() { delta } else { -delta })
            .collect();
        // A negative step starts from the upper end so the point stays in [0, 1].
        for (i, s) in steps.iter().enumerate() {
            if *s < 0.0 {
                x[i] += delta;
            }
        }
        points.extend_from_slice(&x);
        for &i in &order {
            x[i] += steps[i];
            points.extend_from_slice(&x);
        }
        plan.push((order, steps));
    }
    let y = obj.eval_batch(&points);
    let mut effects: Vec<Vec<f64>> = vec![Vec::with_capacity(trajectories); k];
    for (t, (order, steps)) in plan.iter().enumerate() {
        let base = t * (k + 1);
        for (j, &i) in order.iter().enumerate() {
            effects[i].push((y[base + j + 1] - y[base + j]) / steps[i]);
        }
    }
    effects
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let n = e.len().max(1) as f64;
            let mu = e.iter().sum::<f64>() / n;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / n;
            let sigma = if e.len() > 1 {
                (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            } else {
                0.0
            };
            MorrisRow {
                input: i,
                mu_star,
                mu,
                sigma,
            }
        })
        .collect()
}
