//! `geosim check`: validate a scenario and summarise the model.

use clap::Args;

use super::args::ScenarioArgs;
use crate::error::Error;
use crate::scenario;

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}

pub(super) fn check(args: &CheckArgs) -> Result<(), Error> {
    let s = scenario::load(&args.scenario.scenario, &args.scenario.sets)?;
    let m = &s.model;
    let uncertain = m.params.iter().filter(|p| p.dist.is_uncertain()).count();
    let in_horizon = m.events.iter().filter(|e| e.month.is_some()).count();
    let mut out = format!("{} — {}\n", m.name, m.title);
    out.push_str(&format!("  files        {}\n", s.chain.join(" <- ")));
    out.push_str(&format!(
        "  horizon      {} … {} ({} months)\n",
        m.start,
        m.end,
        m.months()
    ));
    out.push_str(&format!(
        "  variables    {} ({})\n",
        m.variables.len(),
        m.variables
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    out.push_str(&format!(
        "  drivers      {} ({})\n",
        m.drivers.len(),
        m.drivers
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let lags: Vec<String> = m.lags.iter().map(|l| l.to_string()).collect();
    let cited = m.influences.iter().filter(|i| i.evidence.is_some()).count();
    out.push_str(&format!(
        "  influences   {} (lags in months: {}; {} cite evidence)\n",
        m.influences.len(),
        if lags.is_empty() {
            "-".into()
        } else {
            lags.join(", ")
        },
        cited
    ));
    out.push_str(&format!(
        "  events       {} ({} within the horizon)\n",
        m.events.len(),
        in_horizon
    ));
    out.push_str(&format!(
        "  incidents    {}{}\n",
        m.incidents.len(),
        if m.incidents.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                m.incidents
                    .iter()
                    .map(|i| i.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    if let Some(r) = &m.regimes {
        out.push_str(&format!(
            "  regimes      {} bands of {} ({})\n",
            r.bands.len(),
            m.variables[r.variable.0].name,
            r.bands
                .iter()
                .map(|b| b.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out.push_str(&format!(
        "  parameters   {} ({} uncertain)\n",
        m.params.len(),
        uncertain
    ));
    out.push_str(&format!(
        "  ensemble     {} runs, seed {}\n",
        m.ensemble.runs, m.ensemble.seed
    ));
    out.push_str(&model_report(m));
    out.push_str("ok\n");
    super::print(&out)
}

/// Feedback loops, stability of the one-month map, idle sources, evidence.
fn model_report(m: &crate::model::Model) -> String {
    let r = crate::analysis::report::report(m);
    let name = |i: usize| m.variables[i].name.as_str();
    let mut out =
        String::from("\nfeedback loops among the variables (gain = product of central weights):\n");
    if r.loops.is_empty() {
        out.push_str("  none\n");
    }
    const SHOWN: usize = 12;
    for l in r.loops.iter().take(SHOWN) {
        let mut path: Vec<&str> = l.path.iter().map(|&i| name(i)).collect();
        path.push(name(l.path[0]));
        out.push_str(&format!(
            "  {:<11} gain {:+.3}  delay {:>2} mo  {}\n",
            l.polarity(),
            l.gain,
            l.delay,
            path.join(" -> ")
        ));
    }
    if r.loops.len() > SHOWN {
        let count = |p: &str| r.loops.iter().filter(|l| l.polarity() == p).count();
        let inactive = match count("inactive") {
            0 => String::new(),
            n => format!(", {n} inactive (a weight of 0 on the way)"),
        };
        out.push_str(&format!(
            "  … {} loops in all ({} reinforcing, {} balancing{inactive}){}\n",
            r.loops.len(),
            count("reinforcing"),
            count("balancing"),
            if r.loops_truncated {
                ", enumeration stopped at the limit"
            } else {
                ""
            }
        ));
    }
    let eig: Vec<String> = r
        .eigenvalues
        .iter()
        .map(|(re, im)| {
            if im.abs() <= 1e-3 * re.hypot(*im) {
                format!("{re:.3}")
            } else {
                format!("{re:.3}{im:+.3}i")
            }
        })
        .collect();
    out.push_str(&format!(
        "\nstability at the deterministic end state ({}): Jacobian eigenvalues {}\n  spectral radius {:.3}: {}\n",
        m.end,
        eig.join(", "),
        r.spectral_radius,
        r.verdict
    ));
    if !r.idle_sources.is_empty() {
        out.push_str(&format!(
            "\ninfluence nothing: {}\n",
            r.idle_sources.join(", ")
        ));
    }
    let pct = |(a, b): (usize, usize)| {
        if b == 0 {
            100.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    out.push_str(&format!(
        "\nevidence: {}/{} influences ({:.0}%) and {}/{} events and incidents ({:.0}%) cite a source\n",
        r.cited_influences.0,
        r.cited_influences.1,
        pct(r.cited_influences),
        r.cited_events.0,
        r.cited_events.1,
        pct(r.cited_events)
    ));
    out
}
