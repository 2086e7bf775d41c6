//! Charts: every chart renders for every fixture and every shipped
//! scenario; the data each chart is drawn from is checked against the
//! result files (ensemble.csv, regimes.csv, trajectory.csv), so a chart
//! cannot silently draw the wrong series; the images decode at the
//! requested size and their plots hold the series colours. No golden images.

use std::collections::HashMap;
use std::path::Path;

use geosim::charts::compare::{CompareData, Entry};
use geosim::charts::fan::{FanData, MEDIAN, band_colours};
use geosim::charts::panels::Panel;
use geosim::charts::regimes::RegimeData;
use geosim::charts::trajectory::TrajectoryData;
use geosim::charts::{self, Format, Kind, PlotRects, RunChart, RunInfo, RunSource, Table, render};
use geosim::engine::{self, Workspace, ensemble};
use geosim::model::{Model, VarId};
use geosim::output::{self, RunResults, quantile_column};
use geosim::scenario::{self, Scenario};
use geosim::stats::EnsembleStats;

use crate::support::{Image, assert_close, fails, files, fixture, geosim, ok};
use geosim::output::readback::read_table;

const RUNS: u64 = 200;

/// A scenario run in process, its result files written to a temp folder.
struct Case {
    scen: Scenario,
    stats: EnsembleStats,
    trajectory: Option<Vec<f64>>,
    dir: tempfile::TempDir,
}

impl Case {
    fn new(spec: &str, deterministic: bool) -> Self {
        let sets = [format!("ensemble.runs={RUNS}")];
        let scen = scenario::load(spec, &sets).unwrap_or_else(|e| panic!("{spec}: {e:?}"));
        let model = &scen.model;
        let (stats, trajectory) = if deterministic {
            let mut ws = Workspace::new(model);
            engine::deterministic(model, &mut ws);
            (
                ensemble::deterministic_stats(model, &ws),
                Some(ws.trajectory.clone()),
            )
        } else {
            let s = ensemble::run_ensemble(model, RUNS, model.ensemble.seed, 2, &|_| {}).unwrap();
            (s, None)
        };
        let dir = tempfile::tempdir().unwrap();
        let results = RunResults {
            model,
            stats: &stats,
            seed: model.ensemble.seed,
            deterministic,
            document: &scen.document,
            trajectory: trajectory.as_deref(),
            command: "test".into(),
            conditioning: None,
        };
        output::write_results(dir.path(), &results).unwrap();
        Case {
            scen,
            stats,
            trajectory,
            dir,
        }
    }

    fn model(&self) -> &Model {
        &self.scen.model
    }

    fn table(&self) -> Table {
        Table::from_stats(self.model(), &self.stats)
    }

    fn info(&self) -> RunInfo {
        RunInfo {
            runs: self.stats.runs(),
            seed: self.model().ensemble.seed,
            deterministic: self.trajectory.is_some(),
        }
    }
}

/// `ensemble.csv` as (variable, date) → column → value.
struct EnsembleCsv(HashMap<(String, String), HashMap<String, f64>>);

impl EnsembleCsv {
    fn read(dir: &Path) -> Self {
        let mut r = csv::Reader::from_path(dir.join(output::ENSEMBLE_CSV)).unwrap();
        let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        let mut map = HashMap::new();
        for rec in r.records() {
            let rec = rec.unwrap();
            let cols = header
                .iter()
                .zip(rec.iter())
                .skip(2)
                .map(|(h, v)| (h.clone(), v.parse::<f64>().unwrap()))
                .collect();
            map.insert((rec[1].to_string(), rec[0].to_string()), cols);
        }
        EnsembleCsv(map)
    }

    /// Column `col` of `series` over the horizon of `model`.
    fn path(&self, model: &Model, series: &str, col: &str) -> Vec<f64> {
        (0..model.months())
            .map(|t| {
                let key = (series.to_string(), model.date(t).to_string());
                let row = self.0.get(&key).unwrap_or_else(|| panic!("no row {key:?}"));
                *row.get(col).unwrap_or_else(|| panic!("no column {col}"))
            })
            .collect()
    }
}

