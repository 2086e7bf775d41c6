//! The only code that knows TOML: finding scenario files, merging `extends`
//! chains and `--set` overrides, and validating the result into a [`Model`].

pub(crate) mod compile;
pub(crate) mod doc;
pub(crate) mod file;
pub(crate) mod library;
mod records;
pub mod source;

use doc::{Kind, Node};
use file::ScenarioFile;
use indexmap::IndexMap;
use library::{LookupError, Origin};
use source::{
    Loc, ScenarioError, ScenarioErrors, SourceId, Sources, did_you_mean, list_names, nearest,
};

use crate::limits::MAX_EXTENDS_DEPTH;
use crate::model::Model;

/// A scenario ready to run: the compiled model and the merged document it
/// came from (written back out as `scenario.resolved.toml`).
#[derive(Debug)]
pub struct Scenario {
    pub model: Model,
    pub document: toml::Table,
    /// The files read, parent first (for `check`).
    pub chain: Vec<String>,
}

#[derive(Debug)]
pub enum LoadError {
    /// A problem in the scenario or the arguments: exit code 2.
    Invalid(ScenarioErrors),
    /// A file could not be read: exit code 1.
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

impl From<ScenarioError> for LoadError {
    fn from(e: ScenarioError) -> Self {
        LoadError::Invalid(e.into())
    }
}

/// Loads `spec` (a name or a path), merges its `extends` chain, applies the
/// `--set PATH=VALUE` overrides in order, and validates.
pub fn load(spec: &str, sets: &[String]) -> Result<Scenario, LoadError> {
    load_request(
        spec,
        &Request {
            sets,
            ..Request::default()
        },
    )
}

/// Every scenario name reachable without a path (./scenarios and built in), sorted.
pub fn names() -> Vec<String> {
    library::names()
}

/// What the command line adds to a scenario: `--set` overrides, then the
/// typed `--runs` and `--seed`, which are written into `[ensemble]` so the
/// resolved scenario records them (and errors about them name the flag).
#[derive(Clone, Debug, Default)]
pub struct Request<'a> {
    pub sets: &'a [String],
    pub runs: Option<u64>,
    pub seed: Option<u64>,
    /// `--condition`: condition the ensemble on the observations.
    pub condition: bool,
}

/// [`load`] with `--runs` and `--seed`.
pub fn load_request(spec: &str, request: &Request<'_>) -> Result<Scenario, LoadError> {
    let mut sources = Sources::default();
    let found = find(spec, None, &mut sources, None)?;
    finish(found, request, sources)
}

