//! Charts of the analyses: the data each chart is drawn from is checked
//! against the CSV its command writes (explain.csv, oat.csv, morris.csv,
//! sobol.csv, sweep.csv), the images decode at the requested size and their
//! plots hold the chart's colours; the commands write the charts into their
//! result folders and honour --no-charts, --format and --size. No golden
//! images; small fixture, few samples.

use std::collections::HashMap;
use std::path::Path;

use geosim::analysis::evaluate::Plan;
use geosim::analysis::explain::{self, Explanation};
use geosim::analysis::metric::Metric;
use geosim::analysis::objective::ModelObjective;
use geosim::analysis::{morris, oat, params, sobol, sweep};
use geosim::charts::analysis::About;
use geosim::charts::explain::{ExplainData, STATE};
use geosim::charts::morris::{MorrisData, MorrisPoint, OTHER, POINT};
use geosim::charts::render::{self, Chart};
use geosim::charts::sobol::{FIRST, SobolData, TOTAL};
use geosim::charts::sweep::{MEAN, SweepData};
use geosim::charts::tornado::{HIGH, LOW, TornadoData};
use geosim::charts::{Format, PlotRects};
use geosim::model::{Model, VarId, YearMonth};
use geosim::output::analysis as out;
use geosim::scenario;

use crate::support::{Image, assert_close, fails, files, fixture, geosim, ok};

fn model(spec: &str) -> Model {
    scenario::load(spec, &[]).unwrap().model
}

/// A CSV file as its header and rows of fields.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn f(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s}"))
}

/// Rows of a CSV keyed by their first field (the parameter), each as
/// column → value.
fn by_parameter(path: &Path) -> (Vec<String>, HashMap<String, HashMap<String, f64>>) {
    let (header, rows) = read_csv(path);
    let order = rows.iter().map(|r| r[0].clone()).collect();
    let map = rows
        .iter()
        .map(|r| {
            let cols = header.iter().zip(r).skip(1);
            (r[0].clone(), cols.map(|(h, v)| (h.clone(), f(v))).collect())
        })
        .collect();
    (order, map)
}

/// Renders `chart` as PNG at `size` and as SVG; returns the decoded PNG and
/// where its plots are.
fn draw<C: Chart>(chart: &C, dir: &Path, name: &str, size: (u32, u32)) -> (Image, PlotRects) {
    let png = dir.join(format!("{name}.png"));
    let plots = render::render(chart, &png, Format::Png, size).unwrap();
    let img = Image::read(&png);
    assert_eq!((img.w, img.h), size, "{name}: size");
    let svg = dir.join(format!("{name}.svg"));
    render::render(chart, &svg, Format::Svg, size).unwrap();
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
    (img, plots)
}

fn about(m: &Model, metric: &str, percent: bool) -> About {
    About::new(m, metric, "deterministic run", percent, &["test".into()])
}

/// explain.csv summed per date, and per (date, term).
fn explain_csv(path: &Path) -> (Vec<String>, HashMap<(String, String), f64>) {
    let (_, rows) = read_csv(path);
    let mut dates: Vec<String> = Vec::new();
    let mut cells = HashMap::new();
    for r in rows {
        if dates.last() != Some(&r[0]) {
            dates.push(r[0].clone());
        }
        cells.insert((r[0].clone(), r[1].clone()), f(&r[2]));
    }
    (dates, cells)
}

