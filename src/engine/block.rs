//! A block of runs advancing month by month together: the population
//! engine. State is stored as structure of arrays — every quantity is a
//! row of `lanes` values, one per run — so the monthly step runs over
//! contiguous lanes the compiler can vectorise, the statistics of a month
//! are folded right after it is computed (the histograms of that month stay
//! in cache), and between two months a caller can read and replace the
//! whole population (the hook a particle filter needs).
//!
//! Each lane keeps its own random generator and draws from it in exactly
//! the order a single run does (its parameters at the start; then each
//! month the noise of every variable in order, then the incidents), so a
//! run's trajectory does not depend on which block, lane or thread
//! computed it.

use super::rng::{LaneRngs, RunRng};
use super::{incident, run_rng};
use crate::model::{Draw, Model, ParamId, param::standard_normal, rule};

/// What every block of one model shares, computed once: the scheduled
/// events by month and the pressure of events dated before the start.
pub struct Schedule {
    /// Events by month, CSR-style: `event_ids[event_start[t]..event_start[t + 1]]`.
    event_start: Vec<usize>,
    event_ids: Vec<usize>,
    /// Pressures of events dated before the start, decayed to month 0:
    /// (slot in the pressure rows, parameter, share left).
    early_pressure: Vec<(usize, ParamId, f64)>,
    /// Months of history a block keeps: the longest lag plus the current month.
    depth: usize,
    /// The (decay class, variable) slots any event or incident presses on,
    /// ascending, with their class's monthly decay factor: the others stay
    /// zero, so the step neither decays nor adds them.
    slots: Vec<(usize, f64)>,
}

impl Schedule {
    pub fn new(model: &Model) -> Self {
        let (nv, months) = (model.n_vars(), model.months());
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
        let longest = model.influences.iter().map(|f| f.lag).max().unwrap_or(0);
        let mut slots: Vec<usize> = model
            .events
            .iter()
            .flat_map(|e| e.pressures.iter().map(|(v, _)| e.decay_class * nv + v.0))
            .chain(
                model
                    .incidents
                    .iter()
                    .flat_map(|i| i.pressures.iter().map(|(v, _)| i.decay_class * nv + v.0)),
            )
            .collect();
        slots.sort_unstable();
        slots.dedup();
        let slots = slots
            .into_iter()
            .map(|slot| (slot, model.decay_factors[slot / nv]))
            .collect();
        Schedule {
            event_start,
            event_ids,
            early_pressure,
            depth: longest.min(months.saturating_sub(1)) + 1,
            slots,
        }
    }

    fn events_at(&self, month: usize) -> &[usize] {
        &self.event_ids[self.event_start[month]..self.event_start[month + 1]]
    }
}

/// Whether driver `k` holds in month `month` the value it held the month
/// before, in every run ([`Block::fill_drivers`]): its path stays level and
/// its offset, fixed for a run, does not start to act in this month.
pub fn driver_repeats(model: &Model, k: usize, month: usize) -> bool {
    let d = &model.drivers[k];
    month >= 1 && month != d.offset_from && d.path[month].to_bits() == d.path[month - 1].to_bits()
}

/// `x.clamp(lo, hi)` (NaN stays NaN) written as two selects, so that loops
/// over lanes vectorise.
#[inline(always)]
fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    let x = if x < lo { lo } else { x };
    if x > hi { hi } else { x }
}

/// Calls `f` with every per-lane quantity of `b` and its number of rows.
fn for_each_lane_row(b: &mut Block<'_>, mut f: impl FnMut(&mut Vec<f64>, usize)) {
    let m = b.model;
    f(&mut b.params, m.params.len());
    f(&mut b.weights, m.influences.len());
    f(&mut b.offsets, m.drivers.len());
    f(&mut b.rows, b.schedule.depth * m.n_sources());
    f(&mut b.pressure, m.decay_factors.len() * m.n_vars());
}

/// Whether the block draws noise and incidents, or runs deterministically.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Stochastic,
    Deterministic,
}

