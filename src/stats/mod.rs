//! Streaming, mergeable ensemble statistics. Memory depends on the number of
//! months and series, never on the number of runs.
//!
//! * Mean and sd: Welford within a block of runs, Chan's formula across
//!   blocks; blocks are merged in block order, so the floating-point result
//!   does not depend on how runs were spread over threads.
//! * Quantiles: a fixed-bin histogram per (month, series) over the series'
//!   bounds, interpolated within the bin and clipped to the observed range.
//!   With [`BINS`] bins the error is at most range / BINS (< 0.1 % of the range).
//! * Regimes: integer counts per month and band, and of runs that ever
//!   entered each band.

pub mod diagnostics;
pub mod scores;
pub mod table;
pub mod tree;

pub use table::Table;

use crate::model::{Model, Regimes};

/// Histogram bins per (month, series).
pub const BINS: usize = 1024;

/// Most runs a block folds at once ([`Distribution::add_month`]).
pub const MAX_LANES: usize = 256;

/// Shape shared by all accumulators of one ensemble.
#[derive(Clone, Debug)]
pub struct Layout {
    pub months: usize,
    pub series: usize,
    pub bounds: Vec<(f64, f64)>,
    /// (lower bound, bins per unit) of each series, so binning is one multiply.
    pub bin_scale: Vec<(f64, f64)>,
    pub regimes: Option<Regimes>,
}

impl Layout {
    pub fn new(model: &Model) -> Self {
        let bounds: Vec<(f64, f64)> = (0..model.n_sources())
            .map(|s| model.source_bounds(s))
            .collect();
        Layout::from_bounds(model.months(), bounds, model.regimes.clone())
    }

    pub fn from_bounds(months: usize, bounds: Vec<(f64, f64)>, regimes: Option<Regimes>) -> Self {
        let bin_scale = bounds
            .iter()
            .map(|&(lo, hi)| (lo, BINS as f64 / (hi - lo)))
            .collect();
        Layout {
            months,
            series: bounds.len(),
            bounds,
            bin_scale,
            regimes,
        }
    }

    pub fn cells(&self) -> usize {
        self.months * self.series
    }

    fn bands(&self) -> usize {
        self.regimes.as_ref().map_or(0, |r| r.bands.len())
    }

    /// Bytes held by one worker's accumulators, for the runaway-request check.
    pub fn worker_bytes(&self) -> usize {
        // Per cell: 32- and 16-bit histograms, range, moments.
        self.cells() * (BINS * (4 + 2) + 2 * 8 + 2 * 8) + self.months * self.bands() * 8
    }
}

/// The cells (month, series) whose value equals the previous month's in
/// every run, known from the model before anything runs (a driver whose
/// path stays level, in a month its offset does not start to act). An ensemble
/// folds such a cell not at all and copies the previous month's statistics
/// into it once its runs are done: the same values in the same order give
/// the same bits, for a fraction of the work.
#[derive(Clone, Debug)]
pub struct Repeats {
    series: usize,
    /// months × series
    cells: Vec<bool>,
}

impl Repeats {
    /// No cell repeats.
    pub fn none(layout: &Layout) -> Self {
        Repeats {
            series: layout.series,
            cells: vec![false; layout.cells()],
        }
    }

    /// The cells for which `repeats(month, series)` holds; month 0 never
    /// repeats.
    pub fn new(layout: &Layout, repeats: impl Fn(usize, usize) -> bool) -> Self {
        let mut r = Repeats::none(layout);
        for t in 1..layout.months {
            for s in 0..layout.series {
                r.cells[t * layout.series + s] = repeats(t, s);
            }
        }
        r
    }

    /// Whether each series of month `t` repeats.
    pub fn month(&self, t: usize) -> &[bool] {
        &self.cells[t * self.series..(t + 1) * self.series]
    }

    /// Cells that repeat.
    pub fn count(&self) -> usize {
        self.cells.iter().filter(|&&r| r).count()
    }

    /// Copies into every repeated cell of `v` (months × series × `width`
    /// values) the previous month's values, month by month, so that a run
    /// of repeated months takes the month before it.
    fn fill<T: Copy>(&self, v: &mut [T], width: usize) {
        for (cell, _) in self.cells.iter().enumerate().filter(|(_, r)| **r) {
            let from = (cell - self.series) * width;
            v.copy_within(from..from + width, cell * width);
        }
    }
}

/// Mean and sum of squared deviations per cell, over `n` runs.
#[derive(Clone, Debug)]
pub struct Moments {
    pub n: u64,
    pub mean: Vec<f64>,
    pub m2: Vec<f64>,
}

impl Moments {
    pub fn new(cells: usize) -> Self {
        Moments {
            n: 0,
            mean: vec![0.0; cells],
            m2: vec![0.0; cells],
        }
    }

    pub fn clear(&mut self) {
        self.n = 0;
        self.mean.fill(0.0);
        self.m2.fill(0.0);
    }

