//! Profiles: for each calibrated parameter, the highest log posterior
//! reachable with that parameter held at each value of a grid, the others
//! re-optimised. A profile that falls steeply on both sides of the
//! estimate means the record pins the parameter down; a flat one, or one
//! that follows the prior, means it does not, whatever the point estimate
//! says. The likelihood at each profile point is kept beside the
//! posterior, so the two can be told apart.

use rayon::prelude::*;

use super::coordinates;
use super::map::{Estimate, Fit, PROFILE, Target, optimize};

/// Half the 90 % quantile of χ² with one degree of freedom: a profile
/// interval at 90 % holds the values whose profile lies within this of its
/// maximum (Wilks).
pub const DROP_90: f64 = 1.352_771_727_047_702;

/// One point of a profile.
#[derive(Clone, Debug, PartialEq)]
pub struct ProfilePoint {
    /// The profiled parameter's value.
    pub value: f64,
    /// The best log posterior with the parameter at `value`.
    pub log_posterior: f64,
    /// The log likelihood at that best point.
    pub log_likelihood: f64,
    /// The other parameters' values there.
    pub others: Vec<f64>,
}

/// The profile of one parameter, points in increasing value.
#[derive(Clone, Debug)]
pub struct Profile {
    /// Index of the parameter among the calibrated ones.
    pub param: usize,
    pub points: Vec<ProfilePoint>,
}

/// A profile interval: its ends, and whether each end is where the
/// profile crossed the threshold (`false`: the profile stayed above it up
/// to the end of the scanned range, so the record and prior leave that
/// side open).
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
    pub lo_closed: bool,
    pub hi_closed: bool,
}

/// The profile of every calibrated parameter on `grid` values spanning
/// its prior's 99.8 % interval (and the estimate itself). Each parameter's
/// profile is walked outward from the estimate in both directions, every
/// point re-optimised from its inner neighbour's optimum (close to its own,
/// so a short search suffices); the 2k walks run in parallel, each in a
/// fixed order, so the result does not depend on the thread count.
pub fn profiles(target: &Target<'_>, fit: &Fit, grid: usize) -> Vec<Profile> {
    let free = target.free;
    let k = free.len();
    let z_best = coordinates(free, &fit.best.x);
    // (parameter, values in walking order): below the estimate descending,
    // then the estimate and above ascending.
    let walks: Vec<(usize, Vec<f64>)> = (0..k)
        .flat_map(|j| {
            let (lo, hi) = free[j].prior.scan_range();
            let n = grid.max(2);
            let grid: Vec<f64> = (0..n)
                .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
                .collect();
            let at = fit.best.x[j];
            let mut down: Vec<f64> = grid.iter().copied().filter(|v| *v < at).collect();
            down.reverse();
            let mut up = vec![at];
            up.extend(grid.iter().copied().filter(|v| *v > at));
            [(j, down), (j, up)]
        })
        .collect();
    let walked: Vec<(usize, Vec<ProfilePoint>)> = walks
        .par_iter()
        .map(|(j, values)| {
            let j = *j;
            let moving: Vec<usize> = (0..k).filter(|&i| i != j).collect();
            let mut z = z_best.clone();
            let points = values
                .iter()
                .map(|&v| {
                    z[j] = free[j].prior.to_free(v);
                    let e: Estimate = optimize(target, &z, &moving, PROFILE);
                    z = coordinates(free, &e.x);
                    ProfilePoint {
                        value: e.x[j],
                        log_posterior: e.log_posterior,
                        log_likelihood: e.log_likelihood,
                        others: moving.iter().map(|&i| e.x[i]).collect(),
                    }
                })
                .collect();
            (j, points)
        })
        .collect();
    (0..k)
        .map(|j| {
            let mut points: Vec<ProfilePoint> = walked
                .iter()
                .filter(|(i, _)| *i == j)
                .flat_map(|(_, p)| p.iter().cloned())
                .collect();
            points.sort_by(|a, b| a.value.total_cmp(&b.value));
            Profile { param: j, points }
        })
        .collect()
}

impl Profile {
    /// The highest log posterior on the profile (or `at_least`, the
    /// estimate's, if a re-optimised point fell short of it).
    pub fn top(&self, at_least: f64) -> f64 {
        self.points
            .iter()
            .map(|p| p.log_posterior)
            .fold(at_least, f64::max)
    }

