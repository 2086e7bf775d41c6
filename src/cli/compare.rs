//! `geosim compare`: several scenarios side by side. Each scenario's
//! ensemble is taken from its earlier results when they are for exactly the
//! same resolved scenario, runs and seed (and this geosim version), and run
//! in memory otherwise; then one chart per variable and `compare.csv` are
//! written atomically, and a final-month table is printed.

use std::path::{Path, PathBuf};

use clap::Args;

use super::args::{ChartArgs, OutputArgs, SeedArg, ThreadsArg, ensemble_runs_parser};
use super::table::{Align, TextTable};
use crate::charts::compare::{CompareData, Entry};
use crate::charts::{RunInfo, Table, render};
use crate::engine::ensemble;
use crate::engine::filter::Conditioning;
use crate::error::Error;
use crate::output::compare::{
    COMPARE_CSV, CompareRow, EVIDENCE_CSV, EvidenceRow, write_compare, write_evidence,
};
use crate::output::readback::{read_table, results_match};
use crate::output::{atomic, request};
use crate::scenario::{self, Scenario};

pub(super) const COMPARE_EXAMPLES: &str = "\
Examples:
  geosim compare baseline proxy_drift
  geosim compare baseline proxy_drift balancing_act --variable alignment
  geosim compare baseline western_realignment --variable alignment,trust --runs 2000
  geosim compare baseline my_scenario.toml --format svg --size 1200x675 --out /tmp/cmp

Writes output/compare-<a>-<b>…/<variable>.png (one chart per variable: each scenario's
median line and 90% band, shared scales) and compare.csv, and prints the final month's
medians and regime shares. A scenario whose output/<name>/ results were produced from the
same resolved scenario, runs and seed is not run again.";

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Two or more scenarios: names (./scenarios, then built in) or .toml paths
    #[arg(required = true, num_args = 2.., value_name = "SCENARIO")]
    pub scenarios: Vec<String>,
    /// Variables to chart, comma separated or repeated (default: every variable)
    #[arg(
        long = "variable",
        visible_alias = "charts",
        value_name = "LIST",
        value_delimiter = ','
    )]
    pub variables: Vec<String>,
    /// Runs of every scenario (default: each scenario's ensemble.runs)
    #[arg(long, value_parser = ensemble_runs_parser())]
    pub runs: Option<u64>,
    #[command(flatten)]
    pub seed: SeedArg,
    /// Condition every scenario on its observations, and rank them by how well they explain the record
    #[arg(long)]
    pub condition: bool,
    #[command(flatten)]
    pub threads: ThreadsArg,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub charts: ChartArgs,
}

/// A scenario and the numbers it is compared by.
struct Compared {
    scen: Scenario,
    table: Table,
    info: RunInfo,
    /// The earlier results folder reused, if any.
    reused: Option<PathBuf>,
    /// What conditioning on the observations found, for a conditioned run.
    conditioning: Option<Conditioning>,
}

pub(super) fn compare(args: &CompareArgs) -> Result<(), Error> {
    let threads = args.threads.get();
    let request = scenario::Request {
        sets: &[],
        runs: args.runs,
        seed: args.seed.seed,
        condition: args.condition,
    };
    let scens: Vec<Scenario> = args
        .scenarios
        .iter()
        .map(|spec| scenario::load_request(spec, &request))
        .collect::<Result<_, _>>()?;
    for (i, s) in scens.iter().enumerate() {
        if scens[..i].iter().any(|o| o.model.name == s.model.name) {
            return Err(Error::usage(
                format!("scenario `{}` is given twice", s.model.name),
                Some("each scenario is labelled by its name, so the names must differ".into()),
            ));
        }
    }
    let variables = pick_variables(&scens, &args.variables)?;
    for s in &scens {
        crate::limits::check_ensemble(&s.model, s.model.ensemble.runs, threads)?;
    }

    let compared: Vec<Compared> = scens
        .into_iter()
        .map(|scen| {
            let earlier =
                super::common::run_folder(&scen.model.name, None, args.runs, args.seed.seed, &[]);
            obtain(scen, &earlier, threads)
        })
        .collect::<Result<_, _>>()?;
    let entries: Vec<Entry<'_>> = compared
        .iter()
        .map(|c| Entry {
            model: &c.scen.model,
            table: &c.table,
            info: c.info.clone(),
        })
        .collect();
    let charts: Vec<CompareData> = variables
        .iter()
        .filter_map(|v| CompareData::new(&entries, v))
        .collect();

    let dest = args.output.out.clone().unwrap_or_else(|| {
        let mut parts = vec!["compare".to_string()];
        parts.extend(compared.iter().map(|c| c.scen.model.name.clone()));
        let mut options: Vec<String> = args.runs.iter().map(|r| format!("--runs {r}")).collect();
        options.extend(args.seed.seed.map(|s| format!("--seed {s}")));
        super::common::default_folder(&parts, &options)
    });
    let opts = args.charts.options();
    let mut lines = vec![
        "compare".to_string(),
        format!("variables {}", variables.join(",")),
    ];
    for c in &compared {
        let m = &c.scen.model;
        let hash = crate::output::document_sha256(&c.scen.document, m, m.ensemble.seed);
        lines.push(format!("scenario {} {hash}", m.name));
    }
    request::write_for_request(&dest, &request::key(&lines), |dir| {
        write_compare(&dir.join(COMPARE_CSV), compare_rows(&charts))?;
        if let Some(rows) = evidence_rows(&compared) {
            write_evidence(&dir.join(EVIDENCE_CSV), &rows)?;
        }
        let Some(opts) = opts.as_ref() else {
            return Ok(());
        };
        use rayon::prelude::*;
        charts
            .par_iter()
            .map(|c| {
                let file = format!(
                    "{}.{}",
                    atomic::safe_name(&c.variable),
                    opts.format.extension()
                );
                render::render(c, &dir.join(file), opts.format, opts.size).map(drop)
            })
            .collect::<Result<Vec<()>, Error>>()
            .map(drop)
    })?;
    if !args.output.quiet {
        super::print(&table_text(&compared, &variables, &dest))?;
    }
    Ok(())
}