/// Up to `capacity` runs advancing together. Rows are lane-major within a
/// quantity: `params[p * lanes + r]` is parameter `p` of lane `r`.
pub struct Block<'m> {
    model: &'m Model,
    schedule: &'m Schedule,
    capacity: usize,
    lanes: usize,
    mode: Mode,
    /// The month the block's current row holds.
    month: usize,
    /// parameters × lanes
    params: Vec<f64>,
    /// influences × lanes: each run's weights
    weights: Vec<f64>,
    /// drivers × lanes: each run's driver offset
    offsets: Vec<f64>,
    /// depth × sources × lanes: the last `depth` months, month m at row m % depth
    rows: Vec<f64>,
    /// variables × lanes
    signal: Vec<f64>,
    jump: Vec<f64>,
    /// Whether `jump` holds anything but zeros (most months no event or
    /// incident lands, and the rows need no clearing).
    jumped: bool,
    /// variables × lanes: this month's standard normal draws
    normals: Vec<f64>,
    /// decay classes × variables × lanes: the pressure currently applied
    pressure: Vec<f64>,
    /// lanes, for the incident process being drawn: its `rate_by` sum,
    /// the bound below which its first uniform means no incident, and
    /// that uniform
    rate_exponent: Vec<f64>,
    zero_below: Vec<f64>,
    first_uniform: Vec<f64>,
    /// lanes: [`Block::equilibrium_biases`]' sum of a variable's influences
    rest: Vec<f64>,
    /// Each lane's generator, as rows of state words.
    rngs: LaneRngs,
    /// [`Block::draw_normals`]' working space: the rows of variables whose
    /// noise every lane draws.
    noisy_rows: Vec<usize>,
    /// Whether `noisy_rows` is up to date, and if so whether some variable
    /// mixes lanes with and without noise; `None` once parameters changed.
    noise_plan: Option<bool>,
}

impl<'m> Block<'m> {
    pub fn new(model: &'m Model, schedule: &'m Schedule, capacity: usize) -> Self {
        let capacity = capacity.max(1);
        let (nv, ns) = (model.n_vars(), model.n_sources());
        Block {
            model,
            schedule,
            capacity,
            lanes: 0,
            mode: Mode::Deterministic,
            month: 0,
            params: vec![0.0; model.params.len() * capacity],
            weights: vec![0.0; model.influences.len() * capacity],
            offsets: vec![0.0; model.drivers.len() * capacity],
            rows: vec![0.0; schedule.depth * ns * capacity],
            signal: vec![0.0; nv * capacity],
            jump: vec![0.0; nv * capacity],
            jumped: false,
            normals: vec![0.0; nv * capacity],
            pressure: vec![0.0; model.decay_factors.len() * nv * capacity],
            rate_exponent: vec![0.0; capacity],
            zero_below: vec![0.0; capacity],
            first_uniform: vec![0.0; capacity],
            rest: vec![0.0; capacity],
            rngs: LaneRngs::new(capacity),
            noisy_rows: Vec::with_capacity(nv),
            noise_plan: None,
        }
    }

    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// Runs in the block.
    pub fn lanes(&self) -> usize {
        self.lanes
    }

    /// The month the current row holds.
    pub fn month(&self) -> usize {
        self.month
    }

    /// Prepares runs `first .. first + count` of the ensemble seeded with
    /// `seed`: each lane gets its run's generator and draws its parameters.
    pub fn load_runs(&mut self, seed: u64, first: u64, count: usize) {
        let runs: Vec<u64> = (first..first + count.min(self.capacity) as u64).collect();
        self.load_run_list(seed, &runs);
    }

    /// Prepares the runs `runs` (any run indices) of the ensemble seeded
    /// with `seed`, one per lane.
    pub fn load_run_list(&mut self, seed: u64, runs: &[u64]) {
        self.reset(runs.len().min(self.capacity), Mode::Stochastic);
        let lanes = self.lanes;
        for (r, &run) in runs.iter().enumerate().take(lanes) {
            let mut rng = run_rng(seed, run);
            for (p, param) in self.model.params.iter().enumerate() {
                self.params[p * lanes + r] = if param.draw == Draw::PerRun {
                    param.sample(&mut rng)
                } else {
                    param.central()
                };
            }
            self.rngs.set(r, &rng);
            if let Some(joint) = &self.model.joint {
                let row = joint.row(joint.pick(seed, run));
                for (id, &v) in joint.ids.iter().zip(row) {
                    self.params[id.0 * lanes + r] = v;
                }
            }
        }
    }

    /// Prepares `count` deterministic runs, every parameter at its central
    /// value; callers may then change parameters lane by lane.
    pub fn load_central(&mut self, count: usize) {
        self.reset(count.min(self.capacity), Mode::Deterministic);
        let lanes = self.lanes;
        for (p, param) in self.model.params.iter().enumerate() {
            self.params[p * lanes..(p + 1) * lanes].fill(param.central());
        }
    }

