//! The monthly statistics of an import: a weighted mean, its standard
//! error, the number of events behind it and their quad classes.
//!
//! With scores x_i and weights w_i (NumMentions, or 1 per event), W = Σ w_i
//! and V = Σ w_i²:
//!
//! - mean x̄ = Σ w_i x_i / W;
//! - spread s² = Σ w_i (x_i − x̄)² / (W − V / W), the unbiased variance for
//!   reliability weights (the `gsl_stats_wvariance` estimator of the GNU
//!   Scientific Library); with equal weights it is the sample variance;
//! - standard error of the mean SE = s · √V / W = s / √n_eff, where
//!   n_eff = W² / V is Kish's effective number of events.
//!
//! The sums are accumulated with West's (1979) weighted update of the mean
//! and the sum of squares, so large scores and many events do not lose
//! precision.

/// Weighted moments of a set of scores.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Moments {
    /// Number of events.
    pub n: u64,
    /// W = Σ w.
    pub w: f64,
    /// V = Σ w².
    pub w2: f64,
    mean: f64,
    /// Σ w (x − x̄)².
    ss: f64,
}

impl Moments {
    /// Adds a score `x` with weight `w` > 0.
    pub(crate) fn add(&mut self, x: f64, w: f64) {
        self.n += 1;
        let total = self.w + w;
        let delta = x - self.mean;
        self.mean += delta * w / total;
        self.ss += w * delta * (x - self.mean);
        self.w = total;
        self.w2 += w * w;
    }

    /// The weighted mean (0 with no events).
    pub(crate) fn mean(&self) -> f64 {
        self.mean
    }

    /// The weighted standard deviation s of the scores, when at least two
    /// events carry weight.
    pub(crate) fn spread(&self) -> Option<f64> {
        let denom = self.w - self.w2 / self.w;
        (self.n >= 2 && denom > 0.0).then(|| (self.ss.max(0.0) / denom).sqrt())
    }

    /// √V / W = 1 / √n_eff: the standard error of the mean per unit of
    /// spread.
    pub(crate) fn se_factor(&self) -> f64 {
        self.w2.sqrt() / self.w
    }

    /// Kish's effective number of events, W² / V.
    pub(crate) fn effective_n(&self) -> f64 {
        self.w * self.w / self.w2
    }
}

/// One month of the dyad's events.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Month {
    pub moments: Moments,
    /// Events of actor 1 → actor 2 (as the dyad was given) and back.
    pub forward: u64,
    pub backward: u64,
    /// Events per quad class 1 … 4.
    pub quads: [u64; 4],
}

impl Month {
    pub(crate) fn add(&mut self, score: f64, weight: f64, quad: u8, forward: bool) {
        self.moments.add(score, weight);
        if forward {
            self.forward += 1;
        } else {
            self.backward += 1;
        }
        if let Some(q) = self.quads.get_mut(usize::from(quad.saturating_sub(1))) {
            *q += 1;
        }
    }
}

/// Months with fewer events than this take the spread of all the dyad's
/// events (every month together) instead of their own, whose estimate
/// would rest on too few events.
pub(crate) const MIN_OWN_SPREAD: u64 = 5;

/// What a month's observation says: its value and sd, and how the sd came
/// about.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Estimate {
    pub mean: f64,
    /// The standard error, when a spread was available.
    pub se: Option<f64>,
    /// max(se, floor), or the floor without a standard error.
    pub sd: f64,
    /// Whether the month's own spread was used (else the pooled one).
    pub own_spread: bool,
}

/// The estimate of `month`, with `pooled` the moments of all the dyad's
/// events and `floor` the least sd written.
pub(crate) fn estimate(month: &Moments, pooled: &Moments, floor: f64) -> Estimate {
    let own_spread = month.n >= MIN_OWN_SPREAD;
    let spread = if own_spread {
        month.spread()
    } else {
        pooled.spread()
    };
    let se = spread.map(|s| s * month.se_factor());
    Estimate {
        mean: month.mean(),
        se,
        sd: se.map_or(floor, |e| e.max(floor)),
        own_spread,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(xs: &[(f64, f64)]) -> Moments {
        let mut m = Moments::default();
        for &(x, w) in xs {
            m.add(x, w);
        }
        m
    }

    #[test]
    fn weighted_mean_spread_and_standard_error_by_hand() {
        // Scores 4, −2, 7 with weights 10, 5, 1: W = 16, V = 126,
        // mean 37/16, Σ w (x − x̄)² = 143.4375, W − V/W = 8.125.
        let m = of(&[(4.0, 10.0), (-2.0, 5.0), (7.0, 1.0)]);
        assert!((m.mean() - 37.0 / 16.0).abs() < 1e-12);
        let s = (143.4375f64 / 8.125).sqrt();
        assert!((m.spread().unwrap() - s).abs() < 1e-12);
        assert!((m.se_factor() - 126f64.sqrt() / 16.0).abs() < 1e-12);
        assert!((m.effective_n() - 256.0 / 126.0).abs() < 1e-12);
    }

    #[test]
    fn equal_weights_give_the_sample_variance() {
        let m = of(&[(1.0, 3.0), (2.0, 3.0), (3.0, 3.0), (6.0, 3.0)]);
        // sample variance of 1, 2, 3, 6: mean 3, Σ(x − 3)² = 14, /3
        assert!((m.spread().unwrap() - (14.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert!((m.se_factor() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn one_event_has_no_spread() {
        assert_eq!(of(&[(3.0, 7.0)]).spread(), None);
        assert_eq!(of(&[]).spread(), None);
    }

    #[test]
    fn large_offsets_keep_their_precision() {
        let m = of(&[(1e9 + 1.0, 1.0), (1e9 + 2.0, 1.0), (1e9 + 3.0, 1.0)]);
        assert!((m.spread().unwrap() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn few_events_take_the_pooled_spread_and_the_floor_holds() {
        let pooled = of(&[(0.0, 1.0), (2.0, 1.0), (4.0, 1.0), (6.0, 1.0)]);
        let month = of(&[(0.0, 1.0), (2.0, 1.0)]);
        let e = estimate(&month, &pooled, 0.1);
        assert!(!e.own_spread);
        let want = pooled.spread().unwrap() / 2f64.sqrt();
        assert!((e.se.unwrap() - want).abs() < 1e-12);
        assert_eq!(e.sd, e.se.unwrap());
        let floored = estimate(&month, &pooled, 100.0);
        assert_eq!(floored.sd, 100.0);
        let lonely = estimate(&of(&[(5.0, 2.0)]), &of(&[(5.0, 2.0)]), 0.5);
        assert_eq!((lonely.mean, lonely.se, lonely.sd), (5.0, None, 0.5));
        let many = of(&[(1.0, 1.0), (2.0, 1.0), (3.0, 1.0), (4.0, 1.0), (5.0, 1.0)]);
        let own = estimate(&many, &pooled, 0.0);
        assert!(own.own_spread);
        assert!((own.se.unwrap() - many.spread().unwrap() / 5f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn months_count_directions_and_quads() {
        let mut m = Month::default();
        m.add(1.0, 1.0, 1, true);
        m.add(-1.0, 2.0, 4, false);
        m.add(0.0, 1.0, 4, true);
        assert_eq!((m.forward, m.backward, m.quads), (2, 1, [1, 0, 0, 2]));
        assert_eq!(m.moments.n, 3);
    }
}
