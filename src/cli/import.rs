//! `geosim import`: GDELT or ICEWS event files → an observation file
//! (docs/IMPORT.md).

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::error::Error;
use crate::import::{self, Direction, Format, Request, Weight, Writing};
use crate::limits::{MAX_FILE_BYTES, MAX_MAGNITUDE, MAX_NAME_CHARS};
use crate::model::YearMonth;
use crate::output::observations;

pub(super) const IMPORT_EXAMPLES: &str = "\
Examples:
  geosim import --format gdelt --dyad AZE,RUS --variable alignment --scale 10 \\
                --from 2020-01 --to 2025-12 --out scenarios/data/gdelt-aze-rus.csv 2024*.export.CSV
  geosim import --format icews --dyad AZE,RUS --variable alignment --scale 10 \\
                --counts icews-counts.csv --out icews-aze-rus.csv events.2022.*.tab events.2023.*.tab
  unzip -p 20240101.export.CSV.zip | geosim import --format gdelt --dyad AZE,RUS --variable alignment -

Each month with events of the dyad becomes one measurement: value = the month's mean
Goldstein score (GDELT, weighted by NumMentions; --weight changes that) or ICEWS intensity
(one weight per event); sd = its standard error, at least --sd-floor. Months without events
are left out. The source cell holds the counts (events, each direction, mentions, quad
classes 1-4); --counts writes them as a table too. With --scale S --offset O the file says
index = S x variable + O (e.g. --scale 10 for a -1 … 1 variable and Goldstein's -10 … 10).
Use it from a scenario with [[observations]] file = \"data/gdelt-aze-rus.csv\" (relative to
the scenario file); the months must lie inside the scenario's horizon (--from/--to). ICEWS takes CAMEO codes (mapped to ICEWS
country names; see docs/IMPORT.md) or the names themselves: --dyad Kosovo --dyad Serbia.

Bad lines (wrong column count, bad date or number) stop the import naming FILE:LINE and the
column; --skip-bad counts them, lists the first in the output and goes on.
Exit codes: 0 written, 1 a file could not be read or written, 2 bad arguments or input.";

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Event files: GDELT 2.0 event exports (*.export.CSV, unzipped) or ICEWS event files
    /// (*.tab); `-` reads standard input
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// The event data set the files come from
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// The two countries: A,B (CAMEO codes such as AZE,RUS; for ICEWS also country names),
    /// or --dyad A --dyad B
    #[arg(long, value_name = "A,B", required = true)]
    pub dyad: Vec<String>,
    /// The scenario variable (or driver) the observations are of
    #[arg(long, value_name = "NAME")]
    pub variable: String,
    /// Which events count: both directions, A->B only (forward), or B->A only (backward)
    #[arg(long, value_enum, default_value_t = DirectionArg::Both)]
    pub direction: DirectionArg,
    /// What an event weighs in the mean (default: mentions for GDELT, events for ICEWS)
    #[arg(long, value_enum)]
    pub weight: Option<WeightArg>,
    /// Leave out events before this month
    #[arg(long, value_name = "YYYY-MM", value_parser = month)]
    pub from: Option<YearMonth>,
    /// Leave out events after this month
    #[arg(long, value_name = "YYYY-MM", value_parser = month)]
    pub to: Option<YearMonth>,
    /// Leave out months with fewer events than this
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub min_events: u64,
    /// The least sd written, in the index's units (Goldstein / intensity points)
    #[arg(long, value_name = "SD", default_value_t = 0.5, value_parser = positive)]
    pub sd_floor: f64,
    /// Write `scale`: the index is SCALE x variable + OFFSET
    #[arg(long, allow_negative_numbers = true, value_parser = nonzero)]
    pub scale: Option<f64>,
    /// Write `offset` (see --scale)
    #[arg(long, allow_negative_numbers = true, value_parser = finite)]
    pub offset: Option<f64>,
    /// Count and report bad lines (and empty files) instead of stopping
    #[arg(long)]
    pub skip_bad: bool,
    /// Also write the monthly counts as a table to this CSV file
    #[arg(long, value_name = "FILE")]
    pub counts: Option<PathBuf>,
    /// The observation file to write (default, or `-`: standard output)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print no summary
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// GDELT 2.0 event files: 61 tab-separated columns, no header
    Gdelt,
    /// ICEWS event files: tab-separated, with a header row
    Icews,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum DirectionArg {
    Both,
    Forward,
    Backward,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum WeightArg {
    /// GDELT NumMentions
    Mentions,
    /// GDELT NumSources
    Sources,
    /// GDELT NumArticles
    Articles,
    /// One per event
    Events,
}

fn month(s: &str) -> Result<YearMonth, String> {
    YearMonth::parse(s)
}

fn finite(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x.abs() <= MAX_MAGNITUDE => Ok(x),
        _ => Err(format!("`{s}` is not a number within ±{MAX_MAGNITUDE:e}")),
    }
}

