//! What events and incidents share: their names, their `jump` and
//! `pressure` tables, and `half_life` with the decay classes it selects.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::{Checker, DEFAULT_HALF_LIFE, Names, show_path};
use crate::model::{Domain, Draw, ParamId, VarId, rule};
use crate::scenario::file::{Finite, ParamFile};

/// Which kind of shock is compiled: the section it lives in, how messages
/// call it, and when its effects are drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ShockKind {
    Event,
    Incident,
}

impl ShockKind {
    /// The section of the file: `events` or `incidents`.
    pub(super) fn section(self) -> &'static str {
        match self {
            ShockKind::Event => "events",
            ShockKind::Incident => "incidents",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            ShockKind::Event => "event",
            ShockKind::Incident => "incident",
        }
    }

    fn draw(self) -> Draw {
        match self {
            ShockKind::Event => Draw::PerRun,
            ShockKind::Incident => Draw::PerOccurrence,
        }
    }
}

/// One distinct half-life per class, in order of first use; events and
/// incidents share the classes.
#[derive(Default)]
pub(super) struct DecayClasses(Vec<f64>);

impl DecayClasses {
    fn class_of(&mut self, half_life: f64) -> usize {
        match self
            .0
            .iter()
            .position(|x| x.to_bits() == half_life.to_bits())
        {
            Some(i) => i,
            None => {
                self.0.push(half_life);
                self.0.len() - 1
            }
        }
    }

    /// The per-month decay factor of each class.
    pub(super) fn factors(&self) -> Vec<f64> {
        self.0.iter().map(|h| rule::decay_factor(*h)).collect()
    }
}

/// The `#i` entry's name, checked: written, and not used by an earlier entry
/// of the same section (`seen` maps each name to its entry).
pub(super) fn name(
    c: &mut Checker<'_>,
    kind: ShockKind,
    i: usize,
    written: Option<&String>,
    seen: &mut HashMap<String, usize>,
) -> String {
    let idx = i.to_string();
    let name = written.cloned().unwrap_or_default();
    if name.is_empty() {
        let msg = match kind {
            ShockKind::Event => format!("event #{} has no `name`", i + 1),
            ShockKind::Incident => format!("incident process #{} has no `name`", i + 1),
        };
        c.err(&[kind.section(), &idx], msg);
    } else if let Some(p) = super::text::problem(super::text::Text::ShockName, &name) {
        let noun = match kind {
            ShockKind::Event => "event",
            ShockKind::Incident => "incident",
        };
        c.err(
            &[kind.section(), &idx, "name"],
            format!("{noun} name `{name}` {p}"),
        );
    } else if let Some(prev) = seen.insert(name.clone(), i) {
        let msg = match kind {
            ShockKind::Event => format!(
                "event name `{name}` is used twice (events #{} and #{})",
                prev + 1,
                i + 1
            ),
            ShockKind::Incident => format!(
                "incident name `{name}` is used twice (#{} and #{})",
                prev + 1,
                i + 1
            ),
        };
        c.err(&[kind.section(), &idx, "name"], msg);
    }
    name
}

/// The fields of a shock as written.
pub(super) struct ShockFile<'f> {
    pub half_life: Option<Finite>,
    pub jump: &'f IndexMap<String, ParamFile>,
    pub pressure: &'f IndexMap<String, ParamFile>,
}

/// A compiled shock: effects on variables and their fading.
pub(super) struct Shock {
    pub jumps: Vec<(VarId, ParamId)>,
    pub pressures: Vec<(VarId, ParamId)>,
    pub half_life: f64,
    pub decay_class: usize,
}

/// Compiles the `#i` entry's `half_life`, then registers its `jump` and
/// then its `pressure` values, named after `owner`. `None` when a value
/// cannot be sampled.
pub(super) fn compile(
    c: &mut Checker<'_>,
    kind: ShockKind,
    i: usize,
    owner: &str,
    file: ShockFile<'_>,
    names: &Names<'_>,
    decay: &mut DecayClasses,
) -> Option<Shock> {
    let idx = i.to_string();
    let half_life = half_life(c, &[kind.section(), &idx, "half_life"], file.half_life);
    let decay_class = decay.class_of(half_life);
    let entry = Entry {
        kind,
        idx: &idx,
        name: owner,
    };
    let jumps = effects(c, &entry, "jump", file.jump, names);
    let pressures = effects(c, &entry, "pressure", file.pressure, names);
    Some(Shock {
        jumps: jumps?,
        pressures: pressures?,
        half_life,
        decay_class,
    })
}

