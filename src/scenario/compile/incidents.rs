//! `[[incidents]]`: random shock processes with a monthly rate.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::shocks::{self, DecayClasses, ShockFile, ShockKind};
use super::time::Horizon;
use super::{Checker, Names, show_path};
use crate::model::{Domain, Draw, Incident, ParamId, SourceId};
use crate::scenario::file::{Finite, IncidentFile, Month};

/// Every valid incident process, in file order (one without a valid
/// `base_rate` or with an effect that cannot be sampled is reported and
/// left out). Registers each process's `base_rate`, then its `jump`, then
/// its `pressure` values.
pub(super) fn compile(
    c: &mut Checker<'_>,
    incidents: &[IncidentFile],
    names: &Names<'_>,
    horizon: &Horizon,
    decay: &mut DecayClasses,
) -> Vec<Incident> {
    let mut seen = HashMap::new();
    incidents
        .iter()
        .enumerate()
        .filter_map(|(i, inc)| incident(c, i, inc, &mut seen, names, horizon, decay))
        .collect()
}

fn incident(
    c: &mut Checker<'_>,
    i: usize,
    inc: &IncidentFile,
    seen: &mut HashMap<String, usize>,
    names: &Names<'_>,
    horizon: &Horizon,
    decay: &mut DecayClasses,
) -> Option<Incident> {
    let name = shocks::name(c, ShockKind::Incident, i, inc.name.as_ref(), seen);
    let base_rate = base_rate(c, i, &name, inc);
    let rate_by = rate_by(c, i, &name, &inc.rate_by, names);
    let file = ShockFile {
        half_life: inc.half_life,
        jump: &inc.jump,
        pressure: &inc.pressure,
    };
    let shock = shocks::compile(c, ShockKind::Incident, i, &name, file, names, decay);
    let window = window(c, i, &name, (inc.start, inc.end), horizon);
    let (base_rate, shock) = (base_rate?, shock?);
    Some(Incident {
        name,
        base_rate,
        rate_by,
        jumps: shock.jumps,
        pressures: shock.pressures,
        decay_class: shock.decay_class,
        window,
        evidence: inc.evidence.clone(),
    })
}

/// The required `base_rate` (expected incidents per month, >= 0).
fn base_rate(c: &mut Checker<'_>, i: usize, name: &str, inc: &IncidentFile) -> Option<ParamId> {
    let idx = i.to_string();
    let Some(b) = &inc.base_rate else {
        c.err(
            &["incidents", &idx],
            format!("incident `{name}` is missing `base_rate` (expected incidents per month)"),
        );
        return None;
    };
    let shown = show_path(&["incidents", name, "base_rate"]);
    let at = ["incidents", idx.as_str(), "base_rate"];
    c.param_named(&at, shown, &b.0, Domain::NonNegative, Draw::PerRun)
}

/// `rate_by`: source name → factor; unknown names are reported and left out.
fn rate_by(
    c: &mut Checker<'_>,
    i: usize,
    name: &str,
    table: &IndexMap<String, Finite>,
    names: &Names<'_>,
) -> Vec<(SourceId, f64)> {
    let mut out = Vec::new();
    for (k, f) in table {
        match names.source(k) {
            Some(s) => out.push((SourceId(s), f.0)),
            None => c.err_key(
                &["incidents", &i.to_string(), "rate_by", k],
                format!("incident `{name}`: rate_by names unknown variable or driver `{k}`"),
                Some(names.source_help(k)),
            ),
        }
    }
    out
}

