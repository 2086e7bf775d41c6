//! `geosim import`: event data → an observation file (docs/IMPORT.md).
//!
//! Exports of the two standard event-data sets — GDELT 2.0 event files
//! ([`gdelt`]) and ICEWS event files ([`icews`]) — are read line by line
//! ([`read`]); the events between the two countries of a dyad are grouped
//! by month ([`stats`]); each month becomes one measurement in the
//! observation-file format of docs/FORMAT.md section 24: the month's mean
//! score (Goldstein score or ICEWS intensity, weighted by mentions for
//! GDELT) as `value`, its standard error (at least a floor) as `sd`, and
//! the counts behind it in `source`. `cli/import.rs` writes the file
//! through `output/observations.rs`.

pub(crate) mod countries;
pub(crate) mod gdelt;
pub(crate) mod icews;
pub(crate) mod read;
pub(crate) mod stats;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;

use crate::error::Error;
use crate::model::YearMonth;
use read::{Line, Lines, MAX_IMPORT_BYTES, MAX_LINE_BYTES, OpenError};
use stats::{Estimate, MIN_OWN_SPREAD, Moments, Month};

/// The event-data set a file comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Gdelt,
    Icews,
}

impl Format {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Format::Gdelt => "GDELT",
            Format::Icews => "ICEWS",
        }
    }

    /// What the monthly mean averages.
    fn score(self) -> &'static str {
        match self {
            Format::Gdelt => "GoldsteinScale",
            Format::Icews => "Intensity",
        }
    }
}

/// Which events of the dyad count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// A → B and B → A.
    Both,
    /// A → B only (actor 1 / source A, actor 2 / target B).
    Forward,
    /// B → A only.
    Backward,
}

/// What an event weighs in the monthly mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Weight {
    /// GDELT NumMentions.
    Mentions,
    /// GDELT NumSources.
    Sources,
    /// GDELT NumArticles.
    Articles,
    /// 1 per event.
    Events,
}

impl Weight {
    fn label(self) -> &'static str {
        match self {
            Weight::Mentions => "mentions",
            Weight::Sources => "sources",
            Weight::Articles => "articles",
            Weight::Events => "events",
        }
    }

    fn column(self) -> Option<&'static str> {
        match self {
            Weight::Mentions => Some("NumMentions"),
            Weight::Sources => Some("NumSources"),
            Weight::Articles => Some("NumArticles"),
            Weight::Events => None,
        }
    }
}

/// One country of the dyad, as the files spell it: a CAMEO code for
/// GDELT, a country name for ICEWS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Side {
    /// What the country cells are compared with (ignoring case).
    pub key: String,
    /// The CAMEO code, when known.
    pub code: Option<String>,
}

impl Side {
    /// How messages name it: `AZE`, `Azerbaijan (AZE)`, `Kosovo`.
    pub(crate) fn label(&self) -> String {
        match &self.code {
            Some(c) if *c != self.key => format!("{} ({c})", self.key),
            _ => self.key.clone(),
        }
    }

    /// Short form for the source cells: the code when there is one.
    fn short(&self) -> &str {
        self.code.as_deref().unwrap_or(&self.key)
    }

    fn matches(&self, cell: &[u8]) -> bool {
        let cell = cell.trim_ascii();
        if cell.eq_ignore_ascii_case(self.key.as_bytes()) {
            return true;
        }
        !cell.is_ascii() && text(cell).eq_ignore_ascii_case(&self.key)
    }
}

/// The two countries whose events are imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Dyad {
    pub a: Side,
    pub b: Side,
}

