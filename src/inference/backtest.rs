//! `geosim backtest`: would the model have forecast what happened next?
//!
//! For each forecast origin the model is conditioned (and, when asked,
//! calibrated) on the observations before the origin only; the particle
//! filter then carries the population past the origin, and the predictive
//! distribution of every held-out observation — every observation at or
//! after the origin — is read from the runs' values in its month, weighted
//! as the filter weighs them before that month's own observations count
//! (`FilterPlan::capture`). Each held-out observation is scored with
//! proper scores, and so are two reference forecasts built from the same
//! earlier observations ([`super::reference`]). docs/FORMAT.md
//! ("Backtests") states the definitions for users.
//!
//! The scores, by kind of observation:
//! - **measured** (value ± sd): the forecast of the observed quantity is
//!   the runs' values, mapped through `scale` and `offset`, each dressed
//!   with the measurement error N(0, sd²) — a Gaussian mixture, because
//!   what is observed is the true value plus that error. Log score and PIT
//!   are the mixture's own (closed form). The CRPS is the fair ensemble
//!   estimator over one draw from each mixture component (the run's value
//!   plus one seeded N(0, sd²) draw): unbiased for the mixture's CRPS,
//!   O(m log m) where the closed form for a mixture costs m² terms, and
//!   its Monte Carlo error (order sd/√m) is far below the differences a
//!   backtest is read for. in50 / in90: the PIT inside the central 50 % /
//!   90 % (`covers`).
//! - **interval** (lo, hi): three ordered outcomes, below / inside /
//!   above, with the probabilities the runs give them under the
//!   interval's own soft edge (the same smoothed box the likelihood uses,
//!   so P(inside) is the filter's likelihood of this observation); Brier,
//!   RPS and the log score of the observed outcome, inside. in50 / in90:
//!   whether the central 50 % / 90 % interval of the forecast overlaps
//!   [lo, hi] — a consistency check, not a coverage with a nominal rate,
//!   since the outcome is itself an interval.
//! - **band**: one outcome per band of the regime variable, in order, with
//!   probabilities under the observation's soft edge (renormalised);
//!   Brier, RPS and log score of the observed band; in50 / in90 as for an
//!   interval, against the band's edges. No PIT: an outcome known only up
//!   to a band has none without randomisation, and a randomised PIT would
//!   add noise to the uniformity test the measurements make exactly.
//!
//! The runs' weights are turned into an equal-weight sample of as many
//! values for the mixture scores by a systematic resample with a fixed
//! offset of ½ (no random numbers: the same weights give the same sample).

use rayon::prelude::*;

use super::likelihood::{Likelihood, Method};
use super::map::{Target, maximize};
use super::reference::{
    MIN_PAST, Normal, Scores, climatology_band, climatology_value, interval_probs, per_month,
    persistence_band, persistence_value,
};
use super::{Free, select};
use crate::engine::filter::{Captured, FilterPlan, Incompatible, filter};
use crate::engine::run_rng;
use crate::model::param::standard_normal;
use crate::model::{Evidence, Model, Observation};
use crate::stats::scores::{
    covers, crps_fair, log_score_mixture, pit_gaussian, pit_mixture, pit_uniformity, skill,
};

/// Starts of the MAP search when calibrating at an origin.
pub const CALIBRATION_STARTS: usize = 4;
/// Quantiles of the forecast fans drawn in `backtest.png`.
pub const FAN_QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];
/// Equal-width bins of the PIT uniformity test and histogram.
pub const PIT_BINS: usize = 10;
/// Salt of the measurement-error draws of the CRPS, so they never share a
/// stream with the runs.
const NOISE_SALT: u64 = 0x00BA_C47E_5700_C125;