fn check_explain(m: &Model, e: &Explanation, dir: &Path, size: (u32, u32)) -> ExplainData {
    let csv = dir.join(out::EXPLAIN_CSV);
    out::write_explain(&csv, m, e).unwrap();
    let d = ExplainData::new(m, e, geosim::charts::explain::TOP_TERMS);
    let (dates, cells) = explain_csv(&csv);
    let got: Vec<String> = d.dates.iter().map(|d| d.to_string()).collect();
    assert_eq!(got, dates, "months of the bars");
    let terms: Vec<&str> = e.terms.iter().map(|t| t.name.as_str()).collect();
    let named: Vec<&str> = d.stacks.iter().map(|s| s.term.as_str()).collect();
    let csv_term = |date: &str, term: &str| cells[&(date.to_string(), term.to_string())];
    for (k, date) in dates.iter().enumerate() {
        let month_sum: f64 = terms.iter().map(|t| csv_term(date, t)).sum();
        let stacked: f64 = d.stacks.iter().map(|s| s.monthly[k]).sum();
        assert!(
            (stacked - month_sum).abs() < 1e-8,
            "{date}: stacks {stacked} vs csv {month_sum}"
        );
        assert!((d.net[k] - month_sum).abs() < 1e-8, "{date}: net");
        let moved = d.state[k + 1] - d.state[k];
        assert!(
            (d.net[k] - moved).abs() < 1e-9,
            "{date}: net {} vs change {moved}",
            d.net[k]
        );
        // The bars of a month reach exactly the positive and negative sums.
        let bars = d.bars();
        let top = bars.iter().map(|b| b[k].1).fold(0.0, f64::max);
        let up: f64 = d.stacks.iter().map(|s| s.monthly[k].max(0.0)).sum();
        assert!((top - up).abs() < 1e-12, "{date}: top of the stack");
        for s in &d.stacks {
            let want = if terms.contains(&s.term.as_str()) {
                csv_term(date, &s.term)
            } else {
                // The merged rest: every term not drawn on its own.
                terms
                    .iter()
                    .filter(|t| !named.contains(t))
                    .map(|t| csv_term(date, t))
                    .sum()
            };
            assert!(
                (s.monthly[k] - want).abs() < 1e-8,
                "{date} {}: chart {} vs csv {want}",
                s.name,
                s.monthly[k]
            );
        }
    }
    let (img, plots) = draw(&d, dir, "explain", size);
    assert_eq!(plots.len(), 2, "level panel and change panel");
    let width = (plots[0][2] - plots[0][0]) as usize;
    assert!(
        img.count(plots[0], STATE) > width / 3,
        "level and target lines"
    );
    for s in d.stacks.iter().take(3) {
        let biggest = s.monthly.iter().fold(0.0f64, |a, c| a.max(c.abs()));
        let (lo, hi) = (
            d.net.iter().copied().fold(0.0, f64::min),
            d.net.iter().copied().fold(0.0, f64::max),
        );
        if biggest > 0.02 * (hi - lo) {
            assert!(img.count(plots[1], s.colour) > 0, "bars of {}", s.name);
        }
    }
    d
}

#[test]
fn explain_chart_stacks_equal_explain_csv() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(&fixture("small.toml"));
    let e = explain::explain(&m, VarId(1), 5, 17);
    let d = check_explain(&m, &e, dir.path(), (1200, 675));
    assert!(d.stacks.iter().all(|s| !s.name.contains("other terms")));
    // The baseline has more terms than colours: the rest are merged.
    let m = model("baseline");
    let from = m.start.months_until(YearMonth::parse("2024-06").unwrap()) as usize;
    let e = explain::explain(&m, m.regimes.as_ref().unwrap().variable, from, from + 18);
    let d = check_explain(&m, &e, dir.path(), (1600, 900));
    assert_eq!(d.stacks.len(), geosim::charts::explain::TOP_TERMS + 1);
    assert!(d.stacks.last().unwrap().name.ends_with("other terms"));
    // Largest totals first.
    let totals: Vec<f64> = d.stacks[..d.stacks.len() - 1]
        .iter()
        .map(|s| s.monthly.iter().sum::<f64>().abs())
        .collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "{totals:?}");
}

