//! Validation and compilation: the merged scenario file becomes an
//! index-based [`Model`]. Every check a user can fail lives here (or in the
//! deserializers of `file`), so the engine never meets a bad value.

use std::collections::HashMap;

use super::doc::Node;
use super::file::*;
use super::source::{ScenarioError, ScenarioErrors, Sources, did_you_mean};
use crate::model::*;

pub const DEFAULT_QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];
pub const DEFAULT_RUNS: u64 = 1000;
pub const DEFAULT_SEED: u64 = 1;
pub const DEFAULT_HALF_LIFE: f64 = 6.0;
use crate::limits::{MAX_BANDS, MAX_MAGNITUDE, MAX_RUNS};

struct Checker<'a> {
    doc: &'a Node,
    sources: &'a Sources,
    errors: Vec<ScenarioError>,
    params: Vec<Param>,
}

impl Checker<'_> {
    fn err(&mut self, path: &[&str], msg: impl Into<String>) {
        let e = self.sources.error(Some(self.doc.locate(path)), msg);
        self.errors.push(e);
    }

    fn err_key(&mut self, path: &[&str], msg: impl Into<String>, help: Option<String>) {
        let mut e = self.sources.error(Some(self.doc.locate_key(path)), msg);
        e.help = help;
        self.errors.push(e);
    }

    /// Registers a (P) field, checking it against its domain.
    fn param(&mut self, path: &[&str], dist: &Dist, domain: Domain, draw: Draw) -> ParamId {
        self.param_named(path, show_path(path), dist, domain, draw)
    }

    /// Like [`Checker::param`], with a display name other than the location
    /// path (events and incidents are located by index, named by name).
    fn param_named(
        &mut self,
        path: &[&str],
        shown: String,
        dist: &Dist,
        domain: Domain,
        draw: Draw,
    ) -> ParamId {
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
        if outside {
            let what = if matches!(dist, Dist::Fixed(_)) {
                format!(
                    "{shown} = {lo} is outside its valid range: it must be {}",
                    domain.describe()
                )
            } else {
                format!(
                    "{shown}: the whole distribution lies outside the valid range {}",
                    domain.describe()
                )
            };
            self.err(path, what);
        }
        match Param::new(shown, dist.clone(), domain, draw) {
            Ok(p) => {
                self.params.push(p);
                ParamId(self.params.len() - 1)
            }
            Err(e) => {
                self.err(path, format!("invalid distribution: {e}"));
                ParamId(usize::MAX)
            }
        }
    }

    fn fixed(&mut self, path: &[&str], value: f64, domain: Domain) -> ParamId {
        self.param(path, &Dist::Fixed(value), domain, Draw::PerRun)
    }
}