/// What an observation says, as a backtest scores it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Measured,
    Interval,
    Band,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Measured, Kind::Interval, Kind::Band];

    /// As scores.csv and summary.json name it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Measured => "measured",
            Kind::Interval => "interval",
            Kind::Band => "band",
        }
    }

    pub fn of(o: &Observation) -> Kind {
        match (&o.evidence, o.band) {
            (Evidence::Measured { .. }, _) => Kind::Measured,
            (Evidence::Interval { .. }, None) => Kind::Interval,
            (Evidence::Interval { .. }, Some(_)) => Kind::Band,
        }
    }
}

/// What to backtest.
#[derive(Clone, Debug)]
pub struct Plan<'a> {
    /// Origins as month indices, ascending; each must have a held-out
    /// observation (the caller checks, with messages in its own terms).
    pub origins: Vec<usize>,
    pub runs: u64,
    pub seed: u64,
    /// Runs of the filter likelihood while calibrating (fewer than `runs`
    /// suffice: the search only compares nearby values).
    pub particles: u64,
    /// Calibrate the parameters these globs select (all uncertain ones
    /// when empty) at every origin before forecasting; `None`: do not.
    pub calibrate: Option<&'a [String]>,
}

/// One held-out observation scored at one origin. Scores that do not apply
/// to the kind are `None`.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Origin month index.
    pub origin: usize,
    /// Index of the observation in `model.observations`.
    pub obs: usize,
    pub kind: Kind,
    /// Months from the last month before the origin (1 at the origin).
    pub ahead: usize,
    pub crps: Option<f64>,
    pub log_score: Option<f64>,
    pub in50: Option<bool>,
    pub in90: Option<bool>,
    pub brier: Option<f64>,
    pub rps: Option<f64>,
    pub pit: Option<f64>,
    /// The forecast probabilities of the ordered outcomes (intervals:
    /// below, inside, above; bands: one per band) and which happened.
    pub probs: Vec<f64>,
    pub observed: usize,
    pub persistence: Option<Scores>,
    pub climatology: Option<Scores>,
}

/// The calibrated values at one origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    pub method: String,
    /// (parameter path, estimate), in model order.
    pub estimates: Vec<(String, f64)>,
    pub log_posterior: f64,
    /// Starts of the search that ended at a clearly worse optimum.
    pub other_optima: usize,
}

/// What happened at one origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    pub month: usize,
    /// Observations the forecast was conditioned on (those before it).
    pub conditioned_on: usize,
    pub held_out: usize,
    /// The filter's log evidence of the earlier observations (0 without).
    pub log_evidence: f64,
    pub calibration: Option<Calibration>,
}

/// The forecast of one series from the last origin: weighted quantiles
/// ([`FAN_QUANTILES`]) of the runs' values in the series' units, one per
/// month from the origin to the last observation.
#[derive(Clone, Debug, PartialEq)]
pub struct Fan {
    pub series: usize,
    pub first: usize,
    pub quantiles: Vec<[f64; 5]>,
}

/// A whole backtest.
#[derive(Clone, Debug, PartialEq)]
pub struct Backtest {
    pub origins: Vec<Origin>,
    /// By origin, then in the model's observation order.
    pub rows: Vec<Row>,
    /// From the last origin, one per observed series, in series order.
    pub fans: Vec<Fan>,
}

/// Why a backtest could not be made.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// No run fits an observation before `origin`.
    Incompatible { origin: usize, why: Incompatible },
    /// The calibration request does not fit the scenario.
    Calibration { origin: usize, message: String },
}

/// The scenario with only the observations before `origin`.
pub fn before(model: &Model, origin: usize) -> Model {
    let mut m = model.clone();
    m.observations.retain(|o| o.month < origin);
    m
}

/// Every series with an observation (a band's is the regime variable),
/// ascending.
pub fn observed_series(model: &Model) -> Vec<usize> {
    let mut s: Vec<usize> = model.observations.iter().map(|o| o.series.0).collect();
    s.sort_unstable();
    s.dedup();
    s
}

