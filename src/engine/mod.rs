//! Pure numerics: one run of a compiled model (docs/FORMAT.md, "The monthly update rule") and ensembles
//! of runs. No I/O, no clock, no global random generator: a run's randomness
//! comes from the generator it is handed, so (model, seed, run index) fixes
//! its result bit for bit.

pub mod ensemble;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Poisson};

use crate::model::{Draw, Model, ParamId, SourceId, param::standard_normal, rule};

/// The random generator of run `run` of an ensemble seeded with `seed`.
/// Every word of the state mixes both the seed and the run index through
/// SplitMix64, so the streams of different runs differ from the first draw.
pub fn run_rng(seed: u64, run: u64) -> Xoshiro256PlusPlus {
    let s = splitmix64(seed);
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_exact_mut(8).enumerate() {
        let r = splitmix64(run.wrapping_add((i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        chunk.copy_from_slice(&splitmix64(s ^ r).to_le_bytes());
    }
    Xoshiro256PlusPlus::from_seed(bytes)
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Everything one run needs, allocated once per thread and reused: the
/// monthly step itself never allocates.
pub struct Workspace {
    /// Sampled parameter values, indexed by `ParamId`.
    pub params: Vec<f64>,
    /// months × sources, row-major: variables then drivers at each month.
    pub trajectory: Vec<f64>,
    /// This run's influence weights, in `Model::influences` order.
    weights: Vec<f64>,
    /// Driver offsets the trajectory's driver columns were last filled with.
    driver_offsets: Vec<f64>,
    signal: Vec<f64>,
    next: Vec<f64>,
    jump: Vec<f64>,
    /// decay classes × variables: the decayed pressure currently applied.
    pressure: Vec<f64>,
    /// Scheduled events by month, CSR-style: `event_ids[event_start[t]..event_start[t+1]]`.
    event_start: Vec<usize>,
    event_ids: Vec<usize>,
    /// Pressures of events dated before the start, decayed to month 0:
    /// (slot in `pressure`, parameter, decay factor), computed once.
    early_pressure: Vec<(usize, ParamId, f64)>,
}

impl Workspace {
    pub fn new(model: &Model) -> Self {
        let (nv, ns, months) = (model.n_vars(), model.n_sources(), model.months());
        let mut by_month: Vec<Vec<usize>> = vec![Vec::new(); months];
        for (i, e) in model.events.iter().enumerate() {
            if let Some(m) = e.month {
                by_month[m].push(i);
            }
        }
        let mut event_start = vec![0];
        let mut event_ids = Vec::new();
        for ids in by_month {
            event_ids.extend(ids);
            event_start.push(event_ids.len());
        }
        // Events before the start still press, decayed to month 0 (the
        // monthly update rule counts every event with t_e <= t); their jumps
        // lie before the horizon.
        let early_pressure = model
            .events
            .iter()
            .filter(|e| e.date < model.start)
            .flat_map(|e| {
                let age = e.date.months_until(model.start) as f64;
                let fade = rule::pressure_left(e.half_life, age);
                e.pressures
                    .iter()
                    .map(move |&(var, pid)| (e.decay_class * nv + var.0, pid, fade))
            })
            .collect();
        Workspace {
            early_pressure,
            params: model.central_params(),
            trajectory: vec![0.0; months * ns],
            weights: vec![0.0; model.influences.len()],
            driver_offsets: vec![f64::NAN; model.drivers.len()],
            signal: vec![0.0; nv],
            next: vec![0.0; nv],
            jump: vec![0.0; nv],
            pressure: vec![0.0; model.decay_factors.len() * nv],
            event_start,
            event_ids,
        }
    }

    /// Draws every per-run parameter afresh (FORMAT.md, the monthly update rule, step 1).
    pub fn sample_params<R: Rng + ?Sized>(&mut self, model: &Model, rng: &mut R) {
        for (slot, p) in self.params.iter_mut().zip(&model.params) {
            if p.draw == Draw::PerRun {
                *slot = p.sample(rng);
            }
        }
    }

    /// Sets every parameter to its central value (deterministic mode).
    pub fn central_params(&mut self, model: &Model) {
        for (slot, p) in self.params.iter_mut().zip(&model.params) {
            *slot = p.central();
        }
    }

    /// The pressure (decay classes × variables) acting on the last month of
    /// the last run.
    pub fn pressure(&self) -> &[f64] {
        &self.pressure
    }

    /// The value of source `s` at month `t` of the last run.
    pub fn value(&self, model: &Model, t: usize, s: usize) -> f64 {
        self.trajectory[t * model.n_sources() + s]
    }
}

/// Whether a run draws noise and incidents, or is the deterministic run.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Stochastic,
    Deterministic,
}

/// Simulates one run with the parameters already in `ws.params`, leaving the
/// trajectory in `ws.trajectory`.
pub fn simulate<R: Rng + ?Sized>(model: &Model, ws: &mut Workspace, rng: &mut R, mode: Mode) {
    let (nv, ns, months) = (model.n_vars(), model.n_sources(), model.months());
    let stochastic = mode == Mode::Stochastic;
    let Workspace {
        params,
        trajectory,
        weights,
        driver_offsets,
        signal,
        next,
        jump,
        pressure,
        event_start,
        event_ids,
        early_pressure,
    } = ws;

    for (w, inf) in weights.iter_mut().zip(&model.influences) {
        *w = params[inf.weight.0];
    }
    // Driver paths with this run's offsets; a column whose offset did not
    // change since the workspace's previous run is already right.
    for (k, d) in model.drivers.iter().enumerate() {
        let off = d.offset.map_or(0.0, |p| params[p.0]);
        if off.to_bits() == driver_offsets[k].to_bits() {
            continue;
        }
        driver_offsets[k] = off;
        for t in 0..months {
            trajectory[t * ns + nv + k] = (d.path[t] + off).clamp(d.min, d.max);
        }
    }
    // Month 0: initial values plus events dated at the start.
    pressure.fill(0.0);
    jump.fill(0.0);
    apply_events(
        model,
        params,
        &event_ids[event_start[0]..event_start[1]],
        jump,
        pressure,
    );
    for &(slot, pid, fade) in early_pressure.iter() {
        pressure[slot] += params[pid.0] * fade;
    }
    for (i, v) in model.variables.iter().enumerate() {
        trajectory[i] = (params[v.initial.0] + jump[i]).clamp(v.min, v.max);
    }

    for t in 0..months.saturating_sub(1) {
        let (past, future) = trajectory.split_at_mut((t + 1) * ns);
        // Influences are a sparse list: real scenarios fill about a tenth of
        // the dense matrix, and the list was measured faster than a dense
        // product per lag.
        let value = |s: SourceId, lag: usize| past[rule::lagged(t, lag) * ns + s.0];
        rule::signals(model, params, weights, value, pressure, signal);
        let now = &past[t * ns..t * ns + ns];
        for (i, v) in model.variables.iter().enumerate() {
            let target = rule::target(v, signal[i]);
            let mut x = rule::approach(now[i], params[v.rate.0], target);
            let noise = params[v.noise.0];
            if stochastic && noise != 0.0 {
                x += noise * standard_normal(rng);
            }
            next[i] = x;
        }

        // Shocks landing at month t+1: pressure decays first, then new ones add.
        for (class, &d) in pressure.chunks_exact_mut(nv).zip(&model.decay_factors) {
            class.iter_mut().for_each(|p| *p *= d);
        }
        jump.fill(0.0);
        apply_events(
            model,
            params,
            &event_ids[event_start[t + 1]..event_start[t + 2]],
            jump,
            pressure,
        );
        if stochastic {
            for inc in &model.incidents {
                if t + 1 < inc.window.0 || t + 1 > inc.window.1 {
                    continue;
                }
                let mut exponent = 0.0;
                for &(src, k) in &inc.rate_by {
                    exponent += k * now[src.0];
                }
                let Some(lambda) = rule::incident_rate(params[inc.base_rate.0], exponent) else {
                    continue;
                };
                let count = match Poisson::new(lambda) {
                    Ok(p) => p.sample(rng) as u64,
                    Err(_) => 0,
                };
                for _ in 0..count {
                    for &(var, pid) in &inc.jumps {
                        jump[var.0] += model.params[pid.0].sample(rng);
                    }
                    for &(var, pid) in &inc.pressures {
                        pressure[inc.decay_class * nv + var.0] += model.params[pid.0].sample(rng);
                    }
                }
            }
        }
        let out = &mut future[..ns];
        for (i, v) in model.variables.iter().enumerate() {
            out[i] = (next[i] + jump[i]).clamp(v.min, v.max);
        }
    }
}

fn apply_events(
    model: &Model,
    params: &[f64],
    ids: &[usize],
    jump: &mut [f64],
    pressure: &mut [f64],
) {
    let nv = jump.len();
    for &e in ids {
        let ev = &model.events[e];
        for &(var, pid) in &ev.jumps {
            jump[var.0] += params[pid.0];
        }
        for &(var, pid) in &ev.pressures {
            pressure[ev.decay_class * nv + var.0] += params[pid.0];
        }
    }
}

/// Runs the deterministic trajectory: central parameters, no noise, no incidents.
pub fn deterministic(model: &Model, ws: &mut Workspace) {
    ws.central_params(model);
    let mut rng = run_rng(0, 0);
    simulate(model, ws, &mut rng, Mode::Deterministic);
}

/// Runs run `run` of the ensemble with seed `seed`.
pub fn stochastic_run(model: &Model, ws: &mut Workspace, seed: u64, run: u64) {
    let mut rng = run_rng(seed, run);
    ws.sample_params(model, &mut rng);
    simulate(model, ws, &mut rng, Mode::Stochastic);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn run_streams_differ_from_the_first_draw() {
        let first: Vec<u64> = (0..64).map(|r| run_rng(5, r).random::<u64>()).collect();
        let mut dedup = first.clone();
        dedup.sort_unstable();
        dedup.dedup();
        assert_eq!(dedup.len(), first.len());
        assert_ne!(run_rng(5, 0).random::<u64>(), run_rng(6, 0).random::<u64>());
        assert_eq!(run_rng(5, 3).random::<u64>(), run_rng(5, 3).random::<u64>());
    }
}
