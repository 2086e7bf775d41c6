//! Result folders appear complete or not at all: files are written into a
//! hidden staging folder beside the destination, which replaces the
//! destination by rename only once everything is written.

use std::io;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Marker file in every folder geosim writes: only a folder that has it (or
/// an empty one) may be replaced, so `--out` can never wipe a user's folder.
pub const MARKER: &str = ".geosim-results";

/// Removes the staging folder unless the write completed, even on a panic.
struct Staging(Option<PathBuf>);

impl Drop for Staging {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

/// True when `dir` may be replaced: it is empty or was written by geosim.
fn replaceable(dir: &Path) -> bool {
    dir.join(MARKER).is_file() || std::fs::read_dir(dir).is_ok_and(|mut rd| rd.next().is_none())
}

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
    if dest.is_dir() && !replaceable(dest) {
        return Err(Error::usage(
            format!(
                "refusing to replace `{}`: the folder exists and was not written by geosim",
                dest.display()
            ),
            Some("choose another --out folder, or empty or remove this one".into()),
        ));
    }
    std::fs::create_dir_all(&parent).map_err(|e| Error::io("create folder", &parent, e))?;
    let stamp = format!("{}-{}", std::process::id(), unique());
    let staging = parent.join(format!(".{name}.tmp-{stamp}"));
    std::fs::create_dir(&staging).map_err(|e| Error::io("create folder", &staging, e))?;
    let mut guard = Staging(Some(staging.clone()));
    std::fs::write(
        staging.join(MARKER),
        "written by geosim; this folder is replaced on the next run\n",
    )
    .map_err(|e| Error::io("write", staging.join(MARKER), e))?;
    fill(&staging)?;
    let old = parent.join(format!(".{name}.old-{stamp}"));
    let had_old = dest.exists();
    if had_old && let Err(e) = std::fs::rename(dest, &old) {
        return Err(Error::io("replace", dest, e));
    }
    if let Err(e) = std::fs::rename(&staging, dest) {
        if had_old {
            let _ = std::fs::rename(&old, dest);
        }
        return Err(Error::io("move results into", dest, e));
    }
    guard.0 = None;
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

    #[test]
    fn a_folder_not_written_by_geosim_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("thesis");
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("chapter1.txt"), "precious").unwrap();
        let r = write_folder(&dest, |d| {
            std::fs::write(d.join("a.csv"), "x").map_err(|e| Error::io("write", d, e))
        });
        assert!(r.is_err());
        assert_eq!(
            std::fs::read_to_string(dest.join("chapter1.txt")).unwrap(),
            "precious"
        );
        // an empty folder, and a folder geosim wrote, are replaced
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        write_folder(&empty, |d| {
            std::fs::write(d.join("a.csv"), "1").map_err(|e| Error::io("write", d, e))
        })
        .unwrap();
        write_folder(&empty, |d| {
            std::fs::write(d.join("a.csv"), "2").map_err(|e| Error::io("write", d, e))
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(empty.join("a.csv")).unwrap(), "2");
    }

    #[test]
    fn a_panic_while_writing_leaves_no_staging_folder() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("res");
        let r = std::panic::catch_unwind(|| write_folder(&dest, |_| panic!("boom")));
        assert!(r.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
