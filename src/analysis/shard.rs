//! Sharded analyses: the evaluations of a sensitivity analysis cut across
//! machines. The methods are not adaptive — the points they evaluate depend
//! on the seed, never on earlier values — so every evaluation has a fixed
//! number (its row, in the order the method asks for them). A shard
//! evaluates the rows whose number is its index modulo the shard count and
//! records them; merging gathers every row's value and runs the method
//! again on those values instead of the model, which gives exactly the
//! single-machine result.

use std::sync::Mutex;

use super::objective::Objective;

/// Where an analysis' values come from besides the model itself.
enum Source {
    /// Evaluate the rows of shard `index` of `count`; answer 0 for the
    /// others (the method's result is then meaningless and is not written).
    Shard {
        index: u64,
        count: u64,
        recorded: Mutex<Vec<(u64, f64)>>,
    },
    /// Every row's value, gathered from the shards.
    Replay { values: Vec<f64> },
}

/// An objective that numbers the rows it is asked for.
pub struct ShardedObjective<'a> {
    inner: &'a dyn Objective,
    source: Source,
    next: Mutex<u64>,
}

impl<'a> ShardedObjective<'a> {
    pub fn shard(inner: &'a dyn Objective, index: u64, count: u64) -> Self {
        ShardedObjective {
            inner,
            source: Source::Shard {
                index,
                count,
                recorded: Mutex::new(Vec::new()),
            },
            next: Mutex::new(0),
        }
    }

    pub fn replay(inner: &'a dyn Objective, values: Vec<f64>) -> Self {
        ShardedObjective {
            inner,
            source: Source::Replay { values },
            next: Mutex::new(0),
        }
    }

    /// Rows asked for so far.
    pub fn rows(&self) -> u64 {
        *self.next.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The (row, value) pairs a shard evaluated, in row order.
    pub fn recorded(&self) -> Vec<(u64, f64)> {
        match &self.source {
            Source::Shard { recorded, .. } => {
                recorded.lock().unwrap_or_else(|e| e.into_inner()).clone()
            }
            Source::Replay { .. } => Vec::new(),
        }
    }
}

impl Objective for ShardedObjective<'_> {
    fn k(&self) -> usize {
        self.inner.k()
    }

    fn eval_batch(&self, points: &[f64]) -> Vec<f64> {
        let k = self.k().max(1);
        let n = (points.len() / k) as u64;
        let start = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let s = *next;
            *next += n;
            s
        };
        match &self.source {
            Source::Replay { values } => (start..start + n)
                .map(|r| values.get(r as usize).copied().unwrap_or(f64::NAN))
                .collect(),
            Source::Shard {
                index,
                count,
                recorded,
            } => {
                let mine: Vec<u64> = (start..start + n).filter(|r| r % count == *index).collect();
                let subset: Vec<f64> = mine
                    .iter()
                    .flat_map(|r| {
                        let i = (r - start) as usize * k;
                        points[i..i + k].iter().copied()
                    })
                    .collect();
                let values = self.inner.eval_batch(&subset);
                let mut out = vec![0.0; n as usize];
                let mut rec = recorded.lock().unwrap_or_else(|e| e.into_inner());
                for (r, v) in mine.iter().zip(values) {
                    out[(r - start) as usize] = v;
                    rec.push((*r, v));
                }
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::objective::FnObjective;
    use crate::analysis::sobol::sobol;

    #[test]
    fn shards_then_replay_give_the_single_machine_result() {
        let f = FnObjective {
            k: 3,
            f: |x: &[f64]| x[0] * x[0] + 2.0 * x[1] * x[2] + (3.0 * x[2]).sin(),
        };
        let whole = sobol(&f, 64, 5);
        let count = 3;
        let mut values: Vec<Option<f64>> = Vec::new();
        for index in 0..count {
            let s = ShardedObjective::shard(&f, index, count);
            let _ = sobol(&s, 64, 5);
            values.resize(s.rows() as usize, None);
            for (r, v) in s.recorded() {
                assert!(values[r as usize].replace(v).is_none(), "row {r} twice");
            }
        }
        let values: Vec<f64> = values.into_iter().map(|v| v.expect("every row")).collect();
        let replay = ShardedObjective::replay(&f, values);
        let merged = sobol(&replay, 64, 5);
        assert_eq!(replay.rows(), whole.evaluations as u64);
        for (a, b) in whole.rows.iter().zip(&merged.rows) {
            assert_eq!(a.first.to_bits(), b.first.to_bits());
            assert_eq!(a.total.to_bits(), b.total.to_bits());
            assert_eq!(a.total_ci.0.to_bits(), b.total_ci.0.to_bits());
        }
    }
}
