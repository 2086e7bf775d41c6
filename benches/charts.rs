//! Cost of drawing the charts of a baseline run (1,000 runs, every chart
//! the run draws, 1600×900 PNG): all of them as `geosim run` draws them (in
//! parallel on every core), and one fan chart stage by stage. The charts of
//! a run must take less than 0.3 s together on a 2-core machine; the last
//! line printed says whether they do. Run with `cargo bench --bench charts`.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use geosim::charts::{self, Format, Kind, Options, RunInfo, RunSource, Table, render};
use geosim::engine::ensemble;
use geosim::model::VarId;
use geosim::scenario;

/// The budget for all charts of a baseline run.
const TARGET: Duration = Duration::from_millis(300);

fn bench(c: &mut Criterion) {
    let model = scenario::load("baseline", &[])
        .expect("baseline loads")
        .model;
    let runs = model.ensemble.runs;
    let stats = ensemble::run_ensemble(&model, runs, model.ensemble.seed, 2, &|_| {})
        .expect("the baseline runs");
    let table = Table::from_stats(&model, &stats);
    let src = RunSource {
        model: &model,
        table: &table,
        info: RunInfo {
            runs: stats.runs(),
            seed: model.ensemble.seed,
            deterministic: false,
            conditioned: false,
        },
        trajectory: None,
    };
    let kinds = charts::plan(&model, false, None).expect("default charts");
    let opts = Options {
        format: Format::Png,
        size: (1600, 900),
    };
    let dir = tempfile::tempdir().expect("temporary folder");
    let all = || charts::write_run_charts(dir.path(), &src, &kinds, &opts).expect("charts");

    let mut group = c.benchmark_group("baseline charts");
    group.sample_size(10);
    group.bench_function(format!("all {} at 1600x900, PNG", kinds.len()), |b| {
        b.iter(all)
    });
    group.finish();

    let fan = src.build(Kind::Variable(VarId(0))).expect("a fan chart");
    let size = (1600, 900);
    let (source, _) = render::draw_svg(&fan, size).expect("drawn");
    let tree = render::parse(&source).expect("parsed");
    let mut group = c.benchmark_group("one fan chart");
    group.bench_function("draw SVG", |b| b.iter(|| render::draw_svg(&fan, size)));
    group.bench_function("parse, set text", |b| b.iter(|| render::parse(&source)));
    group.bench_function("rasterise", |b| b.iter(|| render::rasterise(&tree, size)));
    let rgb = render::rasterise(&tree, size).expect("rasterised");
    group.bench_function("encode PNG", |b| b.iter(|| render::encode_png(&rgb, size)));
    group.bench_function("write SVG", |b| b.iter(|| render::svg(&tree)));
    group.finish();

    let mut times: Vec<Duration> = (0..7)
        .map(|_| {
            let t = Instant::now();
            all();
            t.elapsed()
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{} charts of a baseline run: median {:.0} ms over 7 rounds, target {:.0} ms: {}",
        kinds.len(),
        median.as_secs_f64() * 1e3,
        TARGET.as_secs_f64() * 1e3,
        if median < TARGET { "met" } else { "MISSED" }
    );
}

// No plots: criterion's plotting wants system fonts, which geosim never needs.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