/// Loads a scenario from text (as if read from a file named `display` in
/// the working directory): for tests and for tools that generate scenarios.
pub fn load_text(display: &str, text: &str, sets: &[String]) -> Result<Scenario, LoadError> {
    let stem = std::path::Path::new(display).file_stem().map_or_else(
        || "scenario".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let found = library::Found {
        display: display.to_string(),
        stem,
        text: text.to_string(),
        origin: Origin::File(std::path::PathBuf::from(display)),
    };
    let request = Request {
        sets,
        ..Request::default()
    };
    finish(found, &request, Sources::default())
}

fn finish(
    found: library::Found,
    request: &Request<'_>,
    mut sources: Sources,
) -> Result<Scenario, LoadError> {
    let mut chain = Vec::new();
    let mut doc = load_layer(found, &mut chain, &mut sources)?;
    for (i, set) in request.sets.iter().enumerate() {
        apply_set(&mut doc, set, i + 1, &mut sources)?;
    }
    for (flag, key, value) in [
        ("--runs", "runs", request.runs),
        ("--seed", "seed", request.seed),
    ] {
        if let Some(v) = value {
            let Ok(int) = i64::try_from(v) else {
                let at = sources.add(flag.to_string(), v.to_string());
                let loc = Loc {
                    source: at,
                    span: 0..v.to_string().len(),
                };
                return Err(sources
                    .error(
                        Some(&loc),
                        format!(
                            "{flag} {v} is larger than {}, the largest whole number a scenario holds",
                            i64::MAX
                        ),
                    )
                    .into());
            };
            set_ensemble(&mut doc, flag, key, toml::Value::Integer(int), &mut sources);
        }
    }
    if request.condition {
        set_ensemble(
            &mut doc,
            "--condition",
            "condition",
            toml::Value::Boolean(true),
            &mut sources,
        );
    }
    let value = doc.to_value();
    let file: ScenarioFile = value.clone().try_into().map_err(|e: toml::de::Error| {
        sources.error(Some(&doc.loc), format!("invalid scenario: {}", e.message()))
    })?;
    let model = compile::compile(&file, &doc, &sources).map_err(LoadError::Invalid)?;
    let document = match value {
        toml::Value::Table(t) => t,
        _ => toml::Table::new(),
    };
    chain.reverse();
    Ok(Scenario {
        model,
        document,
        chain,
    })
}

/// Writes a typed `--runs`/`--seed` value into `[ensemble]`, located in a
/// source named after the flag.
fn set_ensemble(doc: &mut Node, flag: &str, key: &str, value: toml::Value, sources: &mut Sources) {
    let text = value.to_string();
    let loc = Loc {
        source: sources.add(flag.to_string(), text.clone()),
        span: 0..text.len(),
    };
    let node = |kind| Node {
        kind,
        loc: loc.clone(),
    };
    let mut fields = indexmap::IndexMap::new();
    fields.insert(key.to_string(), (loc.clone(), node(Kind::Scalar(value))));
    let mut ensemble = indexmap::IndexMap::new();
    ensemble.insert(
        "ensemble".to_string(),
        (loc.clone(), node(Kind::Table(fields))),
    );
    doc.merge(node(Kind::Table(ensemble)));
}

/// Finds a scenario; a miss is reported at `extends_loc` when an `extends` asked for it.
fn find(
    spec: &str,
    from: Option<&Origin>,
    sources: &mut Sources,
    extends_loc: Option<&Loc>,
) -> Result<library::Found, LoadError> {
    match library::find(spec, from) {
        Ok(f) => Ok(f),
        Err(LookupError::Io { path, source }) => Err(LoadError::Io { path, source }),
        Err(LookupError::NotScenario { path, why }) => Err(sources
            .error(
                extends_loc,
                format!("`{}` is not a scenario: {why}", path.display()),
            )
            .into()),
        Err(LookupError::NotFound { spec, known }) => {
            let what = if extends_loc.is_some() {
                "extends names"
            } else {
                "no such scenario:"
            };
            let msg = if extends_loc.is_some() {
                format!(
                    "{what} `{spec}`, which is neither a scenario in ./{}/ nor a built-in one",
                    library::SCENARIO_DIR
                )
            } else {
                format!(
                    "{what} `{spec}` (not in ./{}/, not built in, not a .toml file)",
                    library::SCENARIO_DIR
                )
            };
            let help = did_you_mean(&spec, known.iter().map(String::as_str), "scenarios");
            Err(sources.error(extends_loc, msg).with_help(help).into())
        }
    }
}

/// Reads one file of an extends chain and everything it extends, merged.
fn load_layer(
    found: library::Found,
    chain: &mut Vec<String>,
    sources: &mut Sources,
) -> Result<Node, LoadError> {
    let key = layer_key(&found.origin);
    check_cycle(chain, &key, sources)?;
    if chain.len() >= MAX_EXTENDS_DEPTH {
        return Err(sources
            .error(
                chain_loc(sources),
                format!("the extends chain is deeper than {MAX_EXTENDS_DEPTH} files"),
            )
            .with_help("a scenario may build on at most that many ancestors")
            .into());
    }
    chain.push(key);
    let mut node = parse_layer(&found, sources)?;
    let table = node.table_mut().expect("a parsed document is a table");
    let extends = table.shift_remove("extends");
    let removals = table.shift_remove("remove_events");
    let removed_observations = table.shift_remove("remove_observations");
    let file_sets = table.shift_remove("set").map(|(_, n)| n);
    let Some((_, parent_spec)) = extends else {
        for (key, removal) in [
            ("remove_events", &removals),
            ("remove_observations", &removed_observations),
        ] {
            if let Some((kloc, _)) = removal {
                return Err(sources
                    .error(
                        Some(kloc),
                        format!("`{key}` only makes sense with `extends`"),
                    )
                    .into());
            }
        }
        if let Some(sets) = file_sets {
            apply_file_sets(&mut node, sets, sources)?;
        }
        return Ok(node);
    };
    let parent_name = parent_spec.as_str().unwrap_or_default().to_string();
    let parent_found = find(
        &parent_name,
        Some(&found.origin),
        sources,
        Some(&parent_spec.loc),
    )?;
    sources.pending_extends = Some(parent_spec.loc.clone());
    let mut parent = load_layer(parent_found, chain, sources)?;
    if let Some((_, list)) = removals {
        remove_events(&mut parent, &list, sources)?;
    }
    if let Some((_, list)) = removed_observations {
        remove_observations(&mut parent, &list, sources)?;
    }
    merge_child(&mut parent, node);
    if let Some(sets) = file_sets {
        apply_file_sets(&mut parent, sets, sources)?;
    }
    Ok(parent)
}

/// What identifies a file in an extends chain: its canonical path, or the
/// built-in scenario's name.
fn layer_key(origin: &Origin) -> String {
    match origin {
        Origin::File(p) => p
            .canonicalize()
            .map_or_else(|_| p.display().to_string(), |c| c.display().to_string()),
        Origin::Embedded(n) => format!("builtin:{n}"),
    }
}

/// Refuses a file that is already in the chain of files being read.
fn check_cycle(chain: &[String], key: &str, sources: &Sources) -> Result<(), LoadError> {
    let Some(pos) = chain.iter().position(|k| k == key) else {
        return Ok(());
    };
    let mut names: Vec<&str> = chain[pos..].iter().map(|k| short(k)).collect();
    names.push(short(key));
    Err(sources
        .error(
            chain_loc(sources),
            format!("extends cycle: {}", names.join(" -> ")),
        )
        .with_help("a scenario cannot extend itself, directly or through others")
        .into())
}

/// Parses one file on its own: the document tree, checked against the
/// schema, with `name` defaulting to the file's stem.
fn parse_layer(found: &library::Found, sources: &mut Sources) -> Result<Node, LoadError> {
    let id = sources.add(found.display.clone(), found.text.clone());
    let mut node = doc::parse(sources, id)?;
    expand_observation_files(&mut node, &found.origin, sources)?;
    // Typed check of this file alone: unknown keys, wrong types, bad dates
    // and distributions are reported with their exact position here.
    if let Err(e) = toml::from_str::<ScenarioFile>(&found.text) {
        let loc = Loc {
            source: id,
            span: e.span().unwrap_or(0..0),
        };
        return Err(serde_error(sources, &loc, e.message()).into());
    }
    let table = node.table_mut().expect("a parsed document is a table");
    if !table.contains_key("name") {
        let loc = Loc {
            source: id,
            span: 0..0,
        };
        let value = Node {
            kind: Kind::Scalar(toml::Value::String(found.stem.clone())),
            loc: loc.clone(),
        };
        table.insert("name".into(), (loc, value));
    }
    Ok(node)
}

/// Merges a child file over its parent: tables key by key, while the
/// child's events, incidents and observations are appended to the parent's.
fn merge_child(parent: &mut Node, mut child: Node) {
    let table = child.table_mut().expect("a parsed document is a table");
    let appended: Vec<(String, Node)> = ["events", "incidents", "observations"]
        .iter()
        .filter_map(|k| table.shift_remove(*k).map(|(_, n)| (k.to_string(), n)))
        .collect();
    parent.merge(child);
    let ptable = parent.table_mut().expect("a parsed document is a table");
    for (key, child) in appended {
        match ptable.get_mut(&key) {
            Some((
                _,
                Node {
                    kind: Kind::Array(items),
                    ..
                },
            )) => {
                if let Kind::Array(extra) = child.kind {
                    items.extend(extra);
                }
            }
            _ => {
                ptable.insert(key, (child.loc.clone(), child));
            }
        }
    }
}

/// Where the `extends` that led into the current file was written.
fn chain_loc(sources: &Sources) -> Option<&Loc> {
    sources.pending_extends.as_ref()
}

fn short(key: &str) -> &str {
    let k = key.strip_prefix("builtin:").unwrap_or(key);
    k.rsplit(['/', '\\']).next().unwrap_or(k)
}

fn remove_events(parent: &mut Node, list: &Node, sources: &Sources) -> Result<(), ScenarioError> {
    let (names, events) = removal_lists(parent, list, "events", "event names", sources)?;
    for n in names {
        let Some(name) = n.as_str() else {
            return Err(sources.error(
                Some(&n.loc),
                "`remove_events` entries must be event names (strings)",
            ));
        };
        match events.iter().position(|e| entry_name(e) == Some(name)) {
            Some(i) => {
                events.remove(i);
            }
            None => {
                let known: Vec<&str> = events.iter().filter_map(entry_name).collect();
                let help = did_you_mean(name, known.iter().copied(), "parent events");
                return Err(sources
                    .error(
                        Some(&n.loc),
                        format!("remove_events: the parent has no event named `{name}`"),
                    )
                    .with_help(help));
            }
        }
    }
    Ok(())
}

/// Replaces every `[[observations]]` entry that names a `file` by the
/// observations of that file, read relative to the scenario that names it.
fn expand_observation_files(
    node: &mut Node,
    origin: &Origin,
    sources: &mut Sources,
) -> Result<(), LoadError> {
    let Some((
        _,
        Node {
            kind: Kind::Array(entries),
            ..
        },
    )) = node.table_mut().and_then(|t| t.get_mut("observations"))
    else {
        return Ok(());
    };
    let mut expanded = Vec::with_capacity(entries.len());
    for entry in std::mem::take(entries) {
        // An entry with a `date` is one observation (a row read from a file
        // keeps `file`, and a resolved scenario writes such rows back).
        let Some(file) = entry.get("file").filter(|_| entry.get("date").is_none()) else {
            expanded.push(entry);
            continue;
        };
        let (spec, loc) = (
            file.as_str().unwrap_or_default().to_string(),
            file.loc.clone(),
        );
        if entry.table().is_some_and(|t| t.len() > 1) {
            return Err(sources
                .error(
                    Some(&entry.loc),
                    "an entry with `file` names an observation file and holds nothing else",
                )
                .into());
        }
        let (display, text) = match library::read_data(&spec, origin) {
            Ok(found) => found,
            Err(library::ReadError::Refused(why)) => {
                return Err(sources
                    .error(
                        Some(&loc),
                        format!("`{spec}` is not an observation file: {why}"),
                    )
                    .into());
            }
            Err(library::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(sources
                    .error(
                        Some(&loc),
                        format!("no observation file `{spec}` next to this scenario"),
                    )
                    .into());
            }
            Err(library::ReadError::Io(source)) => {
                return Err(LoadError::Io {
                    path: spec.into(),
                    source,
                });
            }
        };
        let id = sources.add(display, text);
        expanded.extend(records::parse(sources, id, &spec)?);
    }
    if let Some((
        _,
        Node {
            kind: Kind::Array(entries),
            ..
        },
    )) = node.table_mut().and_then(|t| t.get_mut("observations"))
    {
        *entries = expanded;
    }
    Ok(())
}

/// What `remove_observations` may call an observation: its `name`,
/// `DATE VARIABLE` or `DATE band BAND`, or the file it was read from.
fn observation_keys(entry: &Node) -> Vec<String> {
    let get = |k: &str| entry.get(k).and_then(Node::as_str);
    let mut keys: Vec<String> = ["name", "file"]
        .iter()
        .filter_map(|k| get(k))
        .map(String::from)
        .collect();
    if let Some(date) = get("date") {
        if let Some(v) = get("variable") {
            keys.push(format!("{date} {v}"));
        }
        if let Some(b) = get("band") {
            keys.push(format!("{date} band {b}"));
        }
    }
    keys
}

/// What `remove_KEY = [...]` removes from: its list of names (`list_of`
/// says what they must be) and the parent's array `KEY`.
fn removal_lists<'a>(
    parent: &'a mut Node,
    list: &'a Node,
    key: &str,
    list_of: &str,
    sources: &Sources,
) -> Result<(&'a [Node], &'a mut Vec<Node>), ScenarioError> {
    let Kind::Array(names) = &list.kind else {
        return Err(sources.error(
            Some(&list.loc),
            format!("`remove_{key}` must be a list of {list_of}"),
        ));
    };
    match parent.table_mut().and_then(|t| t.get_mut(key)) {
        Some((
            _,
            Node {
                kind: Kind::Array(items),
                ..
            },
        )) => Ok((names, items)),
        _ => Err(sources.error(
            Some(&list.loc),
            format!("`remove_{key}`: the parent scenario has no {key}"),
        )),
    }
}

