//! `extends`, `remove_events` and `--set` merging (docs/FORMAT.md, "Inheritance" and "Command-line overrides").

use geosim::model::Dist;
use geosim::scenario::{self, Scenario};

fn load(spec: &str, sets: &[&str]) -> Scenario {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    scenario::load(spec, &sets).unwrap_or_else(|e| panic!("{spec} does not load: {e:?}"))
}

fn param<'a>(s: &'a Scenario, path: &str) -> &'a Dist {
    &s.model
        .params
        .iter()
        .find(|p| p.path == path)
        .unwrap_or_else(|| panic!("no param {path}"))
        .dist
}

#[test]
fn child_merges_key_by_key() {
    let s = load("tests/fixtures/child.toml", &[]);
    let m = &s.model;
    assert_eq!(
        m.name, "child",
        "the name defaults to the child's file stem, not the parent's"
    );
    assert_eq!(m.title, "Child");
    assert_eq!(param(&s, "variables.x.rate"), &Dist::Fixed(0.6));
    assert_eq!(
        param(&s, "variables.x.bias"),
        &Dist::Fixed(0.2),
        "untouched keys are inherited"
    );
    assert_eq!(param(&s, "variables.x.initial"), &Dist::Fixed(0.5));
    let inf = m.influences.iter().find(|i| i.key == "d -> x").unwrap();
    assert_eq!(inf.lag, 2, "lag inherited when only the weight changes");
    assert_eq!(inf.evidence.as_deref(), Some("parent says so"));
    assert_eq!(
        param(&s, "influences.\"d -> x\".weight"),
        &Dist::Uniform { min: 0.1, max: 0.3 }
    );
    let names: Vec<&str> = m.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["second", "third"], "first removed, third appended");
    assert_eq!(s.chain.len(), 2);
}

#[test]
fn a_distribution_replaces_a_distribution_whole() {
    let s = load(
        "tests/fixtures/child.toml",
        &["influences.\"d -> x\".weight={ dist = \"normal\", mean = 1.0, sd = 0.1 }"],
    );
    assert_eq!(
        param(&s, "influences.\"d -> x\".weight"),
        &Dist::Normal { mean: 1.0, sd: 0.1 }
    );
}

#[test]
fn set_overrides_after_merging() {
    let s = load(
        "tests/fixtures/child.toml",
        &[
            "variables.x.rate=0.9",
            "events.second.jump.y=0.5",
            "ensemble.runs=7",
            "drivers.d.interpolation=\"step\"",
        ],
    );
    assert_eq!(param(&s, "variables.x.rate"), &Dist::Fixed(0.9));
    assert_eq!(param(&s, "events.second.jump.y"), &Dist::Fixed(0.5));
    assert_eq!(s.model.ensemble.runs, 7);
    // The parent's driver `d` has one point; a step path holds it flat, as
    // a linear one would: the override must still have been accepted.
    assert!(s.model.drivers[0].path.iter().all(|v| *v == 0.4));
    // by index as well as by name
    let s = load("tests/fixtures/parent.toml", &["events.0.jump.x=0.25"]);
    assert_eq!(param(&s, "events.first.jump.x"), &Dist::Fixed(0.25));
}

#[test]
fn resolved_document_reproduces_the_model() {
    let s = load("tests/fixtures/child.toml", &["variables.y.rate=0.25"]);
    let text = toml::to_string(&s.document).unwrap();
    let again = scenario::load_text("resolved.toml", &text, &[])
        .expect("resolved document loads on its own");
    assert_eq!(again.model.name, "child");
    assert_eq!(again.model.params.len(), s.model.params.len());
    for (a, b) in again.model.params.iter().zip(&s.model.params) {
        assert_eq!(a.path, b.path);
        assert_eq!(a.dist, b.dist);
    }
    assert_eq!(again.model.events.len(), 2);
}

#[test]
fn typed_runs_and_seed_are_recorded_and_located_at_their_flag() {
    use geosim::scenario::{LoadError, Request, load_request};
    let s = load_request(
        "tests/fixtures/small.toml",
        &Request {
            sets: &["ensemble.runs=5".to_string()],
            runs: Some(9),
            seed: Some(4),
            condition: false,
        },
    )
    .unwrap();
    assert_eq!(
        (s.model.ensemble.runs, s.model.ensemble.seed),
        (9, 4),
        "flags apply after --set"
    );
    let ens = s.document["ensemble"].as_table().unwrap();
    assert_eq!(ens["runs"].as_integer(), Some(9));
    assert_eq!(ens["seed"].as_integer(), Some(4));
    let Err(LoadError::Invalid(e)) = load_request(
        "tests/fixtures/small.toml",
        &Request {
            sets: &[],
            runs: None,
            seed: Some(u64::MAX),
            condition: false,
        },
    ) else {
        panic!("a seed beyond i64 must be refused");
    };
    assert_eq!(
        e.errors[0].message,
        "--seed:1:1: --seed 18446744073709551615 is larger than 9223372036854775807, the largest whole number a scenario holds"
    );
}