fn nonzero(s: &str) -> Result<f64, String> {
    let x = finite(s)?;
    if x == 0.0 {
        return Err("0 would make the index independent of the variable".into());
    }
    Ok(x)
}

fn positive(s: &str) -> Result<f64, String> {
    let x = finite(s)?;
    if x > 0.0 {
        Ok(x)
    } else {
        Err(format!("`{s}` is not a number > 0"))
    }
}

pub(super) fn import(args: &ImportArgs) -> Result<(), Error> {
    let req = request(args)?;
    check_outputs(args)?;
    let variable = args.variable.trim();
    if variable.is_empty()
        || variable.chars().any(char::is_control)
        || variable.chars().count() > MAX_NAME_CHARS
    {
        return Err(Error::usage(
            format!(
                "--variable: `{}` is not a variable name",
                variable.escape_debug()
            ),
            None,
        ));
    }
    let imported = import::read(&req)?;
    if imported.pooled.n == 0 {
        return Err(no_events(&req, &imported));
    }
    let table = import::table(&req, &imported, args.min_events, args.sd_floor);
    if table.rows.is_empty() {
        return Err(Error::usage(
            format!(
                "no month has at least --min-events {} events of the dyad",
                args.min_events
            ),
            None,
        ));
    }
    let command = command_line();
    let writing = Writing {
        variable,
        min_events: args.min_events,
        sd_floor: args.sd_floor,
        scale: args.scale,
        offset: args.offset,
        command: &command,
    };
    let comments = import::comments(&req, &writing, &imported, &table);
    let (header, rows) = import::observation_rows(&req, &writing, &table);
    let text = observations::csv_text(&comments, &header, &rows);
    if text.len() as u64 > MAX_FILE_BYTES {
        eprintln!(
            "warning: the observation file holds {} bytes; scenarios read observation files of at most {MAX_FILE_BYTES} bytes (narrow it with --from/--to)",
            text.len()
        );
    }
    if let Some(path) = &args.counts {
        let (h, r) = import::count_rows(&table);
        observations::write_atomic(path, &observations::csv_text(&comments, &h, &r))?;
    }
    match out_file(args) {
        Some(path) => observations::write_atomic(path, &text)?,
        None => super::print(&text)?,
    }
    if !args.quiet {
        let summary = summary(args, &req, &imported, &table);
        if out_file(args).is_some() {
            super::print(&summary)?;
        } else {
            eprint!("{summary}");
        }
    }
    Ok(())
}

fn request(args: &ImportArgs) -> Result<Request, Error> {
    let format = match args.format {
        FormatArg::Gdelt => Format::Gdelt,
        FormatArg::Icews => Format::Icews,
    };
    let weight = match (format, args.weight) {
        (Format::Gdelt, None) => Weight::Mentions,
        (Format::Icews, None | Some(WeightArg::Events)) => Weight::Events,
        (Format::Icews, Some(w)) => {
            return Err(Error::usage(
                format!(
                    "--weight {}: ICEWS files count no mentions, sources or articles; ICEWS events weigh 1 each",
                    w.to_possible_value()
                        .map_or_else(String::new, |v| v.get_name().to_string())
                ),
                None,
            ));
        }
        (Format::Gdelt, Some(w)) => match w {
            WeightArg::Mentions => Weight::Mentions,
            WeightArg::Sources => Weight::Sources,
            WeightArg::Articles => Weight::Articles,
            WeightArg::Events => Weight::Events,
        },
    };
    if let (Some(f), Some(t)) = (args.from, args.to)
        && f > t
    {
        return Err(Error::usage(
            format!("--from {f} comes after --to {t}"),
            None,
        ));
    }
    if args.files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        return Err(Error::usage("standard input (`-`) can be read once", None));
    }
    Ok(Request {
        format,
        dyad: import::parse_dyad(format, &args.dyad)?,
        direction: match args.direction {
            DirectionArg::Both => Direction::Both,
            DirectionArg::Forward => Direction::Forward,
            DirectionArg::Backward => Direction::Backward,
        },
        weight,
        from: args.from,
        to: args.to,
        skip_bad: args.skip_bad,
        files: args.files.clone(),
    })
}

/// The file `--out` names; `None` for standard output (no `--out`, or `-`).
fn out_file(args: &ImportArgs) -> Option<&PathBuf> {
    args.out.as_ref().filter(|p| p.as_os_str() != "-")
}