    fn reset(&mut self, lanes: usize, mode: Mode) {
        self.noise_plan = None;
        self.lanes = lanes;
        self.mode = mode;
        self.month = 0;
    }

    /// Sets parameter `id` of lane `lane` (before [`Block::start`]).
    pub fn set_param(&mut self, lane: usize, id: ParamId, value: f64) {
        self.noise_plan = None;
        self.params[id.0 * self.lanes + lane] = value;
    }

    /// Parameter `id` of lane `lane`.
    pub fn param(&self, lane: usize, id: ParamId) -> f64 {
        self.params[id.0 * self.lanes + lane]
    }

    /// Every source (variables, then drivers) of month `month` as rows of
    /// lanes: `row[s * lanes + r]`. Only the last months (as many as the
    /// longest lag, plus one) are held.
    pub fn row(&self, month: usize) -> &[f64] {
        let size = self.model.n_sources() * self.lanes;
        let at = (month % self.schedule.depth) * size;
        &self.rows[at..at + size]
    }

    /// The current month's row, for a caller that replaces the population
    /// (resampling): lanes may be overwritten between two months.
    pub fn row_mut(&mut self) -> &mut [f64] {
        let size = self.model.n_sources() * self.lanes;
        let at = (self.month % self.schedule.depth) * size;
        &mut self.rows[at..at + size]
    }

    /// Makes lane `to` a copy of lane `from`: its parameters, history,
    /// pressure and random generator. This is the resampling step of a
    /// particle filter (between two months, inside [`Block::run`]'s hook):
    /// from here on `to` continues exactly as `from` would.
    pub fn copy_lane(&mut self, from: usize, to: usize) {
        self.noise_plan = None;
        let lanes = self.lanes;
        for_each_lane_row(self, |v, rows| {
            for k in 0..rows {
                v[k * lanes + to] = v[k * lanes + from];
            }
        });
        let rng = self.rngs.get(from);
        self.rngs.set(to, &rng);
    }

    /// Makes lane `to` of this block a copy of lane `from` of `src` (a block
    /// of the same model with the same number of lanes).
    pub fn copy_lane_from(&mut self, to: usize, src: &Block<'_>, from: usize) {
        self.noise_plan = None;
        let (lanes, sl) = (self.lanes, src.lanes);
        let m = self.model;
        let depth = self.schedule.depth;
        let pairs: [(&mut Vec<f64>, &Vec<f64>, usize); 5] = [
            (&mut self.params, &src.params, m.params.len()),
            (&mut self.weights, &src.weights, m.influences.len()),
            (&mut self.offsets, &src.offsets, m.drivers.len()),
            (&mut self.rows, &src.rows, depth * m.n_sources()),
            (
                &mut self.pressure,
                &src.pressure,
                m.decay_factors.len() * m.n_vars(),
            ),
        ];
        for (dst, from_rows, rows) in pairs {
            for k in 0..rows {
                dst[k * lanes + to] = from_rows[k * sl + from];
            }
        }
        self.rngs.set(to, &src.rngs.get(from));
    }

    /// Gives lane `lane` a fresh random generator (after resampling, copies
    /// of one run must not draw the same noise).
    pub fn reseed(&mut self, lane: usize, rng: &RunRng) {
        self.rngs.set(lane, rng);
    }

    /// Lane `lane`'s random generator as it stands: a copy, whose draws
    /// count once it is given back with [`Block::reseed`].
    pub fn lane_rng(&self, lane: usize) -> RunRng {
        self.rngs.get(lane)
    }

    /// Recomputes what lane `lane` derives from its parameters (influence
    /// weights, driver offsets) after they were changed mid-run; the
    /// drivers' values change from the next month on.
    pub fn refresh_lane(&mut self, lane: usize) {
        let (m, lanes) = (self.model, self.lanes);
        for (k, f) in m.influences.iter().enumerate() {
            self.weights[k * lanes + lane] = self.params[f.weight.0 * lanes + lane];
        }
        for (k, d) in m.drivers.iter().enumerate() {
            self.offsets[k * lanes + lane] =
                d.offset.map_or(0.0, |p| self.params[p.0 * lanes + lane]);
        }
    }