    /// The values whose profile lies within `drop` of the top, where the
    /// profile crosses that level (linearly between grid points).
    pub fn interval(&self, at_least: f64, drop: f64) -> Interval {
        let level = self.top(at_least) - drop;
        let pts = &self.points;
        let best = pts
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.log_posterior.total_cmp(&b.1.log_posterior))
            .map_or(0, |(i, _)| i);
        let cross = |a: &ProfilePoint, b: &ProfilePoint| {
            let (fa, fb) = (a.log_posterior, b.log_posterior);
            if !(fa.is_finite() && fb.is_finite()) || fa == fb {
                return if fa.is_finite() { a.value } else { b.value };
            }
            a.value + (level - fa) / (fb - fa) * (b.value - a.value)
        };
        let (mut lo, mut lo_closed) = (pts.first().map_or(f64::NAN, |p| p.value), false);
        for i in (0..best).rev() {
            if pts[i].log_posterior < level {
                lo = cross(&pts[i], &pts[i + 1]);
                lo_closed = true;
                break;
            }
        }
        let (mut hi, mut hi_closed) = (pts.last().map_or(f64::NAN, |p| p.value), false);
        for i in best + 1..pts.len() {
            if pts[i].log_posterior < level {
                hi = cross(&pts[i - 1], &pts[i]);
                hi_closed = true;
                break;
            }
        }
        Interval {
            lo,
            hi,
            lo_closed,
            hi_closed,
        }
    }

    /// How much the likelihood varies along the profile: the record says
    /// little about a parameter when this stays below [`DROP_90`].
    pub fn likelihood_range(&self) -> f64 {
        let ll: Vec<f64> = self
            .points
            .iter()
            .map(|p| p.log_likelihood)
            .filter(|l| l.is_finite())
            .collect();
        let top = ll.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let bottom = ll.iter().copied().fold(f64::INFINITY, f64::min);
        if ll.is_empty() { 0.0 } else { top - bottom }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(values: &[(f64, f64)]) -> Profile {
        Profile {
            param: 0,
            points: values
                .iter()
                .map(|&(v, lp)| ProfilePoint {
                    value: v,
                    log_posterior: lp,
                    log_likelihood: lp,
                    others: vec![],
                })
                .collect(),
        }
    }

    #[test]
    fn a_quadratic_profile_gives_the_normal_interval() {
        // log posterior −(x − 1)²/(2·0.5²): the 90 % interval is 1 ± 1.645 · 0.5.
        let pts: Vec<(f64, f64)> = (0..=400)
            .map(|i| {
                let x = -2.0 + 0.01 * i as f64;
                (x, -(x - 1.0).powi(2) / (2.0 * 0.25))
            })
            .collect();
        let iv = profile(&pts).interval(f64::NEG_INFINITY, DROP_90);
        assert!(iv.lo_closed && iv.hi_closed);
        assert!((iv.lo - (1.0 - 1.644_854 * 0.5)).abs() < 1e-3, "{iv:?}");
        assert!((iv.hi - (1.0 + 1.644_854 * 0.5)).abs() < 1e-3, "{iv:?}");
    }

    #[test]
    fn a_profile_that_never_falls_leaves_its_side_open() {
        // Rises to the right end: the upper side is open at the scan's end.
        let pts: Vec<(f64, f64)> = (0..=10).map(|i| (i as f64, 0.5 * i as f64)).collect();
        let iv = profile(&pts).interval(f64::NEG_INFINITY, DROP_90);
        assert!(iv.lo_closed && !iv.hi_closed, "{iv:?}");
        assert_eq!(iv.hi, 10.0);
        // 5 − 1.3528 = 3.647 lies between x = 7 (3.5) and x = 8 (4.0).
        assert!(
            (iv.lo - (7.0 + (3.647_228 - 3.5) / 0.5)).abs() < 1e-5,
            "{iv:?}"
        );
        let flat = profile(&[(0.0, -1.0), (1.0, -1.0), (2.0, -1.0)]);
        assert_eq!(flat.likelihood_range(), 0.0);
        let iv = flat.interval(f64::NEG_INFINITY, DROP_90);
        assert!(!iv.lo_closed && !iv.hi_closed);
    }
}
