//! The one way an analysis evaluates the model: a compiled model, the
//! parameters the analysis sets (checked like values in a scenario file),
//! and a run plan. Sensitivity, sweeps and every later analysis go through
//! here, so "the model at these parameter values" means the same thing
//! everywhere, and no analysis can hand the engine a value a scenario file
//! could not hold.

use rayon::prelude::*;

use super::metric::Metric;
use crate::engine::block::{Block, Schedule};
use crate::model::{Model, ParamId};

/// Which runs an evaluation makes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// The deterministic run: parameters at their central values, no noise,
    /// no incidents.
    Deterministic,
    /// Runs `0..runs` of the ensemble seeded with `seed`: run r always uses
    /// generator (seed, r), so every evaluation shares its random numbers
    /// and differences between evaluations come from the parameters.
    Ensemble { runs: u64, seed: u64 },
}

impl Plan {
    /// `runs` = 0 means the deterministic run.
    pub fn from_runs(runs: u64, seed: u64) -> Plan {
        if runs == 0 {
            Plan::Deterministic
        } else {
            Plan::Ensemble { runs, seed }
        }
    }

    /// Runs per evaluation (1 for the deterministic run).
    pub fn runs(&self) -> u64 {
        match self {
            Plan::Deterministic => 1,
            Plan::Ensemble { runs, .. } => *runs,
        }
    }
}

/// A parameter an analysis sets, with the range of values it will take.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Override {
    pub id: ParamId,
    pub lo: f64,
    pub hi: f64,
}

/// Evaluates a model with some parameters set, under one plan, through
/// the population engine: deterministic evaluations of up to
/// [`BLOCK_LANES`] points advance together as the lanes of one block, and
/// an ensemble's runs at one point advance [`BLOCK_LANES`] at a time.
pub struct Evaluator<'m> {
    model: &'m Model,
    plan: Plan,
    ids: Vec<ParamId>,
    schedule: Schedule,
}

/// Lanes of the blocks an evaluator runs.
pub const BLOCK_LANES: usize = 64;

impl<'m> Evaluator<'m> {
    /// Every value an override may take must be allowed for its parameter
    /// ([`Model::check_values`]); the error names the parameter and its
    /// allowed range.
    pub fn new(model: &'m Model, plan: Plan, overrides: &[Override]) -> Result<Self, String> {
        for o in overrides {
            model.check_values(o.id, o.lo, o.hi)?;
        }
        Ok(Evaluator {
            model,
            plan,
            ids: overrides.iter().map(|o| o.id).collect(),
            schedule: Schedule::new(model),
        })
    }

    pub fn model(&self) -> &'m Model {
        self.model
    }

    pub fn plan(&self) -> Plan {
        self.plan
    }

    /// A block sized for this evaluator.
    fn block(&self) -> Block<'_> {
        Block::new(self.model, &self.schedule, BLOCK_LANES)
    }

    /// Runs the loaded block with its lanes' overrides taken from `values`
    /// (`values_of(lane)`), leaving `metric` of every lane in `out`.
    fn run_block<'v>(
        &self,
        block: &mut Block<'_>,
        values_of: impl Fn(usize) -> &'v [f64],
        metric: &Metric,
        out: &mut Vec<f64>,
    ) {
        for lane in 0..block.lanes() {
            for (id, v) in self.ids.iter().zip(values_of(lane)) {
                block.set_param(lane, *id, *v);
            }
        }
        let lanes = block.lanes();
        let mut acc = vec![metric.start(); lanes];
        block.run(|b| {
            let t = b.month();
            metric.fold(self.model, t, b.row(t), lanes, &mut acc);
        });
        out.extend(acc.iter().map(|a| metric.finish(*a)));
    }

    /// `metric` of every run of the plan at one point (`values`, one per
    /// override), in run order, into `out`.
    pub fn metric_values(&self, values: &[f64], metric: &Metric, out: &mut Vec<f64>) {
        out.clear();
        let mut block = self.block();
        match self.plan {
            Plan::Deterministic => {
                block.load_central(1);
                self.run_block(&mut block, |_| values, metric, out);
            }
            Plan::Ensemble { runs, seed } => {
                let mut first = 0;
                while first < runs {
                    let count = (runs - first).min(BLOCK_LANES as u64);
                    block.load_runs(seed, first, count as usize);
                    self.run_block(&mut block, |_| values, metric, out);
                    first += count;
                }
            }
        }
    }

    /// The mean of `metric` over the plan's runs at every point (row-major,
    /// one value per override), in order, over the current rayon pool.
    pub fn means(&self, points: &[f64], metric: &Metric) -> Vec<f64> {
        let width = self.ids.len().max(1);
        match self.plan {
            Plan::Deterministic => points
                .par_chunks(width * BLOCK_LANES)
                .map_init(
                    || (self.block(), Vec::new()),
                    |(block, out), chunk| {
                        out.clear();
                        block.load_central(chunk.len() / width);
                        self.run_block(
                            block,
                            |lane| &chunk[lane * width..(lane + 1) * width],
                            metric,
                            out,
                        );
                        out.clone()
                    },
                )
                .flatten()
                .collect(),
            Plan::Ensemble { runs, .. } => points
                .par_chunks(width)
                .map_init(Vec::new, |values, point| {
                    self.metric_values(point, metric, values);
                    values.iter().sum::<f64>() / runs as f64
                })
                .collect(),
        }
    }

    /// `f` of the metric of every run at every point (row-major, one value
    /// per override), in order, over the current rayon pool.
    pub fn map_points<T: Send>(
        &self,
        points: &[f64],
        metric: &Metric,
        f: impl Fn(&[f64], &mut Vec<f64>) -> T + Sync + Send,
    ) -> Vec<T> {
        points
            .par_chunks(self.ids.len().max(1))
            .map_init(Vec::new, |values, point| {
                self.metric_values(point, metric, values);
                f(point, values)
            })
            .collect()
    }
}

