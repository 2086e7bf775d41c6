//! Monte Carlo ensembles over threads. A worker advances [`LANES`] runs
//! together as one [`Block`], folding each month into the statistics as
//! soon as it is computed. The moments are kept per group of [`BLOCK`] runs
//! and merged along one fixed binary tree over the group indices
//! ([`GroupTree`]), and histograms are integer counts, so the statistics
//! are byte-identical for any thread count, any number of lanes, and any
//! split of the groups into shards.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::Workspace;
use super::block::{Block, Schedule, driver_repeats};
use crate::model::Model;
use crate::stats::tree::GroupTree;
use crate::stats::{
    Distribution, EnsembleStats, GroupedMoments, Layout, MAX_LANES, Moments, Repeats,
};

/// Runs per group: the unit of ordered merging of the moments.
pub const BLOCK: u64 = 64;

/// Runs a worker advances together: wide enough that each month's
/// histograms, fetched once, take many values, while the block's state
/// stays in cache.
pub const LANES: u64 = 256;

/// Groups in a full block of [`LANES`] runs.
const GROUPS: usize = (LANES / BLOCK) as usize;

const _: () = assert!(LANES.is_multiple_of(BLOCK) && LANES as usize <= MAX_LANES);

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
    let part = run_part(
        model,
        runs,
        0..runs.div_ceil(BLOCK),
        seed,
        threads,
        progress,
    )?;
    let moments = part
        .tree
        .total()
        .cloned()
        .unwrap_or_else(|| Moments::new(part.layout.cells()));
    Ok(EnsembleStats {
        layout: part.layout,
        moments,
        dist: part.dist,
    })
}

/// The statistics of some of an ensemble's runs: the merge tree of their
/// groups' moments and their histograms.
pub struct Part {
    pub layout: Layout,
    pub tree: GroupTree,
    pub dist: Distribution,
}

/// Runs the groups `groups` (of [`BLOCK`] runs each) of the ensemble of
/// `runs` runs seeded with `seed`: the part of it one shard computes.
pub fn run_part(
    model: &Model,
    runs: u64,
    groups: std::ops::Range<u64>,
    seed: u64,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Part, rayon::ThreadPoolBuildError> {
    let span = Span {
        model,
        runs,
        groups,
        seed,
    };
    run_groups(span, threads, progress, true)
}

/// The cells of `model` that repeat the month before in every run: its
/// drivers' level months ([`driver_repeats`]).
fn model_repeats(model: &Model, layout: &Layout) -> Repeats {
    let nv = model.n_vars();
    Repeats::new(layout, |t, s| s >= nv && driver_repeats(model, s - nv, t))
}

/// The runs of a part: the groups `groups` (of [`BLOCK`] runs each) of the
/// ensemble of `runs` runs of `model` seeded with `seed`.
struct Span<'m> {
    model: &'m Model,
    runs: u64,
    groups: std::ops::Range<u64>,
    seed: u64,
}