/// Drops the parent's observations that `list` names.
fn remove_observations(
    parent: &mut Node,
    list: &Node,
    sources: &Sources,
) -> Result<(), ScenarioError> {
    let (names, entries) = removal_lists(parent, list, "observations", "texts", sources)?;
    for n in names {
        let Some(name) = n.as_str() else {
            return Err(sources.error(Some(&n.loc), "`remove_observations` entries are texts"));
        };
        let before = entries.len();
        entries.retain(|e| !observation_keys(e).iter().any(|k| k == name));
        if entries.len() == before {
            return Err(sources
                .error(Some(&n.loc), format!("remove_observations: the parent has no observation `{name}`"))
                .with_help("name an observation by its `name`, as `YYYY-MM variable` or `YYYY-MM band BAND`, or by the file it was read from"));
        }
    }
    Ok(())
}

/// Turns a serde message into a diagnostic, suggesting the nearest key for
/// an unknown field.
fn serde_error(sources: &Sources, loc: &Loc, message: &str) -> ScenarioError {
    let message = message.trim();
    let mut err = sources.error(Some(loc), message.to_string());
    if let Some((_, rest)) = message.split_once("unknown field `")
        && let Some((wrong, tail)) = rest.split_once('`')
    {
        let known: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
        if let Some(n) = nearest(wrong, known.iter().copied()) {
            err.help = Some(format!("did you mean `{n}`?"));
        }
    }
    err
}

