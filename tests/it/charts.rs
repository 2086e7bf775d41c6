//! Charts: every chart renders for every fixture and every shipped
//! scenario; the data each chart is drawn from is checked against the
//! result files (ensemble.csv, regimes.csv, trajectory.csv), so a chart
//! cannot silently draw the wrong series; the images decode at the
//! requested size and their plots hold the series colours. No golden images.

use std::collections::HashMap;
use std::path::Path;

use geosim::charts::compare::{CompareData, Entry};
use geosim::charts::fan::{FanData, MEDIAN, band_colours};
use geosim::charts::observed::{INK, ObservedKind, ObservedMark};
use geosim::charts::panels::Panel;
use geosim::charts::regimes::RegimeData;
use geosim::charts::trajectory::TrajectoryData;
use geosim::charts::{self, Format, Kind, PlotRects, RunChart, RunInfo, RunSource, Table, render};
use geosim::engine::filter::run_filter;
use geosim::engine::{self, Workspace, ensemble};
use geosim::model::{Evidence, Model, VarId};
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
    /// Conditioned on the scenario's observations (a particle filter).
    conditioned: bool,
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
            conditioned: false,
            dir,
        }
    }

    /// The ensemble of `spec` conditioned on its observations.
    fn conditioned(spec: &str) -> Self {
        let sets = [format!("ensemble.runs={RUNS}")];
        let scen = scenario::load(spec, &sets).unwrap_or_else(|e| panic!("{spec}: {e:?}"));
        let model = &scen.model;
        let (stats, cond) = run_filter(model, RUNS, model.ensemble.seed).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let results = RunResults {
            model,
            stats: &stats,
            seed: model.ensemble.seed,
            deterministic: false,
            document: &scen.document,
            trajectory: None,
            command: "test".into(),
            conditioning: Some(&cond),
        };
        output::write_results(dir.path(), &results).unwrap();
        Case {
            scen,
            stats,
            trajectory: None,
            conditioned: true,
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
            conditioned: self.conditioned,
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

/// The legend says what grey markers mean exactly when some are grey.
fn check_grey_note(what: &str, marks: &[charts::EventMark], variable: &str, note: &Option<String>) {
    let want = marks
        .iter()
        .any(|m| !m.emphasis)
        .then(|| format!("grey event: no jump or pressure on {variable}"));
    assert_eq!(note, &want, "{what}: grey note");
}

fn check_fan(case: &Case, csv: &EnsembleCsv, v: VarId, d: &FanData) {
    check_grey_note(&d.variable, &d.events, &d.variable, &d.grey_note);
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
    check_observations(&what, model, v.0, &d.observations);
    let last = model.observations.iter().map(|o| o.month).max();
    assert_eq!(
        d.last_observation,
        if case.conditioned { last } else { None },
        "{what}: the last observation is marked on conditioned runs only"
    );
}

/// The marks of series `s` must be its observations in month order, in the
/// series' units: a measurement's value ± sd and a (possibly open)
/// interval through x = (y − offset) / scale, ends swapped when the scale
/// is negative; a band's edges within the variable's bounds.
fn check_observations(what: &str, model: &Model, s: usize, marks: &[ObservedMark]) {
    let bounds = match model.variables.get(s) {
        Some(v) => (v.min, v.max),
        None => {
            let d = &model.drivers[s - model.n_vars()];
            (d.min, d.max)
        }
    };
    let want: Vec<_> = model
        .observations
        .iter()
        .filter(|o| o.series.0 == s)
        .collect();
    assert_eq!(marks.len(), want.len(), "{what}: observations");
    for (m, o) in marks.iter().zip(want) {
        let w = format!("{what}: observation {}", o.label);
        assert_eq!(
            (m.month, m.label.as_str()),
            (o.month, o.label.as_str()),
            "{w}"
        );
        let x = |y: f64| (y - o.offset) / o.scale;
        let (kind, a, b, point) = match (o.band, &o.evidence) {
            (Some(k), _) => {
                let band = &model.regimes.as_ref().unwrap().bands[k];
                let (lo, hi) = (band.lo.max(bounds.0), band.hi.min(bounds.1));
                (ObservedKind::Band, lo, hi, None)
            }
            (None, Evidence::Measured { value, sd }) => (
                ObservedKind::Measured,
                x(value - sd),
                x(value + sd),
                Some(x(*value)),
            ),
            (None, Evidence::Interval { lo, hi, .. }) => {
                (ObservedKind::Interval, x(*lo), x(*hi), None)
            }
        };
        assert_eq!(m.kind, kind, "{w}");
        let same = |g: f64, e: f64| g == e || (g - e).abs() <= 1e-12 * e.abs().max(1.0);
        assert!(
            same(m.lo, a.min(b)) && same(m.hi, a.max(b)),
            "{w}: ends {} … {}, want {} … {}",
            m.lo,
            m.hi,
            a.min(b),
            a.max(b)
        );
        assert_eq!(m.point.is_some(), point.is_some(), "{w}: point");
        if let (Some(g), Some(e)) = (m.point, point) {
            assert!(same(g, e), "{w}: point {g}, want {e}");
        }
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
        let s = model
            .variables
            .iter()
            .map(|v| &v.name)
            .chain(model.drivers.iter().map(|d| &d.name))
            .position(|n| *n == p.name)
            .unwrap();
        check_observations(&w, model, s, &p.observations);
    }
}

fn check_regimes(case: &Case, d: &RegimeData) {
    check_grey_note("regimes.png", &d.events, &d.variable, &d.grey_note);
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
    // One panel per variable, each on its own bounds, all in one colour.
    let names: Vec<&str> = d.panels.iter().map(|p| p.name.as_str()).collect();
    let want_names: Vec<&str> = model.variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, want_names);
    for (p, v) in d.panels.iter().zip(&model.variables) {
        let col = header.iter().position(|h| *h == p.name).unwrap() - 1;
        let want: Vec<f64> = rows.iter().map(|r| r[col]).collect();
        assert_close(&format!("trajectory.png {}", p.name), &p.median, &want);
        assert_eq!(p.bounds, (v.min, v.max));
        assert_eq!(p.colour, geosim::charts::trajectory::LINE);
        assert!(p.bands.is_empty());
    }
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
            let ink = img.count(*rect, INK);
            if p.observations.is_empty() {
                assert_eq!(
                    ink, 0,
                    "{what} {}: observation ink without observations",
                    p.name
                );
            } else {
                assert!(ink > 0, "{what} {}: observations not drawn", p.name);
            }
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
            // The record's ink is in the plot exactly when there is a record.
            let ink = img.count(rect, INK);
            if d.observations.is_empty() && d.last_observation.is_none() {
                assert_eq!(ink, 0, "{what}: observation ink without observations");
            } else {
                assert!(ink > 20, "{what}: {ink} pixels of the observations");
            }
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
                        img.count(rect, b.fill) > 0,
                        "{what}: band {} absent",
                        b.name
                    );
                }
            }
        }
        RunChart::Trajectory(d) => panels_ok(&d.panels),
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
                RunChart::Trajectory(d) => d.panels.iter_mut().for_each(|p| {
                    spoil(&mut p.median);
                    p.bounds = range;
                }),
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
    // Under the plot: the legend, one entry per scenario with a swatch of
    // its own band (light fill, edges and line in its colour).
    let below = [0, plots[0][3] + 1, img.w as i32, img.h as i32];
    for s in &d.series {
        assert!(
            img.count(plots[0], s.colour) > 50,
            "{} line absent",
            s.scenario
        );
        let fill = geosim::charts::theme::tint(s.colour, geosim::charts::compare::BAND_ALPHA * 2.5);
        assert!(img.count(below, fill) > 20, "{}: legend swatch", s.scenario);
        assert!(
            img.count(below, s.colour) > 20,
            "{}: legend edges",
            s.scenario
        );
        assert_eq!(
            s.legend_label(),
            format!(
                "{}: median, 90% of runs between the dashed edges",
                s.scenario
            )
        );
    }
    assert_ne!(d.series[0].colour, d.series[1].colour);
    assert!(!d.small_multiples, "two scenarios share one plot");

    // More than three scenarios: one panel each, on shared scales.
    let four = [&entries[0], &entries[1], &entries[0], &entries[1]].map(|e| Entry {
        model: e.model,
        table: e.table,
        info: e.info.clone(),
    });
    let d4 = CompareData::new(&four, "x").unwrap();
    assert!(d4.small_multiples);
    let plots = render::render(&d4, &path, Format::Png, (1000, 600)).unwrap();
    assert_eq!(plots.len(), 4, "a panel per scenario");
    let img = Image::read(&path);
    for (s, rect) in d4.series.iter().zip(&plots) {
        assert!(img.count(*rect, s.colour) > 20, "{} panel", s.scenario);
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

/// Observations of every kind for `small.toml`: measurements (one through a
/// negative scale and an offset), closed and open intervals, a band, a
/// driver.
const OBSERVATIONS: &str = r#"
[[observations]]
date = "2020-06"
variable = "alignment"
value = 0.25
sd = 0.05

[[observations]]
date = "2020-10"
variable = "alignment"
lo = 0.1
hi = 0.3

[[observations]]
date = "2021-02"
variable = "alignment"
lo = 0.15

[[observations]]
date = "2021-03"
variable = "alignment"
value = 0.1
sd = 0.04
scale = -2.0
offset = 0.5

[[observations]]
date = "2021-06"
band = "neutral"

[[observations]]
date = "2021-05"
variable = "tension"
value = 0.5
sd = 0.08

[[observations]]
date = "2021-09"
variable = "tension"
hi = 0.4

[[observations]]
date = "2021-04"
variable = "sanctions"
value = 0.6
sd = 0.1
"#;

/// `small.toml` with [`OBSERVATIONS`], written into `dir`; its path.
fn observed_small(dir: &Path) -> String {
    let text = std::fs::read_to_string(fixture("small.toml")).unwrap() + OBSERVATIONS;
    let path = dir.join("observed.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// A fan chart of `case`.
fn fan(case: &Case, name: &str) -> FanData {
    let v = VarId(
        case.model()
            .variables
            .iter()
            .position(|v| v.name == name)
            .unwrap(),
    );
    FanData::new(case.model(), &case.table(), v, &case.info())
}

/// (month, kind, lo, hi, point) of marks, for comparing with literals.
fn mark_rows(marks: &[ObservedMark]) -> Vec<(usize, ObservedKind, f64, f64, Option<f64>)> {
    marks
        .iter()
        .map(|m| (m.month, m.kind, m.lo, m.hi, m.point))
        .collect()
}

fn assert_rows(
    what: &str,
    got: &[(usize, ObservedKind, f64, f64, Option<f64>)],
    want: &[(usize, ObservedKind, f64, f64, Option<f64>)],
) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?}");
    let near = |a: f64, b: f64| a == b || (a - b).abs() < 1e-12;
    for (g, w) in got.iter().zip(want) {
        assert!(
            g.0 == w.0
                && g.1 == w.1
                && near(g.2, w.2)
                && near(g.3, w.3)
                && g.4.is_some() == w.4.is_some()
                && g.4.zip(w.4).is_none_or(|(a, b)| near(a, b)),
            "{what}: {g:?}, want {w:?}"
        );
    }
}

#[test]
fn fan_charts_draw_each_variables_observations_in_its_units() {
    let tmp = tempfile::tempdir().unwrap();
    let case = Case::new(&observed_small(tmp.path()), false);
    use ObservedKind::{Band, Interval, Measured};
    let inf = f64::INFINITY;
    // Months from 2020-01; the measurement observed as 0.5 − 2x gives
    // x = (0.1 − 0.5) / −2 = 0.2 with ends swapped: 0.18 … 0.22. The band
    // `neutral` is 0 … 0.3; the open interval keeps its infinite end.
    assert_rows(
        "alignment",
        &mark_rows(&fan(&case, "alignment").observations),
        &[
            (5, Measured, 0.2, 0.3, Some(0.25)),
            (9, Interval, 0.1, 0.3, None),
            (13, Interval, 0.15, inf, None),
            (14, Measured, 0.18, 0.22, Some(0.2)),
            (17, Band, 0.0, 0.3, None),
        ],
    );
    assert_rows(
        "tension",
        &mark_rows(&fan(&case, "tension").observations),
        &[
            (16, Measured, 0.42, 0.58, Some(0.5)),
            (20, Interval, -inf, 0.4, None),
        ],
    );
    // The driver's observation is on its panel of the dashboard and of
    // the drivers chart; every panel's marks are checked against the model.
    let table = case.table();
    let dash = charts::dashboard::DashboardData::new(case.model(), &table, &case.info());
    let sanctions = dash.panels.iter().find(|p| p.name == "sanctions").unwrap();
    assert_rows(
        "sanctions",
        &mark_rows(&sanctions.observations),
        &[(15, Measured, 0.5, 0.7, Some(0.6))],
    );
    // Every chart of the unconditioned and the conditioned run: data
    // against the model, the observations' ink in the plots that have them.
    all_charts(&case, charts::DEFAULT_SIZE);
    all_charts(&case, (800, 450));
    let conditioned = Case::conditioned(&observed_small(tmp.path()));
    all_charts(&conditioned, charts::DEFAULT_SIZE);
    all_charts(&conditioned, (800, 450));
    // A deterministic run draws the record too.
    all_charts(&Case::new(&observed_small(tmp.path()), true), (960, 540));
}

#[test]
fn band_brackets_span_the_band_edges_within_the_variables_bounds() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bands.toml");
    let text = std::fs::read_to_string(fixture("small.toml")).unwrap()
        + "[[observations]]\ndate = \"2020-03\"\nband = \"cold\"\n\
           [[observations]]\ndate = \"2020-04\"\nband = \"warm\"\n\
           [[observations]]\ndate = \"2020-05\"\nband = \"neutral\"\n";
    std::fs::write(&path, text).unwrap();
    let case = Case::new(&path.display().to_string(), false);
    let model = case.model();
    let regimes = model.regimes.as_ref().unwrap();
    let var = &model.variables[regimes.variable.0];
    let d = fan(&case, &var.name);
    let got: Vec<(usize, f64, f64)> = d
        .observations
        .iter()
        .map(|m| {
            assert_eq!(m.kind, ObservedKind::Band);
            (m.month, m.lo, m.hi)
        })
        .collect();
    // cold is open below, warm above: the brackets end at the bounds ±1.
    assert_eq!(got, [(2, -1.0, 0.0), (3, 0.3, 1.0), (4, 0.0, 0.3)]);
    for (m, k) in d.observations.iter().zip([0, 2, 1]) {
        let b = &regimes.bands[k];
        assert_eq!((m.lo, m.hi), (b.lo.max(var.min), b.hi.min(var.max)));
    }
    // Band observations belong to the regime variable's chart only.
    assert!(fan(&case, "tension").observations.is_empty());
}

