//! The structural model report of `geosim check`: feedback loops among the
//! variables, the Jacobian of the one-month map and its eigenvalues, sources
//! that influence nothing, and how much of the model cites evidence.

use nalgebra::DMatrix;

use crate::engine::{Workspace, deterministic};
use crate::limits::{MAX_LOOP_STEPS, MAX_LOOPS, MAX_SCHUR_ITERATIONS};
use crate::model::{Model, rule};

#[derive(Clone, Debug)]
pub struct FeedbackLoop {
    /// Variable indices around the loop, starting at its smallest index.
    pub path: Vec<usize>,
    /// Product of the (central) weights around the loop.
    pub gain: f64,
    /// Sum of the lags around the loop, in months.
    pub delay: usize,
}

impl FeedbackLoop {
    pub fn polarity(&self) -> &'static str {
        if self.gain > 0.0 {
            "reinforcing"
        } else if self.gain < 0.0 {
            "balancing"
        } else {
            "inactive"
        }
    }
}

pub struct Report {
    pub loops: Vec<FeedbackLoop>,
    /// True when enumeration stopped at [`MAX_LOOPS`] or [`MAX_LOOP_STEPS`].
    pub loops_truncated: bool,
    pub jacobian: DMatrix<f64>,
    /// (re, im), sorted by modulus, largest first.
    pub eigenvalues: Vec<(f64, f64)>,
    pub spectral_radius: f64,
    pub verdict: &'static str,
    pub idle_sources: Vec<String>,
    pub cited_influences: (usize, usize),
    pub cited_events: (usize, usize),
}

pub fn report(model: &Model) -> Report {
    let nv = model.n_vars();
    let central = model.central_params();
    // Weight between variables (summed over lags), and the shortest lag.
    let mut w = vec![vec![None::<(f64, usize)>; nv]; nv];
    // An interaction a * b -> c is an edge from each variable factor, its
    // sign that of the weight (the factors' own signs vary along a run).
    for f in &model.influences {
        for src in std::iter::once(f.source).chain(f.by) {
            if src.0 < nv {
                let cell = &mut w[src.0][f.target.0];
                let (sum, lag) = cell.unwrap_or((0.0, usize::MAX));
                *cell = Some((sum + central[f.weight.0], lag.min(f.lag)));
            }
        }
    }
    let (loops, loops_truncated) = elementary_cycles(&w);

    let (jac, _) = jacobian(model);
    let ns = model.n_sources();
    // nalgebra's plain eigenvalue call iterates without a limit, and never
    // returns on some defective matrices: bound the Schur iteration.
    let schur = nalgebra::linalg::Schur::try_new(jac.clone(), 1e-12, MAX_SCHUR_ITERATIONS);
    let mut eigenvalues: Vec<(f64, f64)> = schur
        .as_ref()
        .map(|s| {
            s.complex_eigenvalues()
                .iter()
                .map(|c| (c.re, c.im))
                .collect()
        })
        .unwrap_or_default();
    eigenvalues.sort_by(|a, b| b.0.hypot(b.1).total_cmp(&a.0.hypot(a.1)));
    let spectral_radius = eigenvalues.first().map_or(f64::NAN, |e| e.0.hypot(e.1));
    // Repeated eigenvalues come back with rounding-size imaginary parts:
    // only a visible rotation (or a negative real part) counts as oscillation.
    let oscillates = eigenvalues
        .iter()
        .any(|e| e.1.abs() > 1e-3 * e.0.hypot(e.1) || e.0 < 0.0);
    let verdict = if schur.is_none() {
        "not computed: the eigenvalue iteration did not converge"
    } else if spectral_radius >= 1.0 {
        "amplifies: deviations from the end state grow (spectral radius >= 1)"
    } else if oscillates {
        "oscillates: deviations shrink, but with overshoot or cycles (complex or negative eigenvalues)"
    } else {
        "settles: deviations from the end state shrink monotonically"
    };

    let mut used = vec![false; ns];
    for f in &model.influences {
        used[f.source.0] = true;
        if let Some(b) = f.by {
            used[b.0] = true;
        }
    }
    for inc in &model.incidents {
        for (s, _) in &inc.rate_by {
            used[s.0] = true;
        }
    }
    if let Some(r) = &model.regimes {
        used[r.variable.0] = true;
    }
    let idle_sources = (0..ns)
        .filter(|s| !used[*s])
        .map(|s| model.source_name(crate::model::SourceId(s)).to_string())
        .collect();
    let cited = |e: &Option<String>| e.as_ref().is_some_and(|t| !t.trim().is_empty());
    Report {
        loops,
        loops_truncated,
        jacobian: jac,
        eigenvalues,
        spectral_radius,
        verdict,
        idle_sources,
        cited_influences: (
            model
                .influences
                .iter()
                .filter(|f| cited(&f.evidence))
                .count(),
            model.influences.len(),
        ),
        cited_events: (
            model.events.iter().filter(|e| cited(&e.evidence)).count()
                + model
                    .incidents
                    .iter()
                    .filter(|e| cited(&e.evidence))
                    .count(),
            model.events.len() + model.incidents.len(),
        ),
    }
}

