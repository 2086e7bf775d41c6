//! Which values a parameter may take. A value in a scenario file and a value
//! an analysis sets (a sweep's grid, a sensitivity range) pass the same
//! checks: the field's domain, and the limit on the signal each variable can
//! receive, so no value can make a run overflow.

use super::{Model, ParamId, VarId};
use crate::limits::MAX_MAGNITUDE;
use crate::model::Domain;

/// The values a parameter may take: `lo ≤ x ≤ hi` (or `lo < x` when
/// `lo_open`), and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Allowed {
    pub lo: f64,
    pub hi: f64,
    pub lo_open: bool,
    /// Why the range is narrower than the field's domain, if it is.
    pub reason: Option<String>,
}

impl Allowed {
    pub fn contains(&self, x: f64) -> bool {
        let above = if self.lo_open {
            x > self.lo
        } else {
            x >= self.lo
        };
        x.is_finite() && above && x <= self.hi
    }

    /// "in (0, 1]", "in [-5e11, 5e11] (…)".
    pub fn describe(&self) -> String {
        let open = if self.lo_open { "(" } else { "[" };
        let range = format!("in {open}{}, {}]", short(self.lo), short(self.hi));
        match &self.reason {
            Some(r) => format!("{range} ({r})"),
            None => range,
        }
    }
}

fn short(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e6 || x.abs() < 1e-4) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

impl Model {
    /// The largest signal variable `var` can receive: the size of its bias
    /// plus, for each influence on it, the size of the weight times the
    /// larger end of the source's bounds. `size` gives each parameter's size
    /// (for a distribution, the largest value it plausibly takes).
    pub fn signal_bound(&self, var: VarId, size: impl Fn(ParamId) -> f64) -> f64 {
        let mut bound = size(self.variables[var.0].bias);
        for inf in self.influences.iter().filter(|f| f.target == var) {
            bound += size(inf.weight) * self.term_bound(inf);
        }
        bound
    }

    /// The largest size an influence's term (its source, times the second
    /// factor of an interaction) can take, from the sources' bounds.
    pub fn term_bound(&self, inf: &super::Influence) -> f64 {
        let size = |s: usize| {
            let (lo, hi) = self.source_bounds(s);
            lo.abs().max(hi.abs())
        };
        size(inf.source.0) * inf.by.map_or(1.0, |b| size(b.0))
    }

    /// The values parameter `id` may take, the others at their sizes in the
    /// scenario.
    pub fn allowed(&self, id: ParamId) -> Allowed {
        // Every value stays within ±MAX_MAGNITUDE, as in a scenario file.
        let (mut lo, hi, lo_open) = match self.params[id.0].domain {
            Domain::Real => (-MAX_MAGNITUDE, MAX_MAGNITUDE, false),
            Domain::NonNegative => (0.0, MAX_MAGNITUDE, false),
            Domain::Rate => (0.0, 1.0, true),
        };
        let mut hi = hi;
        let mut reason = None;
        // A bias or a weight feeds one variable's signal.
        let feeds = self
            .variables
            .iter()
            .position(|v| v.bias == id)
            .map(|i| (VarId(i), 1.0))
            .or_else(|| {
                self.influences
                    .iter()
                    .find(|f| f.weight == id)
                    .map(|f| (f.target, self.term_bound(f)))
            });
        if let Some((var, scale)) = feeds {
            let others = self.signal_bound(var, |p| {
                if p == id {
                    0.0
                } else {
                    self.params[p.0].dist.size()
                }
            });
            let room = ((MAX_MAGNITUDE - others) / scale).max(0.0);
            if room < hi {
                hi = room;
                lo = lo.max(-room);
                reason = Some(format!(
                    "keeps the signal of `{}` within ±{MAX_MAGNITUDE:e}",
                    self.variables[var.0].name
                ));
            }
        }
        Allowed {
            lo,
            hi,
            lo_open,
            reason,
        }
    }

    /// Checks that parameter `id` may take every value from `lo` to `hi`;
    /// the error names the parameter and its allowed range.
    pub fn check_values(&self, id: ParamId, lo: f64, hi: f64) -> Result<(), String> {
        let allowed = self.allowed(id);
        match [lo, hi].into_iter().find(|x| !allowed.contains(*x)) {
            None => Ok(()),
            Some(x) => Err(format!(
                "{} = {} is outside its allowed range: it must be {}",
                self.params[id.0].path,
                short(x),
                allowed.describe()
            )),
        }
    }
}