/// Parses `--dyad`: one value `A,B`, or two values (one country each, for
/// names that hold a comma). GDELT takes CAMEO codes (`AZE`); ICEWS takes
/// codes of [`countries::CAMEO_TO_ICEWS`] or ICEWS country names.
pub(crate) fn parse_dyad(format: Format, values: &[String]) -> Result<Dyad, Error> {
    let parts: Vec<&str> = match values {
        [one] => one.split(',').collect(),
        [a, b] => vec![a.as_str(), b.as_str()],
        _ => vec![],
    };
    let [a, b] = parts.as_slice() else {
        return Err(Error::usage(
            "--dyad takes two countries: `--dyad AZE,RUS`, or `--dyad A --dyad B` when a name holds a comma",
            None,
        ));
    };
    Ok(Dyad {
        a: side(format, a)?,
        b: side(format, b)?,
    })
}

fn side(format: Format, given: &str) -> Result<Side, Error> {
    let given = given.trim();
    if given.is_empty() || given.chars().any(char::is_control) || given.chars().count() > 100 {
        return Err(Error::usage(
            format!("--dyad: `{}` is not a country", given.escape_debug()),
            None,
        ));
    }
    let is_code = given.len() == 3 && given.bytes().all(|b| b.is_ascii_alphabetic());
    match format {
        Format::Gdelt if is_code => Ok(Side {
            key: given.to_ascii_uppercase(),
            code: Some(given.to_ascii_uppercase()),
        }),
        Format::Gdelt => Err(Error::usage(
            format!("--dyad: GDELT names countries by CAMEO codes of three letters, not `{given}`"),
            Some(match countries::cameo_code(given) {
                Some(c) => format!("did you mean `{c}`?"),
                None => "e.g. --dyad AZE,RUS (Azerbaijan, Russia); see docs/IMPORT.md".into(),
            }),
        )),
        Format::Icews if is_code => {
            let code = given.to_ascii_uppercase();
            match countries::icews_name(&code) {
                Some(name) => Ok(Side {
                    key: name.to_string(),
                    code: Some(code),
                }),
                None => Err(Error::usage(
                    format!("--dyad: `{code}` is not in geosim's table of CAMEO codes and ICEWS country names"),
                    Some("give the country as ICEWS names it, e.g. --dyad 'Kosovo,Serbia' (the table: docs/IMPORT.md)".into()),
                )),
            }
        }
        Format::Icews => Ok(Side {
            key: given.to_string(),
            code: countries::cameo_code(given).map(String::from),
        }),
    }
}

/// What to import.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    pub format: Format,
    pub dyad: Dyad,
    pub direction: Direction,
    pub weight: Weight,
    /// Events before `from` or after `to` are left out.
    pub from: Option<YearMonth>,
    pub to: Option<YearMonth>,
    /// Bad lines are counted and reported instead of stopping the import.
    pub skip_bad: bool,
    /// Input files; `-` is standard input.
    pub files: Vec<PathBuf>,
}

impl Request {
    /// `AZE<->RUS`, `AZE->RUS`.
    fn dyad_label(&self) -> String {
        let (a, b) = (self.dyad.a.short(), self.dyad.b.short());
        match self.direction {
            Direction::Both => format!("{a}<->{b}"),
            Direction::Forward => format!("{a}->{b}"),
            Direction::Backward => format!("{b}->{a}"),
        }
    }
}

/// A line that could not be read, located.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BadLine {
    pub file: String,
    pub line: u64,
    /// `column 31 (GoldsteinScale)`, when one cell is at fault.
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for BadLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if let Some(c) = &self.column {
            write!(f, "{c}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

/// What a line parser reports about a bad line.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Bad {
    pub column: Option<String>,
    pub message: String,
}

impl Bad {
    pub(crate) fn line(message: impl Into<String>) -> Bad {
        Bad {
            column: None,
            message: message.into(),
        }
    }

    pub(crate) fn cell(column: impl Into<String>, message: impl Into<String>) -> Bad {
        Bad {
            column: Some(column.into()),
            message: message.into(),
        }
    }
}

/// An event of the dyad, as a layout reads it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Parsed {
    pub month: YearMonth,
    pub score: f64,
    pub weight: f64,
    /// 1 verbal cooperation, 2 material cooperation, 3 verbal conflict,
    /// 4 material conflict.
    pub quad: u8,
    /// What identifies the event across files, for dropping duplicates.
    pub key: Option<u128>,
}

