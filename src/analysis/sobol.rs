//! Variance-based (Sobol) indices with Saltelli sampling: matrices A and B of
//! N points each, and for every input i the matrix A with column i taken from
//! B — N (k + 2) evaluations. First-order indices use Saltelli (2010)'s
//! estimator, total indices Jansen's; 95 % intervals come from a bootstrap
//! over the N rows.

use rand::RngExt;

use super::objective::Objective;
use crate::engine::run_rng;

pub const BOOTSTRAP: usize = 200;

#[derive(Clone, Debug)]
pub struct SobolRow {
    pub input: usize,
    pub first: f64,
    pub first_ci: (f64, f64),
    pub total: f64,
    pub total_ci: (f64, f64),
}

pub struct SobolResult {
    pub rows: Vec<SobolRow>,
    /// Variance of the metric over A and B.
    pub variance: f64,
    pub evaluations: usize,
}

pub fn sobol(obj: &dyn Objective, n: usize, seed: u64) -> SobolResult {
    let k = obj.k();
    let mut rng = run_rng(seed, 0x0053_6f62_6f6c);
    let a: Vec<f64> = (0..n * k).map(|_| rng.random::<f64>()).collect();
    let b: Vec<f64> = (0..n * k).map(|_| rng.random::<f64>()).collect();
    // A and B first, then each A_B^(i) built and evaluated in turn, so the
    // sample matrix held at once is N × k rather than N·(k + 2) × k.
    let fa = obj.eval_batch(&a);
    let fb = obj.eval_batch(&b);
    let mut fab = Vec::with_capacity(n * k);
    let mut ab = a.clone();
    for i in 0..k {
        if i > 0 {
            for j in 0..n {
                ab[j * k + i - 1] = a[j * k + i - 1];
            }
        }
        for j in 0..n {
            ab[j * k + i] = b[j * k + i];
        }
        fab.extend(obj.eval_batch(&ab));
    }
    let evaluations = fa.len() + fb.len() + fab.len();

    let indices = |rows: &[usize]| -> (f64, Vec<(f64, f64)>) {
        let m = rows.len() as f64;
        let mean = rows.iter().map(|&j| fa[j] + fb[j]).sum::<f64>() / (2.0 * m);
        let var = rows
            .iter()
            .map(|&j| (fa[j] - mean).powi(2) + (fb[j] - mean).powi(2))
            .sum::<f64>()
            / (2.0 * m - 1.0);
        let out = (0..k)
            .map(|i| {
                let fi = &fab[i * n..(i + 1) * n];
                if var <= 0.0 {
                    return (0.0, 0.0);
                }
                let s = rows.iter().map(|&j| fb[j] * (fi[j] - fa[j])).sum::<f64>() / m / var;
                let st =
                    rows.iter().map(|&j| (fa[j] - fi[j]).powi(2)).sum::<f64>() / (2.0 * m) / var;
                (s, st)
            })
            .collect();
        (var, out)
    };
    let all: Vec<usize> = (0..n).collect();
    let (variance, point) = indices(&all);
    let mut boot_s: Vec<Vec<f64>> = vec![Vec::with_capacity(BOOTSTRAP); k];
    let mut boot_t: Vec<Vec<f64>> = vec![Vec::with_capacity(BOOTSTRAP); k];
    let mut sample = vec![0usize; n];
    for _ in 0..BOOTSTRAP {
        sample.iter_mut().for_each(|s| *s = rng.random_range(0..n));
        let (_, est) = indices(&sample);
        for (i, (s, t)) in est.into_iter().enumerate() {
            boot_s[i].push(s);
            boot_t[i].push(t);
        }
    }
    let ci = |v: &mut Vec<f64>| -> (f64, f64) {
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((q * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)];
        (at(0.025), at(0.975))
    };
    let rows = (0..k)
        .map(|i| SobolRow {
            input: i,
            first: point[i].0,
            first_ci: ci(&mut boot_s[i]),
            total: point[i].1,
            total_ci: ci(&mut boot_t[i]),
        })
        .collect();
    SobolResult {
        rows,
        variance,
        evaluations,
    }
}