/// The variables to chart: those asked for (each must exist in at least one
/// scenario), or every variable of every scenario in order of appearance.
fn pick_variables(scens: &[Scenario], asked: &[String]) -> Result<Vec<String>, Error> {
    let mut all: Vec<String> = Vec::new();
    for s in scens {
        for v in &s.model.variables {
            if !all.contains(&v.name) {
                all.push(v.name.clone());
            }
        }
    }
    let asked: Vec<&str> = asked
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if asked.is_empty() {
        return Ok(all);
    }
    let mut out: Vec<String> = Vec::new();
    for a in asked {
        if !all.iter().any(|v| v == a) {
            return Err(Error::usage(
                format!("--variable: none of the scenarios has a variable `{a}`"),
                Some(format!("variables are: {}", all.join(", "))),
            ));
        }
        if !out.iter().any(|v| v == a) {
            out.push(a.to_string());
        }
    }
    Ok(out)
}

/// The scenario's numbers: reused from `earlier` (the folder `geosim run`
/// writes this request to by default) when those results match, otherwise
/// from a fresh ensemble run in memory.
fn obtain(scen: Scenario, earlier: &Path, threads: usize) -> Result<Compared, Error> {
    let model = &scen.model;
    let (runs, seed) = (model.ensemble.runs, model.ensemble.seed);
    let info = RunInfo {
        runs,
        seed,
        deterministic: false,
        conditioned: model.ensemble.condition,
    };
    // A conditioned ensemble is always run: its evidence is not stored.
    if !model.ensemble.condition
        && results_match(earlier, &scen.document, model)
        && let Some(table) = read_table(earlier, model, runs)
    {
        return Ok(Compared {
            scen,
            table,
            info,
            reused: Some(earlier.to_path_buf()),
            conditioning: None,
        });
    }
    let (stats, conditioning) = if model.ensemble.condition {
        let (stats, c) = super::run::condition(model, runs, seed, threads)?;
        (stats, Some(c))
    } else {
        let stats = ensemble::run_ensemble(model, runs, seed, threads, &|_| {}).map_err(|e| {
            Error::usage(format!("cannot start {threads} worker threads: {e}"), None)
        })?;
        (stats, None)
    };
    crate::output::check_finite(model, &stats)?;
    let table = Table::from_stats(model, &stats);
    Ok(Compared {
        scen,
        table,
        info,
        reused: None,
        conditioning,
    })
}

/// What the comparison charts draw, as rows of `compare.csv`.
fn compare_rows(charts: &[CompareData]) -> impl Iterator<Item = CompareRow<'_>> {
    charts.iter().flat_map(|c| {
        c.series.iter().flat_map(move |s| {
            s.median
                .iter()
                .enumerate()
                .map(move |(t, median)| CompareRow {
                    variable: &c.variable,
                    scenario: &s.scenario,
                    date: s.time.start.plus_months(t).to_string(),
                    median: *median,
                    band: s.band.as_ref().map(|b| (b.lo[t], b.hi[t], b.coverage)),
                })
        })
    })
}