/// The outputs must not overwrite an input or each other.
fn check_outputs(args: &ImportArgs) -> Result<(), Error> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    };
    let outputs = [
        ("--out", out_file(args)),
        ("--counts", args.counts.as_ref()),
    ];
    for (flag, out) in outputs {
        let Some(out) = out else { continue };
        if let Some(input) = args.files.iter().find(|f| same(f, out)) {
            return Err(Error::usage(
                format!("{flag} `{}` is also an input file", input.display()),
                Some("write the observations to another file".into()),
            ));
        }
    }
    if let (Some(a), Some(b)) = (out_file(args), &args.counts)
        && same(a, b)
    {
        return Err(Error::usage("--out and --counts name the same file", None));
    }
    Ok(())
}

/// The error when no line is an event of the dyad, with the countries the
/// files do mention.
fn no_events(req: &Request, imported: &import::Imported) -> Error {
    let seen = import::most_seen(imported, 12);
    let what = match req.format {
        Format::Gdelt => "country codes",
        Format::Icews => "country names",
    };
    let mut help = if seen.is_empty() {
        "the files hold no events with countries".to_string()
    } else {
        format!(
            "the {what} most frequent in these files: {}",
            seen.iter()
                .map(|(c, n)| format!("{} ({n})", import::shown(c.as_bytes())))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if imported.outside > 0 {
        help = format!(
            "{} events of the dyad lie outside --from/--to; {help}",
            imported.outside
        );
    }
    Error::usage(
        format!(
            "no events between {} and {} in {} of {}",
            req.dyad.a.label(),
            req.dyad.b.label(),
            import::plural(imported.lines, "line"),
            import::plural(imported.files.len() as u64, "file")
        ),
        Some(help),
    )
}

/// The command as typed, for the comment on top of the file.
fn command_line() -> String {
    let mut parts = vec!["geosim".to_string()];
    parts.extend(std::env::args_os().skip(1).map(|a| {
        let a = a.to_string_lossy();
        let plain = !a.is_empty()
            && a.chars()
                .all(|c| c.is_alphanumeric() || "-_./,:=@+%".contains(c));
        if plain {
            a.into_owned()
        } else {
            format!("'{}'", a.replace('\'', "'\\''"))
        }
    }));
    parts.join(" ")
}

fn summary(
    args: &ImportArgs,
    req: &Request,
    imported: &import::Imported,
    table: &import::Table,
) -> String {
    let events: u64 = table.rows.iter().map(|r| r.stats.moments.n).sum();
    let (first, last) = (
        table
            .rows
            .first()
            .map(|r| r.month.to_string())
            .unwrap_or_default(),
        table
            .rows
            .last()
            .map(|r| r.month.to_string())
            .unwrap_or_default(),
    );
    let mut s = format!(
        "{} {} and {}: {} in {} ({first} … {last}) from {}, {}\n",
        req.format.label(),
        req.dyad.a.label(),
        req.dyad.b.label(),
        import::plural(events, "event"),
        import::plural(table.rows.len() as u64, "month"),
        import::plural(imported.files.len() as u64, "file"),
        import::plural(imported.lines, "line")
    );
    let target = out_file(args).map_or("standard output".into(), |p| p.display().to_string());
    s += &format!(
        "  wrote {target}: {} observations of `{}`\n",
        table.rows.len(),
        args.variable.trim()
    );
    if let Some(c) = &args.counts {
        s += &format!("  wrote {}: the monthly counts\n", c.display());
    }
    if !table.empty.is_empty() {
        s += &format!(
            "  left out {} without events\n",
            import::plural(table.empty.len() as u64, "month")
        );
    }
    if !table.thin.is_empty() {
        s += &format!(
            "  left out {} with fewer than {} events\n",
            import::plural(table.thin.len() as u64, "month"),
            args.min_events
        );
    }
    if imported.bad_count > 0 {
        s += &format!(
            "  skipped {}; the first:\n",
            import::plural(imported.bad_count, "bad line")
        );
        for b in &imported.bad {
            s += &format!("    {b}\n");
        }
    }
    if !imported.empty_files.is_empty() {
        s += &format!(
            "  skipped {}\n",
            import::plural(imported.empty_files.len() as u64, "empty file")
        );
    }
    if imported.duplicates > 0 {
        s += &format!(
            "  counted {} once\n",
            import::plural(imported.duplicates, "duplicate event")
        );
    }
    if imported.outside > 0 {
        s += &format!(
            "  left out {} outside --from/--to\n",
            import::plural(imported.outside, "event")
        );
    }
    s
}