/// Tables whose keys are names chosen by the author: a `--set` may not
/// invent a new entry in the middle of a path through them.
const NAMED_MAPS: &[&str] = &["variables", "drivers", "influences"];

/// One `--set PATH=VALUE` argument, parsed.
struct SetArg<'a> {
    /// How messages name where the override came from: `--set` or `set`
    /// (the `[set]` table of a scenario file).
    flag: &'static str,
    /// The path as written, for messages.
    path_text: &'a str,
    segments: Vec<String>,
    /// Where the path is, in the argument.
    path_loc: Loc,
    value: Node,
}

/// Applies the `n`-th `--set` argument to the document.
fn apply_set(doc: &mut Node, arg: &str, n: usize, sources: &mut Sources) -> Result<(), LoadError> {
    let id = sources.add(format!("--set #{n}"), arg.to_string());
    let set = parse_set(arg, id, sources)?;
    set_one(doc, set, sources)
}

/// Applies one override and checks that the document still fits the schema.
fn set_one(doc: &mut Node, set: SetArg<'_>, sources: &Sources) -> Result<(), LoadError> {
    let node = walk(doc, &set, sources)?;
    node.merge(set.value);
    // The whole document must still fit the schema: this is where a path
    // naming a field that does not exist is caught.
    if let Err(e) = doc.to_value().try_into::<ScenarioFile>() {
        return Err(serde_error(
            sources,
            &set.path_loc,
            &format!("{} {}: {}", set.flag, set.path_text, e.message()),
        )
        .into());
    }
    Ok(())
}

