//! `posterior.csv`: a posterior sample written by `geosim calibrate
//! --method mcmc` and read back by `geosim run --posterior`.
//!
//! The file is plain CSV after `#` comment lines (the layout CmdStan and
//! ArviZ users know): the comments record which scenario the sample
//! belongs to (its name and a hash of the scenario without its
//! `[ensemble]` table), how it was drawn, and each column's prior; the
//! header is `chain,draw,log_posterior,` then one column per parameter
//! path. Reading it checks all of that against the scenario it is used
//! with, so a sample from another scenario is refused with a reason.

use std::path::Path;

use crate::error::Error;
use crate::model::joint::JointDraws;
use crate::model::{Dist, Draw, Model, ParamId};
use crate::output::observations::csv_text;
use crate::output::request;
use crate::scenario::library::{ReadError, read_text};
use crate::scenario::source::did_you_mean;

/// The largest posterior file read (about a million draws of ten parameters).
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// The columns before the parameters.
const LEADING: [&str; 3] = ["chain", "draw", "log_posterior"];

/// What identifies the scenario a sample belongs to: a hash of the merged
/// scenario (every `extends` and `--set` applied) without `[ensemble]`,
/// whose runs and seed do not change what the record says.
pub fn scenario_hash(document: &toml::Table) -> String {
    let mut doc = document.clone();
    doc.remove("ensemble");
    request::sha256(&toml::to_string(&doc).unwrap_or_default())
}

/// A distribution as the scenario format writes it, exactly (shortest
/// round-tripping decimals), for the `# prior:` comments and their check.
pub fn dist_text(d: &Dist) -> String {
    match *d {
        Dist::Fixed(v) => format!("{v:?}"),
        Dist::Normal { mean, sd } => {
            format!("{{ dist = \"normal\", mean = {mean:?}, sd = {sd:?} }}")
        }
        Dist::Uniform { min, max } => {
            format!("{{ dist = \"uniform\", min = {min:?}, max = {max:?} }}")
        }
        Dist::Triangular { min, mode, max } => {
            format!("{{ dist = \"triangular\", min = {min:?}, mode = {mode:?}, max = {max:?} }}")
        }
    }
}

/// What `posterior.csv` says about where it came from.
pub struct Header<'a> {
    pub scenario: &'a str,
    pub scenario_hash: &'a str,
    /// How the sample was drawn, one line.
    pub method: &'a str,
    pub chains: usize,
    pub warmup: usize,
    pub draws: usize,
}

/// The text of `posterior.csv`: `chains[c]` holds chain c's kept draws as
/// (log posterior, values in the order of `ids`).
pub fn text(
    model: &Model,
    header: &Header<'_>,
    ids: &[ParamId],
    chains: &[Vec<(f64, Vec<f64>)>],
) -> String {
    let mut comments = vec![
        format!("geosim {} posterior sample", crate::VERSION),
        format!("scenario: {}", header.scenario),
        format!("scenario_sha256: {}", header.scenario_hash),
        format!("method: {}", header.method),
        format!(
            "chains: {}, warm-up: {} iterations, draws: {} per chain (warm-up not included)",
            header.chains, header.warmup, header.draws
        ),
    ];
    for id in ids {
        let p = &model.params[id.0];
        comments.push(format!("prior: {} ~ {}", p.path, dist_text(&p.dist)));
    }
    let mut columns: Vec<&str> = LEADING.to_vec();
    columns.extend(ids.iter().map(|id| model.params[id.0].path.as_str()));
    let mut rows = Vec::new();
    for (c, chain) in chains.iter().enumerate() {
        for (d, (lp, x)) in chain.iter().enumerate() {
            let mut row = vec![(c + 1).to_string(), (d + 1).to_string(), format!("{lp:?}")];
            row.extend(x.iter().map(|v| format!("{v:?}")));
            rows.push(row);
        }
    }
    csv_text(&comments, &columns, &rows)
}

/// How `run --posterior` treats a sample whose scenario hash differs.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OtherScenario {
    Refuse,
    /// `--posterior-from-other-scenario`: accept when paths and priors match.
    Accept,
}