/// `regimes.csv` as band names and rows of shares.
fn read_regimes(dir: &Path) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut r = csv::Reader::from_path(dir.join(output::REGIMES_CSV)).unwrap();
    let names = r
        .headers()
        .unwrap()
        .iter()
        .skip(1)
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|rec| {
            rec.unwrap()
                .iter()
                .skip(1)
                .map(|v| v.parse().unwrap())
                .collect()
        })
        .collect();
    (names, rows)
}

/// The bands a chart must draw: the symmetric pairs of configured
/// quantiles, widest first, as (coverage, low column, high column).
fn expected_bands(model: &Model) -> Vec<(f64, String, String)> {
    let qs = &model.ensemble.quantiles;
    qs.iter()
        .filter(|q| **q < 0.5)
        .filter(|q| qs.iter().any(|p| (p - (1.0 - **q)).abs() < 1e-9))
        .map(|q| (1.0 - 2.0 * q, quantile_column(*q), quantile_column(1.0 - q)))
        .collect()
}

fn check_bands(
    what: &str,
    model: &Model,
    csv: &EnsembleCsv,
    series: &str,
    bands: &[geosim::charts::fan::QuantileBand],
) {
    let want = expected_bands(model);
    assert_eq!(bands.len(), want.len(), "{what}: number of bands");
    for (b, (cov, lo, hi)) in bands.iter().zip(&want) {
        assert!((b.coverage - cov).abs() < 1e-9, "{what}: coverage");
        assert_close(&format!("{what} {lo}"), &b.lo, &csv.path(model, series, lo));
        assert_close(&format!("{what} {hi}"), &b.hi, &csv.path(model, series, hi));
    }
}

/// The event markers must be the scheduled events inside the horizon, in
/// date order.
fn check_events(what: &str, model: &Model, marks: &[charts::EventMark], var: Option<VarId>) {
    let mut want: Vec<_> = model.events.iter().filter(|e| e.month.is_some()).collect();
    want.sort_by_key(|e| e.date);
    assert_eq!(marks.len(), want.len(), "{what}: events");
    for (i, (m, e)) in marks.iter().zip(want).enumerate() {
        assert_eq!(
            (m.number, m.date, m.name.as_str()),
            (i + 1, e.date, e.name.as_str())
        );
        let acts = var.is_none_or(|v| e.jumps.iter().chain(&e.pressures).any(|(t, _)| *t == v));
        assert_eq!(m.emphasis, acts, "{what}: emphasis of {}", e.name);
    }
}

fn check_fan(case: &Case, csv: &EnsembleCsv, v: VarId, d: &FanData) {
    let model = case.model();
    let name = &model.variables[v.0].name;
    let what = format!("{}/{name}.png", model.name);
    assert_eq!(&d.variable, name);
    assert_close(
        &format!("{what} median"),
        &d.median,
        &csv.path(model, name, "p50"),
    );
    if case.trajectory.is_none() {
        let mean = d.mean.as_ref().expect("ensemble fan charts draw the mean");
        assert_close(
            &format!("{what} mean"),
            mean,
            &csv.path(model, name, "mean"),
        );
        check_bands(&what, model, csv, name, &d.bands);
    }
    check_events(&what, model, &d.events, Some(v));
    match &model.regimes {
        Some(r) if r.variable == v => {
            let (names, _) = read_regimes(case.dir.path());
            let got: Vec<&str> = d.regimes.iter().map(|s| s.name.as_str()).collect();
            assert_eq!(got, names, "{what}: regime bands");
        }
        _ => assert!(
            d.regimes.is_empty(),
            "{what}: regime shading on a non-regime variable"
        ),
    }
}

fn check_panels(case: &Case, csv: &EnsembleCsv, what: &str, panels: &[Panel], names: &[&str]) {
    let model = case.model();
    let got: Vec<&str> = panels.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(got, names, "{what}: panels");
    for p in panels {
        let w = format!("{what} {}", p.name);
        assert_close(&w, &p.median, &csv.path(model, &p.name, "p50"));
        let driver = model.drivers.iter().find(|d| d.name == p.name);
        let banded = case.trajectory.is_none() && driver.is_none_or(|d| d.offset.is_some());
        if banded {
            check_bands(&w, model, csv, &p.name, &p.bands);
        } else {
            assert!(p.bands.is_empty(), "{w}: bands without uncertainty");
        }
    }
}

