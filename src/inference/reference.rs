//! Reference forecasts for a backtest: what an analyst could have said
//! from the record alone, without the model. A backtest's skill scores
//! compare the model with these two on the same held-out observations
//! (docs/FORMAT.md, "Backtests").
//!
//! - **Persistence**: things stay as they were last seen. For a value, a
//!   normal centred on the last observed value whose variance grows by the
//!   variance of the past month-to-month changes with every month of lead
//!   time (a random walk without drift); for a band, the last observed band
//!   with the probability of staying seen in past band transitions.
//! - **Climatology**: things look like they always did. For a value, a
//!   normal with the mean and variance of every earlier value; for a band,
//!   the frequencies of the earlier bands.
//!
//! Both see only the observations before the origin, like the model. They
//! forecast what was observed — the observed values, noise included — so
//! no measurement error is added to them. Band frequencies and the
//! probability of staying are Laplace-smoothed (one pseudo-count per
//! outcome), so a band never seen before keeps a small probability and the
//! log score stays finite. A reference needs [`MIN_PAST`] earlier
//! observations of the series; with fewer it is undefined (`None`), and
//! the backtest leaves its scores empty and its skill out for that row.

use crate::stats::scores::{
    brier, crps_gaussian, log_score_categorical, log_score_gaussian, pit_gaussian, rps,
};

/// Fewest earlier observations of a series a reference is built from: a
/// spread needs at least two values.
pub const MIN_PAST: usize = 2;

/// A value forecast: the normal N(mean, sd²), in the series' own units.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Normal {
    pub mean: f64,
    pub sd: f64,
}

impl Normal {
    /// The same forecast for the observed quantity scale · x + offset.
    pub fn observed(self, scale: f64, offset: f64) -> Normal {
        Normal {
            mean: scale * self.mean + offset,
            sd: scale.abs() * self.sd,
        }
    }
}

/// Earlier values of one series, `(month, value)` in month order, merged
/// to one value per month (their mean), so two observations of one month
/// make neither a change of zero length nor a doubled weight.
pub fn per_month(values: &[(usize, f64)]) -> Vec<(usize, f64)> {
    let mut out: Vec<(usize, f64, usize)> = Vec::new();
    for &(t, v) in values {
        match out.last_mut() {
            Some(last) if last.0 == t => {
                last.1 += v;
                last.2 += 1;
            }
            _ => out.push((t, v, 1)),
        }
    }
    out.into_iter().map(|(t, s, n)| (t, s / n as f64)).collect()
}

/// Persistence for month `month` from the earlier values `past` (one per
/// month, ascending, all before `month`): N(last, σ² · lead), with lead the
/// months since the last value and σ² the mean of Δx² / Δt over
/// consecutive values — the per-month variance of a driftless random walk,
/// which each change of Δt months estimates without bias.
pub fn persistence_value(past: &[(usize, f64)], month: usize) -> Option<Normal> {
    if past.len() < MIN_PAST {
        return None;
    }
    let &(last_month, last) = past.last()?;
    if month <= last_month {
        return None;
    }
    let rates: Vec<f64> = past
        .windows(2)
        .map(|w| {
            let dt = (w[1].0 - w[0].0) as f64;
            (w[1].1 - w[0].1).powi(2) / dt
        })
        .collect();
    let var = rates.iter().sum::<f64>() / rates.len() as f64;
    let lead = (month - last_month) as f64;
    Some(Normal {
        mean: last,
        sd: (var * lead).sqrt(),
    })
}

/// Climatology from the earlier values `past`: their mean and sample
/// variance (divisor n − 1).
pub fn climatology_value(past: &[(usize, f64)]) -> Option<Normal> {
    if past.len() < MIN_PAST {
        return None;
    }
    let n = past.len() as f64;
    let mean = past.iter().map(|p| p.1).sum::<f64>() / n;
    let var = past.iter().map(|p| (p.1 - mean).powi(2)).sum::<f64>() / (n - 1.0);
    Some(Normal {
        mean,
        sd: var.sqrt(),
    })
}