#[test]
fn explain_counts_agree_on_the_chart_and_stdout_and_fading_pushes_say_so() {
    let m = model("baseline");
    let month = |s: &str| m.start.months_until(YearMonth::parse(s).unwrap()) as usize;
    let var = m.regimes.as_ref().unwrap().variable;
    let e = explain::explain(&m, var, month("2024-11"), month("2025-09"));
    let d = ExplainData::new(&m, &e, 5);
    assert_eq!(d.stacks.len(), 6, "5 named and the merged rest");
    let rest = d.active_terms - 5;
    assert_eq!(d.stacks[5].name, format!("{rest} other terms"));
    // The Putin visit of August 2024 pushed alignment up; over this window
    // its pressure fades, which lowers alignment: the label says so.
    let fading = d
        .stacks
        .iter()
        .find(|s| s.term == "pressure: Putin state visit to Baku")
        .expect("the visit is among the largest terms");
    assert!(fading.monthly.iter().sum::<f64>() < 0.0);
    assert_eq!(
        fading.name,
        "fading of the Aug 2024 push: Putin state visit to Baku"
    );
    // An event acting within the window in its own direction keeps its name.
    let azal = d
        .stacks
        .iter()
        .find(|s| s.term.starts_with("pressure: AZAL"))
        .unwrap();
    assert_eq!(azal.name, azal.term);

    // stdout with the same --top: the same terms, the same count merged.
    let dir = tempfile::tempdir().unwrap();
    let out = geosim(
        dir.path(),
        &[
            "explain",
            "baseline",
            "--variable",
            "alignment",
            "--from",
            "2024-11",
            "--to",
            "2025-09",
            "--top",
            "5",
            "--no-charts",
            "--out",
            "x",
        ],
    )
    .ok();
    let lines: Vec<&str> = out.stdout.lines().collect();
    let head = lines.iter().position(|l| l.starts_with("term ")).unwrap();
    for (k, s) in d.stacks.iter().enumerate() {
        assert!(
            lines[head + 1 + k].starts_with(&s.name),
            "row {k}: {:?} vs {:?}",
            lines[head + 1 + k],
            s.name
        );
    }
    assert!(out.stdout.contains(&format!(
        "{} terms contribute; the 5 largest",
        d.active_terms
    )));
}

/// The small fixture's parameters as an objective of alignment at the end.
fn objective(m: &Model) -> ModelObjective<'_> {
    let (metric, _) = Metric::default_for(m);
    ModelObjective::new(m, metric, params::select(m, &[], 0.25), Plan::Deterministic).unwrap()
}

#[test]
fn tornado_bars_are_the_rows_of_oat_csv() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(&fixture("small.toml"));
    let obj = objective(&m);
    let (central, rows) = oat::oat(&obj, &obj.central_unit());
    let csv = dir.path().join("oat.csv");
    out::write_oat(&csv, &obj.params, &rows).unwrap();
    let d = TornadoData::new(
        about(&m, "alignment@2022-12", false),
        &obj.params,
        central,
        &rows,
    );
    let (order, table) = by_parameter(&csv);
    assert_eq!(d.parameters, order.len());
    let names: Vec<&str> = d.bars.iter().map(|b| b.parameter.as_str()).collect();
    let want: Vec<&str> = order.iter().take(20).map(String::as_str).collect();
    assert_eq!(names, want, "largest swing on top, in the order of oat.csv");
    for b in &d.bars {
        let r = &table[&b.parameter];
        assert_close(
            &b.parameter,
            &[b.at_low, b.at_high, b.low, b.high],
            &[r["metric_at_low"], r["metric_at_high"], r["low"], r["high"]],
        );
        let swing = (b.at_high - b.at_low).abs();
        assert_close(&format!("{} swing", b.parameter), &[swing], &[r["swing"]]);
        // The chart names the parameter in words; oat.csv keeps the path.
        assert_eq!(b.label, geosim::charts::labels::short_label(&b.parameter));
        assert!(!b.label.contains("influences.") && !b.label.contains("->"));
    }
    assert_eq!(d.about.metric, "alignment@2022-12");
    assert_eq!(d.about.metric_label, "alignment in Dec 2022");
    let (img, plots) = draw(&d, dir.path(), "tornado", (1600, 900));
    assert!(img.count(plots[0], LOW) > 100, "low-end bars");
    assert!(img.count(plots[0], HIGH) > 100, "high-end bars");
    // A small sheet still draws every bar.
    let (img, plots) = draw(&d, dir.path(), "tornado-small", (800, 450));
    assert!(img.count(plots[0], LOW) > 20 && img.count(plots[0], HIGH) > 20);
}

