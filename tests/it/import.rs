//! `geosim import`: GDELT 2.0 and ICEWS event files (laid out as their
//! codebooks describe; tests/fixtures/import/) into observation files that
//! `geosim check` and a conditioned `geosim run` read.
//!
//! The GDELT fixtures hold, between AZE and RUS: in 2024-01 three events
//! (Goldstein 4, −2, 7 with 10, 5, 1 mentions; quad classes 1, 3, 2), in
//! 2024-03 five (1, 3, −10, −4, 2 with 2, 2, 4, 1, 1 mentions; quads 1, 1,
//! 4, 3, 1), in 2024-04 one (6, 3 mentions, quad 2) — and none in 2024-02,
//! events of other dyads, and one event twice (in both files).

use std::collections::HashMap;
use std::path::Path;

use crate::support::{fixture, geosim};

const GDELT_A: &str = "import/20240331.export.CSV";
const GDELT_B: &str = "import/20240430.export.CSV";
const ICEWS: &str = "import/events.2024.tab";

/// The observation rows of a written file (comment lines skipped), by column.
fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn num(row: &HashMap<String, String>, col: &str) -> f64 {
    row[col].parse().unwrap()
}

fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-8 * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

/// Weighted mean and the reliability-weighted spread, computed directly.
fn weighted(xs: &[(f64, f64)]) -> (f64, f64) {
    let w: f64 = xs.iter().map(|p| p.1).sum();
    let v: f64 = xs.iter().map(|p| p.1 * p.1).sum();
    let mean = xs.iter().map(|p| p.0 * p.1).sum::<f64>() / w;
    let ss: f64 = xs.iter().map(|p| p.1 * (p.0 - mean).powi(2)).sum();
    (mean, (ss / (w - v / w)).sqrt())
}

/// sd written for a month: s·√V/W, at least the floor.
fn sd(month: &[(f64, f64)], spread: f64, floor: f64) -> f64 {
    let w: f64 = month.iter().map(|p| p.1).sum();
    let v: f64 = month.iter().map(|p| p.1 * p.1).sum();
    (spread * v.sqrt() / w).max(floor)
}

const JAN: [(f64, f64); 3] = [(4.0, 10.0), (-2.0, 5.0), (7.0, 1.0)];
const MAR: [(f64, f64); 5] = [
    (1.0, 2.0),
    (3.0, 2.0),
    (-10.0, 4.0),
    (-4.0, 1.0),
    (2.0, 1.0),
];
const APR: [(f64, f64); 1] = [(6.0, 3.0)];

fn import_gdelt(dir: &Path, extra: &[&str]) -> crate::support::Run {
    let (a, b) = (fixture(GDELT_A), fixture(GDELT_B));
    let mut args = vec![
        "import",
        "--format",
        "gdelt",
        "--dyad",
        "AZE,RUS",
        "--variable",
        "alignment",
    ];
    args.extend_from_slice(extra);
    args.extend([a.as_str(), b.as_str()]);
    geosim(dir, &args)
}

#[test]
fn gdelt_both_directions_are_weighted_by_mentions() {
    let dir = tempfile::tempdir().unwrap();
    let run = import_gdelt(dir.path(), &["--out", "obs.csv"]).ok();
    assert!(
        run.stdout.contains("9 events in 3 months"),
        "{}",
        run.stdout
    );
    let r = rows(&dir.path().join("obs.csv"));
    let dates: Vec<&str> = r.iter().map(|x| x["date"].as_str()).collect();
    assert_eq!(
        dates,
        ["2024-01", "2024-03", "2024-04"],
        "2024-02 has no events"
    );
    assert!(r.iter().all(|x| x["variable"] == "alignment"));
    // Hand-computed means: (4·10 − 2·5 + 7·1) / 16, (2 + 6 − 40 − 4 + 2) / 10, 6.
    close("2024-01 mean", num(&r[0], "value"), 37.0 / 16.0);
    close("2024-03 mean", num(&r[1], "value"), -3.4);
    close("2024-04 mean", num(&r[2], "value"), 6.0);
    // 2024-03 has five events: its own spread; the others take the spread
    // of all nine events.
    let all: Vec<(f64, f64)> = JAN.iter().chain(&MAR).chain(&APR).copied().collect();
    let pooled = weighted(&all).1;
    close("2024-01 sd", num(&r[0], "sd"), sd(&JAN, pooled, 0.5));
    close(
        "2024-03 sd",
        num(&r[1], "sd"),
        sd(&MAR, weighted(&MAR).1, 0.5),
    );
    close("2024-04 sd", num(&r[2], "sd"), sd(&APR, pooled, 0.5));
    assert_eq!(
        r[0]["source"],
        "GDELT AZE<->RUS: 3 events (AZE->RUS 2, RUS->AZE 1), 16 mentions; quad 1/2/3/4: 1/1/1/0"
    );
    assert_eq!(
        r[1]["source"],
        "GDELT AZE<->RUS: 5 events (AZE->RUS 3, RUS->AZE 2), 10 mentions; quad 1/2/3/4: 3/0/1/1"
    );
    assert_eq!(
        r[2]["source"],
        "GDELT AZE<->RUS: 1 event (AZE->RUS 1, RUS->AZE 0), 3 mentions; quad 1/2/3/4: 0/1/0/0"
    );
    let text = std::fs::read_to_string(dir.path().join("obs.csv")).unwrap();
    for needle in [
        "# command: geosim import --format gdelt --dyad AZE,RUS --variable alignment --out obs.csv",
        "GDELT 2.0 events between AZE and RUS, both directions",
        "weighted by NumMentions",
        "left out, no events: 2024-02",
        "duplicates: 1 event seen twice (same GLOBALEVENTID) counted once",
        "20240331.export.CSV (sha256 ",
        "11 lines, 8 events of the dyad",
    ] {
        assert!(text.contains(needle), "lacks {needle:?}:\n{text}");
    }
}

