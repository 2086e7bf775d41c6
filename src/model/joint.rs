//! Parameters drawn jointly from a sample (`geosim run --posterior`): each
//! run takes one whole row of a posterior sample, so the correlations the
//! record induced between parameters survive into the forecast. The other
//! parameters are drawn from the scenario as usual.

use rand::RngExt;

use super::ParamId;
use crate::engine::run_rng;

/// Keeps the row choice off each run's own random stream, so a run's
/// other draws (noise, incidents, other parameters) are those it would
/// have without the posterior.
const ROW_SALT: u64 = 0x0070_5354_5249_4F52;

/// A sample of parameter vectors: `rows[i * ids.len() + k]` is parameter
/// `ids[k]` in row `i`.
#[derive(Clone, Debug, PartialEq)]
pub struct JointDraws {
    pub ids: Vec<ParamId>,
    pub rows: Vec<f64>,
    /// How results name the sample: the file it came from and its SHA-256.
    pub file: String,
    pub sha256: String,
}

impl JointDraws {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len() / self.ids.len().max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn row(&self, i: usize) -> &[f64] {
        let k = self.ids.len();
        &self.rows[i * k..(i + 1) * k]
    }

    /// The row run `run` of the ensemble seeded with `seed` takes: uniform
    /// over the rows, independent of the thread and block that runs it.
    pub fn pick(&self, seed: u64, run: u64) -> usize {
        let n = self.len();
        if n <= 1 {
            return 0;
        }
        run_rng(seed ^ ROW_SALT, run).random_range(0..n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_picked_uniformly_and_reproducibly() {
        let draws = JointDraws {
            ids: vec![ParamId(0), ParamId(3)],
            rows: (0..10).map(f64::from).collect(),
            file: "p.csv".into(),
            sha256: String::new(),
        };
        assert_eq!(draws.len(), 5);
        assert_eq!(draws.row(2), &[4.0, 5.0]);
        let mut counts = [0u32; 5];
        for run in 0..50_000 {
            counts[draws.pick(7, run)] += 1;
        }
        // 10,000 expected per row; 5 sd of a binomial is about 450.
        for c in counts {
            assert!((c as i64 - 10_000).abs() < 450, "{counts:?}");
        }
        assert_eq!(draws.pick(7, 123), draws.pick(7, 123));
        let other: Vec<usize> = (0..20).map(|r| draws.pick(8, r)).collect();
        let same: Vec<usize> = (0..20).map(|r| draws.pick(7, r)).collect();
        assert_ne!(other, same, "the seed changes the choice");
    }
}