    /// The pressure acting now (decay classes × variables × lanes).
    pub fn pressure(&self) -> &[f64] {
        &self.pressure[..self.model.decay_factors.len() * self.model.n_vars() * self.lanes]
    }

    /// Month 0: every run's weights and driver offsets from its parameters,
    /// initial values plus the jumps of events dated at the start, and the
    /// pressure of those events and of events dated before the start.
    pub fn start(&mut self) {
        let (m, lanes) = (self.model, self.lanes);
        let nv = m.n_vars();
        self.month = 0;
        self.noise_plan = None;
        for (k, f) in m.influences.iter().enumerate() {
            let (dst, src) = (k * lanes, f.weight.0 * lanes);
            for r in 0..lanes {
                self.weights[dst + r] = self.params[src + r];
            }
        }
        for (k, d) in m.drivers.iter().enumerate() {
            for r in 0..lanes {
                self.offsets[k * lanes + r] =
                    d.offset.map_or(0.0, |p| self.params[p.0 * lanes + r]);
            }
        }
        let pressure_len = m.decay_factors.len() * nv * lanes;
        self.pressure[..pressure_len].fill(0.0);
        self.jump[..nv * lanes].fill(0.0);
        self.jumped = false;
        self.apply_events(0);
        for &(slot, pid, fade) in &self.schedule.early_pressure {
            for r in 0..lanes {
                self.pressure[slot * lanes + r] += self.params[pid.0 * lanes + r] * fade;
            }
        }
        for (i, v) in m.variables.iter().enumerate() {
            for r in 0..lanes {
                let x = self.params[v.initial.0 * lanes + r] + self.jump[i * lanes + r];
                self.rows[i * lanes + r] = x.clamp(v.min, v.max);
            }
        }
        self.fill_drivers(0);
        if m.variables.iter().any(|v| v.equilibrium) {
            self.equilibrium_biases();
        }
    }

    /// Sets the bias of every `bias = "equilibrium"` variable, lane by lane,
    /// so that its initial value is its target: the signal the initial
    /// state gives it (every source at its initial value, drivers at the
    /// start month; no events, no pressure) plus the bias maps to the
    /// initial value through the response. Each lane sums its influences
    /// in influence order, as a single run does, over whole rows of lanes.
    fn equilibrium_biases(&mut self) {
        let (m, lanes) = (self.model, self.lanes);
        let nv = m.n_vars();
        // The variables' initial values without the jumps of events at the
        // start, in `signal` (free until the first step).
        for (i, v) in m.variables.iter().enumerate() {
            let from = &self.params[v.initial.0 * lanes..(v.initial.0 + 1) * lanes];
            for (x, &p) in self.signal[i * lanes..(i + 1) * lanes].iter_mut().zip(from) {
                *x = p.clamp(v.min, v.max);
            }
        }
        let (initial, rows) = (&self.signal, &self.rows);
        let source = |s: usize| {
            if s < nv {
                &initial[s * lanes..(s + 1) * lanes]
            } else {
                &rows[s * lanes..(s + 1) * lanes]
            }
        };
        for (i, v) in m.variables.iter().enumerate() {
            if !v.equilibrium {
                continue;
            }
            let rest = &mut self.rest[..lanes];
            rest.fill(0.0);
            for (k, f) in m.influences.iter().enumerate() {
                if f.target.0 != i {
                    continue;
                }
                let w = &self.weights[k * lanes..(k + 1) * lanes];
                let x = source(f.source.0);
                match f.by {
                    None => {
                        for ((rest, w), x) in rest.iter_mut().zip(w).zip(x) {
                            *rest += w * x;
                        }
                    }
                    Some(b) => {
                        let y = source(b.0);
                        for (((rest, w), x), y) in rest.iter_mut().zip(w).zip(x).zip(y) {
                            *rest += w * x * y;
                        }
                    }
                }
            }
            let x0 = &initial[i * lanes..(i + 1) * lanes];
            let bias = &mut self.params[v.bias.0 * lanes..(v.bias.0 + 1) * lanes];
            for ((b, &x0), &rest) in bias.iter_mut().zip(x0).zip(rest.iter()) {
                *b = rule::signal_for(v, x0) - rest;
            }
        }
    }

