//! Partial results of a sharded ensemble (`geosim run --shard I/N`) and
//! their merging (`geosim merge`), docs/FORMAT.md section 27.
//!
//! A partial file is one line naming the format, one line of JSON (the
//! header: which request, which shards), then the statistics as
//! little-endian numbers compressed with deflate: the merge-tree nodes of
//! the shard's groups of runs ([`GroupTree`]) and the histograms. Merging
//! adds the nodes into one tree and sums the histograms; because the tree
//! fixes the order of every floating-point merge, the merged statistics
//! are bit for bit those of the whole request run at once.

use std::io::{Read, Write};
use std::path::Path;

use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::output::observations::write_atomic_bytes;
use crate::stats::tree::GroupTree;
use crate::stats::{Distribution, Layout, Moments};

/// The first line of every partial file.
pub const MAGIC: &str = "geosim partial result";
/// The layout of the body; a reader refuses any other.
pub const FORMAT: u32 = 1;
/// The largest partial read (a million cells of histograms, compressed).
pub const MAX_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// What a partial says about the request it belongs to.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Header {
    pub format: u32,
    pub geosim_version: String,
    pub scenario: String,
    /// The merged scenario's hash with its runs and seed, as in summary.json.
    pub scenario_sha256: String,
    pub seed: u64,
    pub runs: u64,
    /// N of `--shard I/N`.
    pub shards: u64,
    /// The shards this file holds, ascending (one for `run --shard`, more
    /// for a partial written by `merge --partial`).
    pub shard_set: Vec<u64>,
    /// The request without `--shard`: what the merged results record.
    pub command: String,
    /// Where the whole request writes its results by default.
    pub folder: String,
    /// The merged scenario, as `scenario.resolved.toml` holds it.
    pub resolved: String,
}

/// A partial result: its header and its statistics.
pub struct Partial {
    pub header: Header,
    pub tree: GroupTree,
    pub dist: Distribution,
}

/// The groups of runs shard `i` of `n` holds, of an ensemble of `groups`
/// groups: consecutive, as equal as they can be, every group in one shard.
pub fn shard_groups(groups: u64, i: u64, n: u64) -> std::ops::Range<u64> {
    let at = |k: u64| ((groups as u128 * k as u128) / n.max(1) as u128) as u64;
    at(i)..at(i + 1)
}

fn put_f64s(out: &mut Vec<u8>, xs: &[f64]) {
    out.extend((xs.len() as u64).to_le_bytes());
    for x in xs {
        out.extend(x.to_le_bytes());
    }
}

/// Counts as LEB128 varints: most histogram bins of a shard are zero or
/// small, so this is a fraction of fixed-width numbers before deflate even
/// starts, and decoding it is what makes merging fast.
fn put_counts(out: &mut Vec<u8>, xs: impl ExactSizeIterator<Item = u64>) {
    out.extend((xs.len() as u64).to_le_bytes());
    for mut x in xs {
        while x >= 0x80 {
            out.push((x as u8) | 0x80);
            x >>= 7;
        }
        out.push(x as u8);
    }
}

/// The bytes of a partial file.
pub fn encode(p: &Partial) -> Vec<u8> {
    let mut body = Vec::new();
    let nodes: Vec<(u32, u64, &Moments)> = p.tree.nodes().collect();
    body.extend((nodes.len() as u64).to_le_bytes());
    for (level, index, m) in nodes {
        body.extend(u64::from(level).to_le_bytes());
        body.extend(index.to_le_bytes());
        body.extend(m.n.to_le_bytes());
        put_f64s(&mut body, &m.mean);
        put_f64s(&mut body, &m.m2);
    }
    let d = &p.dist;
    put_counts(&mut body, d.counts.iter().map(|c| u64::from(*c)));
    put_f64s(&mut body, &d.min);
    put_f64s(&mut body, &d.max);
    put_counts(&mut body, d.regime_counts.iter().copied());
    put_counts(&mut body, d.ever.iter().copied());
    let mut z = DeflateEncoder::new(Vec::new(), Compression::fast());
    // Writing into memory cannot fail.
    let _ = z.write_all(&body);
    let body = z.finish().unwrap_or_default();
    let mut out = format!(
        "{MAGIC} {FORMAT}\n{}\n",
        serde_json::to_string(&p.header).unwrap_or_default()
    )
    .into_bytes();
    out.extend(body);
    out
}