#[test]
fn gdelt_forward_takes_actor1_to_actor2_only() {
    let dir = tempfile::tempdir().unwrap();
    import_gdelt(dir.path(), &["--direction", "forward", "--out", "f.csv"]).ok();
    let r = rows(&dir.path().join("f.csv"));
    close("2024-01", num(&r[0], "value"), 47.0 / 11.0);
    close("2024-03", num(&r[1], "value"), 2.0);
    assert_eq!(
        r[0]["source"],
        "GDELT AZE->RUS: 2 events, 11 mentions; quad 1/2/3/4: 1/1/0/0"
    );
    import_gdelt(dir.path(), &["--direction", "backward", "--out", "b.csv"]).ok();
    let b = rows(&dir.path().join("b.csv"));
    assert_eq!(b.len(), 2, "RUS->AZE only in January and March");
    close("2024-01", num(&b[0], "value"), -2.0);
    close("2024-03", num(&b[1], "value"), -44.0 / 5.0);
    assert!(b[0]["source"].starts_with("GDELT RUS->AZE: 1 event,"));
}

#[test]
fn events_of_other_dyads_are_ignored_and_the_weight_can_change() {
    let dir = tempfile::tempdir().unwrap();
    // USA->RUS (−10, 100 mentions) and AZE->ARM share months with the dyad.
    import_gdelt(dir.path(), &["--weight", "events", "--out", "e.csv"]).ok();
    let r = rows(&dir.path().join("e.csv"));
    close("2024-01 unweighted", num(&r[0], "value"), 3.0);
    close("2024-03 unweighted", num(&r[1], "value"), -8.0 / 5.0);
    assert!(!r[0]["source"].contains("mentions"), "{}", r[0]["source"]);
}

#[test]
fn months_can_be_windowed_and_thin_months_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let run = import_gdelt(
        dir.path(),
        &[
            "--from",
            "2024-02",
            "--to",
            "2024-06",
            "--min-events",
            "2",
            "--out",
            "w.csv",
        ],
    )
    .ok();
    let r = rows(&dir.path().join("w.csv"));
    let dates: Vec<&str> = r.iter().map(|x| x["date"].as_str()).collect();
    assert_eq!(dates, ["2024-03"]);
    let text = std::fs::read_to_string(dir.path().join("w.csv")).unwrap();
    assert!(
        text.contains("left out, no events: 2024-02, 2024-05, 2024-06"),
        "{text}"
    );
    assert!(
        text.contains("left out, fewer than 2 events: 2024-04 (1)"),
        "{text}"
    );
    // January's three events, and the January event repeated in the second
    // file (the window applies before duplicates are looked for).
    assert!(
        text.contains("4 events of the dyad outside it left out"),
        "{text}"
    );
    assert!(
        run.stdout.contains("left out 4 events outside --from/--to"),
        "{}",
        run.stdout
    );
}