/// Runs the backtest `plan` on the current rayon pool. The results depend
/// only on the model and the plan, never on the threads.
pub fn backtest(model: &Model, plan: &Plan<'_>) -> Result<Backtest, Failure> {
    let mut origins = Vec::with_capacity(plan.origins.len());
    let mut rows = Vec::new();
    let mut fans = Vec::new();
    let last_obs = model.observations.iter().map(|o| o.month).max();
    let series = observed_series(model);
    for (k, &origin) in plan.origins.iter().enumerate() {
        let conditioning = before(model, origin);
        let calibration = match plan.calibrate {
            Some(globs) => Some(
                calibrate(&conditioning, globs, plan)
                    .map_err(|message| Failure::Calibration { origin, message })?,
            ),
            None => None,
        };
        let fixed: Vec<(crate::model::ParamId, f64)> = match &calibration {
            Some((free, c)) => free
                .iter()
                .zip(&c.estimates)
                .map(|(f, (_, x))| (f.id, *x))
                .collect(),
            None => Vec::new(),
        };
        let held: Vec<usize> = (0..model.observations.len())
            .filter(|&i| model.observations[i].month >= origin)
            .collect();
        let mut captures: Vec<(usize, usize)> = held
            .iter()
            .map(|&i| {
                let o = &model.observations[i];
                (o.month, o.series.0)
            })
            .collect();
        let last_origin = k + 1 == plan.origins.len();
        if last_origin && let Some(end) = last_obs {
            for t in origin..=end {
                captures.extend(series.iter().map(|&s| (t, s)));
            }
        }
        captures.sort_unstable();
        captures.dedup();
        let out = filter(
            &conditioning,
            &FilterPlan {
                runs: plan.runs,
                seed: plan.seed,
                fixed: &fixed,
                statistics: false,
                capture: &captures,
            },
        )
        .map_err(|why| Failure::Incompatible { origin, why })?;
        let captured = |month: usize, s: usize| -> &Captured {
            let at = captures
                .binary_search(&(month, s))
                .expect("every held-out month and series was captured");
            &out.captured[at]
        };
        // Each row draws from its own stream, so scoring them in parallel
        // gives the same rows in the same order on any pool.
        let scored: Vec<Row> = held
            .par_iter()
            .map(|&i| {
                let o = &model.observations[i];
                let c = captured(o.month, o.series.0);
                let salt = (origin as u64) << 32 | i as u64;
                let mut row = score(model, o, c, run_rng(plan.seed ^ NOISE_SALT, salt));
                row.origin = origin;
                row.obs = i;
                row.ahead = o.month + 1 - origin;
                row.persistence = references(model, o, origin, true);
                row.climatology = references(model, o, origin, false);
                row
            })
            .collect();
        rows.extend(scored);
        if last_origin && let Some(end) = last_obs {
            fans = series
                .iter()
                .map(|&s| Fan {
                    series: s,
                    first: origin,
                    quantiles: (origin..=end)
                        .map(|t| {
                            let c = captured(t, s);
                            let q = weighted_quantiles(&c.values, &c.weights, &FAN_QUANTILES);
                            [q[0], q[1], q[2], q[3], q[4]]
                        })
                        .collect(),
                })
                .collect();
        }
        origins.push(Origin {
            month: origin,
            conditioned_on: conditioning.observations.len(),
            held_out: held.len(),
            log_evidence: out.conditioning.log_evidence,
            calibration: calibration.map(|(_, c)| c),
        });
    }
    Ok(Backtest {
        origins,
        rows,
        fans,
    })
}

/// MAP estimates of the parameters `globs` select, from the observations
/// of `model` (already cut at the origin), with the scenario's
/// distributions as priors.
fn calibrate(
    model: &Model,
    globs: &[String],
    plan: &Plan<'_>,
) -> Result<(Vec<Free>, Calibration), String> {
    let free = select(model, globs)?;
    let method = Method::for_model(model, plan.particles, plan.seed);
    let lik = Likelihood::new(model, &free, method);
    let target = Target::new(&free, &lik);
    let fit = maximize(&target, CALIBRATION_STARTS, plan.seed);
    let calibration = Calibration {
        method: method.describe(),
        estimates: free
            .iter()
            .zip(&fit.best.x)
            .map(|(f, x)| (f.path.clone(), *x))
            .collect(),
        log_posterior: fit.best.log_posterior,
        other_optima: fit.other_optima,
    };
    Ok((free, calibration))
}