/// Writes `p` to `path` atomically.
pub fn write(path: &Path, p: &Partial) -> Result<(), Error> {
    write_atomic_bytes(path, &encode(p))
}

/// A cursor over the decompressed body that reports truncation.
struct Body<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Body<'_> {
    fn u64(&mut self) -> Option<u64> {
        let b = self.bytes.get(self.at..self.at + 8)?;
        self.at += 8;
        Some(u64::from_le_bytes(b.try_into().ok()?))
    }

    fn varint(&mut self) -> Option<u64> {
        let mut x = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.at)?;
            self.at += 1;
            x |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(x);
            }
        }
        None
    }

    /// A length-prefixed array of exactly `want` varint counts.
    fn counts<T>(&mut self, want: usize, read: impl Fn(u64) -> Option<T>) -> Option<Vec<T>> {
        let n = self.u64()? as usize;
        if n != want || self.bytes.len().saturating_sub(self.at) < n {
            return None;
        }
        (0..n).map(|_| self.varint().and_then(&read)).collect()
    }

    /// A length-prefixed array of exactly `want` numbers.
    fn array<T>(&mut self, want: usize, read: impl Fn(u64) -> Option<T>) -> Option<Vec<T>> {
        let n = self.u64()? as usize;
        if n != want || self.bytes.len().saturating_sub(self.at) / 8 < n {
            return None;
        }
        (0..n).map(|_| self.u64().and_then(&read)).collect()
    }
}

/// Only the header of the partial at `path` (to compile its scenario
/// before the statistics are decoded).
pub fn read_header(path: &Path) -> Result<Header, Error> {
    let shown = path.display().to_string();
    let bad = |why: &str| Error::usage(format!("{shown}: {why}"), None);
    let f = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let mut lines = std::io::BufReader::new(f.take(64 * 1024 * 1024));
    let mut first = Vec::new();
    std::io::BufRead::read_until(&mut lines, b'\n', &mut first)
        .map_err(|e| Error::io("read", path, e))?;
    check_magic(first.strip_suffix(b"\n").unwrap_or(&first), &shown)?;
    let mut second = Vec::new();
    std::io::BufRead::read_until(&mut lines, b'\n', &mut second)
        .map_err(|e| Error::io("read", path, e))?;
    serde_json::from_slice(&second).map_err(|_| bad("its header is damaged"))
}

fn check_magic(first: &[u8], shown: &str) -> Result<(), Error> {
    let bad = |why: String| Error::usage(format!("{shown}: {why}"), None);
    let expected = format!("{MAGIC} {FORMAT}");
    if first == expected.as_bytes() {
        return Ok(());
    }
    Err(if first.starts_with(MAGIC.as_bytes()) {
        bad(format!(
            "written in another partial format ({}); this geosim reads format {FORMAT}: merge with the geosim version that wrote it",
            String::from_utf8_lossy(first)
        ))
    } else {
        bad("not a geosim partial result (written by `geosim run --shard I/N`)".into())
    })
}

