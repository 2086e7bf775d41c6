//! Helpers shared by the integration tests: fixture paths, running the
//! binary with fluent checks, decoded PNGs, and comparing chart data with
//! result files.

use std::path::Path;

use assert_cmd::Command;
use plotters::style::RGBColor;

pub(crate) fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// Values written to CSV keep 9 significant digits.
pub(crate) fn assert_close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (t, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-8 * w.abs().max(1.0),
            "{what}, month {t}: chart has {g}, results file {w}"
        );
    }
}

/// A decoded PNG.
pub(crate) struct Image {
    pub w: u32,
    pub h: u32,
    rgb: Vec<u8>,
}

impl Image {
    pub(crate) fn read(path: &Path) -> Self {
        let f = std::fs::File::open(path).unwrap();
        let mut reader = png::Decoder::new(std::io::BufReader::new(f))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        let channels = match info.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            c => panic!("{}: colour type {c:?}", path.display()),
        };
        let rgb = buf[..info.buffer_size()]
            .chunks(channels)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        Image {
            w: info.width,
            h: info.height,
            rgb,
        }
    }

    /// Pixels of exactly colour `c` in `rect` (grown by 3 px, since a line
    /// on the edge of a plot spills over it).
    pub(crate) fn count(&self, [l, t, r, b]: [i32; 4], c: RGBColor) -> usize {
        let (w, h) = (self.w as i32, self.h as i32);
        let mut n = 0;
        for y in (t - 3).max(0)..(b + 4).min(h) {
            for x in (l - 3).max(0)..(r + 4).min(w) {
                let i = (y * w + x) as usize * 3;
                if self.rgb[i..i + 3] == [c.0, c.1, c.2] {
                    n += 1;
                }
            }
        }
        n
    }
}

// ------------------------------------------------------------- the binary

/// What a run of the binary printed and returned, with fluent checks.
pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary in `dir`.
pub(crate) fn geosim(dir: &Path, args: &[&str]) -> Run {
    let out = Command::cargo_bin("geosim")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Run {
    /// Asserts exit code 0.
    pub(crate) fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts exit code `code`, every needle in stderr, and no panic.
    pub(crate) fn fails(self, code: i32, needles: &[&str]) -> Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        for n in needles {
            assert!(
                self.stderr.contains(n),
                "stderr lacks {n:?}:\n{}",
                self.stderr
            );
        }
        assert!(!self.stderr.contains("panicked"), "panic:\n{}", self.stderr);
        self
    }
}

pub(crate) fn ok(o: Run) -> Run {
    o.ok()
}

pub(crate) fn fails(o: Run, code: i32, needle: &str) -> Run {
    o.fails(code, &[needle])
}

/// Names of the visible files in `dir` ending in `ext`, sorted (the hidden
/// `.geosim-results` marker is left out).
pub(crate) fn files(dir: &Path, ext: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(ext) && !n.starts_with('.'))
        .collect();
    v.sort();
    v
}

/// The one folder in `dir` whose name starts with `prefix` (default result
/// folders end in details and hashes the tests need not spell out).
pub(crate) fn folder(dir: &Path, prefix: &str) -> std::path::PathBuf {
    let found: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.path())
        .collect();
    assert_eq!(
        found.len(),
        1,
        "folders starting with {prefix} in {}: {found:?}",
        dir.display()
    );
    found.into_iter().next().unwrap()
}
