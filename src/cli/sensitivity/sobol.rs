//! Sobol first-order and total indices (Saltelli sampling, bootstrap 95 %
//! intervals).

use crate::cli::table::{Align, TextTable, sig};
use std::path::Path;

use super::{Method, Outcome, Study};
use crate::analysis::sobol::{self, SobolResult};
use crate::charts::Options;
use crate::charts::analysis as charts;
use crate::charts::sobol::SobolData;
use crate::error::Error;
use crate::output::analysis as out;

pub(super) struct Sobol;

impl Method for Sobol {
    fn name(&self) -> &'static str {
        "sobol"
    }
    fn summary(&self) -> &'static str {
        "Sobol first-order and total indices, Saltelli sampling, bootstrap 95% CIs"
    }
    fn default_samples(&self) -> usize {
        1024
    }
    fn min_samples(&self) -> Option<(usize, &'static str)> {
        Some((
            32,
            "with fewer base samples the estimators' own noise is as large as the indices (first-order indices below 0 or above the total index), and a bootstrap over so few rows cannot say how wide it is; 1024 is a good default",
        ))
    }
    fn evaluations(&self, k: f64, samples: f64) -> f64 {
        samples * (k + 2.0)
    }
    fn points_held(&self, k: f64, samples: f64) -> f64 {
        // A, B and one A_B matrix at a time.
        k * 3.0 * samples
    }
    fn run(&self, study: &Study<'_>) -> Box<dyn Outcome + Send> {
        let mut res = sobol::sobol(study.eval, study.samples, study.seed);
        res.rows.sort_by(|a, b| b.total.total_cmp(&a.total));
        Box::new(SobolOutcome { res })
    }
}

struct SobolOutcome {
    res: SobolResult,
}

impl Outcome for SobolOutcome {
    fn write(&self, dir: &Path, study: &Study<'_>, opts: Option<&Options>) -> Result<(), Error> {
        let params = &study.obj.params;
        out::write_sobol(&dir.join("sobol.csv"), params, &self.res)?;
        charts::write(dir, "sobol", opts, || {
            let design = format!(
                "{} base samples, {} evaluations, seed {}",
                study.samples, self.res.evaluations, study.seed
            );
            SobolData::new(study.about(design), params, &self.res, study.samples)
        })
    }

    fn table(&self, study: &Study<'_>) -> String {
        let res = &self.res;
        let mut t = TextTable::new(&[
            ("parameter", Align::Left),
            ("first order", Align::Right),
            ("95% interval", Align::Right),
            ("total", Align::Right),
            ("95% interval", Align::Right),
        ]);
        let interval = |(lo, hi): (f64, f64)| format!("[{lo:.2}, {hi:.2}]");
        for r in res.rows.iter().take(15) {
            t.row(vec![
                study.obj.params[r.input].path.clone(),
                format!("{:.2}", r.first),
                interval(r.first_ci),
                format!("{:.2}", r.total),
                interval(r.total_ci),
            ]);
        }
        let mut text = format!(
            "{} evaluations, metric variance {}\n\n{}{}",
            res.evaluations,
            sig(res.variance, 4),
            t.render(),
            super::more_rows(res.rows.len(), 15)
        );
        if let Some(note) = crate::charts::sobol::noise_note(&res.rows, study.samples) {
            text.push_str(&format!("\n{note}\n"));
        }
        text
    }
}