/// The partial at `path`; `layout_of` compiles (or checks) the scenario its
/// header names and gives the statistics' layout, before the body is decoded.
pub fn read(
    path: &Path,
    mut layout_of: impl FnMut(&Header) -> Result<Layout, Error>,
) -> Result<Partial, Error> {
    let shown = path.display().to_string();
    let bad = |why: &str| Error::usage(format!("{shown}: {why}"), None);
    let meta = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    if !meta.is_file() {
        return Err(bad("not a regular file"));
    }
    if meta.len() > MAX_BYTES {
        return Err(bad("larger than any partial result geosim writes"));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let mut lines = bytes.splitn(3, |b| *b == b'\n');
    check_magic(lines.next().unwrap_or_default(), &shown)?;
    let header: Header = lines
        .next()
        .and_then(|h| serde_json::from_slice(h).ok())
        .ok_or_else(|| bad("its header is damaged"))?;
    let layout = layout_of(&header)?;
    let mut raw = Vec::new();
    DeflateDecoder::new(lines.next().unwrap_or_default())
        .take(MAX_BYTES * 8)
        .read_to_end(&mut raw)
        .map_err(|_| bad("its statistics are damaged (not deflate data)"))?;
    let damaged = || bad("its statistics are damaged or do not fit the scenario");
    let mut body = Body { bytes: &raw, at: 0 };
    let cells = layout.cells();
    let groups = header.runs.div_ceil(crate::engine::ensemble::BLOCK);
    let mut tree = GroupTree::new(groups);
    let nodes = body.u64().ok_or_else(damaged)?;
    for _ in 0..nodes {
        let (level, index, n) = (
            body.u64().ok_or_else(damaged)?,
            body.u64().ok_or_else(damaged)?,
            body.u64().ok_or_else(damaged)?,
        );
        let mean = body
            .array(cells, |b| Some(f64::from_bits(b)))
            .ok_or_else(damaged)?;
        let m2 = body
            .array(cells, |b| Some(f64::from_bits(b)))
            .ok_or_else(damaged)?;
        if level > 63 || (index.checked_shl(level as u32).is_none_or(|s| s >= groups)) {
            return Err(damaged());
        }
        tree.add(level as u32, index, Moments { n, mean, m2 });
    }
    let mut dist = Distribution::new(&layout);
    let f = |b: u64| Some(f64::from_bits(b));
    dist.counts = body
        .counts(dist.counts.len(), |b| u32::try_from(b).ok())
        .ok_or_else(damaged)?;
    dist.min = body.array(dist.min.len(), f).ok_or_else(damaged)?;
    dist.max = body.array(dist.max.len(), f).ok_or_else(damaged)?;
    dist.regime_counts = body
        .counts(dist.regime_counts.len(), Some)
        .ok_or_else(damaged)?;
    dist.ever = body.counts(dist.ever.len(), Some).ok_or_else(damaged)?;
    if body.at != raw.len() {
        return Err(damaged());
    }
    Ok(Partial { header, tree, dist })
}

/// Adds `other` (from the file `name`) into `into`, after checking that
/// both belong to one request and hold different shards.
pub fn absorb(
    into: &mut Partial,
    into_name: &str,
    other: Partial,
    name: &str,
) -> Result<(), Error> {
    let (a, b) = (&into.header, &other.header);
    let differ = |what: &str, x: String, y: String| {
        Error::usage(
            format!("{name} belongs to another request than {into_name}: its {what} is {y}, not {x}"),
            Some("merge only the partials of one `geosim run … --shard I/N` request (same scenario, --set, --runs, --seed and N)".into()),
        )
    };
    if a.seed != b.seed {
        return Err(differ("seed", a.seed.to_string(), b.seed.to_string()));
    }
    if a.runs != b.runs {
        return Err(differ("run total", a.runs.to_string(), b.runs.to_string()));
    }
    if a.shards != b.shards {
        return Err(differ(
            "shard count",
            a.shards.to_string(),
            b.shards.to_string(),
        ));
    }
    if a.scenario_sha256 != b.scenario_sha256 {
        return Err(differ(
            "scenario",
            format!(
                "`{}` ({}…)",
                a.scenario,
                &a.scenario_sha256[..a.scenario_sha256.len().min(12)]
            ),
            format!(
                "`{}` ({}…)",
                b.scenario,
                &b.scenario_sha256[..b.scenario_sha256.len().min(12)]
            ),
        ));
    }
    if let Some(dup) = b.shard_set.iter().find(|s| a.shard_set.contains(s)) {
        return Err(Error::usage(
            format!(
                "shard {dup}/{} is in both {into_name} and {name}: each shard must be merged once",
                a.shards
            ),
            None,
        ));
    }
    let Partial { header, tree, dist } = other;
    for (level, index, m) in tree.nodes() {
        into.tree.add(level, index, m.clone());
    }
    into.dist.merge(&dist);
    into.header.shard_set.extend(header.shard_set);
    into.header.shard_set.sort_unstable();
    Ok(())
}

/// "shard 3 of 8 is missing" or "shards 3, 5 of 8 are missing".
pub fn missing_text(absent: &str, n: u64) -> String {
    if absent.contains([',', ' ']) {
        format!("shards {absent} of {n} are missing")
    } else {
        format!("shard {absent} of {n} is missing")
    }
}

/// The shards of `0..n` not in `have`, as text ("5, 9, 12 and 3 more").
pub fn missing(have: &[u64], n: u64) -> Option<String> {
    let absent: Vec<u64> = (0..n).filter(|i| have.binary_search(i).is_err()).collect();
    if absent.is_empty() {
        return None;
    }
    let shown: Vec<String> = absent.iter().take(10).map(u64::to_string).collect();
    let more = absent.len().saturating_sub(10);
    Some(if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_group_once() {
        for (groups, n) in [(1u64, 1u64), (10, 3), (1563, 64), (5, 8), (0, 4)] {
            let mut next = 0;
            for i in 0..n {
                let r = shard_groups(groups, i, n);
                assert_eq!(r.start, next, "{groups}/{n} shard {i}");
                next = r.end;
            }
            assert_eq!(next, groups);
        }
    }

    #[test]
    fn missing_shards_are_listed() {
        assert_eq!(missing(&[0, 1, 2], 3), None);
        assert_eq!(missing(&[0, 2], 4).as_deref(), Some("1, 3"));
        let have: Vec<u64> = vec![0];
        assert_eq!(
            missing(&have, 13).as_deref(),
            Some("1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more")
        );
    }
}

#[cfg(test)]
mod roundtrip {
    use super::*;
    use crate::scenario::load_text;

    #[test]
    fn a_partial_reads_back_exactly() {
        let text = "name = \"t\"\n[time]\nstart = \"2020-01\"\nend = \"2020-06\"\n[ensemble]\nruns = 300\n[variables.x]\ninitial = 0.2\nrate = 0.3\nnoise = 0.1\n[regimes]\nvariable = \"x\"\nbands = [{ name = \"low\", max = 0.3 }, { name = \"high\", min = 0.3 }]\n";
        let s = load_text("t.toml", text, &[]).unwrap();
        let m = &s.model;
        let part = crate::engine::ensemble::run_part(m, 300, 1..4, 7, 1, &|_| {}).unwrap();
        let p = Partial {
            header: Header {
                format: FORMAT,
                geosim_version: "x".into(),
                scenario: "t".into(),
                scenario_sha256: "0".repeat(64),
                seed: 7,
                runs: 300,
                shards: 2,
                shard_set: vec![1],
                command: String::new(),
                folder: String::new(),
                resolved: String::new(),
            },
            tree: part.tree,
            dist: part.dist,
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.partial");
        write(&path, &p).unwrap();
        let back = match read(&path, |_| Ok(Layout::new(m))) {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(back.header, p.header);
        assert_eq!(back.dist.counts, p.dist.counts);
        assert_eq!(back.dist.ever, p.dist.ever);
        let nodes = |t: &GroupTree| -> Vec<(u32, u64, u64)> {
            t.nodes().map(|(l, i, m)| (l, i, m.n)).collect()
        };
        assert_eq!(nodes(&back.tree), nodes(&p.tree));
    }
}

/// The first line of an analysis' partial result (`sensitivity --shard`).
pub const ANALYSIS_MAGIC: &str = "geosim analysis partial 1";

/// A shard of a sensitivity analysis: the values of the evaluations it
/// made, numbered in the order the method asks for them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AnalysisPartial {
    pub geosim_version: String,
    /// The request's arguments without `--shard`, `--out` and `--quiet`:
    /// `merge` runs it again on the gathered values.
    pub args: Vec<String>,
    pub scenario_sha256: String,
    pub shards: u64,
    pub shard_set: Vec<u64>,
    /// Evaluations the whole analysis makes.
    pub rows: u64,
    /// (row, value); `null` for a value that is not a number.
    pub values: Vec<(u64, Option<f64>)>,
}

/// Whether the file at `path` is an analysis' partial result.
pub fn is_analysis(path: &Path) -> bool {
    use std::io::BufRead;
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    let mut first = String::new();
    let _ = std::io::BufReader::new(f.take(256)).read_line(&mut first);
    first.trim_end() == ANALYSIS_MAGIC
}

pub fn write_analysis(path: &Path, p: &AnalysisPartial) -> Result<(), Error> {
    let text = format!(
        "{ANALYSIS_MAGIC}\n{}\n",
        serde_json::to_string(p).unwrap_or_default()
    );
    write_atomic_bytes(path, text.as_bytes())
}

pub fn read_analysis(path: &Path) -> Result<AnalysisPartial, Error> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    if meta.len() > MAX_BYTES {
        return Err(Error::usage(
            format!("{shown}: larger than any partial result geosim writes"),
            None,
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let body = text
        .strip_prefix(ANALYSIS_MAGIC)
        .map(str::trim)
        .ok_or_else(|| Error::usage(format!("{shown}: not an analysis partial result"), None))?;
    serde_json::from_str(body).map_err(|e| Error::usage(format!("{shown}: damaged ({e})"), None))
}

/// Every row's value from the partials of one analysis (checked to belong
/// to one request, each shard once, none missing).
pub fn gather_analysis(
    parts: &[(String, AnalysisPartial)],
) -> Result<(Vec<String>, Vec<f64>), Error> {
    let (first_name, first) = &parts[0];
    let mut have: Vec<u64> = Vec::new();
    let mut values: Vec<Option<f64>> = vec![None; first.rows as usize];
    let mut seen_shard: Vec<Option<&str>> = vec![None; first.shards as usize];
    for (name, p) in parts {
        if p.args != first.args
            || p.scenario_sha256 != first.scenario_sha256
            || p.shards != first.shards
            || p.rows != first.rows
        {
            return Err(Error::usage(
                format!(
                    "{name} belongs to another request than {first_name} (its command, scenario or shard count differs)"
                ),
                Some(
                    "merge only the partials of one `geosim sensitivity … --shard I/N` request"
                        .into(),
                ),
            ));
        }
        for &s in &p.shard_set {
            let slot = seen_shard.get_mut(s as usize).ok_or_else(|| {
                Error::usage(
                    format!("{name}: shard {s} is outside 0..{}", first.shards),
                    None,
                )
            })?;
            if let Some(other) = slot {
                return Err(Error::usage(
                    format!(
                        "shard {s}/{} is in both {other} and {name}: each shard must be merged once",
                        first.shards
                    ),
                    None,
                ));
            }
            *slot = Some(name.as_str());
            have.push(s);
        }
        for &(r, v) in &p.values {
            let cell = values.get_mut(r as usize).ok_or_else(|| {
                Error::usage(
                    format!(
                        "{name}: row {r} is beyond the analysis' {} evaluations",
                        first.rows
                    ),
                    None,
                )
            })?;
            *cell = Some(v.unwrap_or(f64::NAN));
        }
    }
    have.sort_unstable();
    if let Some(absent) = missing(&have, first.shards) {
        return Err(Error::usage(
            format!(
                "{}: a merged result needs every shard of the request",
                missing_text(&absent, first.shards)
            ),
            None,
        ));
    }
    let values = values
        .into_iter()
        .enumerate()
        .map(|(r, v)| {
            v.ok_or_else(|| {
                Error::usage(
                    format!("row {r} is in no partial: the partials are damaged"),
                    None,
                )
            })
        })
        .collect::<Result<Vec<f64>, Error>>()?;
    Ok((first.args.clone(), values))
}