/// What the reader needs to know about a format's lines (split at tabs).
pub(crate) trait Layout {
    /// Reads the first non-blank line of a file; `Ok(true)` when it was a
    /// header (not data). `Err` stops the import: the file is not of this
    /// format.
    fn begin_file(&mut self, first: &[&[u8]]) -> Result<bool, (String, Option<String>)>;
    /// Checks the number of cells of a data line.
    fn check_columns(&self, n: usize) -> Result<(), Bad>;
    /// The country cells of actor 1 (source) and actor 2 (target); called
    /// after `check_columns` passed.
    fn actors<'a>(&self, cells: &[&'a [u8]]) -> (&'a [u8], &'a [u8]);
    /// The event on a line of the dyad.
    fn event(&self, cells: &[&[u8]], weight: Weight) -> Result<Parsed, Bad>;
}

/// One input file, as read.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct FileReport {
    pub display: String,
    pub sha256: String,
    pub bytes: u64,
    pub lines: u64,
    /// Events of the dyad kept from this file.
    pub events: u64,
    pub bad: u64,
}

/// Duplicate events are dropped by their identifier (GDELT GLOBALEVENTID,
/// ICEWS Event ID with Event Date); beyond this many events of the dyad,
/// checking stops (and the file says so) so memory stays bounded.
pub(crate) const MAX_DEDUP: usize = 5_000_000;

/// How many bad lines are kept to be shown.
const SHOWN_BAD: usize = 5;

/// Distinct country cells counted for the "no events" help.
const MAX_SEEN: usize = 2_000;

/// What reading the files found.
#[derive(Clone, Debug, Default)]
pub(crate) struct Imported {
    pub months: BTreeMap<YearMonth, Month>,
    /// Every kept event of the dyad, all months together.
    pub pooled: Moments,
    pub files: Vec<FileReport>,
    /// The first bad lines (with `--skip-bad`).
    pub bad: Vec<BadLine>,
    pub bad_count: u64,
    /// Empty files skipped (with `--skip-bad`).
    pub empty_files: Vec<String>,
    pub duplicates: u64,
    /// Whether duplicate checking stopped at [`MAX_DEDUP`] events.
    pub dedup_stopped: bool,
    /// Events of the dyad outside `--from` … `--to`.
    pub outside: u64,
    /// Data lines read, over all files.
    pub lines: u64,
    /// How often each country cell occurred (bounded), for help messages.
    pub seen: HashMap<String, u64>,
}