/// The stdout table: final-month median of each variable per scenario, then
/// each scenario's final regime shares.
/// Each conditioned scenario's log evidence, its standard error and, when
/// every scenario was conditioned on the same observations, its posterior
/// probability under equal prior weights.
fn evidence_rows(compared: &[Compared]) -> Option<Vec<EvidenceRow<'_>>> {
    let conditioned: Vec<(&Compared, &Conditioning)> = compared
        .iter()
        .filter_map(|c| c.conditioning.as_ref().map(|k| (c, k)))
        .collect();
    if conditioned.is_empty() {
        return None;
    }
    let first = &conditioned[0].0.scen.model.observations;
    let same = conditioned.len() == compared.len()
        && conditioned
            .iter()
            .all(|(c, _)| c.scen.model.observations == *first);
    let top = conditioned
        .iter()
        .map(|(_, k)| k.log_evidence)
        .fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = conditioned
        .iter()
        .map(|(_, k)| (k.log_evidence - top).exp())
        .sum();
    Some(
        conditioned
            .iter()
            .map(|(c, k)| EvidenceRow {
                scenario: &c.scen.model.name,
                log_evidence: k.log_evidence,
                se: k.log_evidence_se,
                posterior: same.then(|| (k.log_evidence - top).exp() / total),
            })
            .collect(),
    )
}

fn table_text(compared: &[Compared], variables: &[String], dest: &Path) -> String {
    let mut out = String::new();
    for c in compared {
        let m = &c.scen.model;
        let source = match &c.reused {
            Some(d) => format!("results reused from {}/", d.display()),
            None => "run now".to_string(),
        };
        out.push_str(&format!(
            "{}: {} runs, seed {}, {} … {} ({source})\n",
            m.name, c.info.runs, c.info.seed, m.start, m.end
        ));
    }
    let names: Vec<&str> = compared
        .iter()
        .map(|c| c.scen.model.name.as_str())
        .collect();
    let mut columns = vec![("median in the final month", Align::Left)];
    columns.extend(names.iter().map(|n| (*n, Align::Right)));
    let mut t = TextTable::new(&columns);
    for v in variables {
        let mut row = vec![v.clone()];
        row.extend(compared.iter().map(|c| {
            let m = &c.scen.model;
            m.variables.iter().position(|x| &x.name == v).map_or_else(
                || "—".to_string(),
                |i| {
                    format!(
                        "{:.3}",
                        c.table.median_path(i).last().copied().unwrap_or(f64::NAN)
                    )
                },
            )
        }));
        t.row(row);
    }
    out.push('\n');
    out.push_str(&t.render());
    // One table per regime variable, headed by that variable, with the
    // scenarios whose bands divide it: bands of alignment are never headed
    // "regimes of tension".
    let mut groups: Vec<(String, Vec<&Compared>)> = Vec::new();
    for c in compared {
        let m = &c.scen.model;
        let Some(r) = &m.regimes else { continue };
        let var = m.variables[r.variable.0].name.clone();
        match groups.iter_mut().find(|(v, _)| *v == var) {
            Some((_, g)) => g.push(c),
            None => groups.push((var, vec![c])),
        }
    }
    for (var, group) in &groups {
        let mut bands: Vec<&str> = Vec::new();
        for c in group {
            for b in c.scen.model.regimes.iter().flat_map(|r| &r.bands) {
                if !bands.contains(&b.name.as_str()) {
                    bands.push(&b.name);
                }
            }
        }
        let heading = format!("regimes of {var}, final month");
        let mut columns = vec![(heading.as_str(), Align::Left)];
        columns.extend(
            group
                .iter()
                .map(|c| (c.scen.model.name.as_str(), Align::Right)),
        );
        let mut t = TextTable::new(&columns);
        for b in &bands {
            let mut row = vec![b.to_string()];
            row.extend(group.iter().map(|c| {
                let m = &c.scen.model;
                let share = m.regimes.as_ref().and_then(|r| {
                    let k = r.bands.iter().position(|x| x.name == *b)?;
                    c.table.regime_shares(m.months() - 1).map(|s| s[k])
                });
                share.map_or("—".to_string(), |s| format!("{:.1}%", s * 100.0))
            }));
            t.row(row);
        }
        out.push('\n');
        out.push_str(&t.render());
    }
    if let Some(rows) = evidence_rows(compared) {
        out.push_str("\nhow well each explains the record (log evidence ± se");
        let shared = rows.iter().all(|r| r.posterior.is_some());
        out.push_str(if shared {
            ", posterior probability):\n"
        } else {
            "; the observations differ, so no posterior):\n"
        });
        let mut columns = vec![
            ("scenario", Align::Left),
            ("log evidence", Align::Right),
            ("± se", Align::Right),
        ];
        if shared {
            columns.push(("posterior", Align::Right));
        }
        let mut t = TextTable::new(&columns).indent(2);
        for r in &rows {
            let mut row = vec![
                r.scenario.to_string(),
                format!("{:.3}", r.log_evidence),
                format!("{:.3}", r.se),
            ];
            row.extend(r.posterior.map(|p| format!("{:.1}%", p * 100.0)));
            t.row(row);
        }
        out.push_str(&t.render());
    }
    out.push_str(&format!(
        "\ncharts and {COMPARE_CSV} in {}/\n",
        dest.display()
    ));
    out
}
