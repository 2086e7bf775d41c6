//! Pure numerics: runs of a compiled model (docs/FORMAT.md, "The monthly
//! update rule"), advanced month by month in blocks (block.rs), single runs
//! kept whole (this file), and ensembles over threads (ensemble.rs). No
//! I/O, no clock, no global random generator: a run's randomness comes from
//! its own generator, so (model, seed, run index) fixes its result bit for
//! bit.

pub mod block;
pub mod ensemble;
pub mod filter;
mod incident;
mod normals;
pub mod rng;

use crate::model::{Model, ParamId};

pub use block::{Block, Mode, Schedule};
pub use rng::RunRng;

/// The random generator of run `run` of an ensemble seeded with `seed`.
/// Every word of the state mixes both the seed and the run index through
/// SplitMix64, so the streams of different runs differ from the first draw.
pub fn run_rng(seed: u64, run: u64) -> RunRng {
    let s = splitmix64(seed);
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_exact_mut(8).enumerate() {
        let r = splitmix64(run.wrapping_add((i as u64 + 1).wrapping_mul(GOLDEN_GAMMA)));
        chunk.copy_from_slice(&splitmix64(s ^ r).to_le_bytes());
    }
    RunRng::from_seed(bytes)
}

/// SplitMix64's increment (2^64 divided by the golden ratio).
const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(GOLDEN_GAMMA);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One run kept whole: its parameters, every month of its trajectory and
/// the pressure acting in its last month. `explain`, the `check` report
/// and the tests read single runs this way; ensembles and analyses fold
/// runs month by month in [`Block`]s instead.
pub struct Workspace {
    /// The run's parameter values, indexed by `ParamId`.
    pub params: Vec<f64>,
    /// months × sources, row-major: variables then drivers at each month.
    pub trajectory: Vec<f64>,
    /// decay classes × variables: the pressure acting in the last month.
    pressure: Vec<f64>,
    schedule: Schedule,
}

impl Workspace {
    pub fn new(model: &Model) -> Self {
        Workspace {
            params: model.central_params(),
            trajectory: vec![0.0; model.months() * model.n_sources()],
            pressure: vec![0.0; model.decay_factors.len() * model.n_vars()],
            schedule: Schedule::new(model),
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

    /// Runs one lane loaded by `load`, keeping its whole trajectory.
    fn run_one(&mut self, model: &Model, load: impl FnOnce(&mut Block<'_>)) {
        let ns = model.n_sources();
        let mut block = Block::new(model, &self.schedule, 1);
        load(&mut block);
        let trajectory = &mut self.trajectory;
        block.run(|b| {
            let t = b.month();
            trajectory[t * ns..(t + 1) * ns].copy_from_slice(b.row(t));
        });
        for (p, slot) in self.params.iter_mut().enumerate() {
            *slot = block.param(0, ParamId(p));
        }
        self.pressure.copy_from_slice(block.pressure());
    }
}

/// Keeps whole the runs a block computes: every lane's trajectory (months ×
/// sources) and its values of `params`, after the last month.
pub fn keep_lanes(block: &Block<'_>, params: &[ParamId], out: &mut [(Vec<f64>, Vec<f64>)]) {
    let model = block.model();
    let (t, ns, lanes) = (block.month(), model.n_sources(), block.lanes());
    let row = block.row(t);
    for (lane, (kept_params, traj)) in out.iter_mut().enumerate().take(lanes) {
        if traj.is_empty() {
            traj.resize(model.months() * ns, 0.0);
        }
        for s in 0..ns {
            traj[t * ns + s] = row[s * lanes + lane];
        }
        if t + 1 == model.months() {
            *kept_params = params.iter().map(|p| block.param(lane, *p)).collect();
        }
    }
}

/// The runs `runs` of the ensemble seeded with `seed`, whole: each run's
/// values of `params` and its trajectory (months × sources).
pub fn saved_runs(
    model: &Model,
    seed: u64,
    runs: &[u64],
    params: &[ParamId],
) -> Vec<(Vec<f64>, Vec<f64>)> {
    let schedule = Schedule::new(model);
    let mut block = Block::new(model, &schedule, runs.len().max(1));
    block.load_run_list(seed, runs);
    let mut out = vec![(Vec::new(), Vec::new()); runs.len()];
    block.run(|b| keep_lanes(b, params, &mut out));
    out
}

/// Runs the deterministic trajectory: central parameters, no noise, no incidents.
pub fn deterministic(model: &Model, ws: &mut Workspace) {
    ws.run_one(model, |b| b.load_central(1));
}

/// Runs run `run` of the ensemble with seed `seed`.
pub fn stochastic_run(model: &Model, ws: &mut Workspace, seed: u64, run: u64) {
    ws.run_one(model, |b| b.load_runs(seed, run, 1));
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