/// The Jacobian of the quasi-steady one-month map ([`rule::quasi_steady_step`]:
/// lagged influences read as the current month) at the deterministic run's
/// last month, with the pressure acting then; and that end state (every
/// source, then the pressure), for checks against finite differences.
pub fn jacobian(model: &Model) -> (DMatrix<f64>, (Vec<f64>, Vec<f64>)) {
    let nv = model.n_vars();
    let ns = model.n_sources();
    let mut ws = Workspace::new(model);
    deterministic(model, &mut ws);
    let last = model.months() - 1;
    let state = ws.trajectory[last * ns..(last + 1) * ns].to_vec();
    let p = &ws.params;
    let weights: Vec<f64> = model.influences.iter().map(|f| p[f.weight.0]).collect();
    let mut signal = vec![0.0; nv];
    rule::signals(
        model,
        p,
        &weights,
        |s, _| state[s.0],
        ws.pressure(),
        &mut signal,
    );
    let mut jac = DMatrix::<f64>::zeros(nv, nv);
    for (i, v) in model.variables.iter().enumerate() {
        let rate = p[v.rate.0];
        let slope = rule::target_slope(v, signal[i]);
        jac[(i, i)] += 1.0 - rate;
        for (f, w) in model.influences.iter().zip(&weights) {
            if f.target.0 != i {
                continue;
            }
            // d(w · a · b)/da = w · b, and the same for b.
            let (a, b) = (f.source.0, f.by.map(|b| b.0));
            if a < nv {
                jac[(i, a)] += rate * slope * w * b.map_or(1.0, |b| state[b]);
            }
            if let Some(b) = b.filter(|b| *b < nv) {
                jac[(i, b)] += rate * slope * w * state[a];
            }
        }
    }
    (jac, (state, ws.pressure().to_vec()))
}

/// Every elementary cycle of the graph `w[from][to]`, each reported once,
/// starting from its smallest vertex (a plain depth-first search: the
/// variable graphs of scenarios are small).
fn elementary_cycles(w: &[Vec<Option<(f64, usize)>>]) -> (Vec<FeedbackLoop>, bool) {
    let n = w.len();
    struct Search<'a> {
        w: &'a [Vec<Option<(f64, usize)>>],
        start: usize,
        /// Vertices (>= start) from which `start` can be reached.
        reaches: Vec<bool>,
        path: Vec<usize>,
        on_path: Vec<bool>,
        out: Vec<FeedbackLoop>,
        steps: usize,
    }
    impl Search<'_> {
        /// False when a limit stopped the search.
        fn dfs(&mut self, at: usize) -> bool {
            self.steps += 1;
            if self.steps > MAX_LOOP_STEPS {
                return false;
            }
            for next in self.start..self.w.len() {
                if self.w[at][next].is_none() {
                    continue;
                }
                if next == self.start {
                    let mut gain = 1.0;
                    let mut delay = 0;
                    for (k, &a) in self.path.iter().enumerate() {
                        let b = self.path.get(k + 1).copied().unwrap_or(self.start);
                        let (g, l) = self.w[a][b].unwrap_or((0.0, 0));
                        gain *= g;
                        delay += l;
                    }
                    self.out.push(FeedbackLoop {
                        path: self.path.clone(),
                        gain,
                        delay,
                    });
                    if self.out.len() >= MAX_LOOPS {
                        return false;
                    }
                } else if !self.on_path[next] && self.reaches[next] {
                    self.on_path[next] = true;
                    self.path.push(next);
                    let go_on = self.dfs(next);
                    self.path.pop();
                    self.on_path[next] = false;
                    if !go_on {
                        return false;
                    }
                }
            }
            true
        }
    }
    let mut search = Search {
        w,
        start: 0,
        reaches: vec![false; n],
        path: Vec::new(),
        on_path: vec![false; n],
        out: Vec::new(),
        steps: 0,
    };
    let mut complete = true;
    for start in 0..n {
        // Only vertices that lead back to `start` can lie on its loops.
        search.reaches.iter_mut().for_each(|r| *r = false);
        let mut stack = vec![start];
        search.reaches[start] = true;
        while let Some(v) = stack.pop() {
            for (u, row) in w.iter().enumerate().skip(start) {
                if !search.reaches[u] && row[v].is_some() {
                    search.reaches[u] = true;
                    stack.push(u);
                }
            }
        }
        search.start = start;
        search.path.push(start);
        search.on_path[start] = true;
        complete = search.dfs(start);
        search.path.pop();
        search.on_path[start] = false;
        if !complete {
            break;
        }
    }
    let mut out = search.out;
    out.sort_by(|a, b| b.gain.abs().total_cmp(&a.gain.abs()));
    (out, !complete)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_cycle_once_with_gain_and_delay() {
        // 0 -> 1 -> 0 (gain 0.5 · -2), 0 -> 0 (self loop 0.3), 1 -> 2 -> 1 (gain 1 · 1), 2 -> 0 (no cycle alone)
        let mut w = vec![vec![None; 3]; 3];
        w[0][1] = Some((0.5, 1));
        w[1][0] = Some((-2.0, 2));
        w[0][0] = Some((0.3, 0));
        w[1][2] = Some((1.0, 0));
        w[2][1] = Some((1.0, 3));
        w[2][0] = Some((0.1, 0));
        let (loops, truncated) = elementary_cycles(&w);
        assert!(!truncated);
        let mut found: Vec<(Vec<usize>, f64, usize)> = loops
            .iter()
            .map(|l| (l.path.clone(), l.gain, l.delay))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        // 0->1->2->0 is a cycle too: 0.5 · 1 · 0.1
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found.contains(&(vec![0], 0.3, 0)));
        assert!(found.contains(&(vec![0, 1], -1.0, 3)));
        assert!(found.contains(&(vec![1, 2], 1.0, 3)));
        assert!(
            found
                .iter()
                .any(|(p, g, d)| p == &vec![0, 1, 2] && (g - 0.05).abs() < 1e-12 && *d == 1)
        );
    }
}
