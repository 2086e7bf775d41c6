//! Observation files written by `geosim import` (docs/FORMAT.md section 24,
//! docs/IMPORT.md): `#` comment lines, a header, one row per month, and
//! the file written atomically — into a temporary file beside the target,
//! flushed to disk, then renamed over it, so a reader sees the old file or
//! the new one, never half of one.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Error;

/// The text of a CSV file: every comment line as `# …` (control characters
/// escaped, so a file name cannot break a line), then the header and rows,
/// quoted where a cell needs it.
pub(crate) fn csv_text(comments: &[String], header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for c in comments {
        out.push_str("# ");
        for ch in c.chars() {
            if ch.is_control() {
                out.extend(ch.escape_default());
            } else {
                out.push(ch);
            }
        }
        out.push('\n');
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing into memory cannot fail, and every row has the header's
    // length by construction.
    let mut put = |cells: Vec<&str>| {
        let _ = w.write_record(cells);
    };
    put(header.to_vec());
    for r in rows {
        put(r.iter().map(String::as_str).collect());
    }
    let bytes = w.into_inner().unwrap_or_default();
    out.push_str(&String::from_utf8_lossy(&bytes));
    out
}

static TEMP_SERIAL: AtomicU64 = AtomicU64::new(0);

/// Writes `text` to `path` atomically: a temporary `.NAME.tmp-PID-N`
/// beside it (removed on any failure), flushed, given the permissions of
/// the file it replaces, then renamed into place. A symbolic link is
/// written through (its target is replaced, the link stays). The parent
/// folder is created when missing. A folder at `path` is refused.
pub(crate) fn write_atomic(path: &Path, text: &str) -> Result<(), Error> {
    write_atomic_bytes(path, text.as_bytes())
}

/// [`write_atomic`] for any bytes.
pub(crate) fn write_atomic_bytes(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let target = resolve_link(path)?;
    if target.is_dir() {
        return Err(Error::usage(
            format!("`{}` is a folder; give a file name", path.display()),
            None,
        ));
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| Error::io("create", &parent, e))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::usage(format!("`{}` does not name a file", path.display()), None))?;
    let temp = parent.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        TEMP_SERIAL.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        f.write_all(bytes)?;
        if let Ok(meta) = fs::metadata(&target) {
            f.set_permissions(meta.permissions())?;
        }
        f.sync_all()?;
        fs::rename(&temp, &target)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&temp);
        Error::io("write", path, e)
    })
}

/// The file a path names, following symbolic links (a link to a missing
/// file names that file).
fn resolve_link(path: &Path) -> Result<PathBuf, Error> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p).map_err(|e| Error::io("read the link", &p, e))?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(Error::usage(
        format!("`{}`: too many levels of symbolic links", path.display()),
        None,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_header_and_quoted_cells() {
        let text = csv_text(
            &["made by a test".into(), "file: a\nb.csv".into()],
            &["date", "source"],
            &[vec!["2024-01".into(), "GDELT: 3 events, 7 mentions".into()]],
        );
        assert_eq!(
            text,
            "# made by a test\n# file: a\\nb.csv\ndate,source\n2024-01,\"GDELT: 3 events, 7 mentions\"\n"
        );
    }

    #[test]
    fn writes_replace_atomically_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("obs.csv");
        write_atomic(&path, "one\n").unwrap();
        write_atomic(&path, "two\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two\n");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(write_atomic(dir.path(), "x").is_err(), "a folder");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        write_atomic(&link, "new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }
}