#[test]
fn only_a_conditioned_run_says_so_and_marks_its_last_observation() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = observed_small(tmp.path());
    let free = Case::new(&spec, false);
    let conditioned = Case::conditioned(&spec);
    let n = conditioned.model().observations.len();
    assert_eq!(n, 8);
    let said = format!("conditioned on {n} observations");
    for name in ["alignment", "tension"] {
        let d = fan(&free, name);
        assert!(!d.footer.contains("conditioned"), "{}", d.footer);
        assert_eq!(d.last_observation, None);
        // The prior still shows the record it misses.
        assert!(!d.observations.is_empty());
        let d = fan(&conditioned, name);
        assert!(d.footer.contains(&said), "{}", d.footer);
        assert_eq!(d.last_observation, Some(20), "2021-09, of tension");
    }
    let table = conditioned.table();
    let dash =
        charts::dashboard::DashboardData::new(conditioned.model(), &table, &conditioned.info());
    assert!(dash.footer.contains(&said), "{}", dash.footer);
    // A deterministic run is never conditioned, whatever the flag says.
    let det = Case::new(&spec, true);
    let mut info = det.info();
    info.conditioned = true;
    assert!(!charts::footer(det.model(), &info).contains("conditioned"));
    // Scenarios without observations: no marks, no line, the footer as it was.
    let plain = Case::new(&fixture("small.toml"), false);
    let d = fan(&plain, "alignment");
    assert!(d.observations.is_empty() && d.last_observation.is_none());
    assert!(!d.footer.contains("conditioned"));
}

