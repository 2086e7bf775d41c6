//! Properties of the one monthly rule on randomly generated valid
//! scenarios: `explain`'s terms add up to the engine's trajectory, and the
//! Jacobian of `check`'s report is the derivative of the engine's
//! one-month map.

use geosim::analysis::{explain, report};
use geosim::model::{Model, VarId, rule};
use geosim::scenario;
use proptest::prelude::*;

/// A random scenario: variables with random bounds, rates and responses,
/// drivers, influences with lags, and events with jumps and long-lived
/// pressures (so pressure still acts at the last month).
#[derive(Debug, Clone)]
struct Spec {
    vars: Vec<(f64, f64, f64, f64, bool)>, // min, width, initial share, rate, logistic
    drivers: Vec<(f64, f64)>,              // first and last value
    influences: Vec<(usize, usize, f64, u32)>, // source, target, weight, lag
    events: Vec<(usize, usize, f64, f64, f64)>, // month, variable, jump, pressure, half-life
    biases: Vec<f64>,
    months: usize,
}

fn spec() -> impl Strategy<Value = Spec> {
    (1usize..=4, 0usize..=2, 6usize..=30).prop_flat_map(|(nv, nd, months)| {
        let ns = nv + nd;
        (
            prop::collection::vec(
                (
                    -2.0f64..1.0,
                    0.5f64..3.0,
                    0.0f64..1.0,
                    0.05f64..1.0,
                    any::<bool>(),
                ),
                nv,
            ),
            prop::collection::vec((-1.0f64..1.0, -1.0f64..1.0), nd),
            prop::collection::vec((0..ns, 0..nv, -1.5f64..1.5, 0u32..4), 0..8),
            prop::collection::vec(
                (0..months, 0..nv, -0.5f64..0.5, -1.0f64..1.0, 1.0f64..40.0),
                0..4,
            ),
            prop::collection::vec(-1.0f64..1.0, nv),
            Just(months),
        )
            .prop_map(|(vars, drivers, influences, events, biases, months)| Spec {
                vars,
                drivers,
                influences,
                events,
                biases,
                months,
            })
    })
}

fn name(i: usize, nv: usize) -> String {
    if i < nv {
        format!("v{i}")
    } else {
        format!("d{}", i - nv)
    }
}

fn toml_text(s: &Spec) -> String {
    let nv = s.vars.len();
    let end = 2020 * 12 + s.months - 1;
    let mut t = format!(
        "name = \"p\"\n[time]\nstart = \"2020-01\"\nend = \"{:04}-{:02}\"\n",
        end / 12,
        end % 12 + 1
    );
    for (i, (min, width, share, rate, logistic)) in s.vars.iter().enumerate() {
        t += &format!(
            "[variables.v{i}]\nmin = {min:?}\nmax = {:?}\ninitial = {:?}\nrate = {rate:?}\nbias = {:?}\nresponse = \"{}\"\n",
            min + width,
            min + width * share,
            s.biases[i],
            if *logistic { "logistic" } else { "linear" }
        );
    }
    for (k, (a, b)) in s.drivers.iter().enumerate() {
        t += &format!(
            "[drivers.d{k}]\nmin = -1\nmax = 1\npoints = [[\"2020-01\", {a:?}], [\"{:04}-{:02}\", {b:?}]]\n",
            end / 12,
            end % 12 + 1
        );
    }
    t += "[influences]\n";
    let mut seen = std::collections::HashSet::new();
    for (src, tgt, w, lag) in &s.influences {
        if seen.insert((*src, *tgt)) {
            t += &format!(
                "\"{} -> v{tgt}\" = {{ weight = {w:?}, lag = {lag} }}\n",
                name(*src, nv)
            );
        }
    }
    for (k, (month, var, jump, pressure, half)) in s.events.iter().enumerate() {
        let m = 2020 * 12 + month;
        t += &format!(
            "[[events]]\nname = \"e{k}\"\ndate = \"{:04}-{:02}\"\njump = {{ v{var} = {jump:?} }}\npressure = {{ v{var} = {pressure:?} }}\nhalf_life = {half:?}\n",
            m / 12,
            m % 12 + 1
        );
    }
    t
}