#[test]
fn bad_lines_are_reported_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(fixture(GDELT_A)).unwrap();
    let mut lines: Vec<String> = good.lines().map(String::from).collect();
    // Line 3 (an event of the dyad): a Goldstein score that is no number.
    let mut cells: Vec<String> = lines[2].split('\t').map(String::from).collect();
    cells[30] = "strong".into();
    lines[2] = cells.join("\t");
    // Line 5: a cell lost.
    let mut short: Vec<&str> = lines[4].split('\t').collect();
    short.pop();
    lines[4] = short.join("\t");
    std::fs::write(dir.path().join("bad.CSV"), lines.join("\n") + "\n").unwrap();
    let args = [
        "import",
        "--format",
        "gdelt",
        "--dyad",
        "AZE,RUS",
        "--variable",
        "alignment",
        "bad.CSV",
    ];
    geosim(dir.path(), &args).fails(
        2,
        &[
            "bad.CSV:3: column 31 (GoldsteinScale): `strong` is not a number",
            "--skip-bad",
        ],
    );
    let mut skip = args.to_vec();
    skip.extend(["--skip-bad", "--out", "s.csv"]);
    let run = geosim(dir.path(), &skip).ok();
    assert!(run.stdout.contains("skipped 2 bad lines"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "bad.CSV:5: the line has 60 tab-separated columns; GDELT 2.0 event lines have 61"
        ),
        "{}",
        run.stdout
    );
    let text = std::fs::read_to_string(dir.path().join("s.csv")).unwrap();
    assert!(
        text.contains("# skipped (--skip-bad): 2 bad lines; the first:"),
        "{text}"
    );
    assert!(
        text.contains("#   bad.CSV:3: column 31 (GoldsteinScale)"),
        "{text}"
    );
    // The bad line was RUS->AZE −2 with 5 mentions: January keeps 4 and 7.
    close(
        "2024-01",
        num(&rows(&dir.path().join("s.csv"))[0], "value"),
        47.0 / 11.0,
    );
}

#[test]
fn icews_by_codes_and_by_names() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(ICEWS);
    let base = ["import", "--format", "icews", "--variable", "alignment"];
    let mut by_code = base.to_vec();
    by_code.extend([
        "--dyad",
        "AZE,RUS",
        "--counts",
        "counts.csv",
        "--out",
        "codes.csv",
        &f,
    ]);
    geosim(dir.path(), &by_code).ok();
    let r = rows(&dir.path().join("codes.csv"));
    let dates: Vec<&str> = r.iter().map(|x| x["date"].as_str()).collect();
    assert_eq!(dates, ["2024-01", "2024-03"]);
    // One weight per event: (1.9 − 2 + 6) / 3; Armenia and Turkey ignored.
    close("2024-01", num(&r[0], "value"), 5.9 / 3.0);
    close("2024-03", num(&r[1], "value"), -10.0);
    assert_eq!(
        r[0]["source"],
        "ICEWS AZE<->RUS: 3 events (AZE->RUS 2, RUS->AZE 1); quad 1/2/3/4: 1/1/1/0"
    );
    assert_eq!(
        r[1]["source"],
        "ICEWS AZE<->RUS: 1 event (AZE->RUS 0, RUS->AZE 1); quad 1/2/3/4: 0/0/0/1"
    );
    let c = rows(&dir.path().join("counts.csv"));
    assert_eq!(c[0]["events"], "3");
    assert_eq!(
        [
            &c[0]["quad1"],
            &c[0]["quad2"],
            &c[0]["quad3"],
            &c[0]["quad4"]
        ],
        ["1", "1", "1", "0"]
    );
    assert_eq!(
        (c[1]["forward"].as_str(), c[1]["backward"].as_str()),
        ("0", "1")
    );
    let text = std::fs::read_to_string(dir.path().join("codes.csv")).unwrap();
    assert!(
        text.contains("between Azerbaijan (AZE) and Russian Federation (RUS)"),
        "{text}"
    );
    assert!(text.contains("01-05 -> 1 verbal cooperation"), "{text}");

    let mut by_name = base.to_vec();
    by_name.extend([
        "--dyad",
        "azerbaijan",
        "--dyad",
        "Russian Federation",
        "--out",
        "names.csv",
        &f,
    ]);
    geosim(dir.path(), &by_name).ok();
    let n = rows(&dir.path().join("names.csv"));
    assert_eq!(n.len(), 2);
    assert_eq!(n[0]["value"], r[0]["value"]);
    assert_eq!(
        n[0]["source"], r[0]["source"],
        "names known to the table show as codes"
    );

    let mut weighted = base.to_vec();
    weighted.extend(["--dyad", "AZE,RUS", "--weight", "mentions", &f]);
    geosim(dir.path(), &weighted).fails(2, &["ICEWS events weigh 1 each"]);
    let mut unknown = base.to_vec();
    unknown.extend(["--dyad", "AZE,XKX", &f]);
    geosim(dir.path(), &unknown).fails(2, &["`XKX` is not in geosim's table", "Kosovo"]);
}

