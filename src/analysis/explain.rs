//! Why a variable moves: the change of a variable over a window of the
//! deterministic run split into additive terms that add up to it exactly.
//!
//! Each month the state closes `rate` of the gap to its target:
//! x(t+1) = (1 − rate)·x(t) + rate·target(t) + jumps + clamping. The signal
//! behind the target is a sum of terms (bias, each influence w·v, each event's
//! pressure). Split the target into its value when the window opened plus the
//! change of each term since then, unroll the recursion from the window's
//! first month, and the level reached at any month t is
//!
//!   x(t) − x(from) = gap closed + Σ_terms filtered push + jumps + clamping,
//!
//! where a term's "push" at month u is rate × (term(u) − term(from)), and
//! "filtered" means what is left of it at t: each earlier push fades by
//! (1 − rate) a month, the variable's own goal seeking. The gap closed is
//! what the state moved toward the target it already had when the window
//! opened: (1 − (1 − rate)^n)·(target(from) − x(from)). A constant term (the
//! bias) gets zero: it explains the level, not the movement. Jumps are
//! credited to their events and fade the same way; clamping is whatever the
//! bounds removed. The monthly contributions written to explain.csv are the
//! month-to-month differences of these cumulative shares, so they add up to
//! the monthly change, and their sum over the window to the whole change.
//!
//! For a logistic response the target's change since the window opened,
//! T(s) − T(s_from), is shared among the terms in proportion to how much each
//! moved the signal.

use crate::engine::{Workspace, deterministic};
use crate::model::{Event, Model, ParamId, VarId, rule};

/// One additive term of the monthly change.
#[derive(Clone, Debug)]
pub struct Term {
    pub name: String,
    /// Contribution to x(t+1) − x(t), for each month t of the window.
    pub monthly: Vec<f64>,
}

impl Term {
    pub fn total(&self) -> f64 {
        self.monthly.iter().sum()
    }
}

pub struct Explanation {
    pub variable: VarId,
    /// Month indices of the window: changes from `from` to `to`.
    pub from: usize,
    pub to: usize,
    pub terms: Vec<Term>,
    /// State x(t) for t in from..=to.
    pub state: Vec<f64>,
    /// Target in each month t in from..to.
    pub target: Vec<f64>,
}

impl Explanation {
    pub fn actual_change(&self) -> f64 {
        self.state[self.state.len() - 1] - self.state[0]
    }

    /// Terms sorted by the size of their total contribution, largest first.
    pub fn ranked(&self) -> Vec<&Term> {
        let mut v: Vec<&Term> = self.terms.iter().collect();
        v.sort_by(|a, b| b.total().abs().total_cmp(&a.total().abs()));
        v
    }

    /// The ranked terms that contribute in some month: a constant term
    /// (the bias) or a clamp that never binds is left out.
    pub fn active(&self) -> Vec<&Term> {
        self.ranked()
            .into_iter()
            .filter(|t| t.monthly.iter().any(|c| c.abs() > NOISE))
            .collect()
    }

    /// The `top` largest active terms named, the rest to be merged; a rest
    /// of a single term is named instead. The chart and the printed table
    /// both split this way, so their counts agree.
    pub fn split(&self, top: usize) -> (Vec<&Term>, Vec<&Term>) {
        let mut named = self.active();
        let rest = if named.len() > top + 1 {
            named.split_off(top)
        } else {
            Vec::new()
        };
        (named, rest)
    }
}

/// Contributions this small are rounding noise (a clamping term that
/// never clamps).
pub const NOISE: f64 = 1e-12;

pub const GAP_TERM: &str = "closing the gap to the start-of-window target";
pub const CLAMP_TERM: &str = "clamping at the bounds";

