//! `geosim run --shard I/N` and `geosim merge`: one ensemble cut into
//! shards that run anywhere (a Slurm job array, a Kubernetes Indexed Job,
//! `xargs -P`), merged into exactly the results of a single run
//! (docs/FORMAT.md section 27).

use std::path::{Path, PathBuf};

use clap::{Args, Parser};

use super::args::ChartArgs;
use super::run::{RunFolder, write_run_folder};
use crate::charts;
use crate::engine::ensemble::{self, BLOCK};
use crate::error::Error;
use crate::output::{self, partial};
use crate::scenario;
use crate::stats::{EnsembleStats, Layout, Moments};

pub(super) const MERGE_EXAMPLES: &str = "\
Examples:
  geosim run baseline --runs 1000000 --shard 0/4     (and 1/4, 2/4, 3/4, anywhere)
  geosim merge output/baseline-runs1000000-shards/*.partial
  seq 0 7 | xargs -P 8 -I{} geosim run baseline --runs 200000 --shard {}/8 --quiet
  geosim merge part-a.partial part-b.partial --partial ab.partial   (a merge of merges)
  geosim sensitivity baseline --method sobol --shard 2/16   (then merge the 16 partials)

Every shard runs whole groups of 64 runs of the same request and writes a partial result
(statistics, compressed); merge checks that the partials belong to one request and that
every shard is there exactly once, then writes the results folder of the whole request,
byte for byte what one machine would have written (the default folder is that request's).
Recipes for Slurm and Kubernetes: docs/FORMAT.md section 27.";

/// `I/N`: shard I (from 0) of N.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

/// The most shards a request may be cut into.
pub(super) const MAX_SHARDS: u64 = 1 << 20;

pub(super) fn parse_shard(text: &str) -> Result<Shard, String> {
    let (i, n) = text.split_once('/').ok_or_else(|| {
        format!("`{text}` is not I/N (e.g. 3/64: shard 3, counting from 0, of 64)")
    })?;
    let i: u64 = i
        .trim()
        .parse()
        .map_err(|_| format!("`{i}` in `{text}` is not a whole number"))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("`{n}` in `{text}` is not a whole number"))?;
    if n == 0 || n > MAX_SHARDS {
        return Err(format!("N must be from 1 to {MAX_SHARDS}, not {n}"));
    }
    if i >= n {
        return Err(format!(
            "shard {i} of {n} does not exist: shards count from 0 to {}",
            n - 1
        ));
    }
    Ok(Shard { index: i, count: n })
}

/// Runs shard `shard` of the request and writes its partial result to
/// `out` (default: `<request folder>-shards/shard-I-of-N.partial`).
pub(super) fn run_shard(
    scen: &scenario::Scenario,
    shard: Shard,
    threads: usize,
    command: String,
    folder: PathBuf,
    out: Option<&Path>,
    quiet: bool,
) -> Result<(), Error> {
    let m = &scen.model;
    let (runs, seed) = (m.ensemble.runs, m.ensemble.seed);
    let groups = runs.div_ceil(BLOCK);
    let range = partial::shard_groups(groups, shard.index, shard.count);
    let part = ensemble::run_part(m, runs, range.clone(), seed, threads, &|_| {})
        .map_err(|e| Error::usage(format!("cannot start {threads} worker threads: {e}"), None))?;
    let doc = output::resolved_document(&scen.document, m, seed);
    let header = partial::Header {
        format: partial::FORMAT,
        geosim_version: crate::VERSION.into(),
        scenario: m.name.clone(),
        scenario_sha256: output::document_sha256(&scen.document, m, seed),
        seed,
        runs,
        shards: shard.count,
        shard_set: vec![shard.index],
        command,
        folder: folder.display().to_string(),
        resolved: toml::to_string(&doc).unwrap_or_default(),
    };
    let path = partial_path(out, &folder, shard);
    let p = partial::Partial {
        header,
        tree: part.tree,
        dist: part.dist,
    };
    partial::write(&path, &p)?;
    if !quiet {
        let size = std::fs::metadata(&path).map_or(0, |meta| meta.len());
        super::print(&format!(
            "{} — shard {}/{}: runs {}..{} of {runs} ({} groups of {BLOCK}), seed {seed}\npartial result {} ({:.1} KiB); merge all {} with `geosim merge`\n",
            m.name,
            shard.index,
            shard.count,
            (range.start * BLOCK).min(runs),
            (range.end * BLOCK).min(runs),
            range.end - range.start,
            path.display(),
            size as f64 / 1024.0,
            shard.count
        ))?;
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Partial results written by `geosim run … --shard I/N` (or by `merge --partial`)
    #[arg(required = true, value_name = "PARTIAL")]
    pub partials: Vec<PathBuf>,
    /// Results folder (default: the folder the whole request writes to)
    #[arg(long, value_name = "DIR", conflicts_with = "partial")]
    pub out: Option<PathBuf>,
    /// Write the merged partials as one partial file instead (some shards may still be missing)
    #[arg(long, value_name = "FILE")]
    pub partial: Option<PathBuf>,
    /// Print nothing on stdout
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub chart: ChartArgs,
    /// Charts to draw, as for `geosim run --charts`
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        conflicts_with = "no_charts"
    )]
    pub charts: Option<Vec<String>>,
}

pub(super) fn merge(args: &MergeArgs) -> Result<(), Error> {
    if partial::is_analysis(&args.partials[0]) {
        return merge_analysis(args);
    }
    // The scenario is compiled once, from the first partial's header; every
    // other partial must belong to the same request (checked as they are
    // absorbed, in the order given). Decoding, the bulk of the work, runs
    // in parallel.
    let first_path = &args.partials[0];
    let first_name = first_path.display().to_string();
    let header = partial::read_header(first_path)?;
    let scen = scenario::load_text(&format!("{}.toml", header.scenario), &header.resolved, &[])?;
    let layout = Layout::new(&scen.model);
    // A few partials at a time: decoded in parallel, absorbed in order, so
    // memory stays at a few partials whatever their number.
    let width = 2 * rayon::current_num_threads().max(1);
    let mut total: Option<partial::Partial> = None;
    for chunk in args.partials.chunks(width) {
        let decoded: Vec<Result<partial::Partial, Error>> = {
            use rayon::prelude::*;
            chunk
                .par_iter()
                .map(|p| partial::read(p, |_| Ok(layout.clone())))
                .collect()
        };
        for (path, next) in chunk.iter().zip(decoded) {
            let next = next?;
            match total.as_mut() {
                None => total = Some(next),
                Some(t) => partial::absorb(t, &first_name, next, &path.display().to_string())?,
            }
        }
    }
    let total = total.expect("at least one partial");
    let h = &total.header;
    if let Some(file) = &args.partial {
        partial::write(file, &total)?;
        if !args.quiet {
            super::print(&format!(
                "{} — {} of {} shards merged into {}{}\n",
                h.scenario,
                h.shard_set.len(),
                h.shards,
                file.display(),
                partial::missing(&h.shard_set, h.shards)
                    .map_or(String::new(), |m| format!(" (still missing: {m})"))
            ))?;
        }
        return Ok(());
    }
    if let Some(absent) = partial::missing(&h.shard_set, h.shards) {
        let what = partial::missing_text(&absent, h.shards);
        return Err(Error::usage(
            format!("{what}: a merged result needs every shard of the request"),
            Some("run the missing shards, or merge what you have with --partial FILE and add the rest later".into()),
        ));
    }
    let m = &scen.model;
    let moments = total
        .tree
        .total()
        .cloned()
        .unwrap_or_else(|| Moments::new(Layout::new(m).cells()));
    let stats = EnsembleStats {
        layout: Layout::new(m),
        moments,
        dist: total.dist,
    };
    output::check_finite(m, &stats)?;
    let chart_kinds = if args.chart.no_charts {
        Vec::new()
    } else {
        charts::plan(m, false, args.charts.as_deref())?
    };
    let dest = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(&total.header.folder));
    let chart_opts = args.chart.options();
    let results = write_run_folder(
        &dest,
        &RunFolder {
            model: m,
            document: &scen.document,
            stats: &stats,
            seed: total.header.seed,
            deterministic: false,
            trajectory: None,
            command: total.header.command.clone(),
            conditioning: None,
            saved: &[],
            chart_kinds: &chart_kinds,
            chart_opts: chart_opts.as_ref(),
        },
    )?;
    if !args.quiet {
        super::print(&super::run::summary_text(&results, &dest))?;
    }
    Ok(())
}

/// Merges the partials of a sharded sensitivity analysis: gathers every
/// evaluation's value and runs the request again on them.
fn merge_analysis(args: &MergeArgs) -> Result<(), Error> {
    if args.partial.is_some() {
        return Err(Error::usage(
            "--partial merges the partials of `run --shard`; an analysis' partials are merged all at once",
            None,
        ));
    }
    let parts = args
        .partials
        .iter()
        .map(|p| Ok((p.display().to_string(), partial::read_analysis(p)?)))
        .collect::<Result<Vec<_>, Error>>()?;
    let (request, values) = partial::gather_analysis(&parts)?;
    let cli = super::Cli::try_parse_from(&request).map_err(|e| {
        Error::usage(
            format!(
                "the partials' request `{}` no longer parses: {e}",
                request.join(" ")
            ),
            None,
        )
    })?;
    match cli.command {
        super::Command::Sensitivity(mut a) => {
            a.output.out = args.out.clone().or(a.output.out);
            a.output.quiet = args.quiet;
            super::sensitivity::sensitivity_with(&a, Some(values))
        }
        super::Command::Sweep(mut a) => {
            a.output.out = args.out.clone().or(a.output.out);
            a.output.quiet = args.quiet;
            super::sweep::sweep_with(&a, Some(values))
        }
        _ => Err(Error::usage(
            format!(
                "the partials' request `{}` is not a sensitivity analysis or a sweep",
                request.join(" ")
            ),
            None,
        )),
    }
}

/// Where a shard's partial goes: `--out`, or beside the request's folder.
pub(super) fn partial_path(out: Option<&Path>, folder: &Path, shard: Shard) -> PathBuf {
    out.map(Path::to_path_buf).unwrap_or_else(|| {
        let mut name = folder.as_os_str().to_owned();
        name.push("-shards");
        PathBuf::from(name).join(format!("shard-{}-of-{}.partial", shard.index, shard.count))
    })
}

/// Writes an analysis shard's partial and says so (`what`: which request,
/// which part of it).
pub(super) fn write_analysis_shard(
    path: &Path,
    part: &partial::AnalysisPartial,
    quiet: bool,
    what: &str,
) -> Result<(), Error> {
    partial::write_analysis(path, part)?;
    if quiet {
        return Ok(());
    }
    super::print(&format!(
        "{what}\npartial result {}; merge all {} with `geosim merge`\n",
        path.display(),
        part.shards
    ))
}