#[test]
fn run_and_compare_tell_the_charts_whether_they_conditioned() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = observed_small(tmp.path());
    let said = "conditioned on 8 observations";
    let svg =
        |dir: &str, file: &str| std::fs::read_to_string(tmp.path().join(dir).join(file)).unwrap();
    let args = |out: &'static str| {
        vec![
            "run",
            &spec,
            "--quiet",
            "--format",
            "svg",
            "--charts",
            "alignment,dashboard",
            "--out",
            out,
        ]
    };
    ok(geosim(tmp.path(), &args("free")));
    let mut conditioned = args("cond");
    conditioned.push("--condition");
    ok(geosim(tmp.path(), &conditioned));
    for file in ["alignment.svg", "dashboard.svg"] {
        assert!(!svg("free", file).contains("conditioned"), "{file}");
        assert!(svg("cond", file).contains(said), "{file}");
    }
    assert!(svg("cond", "alignment.svg").contains("last observation"));
    assert!(!svg("free", "alignment.svg").contains("last observation"));
    for file in ["alignment.svg", "dashboard.svg"] {
        assert!(
            svg("free", file).contains("observed: point ± sd, interval, band"),
            "{file}"
        );
    }

    // compare --condition: each scenario's part of the footer says so.
    let other = tmp.path().join("other.toml");
    let text = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("name = \"small\"", "name = \"other\"");
    std::fs::write(&other, text).unwrap();
    let other = other.display().to_string();
    for (out, condition) in [("cmp-free", false), ("cmp-cond", true)] {
        let mut a = vec![
            "compare",
            &spec,
            &other,
            "--quiet",
            "--format",
            "svg",
            "--variable",
            "alignment",
            "--out",
            out,
        ];
        if condition {
            a.push("--condition");
        }
        ok(geosim(tmp.path(), &a));
        let footer = svg(out, "alignment.svg");
        assert_eq!(
            footer.matches(said).count(),
            if condition { 2 } else { 0 },
            "{out}"
        );
    }
}

