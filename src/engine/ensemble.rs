//! Monte Carlo ensembles over threads. Runs are grouped in fixed blocks of
//! [`BLOCK`] runs handed out in order; each block's moments are merged into
//! the total strictly in block order, and histograms are integer counts, so
//! the statistics are byte-identical for any thread count.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Workspace, stochastic_run};
use crate::model::Model;
use crate::stats::{Distribution, EnsembleStats, Layout, Moments};

/// Runs per block: the unit of work and of ordered merging.
pub const BLOCK: u64 = 64;

struct Merger {
    next: u64,
    pending: BTreeMap<u64, Moments>,
    total: Moments,
    spare: Vec<Moments>,
}

/// Runs `runs` runs of `model` seeded with `seed` on `threads` threads and
/// returns their statistics. `progress` is told how many runs each finished
/// block held.
pub fn run_ensemble(
    model: &Model,
    runs: u64,
    seed: u64,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<EnsembleStats, rayon::ThreadPoolBuildError> {
    let layout = Layout::new(model);
    let cells = layout.cells();
    let blocks = runs.div_ceil(BLOCK);
    let threads = threads.max(1).min(blocks.max(1) as usize);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let next_block = AtomicU64::new(0);
    let merger = Mutex::new(Merger {
        next: 0,
        pending: BTreeMap::new(),
        total: Moments::new(cells),
        spare: Vec::new(),
    });
    let dists: Mutex<Vec<Distribution>> = Mutex::new(Vec::with_capacity(threads));

    pool.scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|_| {
                let mut ws = Workspace::new(model);
                let mut dist = Distribution::new(&layout);
                let mut moments = Moments::new(cells);
                loop {
                    let b = next_block.fetch_add(1, Ordering::Relaxed);
                    if b >= blocks {
                        break;
                    }
                    let (first, last) = (b * BLOCK, ((b + 1) * BLOCK).min(runs));
                    moments.clear();
                    for run in first..last {
                        stochastic_run(model, &mut ws, seed, run);
                        moments.add_run(&ws.trajectory);
                        dist.add_run(&layout, &ws.trajectory);
                    }
                    let mut m = merger.lock().unwrap_or_else(|e| e.into_inner());
                    let fresh = m.spare.pop().unwrap_or_else(|| Moments::new(cells));
                    m.pending.insert(b, std::mem::replace(&mut moments, fresh));
                    let Merger {
                        next,
                        pending,
                        total,
                        spare,
                    } = &mut *m;
                    while let Some(done) = pending.remove(next) {
                        total.merge(&done);
                        spare.push(done);
                        *next += 1;
                    }
                    drop(m);
                    progress(last - first);
                }
                dists.lock().unwrap_or_else(|e| e.into_inner()).push(dist);
            });
        }
    });

    let mut parts = dists
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter();
    let mut dist = parts.next().unwrap_or_else(|| Distribution::new(&layout));
    for d in parts {
        dist.merge(&d);
    }
    let total = merger.into_inner().unwrap_or_else(|e| e.into_inner()).total;
    Ok(EnsembleStats {
        layout,
        moments: total,
        dist,
    })
}

/// Statistics of the single deterministic run (so results have one shape).
pub fn deterministic_stats(model: &Model, ws: &Workspace) -> EnsembleStats {
    let layout = Layout::new(model);
    let mut moments = Moments::new(layout.cells());
    let mut dist = Distribution::new(&layout);
    moments.add_run(&ws.trajectory);
    dist.add_run(&layout, &ws.trajectory);
    EnsembleStats {
        layout,
        moments,
        dist,
    }
}
