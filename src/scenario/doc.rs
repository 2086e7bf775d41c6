//! The scenario document as a tree that remembers where every value came
//! from. `extends` merging and `--set` overrides work on this tree, so a
//! validation error after merging can still point at the file and line that
//! supplied the offending value.

use indexmap::IndexMap;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::source::{Loc, SourceId, Sources};

#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub kind: Kind,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Scalar(toml::Value),
    Array(Vec<Node>),
    /// Key → (where the key is written, value).
    Table(IndexMap<String, (Loc, Node)>),
}

impl Node {
    pub(crate) fn from_table(table: &Spanned<DeTable<'_>>, source: SourceId) -> Node {
        let loc = Loc {
            source,
            span: table.span(),
        };
        Node {
            kind: table_kind(table.get_ref(), source),
            loc,
        }
    }

    fn from_value(value: &Spanned<DeValue<'_>>, source: SourceId) -> Node {
        let loc = Loc {
            source,
            span: value.span(),
        };
        let kind = match value.get_ref() {
            DeValue::String(s) => Kind::Scalar(toml::Value::String(s.to_string())),
            DeValue::Integer(i) => Kind::Scalar(
                i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                    .map(toml::Value::Integer)
                    .unwrap_or_else(|_| toml::Value::String(i.as_str().to_string())),
            ),
            DeValue::Float(f) => Kind::Scalar(toml::Value::Float(parse_float(f.as_str()))),
            DeValue::Boolean(b) => Kind::Scalar(toml::Value::Boolean(*b)),
            DeValue::Datetime(d) => Kind::Scalar(toml::Value::Datetime(*d)),
            DeValue::Array(a) => {
                Kind::Array(a.iter().map(|v| Node::from_value(v, source)).collect())
            }
            DeValue::Table(t) => table_kind(t, source),
        };
        Node { kind, loc }
    }

    pub(crate) fn table(&self) -> Option<&IndexMap<String, (Loc, Node)>> {
        match &self.kind {
            Kind::Table(t) => Some(t),
            _ => None,
        }
    }

    pub(crate) fn table_mut(&mut self) -> Option<&mut IndexMap<String, (Loc, Node)>> {
        match &mut self.kind {
            Kind::Table(t) => Some(t),
            _ => None,
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.table().and_then(|t| t.get(key)).map(|(_, n)| n)
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(toml::Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// A table with a `dist` key is one parameter value: it is replaced whole,
    /// never merged key by key with the value it overrides.
    fn is_distribution(&self) -> bool {
        self.get("dist").is_some()
    }

    /// Merges `child` over `self`: tables key by key, everything else replaced.
    pub(crate) fn merge(&mut self, child: Node) {
        if self.is_distribution() || child.is_distribution() {
            *self = child;
            return;
        }
        match (&mut self.kind, child.kind) {
            (Kind::Table(mine), Kind::Table(theirs)) => {
                for (key, (kloc, node)) in theirs {
                    match mine.get_mut(&key) {
                        Some((_, existing)) => existing.merge(node),
                        None => {
                            mine.insert(key, (kloc, node));
                        }
                    }
                }
            }
            (_, kind) => {
                self.kind = kind;
                self.loc = child.loc;
            }
        }
    }

    pub(crate) fn to_value(&self) -> toml::Value {
        match &self.kind {
            Kind::Scalar(v) => v.clone(),
            Kind::Array(a) => toml::Value::Array(a.iter().map(Node::to_value).collect()),
            Kind::Table(t) => {
                let mut out = toml::Table::new();
                for (k, (_, v)) in t {
                    out.insert(k.clone(), v.to_value());
                }
                toml::Value::Table(out)
            }
        }
    }

    /// Where the value at `path` was written; the nearest existing ancestor
    /// when the path runs out (e.g. a missing field points at its table).
    /// A segment that is a number indexes an array.
    pub(crate) fn locate(&self, path: &[&str]) -> &Loc {
        self.locate_inner(path, false)
    }

    /// Like [`Node::locate`], but points at the last key rather than its value.
    pub(crate) fn locate_key(&self, path: &[&str]) -> &Loc {
        self.locate_inner(path, true)
    }

    fn locate_inner(&self, path: &[&str], want_key: bool) -> &Loc {
        let Some((first, rest)) = path.split_first() else {
            return &self.loc;
        };
        match &self.kind {
            Kind::Table(t) => match t.get(*first) {
                Some((kloc, node)) if rest.is_empty() && want_key => kloc,
                Some((_, node)) => node.locate_inner(rest, want_key),
                None => &self.loc,
            },
            Kind::Array(a) => match first.parse::<usize>().ok().and_then(|i| a.get(i)) {
                Some(node) => node.locate_inner(rest, want_key),
                None => &self.loc,
            },
            Kind::Scalar(_) => &self.loc,
        }
    }
}

fn table_kind(table: &DeTable<'_>, source: SourceId) -> Kind {
    let mut out = IndexMap::new();
    for (k, v) in table.iter() {
        let kloc = Loc {
            source,
            span: k.span(),
        };
        out.insert(k.get_ref().to_string(), (kloc, Node::from_value(v, source)));
    }
    Kind::Table(out)
}

/// TOML float text (`1_000.5`, `+inf`, `nan`, `6.02e23`) to f64.
fn parse_float(text: &str) -> f64 {
    let t = text.replace('_', "");
    match t.trim_start_matches(['+', '-']) {
        "inf" => {
            if t.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }
        }
        "nan" => f64::NAN,
        _ => t.parse().unwrap_or(f64::NAN),
    }
}

/// Parses a source into a document tree, reporting TOML syntax errors with
/// their position.
pub(crate) fn parse(sources: &Sources, id: SourceId) -> Result<Node, super::source::ScenarioError> {
    let text = sources.get(id).text.clone();
    match DeTable::parse(&text) {
        Ok(t) => {
            if let Some((span, digits)) = t.get_ref().iter().find_map(|(_, v)| too_large(v)) {
                return Err(sources.error(
                    Some(&Loc { source: id, span }),
                    format!(
                        "{digits} is not a whole number a scenario can hold: they lie between {} and {}",
                        i64::MIN,
                        i64::MAX
                    ),
                ));
            }
            Ok(Node::from_table(&t, id))
        }
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            Err(sources.error(
                Some(&Loc { source: id, span }),
                format!("TOML syntax error: {}", e.message().trim()),
            ))
        }
    }
}

/// The first integer in `value` that does not fit in 64 signed bits, with
/// its span: TOML integers are 64-bit, but the parser passes larger ones on
/// as text, which would otherwise surface as a type error somewhere else.
fn too_large(value: &Spanned<DeValue<'_>>) -> Option<(std::ops::Range<usize>, String)> {
    match value.get_ref() {
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            i64::from_str_radix(&digits, i.radix())
                .is_err()
                .then(|| (value.span(), i.as_str().to_string()))
        }
        DeValue::Array(a) => a.iter().find_map(too_large),
        DeValue::Table(t) => t.iter().find_map(|(_, v)| too_large(v)),
        _ => None,
    }
}

/// Splits a `--set` path into segments: dots separate, double quotes protect.
pub(crate) fn split_path(path: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    for c in path.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            '.' if !quoted => {
                if cur.is_empty() && !was_quoted {
                    return Err(format!("`{path}` has an empty segment"));
                }
                out.push(std::mem::take(&mut cur));
                was_quoted = false;
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return Err(format!("`{path}` has an unclosed quote"));
    }
    if cur.is_empty() && !was_quoted {
        return Err(format!("`{path}` is empty or ends with a dot"));
    }
    out.push(cur);
    Ok(out)
}