fn check_regimes(case: &Case, d: &RegimeData) {
    let (names, rows) = read_regimes(case.dir.path());
    let got: Vec<&str> = d.bands.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(got, names);
    for (k, b) in d.bands.iter().enumerate() {
        let want: Vec<f64> = rows.iter().map(|r| r[k]).collect();
        assert_close(&format!("regimes.png {}", b.name), &b.shares, &want);
    }
    check_events(
        "regimes.png",
        case.model(),
        &d.events,
        case.model().regimes.as_ref().map(|r| r.variable),
    );
}

fn check_trajectory(case: &Case, d: &TrajectoryData) {
    let mut r = csv::Reader::from_path(case.dir.path().join(output::TRAJECTORY_CSV)).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<f64>> = r
        .records()
        .map(|rec| {
            rec.unwrap()
                .iter()
                .skip(1)
                .map(|v| v.parse().unwrap())
                .collect()
        })
        .collect();
    let model = case.model();
    assert_eq!(d.lines.len(), model.n_vars());
    for l in &d.lines {
        let col = header.iter().position(|h| *h == l.name).unwrap() - 1;
        let want: Vec<f64> = rows.iter().map(|r| r[col]).collect();
        assert_close(&format!("trajectory.png {}", l.name), &l.values, &want);
    }
    check_events("trajectory.png", model, &d.events, None);
}

/// Checks the data of one chart against the result files.
fn check_data(case: &Case, csv: &EnsembleCsv, kind: Kind, chart: &RunChart) {
    let model = case.model();
    match (kind, chart) {
        (Kind::Variable(v), RunChart::Fan(d)) => check_fan(case, csv, v, d),
        (Kind::Dashboard, RunChart::Dashboard(d)) => {
            let names: Vec<&str> = model
                .variables
                .iter()
                .map(|v| v.name.as_str())
                .chain(model.drivers.iter().map(|d| d.name.as_str()))
                .collect();
            check_panels(case, csv, "dashboard.png", &d.panels, &names);
        }
        (Kind::Drivers, RunChart::Drivers(d)) => {
            let names: Vec<&str> = model.drivers.iter().map(|d| d.name.as_str()).collect();
            check_panels(case, csv, "drivers.png", &d.panels, &names);
        }
        (Kind::Regimes, RunChart::Regimes(d)) => check_regimes(case, d),
        (Kind::Trajectory, RunChart::Trajectory(d)) => check_trajectory(case, d),
        (k, c) => panic!("{k:?} built as {c:?}"),
    }
}

/// Height in pixels a band of values `lo..hi` takes in a plot of `rect`
/// showing `range`, at its widest month.
fn widest_px(rect: [i32; 4], range: (f64, f64), lo: &[f64], hi: &[f64]) -> f64 {
    let scale = f64::from(rect[3] - rect[1]) / (range.1 - range.0);
    lo.iter()
        .zip(hi)
        .map(|(a, b)| (b - a) * scale)
        .fold(0.0, f64::max)
}

