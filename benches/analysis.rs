//! Cost of the analyses on the shipped baseline: `explain` over the whole
//! horizon, and Sobol indices with N = 1,024 base samples over every
//! parameter (about 117,000 deterministic runs). Run with
//! `cargo bench --bench analysis`.

use criterion::{Criterion, criterion_group, criterion_main};
use geosim::analysis::evaluate::{Plan, with_threads};
use geosim::analysis::metric::Metric;
use geosim::analysis::objective::ModelObjective;
use geosim::analysis::{explain, params, sobol};
use geosim::model::VarId;
use geosim::scenario;

fn bench(c: &mut Criterion) {
    let model = scenario::load("baseline", &[])
        .expect("baseline loads")
        .model;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());

    c.bench_function("explain alignment 2020-01..2030-12", |b| {
        b.iter(|| explain::explain(&model, VarId(0), 0, model.months() - 1));
    });

    let mut group = c.benchmark_group("sobol");
    group.sample_size(10);
    group.bench_function(format!("N=1024, every parameter, {threads} threads"), |b| {
        b.iter(|| {
            let params = params::select(&model, &[], 0.25);
            let metric = Metric::default_for(&model).0;
            let obj = ModelObjective::new(&model, metric, params, Plan::Deterministic)
                .expect("the baseline's ranges are allowed");
            with_threads(threads, || sobol::sobol(&obj, 1024, 1)).expect("pool starts")
        });
    });
    group.finish();
}

// No plots: criterion's plotting wants system fonts, which geosim never needs.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