/// Applies a scenario file's `[set]` table (`"PATH" = VALUE` entries, in
/// order) to the document merged so far, exactly as `--set` would.
fn apply_file_sets(doc: &mut Node, table: Node, sources: &Sources) -> Result<(), LoadError> {
    let Kind::Table(entries) = table.kind else {
        return Err(sources
            .error(
                Some(&table.loc),
                "`set` must be a table of \"PATH\" = VALUE entries",
            )
            .into());
    };
    for (path, (key_loc, value)) in entries {
        let segments = doc::split_path(&path)
            .map_err(|m| sources.error(Some(&key_loc), format!("set: {m}")))?;
        check_settable(&segments, &key_loc, "set", sources)?;
        let set = SetArg {
            flag: "set",
            path_text: &path,
            segments,
            path_loc: key_loc,
            value,
        };
        set_one(doc, set, sources)?;
    }
    Ok(())
}

/// Refuses overrides of the keys that act while files are merged.
fn check_settable(
    segments: &[String],
    loc: &Loc,
    flag: &str,
    sources: &Sources,
) -> Result<(), LoadError> {
    if matches!(
        segments[0].as_str(),
        "extends" | "remove_events" | "remove_observations" | "set"
    ) {
        return Err(sources
            .error(
                Some(loc),
                format!("{flag} cannot change `{}`: it acts while the scenario files are merged, before overrides", segments[0]),
            )
            .with_help("write it in the scenario file instead")
            .into());
    }
    Ok(())
}

