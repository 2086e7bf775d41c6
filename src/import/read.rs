//! Reading event files line by line with bounds: only regular files (or
//! standard input, named `-`), at most [`MAX_IMPORT_BYTES`] each, lines of
//! at most [`MAX_LINE_BYTES`], never the whole file in memory. Every byte
//! read goes into a SHA-256 digest, which the observation file records so
//! the import can be traced to the exact files.

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

/// Largest event file read, in bytes. The files are streamed, so this
/// bounds the time an import takes, not its memory: a GDELT 1.0 daily
/// file holds about 100 MB, a year of ICEWS about 300 MB.
pub(crate) const MAX_IMPORT_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Longest line, in bytes. GDELT lines are below 2 KB (the URL is the
/// longest cell), ICEWS lines below 1 KB; a longer line is a bad line.
pub(crate) const MAX_LINE_BYTES: usize = 64 * 1024;

/// Why an input cannot be read as an event file.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// An I/O failure (exit code 1); `NotFound` is reported as a user error.
    Io(io::Error),
    /// Not a file geosim reads: the reason, completing "`FILE` is not an
    /// event file: …".
    Refused(String),
}

/// One line as read.
pub(crate) enum Line {
    /// The bytes of the line, without its line break (`\n` or `\r\n`).
    Text,
    /// The line was longer than [`MAX_LINE_BYTES`]; it was skipped.
    TooLong,
    /// The end of the input.
    End,
}

/// A bounded line reader over a file or standard input.
pub(crate) struct Lines {
    inner: BufReader<Box<dyn Read>>,
    digest: Sha256,
    bytes: u64,
    limit: u64,
}

impl Lines {
    /// Opens `path` (`-`: standard input). Devices, FIFOs, sockets and
    /// folders are refused before they are opened, as are files larger
    /// than `limit`.
    pub(crate) fn open(path: &Path, limit: u64) -> Result<Lines, OpenError> {
        let reader: Box<dyn Read> = if path == Path::new("-") {
            Box::new(io::stdin())
        } else {
            let meta = std::fs::metadata(path).map_err(OpenError::Io)?;
            if !meta.is_file() {
                return Err(OpenError::Refused(format!(
                    "it is {}, not a regular file",
                    crate::scenario::library::kind_of(&meta.file_type())
                )));
            }
            if meta.len() > limit {
                return Err(OpenError::Refused(too_large(meta.len(), limit)));
            }
            Box::new(std::fs::File::open(path).map_err(OpenError::Io)?)
        };
        let mut lines = Lines {
            inner: BufReader::with_capacity(256 * 1024, reader),
            digest: Sha256::new(),
            bytes: 0,
            limit,
        };
        lines.refuse_archives()?;
        Ok(lines)
    }

    /// Archives are refused with a hint: GDELT and ICEWS ship zipped.
    fn refuse_archives(&mut self) -> Result<(), OpenError> {
        let head = self.inner.fill_buf().map_err(OpenError::Io)?;
        let why = if head.starts_with(b"PK\x03\x04") {
            Some(
                "it is a ZIP archive; unzip it first (`unzip FILE.zip`, or `unzip -p FILE.zip | geosim import … -`)",
            )
        } else if head.starts_with(&[0x1f, 0x8b]) {
            Some(
                "it is gzip-compressed; decompress it first (`gunzip`, or `zcat FILE.gz | geosim import … -`)",
            )
        } else {
            None
        };
        match why {
            Some(w) => Err(OpenError::Refused(w.into())),
            None => Ok(()),
        }
    }

    /// Reads the next line into `buf` (cleared first). A line longer than
    /// [`MAX_LINE_BYTES`] is consumed to its end but not kept.
    pub(crate) fn next(&mut self, buf: &mut Vec<u8>) -> Result<Line, OpenError> {
        buf.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let avail = match self.inner.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(OpenError::Io(e)),
            };
            if avail.is_empty() {
                return Ok(match (any, too_long) {
                    (false, _) => Line::End,
                    (true, true) => Line::TooLong,
                    (true, false) => {
                        trim_cr(buf);
                        Line::Text
                    }
                });
            }
            any = true;
            let (take, done) = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            let content = if done { &avail[..take - 1] } else { avail };
            if !too_long && buf.len() + content.len() <= MAX_LINE_BYTES {
                buf.extend_from_slice(content);
            } else {
                too_long = true;
                buf.clear();
            }
            self.digest.update(&avail[..take]);
            self.bytes += take as u64;
            self.inner.consume(take);
            if self.bytes > self.limit {
                return Err(OpenError::Refused(too_large(self.bytes, self.limit)));
            }
            if done {
                if too_long {
                    return Ok(Line::TooLong);
                }
                trim_cr(buf);
                return Ok(Line::Text);
            }
        }
    }

    /// Bytes read so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The SHA-256 of everything read, in hex.
    pub(crate) fn sha256(self) -> String {
        self.digest
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

fn trim_cr(buf: &mut Vec<u8>) {
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
}

fn too_large(size: u64, limit: u64) -> String {
    format!(
        "it holds {size} bytes or more; event files of more than {limit} bytes are refused (split it)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(bytes: &[u8]) -> Vec<Option<String>> {
        let mut l = Lines {
            inner: BufReader::with_capacity(7, Box::new(io::Cursor::new(bytes.to_vec()))),
            digest: Sha256::new(),
            bytes: 0,
            limit: u64::MAX,
        };
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            match l.next(&mut buf).unwrap() {
                Line::Text => out.push(Some(String::from_utf8_lossy(&buf).into_owned())),
                Line::TooLong => out.push(None),
                Line::End => break,
            }
        }
        out
    }

    #[test]
    fn splits_lines_across_buffer_refills() {
        assert_eq!(
            lines_of(b"first line\r\nsecond\n\nlast without break"),
            vec![
                Some("first line".into()),
                Some("second".into()),
                Some(String::new()),
                Some("last without break".into())
            ]
        );
        assert!(lines_of(b"").is_empty());
    }

    #[test]
    fn an_overlong_line_is_skipped_and_reading_goes_on() {
        let mut text = vec![b'x'; MAX_LINE_BYTES + 10];
        text.extend_from_slice(b"\nnext\n");
        assert_eq!(lines_of(&text), vec![None, Some("next".into())]);
        let exact = vec![b'y'; MAX_LINE_BYTES];
        assert_eq!(lines_of(&exact).len(), 1);
        assert!(lines_of(&exact)[0].is_some());
    }

    #[test]
    fn the_limit_holds_while_reading() {
        let mut l = Lines {
            inner: BufReader::new(Box::new(io::Cursor::new(b"a\nb\nc\n".to_vec()))),
            digest: Sha256::new(),
            bytes: 0,
            limit: 3,
        };
        let mut buf = Vec::new();
        assert!(matches!(l.next(&mut buf), Ok(Line::Text)), "2 bytes");
        assert!(
            matches!(l.next(&mut buf), Err(OpenError::Refused(_))),
            "4 bytes"
        );
    }

    #[test]
    fn the_digest_covers_every_byte() {
        let mut l = Lines {
            inner: BufReader::new(Box::new(io::Cursor::new(b"abc".to_vec()))),
            digest: Sha256::new(),
            bytes: 0,
            limit: 100,
        };
        let mut buf = Vec::new();
        while !matches!(l.next(&mut buf).unwrap(), Line::End) {}
        assert_eq!(l.bytes(), 3);
        assert_eq!(
            l.sha256(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
