//! Analyses against known answers: Sobol indices of additive and
//! interacting functions, Morris on an input without effect, OAT swings,
//! explain's attributions adding up, feedback loops and the Jacobian.

use geosim::analysis::evaluate::Plan;
use geosim::analysis::metric::Metric;
use geosim::analysis::objective::{FnObjective, ModelObjective, Objective};
use geosim::analysis::{explain, morris, oat, params, report, sobol, sweep};
use geosim::model::VarId;
use geosim::scenario;

#[test]
fn sobol_additive_model_has_squared_weight_shares() {
    let a = [1.0, 2.0, 3.0];
    let obj = FnObjective {
        k: 3,
        f: |x: &[f64]| a.iter().zip(x).map(|(a, x)| a * x).sum(),
    };
    let r = sobol::sobol(&obj, 8192, 1);
    let total: f64 = a.iter().map(|a| a * a).sum();
    for row in &r.rows {
        let expected = a[row.input].powi(2) / total;
        assert!(
            (row.first - expected).abs() < 0.03,
            "S{}: {} vs {expected}",
            row.input,
            row.first
        );
        assert!(
            (row.total - expected).abs() < 0.03,
            "ST{}: {} vs {expected}",
            row.input,
            row.total
        );
        assert!(row.first_ci.0 <= row.first && row.first <= row.first_ci.1);
        assert!(
            row.total_ci.0 <= expected + 0.01 && expected - 0.01 <= row.total_ci.1,
            "CI {:?} misses {expected}",
            row.total_ci
        );
    }
    assert_eq!(r.evaluations, 8192 * 5);
}

#[test]
fn sobol_interaction_raises_total_over_first_order() {
    // Y = X1 + X2 + X1·X2, X uniform on [-1, 1]: S1 = 3/7, ST1 = 4/7, X3 inert.
    let obj = FnObjective {
        k: 3,
        f: |u: &[f64]| {
            let (x1, x2) = (2.0 * u[0] - 1.0, 2.0 * u[1] - 1.0);
            x1 + x2 + x1 * x2
        },
    };
    let r = sobol::sobol(&obj, 16384, 2);
    for i in 0..2 {
        assert!(
            (r.rows[i].first - 3.0 / 7.0).abs() < 0.03,
            "S{i} = {}",
            r.rows[i].first
        );
        assert!(
            (r.rows[i].total - 4.0 / 7.0).abs() < 0.03,
            "ST{i} = {}",
            r.rows[i].total
        );
        assert!((r.rows[i].total - r.rows[i].first - 1.0 / 7.0).abs() < 0.04);
    }
    assert!(r.rows[2].total.abs() < 1e-12 && r.rows[2].first.abs() < 0.01);
}

#[test]
fn morris_gives_zero_for_an_input_without_effect() {
    let obj = FnObjective {
        k: 3,
        f: |x: &[f64]| 3.0 * x[0] + x[2] * x[2],
    };
    let rows = morris::morris(&obj, 40, 3);
    assert_eq!(rows[1].mu_star, 0.0);
    assert_eq!(rows[1].sigma, 0.0);
    assert!(
        (rows[0].mu_star - 3.0).abs() < 1e-9,
        "linear input: every effect is 3"
    );
    assert!(rows[0].sigma < 1e-9);
    assert!(
        rows[2].mu_star > 0.5 && rows[2].sigma > 0.0,
        "a quadratic input has varying effects"
    );
}

#[test]
fn oat_ranks_by_swing() {
    let obj = FnObjective {
        k: 3,
        f: |x: &[f64]| x[0] - 4.0 * x[1] + 0.5 * x[2],
    };
    let (centre, rows) = oat::oat(&obj, &[0.5, 0.5, 0.5]);
    assert!((centre - (0.5 - 2.0 + 0.25)).abs() < 1e-12);
    let order: Vec<usize> = rows.iter().map(|r| r.input).collect();
    assert_eq!(order, [1, 0, 2]);
    assert!((rows[0].swing - 4.0).abs() < 1e-12);
    assert!((rows[0].at_high - rows[0].at_low + 4.0).abs() < 1e-12);
}

fn small() -> geosim::model::Model {
    scenario::load("tests/fixtures/small.toml", &[])
        .unwrap()
        .model
}