    /// The drivers' values of month `month` into that month's row: the
    /// path, plus the run's offset from `offset_from` on, clamped (inlined,
    /// so that the step's wide copies have their own).
    #[inline(always)]
    fn fill_drivers(&mut self, month: usize) {
        let (m, lanes) = (self.model, self.lanes);
        let (nv, ns) = (m.n_vars(), m.n_sources());
        let at = (month % self.schedule.depth) * ns * lanes;
        for (k, d) in m.drivers.iter().enumerate() {
            let base = at + (nv + k) * lanes;
            let path = d.path[month];
            if month < d.offset_from {
                self.rows[base..base + lanes].fill(path.clamp(d.min, d.max));
                continue;
            }
            let row = &mut self.rows[base..base + lanes];
            for (x, o) in row
                .iter_mut()
                .zip(&self.offsets[k * lanes..(k + 1) * lanes])
            {
                *x = clamp(path + o, d.min, d.max);
            }
        }
    }

    /// Adds the jumps and pressures of the events dated at `month`.
    fn apply_events(&mut self, month: usize) {
        let (m, lanes) = (self.model, self.lanes);
        let nv = m.n_vars();
        for &e in self.schedule.events_at(month) {
            let ev = &m.events[e];
            self.jumped |= !ev.jumps.is_empty();
            for &(var, pid) in &ev.jumps {
                for r in 0..lanes {
                    self.jump[var.0 * lanes + r] += self.params[pid.0 * lanes + r];
                }
            }
            for &(var, pid) in &ev.pressures {
                let slot = (ev.decay_class * nv + var.0) * lanes;
                for r in 0..lanes {
                    self.pressure[slot + r] += self.params[pid.0 * lanes + r];
                }
            }
        }
    }

    crate::simd::dispatch! {
        /// Advances every run by one month (with AVX2 or AVX-512 where the
        /// processor has it: the same bits).
        pub fn step(&mut self) => step_any, step_avx2, step_avx512
    }

    /// [`Block::step`] for whatever vector width it is compiled with.
    #[inline(always)]
    fn step_any(&mut self) {
        let (m, lanes, t) = (self.model, self.lanes, self.month);
        let (nv, ns, depth) = (m.n_vars(), m.n_sources(), self.schedule.depth);
        let size = ns * lanes;
        let now = (t % depth) * size;
        // Signal: bias + Σ w · v(t − lag) + pressure, in that order, lane by lane.
        for (i, v) in m.variables.iter().enumerate() {
            let (dst, src) = (i * lanes, v.bias.0 * lanes);
            self.signal[dst..dst + lanes].copy_from_slice(&self.params[src..src + lanes]);
        }
        for (k, f) in m.influences.iter().enumerate() {
            let row = (rule::lagged(t, f.lag) % depth) * size;
            let from = row + f.source.0 * lanes;
            let to = f.target.0 * lanes;
            let w = &self.weights[k * lanes..(k + 1) * lanes];
            let x = &self.rows[from..from + lanes];
            match f.by {
                None => {
                    for ((s, w), x) in self.signal[to..to + lanes].iter_mut().zip(w).zip(x) {
                        *s += w * x;
                    }
                }
                Some(b) => {
                    let y = &self.rows[row + b.0 * lanes..row + (b.0 + 1) * lanes];
                    let terms = self.signal[to..to + lanes].iter_mut().zip(w).zip(x).zip(y);
                    for (((s, w), x), y) in terms {
                        *s += w * x * y;
                    }
                }
            }
        }
        // Pressure, class by class (slots ascend by class, then variable).
        for &(slot, _) in &self.schedule.slots {
            let (to, from) = ((slot % nv) * lanes, slot * lanes);
            let p = &self.pressure[from..from + lanes];
            for (s, p) in self.signal[to..to + lanes].iter_mut().zip(p) {
                *s += p;
            }
        }
        // Goal seeking: the signal becomes the next state (before noise and
        // jumps), in place.
        for (i, v) in m.variables.iter().enumerate() {
            let rate = &self.params[v.rate.0 * lanes..(v.rate.0 + 1) * lanes];
            let x = &self.rows[now + i * lanes..now + (i + 1) * lanes];
            let signal = &mut self.signal[i * lanes..(i + 1) * lanes];
            rule::targets(v, signal);
            for ((s, rate), x) in signal.iter_mut().zip(rate).zip(x) {
                *s = rule::approach(*x, *rate, *s);
            }
        }
        let stochastic = self.mode == Mode::Stochastic;
        if stochastic {
            // Each lane draws its normals; then each variable's noise is
            // added over all lanes at once (a select keeps lanes without
            // noise exact).
            self.draw_normals();
            for (i, v) in m.variables.iter().enumerate() {
                let noise = &self.params[v.noise.0 * lanes..(v.noise.0 + 1) * lanes];
                let z = &self.normals[i * lanes..(i + 1) * lanes];
                let signal = &mut self.signal[i * lanes..(i + 1) * lanes];
                for ((s, &n), &z) in signal.iter_mut().zip(noise).zip(z) {
                    *s = if n != 0.0 { *s + n * z } else { *s };
                }
            }
        }
        // Shocks landing at month t + 1: pressure decays first, then new ones add.
        for &(slot, d) in &self.schedule.slots {
            self.pressure[slot * lanes..(slot + 1) * lanes]
                .iter_mut()
                .for_each(|p| *p *= d);
        }
        if self.jumped {
            self.jump[..nv * lanes].fill(0.0);
            self.jumped = false;
        }
        self.apply_events(t + 1);
        if stochastic {
            self.incidents(t, now);
        }
        let next = ((t + 1) % depth) * size;
        for (i, v) in m.variables.iter().enumerate() {
            let (out, s) = (next + i * lanes, i * lanes);
            let row = &mut self.rows[out..out + lanes];
            let terms = self.signal[s..s + lanes]
                .iter()
                .zip(&self.jump[s..s + lanes]);
            for (x, (s, j)) in row.iter_mut().zip(terms) {
                *x = clamp(s + j, v.min, v.max);
            }
        }
        self.month = t + 1;
        self.fill_drivers(t + 1);
    }