/// Splits `PATH=VALUE` (the source `id`) into its path segments and value.
fn parse_set<'a>(arg: &'a str, id: SourceId, sources: &Sources) -> Result<SetArg<'a>, LoadError> {
    let whole = Loc {
        source: id,
        span: 0..arg.len(),
    };
    let Some(eq) = find_unquoted(arg, '=') else {
        return Err(sources
            .error(
                Some(&whole),
                format!("--set `{arg}` must have the form PATH=VALUE"),
            )
            .into());
    };
    let (path_text, value_text) = (arg[..eq].trim(), &arg[eq + 1..]);
    let path_loc = Loc {
        source: id,
        span: 0..eq,
    };
    let segments = doc::split_path(path_text)
        .map_err(|m| sources.error(Some(&path_loc), format!("--set: {m}")))?;
    check_settable(&segments, &path_loc, "--set", sources)?;
    let value_loc = Loc {
        source: id,
        span: eq + 1..arg.len(),
    };
    let mut value = parse_value(value_text, &value_loc, sources)?;
    shift(&mut value, eq + 1);
    Ok(SetArg {
        flag: "--set",
        path_text,
        segments,
        path_loc,
        value,
    })
}

/// The node a `--set` path names, walking tables by key (creating missing
/// entries, except new names inside [`NAMED_MAPS`]) and arrays by index or
/// `name`.
fn walk<'d>(
    doc: &'d mut Node,
    set: &SetArg<'_>,
    sources: &Sources,
) -> Result<&'d mut Node, LoadError> {
    let mut node = doc;
    let mut walked: Vec<&str> = Vec::new();
    for (i, seg) in set.segments.iter().enumerate() {
        let last = i + 1 == set.segments.len();
        node = match &mut node.kind {
            Kind::Table(t) => table_entry(t, seg, &walked, last, set, sources)?,
            Kind::Array(items) => array_entry(items, seg, &walked, set, sources)?,
            Kind::Scalar(_) => {
                return Err(sources
                    .error(
                        Some(&set.path_loc),
                        format!(
                            "{} {}: `{}` is a single value, not a table",
                            set.flag,
                            set.path_text,
                            compile::show_path(&walked)
                        ),
                    )
                    .into());
            }
        };
        walked.push(seg);
    }
    Ok(node)
}

