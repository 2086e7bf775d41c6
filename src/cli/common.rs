//! Small pieces shared by the subcommands.

use std::path::PathBuf;

use crate::error::Error;
use crate::model::{Model, VarId};
use crate::output::atomic;

/// `--threads`, defaulting to every core.
pub fn threads(requested: Option<usize>) -> Result<usize, Error> {
    match requested {
        Some(0) => Err(Error::usage("--threads must be at least 1", None)),
        Some(n) if n > MAX_THREADS => Err(Error::usage(
            format!("--threads {n} is more than the {MAX_THREADS} geosim will start"),
            None,
        )),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// Most worker threads a command starts.
pub const MAX_THREADS: usize = 1024;

/// `output/<scenario>-<what>` unless `--out` was given.
pub fn out_dir(out: &Option<PathBuf>, model: &Model, what: &str) -> PathBuf {
    out.clone().unwrap_or_else(|| {
        PathBuf::from("output").join(atomic::safe_name(&format!("{}-{what}", model.name)))
    })
}

/// A variable by name, or the regime variable (else the first) by default.
pub fn variable(model: &Model, name: Option<&str>) -> Result<VarId, Error> {
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
                    Some(
                        match crate::scenario::source::nearest(n, names.iter().copied()) {
                            Some(s) => {
                                format!("did you mean `{s}`? Variables: {}", names.join(", "))
                            }
                            None => format!("variables: {}", names.join(", ")),
                        },
                    ),
                )
            }),
    }
}

/// A month of the horizon from `YYYY-MM`.
pub fn month(model: &Model, text: &str, flag: &str) -> Result<usize, Error> {
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
