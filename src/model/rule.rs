//! The monthly update rule, defined once (docs/FORMAT.md, "The monthly
//! update rule"). The engine's run, `explain`'s attribution and the
//! Jacobian of `check` all build on these functions, so the three cannot
//! disagree about what the model does.
//!
//! For every variable i, from the values at month t:
//!
//! ```text
//! s_i(t)      = bias_i + Σ_{j→i} w_ji · v_j(t − lag_ji) + P_i(t)
//! target_i(t) = s_i(t)                                       (linear)
//!             = min_i + (max_i − min_i) / (1 + e^(−s_i(t)))  (logistic)
//! x_i(t+1)    = clamp(x_i(t) + rate_i · (target_i(t) − x_i(t)) + noise + jumps)
//! ```
//!
//! where P is the pressure of earlier events and incidents, fading by half
//! every `half_life` months.

use super::{Model, Response, SourceId, Variable};
use crate::limits::MAX_INCIDENT_RATE;

/// The value a variable moves toward when its signal is `s`.
#[inline]
pub fn target(v: &Variable, s: f64) -> f64 {
    match v.response {
        Response::Linear => s,
        Response::Logistic => v.min + (v.max - v.min) / (1.0 + (-s).exp()),
    }
}

/// [`target`] of every signal in `signals`, in place: the response is
/// looked at once, so the loop over a row of runs vectorises (a linear
/// target is the signal itself).
#[inline]
pub fn targets(v: &Variable, signals: &mut [f64]) {
    match v.response {
        Response::Linear => {}
        Response::Logistic => signals.iter_mut().for_each(|s| *s = target(v, *s)),
    }
}

/// The signal whose target is `x`: the inverse of [`target`]. A logistic
/// target never reaches its bounds, so `x` is kept a millionth of the range
/// inside them.
pub fn signal_for(v: &Variable, x: f64) -> f64 {
    match v.response {
        Response::Linear => x,
        Response::Logistic => {
            let u = ((x - v.min) / (v.max - v.min)).clamp(1e-6, 1.0 - 1e-6);
            (u / (1.0 - u)).ln()
        }
    }
}

/// How fast the target moves with the signal: d target / d s.
pub fn target_slope(v: &Variable, s: f64) -> f64 {
    match v.response {
        Response::Linear => 1.0,
        Response::Logistic => {
            let sig = 1.0 / (1.0 + (-s).exp());
            (v.max - v.min) * sig * (1.0 - sig)
        }
    }
}

/// Goal seeking: the state after closing the share `rate` of its gap to
/// `target` (before noise, jumps and clamping).
#[inline]
pub fn approach(x: f64, rate: f64, target: f64) -> f64 {
    x + rate * (target - x)
}

/// The share of a pressure left `months` months after it was applied.
pub fn pressure_left(half_life: f64, months: f64) -> f64 {
    0.5f64.powf(months / half_life)
}

/// The factor a pressure is multiplied by each month.
pub fn decay_factor(half_life: f64) -> f64 {
    pressure_left(half_life, 1.0)
}

/// The month whose value a lagged influence reads at month `t`: before the
/// start, sources hold their value at month 0.
#[inline]
pub fn lagged(t: usize, lag: usize) -> usize {
    t.saturating_sub(lag)
}

/// What an influence multiplies its weight by: its source's value `lag`
/// months earlier, times the second factor's for an interaction.
#[inline]
pub fn term(inf: &super::Influence, value: &impl Fn(SourceId, usize) -> f64) -> f64 {
    let x = value(inf.source, inf.lag);
    match inf.by {
        Some(b) => x * value(b, inf.lag),
        None => x,
    }
}

/// The signal of every variable: bias, plus each influence's weight times
/// the value its source had `lag` months earlier (`value(source, lag)`),
/// plus the pressure of every decay class (`pressure`: classes × variables).
#[inline]
pub fn signals(
    model: &Model,
    params: &[f64],
    weights: &[f64],
    value: impl Fn(SourceId, usize) -> f64,
    pressure: &[f64],
    signal: &mut [f64],
) {
    for (s, v) in signal.iter_mut().zip(&model.variables) {
        *s = params[v.bias.0];
    }
    for (inf, w) in model.influences.iter().zip(weights) {
        signal[inf.target.0] += w * term(inf, &value);
    }
    for class in pressure.chunks_exact(signal.len().max(1)) {
        for (s, p) in signal.iter_mut().zip(class) {
            *s += p;
        }
    }
}