/// The equal-weight sample of `values.len()` values a systematic resample
/// with offset ½ makes of weighted `values`: value i copied
/// round(m·W_i) − round(m·W_{i−1}) times, W the cumulative weights.
pub fn equal_weight(values: &[f64], weights: &[f64]) -> Vec<f64> {
    let m = values.len();
    let total: f64 = weights.iter().sum();
    let mut out = Vec::with_capacity(m);
    let mut cum = 0.0;
    let mut taken = 0usize;
    for (v, w) in values.iter().zip(weights) {
        cum += w / total;
        let upto = ((cum * m as f64 + 0.5).floor() as usize).min(m);
        while taken < upto {
            out.push(*v);
            taken += 1;
        }
    }
    // Rounding may leave the last copy out; it belongs to the last value
    // with weight.
    if let Some(last) = values.iter().zip(weights).rev().find(|(_, w)| **w > 0.0) {
        out.resize(m, *last.0);
    }
    out
}

/// Quantiles `qs` of weighted `values`: for each q the smallest value whose
/// cumulative weight reaches q of the total.
pub fn weighted_quantiles(values: &[f64], weights: &[f64], qs: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let total: f64 = weights.iter().sum();
    qs.iter()
        .map(|&q| {
            let mut cum = 0.0;
            for &i in &order {
                cum += weights[i];
                if cum >= q * total {
                    return values[i];
                }
            }
            order.last().map_or(f64::NAN, |&i| values[i])
        })
        .collect()
}

/// Φ((x − edge)/s), the share of a run at `x` above a soft `edge`
/// (0 or 1, ½ on it, when the edge is hard); infinite edges give 0 or 1.
fn above(x: f64, edge: f64, s: f64) -> f64 {
    if edge == f64::NEG_INFINITY {
        1.0
    } else if edge == f64::INFINITY {
        0.0
    } else {
        pit_gaussian(edge, s, x)
    }
}

/// Whether the central `level` interval of the weighted quantity overlaps
/// [lo, hi].
fn overlaps(ys: &[f64], w: &[f64], level: f64, (lo, hi): (f64, f64)) -> bool {
    let q = weighted_quantiles(ys, w, &[(1.0 - level) / 2.0, (1.0 + level) / 2.0]);
    q[0] <= hi && q[1] >= lo
}

/// The model's scores for observation `o` from the captured runs `c`; the
/// caller fills in the origin and references.
fn score(model: &Model, o: &Observation, c: &Captured, mut rng: impl rand::Rng) -> Row {
    let ys: Vec<f64> = c.values.iter().map(|&x| o.measured(x)).collect();
    let w = &c.weights;
    let mut row = Row {
        origin: 0,
        obs: 0,
        kind: Kind::of(o),
        ahead: 0,
        crps: None,
        log_score: None,
        in50: None,
        in90: None,
        brier: None,
        rps: None,
        pit: None,
        probs: Vec::new(),
        observed: 0,
        persistence: None,
        climatology: None,
    };
    let finite = |x: f64| (!x.is_nan()).then_some(x);
    match (&o.evidence, o.band) {
        (&Evidence::Measured { value, sd }, _) => {
            let centers = equal_weight(&ys, w);
            let mut draws: Vec<f64> = centers
                .iter()
                .map(|&c| c + sd * standard_normal(&mut rng))
                .collect();
            let pit = pit_mixture(&centers, sd, value);
            row.crps = finite(crps_fair(&mut draws, value));
            row.log_score = finite(log_score_mixture(&centers, sd, value));
            row.pit = finite(pit);
            row.in50 = Some(covers(pit, 0.5));
            row.in90 = Some(covers(pit, 0.9));
        }
        (&Evidence::Interval { lo, hi, softness }, None) => {
            let mut p = [0.0; 3];
            for (y, wi) in ys.iter().zip(w) {
                let below = 1.0 - above(*y, lo, softness);
                let over = above(*y, hi, softness);
                p[0] += wi * below;
                p[2] += wi * over;
            }
            p[1] = (1.0 - p[0] - p[2]).max(0.0);
            row.probs = p.to_vec();
            row.observed = 1;
            categorical(&mut row, ys.as_slice(), w, (lo, hi));
        }
        (&Evidence::Interval { softness, .. }, Some(k)) => {
            let bands = &model
                .regimes
                .as_ref()
                .expect("a band observation has regimes")
                .bands;
            let mut p = vec![0.0; bands.len()];
            for (y, wi) in ys.iter().zip(w) {
                for (j, b) in bands.iter().enumerate() {
                    p[j] += wi * (above(*y, b.lo, softness) - above(*y, b.hi, softness)).max(0.0);
                }
            }
            let total: f64 = p.iter().sum();
            if total > 0.0 {
                p.iter_mut().for_each(|x| *x /= total);
            }
            row.probs = p;
            row.observed = k;
            categorical(&mut row, &ys, w, (bands[k].lo, bands[k].hi));
        }
    }
    row
}

