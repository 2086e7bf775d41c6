//! Result folders appear complete or not at all: files are written into a
//! hidden staging folder beside the destination, which replaces the
//! destination by rename only once everything is written.

use std::io;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Writes a result folder at `dest` through `fill`, which receives the
/// staging folder. On any error the previous `dest` is left untouched.
pub fn write_folder(
    dest: &Path,
    fill: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = dest
        .file_name()
        .map_or_else(|| "results".into(), |n| n.to_string_lossy().into_owned());
    if dest.exists() && !dest.is_dir() {
        return Err(Error::io(
            "write results to",
            dest,
            io::Error::new(
                io::ErrorKind::AlreadyExists,
                "a file (not a folder) is in the way",
            ),
        ));
    }
    std::fs::create_dir_all(&parent).map_err(|e| Error::io("create folder", &parent, e))?;
    let stamp = format!("{}-{}", std::process::id(), unique());
    let staging = parent.join(format!(".{name}.tmp-{stamp}"));
    std::fs::create_dir(&staging).map_err(|e| Error::io("create folder", &staging, e))?;
    if let Err(e) = fill(&staging) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    let old = parent.join(format!(".{name}.old-{stamp}"));
    let had_old = dest.exists();
    if had_old && let Err(e) = std::fs::rename(dest, &old) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(Error::io("replace", dest, e));
    }
    if let Err(e) = std::fs::rename(&staging, dest) {
        if had_old {
            let _ = std::fs::rename(&old, dest);
        }
        let _ = std::fs::remove_dir_all(&staging);
        return Err(Error::io("move results into", dest, e));
    }
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// A folder name from a scenario name: no separators, no `..`, no leading dot.
pub fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_start_matches('.').replace("..", "_");
    if trimmed.is_empty() {
        "scenario".to_string()
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_cannot_escape() {
        assert_eq!(safe_name("baseline"), "baseline");
        assert_eq!(safe_name("../../etc/passwd"), "___etc_passwd");
        assert!(!safe_name("../x").contains('/'));
        assert!(!safe_name("..").is_empty());
        assert_eq!(safe_name("a b/c"), "a_b_c");
        assert_eq!(safe_name(""), "scenario");
    }

    #[test]
    fn failed_fill_keeps_previous_results() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("res");
        write_folder(&dest, |d| {
            std::fs::write(d.join("a.csv"), "old").map_err(|e| Error::io("write", d, e))
        })
        .unwrap();
        let r = write_folder(&dest, |d| {
            std::fs::write(d.join("a.csv"), "new").unwrap();
            Err(Error::usage("boom", None))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(dest.join("a.csv")).unwrap(), "old");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(leftovers.len(), 1, "staging folder must be removed");
    }
}
