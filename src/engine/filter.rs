//! Conditioning an ensemble on the record: a particle filter over the
//! population. All runs advance month by month together (blocks of
//! [`LANES`] in parallel); at every month with observations each run is
//! weighted by the likelihood of what was observed, and when the weights
//! grow uneven (effective sample size below [`ESS_THRESHOLD`] of the runs)
//! the population is resampled systematically. Resampled copies of a run
//! would otherwise share their parameters for ever, so the uncertain
//! parameters are rejuvenated with Liu and West's shrinkage kernel, and
//! every run gets a fresh random stream. After the last observation the
//! runs continue freely: that part is the forecast.
//!
//! The statistics of every month are those of the weighted population at
//! that month (the filtering distribution: conditioned on the observations
//! up to that month), folded with integer multiplicities from a systematic
//! resample of the weights, so they stay exact integer histograms and are
//! byte-identical for any thread count.

use rand::RngExt;
use rayon::prelude::*;

use super::block::{Block, Schedule};
use super::run_rng;
use crate::model::{Allowed, Domain, Draw, Model, ParamId, param::standard_normal};
use crate::stats::{CountedMoments, Distribution, EnsembleStats, Layout};

/// Runs per block.
pub const LANES: usize = 256;
/// Resample when the effective sample size falls below this share of the runs.
pub const ESS_THRESHOLD: f64 = 0.5;
/// Liu and West's discount δ: the kernel keeps the parameters' mean and
/// variance, shrinking each toward the mean by a = (3δ − 1) / (2δ).
pub const DISCOUNT: f64 = 0.98;

/// What conditioning found besides the statistics.
#[derive(Clone, Debug)]
pub struct Conditioning {
    /// log p(observations | scenario), estimated by the filter.
    pub log_evidence: f64,
    /// Its approximate standard error (the delta method over the
    /// incremental weights of every observation month).
    pub log_evidence_se: f64,
    /// (month, effective sample size after weighting, resampled?) at every
    /// month with observations.
    pub steps: Vec<(usize, f64, bool)>,
    /// How the final population descends from the initial runs, so any
    /// final run's whole history can be replayed ([`replay`]).
    pub genealogy: Genealogy,
}

/// The resamplings of a filter, in order, and the final weights.
#[derive(Clone, Debug, Default)]
pub struct Genealogy {
    pub resamplings: Vec<Resampling>,
    /// Normalized weights of the final population.
    pub final_weights: Vec<f64>,
}

/// One resampling: at the end of month `month` every slot took a copy of
/// its ancestor's run, got the random stream `run_rng(stream, slot)`, and
/// had each uncertain parameter moved by the kernel with these
/// population statistics.
#[derive(Clone, Debug)]
pub struct Resampling {
    pub month: usize,
    pub stream: u64,
    /// The slot each slot copied (itself when it survived).
    pub ancestors: Vec<u32>,
    /// Every moved parameter, with the population's statistics.
    pub moves: Vec<Move>,
}

/// How the kernel moves one parameter at one resampling.
#[derive(Clone, Debug)]
pub struct Move {
    pub id: ParamId,
    pub mean: f64,
    pub sd: f64,
    pub domain: Domain,
    /// The values the parameter may take.
    pub allowed: Allowed,
}

/// Why conditioning failed: no run is compatible with an observation.
#[derive(Clone, Debug, PartialEq)]
pub struct Incompatible {
    /// The observation's label.
    pub observation: String,
    pub date: String,
    /// How close the nearest run came, in the observation's units.
    pub closest: f64,
    /// What was observed, as (lo, hi).
    pub observed: (f64, f64),
}

/// Runs `runs` runs of `model` seeded with `seed`, conditioned on the
/// model's observations, on the current rayon pool.
pub fn run_filter(
    model: &Model,
    runs: u64,
    seed: u64,
) -> Result<(EnsembleStats, Conditioning), Incompatible> {
    let plan = FilterPlan {
        runs,
        seed,
        fixed: &[],
        statistics: true,
        capture: &[],
    };
    let out = filter(model, &plan)?;
    let stats = out.stats.expect("statistics were asked for");
    Ok((stats, out.conditioning))
}

/// What a filter run computes besides conditioning on the observations.
#[derive(Clone, Debug)]
pub struct FilterPlan<'a> {
    pub runs: u64,
    pub seed: u64,
    /// Parameters every run holds at the given value (calibration sets the
    /// values it tries this way): never drawn, never moved by the kernel.
    pub fixed: &'a [(ParamId, f64)],
    /// Fold every month into statistics. Without them the runs stop at
    /// the last observation or capture month: the evidence is known then.
    pub statistics: bool,
    /// (month, series) pairs whose value in every run to keep.
    pub capture: &'a [(usize, usize)],
}

