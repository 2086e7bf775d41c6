//! Morris elementary effects: screening by μ* and σ.

use crate::cli::table::{Align, TextTable};
use std::path::Path;

use super::{Method, Outcome, Study};
use crate::analysis::morris::{self, MorrisRow};
use crate::charts::Options;
use crate::charts::analysis as charts;
use crate::charts::morris::MorrisData;
use crate::error::Error;
use crate::output::analysis as out;

pub(super) struct Morris;

impl Method for Morris {
    fn name(&self) -> &'static str {
        "morris"
    }
    fn summary(&self) -> &'static str {
        "Morris elementary effects: screening (μ*, σ)"
    }
    fn min_samples(&self) -> Option<(usize, &'static str)> {
        Some((
            2,
            "σ, the spread of a parameter's elementary effects, needs at least two trajectories; 20 or more rank parameters reliably",
        ))
    }
    fn evaluations(&self, k: f64, samples: f64) -> f64 {
        samples * (k + 1.0)
    }
    fn points_held(&self, k: f64, samples: f64) -> f64 {
        k * self.evaluations(k, samples)
    }
    fn run(&self, study: &Study<'_>) -> Box<dyn Outcome + Send> {
        let mut rows = morris::morris(study.eval, study.samples, study.seed);
        rows.sort_by(|a, b| b.mu_star.total_cmp(&a.mu_star));
        Box::new(MorrisOutcome { rows })
    }
}

struct MorrisOutcome {
    rows: Vec<MorrisRow>,
}

impl Outcome for MorrisOutcome {
    fn write(&self, dir: &Path, study: &Study<'_>, opts: Option<&Options>) -> Result<(), Error> {
        let params = &study.obj.params;
        out::write_morris(&dir.join("morris.csv"), params, &self.rows)?;
        charts::write(dir, "morris", opts, || {
            let design = format!("{} Morris trajectories, seed {}", study.samples, study.seed);
            MorrisData::new(study.about(design), params, &self.rows)
        })
    }

    fn table(&self, study: &Study<'_>) -> String {
        let mut t = TextTable::new(&[
            ("parameter", Align::Left),
            ("mu*", Align::Right),
            ("sigma", Align::Right),
        ]);
        for r in self.rows.iter().take(15) {
            t.row(vec![
                study.obj.params[r.input].path.clone(),
                format!("{:.4}", r.mu_star),
                format!("{:.4}", r.sigma),
            ]);
        }
        format!("{}{}", t.render(), super::more_rows(self.rows.len(), 15))
    }
}