#[test]
fn morris_points_are_the_rows_of_morris_csv() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(&fixture("small.toml"));
    let obj = objective(&m);
    let rows = morris::morris(&obj, 6, 3);
    let csv = dir.path().join("morris.csv");
    out::write_morris(&csv, &obj.params, &rows).unwrap();
    let d = MorrisData::new(about(&m, "alignment@2022-12", false), &obj.params, &rows);
    let (_, table) = by_parameter(&csv);
    assert_eq!(d.points.len(), table.len());
    for p in &d.points {
        let r = &table[&p.parameter];
        assert_close(
            &p.parameter,
            &[p.mu_star, p.sigma],
            &[r["mu_star"], r["sigma"]],
        );
    }
    assert!(d.points.windows(2).all(|w| w[0].mu_star >= w[1].mu_star));
    assert_eq!(d.labelled().len(), d.points.len().min(12));
    let (img, plots) = draw(&d, dir.path(), "morris", (1600, 900));
    assert!(img.count(plots[0], POINT) > 50, "numbered points");
    if d.points.len() > 12 {
        assert!(img.count(plots[0], OTHER) > 0, "other points");
    }
}

#[test]
fn sobol_bars_and_error_bars_are_the_rows_of_sobol_csv() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(&fixture("small.toml"));
    let obj = objective(&m);
    let res = sobol::sobol(&obj, 32, 5);
    let csv = dir.path().join("sobol.csv");
    out::write_sobol(&csv, &obj.params, &res).unwrap();
    let d = SobolData::new(about(&m, "alignment@2022-12", false), &obj.params, &res, 32);
    assert_eq!(d.samples, 32);
    assert_eq!(d.noise, geosim::charts::sobol::noise_note(&res.rows, 32));
    let (_, table) = by_parameter(&csv);
    assert_eq!(d.parameters, table.len());
    assert!(
        d.bars.windows(2).all(|w| w[0].total >= w[1].total),
        "largest total on top"
    );
    for b in &d.bars {
        let r = &table[&b.parameter];
        assert_close(
            &b.parameter,
            &[
                b.first,
                b.first_ci.0,
                b.first_ci.1,
                b.total,
                b.total_ci.0,
                b.total_ci.1,
            ],
            &[
                r["first"],
                r["first_ci_low"],
                r["first_ci_high"],
                r["total"],
                r["total_ci_low"],
                r["total_ci_high"],
            ],
        );
    }
    let (img, plots) = draw(&d, dir.path(), "sobol", (1600, 900));
    assert!(img.count(plots[0], TOTAL) > 50, "total-index bars");
    if d.bars.iter().any(|b| b.first > 0.05) {
        assert!(img.count(plots[0], FIRST) > 0, "first-order bars");
    }
}

#[test]
fn sweep_line_and_heatmap_are_the_rows_of_sweep_csv() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(&fixture("small.toml"));
    let (metric, name) = Metric::default_for(&m);
    let a = sweep::parse_axis("variables.alignment.bias=0:0.3:4", &m).unwrap();
    let b = sweep::parse_axis("variables.tension.rate=0.1:0.5:3", &m).unwrap();

    let one = [a.clone()];
    let points = sweep::sweep(&m, &metric, &one, Plan::from_runs(30, 11)).unwrap();
    let csv = dir.path().join("sweep.csv");
    out::write_sweep(&csv, &one, &points).unwrap();
    let (header, rows) = read_csv(&csv);
    let col = |c: &str| -> Vec<f64> {
        let i = header.iter().position(|h| h == c).unwrap();
        rows.iter().map(|r| f(&r[i])).collect()
    };
    let Some(SweepData::Line(l)) = SweepData::new(about(&m, &name, false), &one, &points, 30)
    else {
        panic!("one parameter gives a line");
    };
    assert_close("x", &l.x, &col(&a.path));
    assert_close("mean", &l.mean, &col("mean"));
    assert_close("p05", &l.p05, &col("p05"));
    assert_close("p50", &l.p50, &col("p50"));
    assert_close("p95", &l.p95, &col("p95"));
    assert_eq!(l.parameter, "variables.alignment.bias");
    assert_eq!(l.label, "bias: alignment");
    let chart = SweepData::Line(l);
    let (img, plots) = draw(&chart, dir.path(), "sweep", (1600, 900));
    assert!(img.count(plots[0], MEAN) > 100, "mean line");
    let band = geosim::charts::fan::band_colours(MEAN, 1)[0];
    assert!(img.count(plots[0], band) > 100, "90% band");

    let two = [a.clone(), b.clone()];
    let points = sweep::sweep(&m, &metric, &two, Plan::Deterministic).unwrap();
    out::write_sweep(&csv, &two, &points).unwrap();
    let (header, rows) = read_csv(&csv);
    let Some(SweepData::Heatmap(h)) = SweepData::new(about(&m, &name, false), &two, &points, 0)
    else {
        panic!("two parameters give a heatmap");
    };
    assert_eq!(rows.len(), h.xs.len() * h.ys.len());
    assert_eq!(
        (h.x_label.as_str(), h.y_label.as_str()),
        ("bias: alignment", "rate: tension")
    );
    let mean_col = header.iter().position(|c| c == "mean").unwrap();
    for (k, r) in rows.iter().enumerate() {
        let (i, j) = (k / h.ys.len(), k % h.ys.len());
        assert_close(
            &format!("cell {i},{j}"),
            &[h.xs[i], h.ys[j], h.mean[k]],
            &[f(&r[0]), f(&r[1]), f(&r[mean_col])],
        );
    }
    // Higher means are lighter on the sequential scale.
    let lum = |c: plotters::style::RGBColor| {
        0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2)
    };
    let colours = h.cell_colours();
    for x in 0..colours.len() {
        for y in 0..colours.len() {
            if h.mean[x] < h.mean[y] - 1e-9 {
                assert!(lum(colours[x]) <= lum(colours[y]), "cells {x} and {y}");
            }
        }
    }
    let chart = SweepData::Heatmap(h);
    let (img, plots) = draw(&chart, dir.path(), "heatmap", (1600, 900));
    for c in &colours {
        assert!(img.count(plots[0], *c) > 100, "cell colour {c:?}");
    }
    // Three parameters make no chart.
    assert!(SweepData::new(about(&m, &name, false), &[a.clone(), b, a], &points, 0).is_none());
}

