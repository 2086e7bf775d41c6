//! Validation and compilation: the merged scenario file becomes an
//! index-based [`Model`]. Every check a user can fail lives here (or in the
//! deserializers of `file`), so the engine never meets a bad value.
//!
//! One file per section of the scenario, run in file order: `time`,
//! `ensemble`, `variables`, `drivers`, `influences`, `events` and
//! `incidents` (which share the shock compiler of `shocks`), `regimes`; then
//! `signal` checks the built model. Each section reports every problem it
//! finds and returns what it compiled: `None` where a required value is
//! missing or invalid, and list entries with such a value are left out. The
//! [`Model`] is built only when every indexed part (variables, drivers) is
//! complete, and returned only when no error was found at all; the signal
//! check runs only on a built model.

mod drivers;
mod ensemble;
mod events;
mod incidents;
mod influences;
mod observations;
mod regimes;
mod shocks;
mod signal;
mod text;

use text::Text;
mod time;
mod variables;

#[cfg(test)]
mod test_support;

use std::collections::HashMap;

use indexmap::IndexMap;

use super::doc::Node;
use super::file::{DriverFile, Finite, ScenarioFile};
use super::source::{Loc, ScenarioError, ScenarioErrors, Sources, did_you_mean};
use crate::limits::MAX_MAGNITUDE;
use crate::model::{Dist, Domain, Draw, Model, Param, ParamId};

pub(crate) const DEFAULT_QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];
pub(crate) const DEFAULT_RUNS: u64 = 1000;
pub(crate) const DEFAULT_SEED: u64 = 1;
pub(crate) const DEFAULT_HALF_LIFE: f64 = 6.0;

/// Validates `file` (merged from the document `doc`) and compiles it.
/// All errors are collected and reported together, located through `doc`;
/// only a missing `time.start` or `time.end` stops before the other
/// sections, since they need the horizon.
pub(crate) fn compile(
    file: &ScenarioFile,
    doc: &Node,
    sources: &Sources,
) -> Result<Model, ScenarioErrors> {
    let mut c = Checker::new(doc, sources);
    let (name, title) = header(&mut c, file);
    let Some(horizon) = time::compile(&mut c, file.time.as_ref()) else {
        return Err(c.into_errors());
    };
    let ensemble = ensemble::compile(&mut c, file.ensemble.as_ref());
    let names = Names::new(file);
    let variables = variables::compile(&mut c, &file.variables);
    let drivers = drivers::compile(&mut c, &file.drivers, &names, &horizon);
    let influences = influences::compile(&mut c, &file.influences, &names);
    // The signal check needs the built model, but its errors keep their
    // place in file order: after the influences that make up the signals.
    let signal_errors_at = c.errors.len();
    let mut decay = shocks::DecayClasses::default();
    let events = events::compile(&mut c, &file.events, &names, &horizon, &mut decay);
    let incidents = incidents::compile(&mut c, &file.incidents, &names, &horizon, &mut decay);
    let regimes = file
        .regimes
        .as_ref()
        .and_then(|r| regimes::compile(&mut c, r, &file.variables, &names));
    let observations = observations::compile(&mut c, file, &names, &horizon, regimes.as_ref());
    if ensemble.condition && observations.is_empty() && file.observations.is_empty() {
        c.err(
            &["ensemble", "condition"],
            "ensemble.condition asks to condition on the record, but the scenario has no [[observations]]",
        );
    }
    let (Some(variables), Some(drivers)) = (variables, drivers) else {
        return Err(c.into_errors());
    };
    let model = Model {
        name,
        title,
        start: horizon.start,
        end: horizon.end,
        ensemble,
        variables,
        drivers,
        params: std::mem::take(&mut c.params),
        lags: influences::lags(&influences),
        influences,
        events,
        incidents,
        decay_factors: decay.factors(),
        regimes,
        observations,
        joint: None,
    };
    signal::check(&mut c, &model, signal_errors_at);
    if c.errors.is_empty() {
        Ok(model)
    } else {
        Err(c.into_errors())
    }
}

/// The top-level `name` and `title` (the description stays in the
/// document, which the results carry).
fn header(c: &mut Checker<'_>, file: &ScenarioFile) -> (String, String) {
    let name = file.name.clone().unwrap_or_default();
    if name.trim().is_empty() {
        c.err(&["name"], "`name` is empty");
    } else {
        c.text(&["name"], "scenario name", Text::ScenarioName, &name);
    }
    let title = file.title.clone().unwrap_or_else(|| name.clone());
    if file.title.is_some() {
        c.text(&["title"], "title", Text::Title, &title);
    }
    if let Some(d) = &file.description {
        c.text(&["description"], "description", Text::Description, d);
    }
    (name, title)
}