    /// Welford's update with one run's trajectory (months × series).
    pub fn add_run(&mut self, trajectory: &[f64]) {
        self.n += 1;
        let inv = 1.0 / self.n as f64;
        for ((m, m2), &x) in self.mean.iter_mut().zip(self.m2.iter_mut()).zip(trajectory) {
            let d = x - *m;
            *m += d * inv;
            *m2 += d * (x - *m);
        }
    }

    /// Folds month `t` of the lanes `group` of a block of runs into these
    /// (group) moments: `row` holds every series as a row of lanes
    /// (`row[s * lanes + r]`), and each cell takes Welford's update lane by
    /// lane in order, exactly as if the runs were added one after the other
    /// with [`Moments::add_run`]. `inv[k]` is 1 / (k + 1); call
    /// [`Moments::finish_lanes`] after the last month.
    pub fn add_month(
        &mut self,
        t: usize,
        row: &[f64],
        lanes: usize,
        group: std::ops::Range<usize>,
        inv: &[f64],
        skip: &[bool],
    ) {
        let series = row.len() / lanes.max(1);
        let cells = t * series..(t + 1) * series;
        let means = &mut self.mean[cells.clone()];
        let m2s = &mut self.m2[cells];
        // Lane by lane across all cells: each cell's updates stay in lane
        // order (the same arithmetic as adding runs one by one), and the
        // cells' independent chains overlap instead of waiting on each other.
        for (r, &inv) in group.zip(inv) {
            for (s, (m, m2)) in means.iter_mut().zip(m2s.iter_mut()).enumerate() {
                if skip[s] {
                    continue;
                }
                let x = row[s * lanes + r];
                let d = x - *m;
                *m += d * inv;
                *m2 += d * (x - *m);
            }
        }
    }

    /// Records that the block folded with [`Moments::add_month`] held `lanes` runs.
    pub fn finish_lanes(&mut self, lanes: usize) {
        self.n = lanes as u64;
    }

    /// Gives every repeated cell the moments of the month before (after
    /// its runs were folded with the repeated cells skipped).
    pub fn fill_repeats(&mut self, repeats: &Repeats) {
        repeats.fill(&mut self.mean, 1);
        repeats.fill(&mut self.m2, 1);
    }

    /// Chan et al.'s pairwise combination: `self` then `other`.
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            self.n = other.n;
            self.mean.copy_from_slice(&other.mean);
            self.m2.copy_from_slice(&other.m2);
            return;
        }
        let (na, nb) = (self.n as f64, other.n as f64);
        let n = na + nb;
        for i in 0..self.mean.len() {
            let d = other.mean[i] - self.mean[i];
            self.mean[i] += d * nb / n;
            self.m2[i] += other.m2[i] + d * d * na * nb / n;
        }
        self.n += other.n;
    }
}

/// The moments of `G` groups of runs folded together, their lanes
/// interleaved: lane `r * G + g` of a block holds run `r` of group `g`.
/// Each cell keeps the `G` groups' mean and M2 next to each other
/// (`mean[cell * G + g]`), so one month's update is a `G`-wide vector
/// operation per lane and cell with contiguous loads, and every group's
/// arithmetic stays what [`Moments::add_month`] does, run by run in order.
#[derive(Clone, Debug)]
pub struct GroupedMoments<const G: usize> {
    mean: Vec<[f64; G]>,
    m2: Vec<[f64; G]>,
}

impl<const G: usize> GroupedMoments<G> {
    pub fn new(cells: usize) -> Self {
        GroupedMoments {
            mean: vec![[0.0; G]; cells],
            m2: vec![[0.0; G]; cells],
        }
    }

    crate::simd::dispatch! {
        /// Folds month `t` of a block whose `lanes` (a multiple of `G`)
        /// hold the groups interleaved, leaving out the series `skip`
        /// marks; `inv[r]` is 1 / (r + 1).
        pub fn add_month(&mut self, t: usize, row: &[f64], lanes: usize, inv: &[f64],
            skip: &[bool]) => add_month_any, add_month_avx2, add_month_avx512
    }

    /// [`GroupedMoments::add_month`] for whatever vector width it is
    /// compiled with.
    #[inline(always)]
    fn add_month_any(&mut self, t: usize, row: &[f64], lanes: usize, inv: &[f64], skip: &[bool]) {
        let series = row.len() / lanes.max(1);
        let cells = t * series..(t + 1) * series;
        let (means, m2s) = (&mut self.mean[cells.clone()], &mut self.m2[cells]);
        for (r, &inv) in inv.iter().enumerate().take(lanes / G) {
            for (s, (m, m2)) in means.iter_mut().zip(m2s.iter_mut()).enumerate() {
                if skip[s] {
                    continue;
                }
                let at = s * lanes + r * G;
                let x: &[f64; G] = row[at..at + G].try_into().expect("G lanes");
                // Whole arrays, step by step: the form the compiler turns
                // into one vector operation per step (each group's
                // arithmetic is unchanged).
                let (mut mean, mut sq) = (*m, *m2);
                let mut d = [0.0; G];
                for g in 0..G {
                    d[g] = x[g] - mean[g];
                }
                for g in 0..G {
                    mean[g] += d[g] * inv;
                }
                for g in 0..G {
                    sq[g] += d[g] * (x[g] - mean[g]);
                }
                (*m, *m2) = (mean, sq);
            }
        }
    }