/// The series colours a chart draws must be in its plots: each line over a
/// good part of the width, each band wherever the data makes it visible.
fn check_pixels(what: &str, img: &Image, chart: &RunChart, plots: &PlotRects) {
    let line_min = |rect: [i32; 4]| ((rect[2] - rect[0]) / 3) as usize;
    let panels_ok = |panels: &[Panel]| {
        assert_eq!(plots.len(), panels.len(), "{what}: plot per panel");
        for (p, rect) in panels.iter().zip(plots) {
            let n = img.count(*rect, p.colour);
            assert!(n >= line_min(*rect), "{what} {}: {n} line pixels", p.name);
            let colours = band_colours(p.colour, p.bands.len());
            for (i, (b, c)) in p.bands.iter().zip(colours).enumerate() {
                let visible = match p.bands.get(i + 1) {
                    Some(inner) => {
                        let outer = widest_px(*rect, p.bounds, &b.lo, &b.hi);
                        outer - widest_px(*rect, p.bounds, &inner.lo, &inner.hi)
                    }
                    None => widest_px(*rect, p.bounds, &b.lo, &b.hi),
                };
                if visible > 12.0 {
                    assert!(
                        img.count(*rect, c) > 0,
                        "{what} {}: band {i} not drawn",
                        p.name
                    );
                }
            }
        }
    };
    match chart {
        RunChart::Fan(d) => {
            let rect = plots[0];
            let n = img.count(rect, MEDIAN);
            assert!(n >= line_min(rect), "{what}: {n} median pixels");
            let colours = d.band_colours();
            for (i, (b, c)) in d.bands.iter().zip(colours).enumerate() {
                let outer = widest_px(rect, d.bounds, &b.lo, &b.hi);
                let inner = d
                    .bands
                    .get(i + 1)
                    .map_or(0.0, |x| widest_px(rect, d.bounds, &x.lo, &x.hi));
                if outer - inner > 12.0 {
                    assert!(img.count(rect, c) > 0, "{what}: band {i} colour absent");
                }
            }
        }
        RunChart::Dashboard(d) => panels_ok(&d.panels),
        RunChart::Drivers(d) => panels_ok(&d.panels),
        RunChart::Regimes(d) => {
            let rect = plots[0];
            for b in &d.bands {
                let tallest = b.shares.iter().fold(0.0f64, |a, s| a.max(*s));
                if tallest * f64::from(rect[3] - rect[1]) > 12.0 {
                    assert!(
                        img.count(rect, b.colour) > 0,
                        "{what}: band {} absent",
                        b.name
                    );
                }
            }
        }
        RunChart::Trajectory(d) => {
            for l in &d.lines {
                assert!(
                    img.count(plots[0], l.colour) > 20,
                    "{what}: line {} absent",
                    l.name
                );
            }
        }
    }
}

/// Builds, checks, draws and inspects every chart of `case` at `size`.
fn all_charts(case: &Case, size: (u32, u32)) {
    let model = case.model();
    let table = case.table();
    let src = RunSource {
        model,
        table: &table,
        info: case.info(),
        trajectory: case.trajectory.as_deref(),
    };
    let csv = EnsembleCsv::read(case.dir.path());
    let kinds = charts::plan(model, case.trajectory.is_some(), None).unwrap();
    assert!(kinds.len() > model.n_vars(), "{}: {kinds:?}", model.name);
    for kind in kinds {
        let chart = src.build(kind).expect("planned charts can be built");
        check_data(case, &csv, kind, &chart);
        let path = case
            .dir
            .path()
            .join(charts::file_name(model, kind, Format::Png));
        let plots = render::render(&chart, &path, Format::Png, size).unwrap();
        let img = Image::read(&path);
        let what = format!(
            "{}/{}",
            model.name,
            path.file_name().unwrap().to_string_lossy()
        );
        assert_eq!((img.w, img.h), size, "{what}: size");
        check_pixels(&what, &img, &chart, &plots);
    }
}

#[test]
fn every_chart_of_every_fixture_matches_its_results() {
    for f in ["small.toml", "parent.toml", "child.toml"] {
        all_charts(&Case::new(&fixture(f), false), charts::DEFAULT_SIZE);
    }
}

#[test]
fn every_chart_of_every_shipped_scenario_matches_its_results() {
    let names = scenario::names();
    assert!(names.iter().any(|n| n == "baseline"), "{names:?}");
    for name in names {
        all_charts(&Case::new(&name, false), (960, 540));
    }
}

#[test]
fn deterministic_charts_include_the_trajectory() {
    let case = Case::new(&fixture("small.toml"), true);
    let kinds = charts::plan(case.model(), true, None).unwrap();
    assert!(kinds.contains(&Kind::Trajectory));
    all_charts(&case, (1200, 675));
    let case = Case::new("baseline", true);
    all_charts(&case, (960, 540));
}