pub fn explain(model: &Model, var: VarId, from: usize, to: usize) -> Explanation {
    let mut ws = Workspace::new(model);
    deterministic(model, &mut ws);
    let ns = model.n_sources();
    let i = var.0;
    let v = &model.variables[i];
    let p = &ws.params;
    let x = |t: usize| ws.trajectory[t * ns + i];
    let rate = p[v.rate.0];
    let n = to - from;

    let influences: Vec<_> = model
        .influences
        .iter()
        .filter(|f| f.target == var)
        .collect();
    // Events within the horizon that push (pressure) or move (jump) this variable.
    let touching =
        |effects: fn(&Event) -> &[(VarId, ParamId)], keep_early: bool| -> Vec<(&Event, f64)> {
            model
                .events
                .iter()
                .filter_map(|e| {
                    let amount: f64 = effects(e)
                        .iter()
                        .filter(|(t, _)| *t == var)
                        .map(|(_, id)| p[id.0])
                        .sum();
                    // Jumps act within the horizon; pressure also from earlier events.
                    let acts = e.month.is_some() || (e.date < model.start && keep_early);
                    (acts && amount != 0.0).then_some((e, amount))
                })
                .collect()
        };
    let pressured = touching(|e| &e.pressures, true);
    let jumped = touching(|e| &e.jumps, false);

    let mut terms: Vec<Term> = Vec::new();
    let mut add = |name: String| {
        terms.push(Term {
            name,
            monthly: vec![0.0; n],
        });
        terms.len() - 1
    };
    let bias_idx = add("bias".into());
    let inf_idx: Vec<usize> = influences.iter().map(|f| add(f.key.clone())).collect();
    let pres_idx: Vec<usize> = pressured
        .iter()
        .map(|(e, _)| add(format!("pressure: {}", e.name)))
        .collect();
    let jump_idx: Vec<usize> = jumped
        .iter()
        .map(|(e, _)| add(format!("jump: {}", e.name)))
        .collect();
    let gap_idx = add(GAP_TERM.into());
    let clamp_idx = add(CLAMP_TERM.into());

    let mut signal_parts = vec![0.0; terms.len()];
    let mut base_parts = vec![0.0; terms.len()];
    let mut target = Vec::with_capacity(n);
    for (k, t) in (from..to).enumerate() {
        signal_parts.iter_mut().for_each(|s| *s = 0.0);
        signal_parts[bias_idx] = p[v.bias.0];
        for (f, &idx) in influences.iter().zip(&inf_idx) {
            let at = rule::lagged(t, f.lag) * ns;
            signal_parts[idx] = p[f.weight.0]
                * rule::term(f, &|s: crate::model::SourceId, _| ws.trajectory[at + s.0]);
        }
        for ((e, amount), &idx) in pressured.iter().zip(&pres_idx) {
            let age = model.start.months_until(e.date) - t as i64;
            if age <= 0 {
                signal_parts[idx] = amount * rule::pressure_left(e.half_life, -age as f64);
            }
        }
        if k == 0 {
            base_parts.copy_from_slice(&signal_parts);
        }
        let s: f64 = signal_parts.iter().sum();
        let s0: f64 = base_parts.iter().sum();
        let xt = x(t);
        let mut jumps = 0.0;
        let (ts, t0) = (rule::target(v, s), rule::target(v, s0));
        // This month's push of each term (filtered below): rate·(T(s) − T(s0))
        // shared by how much each term moved the signal.
        if s != s0 {
            let scale = rate * (ts - t0) / (s - s0);
            for (idx, (part, base)) in signal_parts.iter().zip(&base_parts).enumerate() {
                terms[idx].monthly[k] = scale * (part - base);
            }
        }
        terms[gap_idx].monthly[k] = rate * (t0 - x(from));
        target.push(ts);
        for ((e, amount), &idx) in jumped.iter().zip(&jump_idx) {
            if e.month == Some(t + 1) {
                terms[idx].monthly[k] = *amount;
                jumps += amount;
            }
        }
        terms[clamp_idx].monthly[k] = x(t + 1) - (rule::approach(xt, rate, ts) + jumps);
    }
    // Pushes fade by (1 − rate) a month: accumulate each term's share of the
    // level, then report its month-to-month differences.
    for term in &mut terms {
        let mut level = 0.0;
        for m in term.monthly.iter_mut() {
            let next = (1.0 - rate) * level + *m;
            *m = next - level;
            level = next;
        }
    }
    let state = (from..=to).map(x).collect();
    Explanation {
        variable: var,
        from,
        to,
        terms,
        state,
        target,
    }
}
