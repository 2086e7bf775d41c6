//! Small pieces shared by the subcommands.

use std::path::PathBuf;

use crate::error::Error;
use crate::model::{Model, VarId};
use crate::output::atomic;
use crate::scenario::source::did_you_mean;

/// `output/<scenario>-<what>` unless `--out` was given.
pub(super) fn out_dir(out: &Option<PathBuf>, model: &Model, what: &str) -> PathBuf {
    out.clone().unwrap_or_else(|| {
        PathBuf::from("output").join(atomic::safe_name(&format!("{}-{what}", model.name)))
    })
}

/// A variable by name, or the regime variable (else the first) by default.
pub(super) fn variable(model: &Model, name: Option<&str>) -> Result<VarId, Error> {
    match name {
        None => Ok(model.regimes.as_ref().map_or(VarId(0), |r| r.variable)),
        Some(n) => model
            .variables
            .iter()
            .position(|v| v.name == n)
            .map(VarId)
            .ok_or_else(|| {
                let names: Vec<&str> = model.variables.iter().map(|v| v.name.as_str()).collect();
                Error::usage(
                    format!("no variable `{n}` in scenario `{}`", model.name),
                    Some(did_you_mean(n, names.iter().copied(), "variables")),
                )
            }),
    }
}

/// A month of the horizon from `YYYY-MM`.
pub(super) fn month(model: &Model, text: &str, flag: &str) -> Result<usize, Error> {
    let d = crate::model::YearMonth::parse(text)
        .map_err(|e| Error::usage(format!("{flag}: {e}"), None))?;
    let k = model.start.months_until(d);
    if k < 0 || k >= model.months() as i64 {
        return Err(Error::usage(
            format!(
                "{flag} {d} lies outside the scenario's horizon {} … {}",
                model.start, model.end
            ),
            None,
        ));
    }
    Ok(k as usize)
}