/// [`run_part`]; with `copy_repeats`, the cells that repeat the month
/// before ([`model_repeats`]) are not folded but take that month's
/// statistics, otherwise every cell is folded.
fn run_groups(
    span: Span<'_>,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
    copy_repeats: bool,
) -> Result<Part, rayon::ThreadPoolBuildError> {
    let Span {
        model,
        runs,
        groups,
        seed,
    } = span;
    let layout = Layout::new(model);
    let repeats = if copy_repeats {
        model_repeats(model, &layout)
    } else {
        Repeats::none(&layout)
    };
    let repeats = &repeats;
    let cells = layout.cells();
    let (lo, hi) = (
        (groups.start * BLOCK).min(runs),
        (groups.end * BLOCK).min(runs),
    );
    let chunks = (hi - lo).div_ceil(LANES);
    let threads = threads.max(1).min(chunks.max(1) as usize);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let next_chunk = AtomicU64::new(0);
    let tree = Mutex::new(GroupTree::new(runs.div_ceil(BLOCK)));
    let dists: Mutex<Vec<Distribution>> = Mutex::new(Vec::with_capacity(threads));
    let schedule = Schedule::new(model);
    // 1 / (r + 1) for each run of a group: Welford's weights.
    let inv: Vec<f64> = (0..BLOCK).map(|r| 1.0 / (r + 1) as f64).collect();
    let groups_per_chunk = (LANES / BLOCK) as usize;

    pool.scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|_| {
                let mut block = Block::new(model, &schedule, LANES as usize);
                let mut dist = Distribution::new(&layout);
                let mut moments: Vec<Moments> =
                    (0..groups_per_chunk).map(|_| Moments::new(cells)).collect();
                let mut grouped = GroupedMoments::<GROUPS>::new(cells);
                let mut runs = vec![0u64; LANES as usize];
                let mut seen = vec![0u64; LANES as usize];
                loop {
                    let c = next_chunk.fetch_add(1, Ordering::Relaxed);
                    if c >= chunks {
                        break;
                    }
                    let (first, last) = (lo + c * LANES, (lo + (c + 1) * LANES).min(hi));
                    let lanes = (last - first) as usize;
                    let groups: Vec<(usize, usize)> = (0..lanes)
                        .step_by(BLOCK as usize)
                        .map(|lo| (lo, (lo + BLOCK as usize).min(lanes)))
                        .collect();
                    seen.fill(0);
                    // A full block holds its groups interleaved (lane
                    // r · GROUPS + g is run r of group g), so that their
                    // moments update together as vectors; a partial one
                    // (the last) holds its runs in order. The order of
                    // lanes changes nothing else: each lane is its run.
                    let full = lanes == LANES as usize;
                    if full {
                        for (l, run) in runs.iter_mut().enumerate() {
                            let (r, g) = ((l / GROUPS) as u64, (l % GROUPS) as u64);
                            *run = first + g * BLOCK + r;
                        }
                        block.load_run_list(seed, &runs);
                    } else {
                        block.load_runs(seed, first, lanes);
                    }
                    // Each month is folded as soon as it is computed.
                    block.run(|blk| {
                        let t = blk.month();
                        let (row, skip) = (blk.row(t), repeats.month(t));
                        if full {
                            grouped.add_month(t, row, lanes, &inv, skip);
                        } else {
                            for (m, &(lo, hi)) in moments.iter_mut().zip(&groups) {
                                m.add_month(t, row, lanes, lo..hi, &inv, skip);
                            }
                        }
                        dist.add_month(&layout, t, row, lanes, &mut seen[..lanes], skip);
                    });
                    dist.finish_lanes(&seen[..lanes]);
                    let mut t = tree.lock().unwrap_or_else(|e| e.into_inner());
                    for (k, (moments, &(a, b))) in moments.iter_mut().zip(&groups).enumerate() {
                        if full {
                            grouped.take(k, (b - a) as u64, moments);
                        } else {
                            moments.finish_lanes(b - a);
                        }
                        moments.fill_repeats(repeats);
                        let done = std::mem::replace(moments, Moments::new(cells));
                        t.add(0, first / BLOCK + k as u64, done);
                    }
                    drop(t);
                    progress(last - first);
                }
                dist.flush();
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
    dist.fill_repeats(repeats);
    Ok(Part {
        layout,
        tree: tree.into_inner().unwrap_or_else(|e| e.into_inner()),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Copying the statistics of repeated cells gives the bits folding
    /// them gives, over full blocks and a partial one, on two threads.
    #[test]
    fn repeated_cells_get_the_statistics_folding_gives() {
        let model = crate::scenario::load("baseline", &[]).unwrap().model;
        let repeats = model_repeats(&model, &Layout::new(&model));
        assert!(repeats.count() > 100, "{}", repeats.count());
        // middle_corridor's path is level across 2026-01, when its offset
        // starts to act: that month is not a repeat, the next one is.
        let k = model
            .drivers
            .iter()
            .position(|d| d.name == "middle_corridor");
        let k = k.expect("baseline has middle_corridor");
        let from = model.drivers[k].offset_from;
        assert_eq!(model.drivers[k].path[from], model.drivers[k].path[from - 1]);
        assert!(!driver_repeats(&model, k, from) && driver_repeats(&model, k, from + 1));

        let runs = 2 * LANES + 40;
        let part = |copy_repeats: bool| {
            let span = Span {
                model: &model,
                runs,
                groups: 0..runs.div_ceil(BLOCK),
                seed: 5,
            };
            run_groups(span, 2, &|_| {}, copy_repeats).unwrap()
        };
        let (folded, copied) = (part(false), part(true));
        let same = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
        assert!(
            folded.dist.counts == copied.dist.counts,
            "histograms differ"
        );
        assert!(same(&folded.dist.min, &copied.dist.min), "minima differ");
        assert!(same(&folded.dist.max, &copied.dist.max), "maxima differ");
        let (a, b) = (folded.tree.total().unwrap(), copied.tree.total().unwrap());
        assert_eq!(a.n, b.n);
        assert!(
            same(&a.mean, &b.mean) && same(&a.m2, &b.m2),
            "moments differ"
        );
    }
}