    /// Moves group `g`'s moments into `out` (of `n` runs) and clears them.
    pub fn take(&mut self, g: usize, n: u64, out: &mut Moments) {
        out.n = n;
        for ((o, o2), (m, m2)) in out
            .mean
            .iter_mut()
            .zip(out.m2.iter_mut())
            .zip(self.mean.iter_mut().zip(self.m2.iter_mut()))
        {
            *o = std::mem::take(&mut m[g]);
            *o2 = std::mem::take(&mut m2[g]);
        }
    }
}

/// Moments of runs that count with integer multiplicities, which may differ
/// from month to month (a particle filter's weights, turned into copies by
/// systematic resampling): a count per month, mean and M2 per cell.
#[derive(Clone, Debug)]
pub struct CountedMoments {
    /// The multiplicities folded so far, per month.
    pub n: Vec<u64>,
    pub mean: Vec<f64>,
    pub m2: Vec<f64>,
}

impl CountedMoments {
    pub fn new(months: usize, cells: usize) -> Self {
        CountedMoments {
            n: vec![0; months],
            mean: vec![0.0; cells],
            m2: vec![0.0; cells],
        }
    }

    /// Folds month `t` of a block (`row[s * lanes + r]`), lane `r` counting
    /// `mult[r]` times: West's weighted update, lane by lane in order.
    pub fn add_month(&mut self, t: usize, row: &[f64], lanes: usize, mult: &[u32]) {
        let series = row.len() / lanes.max(1);
        let cells = t * series..(t + 1) * series;
        let (means, m2s) = (&mut self.mean[cells.clone()], &mut self.m2[cells]);
        let mut n = self.n[t];
        for (r, &m) in mult.iter().enumerate().take(lanes) {
            if m == 0 {
                continue;
            }
            n += u64::from(m);
            let share = f64::from(m) / n as f64;
            for (s, (mean, m2)) in means.iter_mut().zip(m2s.iter_mut()).enumerate() {
                let x = row[s * lanes + r];
                let d = x - *mean;
                *mean += d * share;
                *m2 += d * (x - *mean) * f64::from(m);
            }
        }
        self.n[t] = n;
    }

    /// Chan et al.'s combination, month by month: `self` then `other`.
    pub fn merge(&mut self, other: &CountedMoments) {
        let series = self.mean.len() / self.n.len().max(1);
        for t in 0..self.n.len() {
            let (na, nb) = (self.n[t] as f64, other.n[t] as f64);
            if other.n[t] == 0 {
                continue;
            }
            for c in t * series..(t + 1) * series {
                if self.n[t] == 0 {
                    self.mean[c] = other.mean[c];
                    self.m2[c] = other.m2[c];
                    continue;
                }
                let d = other.mean[c] - self.mean[c];
                self.mean[c] += d * nb / (na + nb);
                self.m2[c] += other.m2[c] + d * d * na * nb / (na + nb);
            }
            self.n[t] += other.n[t];
        }
    }

    /// As plain moments, when every month counts the same total `n`.
    pub fn into_moments(self, n: u64) -> Moments {
        Moments {
            n,
            mean: self.mean,
            m2: self.m2,
        }
    }
}

/// Histograms, observed ranges and regime counts: all order-independent, so
/// each worker keeps its own and they are summed at the end.
#[derive(Clone, Debug)]
pub struct Distribution {
    pub counts: Vec<u32>,
    pub min: Vec<f64>,
    pub max: Vec<f64>,
    /// months × bands
    pub regime_counts: Vec<u64>,
    /// runs that were in each band in at least one month
    pub ever: Vec<u64>,
    /// [`Distribution::add_month`]'s working space: the histogram slot of
    /// every lane of the series being folded.
    slots: Vec<u32>,
    /// [`Distribution::add_month`]'s working space: the regime band of
    /// every lane (at most 64 bands, `limits::MAX_BANDS`).
    bands: Vec<u8>,
    /// The counts of the blocks folded since the last
    /// [`Distribution::flush`], in 16 bits: a month's histograms take half
    /// the cache they would as totals. Empty until a block is folded.
    recent: Vec<u16>,
    /// Runs folded into `recent`: no bin holds more.
    recent_runs: usize,
}

impl Distribution {
    pub fn new(layout: &Layout) -> Self {
        let cells = layout.cells();
        Distribution {
            counts: vec![0; cells * BINS],
            min: vec![f64::INFINITY; cells],
            max: vec![f64::NEG_INFINITY; cells],
            regime_counts: vec![0; layout.months * layout.bands()],
            ever: vec![0; layout.bands()],
            slots: Vec::new(),
            bands: Vec::new(),
            recent: Vec::new(),
            recent_runs: 0,
        }
    }

