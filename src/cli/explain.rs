//! `geosim explain`: why a variable moves, term by term.

use clap::Args;

use super::args::{ChartArgs, OutputArgs, ScenarioArgs};
use super::common;
use super::table::{Align, TextTable};
use crate::analysis::explain;
use crate::charts::analysis as charts;
use crate::charts::explain::{ExplainData, TOP_TERMS};
use crate::charts::labels;
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
explain.png to output/<scenario>-explain-<variable>-<from>..<to>/ unless --out is given.

explain.png: on top the variable's level and its target; below, each month's change
as stacked bars of the --top largest terms (8 at most; the rest merged), positive up, negative down,
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
    /// Terms named in the printed table and on the chart (the chart names
    /// at most 8); the others are merged into one row
    #[arg(long, default_value_t = TOP_TERMS)]
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
    if args.top == 0 {
        return Err(Error::usage("--top must be at least 1", None));
    }
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
        format!("top {}", args.top.min(TOP_TERMS)),
        format!(
            "scenario {}",
            output::document_sha256(&scen.document, m, m.ensemble.seed)
        ),
    ]);
    request::write_for_request(&dest, &key, |dir| {
        out::write_explain(&dir.join(out::EXPLAIN_CSV), m, &e)?;
        charts::write(dir, "explain", opts.as_ref(), || {
            ExplainData::new(m, &e, args.top)
        })
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
    let (named, rest) = e.split(args.top);
    let active = named.len() + rest.len();
    text.push_str(&format!(
        "{active} terms contribute{}\n\n",
        if rest.is_empty() {
            String::new()
        } else {
            format!(
                "; the {} largest (by their total over the window) and the other {} together",
                named.len(),
                rest.len()
            )
        }
    ));
    let mut t = TextTable::new(&[("term", Align::Left), ("contribution", Align::Right)]);
    for term in &named {
        t.row(vec![
            labels::explain_term(m, &e, term),
            format!("{:+.4}", term.total()),
        ]);
    }
    if !rest.is_empty() {
        let sum: f64 = rest.iter().map(|t| t.total()).sum();
        t.row(vec![
            format!("{} other terms", rest.len()),
            format!("{sum:+.4}"),
        ]);
    }
    t.row(vec!["total".into(), format!("{:+.4}", e.actual_change())]);
    text.push_str(&t.render());
    if args.top > TOP_TERMS && named.len() > TOP_TERMS {
        text.push_str(&format!(
            "(the chart names the {TOP_TERMS} largest and merges the others)\n"
        ));
    }
    text.push_str(&format!("\nresults in {}/\n", dest.display()));
    super::print(&text)
}