/// Collects the errors of a compilation and the parameters registered so
/// far (in registration order, which is the order runs draw them in).
struct Checker<'a> {
    doc: &'a Node,
    sources: &'a Sources,
    errors: Vec<ScenarioError>,
    params: Vec<Param>,
}

impl<'a> Checker<'a> {
    fn new(doc: &'a Node, sources: &'a Sources) -> Self {
        Checker {
            doc,
            sources,
            errors: Vec::new(),
            params: Vec::new(),
        }
    }

    fn into_errors(self) -> ScenarioErrors {
        ScenarioErrors {
            errors: self.errors,
        }
    }

    fn push(&mut self, loc: &Loc, msg: impl Into<String>, help: Option<String>) {
        let mut e = self.sources.error(Some(loc), msg);
        e.help = help;
        self.errors.push(e);
    }

    /// An error at the value at `path` (or its nearest written ancestor).
    fn err(&mut self, path: &[&str], msg: impl Into<String>) {
        self.push(self.doc.locate(path), msg, None);
    }

    /// Like [`Checker::err`], with a help line.
    fn err_help(&mut self, path: &[&str], msg: impl Into<String>, help: impl Into<String>) {
        self.push(self.doc.locate(path), msg, Some(help.into()));
    }

    /// An error at the key that ends `path` rather than at its value.
    fn err_key(&mut self, path: &[&str], msg: impl Into<String>, help: Option<String>) {
        self.push(self.doc.locate_key(path), msg, help);
    }

    /// Registers a (P) field, checking it against its domain.
    fn param(&mut self, path: &[&str], dist: &Dist, domain: Domain, draw: Draw) -> Option<ParamId> {
        self.param_named(path, show_path(path), dist, domain, draw)
    }

    /// Like [`Checker::param`], with a display name other than the location
    /// path (events and incidents are located by index, named by name).
    /// `None` when the distribution cannot be sampled.
    fn param_named(
        &mut self,
        path: &[&str],
        shown: String,
        dist: &Dist,
        domain: Domain,
        draw: Draw,
    ) -> Option<ParamId> {
        if let Some(msg) = outside_domain(&shown, dist, domain) {
            self.err(path, msg);
        } else if let Some(msg) = too_large(&shown, dist) {
            // No model is built, so no signal check repeats the complaint.
            self.err(path, msg);
            return None;
        }
        match Param::new(shown, dist.clone(), domain, draw) {
            Ok(p) => {
                self.params.push(p);
                Some(ParamId(self.params.len() - 1))
            }
            Err(e) => {
                self.err(path, format!("invalid distribution: {e}"));
                None
            }
        }
    }

    /// Registers a (P) field the file leaves out, at its default `value`.
    fn fixed(&mut self, path: &[&str], value: f64, domain: Domain) -> Option<ParamId> {
        self.param(path, &Dist::Fixed(value), domain, Draw::PerRun)
    }

    /// Checks a variable or driver name (`section` is `variables` or
    /// `drivers`, `noun` is how the message calls it).
    fn identifier(&mut self, section: &str, noun: &str, name: &str) {
        if let Some(p) = text::identifier_problem(name) {
            self.err_key(&[section, name], format!("{noun} name `{name}` {p}"), None);
        }
    }

    /// The bounds of a variable or driver (default 0 … 1), checked: `min`
    /// below `max`, both within ±[`MAX_MAGNITUDE`].
    fn bounds(
        &mut self,
        section: &str,
        name: &str,
        min: Option<Finite>,
        max: Option<Finite>,
    ) -> (f64, f64) {
        let (min, max) = declared_bounds(min, max);
        let at = [section, name, "max"];
        if min >= max {
            self.err(
                &at,
                format!("{section}.{name}: min ({min}) must be below max ({max})"),
            );
        } else if !(max - min).is_finite() || min.abs().max(max.abs()) > MAX_MAGNITUDE {
            self.err(
                &at,
                format!("{section}.{name}: bounds must lie within ±{MAX_MAGNITUDE:e}"),
            );
        }
        (min, max)
    }
}