    /// This month's standard normal draws of every lane whose noise is not
    /// zero, each lane drawing in variable order from its own generator.
    /// When every lane of the block draws for every noisy variable (the
    /// usual case), the draws are a plain loop over lanes and rows, run 16
    /// or 8 lanes at a time where the processor allows (normals.rs).
    #[inline(never)]
    fn draw_normals(&mut self) {
        let (m, lanes) = (self.model, self.lanes);
        let mixed = match self.noise_plan {
            Some(mixed) => mixed,
            None => {
                let mixed = self.plan_noise();
                self.noise_plan = Some(mixed);
                mixed
            }
        };
        let normals = &mut self.normals[..m.n_vars() * lanes];
        if !mixed {
            self.rngs.standard_normals(lanes, &self.noisy_rows, normals);
            return;
        }
        for r in 0..lanes {
            let mut rng = self.rngs.get(r);
            for (i, v) in m.variables.iter().enumerate() {
                if self.params[v.noise.0 * lanes + r] != 0.0 {
                    normals[i * lanes + r] = standard_normal(&mut rng);
                }
            }
            self.rngs.set(r, &rng);
        }
    }

    /// Finds the rows of the variables every lane draws noise for, and
    /// whether some variable has lanes that draw and lanes that do not.
    /// The answer holds until a lane's parameters change: it is kept in
    /// `noise_plan` and cleared by whatever changes them.
    fn plan_noise(&mut self) -> bool {
        let (m, lanes) = (self.model, self.lanes);
        self.noisy_rows.clear();
        let mut mixed = false;
        for (i, v) in m.variables.iter().enumerate() {
            let noise = &self.params[v.noise.0 * lanes..(v.noise.0 + 1) * lanes];
            let zeros = noise.iter().filter(|&&n| n == 0.0).count();
            if zeros == 0 {
                self.noisy_rows.push(i * lanes);
            } else if zeros < lanes {
                mixed = true;
            }
        }
        mixed
    }

    crate::simd::dispatch! {
        /// See [`Block::incidents_any`].
        #[inline(never)]
        fn incidents(&mut self, t: usize, now: usize) => incidents_any, incidents_avx2, incidents_avx512
    }