/// The entry `seg` of a table reached through `walked`.
fn table_entry<'t>(
    t: &'t mut IndexMap<String, (Loc, Node)>,
    seg: &str,
    walked: &[&str],
    last: bool,
    set: &SetArg<'_>,
    sources: &Sources,
) -> Result<&'t mut Node, LoadError> {
    if !t.contains_key(seg) {
        if walked.len() == 1 && NAMED_MAPS.contains(&walked[0]) && !last {
            let help = did_you_mean(seg, t.keys().map(String::as_str), "names");
            return Err(sources
                .error(
                    Some(&set.path_loc),
                    format!(
                        "{} {}: there is no `{seg}` in `{}`",
                        set.flag,
                        set.path_text,
                        compile::show_path(walked)
                    ),
                )
                .with_help(help)
                .into());
        }
        let empty = Node {
            kind: Kind::Table(Default::default()),
            loc: set.path_loc.clone(),
        };
        t.insert(seg.to_string(), (set.path_loc.clone(), empty));
    }
    let (_, child) = t.get_mut(seg).expect("inserted above");
    Ok(child)
}

/// The entry of an array (events, incidents) reached through `walked`:
/// `seg` is an index or the entry's `name`.
fn array_entry<'a>(
    items: &'a mut [Node],
    seg: &str,
    walked: &[&str],
    set: &SetArg<'_>,
    sources: &Sources,
) -> Result<&'a mut Node, LoadError> {
    let pos = seg
        .parse::<usize>()
        .ok()
        .filter(|i| *i < items.len())
        .or_else(|| items.iter().position(|e| entry_name(e) == Some(seg)));
    match pos {
        Some(pos) => Ok(&mut items[pos]),
        None => {
            let known: Vec<&str> = items.iter().filter_map(entry_name).collect();
            Err(sources
                .error(
                    Some(&set.path_loc),
                    format!(
                        "{} {}: `{}` has no entry named `{seg}`",
                        set.flag,
                        set.path_text,
                        compile::show_path(walked)
                    ),
                )
                .with_help(format!(
                    "give an index (0..{}) or a name: {}",
                    items.len(),
                    list_names(known.iter().copied())
                ))
                .into())
        }
    }
}

/// The `name` of an event or incident entry.
fn entry_name(e: &Node) -> Option<&str> {
    e.get("name").and_then(Node::as_str)
}

fn parse_value(text: &str, loc: &Loc, sources: &Sources) -> Result<Node, ScenarioError> {
    let wrapped = format!("v = {text}");
    let tmp = Sources {
        files: vec![source::SourceText {
            name: String::new(),
            text: wrapped.clone().into(),
        }],
        pending_extends: None,
    };
    match doc::parse(&tmp, source::SourceId(0)) {
        Ok(n) => {
            let mut v = n.get("v").cloned().ok_or_else(|| sources.error(Some(loc), "--set: missing value"))?;
            relabel(&mut v, loc.source);
            shift_back(&mut v, 4);
            Ok(v)
        }
        Err(_) => Err(sources.error(
            Some(loc),
            format!("--set: `{}` is not a TOML value (numbers as 0.8, strings as \"step\", tables as {{ dist = \"uniform\", min = 0.1, max = 0.3 }})", text.trim()),
        )),
    }
}

fn find_unquoted(s: &str, ch: char) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c == ch && !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

fn visit_locs(n: &mut Node, f: &mut impl FnMut(&mut Loc)) {
    f(&mut n.loc);
    match &mut n.kind {
        Kind::Scalar(_) => {}
        Kind::Array(a) => a.iter_mut().for_each(|c| visit_locs(c, f)),
        Kind::Table(t) => t.values_mut().for_each(|(k, c)| {
            f(k);
            visit_locs(c, f)
        }),
    }
}

fn relabel(n: &mut Node, id: source::SourceId) {
    visit_locs(n, &mut |l| l.source = id);
}

fn shift(n: &mut Node, by: usize) {
    visit_locs(n, &mut |l| l.span = l.span.start + by..l.span.end + by);
}

fn shift_back(n: &mut Node, by: usize) {
    visit_locs(n, &mut |l| {
        l.span = l.span.start.saturating_sub(by)..l.span.end.saturating_sub(by)
    });
}