/// Why a (P) value lies wholly outside its domain, if it does.
fn outside_domain(shown: &str, dist: &Dist, domain: Domain) -> Option<String> {
    let (lo, hi) = match *dist {
        Dist::Fixed(v) => (v, v),
        Dist::Uniform { min, max } | Dist::Triangular { min, max, .. } => (min, max),
        Dist::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
    };
    let outside = match domain {
        Domain::Real => false,
        Domain::NonNegative => hi < 0.0,
        Domain::Rate => hi <= 0.0 || lo > 1.0,
    };
    if !outside {
        None
    } else if matches!(dist, Dist::Fixed(_)) {
        Some(format!(
            "{shown} = {lo} is outside its valid range: it must be {}",
            domain.describe()
        ))
    } else {
        Some(format!(
            "{shown}: the whole distribution lies outside the valid range {}",
            domain.describe()
        ))
    }
}

/// Every value a parameter can take must stay within ±[`MAX_MAGNITUDE`], so
/// that every draw, and every sum of draws in a run, stays finite (a
/// normal distribution counts as |mean| + 6 sd).
fn too_large(shown: &str, dist: &Dist) -> Option<String> {
    let size = dist.size();
    (size > MAX_MAGNITUDE).then(|| match dist {
        Dist::Fixed(v) => format!("{shown} = {v:e} is too large: values must lie within ±{MAX_MAGNITUDE:e}"),
        Dist::Normal { .. } => format!(
            "{shown}: this normal distribution reaches {size:e} (|mean| + 6 sd); keep it within ±{MAX_MAGNITUDE:e}"
        ),
        _ => format!("{shown}: this distribution reaches {size:e}; keep it within ±{MAX_MAGNITUDE:e}"),
    })
}

/// A variable's or driver's bounds as written, with the defaults 0 and 1.
fn declared_bounds(min: Option<Finite>, max: Option<Finite>) -> (f64, f64) {
    (min.map_or(0.0, |f| f.0), max.map_or(1.0, |f| f.0))
}

/// A parameter's name as `--set` and sensitivity analysis write it.
pub(crate) fn show_path(path: &[&str]) -> String {
    path.iter()
        .map(|s| {
            if is_identifier(s) {
                s.to_string()
            } else {
                format!("{s:?}")
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The names the sections refer to: variables (`VarId` order) and sources
/// (variables, then drivers: `SourceId` order).
struct Names<'f> {
    vars: Vec<&'f str>,
    var_index: HashMap<&'f str, usize>,
    sources: Vec<&'f str>,
    drivers: &'f IndexMap<String, DriverFile>,
}

impl<'f> Names<'f> {
    fn new(file: &'f ScenarioFile) -> Self {
        let vars: Vec<&str> = file.variables.keys().map(String::as_str).collect();
        Names {
            var_index: vars.iter().enumerate().map(|(i, n)| (*n, i)).collect(),
            sources: vars
                .iter()
                .copied()
                .chain(file.drivers.keys().map(String::as_str))
                .collect(),
            vars,
            drivers: &file.drivers,
        }
    }

    fn var(&self, name: &str) -> Option<usize> {
        self.var_index.get(name).copied()
    }

    /// The first source of that name (a variable when a driver repeats it).
    fn source(&self, name: &str) -> Option<usize> {
        self.sources.iter().position(|s| *s == name)
    }

    fn is_driver(&self, name: &str) -> bool {
        self.drivers.contains_key(name)
    }

    /// "did you mean …" help for a name that is not a variable.
    fn var_help(&self, wrong: &str) -> String {
        did_you_mean(wrong, self.vars.iter().copied(), "names")
    }

    /// "did you mean …" help for a name that is neither variable nor driver.
    fn source_help(&self, wrong: &str) -> String {
        did_you_mean(wrong, self.sources.iter().copied(), "names")
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{BASE, compiles, only_error};

    #[test]
    fn header_defaults_and_as_written() {
        let m = compiles(BASE);
        assert_eq!((m.name.as_str(), m.title.as_str()), ("t", "t"));
        let m = compiles(&format!(
            "name = \"n\"\ntitle = \"T\"\ndescription = \"D\"\n{BASE}"
        ));
        assert_eq!((m.name.as_str(), m.title.as_str()), ("n", "T"));
    }

    #[test]
    fn blank_name() {
        assert_eq!(
            only_error(&format!("name = \" \"\n{BASE}")),
            "t.toml:1:8: `name` is empty"
        );
    }
}