/// Brier, RPS, log score and the overlap checks of a categorical row.
fn categorical(row: &mut Row, ys: &[f64], w: &[f64], edges: (f64, f64)) {
    let s = Scores::categorical(&row.probs, row.observed);
    row.brier = s.brier;
    row.rps = s.rps;
    row.log_score = s.log_score;
    row.in50 = Some(overlaps(ys, w, 0.5, edges));
    row.in90 = Some(overlaps(ys, w, 0.9, edges));
}

/// The scores of the persistence (`persistence`) or climatology reference
/// for observation `o` at `origin`; `None` when it has fewer than
/// [`MIN_PAST`] earlier observations to go on.
pub fn references(
    model: &Model,
    o: &Observation,
    origin: usize,
    persistence: bool,
) -> Option<Scores> {
    let earlier = model.observations.iter().filter(|p| p.month < origin);
    if let Some(k) = o.band {
        let bands = model.regimes.as_ref()?.bands.len();
        let past: Vec<usize> = earlier.filter_map(|p| p.band).collect();
        let probs = if persistence {
            persistence_band(&past, bands)
        } else {
            climatology_band(&past, bands)
        }?;
        return Some(Scores::categorical(&probs, k));
    }
    let values: Vec<(usize, f64)> = earlier
        .filter(|p| p.series == o.series && p.band.is_none())
        .filter_map(|p| {
            let y = match p.evidence {
                Evidence::Measured { value, .. } => value,
                Evidence::Interval { lo, hi, .. } if lo.is_finite() && hi.is_finite() => {
                    (lo + hi) / 2.0
                }
                Evidence::Interval { .. } => return None,
            };
            Some((p.month, (y - p.offset) / p.scale))
        })
        .collect();
    let past = per_month(&values);
    if past.len() < MIN_PAST {
        return None;
    }
    let f: Normal = if persistence {
        persistence_value(&past, o.month)?
    } else {
        climatology_value(&past)?
    }
    .observed(o.scale, o.offset);
    Some(match o.evidence {
        Evidence::Measured { value, .. } => Scores::measured(f, value),
        Evidence::Interval { lo, hi, softness } => {
            Scores::categorical(&interval_probs(f, lo, hi, softness), 1)
        }
    })
}

/// Mean of the values that are present.
fn mean(xs: impl Iterator<Item = Option<f64>>) -> (Option<f64>, usize) {
    let (mut sum, mut n) = (0.0, 0usize);
    for x in xs.flatten() {
        sum += x;
        n += 1;
    }
    ((n > 0).then(|| sum / n as f64), n)
}

/// The share of rows where a check held.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Rate {
    pub hits: usize,
    pub count: usize,
}

impl Rate {
    pub fn rate(self) -> Option<f64> {
        (self.count > 0).then(|| self.hits as f64 / self.count as f64)
    }
}