/// Writes `files` (name, text) into a fresh folder next to copies of the
/// parent fixture, so `extends = "parent"` finds it.
fn folder_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("tests/fixtures/parent.toml", dir.path().join("parent.toml")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn load_err(path: &std::path::Path, sets: &[&str]) -> String {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match scenario::load(path.to_str().unwrap(), &sets) {
        Ok(_) => panic!("{} loads, but should not", path.display()),
        Err(e) => format!("{e:?}"),
    }
}

#[test]
fn a_set_table_overrides_the_merged_parent_in_order() {
    let dir = folder_with(&[(
        "kid.toml",
        "extends = \"parent\"\n\
         [variables.x]\nrate = 0.6\n\
         [set]\n\
         \"variables.x.rate\" = 0.8\n\
         \"influences.\\\"d -> x\\\".weight\" = { dist = \"normal\", mean = 0.4, sd = 0.05 }\n\
         \"events.second.jump.y\" = 0.1\n\
         \"events.second.jump.y\" = 0.3\n",
    )]);
    // a duplicated key is a TOML error; write the order test without it
    let text = std::fs::read_to_string(dir.path().join("kid.toml")).unwrap();
    let text = text.replace("\"events.second.jump.y\" = 0.1\n", "");
    std::fs::write(dir.path().join("kid.toml"), text).unwrap();
    let s = load(dir.path().join("kid.toml").to_str().unwrap(), &[]);
    assert_eq!(
        param(&s, "variables.x.rate"),
        &Dist::Fixed(0.8),
        "[set] is applied after the file's own tables"
    );
    assert_eq!(param(&s, "variables.x.bias"), &Dist::Fixed(0.2));
    assert_eq!(
        param(&s, "influences.\"d -> x\".weight"),
        &Dist::Normal {
            mean: 0.4,
            sd: 0.05
        }
    );
    assert_eq!(param(&s, "events.second.jump.y"), &Dist::Fixed(0.3));
    // the command line comes last
    let s = load(
        dir.path().join("kid.toml").to_str().unwrap(),
        &["variables.x.rate=0.1"],
    );
    assert_eq!(param(&s, "variables.x.rate"), &Dist::Fixed(0.1));
}

#[test]
fn a_child_overrides_its_parents_set_table() {
    let dir = folder_with(&[
        (
            "mid.toml",
            "extends = \"parent\"\n[set]\n\"variables.x.rate\" = 0.8\n\"variables.y.rate\" = 0.9\n",
        ),
        (
            "leaf.toml",
            "extends = \"mid\"\n[variables.x]\nrate = 0.25\n",
        ),
    ]);
    let s = load(dir.path().join("leaf.toml").to_str().unwrap(), &[]);
    assert_eq!(param(&s, "variables.x.rate"), &Dist::Fixed(0.25));
    assert_eq!(
        param(&s, "variables.y.rate"),
        &Dist::Fixed(0.9),
        "the parent's [set] reaches the child"
    );
    // the resolved document has the overrides applied and no [set] left
    let resolved = toml::to_string(&s.document).unwrap();
    assert!(!resolved.contains("[set]"), "{resolved}");
    let again = dir.path().join("resolved.toml");
    std::fs::write(&again, &resolved).unwrap();
    let r = load(again.to_str().unwrap(), &[]);
    assert_eq!(param(&r, "variables.y.rate"), &Dist::Fixed(0.9));
}

#[test]
fn a_set_table_without_extends_and_its_errors() {
    let parent = std::fs::read_to_string("tests/fixtures/parent.toml").unwrap();
    let dir = folder_with(&[
        (
            "alone.toml",
            &format!("{parent}\n[set]\n\"variables.y.initial\" = 0.3\n"),
        ),
        (
            "typo.toml",
            "extends = \"parent\"\n[set]\n\"variables.x.rat\" = 0.3\n",
        ),
        (
            "merge.toml",
            "extends = \"parent\"\n[set]\n\"extends\" = \"other\"\n",
        ),
        (
            "scalar.toml",
            "extends = \"parent\"\n[set]\n\"variables.x.rate.sd\" = 0.3\n",
        ),
        ("notable.toml", "extends = \"parent\"\nset = 3\n"),
    ]);
    let s = load(dir.path().join("alone.toml").to_str().unwrap(), &[]);
    assert_eq!(param(&s, "variables.y.initial"), &Dist::Fixed(0.3));
    let e = load_err(&dir.path().join("typo.toml"), &[]);
    assert!(
        e.contains("set variables.x.rat") && e.contains("rate"),
        "{e}"
    );
    assert!(e.contains("typo.toml"), "the error names the file: {e}");
    let e = load_err(&dir.path().join("merge.toml"), &[]);
    assert!(e.contains("set cannot change `extends`"), "{e}");
    let e = load_err(&dir.path().join("scalar.toml"), &[]);
    assert!(e.contains("is a single value, not a table"), "{e}");
    let e = load_err(&dir.path().join("notable.toml"), &[]);
    assert!(
        e.contains("notable.toml:2:7") && e.contains("expected a map"),
        "{e}"
    );
    // --set cannot write a [set] table either
    let e = load_err(&dir.path().join("alone.toml"), &["set={}"]);
    assert!(e.contains("--set cannot change `set`"), "{e}");
}
