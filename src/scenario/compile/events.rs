//! `[[events]]`: dated, scheduled shocks.

use std::collections::HashMap;

use super::shocks::{self, DecayClasses, ShockFile, ShockKind};
use super::time::Horizon;
use super::{Checker, Names};
use crate::model::Event;
use crate::scenario::file::EventFile;

/// Every valid event, in file order (one without a date, or with an effect
/// that cannot be sampled, is reported and left out). Registers each
/// event's `jump`, then `pressure` values.
pub(super) fn compile(
    c: &mut Checker<'_>,
    events: &[EventFile],
    names: &Names<'_>,
    horizon: &Horizon,
    decay: &mut DecayClasses,
) -> Vec<Event> {
    let mut seen = HashMap::new();
    events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| event(c, i, e, &mut seen, names, horizon, decay))
        .collect()
}

fn event(
    c: &mut Checker<'_>,
    i: usize,
    e: &EventFile,
    seen: &mut HashMap<String, usize>,
    names: &Names<'_>,
    horizon: &Horizon,
    decay: &mut DecayClasses,
) -> Option<Event> {
    let name = shocks::name(c, ShockKind::Event, i, e.name.as_ref(), seen);
    let Some(date) = e.date.map(|m| m.0) else {
        c.err(
            &["events", &i.to_string()],
            format!("event `{name}` has no `date` (\"YYYY-MM\")"),
        );
        return None;
    };
    let file = ShockFile {
        half_life: e.half_life,
        jump: &e.jump,
        pressure: &e.pressure,
    };
    let shock = shocks::compile(c, ShockKind::Event, i, &name, file, names, decay)?;
    Some(Event {
        name,
        date,
        month: horizon.month_of(date),
        jumps: shock.jumps,
        pressures: shock.pressures,
        half_life: shock.half_life,
        decay_class: shock.decay_class,
        evidence: e.evidence.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{BASE, compiles, only_error};
    use crate::model::{Dist, VarId};

    #[test]
    fn dates_become_month_indices_and_effects_parameters() {
        let m = compiles(&format!(
            "{BASE}[[events]]\nname = \"in\"\ndate = \"2020-03\"\njump = {{ x = 0.1 }}\n\
             pressure = {{ x = 0.2 }}\nevidence = \"s\"\n\
             [[events]]\nname = \"before\"\ndate = \"2019-12\"\n"
        ));
        let (a, b) = (&m.events[0], &m.events[1]);
        assert_eq!(
            (a.name.as_str(), a.date.to_string(), a.month),
            ("in", "2020-03".into(), Some(2))
        );
        assert_eq!(a.evidence.as_deref(), Some("s"));
        assert_eq!(
            a.jumps.iter().map(|(v, p)| (*v, p.0)).collect::<Vec<_>>(),
            [(VarId(0), 4)]
        );
        assert_eq!(
            a.pressures
                .iter()
                .map(|(v, p)| (*v, p.0))
                .collect::<Vec<_>>(),
            [(VarId(0), 5)]
        );
        assert_eq!(m.params[4].path, "events.in.jump.x");
        assert_eq!(m.params[5].dist, Dist::Fixed(0.2));
        assert_eq!((b.month, b.jumps.len(), b.half_life), (None, 0, 6.0));
    }

    #[test]
    fn event_without_name() {
        assert_eq!(
            only_error(&format!("{BASE}[[events]]\ndate = \"2020-02\"\n")),
            "t.toml:8:1: event #1 has no `name`"
        );
    }

    #[test]
    fn event_without_date() {
        assert_eq!(
            only_error(&format!("{BASE}[[events]]\nname = \"e\"\n")),
            "t.toml:8:1: event `e` has no `date` (\"YYYY-MM\")"
        );
    }

    #[test]
    fn duplicate_event_names_point_at_the_second() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[[events]]\nname = \"e\"\ndate = \"2020-02\"\n\
                 [[events]]\nname = \"e\"\ndate = \"2020-03\"\n"
            )),
            "t.toml:12:8: event name `e` is used twice (events #1 and #2)"
        );
    }
}
