//! Error messages asserted verbatim, one per kind of mistake: the location
//! (file:line:col), the source line with a caret under the problem, and the
//! help. A change to any of them is a deliberate change to what users see.

use crate::support::geosim;

/// Runs geosim in a folder holding `files` and returns its stderr, checking
/// the exit code (2: the user's mistake).
fn stderr(files: &[(&str, &str)], args: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(tmp.path().join(name), text).unwrap();
    }
    geosim(tmp.path(), args).fails(2, &[]).stderr
}

/// A valid scenario the cases below break one way each.
const BASE: &str = "name = \"bad\"\n[time]\nstart = \"2020-01\"\nend = \"2021-12\"\n\n[variables.trust]\ninitial = 0.5\nrate = 0.1\n\n[variables.tension]\ninitial = 0.2\nrate = 0.3\n\n[influences]\n\"tension -> trust\" = { weight = -0.5 }\n";

#[test]
fn a_toml_syntax_error_points_at_the_character() {
    let got = stderr(
        &[(
            "bad.toml",
            &BASE.to_string().replacen("rate = 0.1", "rate = 0.1,", 1),
        )],
        &["check", "bad.toml"],
    );
    let want = "  × bad.toml:8:11: TOML syntax error: unexpected key or value, expected newline, `#`\n   ╭─[bad.toml:8:11]\n 7 │ initial = 0.5\n 8 │ rate = 0.1,\n   ·           ┬\n   ·           ╰── here\n 9 │ \n   ╰────\n";
    assert_eq!(got, want);
}

#[test]
fn an_unknown_key_suggests_the_nearest() {
    let got = stderr(
        &[(
            "bad.toml",
            &BASE
                .to_string()
                .replacen("rate = 0.1", "rat = 0.1\nrate = 0.1", 1),
        )],
        &["check", "bad.toml"],
    );
    let want = "  × bad.toml:8:1: unknown field `rat`, expected one of `description`, `min`, `max`, `labels`, `initial`, `rate`, `bias`, `noise`, `response`\n   ╭─[bad.toml:8:1]\n 7 │ initial = 0.5\n 8 │ rat = 0.1\n   · ─┬─\n   ·  ╰── here\n 9 │ rate = 0.1\n   ╰────\n  help: did you mean `rate`?\n";
    assert_eq!(got, want);
}

#[test]
fn a_value_of_the_wrong_type_says_what_was_expected() {
    let got = stderr(
        &[(
            "bad.toml",
            &BASE
                .to_string()
                .replacen("rate = 0.1", "rate = \"fast\"", 1),
        )],
        &["check", "bad.toml"],
    );
    let want = "  × bad.toml:8:8: invalid type: string \"fast\", expected a number or a distribution such as { dist = \"normal\", mean = 0.4, sd = 0.1 }\n   ╭─[bad.toml:8:8]\n 7 │ initial = 0.5\n 8 │ rate = \"fast\"\n   ·        ───┬──\n   ·           ╰── here\n 9 │ \n   ╰────\n";
    assert_eq!(got, want);
}

#[test]
fn a_value_outside_its_range_names_the_range() {
    let got = stderr(
        &[(
            "bad.toml",
            &BASE.to_string().replacen("rate = 0.1", "rate = 1.5", 1),
        )],
        &["check", "bad.toml"],
    );
    let want = "  × bad.toml:8:8: variables.trust.rate = 1.5 is outside its valid range: it must be in (0, 1]\n   ╭─[bad.toml:8:8]\n 7 │ initial = 0.5\n 8 │ rate = 1.5\n   ·        ─┬─\n   ·         ╰── here\n 9 │ \n   ╰────\n";
    assert_eq!(got, want);
}

#[test]
fn an_unknown_name_suggests_the_nearest_and_lists_the_known() {
    let got = stderr(
        &[(
            "bad.toml",
            &BASE
                .to_string()
                .replacen("\"tension -> trust\"", "\"tensoin -> trust\"", 1),
        )],
        &["check", "bad.toml"],
    );
    let want = "  × bad.toml:15:1: influence `tensoin -> trust`: unknown source `tensoin`; sources are the variables and drivers\n    ╭─[bad.toml:15:1]\n 14 │ [influences]\n 15 │ \"tensoin -> trust\" = { weight = -0.5 }\n    · ─────────┬────────\n    ·          ╰── here\n    ╰────\n  help: did you mean `tension`? Known names: `trust`, `tension`\n";
    assert_eq!(got, want);
}

#[test]
fn a_missing_field_points_at_its_table() {
    let got = stderr(
        &[(
            "bad.toml",
            &BASE.to_string().replacen("initial = 0.5\n", "", 1),
        )],
        &["check", "bad.toml"],
    );
    let want = "  × bad.toml:6:1: variables.trust is missing `initial` (its value at time.start)\n   ╭─[bad.toml:6:1]\n 5 │ \n 6 │ [variables.trust]\n   · ────────┬────────\n   ·         ╰── here\n 7 │ rate = 0.1\n   ╰────\n";
    assert_eq!(got, want);
}