/// Reads every file of `req` and groups the dyad's events by month.
pub(crate) fn read(req: &Request) -> Result<Imported, Error> {
    let mut layout: Box<dyn Layout> = match req.format {
        Format::Gdelt => Box::new(gdelt::Gdelt),
        Format::Icews => Box::new(icews::Icews::default()),
    };
    let mut out = Imported::default();
    let mut keys: HashSet<u128> = HashSet::new();
    let mut buf = Vec::new();
    for path in &req.files {
        let display = if path.as_os_str() == "-" {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        let mut lines = Lines::open(path, MAX_IMPORT_BYTES).map_err(|e| open_error(e, &display))?;
        let mut report = FileReport {
            display: display.clone(),
            ..FileReport::default()
        };
        let mut started = false;
        let mut number = 0u64;
        loop {
            let line = lines.next(&mut buf).map_err(|e| open_error(e, &display))?;
            number += 1;
            let bad = match line {
                Line::End => break,
                Line::TooLong if !started => {
                    return Err(Error::usage(
                        format!(
                            "{display}:{number}: the first line is longer than {MAX_LINE_BYTES} bytes; {} event lines are far shorter",
                            req.format.label()
                        ),
                        None,
                    ));
                }
                Line::TooLong => Some(Bad::line(format!(
                    "the line is longer than {MAX_LINE_BYTES} bytes"
                ))),
                Line::Text if buf.iter().all(u8::is_ascii_whitespace) => continue,
                Line::Text => None,
            };
            let cells: Vec<&[u8]> = buf.split(|&b| b == b'\t').collect();
            if bad.is_none() && !started {
                started = true;
                match layout.begin_file(&cells) {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err((message, help)) => {
                        return Err(Error::usage(format!("{display}:{number}: {message}"), help));
                    }
                }
            }
            started = true;
            out.lines += 1;
            let result = match bad {
                Some(b) => Err(b),
                None => one_line(req, &*layout, &cells, &mut out.seen),
            };
            let (parsed, forward) = match result {
                Ok(Some(p)) => p,
                Ok(None) => continue,
                Err(b) => {
                    let bad = BadLine {
                        file: display.clone(),
                        line: number,
                        column: b.column,
                        message: b.message,
                    };
                    if !req.skip_bad {
                        return Err(Error::usage(
                            bad.to_string(),
                            Some("correct the line, or pass --skip-bad to leave bad lines out (they are counted and listed in the output)".into()),
                        ));
                    }
                    out.bad_count += 1;
                    report.bad += 1;
                    if out.bad.len() < SHOWN_BAD {
                        out.bad.push(bad);
                    }
                    continue;
                }
            };
            if req.from.is_some_and(|f| parsed.month < f)
                || req.to.is_some_and(|t| parsed.month > t)
            {
                out.outside += 1;
                continue;
            }
            if let Some(k) = parsed.key {
                if keys.len() < MAX_DEDUP {
                    if !keys.insert(k) {
                        out.duplicates += 1;
                        continue;
                    }
                } else if !keys.contains(&k) {
                    out.dedup_stopped = true;
                }
            }
            out.months.entry(parsed.month).or_default().add(
                parsed.score,
                parsed.weight,
                parsed.quad,
                forward,
            );
            out.pooled.add(parsed.score, parsed.weight);
            report.events += 1;
        }
        report.lines = number - 1;
        report.bytes = lines.bytes();
        report.sha256 = lines.sha256();
        if !started {
            if !req.skip_bad {
                return Err(Error::usage(
                    format!("`{display}` is empty: it holds no line of data"),
                    Some("leave it out, or pass --skip-bad to skip empty files".into()),
                ));
            }
            out.empty_files.push(display.clone());
        }
        out.files.push(report);
    }
    Ok(out)
}

/// A line's event, and whether it runs A → B, when it is one of the
/// dyad's events in the requested direction.
fn one_line(
    req: &Request,
    layout: &dyn Layout,
    cells: &[&[u8]],
    seen: &mut HashMap<String, u64>,
) -> Result<Option<(Parsed, bool)>, Bad> {
    layout.check_columns(cells.len())?;
    let (c1, c2) = layout.actors(cells);
    note(seen, c1);
    note(seen, c2);
    let Some(forward) = direction_of(req, c1, c2) else {
        return Ok(None);
    };
    layout.event(cells, req.weight).map(|p| Some((p, forward)))
}

/// `Some(true)` for A → B, `Some(false)` for B → A, `None` when the line
/// is not one of the dyad's events in the requested direction.
fn direction_of(req: &Request, c1: &[u8], c2: &[u8]) -> Option<bool> {
    let (a, b) = (&req.dyad.a, &req.dyad.b);
    let forward = a.matches(c1) && b.matches(c2);
    let backward = b.matches(c1) && a.matches(c2);
    match req.direction {
        Direction::Both if forward => Some(true),
        Direction::Both if backward => Some(false),
        Direction::Forward if forward => Some(true),
        Direction::Backward if backward => Some(false),
        _ => None,
    }
}

fn note(seen: &mut HashMap<String, u64>, cell: &[u8]) {
    let cell = cell.trim_ascii();
    if cell.is_empty() {
        return;
    }
    let t = text(cell);
    if let Some(n) = seen.get_mut(t.as_ref()) {
        *n += 1;
    } else if seen.len() < MAX_SEEN {
        seen.insert(t.into_owned(), 1);
    }
}

fn open_error(e: OpenError, display: &str) -> Error {
    match e {
        OpenError::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Error::usage(format!("no file `{display}`"), None)
        }
        OpenError::Io(e) => Error::io("read", display, e),
        OpenError::Refused(why) => {
            Error::usage(format!("`{display}` is not an event file: {why}"), None)
        }
    }
}