#[test]
fn icews_bad_lines_name_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture(ICEWS)).unwrap();
    // Line 2: a CAMEO code that lost its leading zero (as spreadsheets do).
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[1] = lines[1].replace("\t042\t", "\t42\t");
    std::fs::write(dir.path().join("e.tab"), lines.join("\n") + "\n").unwrap();
    geosim(
        dir.path(),
        &[
            "import",
            "--format",
            "icews",
            "--dyad",
            "AZE,RUS",
            "--variable",
            "a",
            "e.tab",
        ],
    )
    .fails(
        2,
        &[
            "e.tab:2: column 7 (CAMEO Code): `42` is not a CAMEO event code",
            "leading zero",
        ],
    );
}

#[test]
fn each_format_refuses_the_others_files() {
    let dir = tempfile::tempdir().unwrap();
    let (g, i) = (fixture(GDELT_A), fixture(ICEWS));
    let common = [
        "import",
        "--dyad",
        "AZE,RUS",
        "--variable",
        "alignment",
        "--format",
    ];
    let mut a = common.to_vec();
    a.extend(["icews", &g]);
    geosim(dir.path(), &a).fails(
        2,
        &["20240331.export.CSV:1: the first line is not an ICEWS header"],
    );
    let mut b = common.to_vec();
    b.extend(["gdelt", &i]);
    geosim(dir.path(), &b).fails(
        2,
        &[
            "events.2024.tab:1: this is the header of an ICEWS event file",
            "--format icews",
        ],
    );
}

#[test]
fn geosim_reads_the_output_in_check_and_a_conditioned_run() {
    let dir = tempfile::tempdir().unwrap();
    import_gdelt(
        dir.path(),
        &["--scale", "10", "--offset", "0", "--out", "data/gdelt.csv"],
    )
    .ok();
    let r = rows(&dir.path().join("data/gdelt.csv"));
    assert_eq!(
        (r[0]["scale"].as_str(), r[0]["offset"].as_str()),
        ("10", "0")
    );
    std::fs::write(
        dir.path().join("s.toml"),
        "name = \"s\"\n[time]\nstart = \"2024-01\"\nend = \"2024-12\"\n\
         [ensemble]\nruns = 200\nseed = 3\n\
         [variables.alignment]\nmin = -1\nmax = 1\ninitial = 0.1\n\
         rate = { dist = \"uniform\", min = 0.1, max = 0.5 }\nbias = 0.0\nnoise = 0.1\n\
         [[observations]]\nfile = \"data/gdelt.csv\"\n",
    )
    .unwrap();
    geosim(dir.path(), &["check", "s.toml"]).ok();
    let run = geosim(
        dir.path(),
        &[
            "run",
            "s.toml",
            "--condition",
            "--runs",
            "200",
            "--no-charts",
            "--out",
            "res",
        ],
    )
    .ok();
    assert!(
        run.stdout.contains("conditioned on 3 observations"),
        "{}",
        run.stdout
    );
    let summary = std::fs::read_to_string(dir.path().join("res/summary.json")).unwrap();
    assert!(summary.contains("\"conditioned\": true"), "{summary}");
    assert!(summary.contains("GDELT AZE<->RUS: 5 events"), "{summary}");
}

#[test]
fn unreadable_inputs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("empty.CSV"), "").unwrap();
    std::fs::write(d.join("z.zip"), b"PK\x03\x04rest").unwrap();
    std::fs::create_dir(d.join("folder")).unwrap();
    let args = |f: &'static str| {
        vec![
            "import",
            "--format",
            "gdelt",
            "--dyad",
            "AZE,RUS",
            "--variable",
            "alignment",
            f,
        ]
    };
    geosim(d, &args("empty.CSV")).fails(2, &["`empty.CSV` is empty"]);
    geosim(d, &args("z.zip")).fails(2, &["`z.zip` is not an event file: it is a ZIP archive"]);
    geosim(d, &args("folder")).fails(2, &["`folder` is not an event file: it is a folder"]);
    geosim(d, &args("missing.CSV")).fails(2, &["no file `missing.CSV`"]);
    // An empty file among good ones is skipped with --skip-bad.
    let g = fixture(GDELT_A);
    let run = geosim(
        d,
        &[
            "import",
            "--format",
            "gdelt",
            "--dyad",
            "AZE,RUS",
            "--variable",
            "alignment",
            "--skip-bad",
            "empty.CSV",
            &g,
        ],
    )
    .ok();
    assert!(
        run.stdout
            .contains("# skipped (--skip-bad): `empty.CSV` is empty")
    );
    assert!(
        run.stderr.contains("skipped 1 empty file"),
        "{}",
        run.stderr
    );
}