    pub fn add_run(&mut self, layout: &Layout, trajectory: &[f64]) {
        let rows = trajectory.chunks_exact(layout.series);
        for (t, row) in rows.enumerate() {
            let base = t * layout.series;
            for (s, (&x, &(lo, scale))) in row.iter().zip(&layout.bin_scale).enumerate() {
                let cell = base + s;
                let bin = ((x - lo) * scale) as usize;
                self.counts[cell * BINS + bin.min(BINS - 1)] += 1;
                self.min[cell] = self.min[cell].min(x);
                self.max[cell] = self.max[cell].max(x);
            }
        }
        if let Some(r) = &layout.regimes {
            let nb = r.bands.len();
            let mut seen = 0u64;
            for t in 0..layout.months {
                let b = r.band_of(trajectory[t * layout.series + r.variable.0]);
                self.regime_counts[t * nb + b] += 1;
                seen |= 1 << b;
            }
            for (b, e) in self.ever.iter_mut().enumerate() {
                *e += (seen >> b) & 1;
            }
        }
    }

    crate::simd::dispatch! {
        /// Folds month `t` of a block of at most [`MAX_LANES`] runs
        /// (`row[s * lanes + r]`): the month's histograms take all lanes
        /// while they are in cache. `seen` collects, per lane, the bands it
        /// has been in so far; [`Distribution::finish_lanes`] counts them
        /// once the block is done. The counts land in the 16-bit `recent`
        /// histograms, which [`Distribution::finish_lanes`] adds to the
        /// totals before they could overflow and [`Distribution::flush`] at
        /// the end. Series `skip` marks are left out (repeated cells, filled
        /// in at the end).
        pub fn add_month(&mut self, layout: &Layout, t: usize, row: &[f64], lanes: usize,
            seen: &mut [u64], skip: &[bool]) => add_month_any, add_month_avx2, add_month_avx512
    }

    /// [`Distribution::add_month`] for whatever vector width it is compiled
    /// with.
    #[inline(always)]
    fn add_month_any(
        &mut self,
        layout: &Layout,
        t: usize,
        row: &[f64],
        lanes: usize,
        seen: &mut [u64],
        skip: &[bool],
    ) {
        debug_assert!(lanes <= MAX_LANES);
        let base = t * layout.series;
        self.slots.resize(layout.series * lanes, 0);
        if self.recent.is_empty() {
            self.recent = vec![0; self.counts.len()];
        }
        // First the slots (cell · BINS + bin) of every lane of every series
        // that does not sit in one bin; then the counts, a lane at a time
        // across those series, so that runs of one series falling into one
        // bin (common: neighbouring runs are alike) do not wait on each
        // other's increments of the same counter.
        let mut spread = 0;
        for (s, (xs, &(lo, scale))) in row.chunks_exact(lanes).zip(&layout.bin_scale).enumerate() {
            if skip[s] {
                continue;
            }
            let cell = base + s;
            let slots = &mut self.slots[spread * lanes..(spread + 1) * lanes];
            let offset = (cell * BINS) as u32;
            for (slot, &x) in slots.iter_mut().zip(xs) {
                *slot = offset + bin_of(x, lo, scale);
            }
            let (min, max) = min_max(xs, self.min[cell], self.max[cell]);
            self.min[cell] = min;
            self.max[cell] = max;
            if t + 1 < layout.months {
                prefetch_bins(
                    &self.recent,
                    cell + layout.series,
                    bin_of(min, lo, scale),
                    bin_of(max, lo, scale),
                );
            }
            let first = slots[0];
            if slots.iter().fold(0, |acc, &b| acc | (b ^ first)) == 0 {
                // Every run in one bin (a driver without an offset, a
                // variable at a bound): one addition.
                self.recent[first as usize] += lanes as u16;
            } else {
                spread += 1;
            }
        }
        let slots = &self.slots[..spread * lanes];
        let counts = &mut self.recent[base * BINS..(base + layout.series) * BINS];
        let base = (base * BINS) as u32;
        for r in 0..lanes {
            for k in 0..spread {
                counts[(slots[k * lanes + r] - base) as usize] += 1;
            }
        }
        if let Some(r) = &layout.regimes {
            // The bands of all lanes at once, then each band's lanes
            // counted by comparison: counting lane by lane made most lanes
            // wait on the previous one's increment of the same counter.
            let xs = &row[r.variable.0 * lanes..(r.variable.0 + 1) * lanes];
            self.bands.resize(lanes, 0);
            r.bands_of(xs, &mut self.bands[..lanes]);
            for (seen, &b) in seen.iter_mut().zip(&self.bands) {
                *seen |= 1 << b;
            }
            let nb = r.bands.len();
            for (i, count) in self.regime_counts[t * nb..(t + 1) * nb]
                .iter_mut()
                .enumerate()
            {
                *count += self.bands.iter().filter(|&&b| b == i as u8).count() as u64;
            }
        }
    }