/// A cell as text: UTF-8, or Latin-1 when it is not valid UTF-8 (some
/// ICEWS files are).
pub(crate) fn text(cell: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(cell) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(cell.iter().map(|&b| char::from(b)).collect()),
    }
}

/// A cell for messages: trimmed, at most 40 characters, control characters
/// escaped.
pub(crate) fn shown(cell: &[u8]) -> String {
    let t = text(cell.trim_ascii());
    let mut s: String = t
        .chars()
        .take(40)
        .collect::<String>()
        .escape_debug()
        .to_string();
    if t.chars().count() > 40 {
        s.push('…');
    }
    s
}

/// The month of a calendar date, checking the day exists.
pub(crate) fn date(year: i32, month: u32, day: u32) -> Option<YearMonth> {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > days || year < 1 {
        return None;
    }
    YearMonth::new(year, month)
}

/// Digits only, as a number.
pub(crate) fn digits(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 18 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// A score cell: a finite number within −10 … 10 (Goldstein scores and
/// ICEWS intensities are on that scale).
pub(crate) fn score(cell: &[u8], column: &str) -> Result<f64, Bad> {
    let t = text(cell.trim_ascii());
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() && (-10.0..=10.0).contains(&x) => Ok(x),
        Ok(x) if x.is_finite() => Err(Bad::cell(
            column,
            format!("{x} lies outside the scale's −10 … 10"),
        )),
        _ => Err(Bad::cell(
            column,
            format!("`{}` is not a number", shown(cell)),
        )),
    }
}

// --------------------------------------------------------------- months

/// A month written to the observation file.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Row {
    pub month: YearMonth,
    pub stats: Month,
    pub estimate: Estimate,
}

/// The months of an import: those written, those without events, those
/// with too few.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Table {
    pub rows: Vec<Row>,
    /// Months without events between the first and last month (or
    /// `--from` … `--to`): left out.
    pub empty: Vec<YearMonth>,
    /// Months with fewer than `--min-events` events: left out.
    pub thin: Vec<(YearMonth, u64)>,
}

/// The observation of every month with at least `min_events` events.
pub(crate) fn table(req: &Request, imported: &Imported, min_events: u64, floor: f64) -> Table {
    let mut t = Table::default();
    let first = req.from.or(imported.months.keys().next().copied());
    let last = req.to.or(imported.months.keys().next_back().copied());
    if let (Some(first), Some(last)) = (first, last) {
        let span = first.months_until(last);
        for k in 0..=span.max(-1) {
            let m = first.plus_months(k as usize);
            if !imported.months.contains_key(&m) {
                t.empty.push(m);
            }
        }
    }
    for (&month, stats) in &imported.months {
        if stats.moments.n < min_events {
            t.thin.push((month, stats.moments.n));
            continue;
        }
        t.rows.push(Row {
            month,
            stats: stats.clone(),
            estimate: stats::estimate(&stats.moments, &imported.pooled, floor),
        });
    }
    t
}