fn model(s: &Spec) -> Model {
    let text = toml_text(s);
    match scenario::load_text("p.toml", &text, &[]) {
        Ok(sc) => sc.model,
        Err(e) => panic!("generated scenario is invalid: {e:?}\n{text}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn explain_terms_add_up_to_the_engine_trajectory(s in spec()) {
        let m = model(&s);
        let mut ws = geosim::engine::Workspace::new(&m);
        geosim::engine::deterministic(&m, &mut ws);
        let ns = m.n_sources();
        let last = m.months() - 1;
        for v in 0..m.n_vars() {
            for (from, to) in [(0, last), (last / 3, last)] {
                if from >= to {
                    continue;
                }
                let e = explain::explain(&m, VarId(v), from, to);
                // Where the bounds never bind, nothing is left for the
                // clamping term: the other terms explain every month alone.
                let (lo, hi) = (m.variables[v].min, m.variables[v].max);
                let inside = (from..=to).all(|t| {
                    let x = ws.trajectory[t * ns + v];
                    x > lo && x < hi
                });
                if inside {
                    let clamp = e.terms.iter().find(|t| t.name == explain::CLAMP_TERM).unwrap();
                    prop_assert!(
                        clamp.monthly.iter().all(|c| c.abs() < 1e-9),
                        "v{v} never touches its bounds, yet clamping is credited {:?}", clamp.monthly
                    );
                }
                let mut level = ws.trajectory[from * ns + v];
                for k in 0..(to - from) {
                    level += e.terms.iter().map(|t| t.monthly[k]).sum::<f64>();
                    let engine = ws.trajectory[(from + k + 1) * ns + v];
                    prop_assert!(
                        (level - engine).abs() <= 1e-9 * engine.abs().max(1.0),
                        "v{v}, month {}: terms reach {level}, the engine {engine}", from + k + 1
                    );
                }
            }
        }
    }

    #[test]
    fn the_reported_jacobian_is_the_derivative_of_the_one_month_map(s in spec()) {
        let m = model(&s);
        let (jac, (state, pressure)) = report::jacobian(&m);
        let params = m.central_params();
        let nv = m.n_vars();
        let step = |x: &[f64]| {
            let mut next = vec![0.0; nv];
            rule::quasi_steady_step(&m, &params, x, &pressure, &mut next);
            next
        };
        for j in 0..nv {
            let h = 1e-6;
            let (mut up, mut down) = (state.clone(), state.clone());
            up[j] += h;
            down[j] -= h;
            let (fu, fd) = (step(&up), step(&down));
            for i in 0..nv {
                let fd_ij = (fu[i] - fd[i]) / (2.0 * h);
                prop_assert!(
                    (fd_ij - jac[(i, j)]).abs() <= 1e-5 * (1.0 + jac[(i, j)].abs()),
                    "J[{i}][{j}]: reported {}, finite differences {fd_ij}", jac[(i, j)]
                );
            }
        }
    }
}

/// The property above would catch a Jacobian that leaves the pressure out
/// of a logistic target's slope: here pressure alone sets the slope.
#[test]
fn the_jacobian_counts_the_pressure_acting_at_the_end() {
    let text = "name=\"t\"\n[time]\nstart=\"2020-01\"\nend=\"2020-06\"\n[variables.x]\ninitial=0.5\nrate=0.5\nresponse=\"logistic\"\n[variables.y]\ninitial=0.5\nrate=0.5\n[influences]\n\"y -> x\"={weight=1}\n[[events]]\nname=\"push\"\ndate=\"2020-05\"\npressure={x=3}\nhalf_life=100\n";
    let m = scenario::load_text("t.toml", text, &[]).unwrap().model;
    let (jac, (state, pressure)) = report::jacobian(&m);
    assert!(pressure.iter().any(|p| *p > 2.9), "{pressure:?}");
    // s = y + pressure; slope = σ(s)(1 − σ(s)) on a 0..1 logistic.
    let s = state[1] + pressure.iter().sum::<f64>();
    let sig = 1.0 / (1.0 + (-s).exp());
    assert!((jac[(0, 1)] - 0.5 * sig * (1.0 - sig)).abs() < 1e-12);
}
