//! Finding scenarios by name: `./scenarios/NAME.toml` first, then the copies
//! embedded in the binary; or a path to a `.toml` file.

use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/embedded_scenarios.rs"));

/// The folder searched for scenario names, relative to the working directory.
pub(crate) const SCENARIO_DIR: &str = "scenarios";

/// Where a scenario text came from; `extends` resolves relative to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    File(PathBuf),
    Embedded(&'static str),
}

#[derive(Debug)]
pub(crate) struct Found {
    /// Name shown in messages.
    pub display: String,
    pub stem: String,
    pub text: String,
    pub origin: Origin,
}

#[derive(Debug)]
pub(crate) enum LookupError {
    NotFound {
        spec: String,
        known: Vec<String>,
    },
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not UTF-8 text (a user error, not an I/O failure).
    NotText {
        path: PathBuf,
    },
}

/// True when `spec` names a file rather than a scenario.
pub(crate) fn is_path(spec: &str) -> bool {
    spec.ends_with(".toml") || spec.contains('/') || spec.contains('\\')
}

/// Resolves a scenario given on the command line or in `extends`.
/// `from` is the scenario that wrote the `extends`, if any.
pub(crate) fn find(spec: &str, from: Option<&Origin>) -> Result<Found, LookupError> {
    if is_path(spec) {
        let path = match from {
            Some(Origin::File(p)) => p.parent().unwrap_or(Path::new(".")).join(spec),
            _ => PathBuf::from(spec),
        };
        return read_file(&path, spec);
    }
    // A sibling of the extending file wins, then ./scenarios, then embedded.
    let mut dirs = Vec::new();
    if let Some(Origin::File(p)) = from {
        dirs.push(p.parent().unwrap_or(Path::new(".")).to_path_buf());
    }
    dirs.push(PathBuf::from(SCENARIO_DIR));
    for d in dirs {
        let path = d.join(format!("{spec}.toml"));
        if path.is_file() {
            return read_file(&path, spec);
        }
    }
    if let Some((name, text)) = EMBEDDED.iter().find(|(n, _)| *n == spec) {
        return Ok(Found {
            display: format!("{name}.toml (built in)"),
            stem: name.to_string(),
            text: text.to_string(),
            origin: Origin::Embedded(name),
        });
    }
    Err(LookupError::NotFound {
        spec: spec.to_string(),
        known: names(),
    })
}

fn read_file(path: &Path, spec: &str) -> Result<Found, LookupError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Found {
            display: path.display().to_string(),
            stem: path
                .file_stem()
                .map_or_else(|| spec.to_string(), |s| s.to_string_lossy().into_owned()),
            text,
            origin: Origin::File(path.to_path_buf()),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(LookupError::NotFound {
            spec: path.display().to_string(),
            known: names(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Err(LookupError::NotText {
            path: path.to_path_buf(),
        }),
        Err(source) => Err(LookupError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Every scenario name reachable without a path, sorted.
pub(crate) fn names() -> Vec<String> {
    let mut v: Vec<String> = EMBEDDED.iter().map(|(n, _)| n.to_string()).collect();
    if let Ok(rd) = std::fs::read_dir(SCENARIO_DIR) {
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "toml")
                && let Some(s) = p.file_stem()
            {
                v.push(s.to_string_lossy().into_owned());
            }
        }
    }
    v.sort();
    v.dedup();
    v
}