/// The first and last month index at which the process can fire, from its
/// `start` and `end` (default: the horizon's). Occurrences land at months
/// 1..months-1 (month 0 is the initial state); an empty window is (1, 0).
fn window(
    c: &mut Checker<'_>,
    i: usize,
    name: &str,
    (start, end): (Option<Month>, Option<Month>),
    horizon: &Horizon,
) -> (usize, usize) {
    let from = start.map_or(horizon.start, |m| m.0);
    let to = end.map_or(horizon.end, |m| m.0);
    if from > to {
        c.err(
            &["incidents", &i.to_string(), "end"],
            format!("incident `{name}`: start {from} is after end {to}"),
        );
    }
    let first = horizon.start.months_until(from).max(1);
    let last = horizon
        .start
        .months_until(to)
        .min(horizon.months as i64 - 1);
    if first <= last {
        (first as usize, last as usize)
    } else {
        (1, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{BASE, compiles, only_error, only_error_with_help};
    use crate::model::{Dist, Domain, SourceId};

    const DRIVER: &str = "[drivers.d]\npoints = [[\"2020-01\", 1]]\n";

    #[test]
    fn defaults_rate_by_and_window() {
        let m = compiles(&format!(
            "{BASE}{DRIVER}[[incidents]]\nname = \"c\"\nbase_rate = 0.1\nrate_by = {{ d = 2, x = 1 }}\n\
             [[incidents]]\nname = \"late\"\nbase_rate = 0.2\nstart = \"2020-06\"\nend = \"2031-01\"\n"
        ));
        let (c, late) = (&m.incidents[0], &m.incidents[1]);
        assert_eq!(c.rate_by, [(SourceId(1), 2.0), (SourceId(0), 1.0)]);
        assert_eq!(c.window, (1, 11));
        assert_eq!(
            m.decay_factors[c.decay_class],
            crate::model::rule::decay_factor(6.0)
        );
        assert_eq!(late.window, (5, 11));
        assert_eq!(m.params[c.base_rate.0].path, "incidents.c.base_rate");
        assert_eq!(m.params[c.base_rate.0].domain, Domain::NonNegative);
        assert_eq!(m.params[late.base_rate.0].dist, Dist::Fixed(0.2));
    }

    #[test]
    fn window_outside_the_horizon_is_empty() {
        let m = compiles(&format!(
            "{BASE}[[incidents]]\nname = \"c\"\nbase_rate = 0.1\nstart = \"2019-01\"\nend = \"2019-12\"\n"
        ));
        assert_eq!(m.incidents[0].window, (1, 0));
    }

    #[test]
    fn incident_without_name() {
        assert_eq!(
            only_error(&format!("{BASE}[[incidents]]\nbase_rate = 0.1\n")),
            "t.toml:8:1: incident process #1 has no `name`"
        );
    }

    #[test]
    fn duplicate_incident_names() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[[incidents]]\nname = \"c\"\nbase_rate = 0.1\n\
                 [[incidents]]\nname = \"c\"\nbase_rate = 0.1\n"
            )),
            "t.toml:12:8: incident name `c` is used twice (#1 and #2)"
        );
    }

    #[test]
    fn incident_without_base_rate() {
        assert_eq!(
            only_error(&format!("{BASE}[[incidents]]\nname = \"c\"\n")),
            "t.toml:8:1: incident `c` is missing `base_rate` (expected incidents per month)"
        );
    }

    #[test]
    fn negative_base_rate() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[[incidents]]\nname = \"c\"\nbase_rate = -1\n"
            )),
            "t.toml:10:13: incidents.c.base_rate = -1 is outside its valid range: it must be >= 0"
        );
    }

    #[test]
    fn rate_by_unknown_source_suggests_a_name() {
        let (msg, help) = only_error_with_help(&format!(
            "{BASE}{DRIVER}[[incidents]]\nname = \"c\"\nbase_rate = 0.1\nrate_by = {{ dd = 1 }}\n"
        ));
        assert_eq!(
            msg,
            "t.toml:13:13: incident `c`: rate_by names unknown variable or driver `dd`"
        );
        assert_eq!(
            help.as_deref(),
            Some("did you mean `d`? Known names: `x`, `d`")
        );
    }

    #[test]
    fn start_after_end_points_at_end() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[[incidents]]\nname = \"c\"\nbase_rate = 0.1\nstart = \"2020-06\"\nend = \"2020-05\"\n"
            )),
            "t.toml:12:7: incident `c`: start 2020-06 is after end 2020-05"
        );
    }

    #[test]
    fn start_after_the_horizon_without_end_points_at_the_incident() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[[incidents]]\nname = \"c\"\nbase_rate = 0.1\nstart = \"2021-06\"\n"
            )),
            "t.toml:8:1: incident `c`: start 2021-06 is after end 2020-12"
        );
    }
}
