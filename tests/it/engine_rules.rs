//! Each rule of docs/FORMAT.md's monthly update rule against values computed by hand.

use geosim::engine::{self, Workspace, ensemble};
use geosim::model::Model;
use geosim::scenario;

fn model(body: &str) -> Model {
    let text = format!("name = \"t\"\n[time]\nstart = \"2020-01\"\nend = \"2021-12\"\n{body}");
    match scenario::load_text("test.toml", &text, &[]) {
        Ok(s) => s.model,
        Err(e) => panic!("fixture does not load: {e:?}"),
    }
}

/// Deterministic trajectory of series `s`.
fn det(m: &Model, s: usize) -> Vec<f64> {
    let mut ws = Workspace::new(m);
    engine::deterministic(m, &mut ws);
    (0..m.months()).map(|t| ws.value(m, t, s)).collect()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn first_order_goal_seeking_matches_closed_form() {
    let m = model("[variables.x]\ninitial = 0.9\nrate = 0.12\nbias = 0.3\n");
    let x = det(&m, 0);
    for (t, v) in x.iter().enumerate() {
        let expected = 0.3 + (0.9 - 0.3) * (1.0f64 - 0.12).powi(t as i32);
        assert!(close(*v, expected, 1e-12), "t={t}: {v} vs {expected}");
    }
}

#[test]
fn lagged_influence_sees_the_source_lag_months_earlier() {
    // rate 1: x(t+1) = s(t) = u(t - 2), and u steps from 0 to 1 at month 5.
    let m = model(
        "[variables.x]\ninitial = 0\nrate = 1\n[drivers.u]\ninterpolation = \"step\"\npoints = [[\"2020-01\", 0.0], [\"2020-06\", 1.0]]\n[influences]\n\"u -> x\" = { weight = 0.5, lag = 2 }\n",
    );
    let x = det(&m, 0);
    for (t, v) in x.iter().enumerate().skip(1) {
        let u_lagged = if t as i64 - 3 >= 5 { 1.0 } else { 0.0 };
        assert!(close(*v, 0.5 * u_lagged, 1e-12), "t={t}: {v}");
    }
    assert_eq!(x[7], 0.0);
    assert_eq!(x[8], 0.5);
}

#[test]
fn lag_before_start_uses_the_initial_value() {
    // v_j(t) = v_j(0) for t < 0: y starts at 0.8, x reads y with lag 6.
    let m = model(
        "[variables.y]\ninitial = 0.8\nrate = 1\n[variables.x]\ninitial = 0\nrate = 1\n[influences]\n\"y -> x\" = { weight = 1.0, lag = 6 }\n",
    );
    let x = det(&m, 1);
    for (t, v) in x.iter().enumerate().take(7).skip(1) {
        assert!(close(*v, 0.8, 1e-12), "t={t}: {v}");
    }
    assert!(close(x[8], 0.0, 1e-12));
}

#[test]
fn linear_and_step_driver_paths() {
    let m = model(
        "[variables.x]\ninitial = 0\nrate = 1\n[drivers.a]\npoints = [[\"2020-03\", 0.2], [\"2020-07\", 0.6]]\n[drivers.b]\ninterpolation = \"step\"\npoints = [[\"2020-03\", 0.2], [\"2020-07\", 0.6]]\n",
    );
    let a = det(&m, 1);
    let b = det(&m, 2);
    let expect_a = [0.2, 0.2, 0.2, 0.3, 0.4, 0.5, 0.6, 0.6];
    let expect_b = [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.6, 0.6];
    for t in 0..8 {
        assert!(close(a[t], expect_a[t], 1e-12), "linear t={t}: {}", a[t]);
        assert!(close(b[t], expect_b[t], 1e-12), "step t={t}: {}", b[t]);
    }
}

#[test]
fn driver_offset_and_clamp() {
    let m = model(
        "[variables.x]\ninitial = 0\nrate = 1\n[drivers.a]\nmax = 0.5\npoints = [[\"2020-01\", 0.2], [\"2020-11\", 1.2]]\noffset = 0.1\n",
    );
    let a = det(&m, 1);
    assert!(close(a[0], 0.3, 1e-12));
    assert!(close(a[1], 0.4, 1e-12));
    assert!(close(a[3], 0.5, 1e-12), "clamped to max: {}", a[3]);
}

#[test]
fn event_pressure_decays_with_its_half_life() {
    // rate 1, bias 0: x(t+1) = P(t) = p * 0.5^((t - te) / h) for t >= te.
    let m = model(
        "[variables.x]\ninitial = 0\nrate = 1\nmin = -1\n[[events]]\nname = \"e\"\ndate = \"2020-04\"\npressure = { x = 0.8 }\nhalf_life = 3\n",
    );
    let x = det(&m, 0);
    for t in 0..m.months() - 1 {
        let expected = if t >= 3 {
            0.8 * 0.5f64.powf((t - 3) as f64 / 3.0)
        } else {
            0.0
        };
        assert!(
            close(x[t + 1], expected, 1e-12),
            "t={t}: {} vs {expected}",
            x[t + 1]
        );
    }
}

#[test]
fn event_jump_lands_on_its_month_and_is_clamped() {
    let m = model(
        "[variables.x]\ninitial = 0.5\nrate = 0.5\nbias = 0.5\n[[events]]\nname = \"up\"\ndate = \"2020-06\"\njump = { x = 0.2 }\n[[events]]\nname = \"over\"\ndate = \"2021-01\"\njump = { x = 5.0 }\n[[events]]\nname = \"at start\"\ndate = \"2020-01\"\njump = { x = -0.1 }\n",
    );
    let x = det(&m, 0);
    assert!(
        close(x[0], 0.4, 1e-12),
        "jump at month 0 applies to the initial value"
    );
    let before = x[4];
    let expected = before + 0.5 * (0.5 - before) + 0.2;
    assert!(close(x[5], expected, 1e-12), "{} vs {expected}", x[5]);
    assert_eq!(x[12], 1.0, "a jump past max is clamped");
}

#[test]
fn logistic_response_maps_the_signal_into_the_bounds() {
    let m = model(
        "[variables.x]\nmin = -1\nmax = 1\ninitial = 0\nrate = 1\nbias = 0.7\nresponse = \"logistic\"\n",
    );
    let x = det(&m, 0);
    let expected = -1.0 + 2.0 / (1.0 + (-0.7f64).exp());
    assert!(close(x[1], expected, 1e-12));
    // A linear target far beyond max is clamped.
    let m = model("[variables.x]\ninitial = 0\nrate = 1\nbias = 3\n");
    assert_eq!(det(&m, 0)[1], 1.0);
}

#[test]
fn influences_add_up_in_the_signal() {
    let m = model(
        "[variables.x]\ninitial = 0\nrate = 1\nbias = 0.1\nmin = -5\nmax = 5\n[drivers.a]\npoints = [[\"2020-01\", 0.5]]\n[drivers.b]\npoints = [[\"2020-01\", 0.25]]\n[influences]\n\"a -> x\" = { weight = 2 }\n\"b -> x\" = { weight = -4 }\n",
    );
    assert!(close(det(&m, 0)[1], 0.1 + 2.0 * 0.5 - 4.0 * 0.25, 1e-12));
}

#[test]
fn deterministic_mode_uses_central_values() {
    let m = model(
        "[variables.x]\ninitial = { dist = \"uniform\", min = 0.2, max = 0.4 }\nrate = { dist = \"triangular\", min = 0.1, mode = 0.5, max = 0.9 }\nbias = { dist = \"normal\", mean = 0.7, sd = 0.2 }\nnoise = 0.3\n",
    );
    let x = det(&m, 0);
    assert!(close(x[0], 0.3, 1e-12));
    assert!(close(x[1], 0.3 + 0.5 * (0.7 - 0.3), 1e-12));
}

#[test]
fn incident_counts_match_the_poisson_expectation() {
    // A counter that never decays: its final value is the number of incidents.
    let m = model(
        "[variables.n]\ninitial = 0\nrate = 1e-9\nmax = 1000\n[drivers.k]\npoints = [[\"2020-01\", 0.5]]\n[[incidents]]\nname = \"i\"\nbase_rate = 0.3\nrate_by = { k = 1.2 }\njump = { n = 1.0 }\nstart = \"2020-06\"\nend = \"2021-05\"\n",
    );
    let runs = 4000;
    let stats = ensemble::run_ensemble(&m, runs, 7, 2, &|_| {}).unwrap();
    let lambda = 0.3 * (1.2f64 * 0.5).exp();
    let expected = lambda * 12.0; // months 2020-06 … 2021-05
    let mean = stats.mean(m.months() - 1, 0);
    let se = (expected / runs as f64).sqrt();
    assert!(
        (mean - expected).abs() < 4.0 * se,
        "mean {mean} vs {expected} (se {se})"
    );
    // Poisson: variance equals the mean.
    let var = stats.sd(m.months() - 1, 0).powi(2);
    assert!(
        (var / expected - 1.0).abs() < 0.1,
        "variance {var} vs {expected}"
    );
    // Before the window, nothing happens.
    assert_eq!(stats.mean(4, 0), 0.0);
}

#[test]
fn incident_rate_rises_with_the_state() {
    let body = |k: f64| {
        format!(
            "[variables.n]\ninitial = 0\nrate = 1e-9\nmax = 1000\n[variables.tension]\ninitial = 0.8\nrate = 1e-9\nbias = 0.8\n[[incidents]]\nname = \"i\"\nbase_rate = 0.1\nrate_by = {{ tension = {k} }}\njump = {{ n = 1.0 }}\n"
        )
    };
    let low = model(&body(0.0));
    let high = model(&body(2.0));
    let s_low = ensemble::run_ensemble(&low, 2000, 1, 2, &|_| {}).unwrap();
    let s_high = ensemble::run_ensemble(&high, 2000, 1, 2, &|_| {}).unwrap();
    let last = low.months() - 1;
    let ratio = s_high.mean(last, 0) / s_low.mean(last, 0);
    let expected = (2.0f64 * 0.8).exp();
    assert!(
        (ratio / expected - 1.0).abs() < 0.1,
        "ratio {ratio} vs {expected}"
    );
}

#[test]
fn noise_has_the_configured_sd() {
    // rate 1 and bias 0: x(t+1) = noise * eps, so x is N(0, 0.1²) each month.
    let m = model("[variables.x]\nmin = -1\ninitial = 0\nrate = 1\nnoise = 0.1\n");
    let s = ensemble::run_ensemble(&m, 5000, 3, 2, &|_| {}).unwrap();
    for t in [1, 10, 23] {
        assert!((s.sd(t, 0) - 0.1).abs() < 0.005, "t={t}: sd {}", s.sd(t, 0));
        assert!(s.mean(t, 0).abs() < 0.006);
    }
}

#[test]
fn events_before_the_start_still_press() {
    // The monthly update rule (FORMAT.md) sums pressure over every event with t_e <= t, so an event
    // two months before the start presses with 0.5^(2/6) at month 0.
    let text = "name = \"t\"\n[time]\nstart = \"2020-03\"\nend = \"2020-06\"\n[variables.a]\nmin = -10\nmax = 10\ninitial = 0\nrate = 1\n[[events]]\nname = \"early\"\ndate = \"2020-01\"\npressure = { a = 1.0 }\njump = { a = 5.0 }\nhalf_life = 6\n";
    let m = scenario::load_text("t.toml", text, &[]).unwrap().model;
    let x = det(&m, 0);
    assert_eq!(x[0], 0.0, "the early jump happened before the horizon");
    assert!(close(x[1], 0.5f64.powf(2.0 / 6.0), 1e-12), "{}", x[1]);
    assert!(close(x[2], 0.5f64.powf(3.0 / 6.0), 1e-12), "{}", x[2]);
}

/// Every stochastic run's trajectory of series `s` (runs 0..n, seed 5).
fn runs(m: &Model, s: usize, n: u64) -> Vec<Vec<f64>> {
    let mut ws = Workspace::new(m);
    (0..n)
        .map(|r| {
            engine::stochastic_run(m, &mut ws, 5, r);
            (0..m.months()).map(|t| ws.value(m, t, s)).collect()
        })
        .collect()
}

#[test]
fn an_equilibrium_bias_holds_every_run_at_its_initial_state_until_something_moves() {
    // x is pulled by a driver that steps at 2021-01; its rate and weight
    // are uncertain, so every run has a different equilibrium bias.
    for response in ["linear", "logistic"] {
        let m = model(&format!(
            "[variables.x]\ninitial = 0.3\nrate = {{ dist = \"uniform\", min = 0.1, max = 0.5 }}\nbias = \"equilibrium\"\nresponse = \"{response}\"\n\
             [variables.y]\ninitial = 0.6\nrate = 0.2\nbias = \"equilibrium\"\n\
             [drivers.d]\ninterpolation = \"step\"\npoints = [[\"2020-01\", 0.5], [\"2021-01\", 0.9]]\n\
             [influences]\n\"d -> x\" = {{ weight = {{ dist = \"normal\", mean = 0.8, sd = 0.3 }} }}\n\"x -> y\" = {{ weight = -0.5, lag = 3 }}\n"
        ));
        assert!(m.variables.iter().all(|v| v.equilibrium));
        for (label, s) in [("x", 0), ("y", 1)] {
            let initial = [0.3, 0.6][s];
            for run in runs(&m, s, 40) {
                for v in &run[..13] {
                    assert!(close(*v, initial, 1e-12), "{response} {label}: {run:?}");
                }
                if s == 0 {
                    assert!(
                        run[14] > initial + 1e-3,
                        "the driver's step moves x: {run:?}"
                    );
                }
            }
        }
        // The deterministic run records the bias it computed: x0 - w d0 for a
        // linear response, logit(x0) - w d0 for a logistic one on [0, 1].
        let mut ws = Workspace::new(&m);
        engine::deterministic(&m, &mut ws);
        let s0 = if response == "linear" {
            0.3
        } else {
            (0.3f64 / 0.7).ln()
        };
        let bias = ws.params[m.variables[0].bias.0];
        assert!(close(bias, s0 - 0.8 * 0.5, 1e-12), "{response}: {bias}");
    }
}

#[test]
fn an_equilibrium_bias_is_not_a_parameter_to_vary() {
    let m = model(
        "[variables.x]\ninitial = 0.3\nrate = 0.2\nbias = \"equilibrium\"\n[variables.y]\ninitial = 0\nrate = 0.2\nbias = 0.1\n",
    );
    let paths: Vec<&str> = geosim::analysis::params::candidates(&m)
        .map(|(_, p)| p.path.as_str())
        .collect();
    assert!(!paths.contains(&"variables.x.bias"), "{paths:?}");
    assert!(paths.contains(&"variables.y.bias"), "{paths:?}");
    let text = "name = \"t\"\n[time]\nstart = \"2020-01\"\nend = \"2020-12\"\n[variables.x]\ninitial = 0.3\nrate = 0.2\nbias = \"equilibrum\"\n";
    let Err(e) = scenario::load_text("t.toml", text, &[]) else {
        panic!("a misspelt equilibrium loads");
    };
    let e = format!("{e:?}");
    assert!(
        e.contains("t.toml:8:8") && e.contains("\\\"equilibrium\\\""),
        "{e}"
    );
}

#[test]
fn a_driver_offset_acts_only_from_offset_from() {
    let m = model(
        "[variables.x]\ninitial = 0\nrate = 0.5\n[drivers.d]\npoints = [[\"2020-01\", 0.2]]\noffset = { dist = \"uniform\", min = -0.2, max = 0.2 }\noffset_from = \"2020-07\"\n",
    );
    assert_eq!(m.drivers[0].offset_from, 6);
    let all = runs(&m, 1, 30);
    for run in &all {
        assert!(run[..6].iter().all(|v| *v == 0.2), "{run:?}");
        assert!(
            run[6..].iter().all(|v| *v == run[6]),
            "constant from the month on"
        );
    }
    let spread: Vec<f64> = all.iter().map(|r| r[6]).collect();
    assert!(spread.iter().any(|v| (v - 0.2).abs() > 0.05), "{spread:?}");
    // before the start: acts from month 0
    let m = model(
        "[variables.x]\ninitial = 0\nrate = 0.5\n[drivers.d]\npoints = [[\"2020-01\", 0.2]]\noffset = 0.1\noffset_from = \"2019-01\"\n",
    );
    assert_eq!(det(&m, 1)[0], 0.30000000000000004);
    for (body, needle) in [
        (
            "offset = 0.1\noffset_from = \"2022-01\"\n",
            "is after time.end",
        ),
        ("offset_from = \"2020-03\"\n", "has no offset"),
    ] {
        let text = format!(
            "name = \"t\"\n[time]\nstart = \"2020-01\"\nend = \"2021-12\"\n[variables.x]\ninitial = 0\nrate = 0.5\n[drivers.d]\npoints = [[\"2020-01\", 0.2]]\n{body}"
        );
        let Err(e) = scenario::load_text("t.toml", &text, &[]) else {
            panic!("{body} loads");
        };
        let e = format!("{e:?}");
        assert!(e.contains(needle) && e.contains("offset_from"), "{e}");
    }
}

#[test]
fn an_interaction_multiplies_its_two_sources() {
    // rate 1: x(t+1) = 0.5 · d(t) · y(t − 1), with y climbing toward 1.
    let m = model(
        "[variables.y]\ninitial = 0\nrate = 0.3\nbias = 1\n\
         [variables.x]\ninitial = 0\nrate = 1\n\
         [drivers.d]\npoints = [[\"2020-01\", 0.2], [\"2021-12\", 1.0]]\n\
         [influences]\n\"d * y -> x\" = { weight = 0.5, lag = 1 }\n",
    );
    assert_eq!(m.influences[0].key, "d * y -> x");
    let (y, x, d) = (det(&m, 0), det(&m, 1), det(&m, 2));
    for (t, xt) in x.iter().enumerate().skip(1) {
        // x(t) = 0.5 · d(t − 2) · y(t − 2): the step from t − 1 reads lag 1.
        let s = (t - 1).saturating_sub(1);
        let want = 0.5 * d[s] * y[s];
        assert!(close(*xt, want, 1e-12), "t={t}: {xt} vs {want}");
    }
    // explain attributes the change to the product term, and the terms add up.
    let e = geosim::analysis::explain::explain(&m, geosim::model::VarId(1), 3, 20);
    let term = e
        .terms
        .iter()
        .find(|t| t.name.contains("d * y -> x"))
        .expect("the term");
    assert!(term.total() > 0.05, "{}", term.total());
    let sum: f64 = e.terms.iter().map(|t| t.total()).sum();
    assert!(
        close(sum, e.actual_change(), 1e-9),
        "{sum} vs {}",
        e.actual_change()
    );
    // each factor is an edge of the influence graph: y feeds x
    let r = geosim::analysis::report::report(&m);
    assert!(
        !r.idle_sources.contains(&"d".to_string()),
        "{:?}",
        r.idle_sources
    );
    assert!(
        !r.idle_sources.contains(&"y".to_string()),
        "{:?}",
        r.idle_sources
    );
}

#[test]
fn interaction_keys_are_checked() {
    for (key, needle) in [
        ("\"d * y * y -> x\"", "two multiplied"),
        ("\"d * -> x\"", "two multiplied"),
        ("\"d * z -> x\"", "unknown source `z`"),
    ] {
        let text = format!(
            "name = \"t\"\n[time]\nstart = \"2020-01\"\nend = \"2020-12\"\n[variables.y]\ninitial = 0\nrate = 0.3\n[variables.x]\ninitial = 0\nrate = 1\n[drivers.d]\npoints = [[\"2020-01\", 0.2]]\n[influences]\n{key} = {{ weight = 0.5 }}\n"
        );
        let Err(e) = scenario::load_text("t.toml", &text, &[]) else {
            panic!("{key} loads");
        };
        let e = format!("{e:?}");
        assert!(e.contains(needle), "{key}: {e}");
    }
    let text = "name = \"t\"\n[time]\nstart = \"2020-01\"\nend = \"2020-12\"\n[variables.y]\ninitial = 0\nrate = 0.3\n[variables.x]\ninitial = 0\nrate = 1\n[drivers.d]\npoints = [[\"2020-01\", 0.2]]\n[influences]\n\"d * y -> x\" = { weight = 0.5 }\n\"y*d -> x\" = { weight = 0.1 }\n";
    let Err(e) = scenario::load_text("t.toml", text, &[]) else {
        panic!("a repeated product loads");
    };
    assert!(format!("{e:?}").contains("repeats `d * y -> x`"), "{e:?}");
}