#[test]
fn explain_attributions_add_up_to_the_change() {
    for spec in ["tests/fixtures/small.toml", "baseline"] {
        let m = scenario::load(spec, &[]).unwrap().model;
        for v in 0..m.n_vars() {
            for (from, to) in [(0, m.months() - 1), (3, 20)] {
                let e = explain::explain(&m, VarId(v), from, to);
                let sum: f64 = e.terms.iter().map(|t| t.total()).sum();
                assert!(
                    (sum - e.actual_change()).abs() < 1e-9,
                    "{spec} var {v}: {sum} vs {}",
                    e.actual_change()
                );
                for k in 0..(to - from) {
                    let month: f64 = e.terms.iter().map(|t| t.monthly[k]).sum();
                    assert!((month - (e.state[k + 1] - e.state[k])).abs() < 1e-12);
                }
            }
        }
    }
}

#[test]
fn explain_splits_a_linear_model_by_hand() {
    // x(t+1) = x + 0.5 (0.1 + 0.4·u − x); u steps from 0 to 1 at month 2.
    // x: 0, 0.05, 0.075, 0.2875, 0.39375. Pushes of u: 0, 0, 0.2, 0.2, each
    // fading by half a month: 0.2·0.5 + 0.2 = 0.3 left at month 4. The gap to
    // the start target 0.1 closes by (1 − 0.5⁴)·0.1 = 0.09375. The bias gets 0.
    let text = "name=\"t\"\n[time]\nstart=\"2020-01\"\nend=\"2020-06\"\n[variables.x]\ninitial=0\nrate=0.5\nbias=0.1\n[drivers.u]\ninterpolation=\"step\"\npoints=[[\"2020-01\",0.0],[\"2020-03\",1.0]]\n[influences]\n\"u -> x\"={weight=0.4}\n";
    let m = scenario::load_text("t.toml", text, &[]).unwrap().model;
    let e = explain::explain(&m, VarId(0), 0, 4);
    let term = |n: &str| e.terms.iter().find(|t| t.name == n).unwrap();
    assert_eq!(term("bias").total(), 0.0);
    assert!(
        (term("u -> x").total() - 0.3).abs() < 1e-12,
        "{}",
        term("u -> x").total()
    );
    let u_monthly = &term("u -> x").monthly;
    assert!((u_monthly[2] - 0.2).abs() < 1e-12 && (u_monthly[3] - 0.1).abs() < 1e-12);
    assert!((term(explain::GAP_TERM).total() - 0.09375).abs() < 1e-12);
    assert!(term(explain::CLAMP_TERM).total().abs() < 1e-12);
    assert!((e.actual_change() - 0.39375).abs() < 1e-12);
}

#[test]
fn explain_credits_jumps_and_clamping() {
    // rate 0.5 toward 0.9; a +0.5 jump in 2020-03 overshoots max 1 and is clamped.
    let text = "name=\"t\"\n[time]\nstart=\"2020-01\"\nend=\"2020-06\"\n[variables.x]\ninitial=0.8\nrate=0.5\nbias=0.9\n[[events]]\nname=\"kick\"\ndate=\"2020-03\"\njump={x=0.5}\n";
    let m = scenario::load_text("t.toml", text, &[]).unwrap().model;
    let e = explain::explain(&m, VarId(0), 0, 5);
    let term = |n: &str| e.terms.iter().find(|t| t.name == n).unwrap();
    assert!(
        term("jump: kick").monthly[1] == 0.5,
        "the jump lands in the month it is dated"
    );
    // x: 0.8, 0.85, then 0.85 + 0.025 + 0.5 = 1.375 clamped to 1: −0.375 that month.
    assert!((term(explain::CLAMP_TERM).monthly[1] + 0.375).abs() < 1e-12);
    // Both fade with the goal seeking afterwards: half of each is left a month later.
    assert!((term("jump: kick").monthly[2] + 0.25).abs() < 1e-12);
    assert!((term(explain::CLAMP_TERM).monthly[2] - 0.1875).abs() < 1e-12);
    let sum: f64 = e.terms.iter().map(|t| t.total()).sum();
    assert!((sum - e.actual_change()).abs() < 1e-12);
}

#[test]
fn report_finds_the_feedback_loop_and_settles() {
    let m = small();
    let r = report::report(&m);
    assert_eq!(r.loops.len(), 1);
    let l = &r.loops[0];
    assert_eq!(l.path, vec![0, 1]);
    assert!((l.gain - (-0.5 * 1.0)).abs() < 1e-12);
    assert_eq!(l.delay, 3);
    assert_eq!(l.polarity(), "balancing");
    assert!(r.spectral_radius < 1.0);
    assert_eq!(r.cited_influences, (1, 4));
    assert!(r.idle_sources.is_empty(), "{:?}", r.idle_sources);
}