#[test]
fn no_events_of_the_dyad_name_the_countries_seen() {
    let dir = tempfile::tempdir().unwrap();
    let g = fixture(GDELT_A);
    geosim(
        dir.path(),
        &[
            "import",
            "--format",
            "gdelt",
            "--dyad",
            "AZE,TUR",
            "--variable",
            "alignment",
            &g,
        ],
    )
    .fails(
        2,
        &[
            "no events between AZE and TUR in 11 lines of 1 file",
            "AZE (10), RUS (9)",
        ],
    );
    geosim(
        dir.path(),
        &[
            "import",
            "--format",
            "gdelt",
            "--dyad",
            "Azerbaijan,RUS",
            "--variable",
            "x",
            &g,
        ],
    )
    .fails(2, &["CAMEO codes of three letters", "did you mean `AZE`?"]);
}

#[test]
fn outputs_are_written_atomically_and_never_over_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let g = fixture(GDELT_A);
    std::fs::write(d.join("obs.csv"), "old contents\n").unwrap();
    let args = |out: &'static str| {
        vec![
            "import",
            "--format",
            "gdelt",
            "--dyad",
            "AZE,RUS",
            "--variable",
            "alignment",
            "--quiet",
            "--out",
            out,
            g.as_str(),
        ]
    };
    let run = geosim(d, &args("obs.csv")).ok();
    assert!(run.stdout.is_empty(), "--quiet: {}", run.stdout);
    let text = std::fs::read_to_string(d.join("obs.csv")).unwrap();
    assert!(text.starts_with("# geosim "), "{text}");
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::copy(&g, d.join("in.CSV")).unwrap();
    geosim(
        d,
        &[
            "import",
            "--format",
            "gdelt",
            "--dyad",
            "AZE,RUS",
            "--variable",
            "alignment",
            "--out",
            "./in.CSV",
            "in.CSV",
        ],
    )
    .fails(2, &["--out `in.CSV` is also an input file"]);
    assert_eq!(
        std::fs::read(d.join("in.CSV")).unwrap(),
        std::fs::read(&g).unwrap()
    );
    geosim(d, &args(".")).fails(2, &["is a folder"]);
}

#[test]
fn standard_input_is_read_with_a_dash() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read(fixture(GDELT_A)).unwrap();
    let out = assert_cmd::Command::cargo_bin("geosim")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "import",
            "--format",
            "gdelt",
            "--dyad",
            "AZE,RUS",
            "--variable",
            "alignment",
            "--out",
            "-",
            "-",
        ])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("# file: <stdin> (sha256 "), "{stdout}");
    assert!(stdout.contains("\n2024-01,alignment,2.3125,"), "{stdout}");
}

#[test]
fn flags_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let g = fixture(GDELT_A);
    let base = [
        "import",
        "--format",
        "gdelt",
        "--variable",
        "alignment",
        g.as_str(),
    ];
    let with = |extra: &[&'static str]| {
        let mut v = base.to_vec();
        v.extend_from_slice(extra);
        v
    };
    geosim(dir.path(), &with(&["--dyad", "AZE"])).fails(2, &["--dyad takes two countries"]);
    geosim(dir.path(), &with(&["--dyad", "AZE,RUS", "--scale", "0"])).fails(2, &["--scale"]);
    geosim(dir.path(), &with(&["--dyad", "AZE,RUS", "--sd-floor", "0"])).fails(2, &["--sd-floor"]);
    geosim(
        dir.path(),
        &with(&["--dyad", "AZE,RUS", "--min-events", "0"]),
    )
    .fails(2, &["--min-events"]);
    geosim(
        dir.path(),
        &with(&["--dyad", "AZE,RUS", "--from", "2024-05", "--to", "2024-01"]),
    )
    .fails(2, &["--from 2024-05 comes after --to 2024-01"]);
    geosim(
        dir.path(),
        &with(&["--dyad", "AZE,RUS", "--from", "2024-5"]),
    )
    .fails(2, &["YYYY-MM"]);
    let ok = geosim(
        dir.path(),
        &with(&["--dyad", "AZE,RUS", "--offset", "-3", "--scale", "-10"]),
    )
    .ok();
    assert!(ok.stdout.contains(",-10,-3,"), "{}", ok.stdout);
    let help = geosim(dir.path(), &["import", "--help"]).ok();
    assert!(
        help.stdout
            .contains("geosim import --format gdelt --dyad AZE,RUS")
    );
}