/// What a filter run found.
#[derive(Clone, Debug)]
pub struct FilterOutcome {
    /// The conditioned statistics, when asked for.
    pub stats: Option<EnsembleStats>,
    pub conditioning: Conditioning,
    /// For each capture: every run's value at that month, before that
    /// month's observations weigh the runs, and the runs' normalized
    /// weights at that point (the predictive distribution).
    pub captured: Vec<Captured>,
}

/// Every run's value of one (month, series) and its weight.
#[derive(Clone, Debug, Default)]
pub struct Captured {
    pub values: Vec<f64>,
    pub weights: Vec<f64>,
}

/// The particle filter (see the module documentation) under `plan`.
pub fn filter(model: &Model, plan: &FilterPlan<'_>) -> Result<FilterOutcome, Incompatible> {
    let (runs, seed) = (plan.runs, plan.seed);
    let schedule = Schedule::new(model);
    let layout = Layout::new(model);
    let months = model.months();
    let n = runs as usize;
    let mut blocks: Vec<Block<'_>> = (0..n.div_ceil(LANES))
        .map(|b| {
            let mut block = Block::new(model, &schedule, LANES);
            let first = b * LANES;
            block.load_runs(seed, first as u64, (n - first).min(LANES));
            for lane in 0..block.lanes() {
                for &(id, v) in plan.fixed {
                    block.set_param(lane, id, v);
                }
            }
            block
        })
        .collect();
    let chunks = blocks.len();
    let folds = if plan.statistics { chunks } else { 0 };
    let mut moments: Vec<CountedMoments> = (0..folds)
        .map(|_| CountedMoments::new(months, layout.cells()))
        .collect();
    let mut dists: Vec<Distribution> = Vec::new();
    let workers = rayon::current_num_threads().clamp(1, chunks.max(1));
    let per = chunks.div_ceil(workers).max(1);
    if plan.statistics {
        dists.resize_with(chunks.div_ceil(per), || Distribution::new(&layout));
    }
    let mut seen = vec![0u64; n];
    let mut logw = vec![0.0f64; n];
    let mut mult = vec![1u32; n];
    let mut filter_rng = run_rng(seed ^ 0x005E_EDF1_17E5, 0);
    let mut evidence = (0.0, 0.0);
    let mut steps = Vec::new();
    let mut resamplings = 0u64;
    let mut genealogy = Genealogy::default();
    let mut captured = vec![Captured::default(); plan.capture.len()];
    let fixed: Vec<ParamId> = plan.fixed.iter().map(|(id, _)| *id).collect();

    // Between two stops (observation or capture months) the weights do not
    // change, so every block advances through the whole stretch on its
    // own, in cache, folding each month as it goes; the population meets
    // only at the stops.
    blocks.par_iter_mut().for_each(|b| b.start());
    let mut stops: Vec<usize> = model.observations.iter().map(|o| o.month).collect();
    stops.extend(plan.capture.iter().map(|c| c.0).filter(|&t| t < months));
    stops.sort_unstable();
    stops.dedup();
    let mut from = 0;
    for &t in &stops {
        let mut fold = Fold {
            layout: &layout,
            moments: &mut moments,
            dists: &mut dists,
            seen: &mut seen,
            per,
        };
        advance(&mut blocks, &mut fold, &mult, from, t, false);
        for (k, c) in plan.capture.iter().enumerate().filter(|(_, c)| c.0 == t) {
            captured[k] = Captured {
                values: (0..n)
                    .map(|i| {
                        let b = &blocks[i / LANES];
                        b.row(t)[c.1 * b.lanes() + i % LANES]
                    })
                    .collect(),
                weights: normalized(&logw),
            };
        }
        let here: Vec<usize> = (0..model.observations.len())
            .filter(|&k| model.observations[k].month == t)
            .collect();
        if !here.is_empty() {
            let ll = log_likelihoods(model, &blocks, &here, n);
            check_compatible(model, &blocks, &here, &ll, n)?;
            let (inc, var) = weigh(&mut logw, &ll);
            evidence.0 += inc;
            evidence.1 += var;
            let w = normalized(&logw);
            let ess = 1.0 / w.iter().map(|x| x * x).sum::<f64>();
            let resample = ess < ESS_THRESHOLD * n as f64;
            if resample {
                let copies = systematic(&w, n, filter_rng.random::<f64>());
                let ancestors = apply_resample(&mut blocks, &copies, &mut seen);
                resamplings += 1;
                let stream = stream_of(seed, resamplings);
                let moves = population_moves(model, &blocks, n, &fixed);
                for (bi, b) in blocks.iter_mut().enumerate() {
                    for l in 0..b.lanes() {
                        b.reseed(l, &run_rng(stream, (bi * LANES + l) as u64));
                        move_lane(b, l, &moves);
                    }
                }
                genealogy.resamplings.push(Resampling {
                    month: t,
                    stream,
                    ancestors,
                    moves,
                });
                logw.fill(0.0);
            }
            steps.push((t, ess, resample));
            // The weights as integer copies, for folding.
            mult = systematic(&normalized(&logw), n, 0.5);
        }
        let mut fold = Fold {
            layout: &layout,
            moments: &mut moments,
            dists: &mut dists,
            seen: &mut seen,
            per,
        };
        advance(&mut blocks, &mut fold, &mult, t, t, true);
        from = t + 1;
    }
    if from < months && plan.statistics {
        let mut fold = Fold {
            layout: &layout,
            moments: &mut moments,
            dists: &mut dists,
            seen: &mut seen,
            per,
        };
        advance(&mut blocks, &mut fold, &mult, from, months - 1, true);
    }
    let w = normalized(&logw);
    genealogy.final_weights = w.clone();
    let stats = plan.statistics.then(|| {
        // Ever-entered bands, counted with the final weights.
        let mult = systematic(&w, n, 0.5);
        dists[0].finish_lanes_counted(&seen, &mult);
        let mut total = CountedMoments::new(months, layout.cells());
        for m in &moments {
            total.merge(m);
        }
        let mut dist = dists.remove(0);
        for d in &dists {
            dist.merge(d);
        }
        EnsembleStats {
            layout,
            moments: total.into_moments(runs),
            dist,
        }
    });
    Ok(FilterOutcome {
        stats,
        conditioning: Conditioning {
            log_evidence: evidence.0,
            log_evidence_se: evidence.1.sqrt(),
            steps,
            genealogy,
        },
        captured,
    })
}