// ------------------------------------------------------------- end to end

/// `args` followed by `extra`.
/// One variable pulled by a constant driver through an influence of weight
/// 1e-13: every effect the analyses measure is about 1e-13.
const WEAK: &str = r#"name = "weak"
[time]
start = "2020-01"
end = "2021-12"
[variables.a]
initial = 0
rate = 0.5
[drivers.d]
points = [["2020-01", 1]]
[influences]
"d -> a" = { weight = 1e-13 }
"#;

#[test]
fn analyses_of_tiny_effects_write_their_charts() {
    // Ticks rounded to 1e-12 collapsed to a zero step on these: a panic
    // (exit 101) in each chart, unless --no-charts.
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    std::fs::write(t.join("weak.toml"), WEAK).unwrap();
    let weight = r#"influences."d -> a".weight=1e-13:2e-13:3"#;
    let rate = "variables.a.rate=0.4:0.6:3";
    let cases: [(&[&str], &str); 6] = [
        (&["explain"], "explain"),
        (&["sensitivity"], "tornado"),
        (
            &["sensitivity", "--method", "morris", "--samples", "8"],
            "morris",
        ),
        (
            &["sensitivity", "--method", "sobol", "--samples", "32"],
            "sobol",
        ),
        (&["sweep", "--param", weight, "--runs", "0"], "sweep"),
        (
            &["sweep", "--param", weight, "--param", rate, "--runs", "0"],
            "sweep",
        ),
    ];
    for (i, (command, stem)) in cases.into_iter().enumerate() {
        let out = format!("out{i}");
        let args = with(
            &with(&command[..1], &["weak.toml", "--out", &out, "-q"]),
            &command[1..],
        );
        ok(geosim(t, &with(&args, &["--size", "800x450"])));
        let img = Image::read(&t.join(&out).join(format!("{stem}.png")));
        assert_eq!((img.w, img.h), (800, 450), "{out}/{stem}.png");
    }

    // In process: the data of the charts is that small, and drawn.
    let dir = tempfile::tempdir().unwrap();
    let path = t.join("weak.toml");
    let m = model(&path.display().to_string());
    let e = explain::explain(&m, VarId(0), 0, m.months() - 1);
    let d = check_explain(&m, &e, dir.path(), (800, 450));
    let top = d.state.iter().fold(0.0f64, |a, s| a.max(s.abs()));
    assert!(top > 5e-14 && top < 2e-13, "level {top}");
    let obj = objective(&m);
    let rows = morris::morris(&obj, 6, 3);
    let d = MorrisData::new(about(&m, "a@2021-12", false), &obj.params, &rows);
    assert!(d.points[0].mu_star > 1e-14 && d.points[0].mu_star < 1e-12);
    let (img, plots) = draw(&d, dir.path(), "morris", (800, 450));
    assert!(img.count(plots[0], POINT) > 20, "numbered points");
}

