//! `geosim explain`: why a variable moves, term by term.

use clap::Args;

use super::args::{ChartArgs, OutputArgs, ScenarioArgs};
use super::common;
use crate::analysis::explain;
use crate::charts::analysis as charts;
use crate::charts::explain::ExplainData;
use crate::error::Error;
use crate::output::{self, analysis as out, request};
use crate::scenario;

pub(super) const EXPLAIN_EXAMPLES: &str = "\
Examples:
  geosim explain baseline
  geosim explain baseline --variable alignment --from 2024-06 --to 2025-12
  geosim explain russian_world_exit --variable tension --top 5
  geosim explain baseline --format svg --size 1200x675

Splits the variable's monthly change in the deterministic run into the terms of its
signal (bias, each influence, each event's pressure), jumps, self-adjustment and
clamping; the terms add up to the actual change. Writes explain.csv and the chart
explain.png to output/<scenario>-explain-<variable>/ unless --out is given.

explain.png: on top the variable's level and its target; below, each month's change
as stacked bars of the 8 largest terms (the rest merged), positive up, negative down,
with the net change as a line. --no-charts skips it.";

#[derive(Args, Debug)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The variable to explain (default: the regime variable)
    #[arg(long)]
    pub variable: Option<String>,
    /// First month of the window, YYYY-MM (default: the scenario's start)
    #[arg(long, value_name = "YYYY-MM")]
    pub from: Option<String>,
    /// Last month of the window, YYYY-MM (default: the scenario's end)
    #[arg(long, value_name = "YYYY-MM")]
    pub to: Option<String>,
    /// Rows of the printed table
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub charts: ChartArgs,
}

pub(super) fn explain(args: &ExplainArgs) -> Result<(), Error> {
    let scen = scenario::load(&args.scenario.scenario, &args.scenario.sets)?;
    let m = &scen.model;
    let var = common::variable(m, args.variable.as_deref())?;
    let from = args
        .from
        .as_deref()
        .map_or(Ok(0), |t| common::month(m, t, "--from"))?;
    let to = args
        .to
        .as_deref()
        .map_or(Ok(m.months() - 1), |t| common::month(m, t, "--to"))?;
    if from >= to {
        return Err(Error::usage("--from must come before --to", None));
    }
    let e = explain::explain(m, var, from, to);
    let vname = &m.variables[var.0].name;
    let dest = args.output.out.clone().unwrap_or_else(|| {
        let window = format!("{}..{}", m.date(from), m.date(to));
        let parts = [m.name.clone(), "explain".into(), vname.clone(), window];
        common::default_folder(&parts, &common::sets_options(&args.scenario.sets))
    });
    let opts = args.charts.options();
    let key = request::key(&[
        "explain".into(),
        format!("variable {vname}"),
        format!("window {}..{}", m.date(from), m.date(to)),
        format!(
            "scenario {}",
            output::document_sha256(&scen.document, m, m.ensemble.seed)
        ),
    ]);
    request::write_for_request(&dest, &key, |dir| {
        out::write_explain(&dir.join(out::EXPLAIN_CSV), m, &e)?;
        charts::write(dir, "explain", opts.as_ref(), || ExplainData::new(m, &e))
    })?;
    if args.output.quiet {
        return Ok(());
    }
    let mut text = format!(
        "{} in {}: {:.4} at {} → {:.4} at {} (change {:+.4})\n\n",
        vname,
        m.name,
        e.state[0],
        m.date(from),
        e.state[e.state.len() - 1],
        m.date(to),
        e.actual_change()
    );
    let ranked = e.ranked();
    let width = ranked
        .iter()
        .take(args.top)
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(10)
        .max(10);
    text.push_str(&format!("{:<width$}  {:>10}\n", "term", "contribution"));
    for t in ranked.iter().take(args.top) {
        text.push_str(&format!("{:<width$}  {:>+10.4}\n", t.name, t.total()));
    }
    let rest: f64 = ranked.iter().skip(args.top).map(|t| t.total()).sum();
    if ranked.len() > args.top {
        text.push_str(&format!(
            "{:<width$}  {:>+10.4}\n",
            format!("({} other terms)", ranked.len() - args.top),
            rest
        ));
    }
    text.push_str(&format!(
        "{:<width$}  {:>+10.4}\n",
        "total",
        e.actual_change()
    ));
    text.push_str(&format!("\nresults in {}/\n", dest.display()));
    super::print(&text)
}
