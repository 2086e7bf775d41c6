//! The numbers every chart is drawn from, in one plain table: per month and
//! series the mean and a set of quantiles, plus the regime shares. It is
//! filled either from the ensemble statistics of a run or from the result
//! files of an earlier run (`compare` reuses those), so a chart never
//! depends on where its numbers came from.

use super::EnsembleStats;
use crate::model::Model;

/// Quantile levels are matched with this tolerance (they come from TOML
/// floats and from CSV column names).
const LEVEL_EPS: f64 = 1e-9;

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub months: usize,
    /// Variables then drivers, as in [`Model::n_sources`].
    pub series: usize,
    /// Sorted quantile levels held; always includes the median (0.5).
    pub levels: Vec<f64>,
    pub runs: u64,
    /// months × series
    pub mean: Vec<f64>,
    /// months × series × levels
    pub quantiles: Vec<f64>,
    /// months × bands, when the model has regimes
    pub regimes: Option<Vec<f64>>,
}

/// The levels a chart table holds: the configured quantiles plus the median.
pub fn chart_levels(model: &Model) -> Vec<f64> {
    let mut levels = model.ensemble.quantiles.clone();
    if !levels.iter().any(|q| (q - 0.5).abs() < LEVEL_EPS) {
        levels.push(0.5);
    }
    levels.sort_by(f64::total_cmp);
    levels
}

impl Table {
    /// The table of a finished ensemble (or deterministic run).
    pub fn from_stats(model: &Model, stats: &EnsembleStats) -> Self {
        let levels = chart_levels(model);
        let (months, series) = (model.months(), model.n_sources());
        let mut mean = Vec::with_capacity(months * series);
        let mut quantiles = Vec::with_capacity(months * series * levels.len());
        let mut qv = Vec::with_capacity(levels.len());
        for t in 0..months {
            for s in 0..series {
                mean.push(stats.mean(t, s));
                stats.quantiles_into(t, s, &levels, &mut qv);
                quantiles.extend_from_slice(&qv);
            }
        }
        let regimes = model
            .regimes
            .as_ref()
            .map(|_| (0..months).flat_map(|t| stats.regime_shares(t)).collect());
        Table {
            months,
            series,
            levels,
            runs: stats.runs(),
            mean,
            quantiles,
            regimes,
        }
    }

    pub fn mean(&self, month: usize, series: usize) -> f64 {
        self.mean[month * self.series + series]
    }

    /// Index of quantile level `q` in [`Table::levels`], if held.
    pub fn level(&self, q: f64) -> Option<usize> {
        self.levels.iter().position(|l| (l - q).abs() < LEVEL_EPS)
    }

    pub fn quantile_at(&self, month: usize, series: usize, level: usize) -> f64 {
        self.quantiles[(month * self.series + series) * self.levels.len() + level]
    }

    /// The whole path of one quantile level of one series.
    pub fn quantile_path(&self, series: usize, level: usize) -> Vec<f64> {
        (0..self.months)
            .map(|t| self.quantile_at(t, series, level))
            .collect()
    }

    pub fn median_path(&self, series: usize) -> Vec<f64> {
        let m = self.level(0.5).unwrap_or(0);
        self.quantile_path(series, m)
    }

    pub fn mean_path(&self, series: usize) -> Vec<f64> {
        (0..self.months).map(|t| self.mean(t, series)).collect()
    }

    /// Symmetric quantile pairs (q, 1 − q) held, widest first, as index pairs
    /// into [`Table::levels`]: the bands a fan chart draws.
    pub fn band_pairs(&self) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        for (i, q) in self.levels.iter().enumerate() {
            if *q >= 0.5 - LEVEL_EPS {
                break;
            }
            if let Some(j) = self.level(1.0 - q) {
                pairs.push((i, j));
            }
        }
        pairs
    }

    /// Shares of each regime band at `month`.
    pub fn regime_shares(&self, month: usize) -> Option<&[f64]> {
        let r = self.regimes.as_ref()?;
        let nb = r.len() / self.months.max(1);
        Some(&r[month * nb..(month + 1) * nb])
    }
}