/// A scenario of one variable `a` with bounds `min..max`, starting at
/// `initial`, pulled by a constant driver with `weight`.
fn one_variable(min: &str, max: &str, initial: &str, weight: &str) -> String {
    format!(
        "name = \"narrow\"\n[time]\nstart = \"2020-01\"\nend = \"2021-12\"\n\
         [variables.a]\nmin = {min}\nmax = {max}\ninitial = {initial}\nrate = 0.5\n\
         [drivers.d]\npoints = [[\"2020-01\", 1]]\n\
         [influences]\n\"d -> a\" = {{ weight = {weight} }}\n"
    )
}

#[test]
fn charts_of_tiny_and_huge_values_match_their_results() {
    // Ticks rounded to 1e-12 collapsed on these ranges: a zero step, NaN
    // ranges and panics in every chart.
    let tmp = tempfile::tempdir().unwrap();
    for (i, (min, max, initial, weight)) in [
        ("0", "1e-12", "5e-13", "0"),
        ("-1", "1", "0", "1e-13"),
        ("999999999999.999", "1e12", "999999999999.9995", "0"),
        ("-1e12", "1e12", "9e11", "1e-3"),
        ("0", "1e-300", "0", "0"),
    ]
    .into_iter()
    .enumerate()
    {
        let path = tmp.path().join(format!("narrow{i}.toml"));
        std::fs::write(&path, one_variable(min, max, initial, weight)).unwrap();
        let spec = path.display().to_string();
        all_charts(&Case::new(&spec, false), (800, 450));
        all_charts(&Case::new(&spec, true), (800, 450));
        let out = format!("out{i}");
        ok(geosim(
            tmp.path(),
            &["run", &spec, "--quiet", "--size", "800x450", "--out", &out],
        ));
        assert_eq!(
            files(&tmp.path().join(&out), ".png"),
            ["a.png", "dashboard.png", "drivers.png"],
            "{min}..{max}"
        );
    }
}

#[test]
fn non_finite_values_and_ranges_do_not_break_a_chart() {
    let case = Case::new(&fixture("small.toml"), true);
    let model = case.model();
    let table = case.table();
    let src = RunSource {
        model,
        table: &table,
        info: case.info(),
        trajectory: case.trajectory.as_deref(),
    };
    let tmp = tempfile::tempdir().unwrap();
    let spoil = |v: &mut Vec<f64>| {
        for (t, x) in v.iter_mut().enumerate() {
            *x = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, *x][t % 4];
        }
    };
    let ranges = [
        (f64::NAN, f64::NAN),
        (f64::NEG_INFINITY, f64::INFINITY),
        (0.5, 0.5),
        (0.0, 0.0),
        (1.0, -1.0),
        (0.0, 1e-300),
    ];
    for kind in charts::plan(model, true, None).unwrap() {
        for range in ranges {
            let mut chart = src.build(kind).unwrap();
            match &mut chart {
                RunChart::Fan(d) => {
                    spoil(&mut d.median);
                    d.bands.iter_mut().for_each(|b| spoil(&mut b.hi));
                    d.bounds = range;
                }
                RunChart::Dashboard(d) => d.panels.iter_mut().for_each(|p| {
                    spoil(&mut p.median);
                    p.bounds = range;
                }),
                RunChart::Drivers(d) => d.panels.iter_mut().for_each(|p| p.bounds = range),
                RunChart::Trajectory(d) => {
                    d.lines.iter_mut().for_each(|l| spoil(&mut l.values));
                    d.y_range = range;
                }
                RunChart::Regimes(_) => {}
            }
            let path = tmp.path().join("spoilt.png");
            render::render(&chart, &path, Format::Png, (640, 360))
                .unwrap_or_else(|e| panic!("{kind:?} on {range:?}: {e}"));
        }
    }
}