#[test]
fn a_bad_date_says_why() {
    let got = stderr(
        &[(
            "bad.toml",
            &BASE
                .to_string()
                .replacen("start = \"2020-01\"", "start = \"2020-13\"", 1),
        )],
        &["check", "bad.toml"],
    );
    let want = "  × bad.toml:3:9: `2020-13` has month 13; months run from 01 to 12\n   ╭─[bad.toml:3:9]\n 2 │ [time]\n 3 │ start = \"2020-13\"\n   ·         ────┬────\n   ·             ╰── here\n 4 │ end = \"2021-12\"\n   ╰────\n";
    assert_eq!(got, want);
}

#[test]
fn an_extends_cycle_names_the_chain() {
    let got = stderr(
        &[
            ("a.toml", "extends = \"b.toml\"\n"),
            ("b.toml", "extends = \"a.toml\"\n"),
        ],
        &["check", "a.toml"],
    );
    let want = "  × b.toml:1:11: extends cycle: a.toml -> b.toml -> a.toml\n   ╭─[b.toml:1:11]\n 1 │ extends = \"a.toml\"\n   ·           ────┬───\n   ·               ╰── here\n   ╰────\n  help: a scenario cannot extend itself, directly or through others\n";
    assert_eq!(got, want);
}

#[test]
fn a_set_path_through_an_unknown_name_suggests_the_nearest() {
    let got = stderr(
        &[("bad.toml", BASE)],
        &["check", "bad.toml", "--set", "variables.trst.rate=0.2"],
    );
    let want = "  × --set #1:1:1: --set variables.trst.rate: there is no `trst` in `variables`\n   ╭─[--set #1:1:1]\n 1 │ variables.trst.rate=0.2\n   · ─────────┬─────────\n   ·          ╰── here\n   ╰────\n  help: did you mean `trust`? Known names: `trust`, `tension`\n";
    assert_eq!(got, want);
}

#[test]
fn bands_that_do_not_cover_the_variable_say_how_to_fix_it() {
    let got = stderr(
        &[(
            "bad.toml",
            &format!(
                "{BASE}{}",
                "\n[regimes]\nvariable = \"trust\"\nbands = [{ name = \"low\", min = 0.1, max = 0.5 }, { name = \"high\", min = 0.5 }]\n"
            ),
        )],
        &["check", "bad.toml"],
    );
    let want = "  × bad.toml:19:9: the bands must cover all of `trust` (0 … 1), but they span 0.1 … inf\n    ╭─[bad.toml:19:9]\n 18 │ variable = \"trust\"\n 19 │ bands = [{ name = \"low\", min = 0.1, max = 0.5 }, { name = \"high\", min = 0.5 }]\n    ·         ───────────────────────────────────┬──────────────────────────────────\n    ·                                            ╰── here\n    ╰────\n  help: leave out the first band's min and the last band's max\n";
    assert_eq!(got, want);
}

#[test]
fn an_unknown_scenario_name_suggests_the_nearest() {
    let got = stderr(&[], &["check", "basline"]);
    let want = "  × no such scenario: `basline` (not in ./scenarios/, not built in, not a .toml file)\n  help: did you mean `baseline`? Known scenarios: `asymmetric_interdependence`, `balancing_act`, `baseline`, `instc_missed`, `proxy_drift`, `russian_world_exit`, `sanctions_relief`, `war_ends`,\n        `western_realignment`\n";
    assert_eq!(got, want);
}

#[test]
fn an_analysis_value_outside_the_allowed_range_names_it() {
    let got = stderr(
        &[("bad.toml", BASE)],
        &["sweep", "bad.toml", "--param", "variables.trust.rate=0:2:3"],
    );
    let want = "  × --param: variables.trust.rate = 0 is outside its allowed range: it must be in (0, 1]\n";
    assert_eq!(got, want);
}

#[test]
fn several_errors_are_reported_together() {
    let got = stderr(
        &[(
            "bad.toml",
            &BASE
                .to_string()
                .replacen("rate = 0.1", "rate = 1.5", 1)
                .replacen("rate = 0.3", "rate = 0", 1),
        )],
        &["check", "bad.toml"],
    );
    let want = "  × bad.toml:8:8: variables.trust.rate = 1.5 is outside its valid range: it must be in (0, 1]\n   ╭─[bad.toml:8:8]\n 7 │ initial = 0.5\n 8 │ rate = 1.5\n   ·        ─┬─\n   ·         ╰── here\n 9 │ \n   ╰────\n  × bad.toml:12:8: variables.tension.rate = 0 is outside its valid range: it must be in (0, 1]\n    ╭─[bad.toml:12:8]\n 11 │ initial = 0.2\n 12 │ rate = 0\n    ·        ┬\n    ·        ╰── here\n 13 │ \n    ╰────\n2 errors\n";
    assert_eq!(got, want);
}