/// Runs `f` on a pool of `threads` threads (rayon's global pool is not used,
/// so `--threads` is honoured).
pub fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> Result<T, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| e.to_string())?;
    Ok(pool.install(f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_text;

    const TEXT: &str = "name=\"t\"\n[time]\nstart=\"2020-01\"\nend=\"2020-12\"\n[ensemble]\nseed=3\n[variables.x]\nmin=-10\nmax=10\ninitial=0\nrate=0.5\nbias=0.2\nnoise=0.1\n[variables.y]\ninitial=0\nrate=0.5\n[influences]\n\"x -> y\"={weight=2}\n";

    fn model() -> Model {
        load_text("t.toml", TEXT, &[]).unwrap().model
    }

    fn id(m: &Model, path: &str) -> ParamId {
        ParamId(m.params.iter().position(|p| p.path == path).unwrap())
    }

    #[test]
    fn a_deterministic_evaluation_is_the_deterministic_run_with_the_override() {
        let m = model();
        let bias = id(&m, "variables.x.bias");
        let o = Override {
            id: bias,
            lo: 0.0,
            hi: 1.0,
        };
        let ev = Evaluator::new(&m, Plan::Deterministic, &[o]).unwrap();
        let (metric, _) = Metric::parse("x@2020-12", &m).unwrap();
        let got = ev.means(&[0.6], &metric)[0];
        // x(t+1) = x + 0.5 (0.6 − x) from 0: after 11 months 0.6 (1 − 0.5¹¹).
        assert!((got - 0.6 * (1.0 - 0.5f64.powi(11))).abs() < 1e-12, "{got}");
    }

    #[test]
    fn ensemble_evaluations_share_their_random_numbers() {
        let m = model();
        let bias = id(&m, "variables.x.bias");
        let o = Override {
            id: bias,
            lo: 0.0,
            hi: 1.0,
        };
        let plan = Plan::Ensemble { runs: 50, seed: 9 };
        let ev = Evaluator::new(&m, plan, &[o]).unwrap();
        let (metric, _) = Metric::parse("x@2020-12", &m).unwrap();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        ev.metric_values(&[0.2], &metric, &mut a);
        ev.metric_values(&[0.4], &metric, &mut b);
        assert_eq!(a.len(), 50);
        // Same noise in both: the linear model shifts every run by the same amount.
        let shift = 0.2 * (1.0 - 0.5f64.powi(11));
        for (x, y) in a.iter().zip(&b) {
            assert!((y - x - shift).abs() < 1e-9, "{x} {y}");
        }
        let means = ev.means(&[0.2, 0.4], &metric);
        assert!((means[0] - a.iter().sum::<f64>() / 50.0).abs() < 1e-15);
        assert!((means[1] - b.iter().sum::<f64>() / 50.0).abs() < 1e-15);
    }

    #[test]
    fn overrides_are_checked_like_scenario_values() {
        let m = model();
        let rate = id(&m, "variables.x.rate");
        let bad = Override {
            id: rate,
            lo: 0.5,
            hi: 1.5,
        };
        let e = Evaluator::new(&m, Plan::Deterministic, &[bad])
            .err()
            .unwrap();
        assert_eq!(
            e,
            "variables.x.rate = 1.5 is outside its allowed range: it must be in (0, 1]"
        );
        let weight = id(&m, "influences.\"x -> y\".weight");
        let huge = Override {
            id: weight,
            lo: -1e308,
            hi: 1e308,
        };
        let e = Evaluator::new(&m, Plan::Deterministic, &[huge])
            .err()
            .unwrap();
        assert!(
            e.starts_with("influences.\"x -> y\".weight = -1e308 is outside its allowed range: it must be in [-1e11, 1e11] (keeps the signal of `y` within ±1e12)"),
            "{e}"
        );
    }
}