    /// Like [`Distribution::add_month`], lane `r` counting `mult[r]` times
    /// (lanes that count 0 times are left out, also from the observed range).
    pub fn add_month_counted(
        &mut self,
        layout: &Layout,
        t: usize,
        row: &[f64],
        lanes: usize,
        mult: &[u32],
        seen: &mut [u64],
    ) {
        let base = t * layout.series;
        for (s, (xs, &(lo, scale))) in row.chunks_exact(lanes).zip(&layout.bin_scale).enumerate() {
            let cell = base + s;
            for (&x, &m) in xs.iter().zip(mult) {
                if m == 0 {
                    continue;
                }
                let bin = ((x - lo) * scale).clamp(0.0, (BINS - 1) as f64) as usize;
                self.counts[cell * BINS + bin] += m;
                self.min[cell] = self.min[cell].min(x);
                self.max[cell] = self.max[cell].max(x);
            }
        }
        if let Some(r) = &layout.regimes {
            let nb = r.bands.len();
            let xs = &row[r.variable.0 * lanes..(r.variable.0 + 1) * lanes];
            for ((&x, &m), seen) in xs.iter().zip(mult).zip(seen.iter_mut()) {
                let b = r.band_of(x);
                self.regime_counts[t * nb + b] += u64::from(m);
                *seen |= 1 << b;
            }
        }
    }

    /// Counts the bands each lane ever entered, lane `r` counting `mult[r]`
    /// times.
    pub fn finish_lanes_counted(&mut self, seen: &[u64], mult: &[u32]) {
        for (b, e) in self.ever.iter_mut().enumerate() {
            *e += seen
                .iter()
                .zip(mult)
                .map(|(s, m)| ((s >> b) & 1) * u64::from(*m))
                .sum::<u64>();
        }
    }

    /// Counts the bands each lane of a finished block (`seen` holds one
    /// entry per lane) ever entered, and moves the recent histograms into
    /// the totals when another block could overflow them.
    pub fn finish_lanes(&mut self, seen: &[u64]) {
        for (b, e) in self.ever.iter_mut().enumerate() {
            *e += seen.iter().map(|s| (s >> b) & 1).sum::<u64>();
        }
        self.recent_runs += seen.len();
        if self.recent_runs + MAX_LANES > usize::from(u16::MAX) {
            self.flush();
        }
    }

    /// Adds the recent 16-bit histograms to the totals and clears them;
    /// `counts` is complete only after this.
    pub fn flush(&mut self) {
        for (c, r) in self.counts.iter_mut().zip(self.recent.iter_mut()) {
            *c += u32::from(std::mem::take(r));
        }
        self.recent_runs = 0;
    }

    /// Gives every repeated cell the histogram and range of the month
    /// before (after all runs were folded and flushed).
    pub fn fill_repeats(&mut self, repeats: &Repeats) {
        debug_assert!(self.recent_runs == 0);
        repeats.fill(&mut self.counts, BINS);
        repeats.fill(&mut self.min, 1);
        repeats.fill(&mut self.max, 1);
    }

    /// Adds `other`'s statistics; both must be flushed.
    pub fn merge(&mut self, other: &Distribution) {
        debug_assert!(self.recent_runs == 0 && other.recent_runs == 0);
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        for (a, b) in self.min.iter_mut().zip(&other.min) {
            *a = a.min(*b);
        }
        for (a, b) in self.max.iter_mut().zip(&other.max) {
            *a = a.max(*b);
        }
        for (a, b) in self.regime_counts.iter_mut().zip(&other.regime_counts) {
            *a += b;
        }
        for (a, b) in self.ever.iter_mut().zip(&other.ever) {
            *a += b;
        }
    }
}