/// The model against one reference on the rows where both are scored.
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct Skill {
    /// Rows where the reference is defined.
    pub rows: usize,
    /// 1 − mean model score / mean reference score, over those rows.
    pub crps: Option<f64>,
    pub brier: Option<f64>,
    pub rps: Option<f64>,
    /// Mean reference log score − mean model log score, in nats per
    /// observation: positive when the model gives what happened more
    /// density (a ratio means nothing for a score that can be negative).
    pub log_score_gain: Option<f64>,
}

/// Scores of one kind of observation, averaged.
#[derive(Clone, Debug, PartialEq)]
pub struct KindSummary {
    pub kind: Kind,
    pub rows: usize,
    pub crps: Option<f64>,
    pub log_score: Option<f64>,
    pub brier: Option<f64>,
    pub rps: Option<f64>,
    pub in50: Rate,
    pub in90: Rate,
    /// Rows whose outcome the forecast gave probability 0 (infinite log
    /// score, which makes the mean infinite): a hard interval or band no
    /// run reached.
    pub impossible: usize,
    pub persistence: Skill,
    pub climatology: Skill,
}

/// The per-kind summaries of `rows` (kinds without rows are left out).
pub fn summarize(rows: &[Row]) -> Vec<KindSummary> {
    Kind::ALL
        .iter()
        .filter_map(|&kind| {
            let of: Vec<&Row> = rows.iter().filter(|r| r.kind == kind).collect();
            if of.is_empty() {
                return None;
            }
            let rate = |f: fn(&Row) -> Option<bool>| Rate {
                hits: of.iter().filter(|r| f(r) == Some(true)).count(),
                count: of.iter().filter(|r| f(r).is_some()).count(),
            };
            Some(KindSummary {
                kind,
                rows: of.len(),
                crps: mean(of.iter().map(|r| r.crps)).0,
                log_score: mean(of.iter().map(|r| r.log_score)).0,
                brier: mean(of.iter().map(|r| r.brier)).0,
                rps: mean(of.iter().map(|r| r.rps)).0,
                in50: rate(|r| r.in50),
                in90: rate(|r| r.in90),
                impossible: of
                    .iter()
                    .filter(|r| r.log_score == Some(f64::INFINITY))
                    .count(),
                persistence: skill_of(&of, |r| r.persistence),
                climatology: skill_of(&of, |r| r.climatology),
            })
        })
        .collect()
}

fn skill_of(rows: &[&Row], reference: fn(&Row) -> Option<Scores>) -> Skill {
    let with: Vec<(&Row, Scores)> = rows
        .iter()
        .filter_map(|r| reference(r).map(|s| (*r, s)))
        .collect();
    let ratio = |model: fn(&Row) -> Option<f64>, refr: fn(&Scores) -> Option<f64>| {
        let pairs: Vec<(f64, f64)> = with
            .iter()
            .filter_map(|(r, s)| Some((model(r)?, refr(s)?)))
            .collect();
        if pairs.is_empty() {
            return None;
        }
        let n = pairs.len() as f64;
        let m = pairs.iter().map(|p| p.0).sum::<f64>() / n;
        let r = pairs.iter().map(|p| p.1).sum::<f64>() / n;
        let s = skill(m, r);
        s.is_finite().then_some(s)
    };
    let gain = {
        let pairs: Vec<(f64, f64)> = with
            .iter()
            .filter_map(|(r, s)| Some((r.log_score?, s.log_score?)))
            .filter(|(a, b)| a.is_finite() && b.is_finite())
            .collect();
        (!pairs.is_empty())
            .then(|| pairs.iter().map(|(m, r)| r - m).sum::<f64>() / pairs.len() as f64)
    };
    Skill {
        rows: with.len(),
        crps: ratio(|r| r.crps, |s| s.crps),
        brier: ratio(|r| r.brier, |s| s.brier),
        rps: ratio(|r| r.rps, |s| s.rps),
        log_score_gain: gain,
    }
}

