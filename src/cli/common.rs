//! Small pieces shared by the subcommands.

use std::path::PathBuf;

use crate::error::Error;
use crate::model::{Model, VarId};
use crate::output::atomic;
use crate::scenario::source::did_you_mean;

/// Longest default folder name, in characters (file systems take 255).
const MAX_FOLDER_CHARS: usize = 160;

/// A default results folder: `output/` and the readable `parts` joined by
/// `-`. When `options` — whatever else changes the results — is not empty,
/// a short hash of them tells such requests apart, so two requests with
/// different results never share a default folder.
pub(super) fn default_folder(parts: &[String], options: &[String]) -> PathBuf {
    let mut name = atomic::safe_name(&parts.join("-"));
    let hash = (!options.is_empty()).then(|| short_hash(&options.join("\n")));
    let room = MAX_FOLDER_CHARS - hash.as_ref().map_or(0, |h| h.len() + 1);
    if name.chars().count() > room {
        let cut: String = name.chars().take(room).collect();
        name = cut;
    }
    if let Some(h) = hash {
        name = format!("{name}-{h}");
    }
    PathBuf::from("output").join(name)
}

/// The first 8 hex digits of the SHA-256 of `text`.
fn short_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where `geosim run` writes by default: `output/<name>` for the
/// scenario's own ensemble, with the mode (`-deterministic`,
/// `-conditioned`), `-runs<N>`, `-seed<S>` and a hash of the `--set`
/// overrides when they apply.
pub(super) fn run_folder(
    name: &str,
    mode: Option<&str>,
    runs: Option<u64>,
    seed: Option<u64>,
    sets: &[String],
) -> PathBuf {
    let mut parts = vec![name.to_string()];
    parts.extend(mode.map(String::from));
    parts.extend(runs.map(|r| format!("runs{r}")));
    parts.extend(seed.map(|s| format!("seed{s}")));
    default_folder(&parts, &sets_options(sets))
}

/// `--set` overrides as hashed options.
pub(super) fn sets_options(sets: &[String]) -> Vec<String> {
    sets.iter().map(|s| format!("--set {s}")).collect()
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