#[test]
fn tables_read_back_from_result_files_equal_the_computed_ones() {
    let case = Case::new(&fixture("small.toml"), false);
    let model = case.model();
    let fresh = case.table();
    let read = read_table(case.dir.path(), model, RUNS).expect("readable results");
    assert_eq!(
        (read.levels.clone(), read.months, read.series),
        (fresh.levels.clone(), fresh.months, fresh.series)
    );
    assert_close("mean", &read.mean, &fresh.mean);
    assert_close("quantiles", &read.quantiles, &fresh.quantiles);
    assert_close(
        "regimes",
        read.regimes.as_ref().unwrap(),
        fresh.regimes.as_ref().unwrap(),
    );
    // Results of another model are refused rather than misread.
    let other = Case::new(&fixture("parent.toml"), false);
    assert!(read_table(case.dir.path(), other.model(), RUNS).is_none());
}

#[test]
fn comparison_data_is_each_scenarios_median_and_90_percent_band() {
    let a = Case::new(&fixture("parent.toml"), false);
    let b = Case::new(&fixture("child.toml"), false);
    let (ta, tb) = (a.table(), b.table());
    let entries = [
        Entry {
            model: a.model(),
            table: &ta,
            info: a.info(),
        },
        Entry {
            model: b.model(),
            table: &tb,
            info: b.info(),
        },
    ];
    let d = CompareData::new(&entries, "x").unwrap();
    assert_eq!(d.series.len(), 2);
    for (s, case) in d.series.iter().zip([&a, &b]) {
        let csv = EnsembleCsv::read(case.dir.path());
        let m = case.model();
        assert_eq!(s.scenario, m.name);
        assert_close("median", &s.median, &csv.path(m, "x", "p50"));
        let band = s.band.as_ref().unwrap();
        assert!((band.coverage - 0.9).abs() < 1e-9);
        assert_close("p05", &band.lo, &csv.path(m, "x", "p05"));
        assert_close("p95", &band.hi, &csv.path(m, "x", "p95"));
    }
    assert!(CompareData::new(&entries, "nope").is_none());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.png");
    let plots = render::render(&d, &path, Format::Png, (1000, 600)).unwrap();
    let img = Image::read(&path);
    assert_eq!((img.w, img.h), (1000, 600));
    for s in &d.series {
        assert!(
            img.count(plots[0], s.colour) > 50,
            "{} line absent",
            s.scenario
        );
    }
}

#[test]
fn a_chart_that_cannot_be_written_is_an_io_error_naming_it_and_results_stay_atomic() {
    let case = Case::new(&fixture("small.toml"), false);
    let table = case.table();
    let src = RunSource {
        model: case.model(),
        table: &table,
        info: case.info(),
        trajectory: None,
    };
    let kinds = [Kind::Variable(VarId(0))];
    let missing = case.dir.path().join("no/such/folder");
    let err =
        charts::write_run_charts(&missing, &src, &kinds, &charts::Options::default()).unwrap_err();
    assert_eq!(err.exit_code(), 1);
    assert!(err.to_string().contains("alignment.png"), "{err}");

    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("results");
    std::fs::create_dir(&dest).unwrap();
    std::fs::write(dest.join("old.txt"), "old").unwrap();
    let r = geosim::output::atomic::write_folder(&dest, |dir| {
        std::fs::write(dir.join("ensemble.csv"), "new").unwrap();
        charts::write_run_charts(
            &dir.join("missing"),
            &src,
            &kinds,
            &charts::Options::default(),
        )
        .map(drop)
    });
    assert!(r.is_err());
    assert!(dest.join("old.txt").exists() && !dest.join("ensemble.csv").exists());
}

// ------------------------------------------------------------- end to end