/// The `source` cell of a month: the counts behind its value.
pub(crate) fn source_cell(req: &Request, row: &Row) -> String {
    let s = &row.stats;
    let mut out = format!(
        "{} {}: {}",
        req.format.label(),
        req.dyad_label(),
        plural(s.moments.n, "event")
    );
    if req.direction == Direction::Both {
        let (a, b) = (req.dyad.a.short(), req.dyad.b.short());
        out += &format!(" ({a}->{b} {}, {b}->{a} {})", s.forward, s.backward);
    }
    if req.weight != Weight::Events {
        out += &format!(", {} {}", s.moments.w, req.weight.label());
    }
    let q = s.quads;
    out += &format!("; quad 1/2/3/4: {}/{}/{}/{}", q[0], q[1], q[2], q[3]);
    out
}

/// `1 event`, `2 events`.
pub(crate) fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Months as `2024-03, 2024-07, … (N in all)`.
fn month_list(months: impl ExactSizeIterator<Item = String>) -> String {
    const SHOWN: usize = 24;
    let n = months.len();
    let mut v: Vec<String> = months.take(SHOWN).collect();
    if n > SHOWN {
        v.push(format!("… ({n} in all)"));
    }
    v.join(", ")
}

/// Options of the written file that are not part of the reading.
#[derive(Clone, Debug)]
pub(crate) struct Writing<'a> {
    pub variable: &'a str,
    pub min_events: u64,
    pub sd_floor: f64,
    pub scale: Option<f64>,
    pub offset: Option<f64>,
    /// The command line, as the user typed it (near enough).
    pub command: &'a str,
}

/// The comment lines on top of the written files: what was read, how the
/// numbers were made, what was left out.
pub(crate) fn comments(
    req: &Request,
    w: &Writing<'_>,
    imported: &Imported,
    t: &Table,
) -> Vec<String> {
    let mut c = Vec::new();
    let direction = match req.direction {
        Direction::Both => "both directions",
        Direction::Forward => "actor 1 -> actor 2 only",
        Direction::Backward => "actor 2 -> actor 1 only",
    };
    let set = match req.format {
        Format::Gdelt => "GDELT 2.0 events",
        Format::Icews => "ICEWS events",
    };
    c.push(format!(
        "geosim {} import: {set} between {} and {}, {direction}",
        crate::VERSION,
        req.dyad.a.label(),
        req.dyad.b.label()
    ));
    c.push(format!("command: {}", w.command));
    let (actor1, actor2) = match req.format {
        Format::Gdelt => ("Actor1CountryCode", "Actor2CountryCode"),
        Format::Icews => ("Source Country", "Target Country"),
    };
    c.push(format!(
        "events: lines whose {actor1} and {actor2} are the dyad's countries; dated by {}",
        match req.format {
            Format::Gdelt => "SQLDATE",
            Format::Icews => "Event Date",
        }
    ));
    let weighting = match req.weight.column() {
        Some(col) => format!("weighted by {col}"),
        None => "one weight per event".into(),
    };
    c.push(format!(
        "value: the month's mean {} ({weighting}); sd: its standard error s*sqrt(sum w^2)/sum w,",
        req.format.score()
    ));
    c.push(format!(
        "  s the weighted spread of the month's scores (of all the dyad's events in months with fewer than {MIN_OWN_SPREAD}), at least {}",
        crate::output::num(w.sd_floor)
    ));
    c.push(match req.format {
        Format::Gdelt => "quad: GDELT QuadClass, 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict".into(),
        Format::Icews => "quad: from the CAMEO root code, 01-05 -> 1 verbal cooperation, 06-08 -> 2 material cooperation, 09-13 -> 3 verbal conflict, 14-20 -> 4 material conflict".into(),
    });
    if w.scale.is_some() || w.offset.is_some() {
        c.push(format!(
            "observed quantity = {} * {} + {} (columns scale, offset)",
            crate::output::num(w.scale.unwrap_or(1.0)),
            w.variable,
            crate::output::num(w.offset.unwrap_or(0.0))
        ));
    }
    if let (Some(f), Some(l)) = (
        t.rows.first().map(|r| r.month),
        t.rows.last().map(|r| r.month),
    ) {
        c.push(format!(
            "months: {} written, {f} ... {l}; {} of the dyad",
            t.rows.len(),
            plural(
                t.rows.iter().map(|r| r.stats.moments.n).sum::<u64>(),
                "event"
            )
        ));
    }
    if !t.empty.is_empty() {
        c.push(format!(
            "left out, no events: {}",
            month_list(t.empty.iter().map(|m| m.to_string()))
        ));
    }
    if !t.thin.is_empty() {
        c.push(format!(
            "left out, fewer than {} events: {}",
            w.min_events,
            month_list(t.thin.iter().map(|(m, n)| format!("{m} ({n})")))
        ));
    }
    if req.from.is_some() || req.to.is_some() {
        c.push(format!(
            "window: {} ... {}; {} of the dyad outside it left out",
            req.from.map_or("-".into(), |m| m.to_string()),
            req.to.map_or("-".into(), |m| m.to_string()),
            plural(imported.outside, "event")
        ));
    }
    if imported.duplicates > 0 {
        c.push(format!(
            "duplicates: {} seen twice (same {}) counted once",
            plural(imported.duplicates, "event"),
            match req.format {
                Format::Gdelt => "GLOBALEVENTID",
                Format::Icews => "Event ID and Event Date",
            }
        ));
    }
    if imported.dedup_stopped {
        c.push(format!(
            "duplicates were looked for among the first {MAX_DEDUP} events only"
        ));
    }
    if imported.bad_count > 0 {
        c.push(format!(
            "skipped (--skip-bad): {}; the first:",
            plural(imported.bad_count, "bad line")
        ));
        for b in &imported.bad {
            c.push(format!("  {b}"));
        }
    }
    for e in &imported.empty_files {
        c.push(format!("skipped (--skip-bad): `{e}` is empty"));
    }
    const SHOWN_FILES: usize = 40;
    let n = imported.files.len();
    for f in imported.files.iter().take(SHOWN_FILES) {
        c.push(format!(
            "file: {} (sha256 {}, {} bytes, {}, {} of the dyad)",
            f.display,
            f.sha256,
            f.bytes,
            plural(f.lines, "line"),
            plural(f.events, "event")
        ));
    }
    if n > SHOWN_FILES {
        let rest = &imported.files[SHOWN_FILES..];
        c.push(format!(
            "files: … and {} more ({} lines, {} events of the dyad)",
            rest.len(),
            rest.iter().map(|f| f.lines).sum::<u64>(),
            rest.iter().map(|f| f.events).sum::<u64>()
        ));
    }
    c
}