#[test]
fn charts_are_byte_identical_on_one_and_two_threads() {
    // A run draws its charts in parallel; each chart's bytes must not
    // depend on how many there are at once.
    let tmp = tempfile::tempdir().unwrap();
    let small = fixture("small.toml");
    for format in ["png", "svg"] {
        let mut outs = Vec::new();
        for threads in ["1", "2"] {
            let out = tmp.path().join(format!("{format}-{threads}"));
            let out_arg = out.display().to_string();
            ok(geosim(
                tmp.path(),
                &[
                    "run",
                    &small,
                    "--quiet",
                    "--runs",
                    "200",
                    "--format",
                    format,
                    "--threads",
                    threads,
                    "--out",
                    &out_arg,
                ],
            ));
            outs.push(out);
        }
        let names = files(&outs[0], &format!(".{format}"));
        assert_eq!(names.len(), 5, "{names:?}");
        assert_eq!(names, files(&outs[1], &format!(".{format}")));
        for f in names {
            let a = std::fs::read(outs[0].join(&f)).unwrap();
            let b = std::fs::read(outs[1].join(&f)).unwrap();
            assert!(a == b, "{f} differs between 1 and 2 threads");
        }
    }
}

#[test]
fn grey_event_markers_are_explained_where_they_appear() {
    let case = Case::new("baseline", false);
    let m = case.model();
    // Alignment has events that do not act on it: the legend explains grey.
    let v = VarId(
        m.variables
            .iter()
            .position(|x| x.name == "alignment")
            .unwrap(),
    );
    let fan = FanData::new(m, &case.table(), v, &case.info());
    assert!(fan.events.iter().any(|e| !e.emphasis));
    assert_eq!(
        fan.grey_note.as_deref(),
        Some("grey event: no jump or pressure on alignment")
    );
}