    /// The incidents landing at month t + 1, process by process. For every
    /// lane at once: the rate's exponent, the bound below which no incident
    /// happens (incident.rs) and the first uniform of the lanes that bound
    /// decides. Only the lanes left (an incident is possible: about the
    /// rate's share of them) then go on one by one, each from where its
    /// own stream stands. A lane draws its processes in order, so its
    /// stream is consumed as a single run consumes it. Kept out of
    /// [`Block::step`], whose noise loop must stay small enough for the
    /// normal sampler to be inlined; with wider vectors where the processor has them
    /// (the same numbers).
    #[inline(always)]
    fn incidents_any(&mut self, t: usize, now: usize) {
        let (m, lanes) = (self.model, self.lanes);
        let nv = m.n_vars();
        for inc in &m.incidents {
            if !(inc.window.0..=inc.window.1).contains(&(t + 1)) {
                continue;
            }
            let exponent = &mut self.rate_exponent[..lanes];
            exponent.fill(0.0);
            for &(src, w) in &inc.rate_by {
                let x = &self.rows[now + src.0 * lanes..now + (src.0 + 1) * lanes];
                for (e, x) in exponent.iter_mut().zip(x) {
                    *e += w * x;
                }
            }
            let base = &self.params[inc.base_rate.0 * lanes..(inc.base_rate.0 + 1) * lanes];
            let below = &mut self.zero_below[..lanes];
            for ((b, &base), &e) in below.iter_mut().zip(base).zip(exponent.iter()) {
                *b = incident::zero_below(base, e);
            }
            let first = &mut self.first_uniform[..lanes];
            self.rngs.first_uniforms(below, first);
            for r in 0..lanes {
                let (below, first) = (self.zero_below[r], self.first_uniform[r]);
                if below > 0.0 && first <= below {
                    continue; // no incident, the usual case
                }
                let base = self.params[inc.base_rate.0 * lanes + r];
                let exponent = self.rate_exponent[r];
                let mut rng = self.rngs.get(r);
                if let Some(count) = incident::count_after(first, base, exponent, below, &mut rng) {
                    self.jumped |= count > 0 && !inc.jumps.is_empty();
                    for _ in 0..count {
                        for &(var, pid) in &inc.jumps {
                            self.jump[var.0 * lanes + r] += m.params[pid.0].sample(&mut rng);
                        }
                        for &(var, pid) in &inc.pressures {
                            let slot = (inc.decay_class * nv + var.0) * lanes;
                            self.pressure[slot + r] += m.params[pid.0].sample(&mut rng);
                        }
                    }
                }
                self.rngs.set(r, &rng);
            }
        }
    }