/// The half-life in months (default 6); a non-positive one is reported and
/// replaced by the default.
fn half_life(c: &mut Checker<'_>, path: &[&str], written: Option<Finite>) -> f64 {
    let h = written.map_or(DEFAULT_HALF_LIFE, |f| f.0);
    if h <= 0.0 {
        c.err(
            path,
            format!("half_life = {h} must be a positive number of months"),
        );
        return DEFAULT_HALF_LIFE;
    }
    h
}

/// The event or incident whose `jump` or `pressure` table is compiled: its
/// kind, its index (which locates it) and its name (which names its
/// parameters).
struct Entry<'a> {
    kind: ShockKind,
    idx: &'a str,
    name: &'a str,
}

/// A `jump` or `pressure` table (`field`): variable name → (P) value.
/// Unknown variables are reported and left out.
fn effects(
    c: &mut Checker<'_>,
    e: &Entry<'_>,
    field: &str,
    table: &IndexMap<String, ParamFile>,
    names: &Names<'_>,
) -> Option<Vec<(VarId, ParamId)>> {
    let mut out = Vec::new();
    let mut complete = true;
    for (var, value) in table {
        let at = [e.kind.section(), e.idx, field, var.as_str()];
        match names.var(var) {
            Some(v) => {
                let shown = show_path(&[e.kind.section(), e.name, field, var]);
                match c.param_named(&at, shown, &value.0, Domain::Real, e.kind.draw()) {
                    Some(id) => out.push((VarId(v), id)),
                    None => complete = false,
                }
            }
            None => c.err_key(
                &at,
                format!(
                    "{} `{}`: {field} names unknown variable `{var}`",
                    e.kind.noun(),
                    e.name
                ),
                Some(names.var_help(var)),
            ),
        }
    }
    complete.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{BASE, compiles, only_error, only_error_with_help};
    use crate::model::{Draw, rule};

    #[test]
    fn half_lives_share_decay_classes_across_events_and_incidents() {
        let m = compiles(&format!(
            "{BASE}[[events]]\nname = \"a\"\ndate = \"2020-02\"\nhalf_life = 4\n\
             [[events]]\nname = \"b\"\ndate = \"2020-03\"\n\
             [[incidents]]\nname = \"c\"\nbase_rate = 0.1\nhalf_life = 4\n"
        ));
        assert_eq!((m.events[0].half_life, m.events[0].decay_class), (4.0, 0));
        assert_eq!((m.events[1].half_life, m.events[1].decay_class), (6.0, 1));
        assert_eq!(
            m.incidents[0].decay_class, 0,
            "shares the class of half-life 4"
        );
        assert_eq!(
            m.decay_factors,
            [rule::decay_factor(4.0), rule::decay_factor(6.0)]
        );
    }

    #[test]
    fn effects_are_named_by_owner_jumps_first() {
        let m = compiles(&format!(
            "{BASE}[[incidents]]\nname = \"a b\"\nbase_rate = 0.1\n\
             pressure = {{ x = 0.2 }}\njump = {{ x = 0.1 }}\n"
        ));
        let paths: Vec<&str> = m.params[4..].iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "incidents.\"a b\".base_rate",
                "incidents.\"a b\".jump.x",
                "incidents.\"a b\".pressure.x"
            ]
        );
        assert_eq!(m.params[5].draw, Draw::PerOccurrence);
        assert_eq!(m.params[4].draw, Draw::PerRun);
    }

    #[test]
    fn non_positive_half_life() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[[events]]\nname = \"e\"\ndate = \"2020-02\"\nhalf_life = 0\n"
            )),
            "t.toml:11:13: half_life = 0 must be a positive number of months"
        );
        assert_eq!(
            only_error(&format!(
                "{BASE}[[incidents]]\nname = \"c\"\nbase_rate = 1\nhalf_life = -2\n"
            )),
            "t.toml:11:13: half_life = -2 must be a positive number of months"
        );
    }

    #[test]
    fn unknown_jump_variable_suggests_a_name() {
        let (msg, help) = only_error_with_help(&format!(
            "{BASE}[[events]]\nname = \"e\"\ndate = \"2020-02\"\njump = {{ xx = 0.1 }}\n"
        ));
        assert_eq!(
            msg,
            "t.toml:11:10: event `e`: jump names unknown variable `xx`"
        );
        assert_eq!(help.as_deref(), Some("did you mean `x`? Known names: `x`"));
    }

    #[test]
    fn unknown_pressure_variable_of_an_incident() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[[incidents]]\nname = \"c\"\nbase_rate = 1\npressure = {{ x = 1, q = 2 }}\n"
            )),
            "t.toml:11:21: incident `c`: pressure names unknown variable `q`"
        );
    }
}