#[test]
fn regime_colours_are_the_authors_or_a_neutral_sequence() {
    let tmp = tempfile::tempdir().unwrap();
    let base = one_variable("0", "1", "0.5", "0.1");
    let write = |name: &str, bands: &str| {
        let path = tmp.path().join(name);
        std::fs::write(
            &path,
            format!("{base}[regimes]\nvariable = \"a\"\nbands = [\n{bands}\n]\n"),
        )
        .unwrap();
        path.display().to_string()
    };
    // The author's colour where given, the default palette elsewhere, on
    // both the regimes chart and the fan chart's shading.
    let spec = write(
        "coloured.toml",
        "{ name = \"detente\", max = 0.5, color = \"#4477aa\" },\n{ name = \"crisis\", color = \"#EE6677\" }",
    );
    let case = Case::new(&spec, false);
    let d = RegimeData::new(case.model(), &case.table(), &case.info()).unwrap();
    let got: Vec<plotters::style::RGBColor> = d.bands.iter().map(|b| b.colour).collect();
    use plotters::style::RGBColor;
    for b in &d.bands {
        assert_eq!(
            b.fill,
            geosim::charts::theme::tint(b.colour, geosim::charts::regimes::FILL)
        );
    }
    assert_eq!(
        got,
        [RGBColor(0x44, 0x77, 0xaa), RGBColor(0xee, 0x66, 0x77)]
    );
    let fan = FanData::new(case.model(), &case.table(), VarId(0), &case.info());
    let shades: Vec<RGBColor> = fan.regimes.iter().map(|s| s.colour).collect();
    assert_eq!(shades, got);
    // Without colours: the sequential default, darkest band lowest, so
    // order is shown without "bad" and "good" colours.
    let spec = write(
        "plain.toml",
        "{ name = \"detente\", max = 0.5 },\n{ name = \"crisis\" }",
    );
    let case = Case::new(&spec, false);
    let d = RegimeData::new(case.model(), &case.table(), &case.info()).unwrap();
    let got: Vec<RGBColor> = d.bands.iter().map(|b| b.colour).collect();
    assert_eq!(
        got,
        [
            geosim::charts::theme::regime(0, 2),
            geosim::charts::theme::regime(1, 2)
        ]
    );
    // A colour that is not #rrggbb: a located error, exit 2.
    let spec = write(
        "bad.toml",
        "{ name = \"detente\", max = 0.5, color = \"blue\" },\n{ name = \"crisis\" }",
    );
    geosim(tmp.path(), &["check", &spec]).fails(
        2,
        &[
            "bad.toml:17:40:",
            "band `detente`: color `blue` is not a colour of the form \"#rrggbb\"",
            "e.g. color = \"#4477aa\"",
        ],
    );
}