/// Asks for the lines of `cell`'s recent histogram from bin `from` to
/// bin `to` to be brought into the second-level cache. The fold of month
/// t calls it for each series' cell of month t + 1, over the range the
/// series has covered at t: runs move little from one month to the next,
/// so those are the counters the next fold will touch. Without it they
/// come from the last-level cache or memory: between two folds of one
/// month a block folds every other month, whose histograms (4 MiB for
/// the baseline) outgrow the second-level cache. Only a hint: nothing is
/// read or changed.
#[inline(always)]
fn prefetch_bins(recent: &[u16], cell: usize, from: u32, to: u32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        // 32 two-byte counters to a 64-byte line.
        let (first, last) = (cell * BINS + from as usize, cell * BINS + to as usize);
        for i in (first & !31..=last).step_by(32) {
            // SAFETY: a prefetch neither reads memory nor faults; the
            // pointer need not even be in bounds.
            unsafe { _mm_prefetch::<_MM_HINT_T1>(recent.as_ptr().wrapping_add(i).cast()) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (recent, cell, from, to);
}

/// The histogram bin of `x` in a series with lower bound `lo` and `scale`
/// bins per unit: `((x − lo) · scale) as usize` capped at the last bin, NaN
/// and values below the bound in bin 0, computed without a branch or a
/// saturating conversion so that a loop over lanes vectorises. The scaled
/// value `y` is first clamped into [0, BINS − 1] (NaN to 0); adding 2^52
/// rounds it to the nearest integer, which the low bits of the sum then
/// hold, and one is taken off when that rounded up: floor(y), exactly.
#[inline(always)]
fn bin_of(x: f64, lo: f64, scale: f64) -> u32 {
    const ROUND: f64 = 4_503_599_627_370_496.0; // 2^52
    let y = (x - lo) * scale;
    let y = if y > 0.0 { y } else { 0.0 };
    let y = if y < (BINS - 1) as f64 {
        y
    } else {
        (BINS - 1) as f64
    };
    let r = y + ROUND;
    let up = u64::from((r - ROUND) > y);
    r.to_bits().wrapping_sub(ROUND.to_bits()).wrapping_sub(up) as u32
}

/// The smallest and largest of `lo`, `hi` and `xs`, ignoring NaN, with four
/// running minima and maxima a loop keeps in vector registers.
#[inline(always)]
fn min_max(xs: &[f64], lo: f64, hi: f64) -> (f64, f64) {
    let (mut mn, mut mx) = ([lo; 4], [hi; 4]);
    let mut quads = xs.chunks_exact(4);
    for q in &mut quads {
        for k in 0..4 {
            mn[k] = if q[k] < mn[k] { q[k] } else { mn[k] };
            mx[k] = if q[k] > mx[k] { q[k] } else { mx[k] };
        }
    }
    for &x in quads.remainder() {
        mn[0] = mn[0].min(x);
        mx[0] = mx[0].max(x);
    }
    (
        mn[0].min(mn[1]).min(mn[2].min(mn[3])),
        mx[0].max(mx[1]).max(mx[2].max(mx[3])),
    )
}

/// The finished statistics of an ensemble.
#[derive(Clone, Debug)]
pub struct EnsembleStats {
    pub layout: Layout,
    pub moments: Moments,
    pub dist: Distribution,
}

impl EnsembleStats {
    pub fn runs(&self) -> u64 {
        self.moments.n
    }

    fn cell(&self, month: usize, series: usize) -> usize {
        month * self.layout.series + series
    }

    pub fn mean(&self, month: usize, series: usize) -> f64 {
        self.moments.mean[self.cell(month, series)]
    }

    /// Sample standard deviation (n − 1); 0 for a single run.
    pub fn sd(&self, month: usize, series: usize) -> f64 {
        let n = self.moments.n;
        if n < 2 {
            return 0.0;
        }
        (self.moments.m2[self.cell(month, series)].max(0.0) / (n - 1) as f64).sqrt()
    }

    /// Quantiles `qs` (ascending, in (0, 1)) of one cell, written into `out`.
    pub fn quantiles_into(&self, month: usize, series: usize, qs: &[f64], out: &mut Vec<f64>) {
        out.clear();
        let cell = self.cell(month, series);
        let (lo, hi) = self.layout.bounds[series];
        let width = (hi - lo) / BINS as f64;
        let counts = &self.dist.counts[cell * BINS..(cell + 1) * BINS];
        let n = self.moments.n as f64;
        let (obs_lo, obs_hi) = (self.dist.min[cell], self.dist.max[cell]);
        if self.moments.n == 0 || obs_lo.is_nan() || obs_hi.is_nan() || obs_lo > obs_hi {
            // No finite value was observed: nothing to report.
            out.extend(qs.iter().map(|_| f64::NAN));
            return;
        }
        let mut bin = 0;
        let mut below = 0.0; // runs in bins before `bin`
        for &q in qs {
            let rank = q * n;
            while bin < BINS - 1 && below + f64::from(counts[bin]) < rank {
                below += f64::from(counts[bin]);
                bin += 1;
            }
            let c = f64::from(counts[bin]);
            let frac = if c > 0.0 {
                ((rank - below) / c).clamp(0.0, 1.0)
            } else {
                0.5
            };
            let x = lo + (bin as f64 + frac) * width;
            out.push(x.clamp(obs_lo, obs_hi));
        }
    }

    pub fn quantile(&self, month: usize, series: usize, q: f64) -> f64 {
        let mut out = Vec::with_capacity(1);
        self.quantiles_into(month, series, &[q], &mut out);
        out[0]
    }

    /// Share of runs in each band at `month`.
    pub fn regime_shares(&self, month: usize) -> Vec<f64> {
        let nb = self.layout.bands();
        let n = self.moments.n.max(1) as f64;
        self.dist.regime_counts[month * nb..(month + 1) * nb]
            .iter()
            .map(|&c| c as f64 / n)
            .collect()
    }

    /// Share of runs that were in each band in at least one month.
    pub fn ever_shares(&self) -> Vec<f64> {
        let n = self.moments.n.max(1) as f64;
        self.dist.ever.iter().map(|&c| c as f64 / n).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Interleaved groups give every group exactly the moments
    /// `Moments::add_month` gives it from lanes in run order.
    #[test]
    fn grouped_moments_equal_plain_ones_bit_for_bit() {
        const G: usize = 4;
        let (series, months, per) = (3, 5, 16);
        let lanes = G * per;
        let inv: Vec<f64> = (0..per).map(|r| 1.0 / (r + 1) as f64).collect();
        let value =
            |t: usize, s: usize, run: usize| ((t * 31 + s * 7 + run * run) as f64 * 0.37).sin();
        let mut grouped = GroupedMoments::<G>::new(months * series);
        let mut plain: Vec<Moments> = (0..G).map(|_| Moments::new(months * series)).collect();
        for t in 0..months {
            let (mut ordered, mut mixed) = (vec![0.0; series * lanes], vec![0.0; series * lanes]);
            for s in 0..series {
                for run in 0..lanes {
                    let (g, r) = (run / per, run % per);
                    ordered[s * lanes + run] = value(t, s, run);
                    mixed[s * lanes + r * G + g] = value(t, s, run);
                }
            }
            grouped.add_month(t, &mixed, lanes, &inv, &[false; 3]);
            for (g, m) in plain.iter_mut().enumerate() {
                m.add_month(
                    t,
                    &ordered,
                    lanes,
                    g * per..(g + 1) * per,
                    &inv,
                    &[false; 3],
                );
            }
        }
        for (g, m) in plain.iter_mut().enumerate() {
            m.finish_lanes(per);
            let mut got = Moments::new(months * series);
            grouped.take(g, per as u64, &mut got);
            assert_eq!(got.n, m.n);
            assert!(
                got.mean
                    .iter()
                    .zip(&m.mean)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
            assert!(
                got.m2
                    .iter()
                    .zip(&m.m2)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
        }
    }

    /// Every copy of the folds this processor runs (AVX2, AVX-512) gives
    /// the bits of the folds as built.
    #[test]
    fn wide_and_built_folds_agree_bit_for_bit() {
        use crate::simd::{Width, forced, supported};
        const G: usize = 4;
        let (series, months, lanes) = (5, 3, 256);
        let l = layout(series, months);
        let inv: Vec<f64> = (0..lanes / G).map(|r| 1.0 / (r + 1) as f64).collect();
        let skip = [false, true, false, false, false];
        let fold = |width| {
            forced(width, || {
                let mut g = GroupedMoments::<G>::new(l.cells());
                let mut d = Distribution::new(&l);
                let mut seen = vec![0; lanes];
                for t in 0..months {
                    let row: Vec<f64> = (0..series * lanes)
                        .map(|k| ((k * 7919 + t * 104_729) % 10_007) as f64 / 10_007.0)
                        .collect();
                    g.add_month(t, &row, lanes, &inv, &skip);
                    d.add_month(&l, t, &row, lanes, &mut seen, &skip);
                }
                d.finish_lanes(&seen);
                d.flush();
                (g, d)
            })
        };
        let bits = |v: &[[f64; G]]| v.iter().flatten().map(|x| x.to_bits()).collect::<Vec<_>>();
        let (gb, db) = fold(Width::Built);
        assert!(gb.mean.iter().flatten().any(|&m| m != 0.0));
        for width in supported() {
            let (gw, dw) = fold(width);
            assert!(
                bits(&gw.mean) == bits(&gb.mean) && bits(&gw.m2) == bits(&gb.m2),
                "{width:?}"
            );
            assert_eq!(dw.counts, db.counts, "{width:?}");
            assert!(dw.min == db.min && dw.max == db.max, "{width:?}");
        }
    }

    /// Regime counts and the bands each run ever entered, folded a block
    /// at a time, equal those of the runs added one by one: values on the
    /// band edges, below the first band's bound, NaN and infinite.
    #[test]
    fn block_regime_counts_equal_run_by_run() {
        use crate::model::{Band, Regimes, VarId};
        let band = |lo: f64, hi: f64| Band {
            name: format!("from {lo}"),
            lo,
            hi,
            colour: None,
        };
        let regimes = Regimes {
            variable: VarId(1),
            bands: vec![band(0.2, 0.4), band(0.4, 0.7), band(0.7, f64::INFINITY)],
        };
        let (months, lanes) = (4, 200);
        let l = Layout::from_bounds(months, vec![(0.0, 1.0); 2], Some(regimes));
        let value = |t: usize, r: usize| match (r + t) % 9 {
            0 => f64::NAN,
            1 => 0.4,
            2 => 0.7,
            3 => f64::INFINITY,
            4 => -1.0,
            k => ((r * 31 + t * 17) % 100) as f64 / 100.0 + k as f64 * 1e-3,
        };
        let rows: Vec<Vec<f64>> = (0..months)
            .map(|t| (0..2 * lanes).map(|k| value(t, k % lanes)).collect())
            .collect();
        let mut folded = Distribution::new(&l);
        let mut seen = vec![0; lanes];
        for (t, row) in rows.iter().enumerate() {
            folded.add_month(&l, t, row, lanes, &mut seen, &[false; 2]);
        }
        folded.finish_lanes(&seen);
        let mut one_by_one = Distribution::new(&l);
        for r in 0..lanes {
            let run: Vec<f64> = (0..months).flat_map(|t| [value(t, r); 2]).collect();
            one_by_one.add_run(&l, &run);
        }
        assert_eq!(folded.regime_counts, one_by_one.regime_counts);
        assert_eq!(folded.ever, one_by_one.ever);
        assert!(folded.regime_counts.iter().all(|&c| c > 0));
    }

    fn layout(series: usize, months: usize) -> Layout {
        Layout::from_bounds(months, vec![(0.0, 1.0); series], None)
    }

    /// Blocks folded month by month count every run once, also past what
    /// the 16-bit recent histograms hold: 300 blocks of 256 runs put
    /// 76,800 runs into one bin of the first series (all alike) and spread
    /// the second series over every bin.
    #[test]
    fn block_counts_survive_the_16_bit_recent_histograms() {
        let (lanes, blocks) = (MAX_LANES, 300);
        let l = layout(2, 1);
        let mut folded = Distribution::new(&l);
        let mut one_by_one = Distribution::new(&l);
        let mut seen = vec![0; lanes];
        for b in 0..blocks {
            let row: Vec<f64> = (0..lanes)
                .map(|_| 0.25)
                .chain((0..lanes).map(|r| ((b * lanes + r) % BINS) as f64 / BINS as f64))
                .collect();
            folded.add_month(&l, 0, &row, lanes, &mut seen, &[false; 2]);
            folded.finish_lanes(&seen);
            for r in 0..lanes {
                one_by_one.add_run(&l, &[row[r], row[lanes + r]]);
            }
        }
        folded.flush();
        assert_eq!(folded.counts, one_by_one.counts);
        assert_eq!(folded.counts[BINS / 4], (lanes * blocks) as u32);
        assert_eq!(
            folded.counts[BINS..].iter().sum::<u32>(),
            (lanes * blocks) as u32
        );
    }

    #[test]
    fn branch_free_bins_equal_the_saturating_cast() {
        let reference =
            |x: f64, lo: f64, scale: f64| (((x - lo) * scale) as usize).min(BINS - 1) as u32;
        let mut xs = vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            0.0,
            1.0,
            -1.0,
            1e300,
            -1e300,
            f64::MIN_POSITIVE,
        ];
        // Every bin edge of a few layouts, and its neighbouring floats.
        for (lo, hi) in [(0.0, 1.0), (-1.0, 1.0), (-3.7, 12.1), (0.25, 0.5)] {
            let scale = BINS as f64 / (hi - lo);
            for k in 0..=BINS {
                let edge = lo + k as f64 / scale;
                xs.extend([edge, edge.next_up(), edge.next_down(), edge + 0.5 / scale]);
            }
            for &x in &xs {
                assert_eq!(
                    bin_of(x, lo, scale),
                    reference(x, lo, scale),
                    "{x} in {lo}..{hi}"
                );
            }
        }
    }

    #[test]
    fn chan_merge_equals_single_pass() {
        let xs: Vec<f64> = (0..37).map(|i| ((i * 7919) % 101) as f64 / 101.0).collect();
        let mut all = Moments::new(1);
        xs.iter().for_each(|x| all.add_run(&[*x]));
        let mut a = Moments::new(1);
        let mut b = Moments::new(1);
        xs[..10].iter().for_each(|x| a.add_run(&[*x]));
        xs[10..].iter().for_each(|x| b.add_run(&[*x]));
        a.merge(&b);
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let m2: f64 = xs.iter().map(|x| (x - mean).powi(2)).sum();
        assert!((a.mean[0] - mean).abs() < 1e-12 && (all.mean[0] - mean).abs() < 1e-12);
        assert!((a.m2[0] - m2).abs() < 1e-10 && (all.m2[0] - m2).abs() < 1e-10);
    }

    #[test]
    fn histogram_quantiles_within_a_bin_of_exact() {
        let l = layout(1, 1);
        let mut d = Distribution::new(&l);
        let mut m = Moments::new(1);
        let mut xs: Vec<f64> = (0..5000)
            .map(|i| (((i as f64) * 0.618_033_988_7) % 1.0).powi(2))
            .collect();
        for x in &xs {
            d.add_run(&l, &[*x]);
            m.add_run(&[*x]);
        }
        let s = EnsembleStats {
            layout: l,
            moments: m,
            dist: d,
        };
        xs.sort_by(f64::total_cmp);
        for q in [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] {
            let exact = xs[(q * xs.len() as f64) as usize];
            let got = s.quantile(0, 0, q);
            assert!(
                (got - exact).abs() <= 1.0 / BINS as f64 + 1e-3,
                "q={q}: {got} vs {exact}"
            );
        }
    }

    #[test]
    fn single_value_quantiles_are_exact() {
        let l = layout(1, 1);
        let mut d = Distribution::new(&l);
        let mut m = Moments::new(1);
        d.add_run(&l, &[0.123_456]);
        m.add_run(&[0.123_456]);
        let s = EnsembleStats {
            layout: l,
            moments: m,
            dist: d,
        };
        assert_eq!(s.quantile(0, 0, 0.05), 0.123_456);
        assert_eq!(s.quantile(0, 0, 0.95), 0.123_456);
        assert_eq!(s.sd(0, 0), 0.0);
    }
}