/// Persistence over `bands` ordered bands from the earlier band
/// observations `past` (band indices in month order): the last band with
/// probability p_stay = (stays + 1) / (transitions + 2), Laplace's rule over
/// the consecutive pairs, and the rest shared evenly by the other bands.
/// The transitions are between consecutive band observations whatever
/// their distance in months, so p_stay is not scaled with lead time.
pub fn persistence_band(past: &[usize], bands: usize) -> Option<Vec<f64>> {
    if past.len() < MIN_PAST || bands == 0 {
        return None;
    }
    let last = *past.last()?;
    if bands == 1 {
        return Some(vec![1.0]);
    }
    let pairs = past.len() - 1;
    let stays = past.windows(2).filter(|w| w[0] == w[1]).count();
    let p_stay = (stays as f64 + 1.0) / (pairs as f64 + 2.0);
    let other = (1.0 - p_stay) / (bands - 1) as f64;
    Some(
        (0..bands)
            .map(|k| if k == last { p_stay } else { other })
            .collect(),
    )
}

/// Climatology over `bands` bands: (count + 1) / (n + bands) for each band.
pub fn climatology_band(past: &[usize], bands: usize) -> Option<Vec<f64>> {
    if past.len() < MIN_PAST || bands == 0 {
        return None;
    }
    let n = past.len() as f64;
    Some(
        (0..bands)
            .map(|k| (past.iter().filter(|&&b| b == k).count() as f64 + 1.0) / (n + bands as f64))
            .collect(),
    )
}

/// The probabilities a normal forecast gives the observed quantity
/// (plus the interval's soft-edge error of sd `softness`, as the
/// likelihood has it) of lying below `lo`, inside [lo, hi], and above `hi`.
pub fn interval_probs(f: Normal, lo: f64, hi: f64, softness: f64) -> [f64; 3] {
    let s = (f.sd * f.sd + softness * softness).sqrt();
    let below = if lo == f64::NEG_INFINITY {
        0.0
    } else {
        pit_gaussian(f.mean, s, lo)
    };
    let above = if hi == f64::INFINITY {
        0.0
    } else {
        1.0 - pit_gaussian(f.mean, s, hi)
    };
    [below, (1.0 - below - above).max(0.0), above]
}