#[test]
fn jacobian_of_a_single_goal_seeker_is_one_minus_rate() {
    let text = "name=\"t\"\n[time]\nstart=\"2020-01\"\nend=\"2020-04\"\n[variables.x]\ninitial=0\nrate=0.3\n[variables.y]\ninitial=0\nrate=0.5\n[influences]\n\"x -> y\"={weight=2}\n";
    let m = scenario::load_text("t.toml", text, &[]).unwrap().model;
    let r = report::report(&m);
    assert!((r.jacobian[(0, 0)] - 0.7).abs() < 1e-12);
    assert!((r.jacobian[(1, 1)] - 0.5).abs() < 1e-12);
    assert!((r.jacobian[(1, 0)] - 1.0).abs() < 1e-12);
    assert!((r.spectral_radius - 0.7).abs() < 1e-9);
    assert!(r.verdict.starts_with("settles"));
    assert!(r.loops.is_empty());
    assert_eq!(r.idle_sources, vec!["y".to_string()]);
}

#[test]
fn model_objective_matches_a_direct_run() {
    let m = small();
    let (metric, _) = Metric::parse("alignment@2022-12", &m).unwrap();
    let ps = params::select(&m, &["variables.alignment.bias".into()], 0.25);
    assert_eq!(ps.len(), 1);
    assert!((ps[0].lo - 0.075).abs() < 1e-15 && (ps[0].hi - 0.125).abs() < 1e-15);
    let (lo, hi) = (ps[0].lo, ps[0].hi);
    let obj = ModelObjective::new(&m, metric.clone(), ps, Plan::Deterministic).unwrap();
    let y = obj.eval_batch(&[0.0, 1.0]);
    let direct = |b: f64| {
        let s = scenario::load(
            "tests/fixtures/small.toml",
            &[format!("variables.alignment.bias={b}")],
        )
        .unwrap()
        .model;
        let mut ws = geosim::engine::Workspace::new(&s);
        geosim::engine::deterministic(&s, &mut ws);
        metric.of(&s, &ws.trajectory)
    };
    assert_eq!(y[0], direct(lo));
    assert_eq!(y[1], direct(hi));
}

#[test]
fn metrics_parse_and_refuse() {
    let m = small();
    assert!(matches!(
        Metric::parse("mean:tension@2021-01..2021-06", &m)
            .unwrap()
            .0,
        Metric::Mean {
            series: 1,
            from: 12,
            to: 17
        }
    ));
    assert!(matches!(
        Metric::parse("share:warm@2022-12", &m).unwrap().0,
        Metric::Share { band: 2, month: 35 }
    ));
    assert!(
        Metric::parse("alignment@2031-01", &m)
            .unwrap_err()
            .contains("outside")
    );
    assert!(
        Metric::parse("trust@2021-01", &m)
            .unwrap_err()
            .contains("known")
    );
    assert!(
        Metric::parse("share:hot@2021-01", &m)
            .unwrap_err()
            .contains("bands")
    );
    assert!(Metric::parse("alignment", &m).is_err());
}

#[test]
fn sweep_follows_the_closed_form() {
    // Final value of a goal seeker: b + (x0 − b)(1 − r)^t, linear in the bias b.
    let text = "name=\"t\"\n[time]\nstart=\"2020-01\"\nend=\"2020-07\"\n[variables.x]\ninitial=0\nrate=0.2\nbias=0.5\n";
    let m = scenario::load_text("t.toml", text, &[]).unwrap().model;
    let axis = sweep::parse_axis("variables.x.bias=0.1:0.9:5", &m).unwrap();
    let (metric, _) = Metric::parse("x@2020-07", &m).unwrap();
    let pts = sweep::sweep(&m, &metric, &[axis], Plan::Deterministic).unwrap();
    assert_eq!(pts.len(), 5);
    for p in &pts {
        let b = p.at[0];
        let expected = b * (1.0 - 0.8f64.powi(6));
        assert!((p.mean - expected).abs() < 1e-12 && p.p05 == p.mean && p.p95 == p.mean);
    }
    let refused = "variables.x.rate = 1.5 is outside its allowed range: it must be in (0, 1]";
    assert_eq!(
        sweep::parse_axis("variables.x.rate=0.5:1.5:3", &m).unwrap_err(),
        refused
    );
    // The sweep itself refuses such an axis too, however it was built.
    let mut rate = sweep::parse_axis("variables.x.rate=0.5:1:3", &m).unwrap();
    rate.values[2] = 1.5;
    let err = sweep::sweep(&m, &metric, &[rate], Plan::Deterministic).unwrap_err();
    assert_eq!(err, refused);
    assert!(
        sweep::parse_axis("variables.x.rat=0.1:0.5:3", &m)
            .unwrap_err()
            .contains("did you mean")
    );
}
