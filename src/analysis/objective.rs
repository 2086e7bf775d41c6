//! A function of k inputs in [0, 1] evaluated in batches over threads. The
//! sensitivity methods only see this trait, so they are tested on analytic
//! functions and run on scenarios alike.

use rayon::prelude::*;

use super::evaluate::{Evaluator, Override, Plan};
use super::metric::Metric;
use super::params::ParamRange;
use crate::model::Model;

pub trait Objective: Sync {
    /// Number of inputs.
    fn k(&self) -> usize;
    /// Values at `points` (row-major, k per point), in order.
    fn eval_batch(&self, points: &[f64]) -> Vec<f64>;
}

/// An analytic function, for tests and benchmarks of the methods.
pub struct FnObjective<F: Fn(&[f64]) -> f64 + Sync> {
    pub k: usize,
    pub f: F,
}

impl<F: Fn(&[f64]) -> f64 + Sync> Objective for FnObjective<F> {
    fn k(&self) -> usize {
        self.k
    }
    fn eval_batch(&self, points: &[f64]) -> Vec<f64> {
        points.par_chunks(self.k).map(|p| (self.f)(p)).collect()
    }
}

/// A scenario's metric as a function of the selected parameters: each
/// input in [0, 1] maps onto its parameter's range, and the metric is
/// evaluated under the plan ([`Evaluator`]): the deterministic run (the
/// other parameters at their central values), or the mean over runs that
/// share their random numbers across evaluations.
pub struct ModelObjective<'a> {
    pub metric: Metric,
    pub params: Vec<ParamRange>,
    evaluator: Evaluator<'a>,
}

impl<'a> ModelObjective<'a> {
    /// Every parameter range must hold only allowed values; the error
    /// names the first that does not.
    pub fn new(
        model: &'a Model,
        metric: Metric,
        params: Vec<ParamRange>,
        plan: Plan,
    ) -> Result<Self, String> {
        let overrides: Vec<Override> = params
            .iter()
            .map(|p| Override {
                id: p.id,
                lo: p.lo,
                hi: p.hi,
            })
            .collect();
        let evaluator = Evaluator::new(model, plan, &overrides)?;
        Ok(ModelObjective {
            metric,
            params,
            evaluator,
        })
    }

    pub fn model(&self) -> &'a Model {
        self.evaluator.model()
    }

    pub fn plan(&self) -> Plan {
        self.evaluator.plan()
    }

    /// Central values of the selected parameters, as a unit point.
    pub fn central_unit(&self) -> Vec<f64> {
        self.params
            .iter()
            .map(|p| ((p.central - p.lo) / (p.hi - p.lo)).clamp(0.0, 1.0))
            .collect()
    }
}

impl Objective for ModelObjective<'_> {
    fn k(&self) -> usize {
        self.params.len()
    }
    fn eval_batch(&self, points: &[f64]) -> Vec<f64> {
        let k = self.k().max(1);
        let values: Vec<f64> = points
            .chunks(k)
            .flat_map(|unit| self.params.iter().zip(unit).map(|(p, u)| p.at(*u)))
            .collect();
        self.evaluator.means(&values, &self.metric)
    }
}