/// The scores of one forecast for one observation; `None` where a score
/// does not apply to the observation's kind or cannot be computed (a log
/// score of a forecast with no spread).
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct Scores {
    pub crps: Option<f64>,
    pub log_score: Option<f64>,
    pub brier: Option<f64>,
    pub rps: Option<f64>,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl Scores {
    /// A normal forecast of a measured `value`.
    pub fn measured(f: Normal, value: f64) -> Scores {
        Scores {
            crps: finite(crps_gaussian(f.mean, f.sd, value)),
            log_score: finite(log_score_gaussian(f.mean, f.sd, value)),
            ..Scores::default()
        }
    }

    /// Probabilities of ordered categories, the `observed` one happening.
    /// An infinite log score (the outcome had probability 0) is kept as
    /// infinity: it is the honest score, and means show it.
    pub fn categorical(probs: &[f64], observed: usize) -> Scores {
        let log = log_score_categorical(probs, observed);
        Scores {
            brier: finite(brier(probs, observed)),
            rps: finite(rps(probs, observed)),
            log_score: (!log.is_nan()).then_some(log),
            ..Scores::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    #[test]
    fn persistence_grows_with_lead_time_from_the_changes() {
        // Changes: +0.2 over 1 month, −0.4 over 2 months → Δx²/Δt = 0.04, 0.08.
        let past = [(0, 0.1), (1, 0.3), (3, -0.1)];
        let f = persistence_value(&past, 4).unwrap();
        close(f.mean, -0.1);
        close(f.sd, 0.06f64.sqrt());
        let f = persistence_value(&past, 7).unwrap();
        close(f.sd, (0.06f64 * 4.0).sqrt());
        assert_eq!(
            persistence_value(&past[..1], 4),
            None,
            "one value, no change"
        );
        assert_eq!(persistence_value(&past, 3), None, "no lead time");
    }

    #[test]
    fn climatology_is_mean_and_sample_variance() {
        let past = [(0, 1.0), (2, 2.0), (5, 6.0)];
        let f = climatology_value(&past).unwrap();
        close(f.mean, 3.0);
        // Squares 4, 1, 9 over n − 1 = 2.
        close(f.sd, 7.0f64.sqrt());
        assert_eq!(climatology_value(&past[..1]), None);
    }

    #[test]
    fn same_month_values_are_merged() {
        let merged = per_month(&[(1, 0.2), (1, 0.4), (3, 1.0)]);
        assert_eq!(merged.len(), 2);
        close(merged[0].1, 0.3);
        assert_eq!(merged[1], (3, 1.0));
    }

    #[test]
    fn band_references_are_laplace_smoothed() {
        // Bands 0,0,1,1,1: transitions stay, move, stay, stay → 3 of 4.
        let past = [0, 0, 1, 1, 1];
        let p = persistence_band(&past, 3).unwrap();
        close(p[1], 4.0 / 6.0);
        close(p[0], 1.0 / 6.0);
        close(p[2], 1.0 / 6.0);
        let c = climatology_band(&past, 3).unwrap();
        close(c[0], 3.0 / 8.0);
        close(c[1], 4.0 / 8.0);
        close(c[2], 1.0 / 8.0);
        assert_eq!(persistence_band(&[2], 3), None);
        assert_eq!(climatology_band(&[], 3), None);
    }

    #[test]
    fn interval_probabilities_sum_to_one_and_open_ends_get_none() {
        let f = Normal { mean: 0.0, sd: 1.0 };
        let p = interval_probs(f, -1.0, 1.0, 0.0);
        close(p.iter().sum::<f64>(), 1.0);
        assert!((p[0] - 0.158_655_253_931_457).abs() < 1e-9);
        assert!((p[1] - 0.682_689_492_137_086).abs() < 1e-9);
        let open = interval_probs(f, f64::NEG_INFINITY, 0.0, 0.0);
        assert_eq!(open[0], 0.0);
        close(open[1], 0.5);
        // The soft edge widens the forecast: sd √(1 + 0.75²) = 1.25.
        // [1.25, ∞) is one sd above the mean: inside with Φ(−1).
        let soft = interval_probs(f, 1.25, f64::INFINITY, 0.75);
        assert!((soft[1] - 0.158_655_253_931_457).abs() < 1e-9);
        assert_eq!(soft[2], 0.0);
        // A point forecast inside the interval.
        let point = Normal { mean: 0.3, sd: 0.0 };
        assert_eq!(interval_probs(point, 0.0, 1.0, 0.0), [0.0, 1.0, 0.0]);
    }

    #[test]
    fn scores_of_a_reference() {
        let f = Normal { mean: 0.0, sd: 1.0 };
        let s = Scores::measured(f, 0.0);
        // CRPS of N(0,1) at its mean: 2φ(0) − 1/√π.
        let want = 2.0 / (2.0 * std::f64::consts::PI).sqrt() - 1.0 / std::f64::consts::PI.sqrt();
        assert!((s.crps.unwrap() - want).abs() < 1e-12);
        assert!((s.log_score.unwrap() - 0.918_938_533_204_672_7).abs() < 1e-12);
        assert_eq!(s.brier, None);
        let point = Scores::measured(Normal { mean: 1.0, sd: 0.0 }, 0.5);
        assert_eq!(point.crps, Some(0.5));
        assert_eq!(point.log_score, None, "a point forecast has no density");
        let c = Scores::categorical(&[0.2, 0.5, 0.3], 1);
        // Brier 0.04 + 0.25 + 0.09; RPS ((0.2)² + (0.7 − 1)²) / 2.
        close(c.brier.unwrap(), 0.38);
        close(c.rps.unwrap(), (0.04 + 0.09) / 2.0);
        close(c.log_score.unwrap(), -(0.5f64.ln()));
        assert_eq!(
            Scores::categorical(&[1.0, 0.0], 1).log_score,
            Some(f64::INFINITY)
        );
        // Observed quantity 2x − 1.
        let o = Normal { mean: 0.5, sd: 0.1 }.observed(-2.0, 1.0);
        close(o.mean, 0.0);
        close(o.sd, 0.2);
    }
}