/// The PIT values of the rows that have one, in row order.
pub fn pits(rows: &[Row]) -> Vec<f64> {
    rows.iter().filter_map(|r| r.pit).collect()
}

/// The PIT uniformity test of the rows (see `pit_uniformity`).
pub fn uniformity(rows: &[Row]) -> crate::stats::scores::Uniformity {
    pit_uniformity(&pits(rows), PIT_BINS)
}

/// Pairs (forecast probability, happened?) of every outcome of every
/// interval and band row: what a reliability diagram bins.
pub fn probability_pairs(rows: &[Row]) -> Vec<(f64, bool)> {
    rows.iter()
        .flat_map(|r| {
            r.probs
                .iter()
                .enumerate()
                .map(move |(k, p)| (*p, k == r.observed))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_weight_copies_by_weight() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(equal_weight(&v, &[0.25; 4]), v.to_vec());
        assert_eq!(
            equal_weight(&v, &[0.5, 0.0, 0.5, 0.0]),
            vec![1.0, 1.0, 3.0, 3.0]
        );
        assert_eq!(equal_weight(&v, &[0.0, 0.0, 0.0, 1.0]), vec![4.0; 4]);
        // Unnormalised weights are normalised.
        assert_eq!(
            equal_weight(&v, &[2.0, 2.0, 0.0, 0.0]),
            vec![1.0, 1.0, 2.0, 2.0]
        );
    }

    fn observation(evidence: Evidence) -> Observation {
        Observation {
            label: "o".into(),
            date: crate::model::YearMonth::parse("2020-02").unwrap(),
            month: 1,
            series: crate::model::SourceId(0),
            band: None,
            evidence,
            scale: 1.0,
            offset: 0.0,
            source: None,
        }
    }

    fn model() -> Model {
        crate::scenario::load_text(
            "m.toml",
            "name = \"m\"\n[time]\nstart = \"2020-01\"\nend = \"2020-12\"\n[variables.x]\ninitial = 0.0\nrate = 0.5\n",
            &[],
        )
        .unwrap()
        .model
    }

    #[test]
    fn an_interval_is_scored_as_three_ordered_outcomes() {
        let c = Captured {
            values: vec![0.0, 0.5, 1.0],
            weights: vec![0.2, 0.5, 0.3],
        };
        let o = observation(Evidence::Interval {
            lo: 0.25,
            hi: 0.75,
            softness: 0.0,
        });
        let r = score(&model(), &o, &c, run_rng(1, 0));
        assert_eq!(r.kind, Kind::Interval);
        assert_eq!(r.probs, vec![0.2, 0.5, 0.3]);
        assert_eq!(r.observed, 1);
        assert!((r.brier.unwrap() - 0.38).abs() < 1e-12);
        // Cumulative 0.2 | 0.7 against observed 0 | 1.
        assert!((r.rps.unwrap() - (0.04 + 0.09) / 2.0).abs() < 1e-12);
        assert!((r.log_score.unwrap() + 0.5f64.ln()).abs() < 1e-12);
        // Central 50 %: 0.5 … 1.0, which overlaps [0.25, 0.75].
        assert_eq!((r.in50, r.in90), (Some(true), Some(true)));
        assert_eq!((r.crps, r.pit), (None, None));
        // Between the runs, below the central half (0.5 … 1.0) but inside
        // the central 90 % (0 … 1).
        let gap = observation(Evidence::Interval {
            lo: 0.05,
            hi: 0.45,
            softness: 0.0,
        });
        let r = score(&model(), &gap, &c, run_rng(1, 0));
        assert_eq!((r.in50, r.in90), (Some(false), Some(true)));
        assert_eq!(r.probs, vec![0.2, 0.0, 0.8]);
        assert_eq!(r.log_score, Some(f64::INFINITY), "no run gave it a chance");
    }

    #[test]
    fn a_measurement_is_scored_against_the_dressed_mixture() {
        // Two runs, equally weighted, at ±1, observed with sd 1.
        let c = Captured {
            values: vec![-1.0, 1.0],
            weights: vec![0.5, 0.5],
        };
        let o = observation(Evidence::Measured {
            value: 0.0,
            sd: 1.0,
        });
        let r = score(&model(), &o, &c, run_rng(1, 0));
        assert!(
            (r.pit.unwrap() - 0.5).abs() < 1e-12,
            "symmetric: the median"
        );
        assert_eq!((r.in50, r.in90), (Some(true), Some(true)));
        // Mixture density at 0: φ(1) = 0.2420.
        let want = -(0.241_970_724_519_143_37f64).ln();
        assert!((r.log_score.unwrap() - want).abs() < 1e-12);
        // Many runs at one value: the mixture is N(0, 1) itself, and the
        // fair estimator over its draws comes close to the closed form
        // (Monte Carlo error about 0.6/√2000 ≈ 0.013).
        let c = Captured {
            values: vec![0.0; 2000],
            weights: vec![1.0 / 2000.0; 2000],
        };
        let o = observation(Evidence::Measured {
            value: 0.5,
            sd: 1.0,
        });
        let r = score(&model(), &o, &c, run_rng(1, 0));
        let exact = crate::stats::scores::crps_gaussian(0.0, 1.0, 0.5);
        assert!(
            (r.crps.unwrap() - exact).abs() < 0.04,
            "{:?} vs {exact}",
            r.crps
        );
        let o = observation(Evidence::Measured {
            value: 0.0,
            sd: 1.0,
        });
        // All the weight on the run at +1: the observed 0 sits at Φ(−1).
        let c = Captured {
            values: vec![-1.0, 1.0],
            weights: vec![0.0, 1.0],
        };
        let r = score(&model(), &o, &c, run_rng(1, 0));
        assert!((r.pit.unwrap() - 0.158_655_253_931_457).abs() < 1e-9);
        assert_eq!((r.in50, r.in90), (Some(false), Some(true)));
    }

    #[test]
    fn weighted_quantiles_follow_the_cumulative_weight() {
        let v = [3.0, 1.0, 2.0];
        let w = [0.2, 0.5, 0.3];
        // Sorted 1 (0.5), 2 (0.8), 3 (1.0).
        assert_eq!(
            weighted_quantiles(&v, &w, &[0.1, 0.5, 0.6, 0.81, 1.0]),
            vec![1.0, 1.0, 2.0, 3.0, 3.0]
        );
    }

    #[test]
    fn skill_compares_means_on_shared_rows_and_log_scores_by_difference() {
        let row = |crps: f64, reference: Option<(f64, f64)>| Row {
            origin: 0,
            obs: 0,
            kind: Kind::Measured,
            ahead: 1,
            crps: Some(crps),
            log_score: Some(crps),
            in50: Some(true),
            in90: Some(false),
            brier: None,
            rps: None,
            pit: Some(0.5),
            probs: Vec::new(),
            observed: 0,
            persistence: reference.map(|(c, l)| Scores {
                crps: Some(c),
                log_score: Some(l),
                ..Scores::default()
            }),
            climatology: None,
        };
        // The third row has no reference: it counts for the model's mean
        // but not for skill.
        let rows = [
            row(1.0, Some((2.0, 0.5))),
            row(2.0, Some((2.0, 3.5))),
            row(9.0, None),
        ];
        let s = &summarize(&rows)[0];
        assert_eq!(s.rows, 3);
        assert_eq!(s.crps, Some(4.0));
        assert_eq!(s.in50, Rate { hits: 3, count: 3 });
        assert_eq!(s.in90.rate(), Some(0.0));
        assert_eq!(s.persistence.rows, 2);
        assert_eq!(s.persistence.crps, Some(1.0 - 1.5 / 2.0));
        assert_eq!(
            s.persistence.log_score_gain,
            Some((0.5 - 1.0 + 3.5 - 2.0) / 2.0)
        );
        assert_eq!(s.climatology, Skill::default());
    }
}