/// Every run's log-likelihood of the observations `here` (one month).
fn log_likelihoods(model: &Model, blocks: &[Block<'_>], here: &[usize], n: usize) -> Vec<f64> {
    let mut ll = vec![0.0; n];
    ll.par_chunks_mut(LANES)
        .zip(blocks.par_iter())
        .for_each(|(ll, b)| {
            let (lanes, row) = (b.lanes(), b.row(b.month()));
            for &k in here {
                let o = &model.observations[k];
                let xs = &row[o.series.0 * lanes..(o.series.0 + 1) * lanes];
                for (l, &x) in ll.iter_mut().zip(xs) {
                    *l += o.log_likelihood(x);
                }
            }
        });
    ll
}

/// Refuses a month at which no run has a positive likelihood, naming the
/// observation no run satisfies and how close the nearest came.
fn check_compatible(
    model: &Model,
    blocks: &[Block<'_>],
    here: &[usize],
    ll: &[f64],
    n: usize,
) -> Result<(), Incompatible> {
    if ll.iter().any(|l| l.is_finite()) {
        return Ok(());
    }
    let value = |i: usize, s: usize| {
        let b = &blocks[i / LANES];
        b.row(b.month())[s * b.lanes() + i % LANES]
    };
    // The observation the fewest runs satisfy, and the nearest miss.
    let mut worst = None;
    for &k in here {
        let o = &model.observations[k];
        let fits = (0..n)
            .filter(|&i| o.log_likelihood(value(i, o.series.0)).is_finite())
            .count();
        let closest = (0..n)
            .map(|i| o.miss(value(i, o.series.0)))
            .fold(f64::INFINITY, f64::min);
        if worst.as_ref().is_none_or(|(f, _, _)| fits < *f) {
            worst = Some((fits, k, closest));
        }
    }
    let (_, k, closest) = worst.unwrap_or((0, here[0], f64::NAN));
    let o = &model.observations[k];
    Err(Incompatible {
        observation: o.label.clone(),
        date: o.date.to_string(),
        closest,
        observed: o.range(),
    })
}

/// Adds `ll` to the log-weights; returns the log of the incremental
/// evidence, log Σ W_i e^{ll_i}, and the approximate variance of that
/// estimate (the incremental weights' squared coefficient of variation
/// over the effective number of runs).
fn weigh(logw: &mut [f64], ll: &[f64]) -> (f64, f64) {
    let prior = normalized(logw);
    let top = ll.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (mut mean, mut second) = (0.0, 0.0);
    for (w, l) in prior.iter().zip(ll) {
        let g = (l - top).exp();
        mean += w * g;
        second += w * g * g;
    }
    let ess: f64 = 1.0 / prior.iter().map(|w| w * w).sum::<f64>();
    let var = ((second / (mean * mean)) - 1.0).max(0.0) / ess;
    for (w, l) in logw.iter_mut().zip(ll) {
        *w += l;
    }
    (mean.ln() + top, var)
}

/// Normalized weights from log-weights.
fn normalized(logw: &[f64]) -> Vec<f64> {
    let top = logw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut w: Vec<f64> = logw.iter().map(|l| (l - top).exp()).collect();
    let sum: f64 = w.iter().sum();
    w.iter_mut().for_each(|x| *x /= sum);
    w
}

/// How many copies of each run a systematic resample with offset `u` in
/// [0, 1) takes; they sum to `n`. Uniform weights give one copy each.
fn systematic(w: &[f64], n: usize, u: f64) -> Vec<u32> {
    let mut mult = vec![0u32; w.len()];
    let mut cum = 0.0;
    let mut k = 0usize;
    for (i, &wi) in w.iter().enumerate() {
        cum += wi * n as f64;
        while k < n && (k as f64 + u) < cum {
            mult[i] += 1;
            k += 1;
        }
    }
    // Rounding may leave the last few copies unassigned.
    if let Some(last) = (0..w.len()).rev().find(|&i| w[i] > 0.0) {
        mult[last] += (n - k) as u32;
    }
    mult
}

/// Resamples the population in place: runs with at least one copy stay
/// where they are, and the slots of runs with none take their extra copies.
/// Returns the slot each slot now descends from.
fn apply_resample(blocks: &mut [Block<'_>], mult: &[u32], seen: &mut [u64]) -> Vec<u32> {
    let mut ancestors: Vec<u32> = (0..mult.len() as u32).collect();
    let mut extra: Vec<usize> = Vec::new();
    for (i, &m) in mult.iter().enumerate() {
        for _ in 1..m {
            extra.push(i);
        }
    }
    let dead = mult
        .iter()
        .enumerate()
        .filter(|(_, m)| **m == 0)
        .map(|(i, _)| i);
    for (to, from) in dead.zip(extra) {
        ancestors[to] = from as u32;
        seen[to] = seen[from];
        let (tb, tl, fb, fl) = (to / LANES, to % LANES, from / LANES, from % LANES);
        if tb == fb {
            blocks[tb].copy_lane(fl, tl);
        } else if tb < fb {
            let (a, b) = blocks.split_at_mut(fb);
            a[tb].copy_lane_from(tl, &b[0], fl);
        } else {
            let (a, b) = blocks.split_at_mut(tb);
            b[0].copy_lane_from(tl, &a[fb], fl);
        }
    }
    ancestors
}

/// The mean and sd over the population of every uncertain per-run
/// parameter: what Liu and West's kernel moves each run's value with.
fn population_moves(model: &Model, blocks: &[Block<'_>], n: usize, fixed: &[ParamId]) -> Vec<Move> {
    model
        .params
        .iter()
        .enumerate()
        .filter(|(p, param)| {
            param.draw == Draw::PerRun && param.dist.is_uncertain() && !fixed.contains(&ParamId(*p))
        })
        .map(|(p, param)| {
            let id = ParamId(p);
            let value = |i: usize| blocks[i / LANES].param(i % LANES, id);
            let mean = (0..n).map(value).sum::<f64>() / n as f64;
            let var = (0..n).map(|i| (value(i) - mean).powi(2)).sum::<f64>() / n as f64;
            Move {
                id,
                mean,
                sd: var.sqrt(),
                domain: param.domain,
                allowed: model.allowed(id),
            }
        })
        .collect()
}

/// Liu and West's kernel on one run: θ ← a θ + (1 − a) θ̄ + √(1 − a²) ·
/// sd(θ) · ε, with ε from the run's own (fresh) stream, clipped to the
/// values the parameter may take; then what derives from the parameters.
pub(crate) fn move_lane(block: &mut Block<'_>, lane: usize, moves: &[Move]) {
    let a = (3.0 * DISCOUNT - 1.0) / (2.0 * DISCOUNT);
    let h = (1.0 - a * a).sqrt();
    let mut rng = block.lane_rng(lane);
    for m in moves {
        let v = block.param(lane, m.id);
        let e = standard_normal(&mut rng);
        let moved = a * v + (1.0 - a) * m.mean + h * m.sd * e;
        let clipped = m.domain.clip(moved).clamp(m.allowed.lo, m.allowed.hi);
        block.set_param(
            lane,
            m.id,
            if m.allowed.contains(clipped) {
                clipped
            } else {
                v
            },
        );
    }
    block.reseed(lane, &rng);
    block.refresh_lane(lane);
}

/// The seed of the streams runs get at the `k`-th resampling.
fn stream_of(seed: u64, k: u64) -> u64 {
    seed ^ k.wrapping_mul(0xA076_1D64_78BD_642F)
}

/// The initial run each of the final runs `slots` descends from.
pub fn origins(genealogy: &Genealogy, slots: &[usize]) -> Vec<u64> {
    slots
        .iter()
        .map(|&s| {
            genealogy
                .resamplings
                .iter()
                .rev()
                .fold(s as u32, |slot, r| r.ancestors[slot as usize]) as u64
        })
        .collect()
}

/// Replays the whole history of the final runs `slots` of a conditioned
/// ensemble (seeded with `seed`), month by month, calling `each` with the
/// block after every month: each lane follows its run's lineage back to an
/// initial run and forward through every copy, fresh stream and kernel
/// move, so it reproduces exactly what the filter computed.
pub fn replay(
    model: &Model,
    seed: u64,
    genealogy: &Genealogy,
    slots: &[usize],
    mut each: impl FnMut(&Block<'_>),
) {
    let schedule = Schedule::new(model);
    let mut block = Block::new(model, &schedule, slots.len());
    // lineage[k][lane]: the slot the lane's run occupied after resampling k.
    let mut lineage = vec![slots.iter().map(|&s| s as u32).collect::<Vec<u32>>()];
    for r in genealogy.resamplings.iter().rev() {
        let last = lineage.last().cloned().unwrap_or_default();
        lineage.push(last.iter().map(|&s| r.ancestors[s as usize]).collect());
    }
    lineage.reverse(); // lineage[0]: initial runs; lineage[k]: after resampling k.
    let origins: Vec<u64> = lineage[0].iter().map(|&s| u64::from(s)).collect();
    block.load_run_list(seed, &origins);
    let mut next = 0;
    let months = model.months();
    for t in 0..months {
        if t == 0 {
            block.start();
        } else {
            block.step();
        }
        while let Some(r) = genealogy.resamplings.get(next).filter(|r| r.month == t) {
            next += 1;
            for (lane, &slot) in lineage[next].iter().enumerate().take(block.lanes()) {
                block.reseed(lane, &run_rng(r.stream, u64::from(slot)));
                move_lane(&mut block, lane, &r.moves);
            }
        }
        each(&block);
    }
}

/// Where the months are folded: moments per block (merged in block order
/// at the end), histograms per group of `per` blocks (integer counts).
struct Fold<'f> {
    layout: &'f Layout,
    moments: &'f mut [CountedMoments],
    dists: &'f mut [Distribution],
    seen: &'f mut [u64],
    per: usize,
}

/// Advances every (started) block through months `from ..= to` (a month
/// already computed is not stepped again), folding each
/// month with the copies `mult` — all but `to` unless `fold_last`. Groups
/// of blocks run in parallel, each block through the whole stretch.
fn advance(
    blocks: &mut [Block<'_>],
    fold: &mut Fold<'_>,
    mult: &[u32],
    from: usize,
    to: usize,
    fold_last: bool,
) {
    let (per, layout) = (fold.per, fold.layout);
    if fold.moments.is_empty() {
        blocks.par_iter_mut().for_each(|b| {
            while b.month() < to {
                b.step();
            }
        });
        return;
    }
    blocks
        .par_chunks_mut(per)
        .zip(fold.moments.par_chunks_mut(per))
        .zip(fold.dists.par_iter_mut())
        .zip(fold.seen.par_chunks_mut(per * LANES))
        .zip(mult.par_chunks(per * LANES))
        .for_each(|((((group, moments), dist), seen), mult)| {
            for (k, (b, m)) in group.iter_mut().zip(moments.iter_mut()).enumerate() {
                let lanes = b.lanes();
                let lanes_of = k * LANES..k * LANES + lanes;
                for t in from..=to {
                    if t > b.month() {
                        b.step();
                    }
                    if t < to || fold_last {
                        let row = b.row(t);
                        m.add_month(t, row, lanes, &mult[lanes_of.clone()]);
                        dist.add_month_counted(
                            layout,
                            t,
                            row,
                            lanes,
                            &mult[lanes_of.clone()],
                            &mut seen[lanes_of.clone()],
                        );
                    }
                }
            }
        });
}