/// The header and rows of the observation file.
pub(crate) fn observation_rows(
    req: &Request,
    w: &Writing<'_>,
    t: &Table,
) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let mapped = w.scale.is_some() || w.offset.is_some();
    let mut header = vec!["date", "variable", "value", "sd"];
    if mapped {
        header.extend(["scale", "offset"]);
    }
    header.push("source");
    let rows = t
        .rows
        .iter()
        .map(|r| {
            let mut v = vec![
                r.month.to_string(),
                w.variable.to_string(),
                crate::output::num(r.estimate.mean),
                crate::output::num(r.estimate.sd),
            ];
            if mapped {
                v.push(crate::output::num(w.scale.unwrap_or(1.0)));
                v.push(crate::output::num(w.offset.unwrap_or(0.0)));
            }
            v.push(source_cell(req, r));
            v
        })
        .collect();
    (header, rows)
}

/// The header and rows of the companion counts file (`--counts`).
pub(crate) fn count_rows(t: &Table) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let header = vec![
        "date",
        "events",
        "forward",
        "backward",
        "weight",
        "effective_n",
        "mean",
        "spread",
        "se",
        "sd",
        "own_spread",
        "quad1",
        "quad2",
        "quad3",
        "quad4",
    ];
    let opt = |x: Option<f64>| x.map_or(String::new(), crate::output::num);
    let rows = t
        .rows
        .iter()
        .map(|r| {
            let m = &r.stats.moments;
            let mut v = vec![
                r.month.to_string(),
                m.n.to_string(),
                r.stats.forward.to_string(),
                r.stats.backward.to_string(),
                crate::output::num(m.w),
                crate::output::num(m.effective_n()),
                crate::output::num(r.estimate.mean),
                opt(m.spread()),
                opt(r.estimate.se),
                crate::output::num(r.estimate.sd),
                u8::from(r.estimate.own_spread).to_string(),
            ];
            v.extend(r.stats.quads.iter().map(u64::to_string));
            v
        })
        .collect();
    (header, rows)
}

