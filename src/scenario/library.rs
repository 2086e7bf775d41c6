//! Finding scenarios by name: `./scenarios/NAME.toml` first, then the copies
//! embedded in the binary; or a path to a `.toml` file.

use std::path::{Path, PathBuf};

use crate::limits::MAX_FILE_BYTES;

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
    /// The path is not something a scenario can be read from: not a
    /// regular file, too large, or not UTF-8 text (a user error, not an I/O
    /// failure). `why` completes "`path` is not a scenario: …".
    NotScenario {
        path: PathBuf,
        why: String,
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
    let text = read_text(path, MAX_FILE_BYTES).map_err(|e| match e {
        ReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound => LookupError::NotFound {
            spec: path.display().to_string(),
            known: names(),
        },
        ReadError::Io(source) => LookupError::Io {
            path: path.to_path_buf(),
            source,
        },
        ReadError::Refused(why) => LookupError::NotScenario {
            path: path.to_path_buf(),
            why,
        },
    })?;
    Ok(Found {
        display: path.display().to_string(),
        stem: path
            .file_stem()
            .map_or_else(|| spec.to_string(), |s| s.to_string_lossy().into_owned()),
        text,
        origin: Origin::File(path.to_path_buf()),
    })
}

/// Why a file could not be read as text.
#[derive(Debug)]
pub(crate) enum ReadError {
    Io(std::io::Error),
    /// The file is not one geosim reads: the reason, in words.
    Refused(String),
}

/// Reads a regular file of at most `limit` bytes as UTF-8 text. Devices,
/// FIFOs and sockets are refused before they are opened (reading
/// `/dev/zero` never ends, opening a FIFO blocks), and a file that grows
/// while it is read is cut off at the limit and refused.
pub(crate) fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::Refused(format!(
            "it is {}, not a regular file",
            kind_of(&meta.file_type())
        )));
    }
    let too_large = |size: u64| {
        ReadError::Refused(format!(
            "it holds {size} bytes or more; files of more than {limit} bytes are refused"
        ))
    };
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|_| ReadError::Refused("it is not UTF-8 text".into()))
}

/// What a path that is not a regular file is, for messages.
pub(crate) fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// A data file a scenario names (e.g. `file = "data/record.csv"`), read
/// relative to the scenario that names it: next to a scenario file, or
/// among the shipped data files for a built-in scenario. Returns the name
/// to show in messages and the text.
pub(crate) fn read_data(spec: &str, from: &Origin) -> Result<(String, String), ReadError> {
    match from {
        Origin::File(p) => {
            let path = p.parent().unwrap_or(Path::new(".")).join(spec);
            read_text(&path, MAX_FILE_BYTES).map(|t| (path.display().to_string(), t))
        }
        Origin::Embedded(name) => {
            let wanted = spec.trim_start_matches("./").replace('\\', "/");
            EMBEDDED_DATA
                .iter()
                .find(|(p, _)| *p == wanted)
                .map(|(p, t)| (format!("{p} (built in with {name})"), t.to_string()))
                .ok_or_else(|| {
                    ReadError::Io(std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!("no data file `{spec}` is built in"),
                    ))
                })
        }
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
