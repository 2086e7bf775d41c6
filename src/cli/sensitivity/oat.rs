//! One at a time: each parameter at both ends of its range (tornado chart).

use crate::cli::table::{Align, TextTable};
use std::path::Path;

use super::{Method, Outcome, Study};
use crate::analysis::oat::{self, OatRow};
use crate::charts::Options;
use crate::charts::analysis as charts;
use crate::charts::tornado::TornadoData;
use crate::error::Error;
use crate::output::analysis as out;

pub(super) struct Oat;

impl Method for Oat {
    fn name(&self) -> &'static str {
        "oat"
    }
    fn summary(&self) -> &'static str {
        "One at a time: each parameter at both ends of its range (tornado)"
    }
    fn evaluations(&self, k: f64, _samples: f64) -> f64 {
        2.0 * k + 1.0
    }
    fn points_held(&self, k: f64, samples: f64) -> f64 {
        k * self.evaluations(k, samples)
    }
    fn run(&self, study: &Study<'_>) -> Box<dyn Outcome + Send> {
        let (base, rows) = oat::oat(study.eval, &study.obj.central_unit());
        Box::new(OatOutcome { base, rows })
    }
}

struct OatOutcome {
    base: f64,
    rows: Vec<OatRow>,
}

impl Outcome for OatOutcome {
    fn write(&self, dir: &Path, study: &Study<'_>, opts: Option<&Options>) -> Result<(), Error> {
        let params = &study.obj.params;
        out::write_oat(&dir.join("oat.csv"), params, &self.rows)?;
        charts::write(dir, "tornado", opts, || {
            let k = params.len();
            let design = if study.deterministic() {
                format!("{k} parameters, one at a time")
            } else {
                format!("{k} parameters, one at a time, seed {}", study.seed)
            };
            TornadoData::new(study.about(design), params, self.base, &self.rows)
        })
    }

    fn table(&self, study: &Study<'_>) -> String {
        let mut t = TextTable::new(&[
            ("parameter", Align::Left),
            ("metric at low", Align::Right),
            ("at high", Align::Right),
            ("swing", Align::Right),
        ]);
        for r in self.rows.iter().take(15) {
            t.row(vec![
                study.obj.params[r.input].path.clone(),
                format!("{:.4}", r.at_low),
                format!("{:.4}", r.at_high),
                format!("{:.4}", r.swing),
            ]);
        }
        format!(
            "metric at central values: {:.4}\n\n{}{}",
            self.base,
            t.render(),
            super::more_rows(self.rows.len(), 15)
        )
    }
}
