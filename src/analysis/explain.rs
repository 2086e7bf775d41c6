//! Why a variable moves: its monthly change in the deterministic run split
//! into additive terms. For a linear response the change is
//! rate·bias + Σ rate·w·v + Σ rate·pressure − rate·x + jumps + clamping; for a
//! logistic response the target's departure from the band's midpoint is
//! shared among the signal terms in proportion to their size. The clamping
//! term is whatever the bounds removed, so the terms add up to the actual change.

use crate::engine::{deterministic, Workspace};
use crate::model::{Model, Response, VarId};

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
}

pub const SELF_TERM: &str = "self-adjustment (−rate × state)";
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

    let influences: Vec<_> = model.influences.iter().filter(|f| f.target == var).collect();
    let pressured: Vec<_> = model
        .events
        .iter()
        .filter_map(|e| {
            let amount: f64 = e.pressures.iter().filter(|(t, _)| *t == var).map(|(_, id)| p[id.0]).sum();
            (e.month.is_some() && amount != 0.0).then_some((e, amount))
        })
        .collect();
    let jumped: Vec<_> = model
        .events
        .iter()
        .filter_map(|e| {
            let amount: f64 = e.jumps.iter().filter(|(t, _)| *t == var).map(|(_, id)| p[id.0]).sum();
            (e.month.is_some() && amount != 0.0).then_some((e, amount))
        })
        .collect();

    let mut terms: Vec<Term> = Vec::new();
    let mut add = |name: String| {
        terms.push(Term { name, monthly: vec![0.0; n] });
        terms.len() - 1
    };
    let bias_idx = add("bias".into());
    let inf_idx: Vec<usize> = influences.iter().map(|f| add(f.key.clone())).collect();
    let pres_idx: Vec<usize> = pressured.iter().map(|(e, _)| add(format!("pressure: {}", e.name))).collect();
    let jump_idx: Vec<usize> = jumped.iter().map(|(e, _)| add(format!("jump: {}", e.name))).collect();
    let self_idx = add(SELF_TERM.into());
    let clamp_idx = add(CLAMP_TERM.into());

    let mut signal_parts = vec![0.0; terms.len()];
    let mut target = Vec::with_capacity(n);
    for (k, t) in (from..to).enumerate() {
        signal_parts.iter_mut().for_each(|s| *s = 0.0);
        signal_parts[bias_idx] = p[v.bias.0];
        for (f, &idx) in influences.iter().zip(&inf_idx) {
            signal_parts[idx] = p[f.weight.0] * ws.trajectory[t.saturating_sub(f.lag) * ns + f.source.0];
        }
        for ((e, amount), &idx) in pressured.iter().zip(&pres_idx) {
            let te = e.month.unwrap_or(usize::MAX);
            if te <= t {
                signal_parts[idx] = amount * 0.5f64.powf((t - te) as f64 / e.half_life);
            }
        }
        let s: f64 = signal_parts.iter().sum();
        let xt = x(t);
        let mut explained = 0.0;
        match v.response {
            Response::Linear => {
                for (idx, part) in signal_parts.iter().enumerate() {
                    terms[idx].monthly[k] = rate * part;
                    explained += rate * part;
                }
                terms[self_idx].monthly[k] = -rate * xt;
                explained -= rate * xt;
                target.push(s);
            }
            Response::Logistic => {
                let logistic = |s: f64| v.min + (v.max - v.min) / (1.0 + (-s).exp());
                let (ts, t0) = (logistic(s), logistic(0.0));
                if s != 0.0 {
                    for (idx, part) in signal_parts.iter().enumerate() {
                        let c = rate * (ts - t0) * part / s;
                        terms[idx].monthly[k] = c;
                        explained += c;
                    }
                }
                terms[self_idx].monthly[k] = rate * (t0 - xt);
                explained += rate * (t0 - xt);
                target.push(ts);
            }
        }
        for ((e, amount), &idx) in jumped.iter().zip(&jump_idx) {
            if e.month == Some(t + 1) {
                terms[idx].monthly[k] = *amount;
                explained += amount;
            }
        }
        terms[clamp_idx].monthly[k] = (x(t + 1) - xt) - explained;
    }
    let state = (from..=to).map(x).collect();
    Explanation { variable: var, from, to, terms, state, target }
}
