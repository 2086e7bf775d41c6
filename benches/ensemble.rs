//! Throughput of the engine and the streamed statistics on the shipped
//! baseline (9 variables, 7 drivers, 43 influences, 2 incident processes,
//! 132 months). Run with `cargo bench --bench ensemble`.
//!
//! Target (issue 10): 100,000 runs with statistics in at most 0.5 s of
//! wall time on 2 cores for the whole `geosim run baseline --runs 100000
//! --no-charts` (aim 0.3 s); docs/ARCHITECTURE.md, "Performance", has the
//! latest measurements and profile.

use criterion::{Criterion, criterion_group, criterion_main};
use geosim::engine::{self, Workspace, ensemble};
use geosim::scenario;

fn baseline() -> geosim::model::Model {
    scenario::load("baseline", &[])
        .expect("baseline loads")
        .model
}

fn bench(c: &mut Criterion) {
    let model = baseline();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());

    c.bench_function("deterministic run", |b| {
        let mut ws = Workspace::new(&model);
        b.iter(|| engine::deterministic(&model, &mut ws));
    });
    c.bench_function("one stochastic run", |b| {
        let mut ws = Workspace::new(&model);
        let mut r = 0;
        b.iter(|| {
            engine::stochastic_run(&model, &mut ws, 1, r);
            r += 1;
        });
    });

    let mut group = c.benchmark_group("ensemble with statistics");
    group.sample_size(10);
    for runs in [10_000u64, 100_000] {
        group.bench_function(format!("{runs} runs, {threads} threads"), |b| {
            b.iter(|| {
                ensemble::run_ensemble(&model, runs, 7, threads, &|_| {}).expect("pool starts")
            });
        });
    }
    group.finish();
}

// No plots: criterion's plotting wants system fonts, which geosim never needs.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