#[test]
fn run_writes_charts_with_the_results_and_honours_the_options() {
    let tmp = tempfile::tempdir().unwrap();
    let small = fixture("small.toml");
    let res = tmp.path().join("output/small");
    ok(geosim(
        tmp.path(),
        &["run", &small, "--quiet", "--size", "800x450"],
    ));
    assert_eq!(
        files(&res, ".png"),
        [
            "alignment.png",
            "dashboard.png",
            "drivers.png",
            "regimes.png",
            "tension.png"
        ]
    );
    let img = Image::read(&res.join("alignment.png"));
    assert_eq!((img.w, img.h), (800, 450));

    let all = [
        "alignment.png",
        "dashboard.png",
        "drivers.png",
        "regimes.png",
        "tension.png",
    ];
    // The same request again keeps the charts it does not draw: --no-charts,
    // a selection, another format add to the folder instead of emptying it.
    ok(geosim(
        tmp.path(),
        &["run", &small, "--quiet", "--no-charts"],
    ));
    assert_eq!(files(&res, ".png"), all);
    assert!(res.join("ensemble.csv").exists());
    let before = std::fs::metadata(res.join("tension.png"))
        .unwrap()
        .modified()
        .unwrap();
    ok(geosim(
        tmp.path(),
        &[
            "run",
            &small,
            "--quiet",
            "--charts",
            "tension,regimes",
            "--size",
            "1200x675",
        ],
    ));
    assert_eq!(files(&res, ".png"), all);
    assert_eq!(Image::read(&res.join("tension.png")).w, 1200, "redrawn");
    assert_eq!(Image::read(&res.join("alignment.png")).w, 800, "kept");
    assert!(
        std::fs::metadata(res.join("tension.png"))
            .unwrap()
            .modified()
            .unwrap()
            >= before
    );

    ok(geosim(
        tmp.path(),
        &[
            "run",
            &small,
            "--quiet",
            "--format",
            "svg",
            "--charts",
            "alignment",
        ],
    ));
    let svg = std::fs::read_to_string(res.join("alignment.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("Small test scenario"),
        "{svg:.200}"
    );
    assert_eq!(files(&res, ".png"), all, "the PNGs stay beside the SVG");

    // Another request (another seed) has other results: it replaces the
    // folder whole, in its own default folder.
    ok(geosim(
        tmp.path(),
        &[
            "run", &small, "--quiet", "--seed", "5", "--charts", "regimes",
        ],
    ));
    assert_eq!(
        files(&tmp.path().join("output/small-seed5"), ".png"),
        ["regimes.png"]
    );
    ok(geosim(
        tmp.path(),
        &[
            "run",
            &small,
            "--quiet",
            "--out",
            "output/small",
            "--seed",
            "5",
            "--charts",
            "regimes",
        ],
    ));
    assert_eq!(files(&res, ".png"), ["regimes.png"]);
    assert!(files(&res, ".svg").is_empty());

    ok(geosim(
        tmp.path(),
        &[
            "run",
            &small,
            "--quiet",
            "--deterministic",
            "--charts",
            "trajectory",
        ],
    ));
    let det = tmp.path().join("output/small-deterministic");
    assert_eq!(files(&det, ".png"), ["trajectory.png"]);
}

#[test]
fn bad_chart_options_are_usage_errors_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let small = fixture("small.toml");
    fails(
        geosim(tmp.path(), &["run", &small, "--charts", "alignmnt"]),
        2,
        "did you mean `alignment`",
    );
    fails(
        geosim(tmp.path(), &["run", &small, "--charts", "trajectory"]),
        2,
        "--deterministic",
    );
    fails(
        geosim(
            tmp.path(),
            &["run", &fixture("parent.toml"), "--charts", "regimes"],
        ),
        2,
        "no [regimes]",
    );
    fails(
        geosim(tmp.path(), &["run", &small, "--size", "1600"]),
        2,
        "WIDTHxHEIGHT",
    );
    fails(
        geosim(tmp.path(), &["run", &small, "--size", "20x20"]),
        2,
        "between",
    );
    fails(
        geosim(tmp.path(), &["run", &small, "--format", "gif"]),
        2,
        "gif",
    );
    fails(
        geosim(
            tmp.path(),
            &["run", &small, "--no-charts", "--charts", "tension"],
        ),
        2,
        "cannot be used with",
    );
    assert!(
        !tmp.path().join("output").exists(),
        "nothing may be written"
    );
}