/// Reads `path` as a posterior sample for `model` (whose merged scenario is
/// `document`). Every problem is an error naming the file, and the line
/// and column where it can.
pub fn read(
    path: &Path,
    model: &Model,
    document: &toml::Table,
    other: OtherScenario,
) -> Result<JointDraws, Error> {
    let text = read_text(path, MAX_BYTES).map_err(|e| match e {
        ReadError::Io(source) => Error::io("read the posterior sample", path, source),
        ReadError::Refused(why) => {
            Error::usage(format!("--posterior {}: {why}", path.display()), None)
        }
    })?;
    let file = path.display().to_string();
    let bad = |line: usize, msg: String| Error::usage(format!("{file}:{line}: {msg}"), None);
    let mut scenario = None;
    let mut hash = None;
    let mut priors: Vec<(String, String)> = Vec::new();
    let mut body = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if let Some(c) = line.strip_prefix('#') {
            let c = c.trim();
            if let Some(v) = c.strip_prefix("scenario:") {
                scenario = Some(v.trim().to_string());
            } else if let Some(v) = c.strip_prefix("scenario_sha256:") {
                hash = Some(v.trim().to_string());
            } else if let Some(v) = c.strip_prefix("prior:")
                && let Some((p, d)) = v.split_once(" ~ ")
            {
                priors.push((p.trim().to_string(), d.trim().to_string()));
            }
        } else if !line.trim().is_empty() {
            body.push((n, line));
        }
    }
    let Some(&(header_line, header)) = body.first() else {
        return Err(bad(
            1,
            "no header line: a posterior sample starts `chain,draw,log_posterior,` then one column per parameter".into(),
        ));
    };
    let columns = parse_row(header).map_err(|m| bad(header_line, m))?;
    if columns.len() <= LEADING.len() || columns[..LEADING.len()] != LEADING {
        return Err(bad(
            header_line,
            format!(
                "the header must start `chain,draw,log_posterior` and name at least one parameter; it is `{header}`"
            ),
        ));
    }
    let paths = &columns[LEADING.len()..];
    let mut ids = Vec::with_capacity(paths.len());
    for p in paths {
        let Some(i) = model.params.iter().position(|q| &q.path == p) else {
            let known = model
                .params
                .iter()
                .filter(|q| q.draw == Draw::PerRun)
                .map(|q| q.path.as_str());
            return Err(Error::usage(
                format!(
                    "{file}:{header_line}: column `{p}` is not a parameter of scenario `{}`",
                    model.name
                ),
                Some(did_you_mean(p, known, "parameters")),
            ));
        };
        if model.params[i].draw != Draw::PerRun {
            return Err(Error::usage(
                format!(
                    "{file}:{header_line}: `{p}` is drawn at every occurrence, not once per run, so a run cannot take it from a posterior row"
                ),
                None,
            ));
        }
        if ids.contains(&ParamId(i)) {
            return Err(bad(header_line, format!("column `{p}` appears twice")));
        }
        ids.push(ParamId(i));
    }
    check_scenario(
        model,
        document,
        &file,
        scenario.as_deref(),
        hash.as_deref(),
        &priors,
        &ids,
        other,
    )?;
    let mut rows = Vec::new();
    for &(n, line) in &body[1..] {
        let cells = parse_row(line).map_err(|m| bad(n, m))?;
        if cells.len() != columns.len() {
            return Err(bad(
                n,
                format!(
                    "{} cells, but the header names {} columns",
                    cells.len(),
                    columns.len()
                ),
            ));
        }
        for (k, id) in ids.iter().enumerate() {
            let cell = &cells[LEADING.len() + k];
            let v: f64 = cell.trim().parse().map_err(|_| {
                bad(
                    n,
                    format!("column `{}`: `{cell}` is not a number", paths[k]),
                )
            })?;
            model.check_values(*id, v, v).map_err(|m| bad(n, m))?;
            rows.push(v);
        }
    }
    if rows.is_empty() {
        return Err(bad(
            header_line,
            "the sample has no draws (no rows after the header)".into(),
        ));
    }
    Ok(JointDraws {
        ids,
        rows,
        file,
        sha256: request::sha256(&text),
    })
}

/// Refuses a sample from another scenario unless asked to accept one, and
/// then only when every column's prior is the scenario's distribution.
#[allow(clippy::too_many_arguments)]
fn check_scenario(
    model: &Model,
    document: &toml::Table,
    file: &str,
    scenario: Option<&str>,
    hash: Option<&str>,
    priors: &[(String, String)],
    ids: &[ParamId],
    other: OtherScenario,
) -> Result<(), Error> {
    let here = scenario_hash(document);
    let Some(hash) = hash else {
        return Err(Error::usage(
            format!(
                "{file} does not say which scenario it belongs to (no `# scenario_sha256:` line)"
            ),
            Some("use a posterior.csv written by `geosim calibrate --method mcmc`".into()),
        ));
    };
    if hash == here {
        return Ok(());
    }
    let theirs = scenario.unwrap_or("an unnamed scenario");
    if other == OtherScenario::Refuse {
        return Err(Error::usage(
            if theirs == model.name {
                format!(
                    "{file} is a posterior of another version of `{theirs}`: the scenario it was calibrated on has sha256 {}…, this one (with its --set) {}…",
                    &hash[..hash.len().min(12)],
                    &here[..12]
                )
            } else {
                format!(
                    "{file} is a posterior of another scenario: `{theirs}` (sha256 {}…), not `{}` (sha256 {}…)",
                    &hash[..hash.len().min(12)],
                    model.name,
                    &here[..12]
                )
            },
            Some("run the scenario it was calibrated on (with the same --set), or, if the scenarios differ only in what the record does not inform (such as driver paths after the last observation), add --posterior-from-other-scenario".to_string()),
        ));
    }
    for id in ids {
        let p = &model.params[id.0];
        let here = dist_text(&p.dist);
        match priors.iter().find(|(path, _)| *path == p.path) {
            Some((_, theirs)) if *theirs == here => {}
            Some((_, theirs)) => {
                return Err(Error::usage(
                    format!(
                        "{file}: `{}` had the prior {theirs} in the calibrated scenario, but is {here} here, so the sample does not apply",
                        p.path
                    ),
                    None,
                ));
            }
            None => {
                return Err(Error::usage(
                    format!("{file}: no `# prior:` line for `{}`", p.path),
                    None,
                ));
            }
        }
    }
    Ok(())
}

/// The cells of one CSV line (quotes allowed, as the writer makes them).
fn parse_row(line: &str) -> Result<Vec<String>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    match reader.records().next() {
        Some(Ok(r)) => Ok(r.iter().map(str::to_string).collect()),
        Some(Err(e)) => Err(format!("not a CSV line: {e}")),
        None => Ok(Vec::new()),
    }
}