    /// Runs every month from the start to the end, calling `each` after
    /// month 0 and after every step with the block, whose current row is
    /// that month. `each` may read the population and replace lanes (a
    /// filter's weighting and resampling); when it does nothing it costs
    /// nothing.
    pub fn run(&mut self, mut each: impl FnMut(&mut Block<'m>)) {
        self.start();
        each(self);
        for _ in 1..self.model.months() {
            self.step();
            each(self);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Workspace, deterministic, stochastic_run};

    /// Every lane's trajectory, months × sources, collected through the hook.
    fn trajectories(block: &mut Block<'_>) -> Vec<Vec<f64>> {
        let (ns, months, lanes) = (
            block.model().n_sources(),
            block.model().months(),
            block.lanes(),
        );
        let mut out = vec![vec![0.0; months * ns]; lanes];
        block.run(|b| {
            let t = b.month();
            let row = b.row(t);
            for (r, traj) in out.iter_mut().enumerate() {
                for s in 0..ns {
                    traj[t * ns + s] = row[s * lanes + r];
                }
            }
        });
        out
    }

    #[test]
    fn a_copied_lane_continues_as_its_source() {
        let model = crate::scenario::load("baseline", &[]).unwrap().model;
        let schedule = Schedule::new(&model);
        let mut block = Block::new(&model, &schedule, 8);
        block.load_runs(3, 0, 8);
        let (ns, lanes) = (model.n_sources(), 8);
        let mut seen = vec![Vec::new(); lanes];
        block.run(|b| {
            if b.month() == 40 {
                b.copy_lane(2, 5);
            }
            let row = b.row(b.month());
            for (r, s) in seen.iter_mut().enumerate() {
                s.extend((0..ns).map(|k| row[k * lanes + r]));
            }
        });
        let after = 40 * ns..;
        assert_eq!(seen[5][after.clone()], seen[2][after.clone()]);
        assert_ne!(
            seen[5][..40 * ns],
            seen[2][..40 * ns],
            "before the copy they differ"
        );
    }

    /// Every copy of the step this processor runs (AVX2, AVX-512) gives the
    /// bits of the step as built, month by month, for a full block.
    #[test]
    fn wide_and_built_steps_agree_bit_for_bit() {
        let model = crate::scenario::load("baseline", &[]).unwrap().model;
        let schedule = Schedule::new(&model);
        let months = |width| {
            crate::simd::forced(width, || {
                let mut block = Block::new(&model, &schedule, 256);
                block.load_runs(11, 0, 256);
                block.start();
                let mut rows = Vec::new();
                for t in 1..model.months() {
                    block.step();
                    rows.push(block.row(t).iter().map(|x| x.to_bits()).collect::<Vec<_>>());
                }
                rows
            })
        };
        let built = months(crate::simd::Width::Built);
        for width in crate::simd::supported() {
            for (t, (a, b)) in months(width).iter().zip(&built).enumerate() {
                assert!(a == b, "{width:?}: month {} differs", t + 1);
            }
        }
    }

    /// The copies of the incidents' draw (AVX2, AVX-512, where the
    /// processor has them) against the draw as built: an extra draw of the
    /// month's incidents in each block must leave the same jumps,
    /// pressures and generators.
    #[test]
    fn wide_and_built_incidents_agree_bit_for_bit() {
        use crate::simd::{Width, forced, supported};
        let widths: Vec<Width> = supported()
            .into_iter()
            .filter(|&w| w > Width::Built)
            .collect();
        if widths.is_empty() {
            return;
        }
        let model = crate::scenario::load("baseline", &[]).unwrap().model;
        let schedule = Schedule::new(&model);
        let size = model.n_sources() * 256;
        let bits = |b: &Block<'_>| -> Vec<u64> {
            let words = (0..256).map(|r| rand::Rng::next_u64(&mut b.lane_rng(r)));
            b.jump
                .iter()
                .chain(&b.pressure)
                .map(|x| x.to_bits())
                .chain(words)
                .collect()
        };
        for width in widths {
            let (mut wide, mut built) = (
                Block::new(&model, &schedule, 256),
                Block::new(&model, &schedule, 256),
            );
            // A high seed-independent rate: every month some lanes take
            // the exact path.
            for b in [&mut wide, &mut built] {
                b.load_runs(5, 0, 256);
                for k in 0..model.incidents.len() {
                    for lane in 0..256 {
                        b.set_param(lane, model.incidents[k].base_rate, 0.3);
                    }
                }
                b.start();
            }
            let mut exact_paths = 0;
            for t in 1..model.months() {
                wide.step();
                built.step();
                let now = (t % schedule.depth) * size;
                forced(width, || wide.incidents(t, now));
                built.incidents_any(t, now);
                assert_eq!(bits(&wide), bits(&built), "{width:?}, month {t}");
                exact_paths += built.zero_below[..256]
                    .iter()
                    .zip(&built.first_uniform)
                    .filter(|&(b, f)| f > b)
                    .count();
            }
            assert!(
                exact_paths > 100,
                "only {exact_paths} lanes took the exact path"
            );
        }
    }

    #[test]
    fn lanes_reproduce_single_runs_bit_for_bit() {
        // The last case clips a normal noise at zero: about half the runs
        // draw no noise for trust, so a block mixes lanes that draw and
        // lanes that do not.
        let half_silent = "variables.trust.noise={ dist = \"normal\", mean = 0.0, sd = 0.01 }";
        let cases = [
            ("baseline", vec![]),
            ("russian_world_exit", vec![]),
            ("baseline", vec![half_silent.to_string()]),
        ];
        for (spec, sets) in cases {
            let model = crate::scenario::load(spec, &sets).unwrap().model;
            let schedule = Schedule::new(&model);
            let mut block = Block::new(&model, &schedule, 64);
            let mut ws = Workspace::new(&model);
            for (first, count) in [(0u64, 64usize), (64, 13)] {
                block.load_runs(7, first, count);
                if !sets.is_empty() {
                    let trust = model.variables.iter().find(|v| v.name == "trust");
                    let noise = trust.expect("baseline has trust").noise;
                    let silent = (0..count).filter(|&r| block.param(r, noise) == 0.0).count();
                    assert!(0 < silent && silent < count, "{silent} of {count}");
                }
                let got = trajectories(&mut block);
                for (r, traj) in got.iter().enumerate() {
                    stochastic_run(&model, &mut ws, 7, first + r as u64);
                    assert!(
                        traj.iter()
                            .zip(&ws.trajectory)
                            .all(|(a, b)| a.to_bits() == b.to_bits()),
                        "{spec}: run {} differs",
                        first + r as u64
                    );
                }
            }
            block.load_central(1);
            let got = trajectories(&mut block);
            deterministic(&model, &mut ws);
            assert!(
                got[0]
                    .iter()
                    .zip(&ws.trajectory)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
        }
    }
}