/// Expected incidents per month of a process with base rate `base` and
/// `rate_by` terms summing to `exponent`: base · e^exponent, capped at
/// [`MAX_INCIDENT_RATE`]; `None` when no incident can happen.
#[inline]
pub fn incident_rate(base: f64, exponent: f64) -> Option<f64> {
    if base <= 0.0 {
        return None;
    }
    let lambda = base * exponent.exp();
    if lambda.is_nan() || lambda <= 0.0 {
        return None;
    }
    Some(lambda.min(MAX_INCIDENT_RATE))
}

/// The deterministic one-month map with every lag read as the current
/// month (the quasi-steady map whose Jacobian `check` reports): `state`
/// holds every source (variables, then drivers) at one month, `pressure`
/// the pressure of every decay class; `next` receives the variables.
pub fn quasi_steady_step(
    model: &Model,
    params: &[f64],
    state: &[f64],
    pressure: &[f64],
    next: &mut [f64],
) {
    let weights: Vec<f64> = model
        .influences
        .iter()
        .map(|f| params[f.weight.0])
        .collect();
    signals(model, params, &weights, |s, _| state[s.0], pressure, next);
    for (i, v) in model.variables.iter().enumerate() {
        next[i] = approach(state[i], params[v.rate.0], target(v, next[i]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ParamId;

    fn var(response: Response) -> Variable {
        Variable {
            name: "x".into(),
            description: String::new(),
            min: -1.0,
            max: 3.0,
            labels: None,
            initial: ParamId(0),
            rate: ParamId(0),
            bias: ParamId(0),
            equilibrium: false,
            noise: ParamId(0),
            response,
        }
    }

    #[test]
    fn targets_of_a_row_are_the_target_of_each_signal() {
        for response in [Response::Linear, Response::Logistic] {
            let v = var(response);
            let signals = [-7.5, -0.3, -0.0, 0.0, 0.4, 2.0, 40.0];
            let mut row = signals;
            targets(&v, &mut row);
            for (s, t) in signals.iter().zip(row) {
                assert_eq!(target(&v, *s).to_bits(), t.to_bits(), "{response:?} {s}");
            }
        }
    }

    #[test]
    fn signal_for_inverts_the_target() {
        for response in [Response::Linear, Response::Logistic] {
            let v = var(response);
            for x in [-0.9, 0.0, 1.2, 2.9] {
                let back = target(&v, signal_for(&v, x));
                assert!((back - x).abs() < 1e-9, "{response:?} {x} {back}");
            }
        }
        // at the bounds a logistic target is approached, not reached
        let v = var(Response::Logistic);
        assert!(signal_for(&v, 3.0).is_finite() && signal_for(&v, -1.0).is_finite());
    }

    #[test]
    fn logistic_target_spans_the_bounds_and_its_slope_is_the_derivative() {
        let v = var(Response::Logistic);
        assert!((target(&v, 0.0) - 1.0).abs() < 1e-15, "midpoint at s = 0");
        assert!((target(&v, 50.0) - 3.0).abs() < 1e-12);
        assert!((target(&v, -50.0) + 1.0).abs() < 1e-12);
        for s in [-3.0, -0.5, 0.0, 0.7, 2.5] {
            let h = 1e-6;
            let fd = (target(&v, s + h) - target(&v, s - h)) / (2.0 * h);
            assert!((fd - target_slope(&v, s)).abs() < 1e-8, "s = {s}");
        }
        let lin = var(Response::Linear);
        assert_eq!(target(&lin, 7.5), 7.5);
        assert_eq!(target_slope(&lin, 7.5), 1.0);
    }

    #[test]
    fn pressure_halves_every_half_life() {
        assert!((pressure_left(6.0, 6.0) - 0.5).abs() < 1e-15);
        assert!((pressure_left(6.0, 12.0) - 0.25).abs() < 1e-15);
        assert!((decay_factor(4.0).powi(4) - 0.5).abs() < 1e-15);
        assert_eq!(pressure_left(3.0, 0.0), 1.0);
    }

    #[test]
    fn incident_rates_are_capped_and_zero_base_never_fires() {
        assert_eq!(incident_rate(0.0, 5.0), None);
        assert_eq!(incident_rate(-1.0, 0.0), None);
        assert_eq!(incident_rate(0.5, 0.0), Some(0.5));
        assert_eq!(incident_rate(1.0, 1e6), Some(MAX_INCIDENT_RATE));
        assert!((incident_rate(0.2, 1.0).unwrap() - 0.2 * 1f64.exp()).abs() < 1e-15);
    }

    #[test]
    fn approach_closes_the_share_rate_of_the_gap() {
        assert!((approach(0.2, 0.25, 1.0) - 0.4).abs() < 1e-15);
        assert!((approach(0.2, 1.0, -0.5) + 0.5).abs() < 1e-15);
        assert_eq!(lagged(2, 5), 0);
        assert_eq!(lagged(7, 5), 2);
    }
}
