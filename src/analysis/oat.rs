//! One-at-a-time sensitivity: each input at the low and high end of its
//! range, the others at their central values; inputs ranked by swing.

use super::objective::Objective;

#[derive(Clone, Debug)]
pub struct OatRow {
    pub input: usize,
    pub at_low: f64,
    pub at_high: f64,
    /// |at_high − at_low|
    pub swing: f64,
}

/// Returns the metric at the centre and one row per input, sorted by swing (largest first).
pub fn oat(obj: &dyn Objective, centre: &[f64]) -> (f64, Vec<OatRow>) {
    let k = obj.k();
    let mut points = Vec::with_capacity((2 * k + 1) * k);
    points.extend_from_slice(centre);
    for i in 0..k {
        for end in [0.0, 1.0] {
            let mut p = centre.to_vec();
            p[i] = end;
            points.extend(p);
        }
    }
    let y = obj.eval_batch(&points);
    let mut rows: Vec<OatRow> = (0..k)
        .map(|i| {
            let (lo, hi) = (y[1 + 2 * i], y[2 + 2 * i]);
            OatRow {
                input: i,
                at_low: lo,
                at_high: hi,
                swing: (hi - lo).abs(),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.swing.total_cmp(&a.swing).then(a.input.cmp(&b.input)));
    (y[0], rows)
}