#[test]
fn non_finite_analysis_results_do_not_break_a_chart() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(&fixture("small.toml"));
    let values = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, 1e-300];
    let points = values
        .iter()
        .zip(values.iter().rev())
        .enumerate()
        .map(|(i, (mu_star, sigma))| MorrisPoint {
            parameter: format!("p{i}"),
            label: format!("p{i}"),
            mu_star: *mu_star,
            sigma: *sigma,
        })
        .collect();
    let d = MorrisData {
        about: about(&m, "alignment@2022-12", false),
        points,
    };
    draw(&d, dir.path(), "morris", (640, 360));
    let e = explain::explain(&m, VarId(1), 5, 17);
    let mut d = ExplainData::new(&m, &e, 8);
    for (k, v) in d.state.iter_mut().enumerate() {
        *v = values[k % values.len()];
    }
    d.net.iter_mut().for_each(|v| *v = f64::NAN);
    draw(&d, dir.path(), "explain", (640, 360));
}

fn with<'a>(args: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    args.iter().chain(extra).copied().collect()
}

#[test]
fn analysis_commands_write_their_charts_and_honour_the_options() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let small = fixture("small.toml");
    let bias = "variables.alignment.bias=0:0.3:3";
    let rate = "variables.tension.rate=0.1:0.5:2";
    // (command, folder, chart)
    let cases: [(&[&str], &str, &str); 6] = [
        (&["explain"], "e", "explain"),
        (&["sensitivity"], "o", "tornado"),
        (
            &["sensitivity", "--method", "morris", "--samples", "4"],
            "m",
            "morris",
        ),
        (
            &["sensitivity", "--method", "sobol", "--samples", "32"],
            "s",
            "sobol",
        ),
        (&["sweep", "--param", bias, "--runs", "5"], "w", "sweep"),
        (
            &["sweep", "--param", bias, "--param", rate, "--runs", "0"],
            "h",
            "sweep",
        ),
    ];
    for (command, folder, stem) in cases {
        let args = with(
            &with(&command[..1], &[&small, "--out", folder, "-q"]),
            &command[1..],
        );
        let dir = t.join(folder);
        ok(geosim(t, &with(&args, &["--size", "800x450"])));
        let img = Image::read(&dir.join(format!("{stem}.png")));
        assert_eq!((img.w, img.h), (800, 450), "{folder}/{stem}.png");
        assert_eq!(
            files(&dir, "").len(),
            2,
            "{folder}: the table and the chart"
        );

        // The same request again keeps the chart it does not draw.
        ok(geosim(t, &with(&args, &["--no-charts"])));
        assert_eq!(
            files(&dir, "").len(),
            2,
            "{folder}: --no-charts keeps the chart of the same request"
        );

        ok(geosim(t, &with(&args, &["--format", "svg"])));
        let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("Small test scenario"));
        assert_eq!(
            files(&dir, ".png"),
            [format!("{stem}.png")],
            "{folder}: the PNG stays beside the SVG"
        );

        // Another request (another scenario) replaces the folder whole.
        let other = with(
            &args,
            &["--set", "variables.tension.noise=0.05", "--no-charts"],
        );
        ok(geosim(t, &other));
        assert_eq!(files(&dir, "").len(), 1, "{folder}: replaced whole");

        let bad = with(&args, &["--no-charts", "--format", "svg"]);
        fails(geosim(t, &bad), 2, "cannot be used with");
    }
    fails(
        geosim(t, &["explain", &small, "--size", "20x20"]),
        2,
        "between",
    );
    let help = ok(geosim(t, &["sensitivity", "--help"])).stdout;
    for needle in [
        "--no-charts",
        "--format",
        "--size",
        "tornado.png",
        "morris.png",
        "sobol.png",
    ] {
        assert!(help.contains(needle), "sensitivity --help lacks {needle}");
    }
}
