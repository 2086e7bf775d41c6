//! Streamed ensemble statistics against a brute-force computation over the
//! same runs, and their independence from the thread count.

use geosim::engine::{self, Workspace, ensemble};
use geosim::scenario;
use geosim::stats::BINS;

fn fixture() -> geosim::model::Model {
    scenario::load("tests/fixtures/small.toml", &[])
        .expect("fixture loads")
        .model
}

#[test]
fn streamed_statistics_match_brute_force() {
    let m = fixture();
    let runs = 300; // several blocks, the last one partial
    let seed = 11;
    let stats = ensemble::run_ensemble(&m, runs, seed, 3, &|_| {}).unwrap();
    let ns = m.n_sources();
    let mut all: Vec<Vec<f64>> = Vec::new();
    let mut ws = Workspace::new(&m);
    for r in 0..runs {
        engine::stochastic_run(&m, &mut ws, seed, r);
        all.push(ws.trajectory.clone());
    }
    assert_eq!(stats.runs(), runs);
    for t in [0, 5, 17, m.months() - 1] {
        for s in 0..ns {
            let mut xs: Vec<f64> = all.iter().map(|tr| tr[t * ns + s]).collect();
            let n = xs.len() as f64;
            let mean = xs.iter().sum::<f64>() / n;
            let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            assert!((stats.mean(t, s) - mean).abs() < 1e-12, "mean t={t} s={s}");
            assert!(
                (stats.sd(t, s) - sd).abs() < 1e-12,
                "sd t={t} s={s}: {} vs {sd}",
                stats.sd(t, s)
            );
            xs.sort_by(f64::total_cmp);
            let (lo, hi) = m.source_bounds(s);
            let tol = (hi - lo) / BINS as f64 + 1e-12;
            for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
                let got = stats.quantile(t, s, q);
                // Between the order statistics around rank q·n, give or take a bin.
                let k = (q * n).floor() as usize;
                let (a, b) = (xs[k.saturating_sub(1)], xs[k.min(xs.len() - 1)]);
                assert!(
                    got >= a - tol && got <= b + tol,
                    "q={q} t={t} s={s}: {got} not in [{a}, {b}] ± {tol}"
                );
            }
        }
    }
    // Regime shares against direct counting.
    let reg = m.regimes.as_ref().unwrap();
    let var = reg.variable.0;
    for t in [0, 20, m.months() - 1] {
        let shares = stats.regime_shares(t);
        for (b, share) in shares.iter().enumerate() {
            let count = all
                .iter()
                .filter(|tr| reg.band_of(tr[t * ns + var]) == b)
                .count();
            assert!((share - count as f64 / runs as f64).abs() < 1e-12);
        }
    }
    let ever = stats.ever_shares();
    for (b, share) in ever.iter().enumerate() {
        let count = all
            .iter()
            .filter(|tr| (0..m.months()).any(|t| reg.band_of(tr[t * ns + var]) == b))
            .count();
        assert!((share - count as f64 / runs as f64).abs() < 1e-12);
    }
}

#[test]
fn statistics_do_not_depend_on_the_thread_count() {
    let m = fixture();
    let a = ensemble::run_ensemble(&m, 500, 5, 1, &|_| {}).unwrap();
    let b = ensemble::run_ensemble(&m, 500, 5, 2, &|_| {}).unwrap();
    let c = ensemble::run_ensemble(&m, 500, 5, 7, &|_| {}).unwrap();
    for other in [&b, &c] {
        assert_eq!(
            a.moments
                .mean
                .iter()
                .map(|x| x.to_bits())
                .collect::<Vec<_>>(),
            other
                .moments
                .mean
                .iter()
                .map(|x| x.to_bits())
                .collect::<Vec<_>>()
        );
        assert_eq!(
            a.moments.m2.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            other
                .moments
                .m2
                .iter()
                .map(|x| x.to_bits())
                .collect::<Vec<_>>()
        );
        assert_eq!(a.dist.counts, other.dist.counts);
        assert_eq!(a.dist.regime_counts, other.dist.regime_counts);
    }
    let d = ensemble::run_ensemble(&m, 500, 6, 2, &|_| {}).unwrap();
    assert_ne!(
        a.moments.mean, d.moments.mean,
        "another seed gives other results"
    );
}

#[test]
fn progress_reports_every_run_once() {
    let m = fixture();
    let seen = std::sync::atomic::AtomicU64::new(0);
    ensemble::run_ensemble(&m, 333, 1, 2, &|n| {
        seen.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(seen.into_inner(), 333);
}