/// A parameter's name as `--set` and sensitivity analysis write it.
pub fn show_path(path: &[&str]) -> String {
    path.iter()
        .map(|s| {
            if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
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

pub fn compile(
    file: &ScenarioFile,
    doc: &Node,
    sources: &Sources,
) -> Result<Model, ScenarioErrors> {
    let mut c = Checker {
        doc,
        sources,
        errors: Vec::new(),
        params: Vec::new(),
    };

    let name = file.name.clone().unwrap_or_default();
    if name.trim().is_empty() {
        c.err(&["name"], "`name` is empty");
    }
    let title = file.title.clone().unwrap_or_else(|| name.clone());
    let description = file.description.clone().unwrap_or_default();

    // Time.
    let time = file.time.clone().unwrap_or_default();
    let start = time.start.map(|m| m.0);
    let end = time.end.map(|m| m.0);
    if start.is_none() {
        c.err(
            &["time"],
            "missing `time.start` (the first simulated month, \"YYYY-MM\")",
        );
    }
    if end.is_none() {
        c.err(
            &["time"],
            "missing `time.end` (the last simulated month, \"YYYY-MM\")",
        );
    }
    let (start, end) = match (start, end) {
        (Some(s), Some(e)) if s > e => {
            c.err(
                &["time", "end"],
                format!("time.start = {s} is after time.end = {e}"),
            );
            (s, s)
        }
        (Some(s), Some(e)) => (s, e),
        _ => return Err(ScenarioErrors { errors: c.errors }),
    };
    let months = start.months_until(end) as usize + 1;
    let month_of = |d: YearMonth| -> Option<usize> {
        let k = start.months_until(d);
        (0..months as i64).contains(&k).then_some(k as usize)
    };

    // Ensemble.
    let ens = file.ensemble.clone().unwrap_or_default();
    let runs = ens.runs.unwrap_or(DEFAULT_RUNS);
    if runs == 0 {
        c.err(&["ensemble", "runs"], "ensemble.runs must be at least 1");
    } else if runs > MAX_RUNS {
        c.err(
            &["ensemble", "runs"],
            format!("ensemble.runs = {runs} is more than the {MAX_RUNS} an ensemble can count"),
        );
    }
    let mut quantiles: Vec<f64> = match &ens.quantiles {
        Some(q) => q.iter().map(|f| f.0).collect(),
        None => DEFAULT_QUANTILES.to_vec(),
    };
    if quantiles.is_empty() {
        c.err(
            &["ensemble", "quantiles"],
            "ensemble.quantiles is empty; give at least one, e.g. [0.05, 0.5, 0.95]",
        );
    }
    for (i, q) in quantiles.iter().enumerate() {
        if !(*q > 0.0 && *q < 1.0) {
            c.err(
                &["ensemble", "quantiles", &i.to_string()],
                format!("quantile {q} must lie strictly between 0 and 1"),
            );
        }
    }
    quantiles.sort_by(f64::total_cmp);
    quantiles.dedup();

    // Variables.
    if file.variables.is_empty() {
        c.err(
            &[],
            "the scenario has no [variables.NAME] table; at least one state variable is needed",
        );
    }
    let mut variables = Vec::new();
    for (vname, v) in &file.variables {
        let p = |f: &'static str| ["variables", vname.as_str(), f];
        if !is_identifier(vname) {
            c.err_key(
                &["variables", vname],
                format!("variable name `{vname}` may hold only letters, digits and _"),
                None,
            );
        }
        let min = v.min.map_or(0.0, |f| f.0);
        let max = v.max.map_or(1.0, |f| f.0);
        if min >= max {
            c.err(
                &p("max"),
                format!("variables.{vname}: min ({min}) must be below max ({max})"),
            );
        } else if !(max - min).is_finite() || min.abs().max(max.abs()) > MAX_MAGNITUDE {
            c.err(
                &p("max"),
                format!("variables.{vname}: bounds must lie within ±{MAX_MAGNITUDE:e}"),
            );
        }
        let initial = match &v.initial {
            Some(d) => c.param(&p("initial"), &d.0, Domain::Real, Draw::PerRun),
            None => {
                c.err(
                    &["variables", vname],
                    format!("variables.{vname} is missing `initial` (its value at time.start)"),
                );
                ParamId(usize::MAX)
            }
        };
        let rate = match &v.rate {
            Some(d) => c.param(&p("rate"), &d.0, Domain::Rate, Draw::PerRun),
            None => {
                c.err(
                    &["variables", vname],
                    format!("variables.{vname} is missing `rate` (the share of the gap to target closed per month, in (0, 1])"),
                );
                ParamId(usize::MAX)
            }
        };
        let bias = match &v.bias {
            Some(d) => c.param(&p("bias"), &d.0, Domain::Real, Draw::PerRun),
            None => c.fixed(&p("bias"), 0.0, Domain::Real),
        };
        let noise = match &v.noise {
            Some(d) => c.param(&p("noise"), &d.0, Domain::NonNegative, Draw::PerRun),
            None => c.fixed(&p("noise"), 0.0, Domain::NonNegative),
        };
        variables.push(Variable {
            name: vname.clone(),
            description: v.description.clone().unwrap_or_default(),
            min,
            max,
            labels: v.labels.clone(),
            initial,
            rate,
            bias,
            noise,
            response: match v.response {
                Some(ResponseFile::Logistic) => Response::Logistic,
                _ => Response::Linear,
            },
        });
    }
    let var_index: HashMap<&str, usize> = file
        .variables
        .keys()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();

    // Drivers.
    let mut drivers = Vec::new();
    for (dname, d) in &file.drivers {
        let p = |f: &'static str| ["drivers", dname.as_str(), f];
        if !is_identifier(dname) {
            c.err_key(
                &["drivers", dname],
                format!("driver name `{dname}` may hold only letters, digits and _"),
                None,
            );
        }
        if var_index.contains_key(dname.as_str()) {
            c.err_key(
                &["drivers", dname],
                format!("`{dname}` is both a variable and a driver; names must be unique"),
                None,
            );
        }
        let min = d.min.map_or(0.0, |f| f.0);
        let max = d.max.map_or(1.0, |f| f.0);
        if min >= max {
            c.err(
                &p("max"),
                format!("drivers.{dname}: min ({min}) must be below max ({max})"),
            );
        } else if !(max - min).is_finite() || min.abs().max(max.abs()) > MAX_MAGNITUDE {
            c.err(
                &p("max"),
                format!("drivers.{dname}: bounds must lie within ±{MAX_MAGNITUDE:e}"),
            );
        }
        let points: Vec<(YearMonth, f64)> = d
            .points
            .as_ref()
            .map(|v| v.iter().map(|(m, x)| (m.0, x.0)).collect())
            .unwrap_or_default();
        if points.is_empty() {
            c.err(&["drivers", dname], format!("drivers.{dname} needs `points = [[\"YYYY-MM\", value], …]` with at least one point"));
        }
        for (i, w) in points.windows(2).enumerate() {
            if w[1].0 <= w[0].0 {
                c.err(
                    &["drivers", dname, "points", &(i + 1).to_string()],
                    format!(
                        "drivers.{dname}.points: dates must increase, but {} follows {}",
                        w[1].0, w[0].0
                    ),
                );
            }
        }
        let interpolation = match d.interpolation {
            Some(InterpolationFile::Step) => Interpolation::Step,
            _ => Interpolation::Linear,
        };
        let path = (0..months)
            .map(|t| interpolate(&points, interpolation, start.plus_months(t)))
            .collect();
        let offset = d
            .offset
            .as_ref()
            .map(|o| c.param(&p("offset"), &o.0, Domain::Real, Draw::PerRun));
        drivers.push(Driver {
            name: dname.clone(),
            description: d.description.clone().unwrap_or_default(),
            min,
            max,
            interpolation,
            points,
            path,
            offset,
        });
    }
    let source_names: Vec<&str> = file
        .variables
        .keys()
        .chain(file.drivers.keys())
        .map(String::as_str)
        .collect();
    let source_of = |n: &str| source_names.iter().position(|s| *s == n);

    // Influences.
    let mut influences = Vec::new();
    let mut seen_pairs: HashMap<(usize, usize), String> = HashMap::new();
    for (key, inf) in &file.influences {
        let kp = ["influences", key.as_str()];
        let Some((src, tgt)) = key.split_once("->").map(|(a, b)| (a.trim(), b.trim())) else {
            c.err_key(
                &kp,
                format!("influence `{key}` must be written \"source -> target\""),
                None,
            );
            continue;
        };
        let source = source_of(src);
        if source.is_none() {
            let help = unknown_help(src, &source_names);
            c.err_key(&kp, format!("influence `{key}`: unknown source `{src}`; sources are the variables and drivers"), Some(help));
        }
        let target = var_index.get(tgt).copied();
        if target.is_none() {
            let msg = if file.drivers.contains_key(tgt) {
                format!(
                    "influence `{key}`: `{tgt}` is a driver; drivers are exogenous paths and cannot be influenced"
                )
            } else {
                format!("influence `{key}`: unknown target variable `{tgt}`")
            };
            let help = unknown_help(
                tgt,
                &file
                    .variables
                    .keys()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            );
            c.err_key(&kp, msg, Some(help));
        }
        let weight = match &inf.weight {
            Some(w) => c.param(
                &["influences", key, "weight"],
                &w.0,
                Domain::Real,
                Draw::PerRun,
            ),
            None => {
                c.err(&kp, format!("influence `{key}` is missing `weight`"));
                continue;
            }
        };
        let (Some(source), Some(target)) = (source, target) else {
            continue;
        };
        if let Some(prev) = seen_pairs.insert((source, target), key.clone()) {
            c.err_key(
                &kp,
                format!("influence `{key}` repeats `{prev}`; merge them into one weight"),
                None,
            );
        }
        influences.push(Influence {
            key: format!("{src} -> {tgt}"),
            source: SourceId(source),
            target: VarId(target),
            weight,
            lag: inf.lag.unwrap_or(0) as usize,
            evidence: inf.evidence.clone(),
        });
    }
    let mut lags: Vec<usize> = influences.iter().map(|i| i.lag).collect();
    lags.sort_unstable();
    lags.dedup();

    // A signal this large would overflow the arithmetic of a run: refuse it.
    for (i, v) in variables.iter().enumerate() {
        let size = |id: ParamId| c.params.get(id.0).map_or(0.0, |p| p.dist.size());
        let mut bound = size(v.bias);
        for inf in influences.iter().filter(|f| f.target.0 == i) {
            let (lo, hi) = if inf.source.0 < variables.len() {
                (variables[inf.source.0].min, variables[inf.source.0].max)
            } else {
                let d = &drivers[inf.source.0 - variables.len()];
                (d.min, d.max)
            };
            bound += size(inf.weight) * lo.abs().max(hi.abs());
        }
        if bound.is_nan() || bound > MAX_MAGNITUDE {
            let name = v.name.clone();
            c.err(
                &["variables", &name],
                format!("the signal of `{name}` can reach {bound:e} (bias plus weights × source bounds); keep it within ±{MAX_MAGNITUDE:e}"),
            );
        }
    }

    // Events and incidents share decay classes (one per distinct half-life).
    let mut half_lives: Vec<f64> = Vec::new();
    let mut class_of = |h: f64| -> usize {
        match half_lives.iter().position(|x| x.to_bits() == h.to_bits()) {
            Some(i) => i,
            None => {
                half_lives.push(h);
                half_lives.len() - 1
            }
        }
    };
    let var_names: Vec<&str> = file.variables.keys().map(String::as_str).collect();

    let mut events = Vec::new();
    let mut event_names: HashMap<String, usize> = HashMap::new();
    for (i, e) in file.events.iter().enumerate() {
        let idx = i.to_string();
        let at = |f: &'static str| ["events", idx.as_str(), f];
        let ename = e.name.clone().unwrap_or_default();
        if ename.is_empty() {
            c.err(&["events", &idx], format!("event #{} has no `name`", i + 1));
        } else if let Some(prev) = event_names.insert(ename.clone(), i) {
            c.err(
                &at("name"),
                format!(
                    "event name `{ename}` is used twice (events #{} and #{})",
                    prev + 1,
                    i + 1
                ),
            );
        }
        let Some(date) = e.date.map(|m| m.0) else {
            c.err(
                &["events", &idx],
                format!("event `{ename}` has no `date` (\"YYYY-MM\")"),
            );
            continue;
        };
        let half_life = check_half_life(&mut c, &at("half_life"), e.half_life);
        let jumps = effects(
            &mut c,
            &["events", &idx, "jump"],
            &ename,
            &e.jump,
            &var_index,
            &var_names,
            Draw::PerRun,
        );
        let pressures = effects(
            &mut c,
            &["events", &idx, "pressure"],
            &ename,
            &e.pressure,
            &var_index,
            &var_names,
            Draw::PerRun,
        );
        events.push(Event {
            name: ename,
            date,
            month: month_of(date),
            jumps,
            pressures,
            half_life,
            decay_class: class_of(half_life),
            evidence: e.evidence.clone(),
        });
    }

    let mut incidents = Vec::new();
    let mut incident_names: HashMap<String, usize> = HashMap::new();
    for (i, inc) in file.incidents.iter().enumerate() {
        let idx = i.to_string();
        let at = |f: &'static str| ["incidents", idx.as_str(), f];
        let iname = inc.name.clone().unwrap_or_default();
        if iname.is_empty() {
            c.err(
                &["incidents", &idx],
                format!("incident process #{} has no `name`", i + 1),
            );
        } else if let Some(prev) = incident_names.insert(iname.clone(), i) {
            c.err(
                &at("name"),
                format!(
                    "incident name `{iname}` is used twice (#{} and #{})",
                    prev + 1,
                    i + 1
                ),
            );
        }
        let base_rate = match &inc.base_rate {
            Some(b) => {
                let shown = show_path(&["incidents", &iname, "base_rate"]);
                c.param_named(
                    &at("base_rate"),
                    shown,
                    &b.0,
                    Domain::NonNegative,
                    Draw::PerRun,
                )
            }
            None => {
                c.err(
                    &["incidents", &idx],
                    format!(
                        "incident `{iname}` is missing `base_rate` (expected incidents per month)"
                    ),
                );
                ParamId(usize::MAX)
            }
        };
        let mut rate_by = Vec::new();
        for (k, f) in &inc.rate_by {
            match source_of(k) {
                Some(s) => rate_by.push((SourceId(s), f.0)),
                None => {
                    let help = unknown_help(k, &source_names);
                    c.err_key(
                        &["incidents", &idx, "rate_by", k],
                        format!(
                            "incident `{iname}`: rate_by names unknown variable or driver `{k}`"
                        ),
                        Some(help),
                    );
                }
            }
        }
        let half_life = check_half_life(&mut c, &at("half_life"), inc.half_life);
        let jumps = effects(
            &mut c,
            &["incidents", &idx, "jump"],
            &iname,
            &inc.jump,
            &var_index,
            &var_names,
            Draw::PerOccurrence,
        );
        let pressures = effects(
            &mut c,
            &["incidents", &idx, "pressure"],
            &iname,
            &inc.pressure,
            &var_index,
            &var_names,
            Draw::PerOccurrence,
        );
        let from = inc.start.map_or(start, |m| m.0);
        let to = inc.end.map_or(end, |m| m.0);
        if from > to {
            c.err(
                &at("end"),
                format!("incident `{iname}`: start {from} is after end {to}"),
            );
        }
        // Occurrences land at months 1..months-1 (month 0 is the initial state).
        let first = start.months_until(from).max(1);
        let last = start.months_until(to).min(months as i64 - 1);
        let window = if first <= last {
            (first as usize, last as usize)
        } else {
            (1, 0)
        };
        incidents.push(Incident {
            name: iname,
            base_rate,
            rate_by,
            jumps,
            pressures,
            half_life,
            decay_class: class_of(half_life),
            window,
            evidence: inc.evidence.clone(),
        });
    }
    let decay_factors = half_lives.iter().map(|h| rule::decay_factor(*h)).collect();

    // Regimes.
    let regimes = file
        .regimes
        .as_ref()
        .and_then(|r| compile_regimes(&mut c, r, &var_index, &var_names, &variables));

    if !c.errors.is_empty() {
        return Err(ScenarioErrors { errors: c.errors });
    }
    Ok(Model {
        name,
        title,
        description,
        start,
        end,
        ensemble: EnsembleSettings {
            runs,
            seed: ens.seed.unwrap_or(DEFAULT_SEED),
            quantiles,
        },
        variables,
        drivers,
        params: c.params,
        influences,
        lags,
        events,
        incidents,
        decay_factors,
        regimes,
    })
}

fn unknown_help(wrong: &str, known: &[&str]) -> String {
    did_you_mean(wrong, known.iter().copied(), "names")
}

fn check_half_life(c: &mut Checker<'_>, path: &[&str], h: Option<Finite>) -> f64 {
    let h = h.map_or(DEFAULT_HALF_LIFE, |f| f.0);
    if h <= 0.0 {
        c.err(
            path,
            format!("half_life = {h} must be a positive number of months"),
        );
        return DEFAULT_HALF_LIFE;
    }
    h
}

/// `jump` / `pressure` tables: variable name → (P) value. `path` locates
/// the table (events by index); parameters are named after the event.
fn effects(
    c: &mut Checker<'_>,
    path: &[&str],
    owner: &str,
    table: &indexmap::IndexMap<String, ParamFile>,
    var_index: &HashMap<&str, usize>,
    var_names: &[&str],
    draw: Draw,
) -> Vec<(VarId, ParamId)> {
    let mut out = Vec::new();
    for (k, v) in table {
        let mut p: Vec<&str> = path.to_vec();
        p.push(k);
        match var_index.get(k.as_str()) {
            Some(&i) => {
                let shown = show_path(&[path[0], owner, path[2], k]);
                let id = c.param_named(&p, shown, &v.0, Domain::Real, draw);
                out.push((VarId(i), id));
            }
            None => {
                let help = unknown_help(k, var_names);
                let kind = if path[0] == "events" {
                    "event"
                } else {
                    "incident"
                };
                c.err_key(
                    &p,
                    format!("{kind} `{owner}`: {} names unknown variable `{k}`", path[2]),
                    Some(help),
                );
            }
        }
    }
    out
}

fn compile_regimes(
    c: &mut Checker<'_>,
    r: &RegimesFile,
    var_index: &HashMap<&str, usize>,
    var_names: &[&str],
    variables: &[Variable],
) -> Option<Regimes> {
    let Some(vname) = &r.variable else {
        c.err(
            &["regimes"],
            "[regimes] needs `variable`, the state variable the bands divide",
        );
        return None;
    };
    let Some(&var) = var_index.get(vname.as_str()) else {
        let help = unknown_help(vname, var_names);
        c.err_key(
            &["regimes", "variable"],
            format!("regimes.variable names unknown variable `{vname}`"),
            Some(help),
        );
        return None;
    };
    let files = r.bands.clone().unwrap_or_default();
    if files.is_empty() {
        c.err(
            &["regimes"],
            "[regimes] needs `bands = [{ name = …, max = … }, …]`",
        );
        return None;
    }
    let n = files.len();
    if n > MAX_BANDS {
        c.err(
            &["regimes", "bands"],
            format!("[regimes] has {n} bands; at most {MAX_BANDS} are supported"),
        );
        return None;
    }
    let mut bands: Vec<Band> = Vec::new();
    let mut names = HashMap::new();
    for (i, b) in files.iter().enumerate() {
        let idx = i.to_string();
        let name = b.name.clone().unwrap_or_default();
        if name.is_empty() {
            c.err(
                &["regimes", "bands", &idx],
                format!("band #{} has no `name`", i + 1),
            );
        } else if names.insert(name.clone(), i).is_some() {
            c.err(
                &["regimes", "bands", &idx],
                format!("band name `{name}` is used twice"),
            );
        }
        let lo = match (b.min, i) {
            (Some(f), _) => f.0,
            (None, 0) => f64::NEG_INFINITY,
            (None, _) => files[i - 1].max.map_or(f64::NAN, |f| f.0),
        };
        let hi = match (b.max, i + 1 == n) {
            (Some(f), _) => f.0,
            (None, true) => f64::INFINITY,
            (None, false) => files[i + 1].min.map_or(f64::NAN, |f| f.0),
        };
        if lo.is_nan() || hi.is_nan() {
            c.err(&["regimes", "bands", &idx], format!("band `{name}` needs `min` and `max` (only the first band may omit min, only the last max)"));
            continue;
        }
        if lo >= hi {
            c.err(
                &["regimes", "bands", &idx],
                format!("band `{name}`: min ({lo}) must be below max ({hi})"),
            );
        }
        if let Some(prev) = bands.last()
            && prev.hi != lo
        {
            c.err(
                &["regimes", "bands", &idx],
                format!("bands must be contiguous and increasing: `{}` ends at {} but `{name}` starts at {lo}", prev.name, prev.hi),
            );
        }
        bands.push(Band { name, lo, hi });
    }
    // Every value the variable can take must fall in a band.
    let v = &variables[var];
    if let (Some(first), Some(last)) = (bands.first(), bands.last())
        && (first.lo > v.min || last.hi < v.max)
    {
        c.err(
            &["regimes", "bands"],
            format!(
                "the bands must cover all of `{vname}` ({} … {}), but they span {} … {}",
                v.min, v.max, first.lo, last.hi
            ),
        );
        if let Some(e) = c.errors.last_mut() {
            e.help = Some("leave out the first band's min and the last band's max".into());
        }
    }
    Some(Regimes {
        variable: VarId(var),
        bands,
    })
}