#[test]
fn compare_reuses_matching_results_and_writes_charts_and_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let (parent, child) = (fixture("parent.toml"), fixture("child.toml"));
    ok(geosim(
        tmp.path(),
        &["run", &parent, "--runs", "200", "--quiet"],
    ));
    let o = ok(geosim(
        tmp.path(),
        &["compare", &parent, &child, "--runs", "200"],
    ));
    assert!(
        o.stdout.contains("parent: 200 runs, seed 3"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("results reused from output/parent-runs200/"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("child: 200 runs") && o.stdout.contains("run now"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("median in the final month"),
        "{}",
        o.stdout
    );
    let dir = crate::support::folder(&tmp.path().join("output"), "compare-parent-child-");
    assert_eq!(files(&dir, ".png"), ["x.png", "y.png"]);
    assert_eq!(
        (
            Image::read(&dir.join("x.png")).w,
            Image::read(&dir.join("x.png")).h
        ),
        (1600, 900)
    );

    // compare.csv holds each scenario's medians and 90 % band.
    let reused = std::fs::read_to_string(dir.join("compare.csv")).unwrap();
    let ens = EnsembleCsv::read(&tmp.path().join("output/parent-runs200"));
    let parent_model = scenario::load(&parent, &["ensemble.runs=200".into()])
        .unwrap()
        .model;
    let p50 = ens.path(&parent_model, "x", "p50");
    let p95 = ens.path(&parent_model, "x", "p95");
    let mut r = csv::Reader::from_reader(reused.as_bytes());
    let rows: Vec<csv::StringRecord> = r
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[0] == "x" && &r[1] == "parent")
        .collect();
    assert_eq!(rows.len(), parent_model.months());
    for (t, row) in rows.iter().enumerate() {
        assert_eq!(row[2], parent_model.date(t).to_string());
        assert!((row[3].parse::<f64>().unwrap() - p50[t]).abs() < 1e-8);
        assert!((row[5].parse::<f64>().unwrap() - p95[t]).abs() < 1e-8);
        assert_eq!(&row[6], "0.9");
    }

    // Another seed does not match the stored results: run, same files.
    let o = ok(geosim(
        tmp.path(),
        &[
            "compare",
            &parent,
            &child,
            "--runs",
            "200",
            "--seed",
            "9",
            "--variable",
            "y",
            "--format",
            "svg",
            "--out",
            dir.to_str().unwrap(),
        ],
    ));
    assert!(!o.stdout.contains("reused"), "{}", o.stdout);
    assert_eq!(files(&dir, ".svg"), ["y.svg"]);
    assert!(
        files(&dir, ".png").is_empty(),
        "the folder is replaced as a whole"
    );

    // Running the stored scenario fresh gives the same numbers as reusing it.
    std::fs::remove_dir_all(tmp.path().join("output/parent-runs200")).unwrap();
    ok(geosim(
        tmp.path(),
        &["compare", &parent, &child, "--runs", "200", "--quiet"],
    ));
    assert_eq!(
        std::fs::read_to_string(dir.join("compare.csv")).unwrap(),
        reused
    );
}

#[test]
fn compare_refuses_unknown_variables_and_repeated_scenarios() {
    let tmp = tempfile::tempdir().unwrap();
    let (parent, child) = (fixture("parent.toml"), fixture("child.toml"));
    fails(
        geosim(tmp.path(), &["compare", &parent, &child, "--variable", "z"]),
        2,
        "variables are: x, y",
    );
    fails(
        geosim(tmp.path(), &["compare", &parent, &parent]),
        2,
        "given twice",
    );
    fails(geosim(tmp.path(), &["compare", &parent]), 2, "required");
    assert!(!tmp.path().join("output").exists());
}

#[test]
fn chart_help_documents_the_options_with_examples() {
    let tmp = tempfile::tempdir().unwrap();
    let o = ok(geosim(tmp.path(), &["run", "--help"]));
    for needle in [
        "--no-charts",
        "--format",
        "--size",
        "--charts",
        "dashboard.png",
        "--charts alignment,regimes",
    ] {
        assert!(o.stdout.contains(needle), "run --help lacks {needle}");
    }
    let o = ok(geosim(tmp.path(), &["compare", "--help"]));
    for needle in [
        "--variable",
        "--format",
        "--size",
        "compare.csv",
        "geosim compare baseline proxy_drift",
    ] {
        assert!(o.stdout.contains(needle), "compare --help lacks {needle}");
    }
}
