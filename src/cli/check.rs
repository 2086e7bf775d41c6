//! `geosim check`: validate a scenario and summarise the model.

use clap::Args;

use crate::error::Error;
use crate::scenario;

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Scenario name (looked up in ./scenarios, then built in) or path to a .toml file
    pub scenario: String,
    /// Override a value after merging: PATH=VALUE, e.g. variables.trust.rate=0.2 (repeatable)
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

pub fn check(args: &CheckArgs) -> Result<(), Error> {
    let s = scenario::load(&args.scenario, &args.sets)?;
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
    out.push_str("ok\n");
    super::print(&out)
}
