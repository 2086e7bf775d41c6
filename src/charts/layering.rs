//! The modules of `src/charts/` use each other without cycles: each one
//! builds only on modules below it, so a module can be read, tested and
//! changed without the ones above it.
//!
//! The test reads the source files, not the compiled crate. A module
//! depends on another when it names it: `super::NAME` or
//! `crate::charts::NAME` in a submodule, `NAME::` (or `self::NAME`) in
//! `mod.rs`. `mod.rs` is a node of its own (`mod`) for the items it defines;
//! its module declarations and `pub use` re-exports are not dependencies,
//! and an item a submodule reaches through a re-export counts as a use of
//! the module that defines it. Comments, string literals and
//! `#[cfg(test)]` items are not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The node `mod.rs` stands for.
const ROOT: &str = "mod";

/// `text` with comments and the contents of string and character literals
/// blanked out (newlines kept), so only code is searched.
fn code_of(text: &str) -> String {
    let s: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let next = s.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < s.len() {
                if s[i] == '/' && s.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if s[i] == '*' && s.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(s[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('"' | '#'))
            && (i == 0 || !is_ident(s[i - 1]))
            && s[i + 1..].iter().find(|c| **c != '#') == Some(&'"')
        {
            // A raw string: r"…", r#"…"#, …
            let hashes = s[i + 1..].iter().take_while(|c| **c == '#').count();
            i += 2 + hashes;
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            while i < s.len() && !s[i..].starts_with(&close) {
                out.push(blank(s[i]));
                i += 1;
            }
            i += close.len();
        } else if c == '"' {
            i += 1;
            while i < s.len() && s[i] != '"' {
                if s[i] == '\\' {
                    i += 1;
                }
                if let Some(&c) = s.get(i) {
                    out.push(blank(c));
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' && next == Some('\\') {
            // An escaped character literal: '\n', '\'', '\u{…}'.
            i += 2;
            while i < s.len() && s[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if c == '\'' && s.get(i + 2) == Some(&'\'') {
            // A character literal; otherwise a lifetime, kept.
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `code` without the items marked `#[cfg(test)]`: unit tests may use
/// anything.
fn without_tests(code: &str) -> String {
    const MARK: &str = "#[cfg(test)]";
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let after = &rest[at + MARK.len()..];
        let end = match (after.find(';'), after.find('{')) {
            (Some(semi), Some(open)) if semi < open => semi + 1,
            (Some(semi), None) => semi + 1,
            (_, Some(open)) => {
                let mut depth = 0;
                let mut end = after.len();
                for (k, c) in after[open..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = open + k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (None, None) => after.len(),
        };
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The identifier `s` starts with (after spaces), or `*`.
fn leading_name(s: &str) -> String {
    let s = s.trim_start();
    if s.starts_with('*') {
        return "*".into();
    }
    s.chars().take_while(|c| is_ident(*c)).collect()
}

/// The names right after each `prefix` in `code` that stands at the start
/// of a path: `prefix NAME` or each first name of `prefix {A, B::c, …}`.
fn names_after(code: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        let rest = code[at + prefix.len()..].trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            out.extend(group_items(group).iter().map(|item| leading_name(item)));
        } else {
            out.push(leading_name(rest));
        }
    }
    out
}

/// The top-level items of a use group, `s` starting just after its `{`.
fn group_items(s: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (k, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&s[start..k]);
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&s[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    items.retain(|i| !i.trim().is_empty());
    items
}

/// Whether `word` stands in `code` as a whole identifier.
fn has_word(code: &str, word: &str) -> bool {
    code.match_indices(word).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// The names a use tree brings in: the last segment of each path (or its
/// `as` alias).
fn use_leaves(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        return group_items(&tree[open + 1..])
            .into_iter()
            .flat_map(use_leaves)
            .collect();
    }
    let name = match tree.split_once(" as ") {
        Some((_, alias)) => alias,
        None => tree.rsplit("::").next().unwrap_or(tree),
    };
    vec![name.trim().to_string()]
}

/// `code` with every statement starting with `keyword` removed; the
/// statements are returned, without the keyword and the `;`.
fn take_statements(code: &str, keyword: &str) -> (String, Vec<String>) {
    let (mut kept, mut taken) = (String::new(), Vec::new());
    let mut rest = code;
    while let Some(at) = rest.find(keyword) {
        let starts_line = rest[..at].trim_end_matches([' ', '\t']).ends_with('\n') || at == 0;
        let end = rest[at..].find(';').map_or(rest.len(), |e| at + e + 1);
        if starts_line {
            kept.push_str(&rest[..at]);
            taken.push(rest[at + keyword.len()..end - 1].to_string());
        } else {
            kept.push_str(&rest[..end]);
        }
        rest = &rest[end..];
    }
    kept.push_str(rest);
    (kept, taken)
}

/// The modules each module of the folder `dir` uses (see the module docs).
fn imports(dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut code = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("src/charts/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path.file_stem().unwrap_or_default().to_string_lossy();
            let text = std::fs::read_to_string(&path).expect("a readable source file");
            code.insert(name.into_owned(), without_tests(&code_of(&text)));
        }
    }
    let modules: BTreeSet<String> = code.keys().filter(|m| *m != ROOT).cloned().collect();
    let root = code.remove(ROOT).unwrap_or_default();
    let (root, _) = take_statements(&root, "pub mod ");
    let (root, _) = take_statements(&root, "mod ");
    let (root, reexports) = take_statements(&root, "pub use ");
    // An item re-exported by mod.rs → the module defining it.
    let mut through: BTreeMap<String, String> = BTreeMap::new();
    for tree in &reexports {
        let module = leading_name(tree);
        if modules.contains(&module) {
            for leaf in use_leaves(tree) {
                through.insert(leaf, module.clone());
            }
        }
    }
    let mut graph = BTreeMap::new();
    for (name, code) in &code {
        let names = names_after(code, "super::")
            .into_iter()
            .chain(names_after(code, "crate::charts::"));
        let uses = names
            .filter_map(|n| {
                if modules.contains(&n) {
                    Some(n)
                } else if let Some(m) = through.get(&n) {
                    Some(m.clone())
                } else if n.is_empty() || ["*", "self", "super", "crate"].contains(&n.as_str()) {
                    None
                } else {
                    Some(ROOT.to_string())
                }
            })
            .filter(|n| n != name)
            .collect();
        graph.insert(name.clone(), uses);
    }
    let mut root_uses = BTreeSet::new();
    for m in &modules {
        let named = |prefix: &str| !names_after(&root, prefix).is_empty();
        if named(&format!("{m}::"))
            || names_after(&root, "self::").contains(m)
            || names_after(&root, "crate::charts::").contains(m)
        {
            root_uses.insert(m.clone());
        }
    }
    // mod.rs using a name it re-exports uses the module defining it.
    for (item, m) in &through {
        if has_word(&root, item) {
            root_uses.insert(m.clone());
        }
    }
    graph.insert(ROOT.to_string(), root_uses);
    graph
}

/// A cycle of `graph`, as the modules along it with the first repeated at
/// the end; `None` when the graph is acyclic.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Copy, Clone, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit<'a>(
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        node: &'a str,
        marks: &mut BTreeMap<&'a str, Mark>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = path.iter().position(|n| *n == node).unwrap_or(0);
                let mut cycle: Vec<String> = path[from..].iter().map(|n| n.to_string()).collect();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node, Mark::Open);
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(graph, next, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks.insert(node, Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph
        .keys()
        .find_map(|n| visit(graph, n, &mut marks, &mut Vec::new()))
}

/// The groups of modules that use each other in cycles (strongly
/// connected components of more than one module), each with one of its
/// cycles and its pairs of modules that use each other directly.
fn tangles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let reaches = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(n) = todo.pop() {
            for next in graph.get(&n).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reach: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|n| (n, reaches(n))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for (n, r) in &reach {
        if done.contains(*n) || !r.contains(*n) {
            continue;
        }
        let group: BTreeSet<String> = r
            .iter()
            .filter(|m| reach.get(m).is_some_and(|rm| rm.contains(*n)))
            .cloned()
            .collect();
        let inside: BTreeMap<String, BTreeSet<String>> = group
            .iter()
            .map(|m| (m.clone(), &graph[m] & &group))
            .collect();
        let cycle = find_cycle(&inside).unwrap_or_default().join(" → ");
        let mutual: Vec<String> = inside
            .iter()
            .flat_map(|(a, uses)| uses.iter().map(move |b| (a, b)))
            .filter(|(a, b)| a < b && inside[*b].contains(*a))
            .map(|(a, b)| format!("{a} ↔ {b}"))
            .collect();
        out.push(format!(
            "{{{}}}: e.g. {cycle}; direct: {}",
            group.iter().cloned().collect::<Vec<_>>().join(", "),
            if mutual.is_empty() {
                "none".to_string()
            } else {
                mutual.join(", ")
            }
        ));
        done.extend(group);
    }
    out
}

#[test]
fn the_chart_modules_use_each_other_without_cycles() {
    let graph = imports(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/charts"));
    // The reader must see the uses that are known to exist.
    let uses = |a: &str, b: &str| graph.get(a).is_some_and(|u| u.contains(b));
    assert!(uses("frame", "axes") && uses("fan", "frame"), "{graph:#?}");
    assert!(uses("render", ROOT), "{graph:#?}");
    let found = tangles(&graph);
    assert!(
        found.is_empty(),
        "import cycles between the modules of src/charts/:\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn the_reader_finds_uses_and_cycles() {
    let code = code_of(
        "use super::{alpha::{self, A}, Item, b::B};\n\
         // super::comment\n\
         let s = \"super::string\"; let c = '\"'; fn f<'a>(x: &'a str) {}\n\
         x = crate::charts::gamma::g(); y = super::delta::d;\n",
    );
    assert_eq!(
        names_after(&code, "super::"),
        ["alpha", "Item", "b", "delta"]
    );
    assert_eq!(names_after(&code, "crate::charts::"), ["gamma"]);
    assert_eq!(
        without_tests("a();\n#[cfg(test)]\nmod tests { fn t() { b(); } }\nc();"),
        "a();\n\nc();"
    );
    assert_eq!(
        use_leaves("run::{Kind, plan as p, x::Y}"),
        ["Kind", "p", "Y"]
    );
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(
        tangles(&graph),
        ["{a, b, c}: e.g. a → b → c → a; direct: none"]
    );
    let mut acyclic = graph.clone();
    if let Some(uses) = acyclic.get_mut("c") {
        uses.clear();
    }
    assert_eq!(find_cycle(&acyclic), None);
    assert!(tangles(&acyclic).is_empty());
}