/// The countries seen most often, for the help when the dyad has no events.
pub(crate) fn most_seen(imported: &Imported, k: usize) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = imported.seen.iter().map(|(s, n)| (s.clone(), *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(k);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dyads_are_codes_for_gdelt_and_names_or_codes_for_icews() {
        let d = parse_dyad(Format::Gdelt, &["aze,RUS".into()]).unwrap();
        assert_eq!((d.a.key.as_str(), d.b.key.as_str()), ("AZE", "RUS"));
        assert!(parse_dyad(Format::Gdelt, &["Azerbaijan,RUS".into()]).is_err());
        assert!(parse_dyad(Format::Gdelt, &["AZE".into()]).is_err());
        assert!(parse_dyad(Format::Gdelt, &["AZE,RUS,TUR".into()]).is_err());
        let i = parse_dyad(Format::Icews, &["AZE,RUS".into()]).unwrap();
        assert_eq!(i.b.key, "Russian Federation");
        assert_eq!(i.b.label(), "Russian Federation (RUS)");
        let named = parse_dyad(
            Format::Icews,
            &["Moldova, Republic of".into(), "Kosovo".into()],
        )
        .unwrap();
        assert_eq!(named.a.code.as_deref(), Some("MDA"));
        assert_eq!(
            (named.b.key.as_str(), named.b.code.as_deref()),
            ("Kosovo", None)
        );
        assert!(parse_dyad(Format::Icews, &["XYZ,RUS".into()]).is_err());
    }

    #[test]
    fn sides_match_trimmed_cells_in_any_case_and_latin1() {
        let s = Side {
            key: "Cote d'Ivoire".into(),
            code: Some("CIV".into()),
        };
        assert!(s.matches(b" cote d'ivoire "));
        assert!(!s.matches(b"Cote"));
        let c = Side {
            key: "Curaçao".into(),
            code: None,
        };
        assert!(c.matches("Curaçao".as_bytes()));
        assert!(c.matches(b"Cura\xe7ao"), "Latin-1");
    }

    #[test]
    fn dates_check_the_day() {
        assert_eq!(date(2024, 2, 29), YearMonth::new(2024, 2));
        assert_eq!(date(2023, 2, 29), None);
        assert_eq!(date(1900, 2, 29), None);
        assert_eq!(date(2000, 2, 29), YearMonth::new(2000, 2));
        assert_eq!(date(2024, 4, 31), None);
        assert_eq!(date(2024, 13, 1), None);
        assert_eq!(date(2024, 1, 0), None);
    }

    #[test]
    fn scores_lie_on_the_ten_point_scale() {
        assert_eq!(score(b" -7.5", "c"), Ok(-7.5));
        assert!(score(b"10.5", "c").unwrap_err().message.contains("outside"));
        assert!(score(b"NaN", "c").is_err());
        assert!(score(b"inf", "c").is_err());
        assert!(
            score(b"", "c")
                .unwrap_err()
                .message
                .contains("not a number")
        );
    }

    #[test]
    fn shown_cells_are_short_and_escaped() {
        assert_eq!(shown(b"a\x07b"), "a\\u{7}b");
        assert_eq!(shown(&[b'x'; 50]).chars().count(), 41);
    }
}
