//! Result folders tied to the request that produced them. Every folder
//! records a key of its request (the scenario's hash, the mode and every
//! option that changes the numbers) in a hidden file. A later request with
//! the same key produces the same results, so it keeps the folder's files
//! and only adds or replaces what it writes (`--charts alignment` then
//! `--charts regimes` leaves both charts, `--format svg` adds SVG beside
//! PNG); any other request replaces the folder whole.

use std::path::Path;

use super::atomic;
use crate::error::Error;

/// The hidden file holding the request key.
pub const REQUEST_FILE: &str = ".geosim-request";

/// Writes the folder `dest` for the request `key` through `fill`, keeping
/// the files of an earlier result of the same request.
pub fn write_for_request(
    dest: &Path,
    key: &str,
    fill: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    let same = std::fs::read_to_string(dest.join(REQUEST_FILE)).is_ok_and(|k| k == key);
    atomic::write_folder_keeping(dest, same, |dir| {
        fill(dir)?;
        let path = dir.join(REQUEST_FILE);
        std::fs::write(&path, key).map_err(|e| Error::io("write", path, e))
    })
}

/// A request key: the program version, then the request's lines.
pub fn key(lines: &[String]) -> String {
    let mut out = format!("geosim {}\n", crate::VERSION);
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// SHA-256 of a text, in hex.
pub fn sha256(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dest: &Path, key: &str, file: &str) {
        write_for_request(dest, key, |d| {
            std::fs::write(d.join(file), file).map_err(|e| Error::io("write", d, e))
        })
        .unwrap();
    }

    #[test]
    fn the_same_request_keeps_files_and_another_replaces_them() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("r");
        write(&dest, "a", "one.png");
        write(&dest, "a", "two.png");
        assert!(dest.join("one.png").exists() && dest.join("two.png").exists());
        write(&dest, "b", "three.png");
        assert!(!dest.join("one.png").exists() && !dest.join("two.png").exists());
        assert!(dest.join("three.png").exists());
        assert_eq!(
            std::fs::read_to_string(dest.join(REQUEST_FILE)).unwrap(),
            "b"
        );
    }
}
