//! A structure-aware fuzz harness over the whole scenario pipeline: parsing,
//! `extends` chains with `remove_events`, `--set` overrides, compilation, a
//! short simulation (deterministic run, stochastic runs, a tiny ensemble),
//! `explain`, the `check` report and the resolved scenario written back out.
//!
//! It runs on stable Rust: proptest generates the cases (shrinkable trees)
//! from a seeded generator, and the loop below runs each case on its own
//! thread under a time limit, catches panics, shrinks every new failure to a
//! small input, and keeps going to collect every distinct failure.
//!
//! The cases are mostly valid-looking scenarios built from the real keys of
//! docs/FORMAT.md with often extreme values (0, negatives, ±1e300, 5e-324,
//! `nan`/`inf`, integers around 2^63 and 2^64, very long, unicode and
//! control-character names, `date`, `=cmd`, duplicates, empty tables, wrong
//! types), split over a child, a parent and a grandparent file, with random
//! `--set` arguments and random mutations; and mutants of the shipped
//! scenarios and of `tests/fuzz/corpus/*.toml` (numbers and strings replaced
//! by extreme ones, lines deleted, duplicated, moved, bytes changed); and,
//! now and then, large valid scenarios (dense influence graphs, thousands of
//! events, many drivers over the longest horizon, deep extends chains).
//! Cases come in three levels of chaos: calm ones mostly compile (extreme
//! but allowed values), wild ones mostly exercise the error paths.
//!
//! Properties, for every case:
//! - nothing panics (loading, rendering the error as the CLI does, running,
//!   explaining, reporting);
//! - each case finishes within a time limit (`slow`), and none hangs;
//! - a compiled model's trajectories (deterministic and stochastic) are
//!   finite and within each series' bounds; its ensemble statistics (mean,
//!   sd, the model's quantiles and the median) are finite, the quantiles
//!   ordered and within the bounds, and regime shares add up to 1;
//! - the ensemble's statistics are exactly those of its runs made one by one
//!   (`stochastic_run`, folded in groups of 64), the same on 1 and 2
//!   threads, and a run does not depend on the workspace's earlier runs;
//! - `explain`'s terms and the Jacobian and eigenvalues of the report are
//!   finite;
//! - the resolved scenario (`scenario.resolved.toml`) loads again and gives
//!   the same deterministic and first stochastic trajectory.
//!
//! Simulation is skipped when months × series > 20,000, to keep cases fast.
//!
//! Every file in `tests/fuzz/corpus/` and `tests/fuzz/findings/` is replayed
//! first (`#fuzz-set: PATH=VALUE` comment lines give `--set` arguments; a
//! folder is loaded through its `main.toml`, so it can hold an extends chain).
//! `tests/fuzz/findings-open/` holds failures not fixed yet (not replayed).
//!
//! The default run is small enough for CI (a few seconds in a debug build).
//! Environment variables:
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `GEOSIM_FUZZ_CASES` | number of generated cases | 400 (debug assertions on), 2000 (off) |
//! | `GEOSIM_FUZZ_SEED` | seed of the generator (any u64) | 20250101 |
//! | `GEOSIM_FUZZ_SECONDS` | stop after this many seconds even if cases remain | none |
//! | `GEOSIM_FUZZ_CASE_MS` | time limit of one case, ms | 10000 (debug assertions on), 2000 (off) |
//! | `GEOSIM_FUZZ_VERBOSE` | 1: print statistics of outcomes and error messages | 0 |
//! | `GEOSIM_FUZZ_DUMP` | print every case whose load error contains this text | none |
//! | `GEOSIM_FUZZ_STRESS_MAX` | largest size of the large-scenario cases | 40 |
//! | `GEOSIM_FUZZ_BIG_CELLS` | months × series up to which the large cases are simulated | 20000 |
//! | `GEOSIM_FUZZ_CHAOS` | only cases of this level: 0 calm (mostly valid), 1 some, 2 wild | all |
//!
//! A long run, with a new seed each time (release build, overflow checks on
//! so that integer overflows panic as in a debug build; a separate target
//! folder keeps it from disturbing other builds):
//!
//! ```sh
//! for seed in 1 2 3 4; do
//!   GEOSIM_FUZZ_SEED=$seed GEOSIM_FUZZ_CASES=100000000 GEOSIM_FUZZ_SECONDS=900 \
//!   GEOSIM_FUZZ_CASE_MS=2000 GEOSIM_FUZZ_STRESS_MAX=200 GEOSIM_FUZZ_BIG_CELLS=614400 \
//!   GEOSIM_FUZZ_VERBOSE=1 \
//!   CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true \
//!   CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true CARGO_TARGET_DIR=target/fuzz \
//!   cargo test --release --test it fuzz -- --nocapture
//! done
//! ```
//!
//! Each failure is printed as soon as it is shrunk: the kind and place
//! (`panic at src/…:line`, `non-finite …`, `slow`, `hang`, `resolved …`), the
//! files of the case and the `--set` arguments. The input of the case being
//! run is also written to `$TMPDIR/geosim-fuzz-last-case-<pid>.txt` before it
//! runs, so a case that kills the process (stack overflow, abort) can be
//! recovered.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once, mpsc};
use std::time::{Duration, Instant};

use geosim::analysis::{explain, report};
use geosim::engine::{self, Workspace, ensemble::run_ensemble};
use geosim::model::{Model, VarId};
use geosim::scenario::{self, LoadError};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::{BoxedStrategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

// ===================================================================
// Settings

/// Largest months × series simulated.
const MAX_CELLS: usize = 20_000;
/// The same for the large scenarios (`GEOSIM_FUZZ_BIG_CELLS`; up to the
/// limits of the format, 2400 months × 256 series = 614,400, in long runs).
fn max_big_cells() -> usize {
    env_u64("GEOSIM_FUZZ_BIG_CELLS").map_or(MAX_CELLS, |n| n as usize)
}
/// Largest months × series of the models whose ensemble statistics are
/// computed (each worker's histograms take 4 KiB per cell).
const MAX_STATS_CELLS: u64 = 30_000;
/// Largest runs × months × series of the tiny ensemble.
const MAX_ENSEMBLE_CELLS: u64 = 400_000;
/// Candidates tried while shrinking one failure.
const MAX_SHRINK_STEPS: usize = 3_000;
const MAX_SHRINK_TIME: Duration = Duration::from_secs(120);
/// Shrunk examples kept per distinct failure.
const EXAMPLES_PER_SIGNATURE: usize = 2;

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    match v.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => panic!("{name}={v:?} is not a whole number"),
    }
}

struct Settings {
    cases: u64,
    seed: u64,
    budget: Option<Duration>,
    case_limit: Duration,
    verbose: bool,
    /// Print the cases whose load error contains this text (to tune the generator).
    dump: Option<String>,
    /// Only cases of this level of chaos (0 calm, 1 some, 2 wild).
    chaos: Option<u8>,
}

impl Settings {
    fn from_env() -> Self {
        let release = !cfg!(debug_assertions);
        Settings {
            cases: env_u64("GEOSIM_FUZZ_CASES").unwrap_or(if release { 2000 } else { 400 }),
            seed: env_u64("GEOSIM_FUZZ_SEED").unwrap_or(20250101),
            budget: env_u64("GEOSIM_FUZZ_SECONDS").map(Duration::from_secs),
            case_limit: Duration::from_millis(
                env_u64("GEOSIM_FUZZ_CASE_MS").unwrap_or(if release { 2000 } else { 10_000 }),
            ),
            verbose: env_u64("GEOSIM_FUZZ_VERBOSE").unwrap_or(0) != 0,
            dump: std::env::var("GEOSIM_FUZZ_DUMP").ok(),
            chaos: env_u64("GEOSIM_FUZZ_CHAOS").map(|c| c.min(2) as u8),
        }
    }

    /// A case still running after this is a hang: the process reports it and exits.
    fn hang_limit(&self) -> Duration {
        (self.case_limit * 15).max(Duration::from_secs(60))
    }
}

// ===================================================================
// Values

/// Private-use character delimiting a name reference in generated text
/// (`\u{E000}vk3\u{E000}`: the key of variable 3), resolved at rendering, so
/// that shrinking the list of names keeps every reference valid.
const MARK: char = '\u{E000}';

fn tok(kind: &str, i: usize) -> String {
    format!("{MARK}{kind}{i}{MARK}")
}

const EXTREME_F64: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    2.0,
    100.0,
    1e6,
    1e-6,
    1e-7,
    0.999_999_999_999,
    1.000_000_000_000_000_2,
    1e12,
    -1e12,
    1_000_000_000_000.000_1,
    999_999_999_999.999_9,
    -999_999_999_999.999_9,
    1e13,
    1e15,
    1e154,
    1.340_780_792_994_259_6e154,
    1e300,
    -1e300,
    f64::MAX,
    f64::MIN,
    f64::MIN_POSITIVE,
    5e-324,
    -5e-324,
    1e-300,
    709.8,
    710.0,
    -745.2,
    4_294_967_295.0,
    4_294_967_296.0,
    9.223_372_036_854_776e18,
    1.844_674_407_370_955_2e19,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
];

/// Literals that are numbers only in part, of another type, or not TOML.
const ODD_LITERALS: &[&str] = &[
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "4294967295",
    "4294967296",
    "-1",
    "0",
    "1_000",
    "0x7fffffffffffffff",
    "0o17",
    "0b101",
    "+1",
    "+inf",
    "-nan",
    "+nan",
    "1e400",
    "-1e400",
    "1e-400",
    "\"0.5\"",
    "true",
    "[]",
    "{}",
    "[0.5]",
    "\"\"",
    "1979-05-27",
    "07:32:00",
    "1979-05-27T07:32:00Z",
    "1e",
    ".5",
    "5.",
    "0.5.5",
    "--1",
    "00.5",
    "1__0",
    "nan",
    "inf",
    "-inf",
    "{ dist = \"normal\", mean = 0, sd = 1 }",
    "[[1, 2], [3]]",
    "'single'",
    "\"\"\"multi\nline\"\"\"",
];

const EXTREME_INTS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "63",
    "64",
    "65",
    "128",
    "1000",
    "4294967295",
    "4294967296",
    "2147483647",
    "2147483648",
    "9007199254740993",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775806",
    "1.0",
    "0.5",
    "1e3",
    "nan",
    "-0",
];

/// Huge finite numbers, for values without a size limit.
const HUGE: &[f64] = &[
    f64::MAX,
    f64::MIN,
    1e308,
    -1e308,
    1e300,
    -1e300,
    1e200,
    1e13,
    -1e13,
    0.0,
    0.5,
];

fn f64_text(x: f64) -> String {
    if x.is_nan() {
        if x.is_sign_negative() { "-nan" } else { "nan" }.into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        format!("{x:?}")
    }
}

/// How far a case strays from a valid scenario: calm cases mostly compile
/// (with extreme but allowed values), wild ones mostly do not.
#[derive(Clone, Copy, Debug)]
struct Chaos(u8);

impl Chaos {
    const CALM: Chaos = Chaos(0);
    const SOME: Chaos = Chaos(1);
    const WILD: Chaos = Chaos(2);

    /// A weight for each level.
    fn w(self, calm: u32, some: u32, wild: u32) -> u32 {
        [calm, some, wild][self.0 as usize]
    }

    /// A probability for each level.
    fn p(self, calm: f64, some: f64, wild: f64) -> f64 {
        [calm, some, wild][self.0 as usize]
    }
}

/// `prop_oneof!` with computed weights; arms of weight 0 are left out.
fn pick<T: std::fmt::Debug + 'static>(arms: Vec<(u32, BoxedStrategy<T>)>) -> BoxedStrategy<T> {
    let arms: Vec<_> = arms.into_iter().filter(|(w, _)| *w > 0).collect();
    prop::strategy::Union::new_weighted(arms).boxed()
}

/// Extreme values that a scenario may still hold (magnitudes up to 1e12).
const ALLOWED_EXTREMES: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    1e12,
    -1e12,
    999_999_999_999.999_9,
    -999_999_999_999.999_9,
    1e11,
    1e-300,
    5e-324,
    -5e-324,
    f64::MIN_POSITIVE,
    1e-6,
    1e-12,
    1e6,
    -1e6,
    1.000_000_000_000_000_2,
    0.999_999_999_999,
    100.0,
    -100.0,
    709.8,
    -745.2,
];

/// A number literal: usually from `typical`, sometimes extreme or odd.
fn num(c: Chaos, typical: impl Strategy<Value = f64> + 'static) -> BoxedStrategy<String> {
    pick(vec![
        (14, typical.prop_map(f64_text).boxed()),
        (
            c.w(2, 2, 1),
            prop::sample::select(ALLOWED_EXTREMES)
                .prop_map(f64_text)
                .boxed(),
        ),
        (
            c.w(0, 1, 3),
            prop::sample::select(EXTREME_F64).prop_map(f64_text).boxed(),
        ),
        (c.w(0, 0, 1), any::<f64>().prop_map(f64_text).boxed()),
        (
            c.w(0, 0, 1),
            prop::sample::select(ODD_LITERALS)
                .prop_map(String::from)
                .boxed(),
        ),
    ])
}

fn int(c: Chaos, typical: Range<i64>) -> BoxedStrategy<String> {
    pick(vec![
        (14, typical.prop_map(|i| i.to_string()).boxed()),
        (
            c.w(1, 2, 3),
            prop::sample::select(EXTREME_INTS)
                .prop_map(String::from)
                .boxed(),
        ),
        (
            c.w(0, 0, 1),
            prop::sample::select(ODD_LITERALS)
                .prop_map(String::from)
                .boxed(),
        ),
    ])
}

/// A TOML basic string's contents, escaped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

fn quote(s: &str) -> String {
    format!("\"{}\"", esc(s))
}

fn key(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        s.to_string()
    } else {
        quote(s)
    }
}

/// A CSV cell, quoted when it needs to be.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A `--set` path segment (quoted when it holds a dot, `=` or nothing).
fn seg(s: &str) -> String {
    if s.is_empty() || s.contains(['.', '=', ' ']) {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

const WEIRD_TEXT: &[&str] = &[
    "",
    " ",
    "date",
    "=cmd",
    "a b",
    "a.b",
    "a=b",
    "a\"b",
    "a'b",
    "x -> y",
    "->",
    "ü",
    "日本語",
    "\u{200b}",
    "\u{feff}x",
    "a\\b",
    "CON",
    "nan",
    "inf",
    "1",
    "-1",
    "0",
    "true",
    "name",
    "events",
    "variables",
    "${HOME}",
    "%s%n",
    "\u{202e}rtl",
    "\r",
    "a\nb",
    "\0",
    "x\u{7f}",
    "👍🏽",
    "e\u{301}",
];

/// Free text: names of events, incidents and bands, titles.
fn text(c: Chaos) -> BoxedStrategy<String> {
    pick(vec![
        (8, "[a-z][a-z0-9 _]{0,10}".boxed()),
        (
            c.w(1, 2, 3),
            prop::sample::select(WEIRD_TEXT)
                .prop_map(String::from)
                .boxed(),
        ),
        (1, "\\PC{0,12}".boxed()),
        (c.w(0, 1, 1), "[\\x00-\\x1f\\x7f]{1,3}".boxed()),
        (1, long(c, 'n')),
    ])
}

/// A long name: up to the 64-character limit when calm, far beyond otherwise.
fn long(c: Chaos, ch: char) -> BoxedStrategy<String> {
    let lengths = if c.0 == 0 {
        (40usize..65).boxed()
    } else {
        prop_oneof![6 => 60usize..130, 3 => 130usize..300, 1 => 300usize..5000].boxed()
    };
    lengths.prop_map(move |n| ch.to_string().repeat(n)).boxed()
}

/// Names of variables and drivers: mostly identifiers.
fn ident(c: Chaos) -> BoxedStrategy<String> {
    prop_oneof![
        10 => prop::sample::select(&["x", "y", "z", "trust", "tension", "alignment", "a1", "B_2", "w"][..])
            .prop_map(String::from)
            .boxed(),
        4 => "[A-Za-z_][A-Za-z0-9_]{0,10}".boxed(),
        2 => prop::sample::select(
            &["date", "_", "0", "9x", "dashboard", "regimes", "drivers", "trajectory", "nan", "inf", "true", "name", "rate"][..]
        )
        .prop_map(String::from)
        .boxed(),
        1 => long(c, 'v'),
        c.w(1, 2, 3) => if c.0 == 0 { "[A-Za-z0-9_]{1,5}".boxed() } else { text(c) },
    ]
    .boxed()
}

fn quoted_text(c: Chaos) -> BoxedStrategy<String> {
    pick(vec![
        (12, text(c).prop_map(|s| quote(&s)).boxed()),
        (1, Just("'literal'".to_string()).boxed()),
        (1, Just("\"\"\"multi\nline\"\"\"".to_string()).boxed()),
        (c.w(0, 1, 1), num(c, 0.0f64..1.0)),
    ])
}

/// Month index around 2020-01 rendered `"YYYY-MM"`; outside 0000..9999 as is.
fn ym(m: i64) -> String {
    let (y, mo) = (m.div_euclid(12), m.rem_euclid(12) + 1);
    format!("\"{y:04}-{mo:02}\"")
}

const BASE_MONTH: i64 = 2020 * 12;

fn date(c: Chaos) -> BoxedStrategy<String> {
    pick(vec![
        (16, (-40i64..72).prop_map(|o| ym(BASE_MONTH + o)).boxed()),
        (
            1,
            prop::sample::select(&[0i64, 9999 * 12 + 11][..])
                .prop_map(ym)
                .boxed(),
        ),
        (
            c.w(0, 1, 1),
            prop::sample::select(&[1i64, 10_000 * 12, -1, 120_000 * 12][..])
                .prop_map(ym)
                .boxed(),
        ),
        (
            c.w(0, 1, 2),
            prop::sample::select(
                &[
                    "\"0000-01\"",
                    "\"9999-12\"",
                    "\"2024-13\"",
                    "\"2024-00\"",
                    "\"2024-5\"",
                    "\"24-05\"",
                    "\"2024/05\"",
                    "\"2024-05-01\"",
                    "\"\"",
                    "\" 2024-05\"",
                    "\"2024-05 \"",
                    "\"２０２４-05\"",
                    "\"2024-05\\n\"",
                    "\"+024-05\"",
                    "\"-024-05\"",
                    "\"10000-01\"",
                    "\"2024-1٣\"",
                    "\"2024-05\\u0000\"",
                    "2024-05-01",
                    "2024-05",
                    "202405",
                    "1979-05-27T07:32:00Z",
                    "07:00:00",
                    "\"2020-01\"",
                ][..],
            )
            .prop_map(String::from)
            .boxed(),
        ),
    ])
}

/// A (P) value: a number or a distribution table, sometimes a malformed one.
fn pval(c: Chaos, typical: Range<f64>, spread: Range<f64>) -> BoxedStrategy<String> {
    let t2 = typical.clone();
    let t3 = typical.clone();
    let t4 = typical.clone();
    pick(vec![
        (14, num(c, typical.clone())),
        (
            2,
            (num(c, t2), num(c, spread.clone()))
                .prop_map(move |(m, s)| {
                    // A calm sd is not negative.
                    let s = if c.0 == 0 {
                        s.trim_start_matches('-').to_string()
                    } else {
                        s
                    };
                    format!("{{ dist = \"normal\", mean = {m}, sd = {s} }}")
                })
                .boxed(),
        ),
        (
            2,
            (
                num(c, t3.clone()),
                num(c, t3),
                prop::bool::weighted(c.p(0.99, 0.8, 0.5)),
            )
                .prop_map(|(a, b, keep)| {
                    let (a, b) = ordered(a, b, !keep);
                    format!("{{ dist = \"uniform\", min = {a}, max = {b} }}")
                })
                .boxed(),
        ),
        (
            2,
            (
                num(c, t4.clone()),
                num(c, t4.clone()),
                num(c, t4),
                prop::bool::weighted(c.p(0.99, 0.8, 0.5)),
            )
                .prop_map(|(a, b, c, sorted)| {
                    let keep = !sorted;
                    let mut v = [a, b, c];
                    if !keep {
                        sort_numbers(&mut v);
                    }
                    format!(
                        "{{ dist = \"triangular\", min = {}, mode = {}, max = {} }}",
                        v[0], v[1], v[2]
                    )
                })
                .boxed(),
        ),
        (
            c.w(0, 1, 2),
            prop::sample::select(
                &[
                    "{ dist = \"normal\", mean = 0.1 }",
                    "{ dist = \"Normal\", mean = 0, sd = 1 }",
                    "{ dist = \"uniform\", min = 0.1, max = 0.1 }",
                    "{ mean = 0.1, sd = 0.1 }",
                    "{ dist = \"normal\", mean = 0, sd = 1, min = 0 }",
                    "{ dist = \"triangular\", min = 0, mode = 2, max = 1 }",
                    "{ dist = \"triangular\", min = 0, mode = 0, max = 0 }",
                    "{ dist = \"triangular\", min = 0, mode = 0, max = 1 }",
                    "{ dist = \"uniform\", min = -1.7e308, max = 1.7e308 }",
                    "{ dist = \"normal\", mean = 0, sd = 1.7e308 }",
                    "{ dist = \"normal\", mean = 1e12, sd = 0 }",
                    "{ dist = \"normal\", mean = 0, sd = -0.0 }",
                    "{ dist = \"normal\", mean = 0, sd = 5e-324 }",
                    "{ dist = \"uniform\", min = 0, max = 5e-324 }",
                    "{ dist = \"uniform\", min = 1e12, max = 1e12 }",
                    "{ dist = \"uniform\", min = 999999999999.9999, max = 1e12 }",
                    "{}",
                    "{ dist = 5 }",
                    "{ dist = \"beta\", a = 1 }",
                    "{ dist = \"normal\", mean = nan, sd = 1 }",
                    "{ dist = \"normal\", mean = 0, sd = inf }",
                    "{ dist = \"normal\", mean = \"0\", sd = 1 }",
                    "[0.1, 0.2]",
                    "{ dist = \"uniform\", min = 0, max = 1, dist = \"normal\" }",
                ][..],
            )
            .prop_map(String::from)
            .boxed(),
        ),
    ])
}

fn ordered(a: String, b: String, keep: bool) -> (String, String) {
    // `keep`: leave the two in the order drawn.
    let mut v = [a, b];
    if !keep {
        sort_numbers(&mut v);
    }
    let [a, b] = v;
    (a, b)
}

/// Sorts number literals by value (those that do not parse stay in place).
fn sort_numbers(v: &mut [String]) {
    let parse = |s: &str| s.parse::<f64>().ok().filter(|x| !x.is_nan());
    if v.iter().all(|s| parse(s).is_some()) {
        v.sort_by(|a, b| parse(a).unwrap().total_cmp(&parse(b).unwrap()));
    }
}

/// A deeply nested value (recursion in parsers and mergers).
fn nested(_: Chaos) -> BoxedStrategy<String> {
    (1usize..3000, any::<bool>())
        .prop_map(|(n, arrays)| {
            if arrays {
                format!("{}1{}", "[".repeat(n), "]".repeat(n))
            } else {
                format!("{}1{}", "{ a = ".repeat(n), " }".repeat(n))
            }
        })
        .boxed()
}

/// Any value, of any type: for junk keys and wrong types.
fn any_value(c: Chaos) -> BoxedStrategy<String> {
    prop_oneof![
        4 => num(c, -2.0f64..2.0),
        2 => quoted_text(c),
        1 => date(c),
        1 => pval(c, -1.0..1.0, 0.0..1.0),
        1 => Just("{}".to_string()).boxed(),
        1 => Just("[]".to_string()).boxed(),
        1 => nested(c),
    ]
    .boxed()
}

// ===================================================================
// Scenario structure

/// One `key = value` line in a layer: 0 = the main file, 1 = its parent,
/// 2 = the grandparent (folded into the last file that exists).
type Line = (u8, String);

#[derive(Clone, Debug)]
enum Header {
    /// `[name]`
    Table(String),
    /// `[[name]]`
    Item(String),
}

#[derive(Clone, Debug)]
struct Table {
    layer: u8,
    header: Header,
    lines: Vec<Line>,
}

fn layer() -> BoxedStrategy<u8> {
    prop_oneof![5 => Just(0u8), 2 => Just(1u8), 1 => Just(2u8)].boxed()
}

/// `Some` with probability `p` (which may be 1).
fn maybe<T: std::fmt::Debug + Clone + 'static>(
    p: f64,
    s: BoxedStrategy<T>,
) -> BoxedStrategy<Option<T>> {
    if p >= 1.0 {
        s.prop_map(Some).boxed()
    } else {
        prop::option::weighted(p, s).boxed()
    }
}

fn line(p: f64, k: &'static str, v: BoxedStrategy<String>) -> BoxedStrategy<Option<Line>> {
    maybe(
        p,
        (layer(), v)
            .prop_map(move |(l, v)| (l, format!("{k} = {v}")))
            .boxed(),
    )
}

const JUNK_KEYS: &[&str] = &[
    "nmae",
    "=cmd",
    "\"\"",
    "dist",
    "half_live",
    "\"a b\"",
    "ü",
    "1",
    "true",
    "sd",
    "mean",
    "variables",
    "Rate",
    "base-rate",
    "\"rate \"",
];

fn junk_line(c: Chaos) -> BoxedStrategy<Option<Line>> {
    prop::option::weighted(
        c.p(0.003, 0.03, 0.08),
        (layer(), prop::sample::select(JUNK_KEYS), any_value(c))
            .prop_map(|(l, k, v)| (l, format!("{k} = {v}"))),
    )
    .boxed()
}

fn table(
    c: Chaos,
    header: Header,
    lines: Vec<BoxedStrategy<Option<Line>>>,
) -> BoxedStrategy<Table> {
    (layer(), lines, junk_line(c))
        .prop_map(move |(layer, lines, junk)| Table {
            layer,
            header: header.clone(),
            lines: lines.into_iter().flatten().chain(junk).collect(),
        })
        .boxed()
}

fn time_table(c: Chaos) -> BoxedStrategy<Table> {
    let len = prop_oneof![
        12 => 0i64..40,
        2 => 40i64..400,
        // The longest horizon allowed is 2400 months.
        1 => prop::sample::select(if c.0 == 0 { &[1199i64, 2399][..] } else { &[-1i64, 2399, 2400, 119_999][..] }),
    ];
    (
        layer(),
        -30i64..30,
        len,
        date(c),
        date(c),
        0..c.w(100, 25, 12) as u8,
        junk_line(c),
    )
        .prop_map(|(layer, start, len, d1, d2, pick, junk)| {
            let (mut s, mut e) = (ym(BASE_MONTH + start), ym(BASE_MONTH + start + len));
            if len == 119_999 {
                s = "\"0000-01\"".into();
                e = "\"9999-12\"".into();
            }
            match pick {
                0 => s = d1,
                1 => e = d2,
                2 => s = d1.clone(),
                _ => {}
            }
            let mut lines = Vec::new();
            if pick != 3 {
                lines.push((layer, format!("start = {s}")));
            }
            if pick != 4 {
                lines.push((layer, format!("end = {e}")));
            }
            lines.extend(junk);
            Table {
                layer,
                header: Header::Table("time".into()),
                lines,
            }
        })
        .boxed()
}

fn ensemble_table(c: Chaos) -> BoxedStrategy<Table> {
    table(
        c,
        Header::Table("ensemble".into()),
        vec![
            line(0.5, "runs", int(c, 1..500)),
            line(0.5, "seed", int(c, 0..1000)),
            line(
                0.1,
                "condition",
                prop_oneof![8 => Just("true".to_string()), 8 => Just("false".to_string()), 1 => Just("1".to_string())]
                    .boxed(),
            ),
            line(
                0.5,
                "quantiles",
                prop_oneof![
                    c.w(40, 10, 6) => prop::collection::vec(num(c, 0.001f64..0.999), 1..6)
                        .prop_map(|v| format!("[{}]", v.join(", ")))
                        .boxed(),
                    1 => Just("[]".to_string()).boxed(),
                    1 => Just("[0.5, 0.5, 0.5]".to_string()).boxed(),
                    1 => Just("[5e-324, 0.9999999999999999]".to_string()).boxed(),
                    1 => Just("0.5".to_string()).boxed(),
                ]
                .boxed(),
            ),
        ],
    )
}

fn response(c: Chaos) -> BoxedStrategy<String> {
    prop_oneof![
        c.w(30, 10, 6) => Just("\"linear\"".to_string()).boxed(),
        c.w(30, 10, 6) => Just("\"logistic\"".to_string()).boxed(),
        1 => prop::sample::select(if c.0 == 0 { &["\"linear\""][..] } else { &["\"Linear\"", "\"\"", "1", "\"exp\""][..] })
            .prop_map(String::from)
            .boxed(),
    ]
    .boxed()
}

fn variable_table(c: Chaos) -> BoxedStrategy<Table> {
    table(
        c,
        Header::Table(String::new()), // named when the case is assembled
        vec![
            line(0.3, "description", quoted_text(c)),
            line(0.3, "min", num(c, -2.0f64..0.0)),
            line(0.3, "max", num(c, 1.0f64..3.0)),
            line(
                0.1,
                "labels",
                prop_oneof![
                    c.w(30, 8, 4) => (text(c), text(c)).prop_map(|(a, b)| format!("[{}, {}]", quote(&a), quote(&b))).boxed(),
                    1 => Just("[\"a\"]".to_string()).boxed(),
                    1 => Just("[\"a\", \"b\", \"c\"]".to_string()).boxed(),
                    1 => Just("[1, 2]".to_string()).boxed(),
                ]
                .boxed(),
            ),
            line(c.p(1.0, 0.95, 0.9), "initial", pval(c, 0.0..1.0, 0.0..0.3)),
            line(c.p(1.0, 0.95, 0.9), "rate", pval(c, 0.01..1.0, 0.0..0.2)),
            line(0.5, "bias", pval(c, -1.0..1.0, 0.0..0.3)),
            line(0.4, "noise", pval(c, 0.0..0.1, 0.0..0.05)),
            line(0.4, "response", response(c)),
        ],
    )
}

fn driver_table(c: Chaos) -> BoxedStrategy<Table> {
    let point = (-40i64..72, num(c, -0.5f64..1.5));
    let points = prop_oneof![
        c.w(60, 15, 8) => (prop::collection::vec(point, 1..5), prop::bool::weighted(c.p(0.01, 0.1, 0.3)))
            .prop_map(|(mut v, keep)| {
                if !keep {
                    v.sort_by_key(|p| p.0);
                    v.dedup_by_key(|p| p.0);
                }
                let items: Vec<String> =
                    v.into_iter().map(|(m, x)| format!("[{}, {x}]", ym(BASE_MONTH + m))).collect();
                format!("[{}]", items.join(", "))
            })
            .boxed(),
        1 => (date(c), num(c, 0.0f64..1.0)).prop_map(|(d, x)| format!("[[{d}, {x}]]")).boxed(),
        // Points are plain numbers without a size limit: huge paths.
        3 => prop::collection::vec((-40i64..72, prop::sample::select(HUGE)), 1..6)
            .prop_map(|mut v| {
                v.sort_by_key(|p| p.0);
                v.dedup_by_key(|p| p.0);
                let items: Vec<String> =
                    v.into_iter().map(|(m, x)| format!("[{}, {}]", ym(BASE_MONTH + m), f64_text(x))).collect();
                format!("[{}]", items.join(", "))
            })
            .boxed(),
        1 => prop::sample::select(&[
            "[]", "[[]]", "[[\"2020-01\"]]", "[[\"2020-01\", 0.5, 1]]", "[[0.5, \"2020-01\"]]",
            "[[\"2020-01\", 0.5], [\"2020-01\", 0.6]]", "[[\"0000-01\", -1e12], [\"9999-12\", 1e12]]",
            "[[\"0000-01\", 1e300], [\"9999-12\", -1e300]]", "[[\"2020-01\", 1.7976931348623157e308], [\"2020-03\", -1.7976931348623157e308]]",
            "{ \"2020-01\" = 0.5 }", "0.5",
        ][..])
        .prop_map(String::from)
        .boxed(),
    ];
    table(
        c,
        Header::Table(String::new()),
        vec![
            line(0.2, "description", quoted_text(c)),
            line(0.3, "min", num(c, -2.0f64..0.0)),
            line(0.3, "max", num(c, 1.0f64..3.0)),
            line(
                0.4,
                "interpolation",
                prop_oneof![
                    c.w(30, 8, 4) => Just("\"linear\"".to_string()).boxed(),
                    c.w(30, 8, 4) => Just("\"step\"".to_string()).boxed(),
                    1 => Just("\"Step\"".to_string()).boxed(),
                ]
                .boxed(),
            ),
            line(c.p(1.0, 0.95, 0.9), "points", points.boxed()),
            line(0.4, "offset", pval(c, -0.2..0.2, 0.0..0.2)),
        ],
    )
}

/// An index into a list of names: mostly among the first few, which exist.
fn var_ref() -> BoxedStrategy<usize> {
    prop_oneof![30 => 0usize..2, 5 => 0usize..4, 1 => 0usize..8].boxed()
}

/// Sources are the variables, then the drivers.
fn source_ref() -> BoxedStrategy<usize> {
    prop_oneof![20 => 0usize..2, 5 => 0usize..5, 1 => 0usize..12].boxed()
}

/// Keeps the first of entries with the same key.
fn dedup_by<T, K: PartialEq>(v: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for x in v {
        if !out.iter().any(|y| key(y) == key(&x)) {
            out.push(x);
        }
    }
    out
}

/// `{ x = P, y = P }` over variables (indices resolved at rendering).
fn effects(c: Chaos, typical: Range<f64>) -> BoxedStrategy<String> {
    prop_oneof![
        c.w(60, 15, 8) => prop::collection::vec((var_ref(), pval(c, typical.clone(), 0.0..0.2)), 0..4)
            .prop_map(|v| {
                let v = dedup_by(v, |e| e.0);
                let items: Vec<String> = v.iter().map(|(i, p)| format!("{} = {p}", tok("vk", *i))).collect();
                format!("{{ {} }}", items.join(", "))
            })
            .boxed(),
        1 => (text(c), num(c, typical)).prop_map(|(k, x)| format!("{{ {} = {x} }}", key(&k))).boxed(),
        1 => prop::sample::select(if c.0 == 0 { &["{}"][..] } else { &["{ x = 1, x = 2 }", "0.5", "[]"][..] })
            .prop_map(String::from)
            .boxed(),
    ]
    .boxed()
}

fn half_life(c: Chaos) -> BoxedStrategy<String> {
    unbounded(c, 0.5f64..36.0)
}

/// A plain number of a field without a size limit (`points`, `rate_by`,
/// `half_life`, band edges): sometimes huge or tiny even when calm.
fn unbounded(c: Chaos, typical: Range<f64>) -> BoxedStrategy<String> {
    prop_oneof![
        12 => num(c, typical),
        1 => prop::sample::select(HUGE).prop_map(f64_text),
        1 => prop::sample::select(&[5e-324, 1e-300, f64::MIN_POSITIVE, 1e-12][..]).prop_map(f64_text),
    ]
    .boxed()
}

fn event_table(c: Chaos) -> BoxedStrategy<Table> {
    table(
        c,
        Header::Item("events".into()),
        vec![
            line(c.p(1.0, 0.95, 0.9), "name", Just(String::new()).boxed()), // named when assembled
            line(c.p(1.0, 0.95, 0.9), "date", date(c)),
            line(0.6, "jump", effects(c, -0.5..0.5)),
            line(0.6, "pressure", effects(c, -2.0..2.0)),
            line(0.4, "half_life", half_life(c)),
            line(0.2, "evidence", quoted_text(c)),
        ],
    )
}

fn incident_table(c: Chaos) -> BoxedStrategy<Table> {
    let rate_by = prop_oneof![
        c.w(40, 12, 6) => prop::collection::vec((source_ref(), unbounded(c, -3.0f64..3.0)), 0..3)
            .prop_map(|v| {
                let v = dedup_by(v, |e| e.0);
                let items: Vec<String> = v.iter().map(|(i, k)| format!("{} = {k}", tok("sk", *i))).collect();
                format!("{{ {} }}", items.join(", "))
            })
            .boxed(),
        1 => Just("{ x = { dist = \"normal\", mean = 0, sd = 1 } }".to_string()).boxed(),
    ];
    table(
        c,
        Header::Item("incidents".into()),
        vec![
            line(c.p(1.0, 0.95, 0.9), "name", Just(String::new()).boxed()),
            line(
                c.p(1.0, 0.95, 0.9),
                "base_rate",
                pval(c, 0.0..0.5, 0.0..0.2),
            ),
            line(0.5, "rate_by", rate_by.boxed()),
            line(0.6, "jump", effects(c, -0.5..0.5)),
            line(0.5, "pressure", effects(c, -2.0..2.0)),
            line(0.4, "half_life", half_life(c)),
            line(c.p(0.1, 0.3, 0.3), "start", date(c)),
            line(c.p(0.1, 0.3, 0.3), "end", date(c)),
            line(0.1, "evidence", quoted_text(c)),
        ],
    )
}

const ARROWS: &[&str] = &[
    " -> ", "->", " ->", "-> ", "  ->  ", " --> ", " <- ", " ", "", " -> -> ", "\t->\t",
];

fn influences_table(c: Chaos) -> BoxedStrategy<Table> {
    let entry = (
        layer(),
        source_ref(),
        var_ref(),
        prop_oneof![c.w(80, 20, 10) => Just(" -> "), 4 => Just("->"), 1 => prop::sample::select(ARROWS)],
        pval(c, -1.5..1.5, 0.0..0.3),
        prop::option::weighted(0.4, int(c, 0..6)),
        prop::option::weighted(0.2, quoted_text(c)),
        0..c.w(200, 40, 15) as u8,
    )
        .prop_map(|(l, s, t, arrow, w, lag, ev, odd)| {
            let k = format!("\"{}{arrow}{}\"", tok("ss", s), tok("vs", t));
            let mut fields = vec![format!("weight = {w}")];
            fields.extend(lag.map(|g| format!("lag = {g}")));
            fields.extend(ev.map(|e| format!("evidence = {e}")));
            let value = match odd {
                0 => w,                                   // a bare number
                1 => "{}".to_string(),                    // no weight
                2 => format!("{{ lag = {} }}", fields.len()), // lag only
                _ => format!("{{ {} }}", fields.join(", ")),
            };
            (l, k, value)
        });
    (layer(), prop::collection::vec(entry, 0..8), junk_line(c))
        .prop_map(|(layer, lines, junk)| Table {
            layer,
            header: Header::Table("influences".into()),
            lines: dedup_by(lines, |e| e.1.clone())
                .into_iter()
                .map(|(l, k, v)| (l, format!("{k} = {v}")))
                .chain(junk)
                .collect(),
        })
        .boxed()
}

fn regimes_table(c: Chaos) -> BoxedStrategy<Table> {
    let band = |name: String, min: Option<String>, max: Option<String>| {
        let mut f = vec![format!("name = {}", quote(&name))];
        f.extend(min.map(|m| format!("min = {m}")));
        f.extend(max.map(|m| format!("max = {m}")));
        format!("{{ {} }}", f.join(", "))
    };
    // Cuts inside 0..1; the outer edges open, or written far outside.
    let outer = prop_oneof![
        6 => Just((None, None)),
        1 => (prop::sample::select(&[-1e300, f64::MIN, -1e12, -1.0, 0.0][..]), prop::sample::select(&[1e300, f64::MAX, 1e12, 1.0][..]))
            .prop_map(|(a, b)| (Some(a), Some(b))),
    ];
    let valid =
        (prop::collection::vec(0.0f64..1.0, 0..4), outer).prop_map(move |(mut cuts, (lo, hi))| {
            cuts.sort_by(f64::total_cmp);
            cuts.dedup();
            let n = cuts.len() + 1;
            let bands: Vec<String> = (0..n)
                .map(|i| {
                    let min = if i > 0 {
                        Some(f64_text(cuts[i - 1]))
                    } else {
                        lo.map(f64_text)
                    };
                    let max = if i + 1 < n {
                        Some(f64_text(cuts[i]))
                    } else {
                        hi.map(f64_text)
                    };
                    band(format!("b{i}"), min, max)
                })
                .collect();
            format!("[{}]", bands.join(", "))
        });
    let random = prop::collection::vec(
        (
            text(c),
            prop::option::of(unbounded(c, -1.0f64..2.0)),
            prop::option::of(unbounded(c, -1.0f64..2.0)),
        ),
        0..5,
    )
    .prop_map(move |v| {
        let bands: Vec<String> = v.into_iter().map(|(n, a, b)| band(n, a, b)).collect();
        format!("[{}]", bands.join(", "))
    });
    let many = (60usize..70).prop_map(move |n| {
        let bands: Vec<String> = (0..n)
            .map(|i| {
                let min = (i > 0).then(|| f64_text(i as f64 / n as f64));
                let max = (i + 1 < n).then(|| f64_text((i + 1) as f64 / n as f64));
                band(format!("b{i}"), min, max)
            })
            .collect();
        format!("[{}]", bands.join(", "))
    });
    table(
        c,
        Header::Table("regimes".into()),
        vec![
            line(
                c.p(1.0, 0.95, 0.9),
                "variable",
                prop_oneof![
                    c.w(40, 10, 6) => var_ref().prop_map(|i| tok("vq", i)).boxed(),
                    1 => (0usize..3).prop_map(|i| tok("dq", i)).boxed(),
                    1 => quoted_text(c),
                ]
                .boxed(),
            ),
            line(
                c.p(1.0, 0.95, 0.9),
                "bands",
                prop_oneof![c.w(30, 8, 4) => valid.boxed(), 3 => random.boxed(), 1 => many.boxed()]
                    .boxed(),
            ),
        ],
    )
}

fn junk_table(c: Chaos) -> BoxedStrategy<Table> {
    (
        layer(),
        prop::sample::select(
            &[
                "variables",
                "drivers",
                "influences",
                "events",
                "time.start",
                "nope",
                "variables.x.initial",
                "ensemble.quantiles",
                "regimes.bands",
                "\"\"",
                "variables.\"a.b\"",
            ][..],
        ),
        any::<bool>(),
        prop::collection::vec(
            (layer(), prop::sample::select(JUNK_KEYS), any_value(c)),
            0..3,
        ),
    )
        .prop_map(|(layer, name, item, lines)| Table {
            layer,
            header: if item {
                Header::Item(name.into())
            } else {
                Header::Table(name.into())
            },
            lines: lines
                .into_iter()
                .map(|(l, k, v)| (l, format!("{k} = {v}")))
                .collect(),
        })
        .boxed()
}

// ===================================================================
// --set arguments

const SET_FIELDS_VAR: &[&str] = &[
    "initial",
    "rate",
    "bias",
    "noise",
    "min",
    "max",
    "response",
    "description",
    "labels",
    "rate.sd",
    "rate.mean",
    "initial.dist",
    "initial.min",
    "initial.max",
    "nope",
    "rate.dist",
];
const SET_FIELDS_DRIVER: &[&str] = &[
    "points",
    "offset",
    "interpolation",
    "min",
    "max",
    "offset.sd",
    "description",
    "points.0",
];
const SET_FIELDS_EVENT: &[&str] = &[
    "date",
    "half_life",
    "name",
    "jump",
    "pressure",
    "evidence",
    "jump.x",
];
const SET_FIELDS_INCIDENT: &[&str] = &[
    "base_rate",
    "start",
    "end",
    "half_life",
    "rate_by",
    "name",
    "jump",
    "base_rate.sd",
];
const SET_PATHS_FIXED: &[&str] = &[
    "time.start",
    "time.end",
    "time",
    "ensemble.runs",
    "ensemble.seed",
    "ensemble.quantiles",
    "ensemble",
    "regimes.variable",
    "regimes.bands",
    "regimes",
    "regimes.bands.0.min",
    "name",
    "title",
    "description",
    "extends",
    "remove_events",
    "events",
    "incidents",
    "influences",
    "variables",
    "drivers",
    "\"\"",
    "events.0",
    "incidents.0",
    "events.99999999999999999999",
    "events.-1",
    "variables.\"\"",
    "time.start.x",
    "name.x",
    "ensemble.quantiles.0",
    "events.0.jump.\"\"",
];

fn set_path(c: Chaos) -> BoxedStrategy<String> {
    prop_oneof![
        4 => (var_ref(), prop::sample::select(SET_FIELDS_VAR))
            .prop_map(|(i, f)| format!("variables.{}.{f}", tok("vp", i)))
            .boxed(),
        1 => var_ref().prop_map(|i| format!("variables.{}", tok("vp", i))).boxed(),
        2 => (0usize..3, prop::sample::select(SET_FIELDS_DRIVER))
            .prop_map(|(i, f)| format!("drivers.{}.{f}", tok("dp", i)))
            .boxed(),
        2 => (source_ref(), var_ref(), prop::sample::select(&["weight", "lag", "evidence", "weight.sd", ""][..]))
            .prop_map(|(s, t, f)| {
                let k = format!("\"{} -> {}\"", tok("sr", s), tok("vr", t));
                if f.is_empty() { format!("influences.{k}") } else { format!("influences.{k}.{f}") }
            })
            .boxed(),
        3 => (0usize..4, any::<bool>(), prop::sample::select(SET_FIELDS_EVENT), var_ref(), any::<bool>())
            .prop_map(|(e, by_name, f, v, on_var)| {
                let sel = if by_name { tok("ep", e) } else { e.to_string() };
                if on_var && (f == "jump" || f == "pressure") {
                    format!("events.{sel}.{f}.{}", tok("vp", v))
                } else {
                    format!("events.{sel}.{f}")
                }
            })
            .boxed(),
        2 => (0usize..3, any::<bool>(), prop::sample::select(SET_FIELDS_INCIDENT), source_ref())
            .prop_map(|(e, by_name, f, s)| {
                let sel = if by_name { tok("ip", e) } else { e.to_string() };
                if f == "rate_by" {
                    format!("incidents.{sel}.rate_by.{}", tok("sp", s))
                } else {
                    format!("incidents.{sel}.{f}")
                }
            })
            .boxed(),
        3 => prop::sample::select(SET_PATHS_FIXED).prop_map(String::from).boxed(),
        c.w(1, 2, 3) => prop::collection::vec(
            prop::sample::select(&["a", "0", "1", "x", "\"\"", "\"a.b\"", "\"=\"", "ü", "events", "jump", "99999999999999999999999"][..]),
            1..6,
        )
        .prop_map(|v| v.join("."))
        .boxed(),
    ]
    .boxed()
}

fn set_value(c: Chaos) -> BoxedStrategy<String> {
    prop_oneof![
        8 => num(c, -1.0f64..1.0),
        2 => date(c),
        3 => pval(c, -1.0..1.0, 0.0..0.5),
        1 => quoted_text(c),
        2 => prop::sample::select(&[
            "{ initial = 0.1, rate = 0.2 }", "{ initial = 0.5, rate = 1, response = \"logistic\" }",
            "{ points = [[\"2020-01\", 0.5]] }", "{ weight = 0.5 }", "{ weight = 1e12 }", "{ lag = 2 }",
            "[]", "[0.1, 0.5, 0.9]", "\"step\"", "\"logistic\"", "true", "", " ", "{", "1 2", "\"x\" # c",
            "1\nx = 2", "[[\"2020-01\", 0.5]]", "{ name = \"e\", date = \"2020-06\" }",
            "[{ name = \"e\", date = \"2020-06\", jump = { x = 0.1 } }]", "{ base_rate = 1e12 }",
            "[{ name = \"only\" }]", "{ dist = \"uniform\", min = 0, max = 1 }", "{ sd = 0.1 }",
            "\"2020-01\"", "\"9999-12\"", "\"0000-01\"", "4294967295", "4294967296", "9223372036854775807",
            "{ start = \"2020-01\", end = \"2020-02\" }", "{ variable = \"x\", bands = [{ name = \"all\" }] }",
            "= 1", "'lit'", "\"\"\"a\nb\"\"\"", "{ a = 1 }\n[variables.q]\ninitial = 0",
        ][..])
        .prop_map(String::from)
        .boxed(),
        1 => nested(c),
    ]
    .boxed()
}

const RAW_SETS: &[&str] = &[
    "",
    "=",
    "==",
    "a",
    "a=",
    "=1",
    "\"a=b\"=1",
    "a.\"b=c\".d=1",
    ".=1",
    "a..b=1",
    "\"=1",
    "ü=1",
    "\"\"=1",
    "\"\".\"\"=1",
    "x.=1",
    ".x=1",
    "\"unclosed=1",
    "a=\"unclosed",
    " = ",
    "\u{0}=\u{0}",
    "name==x",
    "name = \"x\"",
    "events.0.name=\"\"",
    "time.end=\"2019-12\"",
];

fn set_arg(c: Chaos) -> BoxedStrategy<String> {
    prop_oneof![
        c.w(60, 15, 8) => (set_path(c), set_value(c)).prop_map(|(p, v)| format!("{p}={v}")).boxed(),
        1 => prop::sample::select(RAW_SETS).prop_map(String::from).boxed(),
        1 => "\\PC{0,20}".boxed(),
    ]
    .boxed()
}

// ===================================================================
// Mutations of a rendered text

#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the n-th number token: by the first number, or by the second
    /// when the token is a whole number.
    Number(Index, String, String),
    /// Replace the n-th string token (with its quotes).
    Str(Index, String),
    DeleteLine(Index),
    DuplicateLine(Index),
    MoveLine(Index, Index),
    InsertLine(Index, String),
    /// Insert, delete or replace one byte (may leave invalid UTF-8).
    Byte(Index, u8, u8),
    Truncate(Index),
    /// Windows line ends (`\r\n`) throughout.
    Crlf,
}

const INSERT_LINES: &[&str] = &[
    "[[events]]",
    "name = \"e\"",
    "date = \"2021-01\"",
    "pressure = { x = 1e12 }",
    "[variables.x]",
    "initial = 0.5",
    "rate = 1",
    "[time]",
    "[regimes]",
    "extends = \"baseline\"",
    "remove_events = []",
    "[[incidents]]",
    "base_rate = 1e12",
    "half_life = 5e-324",
    "half_life = 1.7976931348623157e308",
    "noise = 1e12",
    "x = 1",
    "[drivers.d]",
    "points = [[\"0000-01\", 0], [\"9999-12\", 1]]",
    "end = \"9999-12\"",
    "start = \"0000-01\"",
    "[influences]",
    "\"x -> x\" = { weight = 1e12, lag = 4294967295 }",
    "\"x -> x\" = { weight = -1e12, lag = 18446744073709551615 }",
    "rate_by = { x = 1e12 }",
    "jump = { x = { dist = \"normal\", mean = 0, sd = 1e11 } }",
    "[ensemble]",
    "runs = 4294967295",
    "quantiles = [1e-300]",
    "",
    "#",
    "\u{feff}",
    "\r\n",
    "bias = -1e12",
    "min = -1e12",
    "max = 1e12",
    "response = \"logistic\"",
];

fn mutation(c: Chaos) -> BoxedStrategy<Mutation> {
    pick(vec![
        (
            24,
            (any::<Index>(), num(c, -1.0f64..1.0), int(c, 0..100))
                .prop_map(|(i, n, k)| Mutation::Number(i, n, k))
                .boxed(),
        ),
        (
            c.w(0, 2, 2),
            (any::<Index>(), quoted_text(c))
                .prop_map(|(i, s)| Mutation::Str(i, s))
                .boxed(),
        ),
        (
            c.w(1, 2, 2),
            any::<Index>().prop_map(Mutation::DeleteLine).boxed(),
        ),
        (
            c.w(0, 2, 2),
            any::<Index>().prop_map(Mutation::DuplicateLine).boxed(),
        ),
        (
            c.w(0, 1, 1),
            (any::<Index>(), any::<Index>())
                .prop_map(|(a, b)| Mutation::MoveLine(a, b))
                .boxed(),
        ),
        (
            c.w(1, 2, 2),
            (any::<Index>(), prop::sample::select(INSERT_LINES))
                .prop_map(|(i, l)| Mutation::InsertLine(i, l.into()))
                .boxed(),
        ),
        (
            c.w(0, 2, 4),
            (any::<Index>(), 0u8..3, any::<u8>())
                .prop_map(|(i, op, b)| Mutation::Byte(i, op, b))
                .boxed(),
        ),
        (
            c.w(0, 1, 1),
            any::<Index>().prop_map(Mutation::Truncate).boxed(),
        ),
        (1, Just(Mutation::Crlf).boxed()),
    ])
}

/// Byte ranges of number tokens and of basic-string tokens (outside comments).
fn tokens(text: &[u8]) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
    let (mut nums, mut strs) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'#' => {
                while i < text.len() && text[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < text.len() && text[i] != b'"' && text[i] != b'\n' {
                    if text[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let end = (i + 1).min(text.len());
                strs.push(start..end);
                i = end;
            }
            c if (c.is_ascii_digit()
                || ((c == b'-' || c == b'+')
                    && text.get(i + 1).is_some_and(u8::is_ascii_digit)))
                && (i == 0 || !(text[i - 1].is_ascii_alphanumeric() || text[i - 1] == b'_')) =>
            {
                let start = i;
                i += 1;
                while i < text.len()
                    && (text[i].is_ascii_alphanumeric()
                        || matches!(text[i], b'.' | b'_' | b'+' | b'-'))
                {
                    i += 1;
                }
                nums.push(start..i);
            }
            _ => i += 1,
        }
    }
    (nums, strs)
}

fn line_ranges(text: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.iter().enumerate() {
        if *b == b'\n' {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out
}

fn mutate(text: &mut Vec<u8>, m: &Mutation) {
    let splice = |text: &mut Vec<u8>, r: Range<usize>, with: &[u8]| {
        text.splice(r, with.iter().copied());
    };
    match m {
        Mutation::Number(i, n, k) => {
            let (nums, _) = tokens(text);
            if !nums.is_empty() {
                let r = nums[i.index(nums.len())].clone();
                let whole = text[r.clone()]
                    .iter()
                    .all(|b| b.is_ascii_digit() || *b == b'-' || *b == b'+');
                splice(text, r, if whole { k.as_bytes() } else { n.as_bytes() });
            }
        }
        Mutation::Str(i, s) => {
            let (_, strs) = tokens(text);
            if !strs.is_empty() {
                splice(text, strs[i.index(strs.len())].clone(), s.as_bytes());
            }
        }
        Mutation::DeleteLine(i) => {
            let lines = line_ranges(text);
            if !lines.is_empty() {
                splice(text, lines[i.index(lines.len())].clone(), b"");
            }
        }
        Mutation::DuplicateLine(i) => {
            let lines = line_ranges(text);
            if !lines.is_empty() {
                let r = lines[i.index(lines.len())].clone();
                let mut copy = text[r.clone()].to_vec();
                if copy.last() != Some(&b'\n') {
                    copy.insert(0, b'\n');
                }
                splice(text, r.end..r.end, &copy);
            }
        }
        Mutation::MoveLine(a, b) => {
            let lines = line_ranges(text);
            if lines.len() > 1 {
                let r = lines[a.index(lines.len())].clone();
                let mut moved = text[r.clone()].to_vec();
                if moved.last() != Some(&b'\n') {
                    moved.push(b'\n');
                }
                splice(text, r, b"");
                let lines = line_ranges(text);
                let at = if lines.is_empty() {
                    0
                } else {
                    lines[b.index(lines.len())].start
                };
                splice(text, at..at, &moved);
            }
        }
        Mutation::InsertLine(i, l) => {
            let lines = line_ranges(text);
            let at = if lines.is_empty() {
                0
            } else {
                lines[i.index(lines.len())].start
            };
            splice(text, at..at, format!("{l}\n").as_bytes());
        }
        Mutation::Byte(i, op, b) => {
            let at = i.index(text.len() + 1);
            match op {
                0 => text.insert(at, *b),
                1 if at < text.len() => {
                    text.remove(at);
                }
                _ if at < text.len() => text[at] = *b,
                _ => text.push(*b),
            }
        }
        Mutation::Truncate(i) => {
            let at = i.index(text.len() + 1);
            text.truncate(at);
        }
        Mutation::Crlf => {
            let mut out = Vec::with_capacity(text.len() + text.len() / 16);
            for &b in text.iter() {
                if b == b'\n' {
                    out.push(b'\r');
                }
                out.push(b);
            }
            *text = out;
        }
    }
}

// ===================================================================
// Cases

#[derive(Clone, Debug)]
struct Names {
    vars: Vec<String>,
    drivers: Vec<String>,
    events: Vec<String>,
    incidents: Vec<String>,
    observations: Vec<String>,
}

#[derive(Clone, Debug)]
struct Generated {
    names: Names,
    /// 1, 2 or 3 files: main, parent, grandparent.
    files: u8,
    /// `extends` of the main file and of the parent.
    extends: (Option<String>, Option<String>),
    /// `remove_events` of the main file and of the parent.
    removes: (Option<String>, Option<String>),
    top: Vec<Line>,
    /// Variables written as dotted keys at the top (`variables.x.rate = 1`).
    dotted: bool,
    time: Option<Table>,
    ensemble: Option<Table>,
    vars: Vec<Table>,
    drivers: Vec<Table>,
    influences: Option<Table>,
    events: Vec<Table>,
    incidents: Vec<Table>,
    regimes: Option<Table>,
    junk: Vec<Table>,
    mutations: Vec<Mutation>,
    observing: Observing,
}

/// `[[observations]]`, `remove_observations` and a CSV file of observations.
#[derive(Clone, Debug)]
struct Observing {
    names: Vec<String>,
    tables: Vec<Table>,
    /// `remove_observations` of the main file.
    removes: Option<String>,
    /// `obs.csv`, next to the scenario files.
    csv: Option<String>,
}

/// Observation dates: mostly in the first years after 2020-01.
fn obs_date(c: Chaos) -> BoxedStrategy<String> {
    prop_oneof![
        c.w(30, 10, 6) => (0i64..30).prop_map(|o| ym(BASE_MONTH + o)).boxed(),
        1 => date(c),
    ]
    .boxed()
}

fn observation_table(c: Chaos) -> BoxedStrategy<Table> {
    let kind = prop_oneof![
        4 => Just(0u8), // value and sd
        4 => Just(1u8), // lo and/or hi
        2 => Just(2u8), // band
        1 => Just(3u8), // file
    ];
    let what = (
        obs_date(c),
        source_ref(),
        0usize..4,
        (num(c, -0.2f64..1.2), num(c, 0.01f64..0.3)),
        (num(c, -0.5f64..0.5), num(c, 0.5f64..1.5), 0u8..3),
    );
    let extra = (
        prop::option::weighted(0.3, unbounded(c, 0.0f64..0.1)),
        prop::option::weighted(0.15, num(c, 0.5f64..3.0)),
        prop::option::weighted(0.15, num(c, -1.0f64..1.0)),
        prop::bool::weighted(0.5),
        prop::option::weighted(0.2, quoted_text(c)),
        prop::bool::weighted(c.p(0.0, 0.1, 0.3)),
        prop::sample::select(
            &[
                "\"obs.csv\"",
                "\"missing.csv\"",
                "\"main.toml\"",
                "\"\"",
                "\"/\"",
                "\"../obs.csv\"",
                "5",
            ][..],
        ),
    );
    (layer(), kind, what, extra, junk_line(c))
        .prop_map(
            move |(
                layer,
                kind,
                (date, src, band, (value, sd), (lo, hi, sides)),
                (softness, scale, offset, named, source, mixed, file),
                junk,
            )| {
                let mut l: Vec<String> = Vec::new();
                if kind == 3 {
                    l.push(format!(
                        "file = {}",
                        if c.0 == 0 { "\"obs.csv\"" } else { file }
                    ));
                    if mixed {
                        l.push(format!("date = {date}"));
                    }
                } else {
                    l.push(format!("date = {date}"));
                    if kind == 2 {
                        l.push(format!("band = \"b{band}\""));
                    } else {
                        l.push(format!("variable = {}", tok("sq", src)));
                    }
                    if kind == 0 || mixed {
                        l.push(format!("value = {value}"));
                        l.push(format!("sd = {sd}"));
                    }
                    if kind == 1 || (mixed && kind == 2) {
                        if sides != 1 {
                            l.push(format!("lo = {lo}"));
                        }
                        if sides != 0 {
                            l.push(format!("hi = {hi}"));
                        }
                    }
                    if kind != 0 {
                        l.extend(softness.map(|s| format!("softness = {s}")));
                    }
                    if kind != 2 || mixed {
                        l.extend(scale.map(|s| format!("scale = {s}")));
                        l.extend(offset.map(|s| format!("offset = {s}")));
                    }
                    if named {
                        l.push("name = ".into()); // named when assembled
                    }
                    l.extend(source.map(|s| format!("source = {s}")));
                }
                Table {
                    layer,
                    header: Header::Item("observations".into()),
                    lines: l.into_iter().map(|s| (layer, s)).chain(junk).collect(),
                }
            },
        )
        .boxed()
}

const CSV_HEADERS: &[&str] = &[
    "date,variable,value,sd",
    "date,variable,lo,hi,source",
    "date,variable,lo",
    "date,band,source",
    "variable,date,sd,value,name",
    "date,variable,hi,softness,scale,offset",
];

/// A CSV file of observations, rows matching one of [`CSV_HEADERS`].
fn obs_csv(c: Chaos) -> BoxedStrategy<String> {
    let row = (
        0i64..30,
        source_ref(),
        0usize..4,
        num(c, -0.2f64..1.2),
        num(c, 0.01f64..0.5),
        text(c),
        0u8..12,
    );
    let weird = prop::sample::select(
        &[
            "",
            "\u{feff}",
            "# coded by hand\n",
            "date\n",
            "date,variable,value,sd,extra\n",
            "date,date\n",
            "\"date\",\"variable\",\"value\",\"sd\"\n",
        ][..],
    );
    (
        0..CSV_HEADERS.len(),
        prop::collection::vec(row, 0..6),
        prop::option::weighted(c.p(0.02, 0.2, 0.4), weird),
        prop::bool::weighted(0.1),
    )
        .prop_map(move |(h, rows, weird, crlf)| {
            let header = CSV_HEADERS[h];
            let mut out = String::from("# observations for the fuzz harness\n");
            if let Some(w) = weird {
                out += w;
            }
            out += header;
            out += "\n";
            for (off, src, band, x, y, t, odd) in rows {
                let cells: Vec<String> = header
                    .split(',')
                    .map(|col| match col {
                        "date" => ym(BASE_MONTH + off).trim_matches('"').to_string(),
                        "variable" => tok("sc", src),
                        "band" => format!("b{band}"),
                        "value" | "lo" | "offset" => x.clone(),
                        "hi" => format!("{}", x.parse::<f64>().map_or(1.0, |v| v + 0.5)),
                        "sd" | "softness" => y.clone(),
                        "scale" => "2".to_string(),
                        _ => csv_cell(&t),
                    })
                    .collect();
                let mut line = cells.join(",");
                match odd {
                    0 => line.push(','),                     // one cell too many
                    1 => line = line.replacen(',', ",,", 1), // shifted
                    2 => line.insert(0, '"'),                // unclosed quote
                    _ => {}
                }
                out += &line;
                out += "\n";
            }
            if crlf {
                out = out.replace('\n', "\r\n");
            }
            out
        })
        .boxed()
}

fn observing(c: Chaos) -> BoxedStrategy<Observing> {
    (
        prop::collection::vec(text(c), 0..5),
        prop_oneof![
            3 => Just(Vec::new()).boxed(),
            2 => prop::collection::vec(observation_table(c), 1..5).boxed(),
        ],
        prop::option::weighted(
            c.p(0.05, 0.2, 0.2),
            prop_oneof![
                4 => prop::collection::vec(0usize..5, 0..3)
                    .prop_map(|v| format!("[{}]", v.iter().map(|i| tok("oq", *i)).collect::<Vec<_>>().join(", ")))
                    .boxed(),
                1 => prop::sample::select(&["[\"obs.csv\"]", "[]", "[\"2020-05 x\"]", "\"obs.csv\"", "[1]"][..])
                    .prop_map(String::from)
                    .boxed(),
            ],
        ),
        obs_csv(c),
    )
        .prop_map(|(names, mut tables, removes, csv)| {
            let mut uses_file = false;
            for (i, t) in tables.iter_mut().enumerate() {
                for l in &mut t.lines {
                    if l.1 == "name = " {
                        l.1 = format!("name = {}", tok("oq", i));
                    }
                    uses_file |= l.1.starts_with("file = ");
                }
            }
            Observing {
                names: dedup_by(names, String::clone),
                tables,
                removes,
                csv: uses_file.then_some(csv),
            }
        })
        .boxed()
}

#[derive(Clone, Debug)]
struct Mutant {
    base: Index,
    mutations: Vec<Mutation>,
}

#[derive(Clone, Debug)]
enum Body {
    Generated(Box<Generated>),
    Mutant(Mutant),
    /// A large valid scenario of one kind ([`render_stress`]), size `n`.
    Stress {
        kind: u8,
        n: usize,
        seed: u64,
    },
}

/// How the simulation of a compiled model is exercised.
#[derive(Clone, Debug)]
struct Sim {
    seed: u64,
    runs: u64,
    /// The window and variable `explain` is asked about (taken modulo).
    window: (usize, usize),
    var: usize,
}

#[derive(Clone, Debug)]
struct Case {
    chaos: u8,
    runs_seed: (Option<u64>, Option<u64>),
    body: Body,
    sets: Vec<String>,
    sim: Sim,
}

fn names(c: Chaos) -> BoxedStrategy<Names> {
    (
        prop::collection::vec(ident(c), 1..6),
        prop::collection::vec(ident(c), 0..4),
        prop::collection::vec(text(c), 0..6),
        prop::collection::vec(text(c), 0..4),
        prop::bool::weighted(c.p(0.005, 0.05, 0.1)),
    )
        .prop_map(|(vars, drivers, events, incidents, keep_duplicates)| {
            if keep_duplicates {
                return Names {
                    vars,
                    drivers,
                    events,
                    incidents,
                    observations: Vec::new(),
                };
            }
            let vars = dedup_by(vars, String::clone);
            let drivers = dedup_by(drivers, String::clone)
                .into_iter()
                .filter(|d| !vars.contains(d))
                .collect();
            Names {
                vars,
                drivers,
                events: dedup_by(events, String::clone),
                incidents: dedup_by(incidents, String::clone),
                observations: Vec::new(),
            }
        })
        .boxed()
}

fn extends_child(c: Chaos) -> BoxedStrategy<String> {
    prop_oneof![
        c.w(40, 8, 8) => Just("\"parent\"").boxed(),
        c.w(10, 3, 3) => Just("\"parent.toml\"").boxed(),
        1 => Just("\"./parent.toml\"").boxed(),
        1 => Just("\"baseline\"").boxed(),
        1 => prop::sample::select(&[
            "\"main\"", "\"missing\"", "5", "\"\"", "\"/\"", "\".\"", "\"..\"", "[\"parent\"]",
            "\"../parent.toml\"", "\"PARENT\"", "\"parent.TOML\"", "\"scenarios/baseline.toml\"",
            "\"tests/fixtures/small.toml\"", "\"proxy_drift\"", "\"parent/\"", "\"parent\\u0000\"",
            "\"grand\"", "{ name = \"parent\" }",
        ][..])
        .boxed(),
    ]
    .prop_map(String::from)
    .boxed()
}

fn extends_parent(c: Chaos) -> BoxedStrategy<String> {
    prop_oneof![
        c.w(40, 8, 8) => Just("\"grand\"").boxed(),
        c.w(10, 2, 2) => Just("\"grand.toml\"").boxed(),
        1 => prop::sample::select(&["\"main\"", "\"parent\"", "\"baseline\"", "\"missing\"", "\"main.toml\""][..]).boxed(),
    ]
    .prop_map(String::from)
    .boxed()
}

fn removes(c: Chaos) -> BoxedStrategy<String> {
    prop_oneof![
        c.w(30, 6, 4) => prop::collection::vec(0usize..5, 0..3)
            .prop_map(|v| format!("[{}]", v.iter().map(|i| tok("eq", *i)).collect::<Vec<_>>().join(", ")))
            .boxed(),
        1 => prop::sample::select(&[
            "[]", "\"e\"", "[1]", "[\"no such event\"]", "[\"AZAL airliner downed by Russian air defence\"]", "{}",
        ][..])
        .prop_map(String::from)
        .boxed(),
    ]
    .boxed()
}

fn generated(c: Chaos) -> BoxedStrategy<Generated> {
    let top = vec![
        line(0.3, "name", quoted_text(c)),
        line(0.2, "title", quoted_text(c)),
        line(0.1, "description", quoted_text(c)),
    ];
    let structure = (
        names(c),
        prop_oneof![6 => Just(1u8), 3 => Just(2u8), 2 => Just(3u8)],
        (
            prop::option::weighted(0.9, extends_child(c)),
            prop::option::weighted(0.85, extends_parent(c)),
            prop::option::weighted(c.p(0.08, 0.25, 0.25), removes(c)),
            prop::option::weighted(c.p(0.03, 0.1, 0.1), removes(c)),
        ),
        (top, junk_line(c)),
        prop::bool::weighted(0.08),
    );
    let sections = (
        maybe(c.p(1.0, 0.95, 0.9), time_table(c)),
        prop::option::weighted(0.3, ensemble_table(c)),
        prop::collection::vec(variable_table(c), c.w(2, 1, 0) as usize..7),
        prop::collection::vec(driver_table(c), 0..4),
        prop::option::weighted(0.7, influences_table(c)),
        prop::collection::vec(event_table(c), 0..5),
        prop::collection::vec(incident_table(c), 0..3),
        prop::option::weighted(0.3, regimes_table(c)),
        prop::collection::vec(junk_table(c), 0..c.w(1, 2, 3) as usize),
        prop_oneof![
            c.w(100, 12, 6) => Just(Vec::new()).boxed(),
            2 => prop::collection::vec(mutation(c), 1..4).boxed()
        ],
    );
    (structure, sections, observing(c))
        .prop_map(
            move |(
                (
                    mut names,
                    files,
                    (ext_child, ext_parent, rm_child, rm_parent),
                    (top, junk),
                    dotted,
                ),
                (
                    time,
                    ensemble,
                    mut vars,
                    mut drivers,
                    influences,
                    mut events,
                    mut incidents,
                    regimes,
                    junk_tables,
                    mutations,
                ),
                observing,
            )| {
                names.observations = observing.names.clone();
                // One name per table, so that source i (variables, then
                // drivers) is the i-th table written.
                names.vars.truncate(vars.len());
                while names.vars.len() < vars.len() {
                    names
                        .vars
                        .push(format!("undefined_variable_{}", names.vars.len()));
                }
                names.drivers.truncate(drivers.len());
                while names.drivers.len() < drivers.len() {
                    names
                        .drivers
                        .push(format!("undefined_driver_{}", names.drivers.len()));
                }
                for (i, t) in vars.iter_mut().enumerate() {
                    t.header = Header::Table(format!("variables.{}", tok("vk", i)));
                }
                for (i, t) in drivers.iter_mut().enumerate() {
                    t.header = Header::Table(format!("drivers.{}", tok("dk", i)));
                }
                for (kind, list) in [("eq", &mut events), ("iq", &mut incidents)] {
                    for (i, t) in list.iter_mut().enumerate() {
                        for l in &mut t.lines {
                            if l.1 == "name = " {
                                l.1 = format!("name = {}", tok(kind, i));
                            }
                        }
                    }
                }
                // A single file has nothing to extend, except a built-in scenario now and then.
                let (ext_child, ext_parent) = match files {
                    1 => (
                        ext_child.filter(|e| e.contains("baseline") && !e.contains('/')),
                        None,
                    ),
                    2 => (ext_child, ext_parent.filter(|e| !e.contains("grand"))),
                    _ => (ext_child, ext_parent),
                };
                // Calm cases remove events only where there is a parent.
                let calm = c.0 == 0;
                let rm_child = rm_child.filter(|_| !calm || (files > 1 && ext_child.is_some()));
                let rm_parent = rm_parent.filter(|_| !calm || (files > 2 && ext_parent.is_some()));
                Generated {
                    names,
                    files,
                    extends: (ext_child, ext_parent),
                    removes: (rm_child, rm_parent),
                    top: top.into_iter().flatten().chain(junk).collect(),
                    dotted,
                    time,
                    ensemble,
                    vars,
                    drivers,
                    influences,
                    events,
                    incidents,
                    regimes,
                    junk: junk_tables,
                    mutations,
                    observing,
                }
            },
        )
        .boxed()
}

/// Cases at every level of chaos: half calm, three in ten some, two wild.
fn case_strategy() -> BoxedStrategy<Case> {
    prop_oneof![
        5 => case_at(Chaos::CALM),
        3 => case_at(Chaos::SOME),
        2 => case_at(Chaos::WILD),
    ]
    .boxed()
}

fn case_at(c: Chaos) -> BoxedStrategy<Case> {
    let body = prop_oneof![
        50 => generated(c).prop_map(|g| Body::Generated(Box::new(g))).boxed(),
        1 => (0u8..STRESS_KINDS, 1usize..stress_max(), any::<u64>())
            .prop_map(|(kind, n, seed)| Body::Stress { kind, n, seed })
            .boxed(),
        20 => (any::<Index>(), prop::collection::vec(mutation(c), 1..c.w(3, 5, 6) as usize))
            .prop_map(|(base, mutations)| Body::Mutant(Mutant { base, mutations }))
            .boxed(),
    ];
    let sets = prop_oneof![
        c.w(12, 5, 5) => Just(Vec::new()).boxed(),
        3 => prop::collection::vec(set_arg(c), 1..4).boxed(),
    ];
    let sim = (
        any::<u64>(),
        prop_oneof![24 => 1u64..5, 2 => 60u64..70, 1 => 250u64..300],
        any::<(usize, usize)>(),
        any::<usize>(),
    )
        .prop_map(|(seed, runs, window, var)| Sim {
            seed,
            runs,
            window,
            var,
        });
    let flag = || {
        prop::option::weighted(
            0.15,
            prop_oneof![
                4 => 1u64..300,
                1 => prop::sample::select(&[0, 1, u32::MAX as u64, u32::MAX as u64 + 1, i64::MAX as u64, i64::MAX as u64 + 1, u64::MAX][..]),
                1 => any::<u64>(),
            ],
        )
    };
    (body, sets, sim, (flag(), flag()))
        .prop_map(move |(body, sets, sim, runs_seed)| Case {
            chaos: c.0,
            runs_seed,
            body,
            sets,
            sim,
        })
        .boxed()
}

// ===================================================================
// Rendering a case into files and arguments

/// A case as the library sees it.
#[derive(Clone, Debug)]
struct Input {
    /// Files to write, (name, bytes); the first is the main file.
    files: Vec<(String, Vec<u8>)>,
    /// Load through `load_text` under this display name (one file), or
    /// through `load` of the written main file.
    text_display: Option<String>,
    sets: Vec<String>,
    /// `--runs` and `--seed` (only through `load_request`, for files).
    runs_seed: (Option<u64>, Option<u64>),
    /// A large scenario: simulated up to [`max_big_cells`].
    big: bool,
    sim: Sim,
    chaos: u8,
}

impl Input {
    fn describe(&self) -> String {
        let mut out = String::new();
        match &self.text_display {
            Some(d) => out += &format!("load_text({d:?}, <text below>, &sets)\n"),
            None => {
                out += "load(\"<folder>/main.toml\", &sets) with the files below in one folder\n"
            }
        }
        for (name, bytes) in &self.files {
            let text = String::from_utf8_lossy(bytes);
            out += &format!("----- {name} ({} bytes) -----\n{text}", bytes.len());
            if !text.ends_with('\n') {
                out += "\n";
            }
            let printable = text
                .chars()
                .all(|c| !c.is_control() || c == '\n' || c == '\t')
                && std::str::from_utf8(bytes).is_ok();
            if !printable || text.len() < 400 {
                out += &format!("----- {name} as a Rust string -----\n{text:?}\n");
                if std::str::from_utf8(bytes).is_err() {
                    out += &format!("----- {name} bytes -----\n{bytes:?}\n");
                }
            }
        }
        out += &format!("----- sets -----\n{:?}\n", self.sets);
        if self.text_display.is_none() {
            out += &format!("----- --runs, --seed: {:?}\n", self.runs_seed);
        }
        out += &format!(
            "----- sim: seed {}, ensemble runs {}\n",
            self.sim.seed, self.sim.runs
        );
        out
    }
}

/// The `i`-th name, or a name of its own that nothing defines (so that
/// distinct references never collide).
fn name_of(list: &[String], i: usize, undefined: &str) -> String {
    list.get(i)
        .cloned()
        .unwrap_or_else(|| format!("{undefined}_{i}"))
}

/// Replaces every name reference by the name, written for its context.
fn resolve(text: &str, n: &Names) -> String {
    if !text.contains(MARK) {
        return text.to_string();
    }
    let sources: Vec<String> = n.vars.iter().chain(&n.drivers).cloned().collect();
    let mut out = String::with_capacity(text.len());
    for (k, part) in text.split(MARK).enumerate() {
        if k % 2 == 0 {
            out.push_str(part);
            continue;
        }
        let (what, form) = (&part[..1], &part[1..2]);
        let i: usize = part[2..].parse().unwrap_or(0);
        let name = match what {
            "v" => name_of(&n.vars, i, "undefined_variable"),
            "d" => name_of(&n.drivers, i, "undefined_driver"),
            "s" => name_of(&sources, i, "undefined_source"),
            "e" => name_of(&n.events, i, "undefined_event"),
            "o" => name_of(&n.observations, i, "undefined_observation"),
            _ => name_of(&n.incidents, i, "undefined_incident"),
        };
        out.push_str(&match form {
            "k" => key(&name),
            "s" => esc(&name),
            "q" => quote(&name),
            "p" => seg(&name),
            "c" => csv_cell(&name),
            _ => name, // raw
        });
    }
    out
}

fn render_generated(g: &Generated, sets: &[String], sim: &Sim) -> Input {
    let files = g.files.max(1) as usize;
    let file_of = |layer: u8| (layer as usize).min(files - 1);
    let mut texts = vec![String::new(); files];
    let push = |texts: &mut Vec<String>, f: usize, s: &str| {
        texts[f].push_str(&resolve(s, &g.names));
        texts[f].push('\n');
    };
    if let Some(e) = &g.extends.0 {
        push(&mut texts, 0, &format!("extends = {e}"));
    }
    if let Some(r) = &g.removes.0 {
        push(&mut texts, 0, &format!("remove_events = {r}"));
    }
    if let Some(r) = &g.observing.removes {
        push(&mut texts, 0, &format!("remove_observations = {r}"));
    }
    if files > 1 {
        if let Some(e) = &g.extends.1 {
            push(&mut texts, 1, &format!("extends = {e}"));
        }
        if let Some(r) = &g.removes.1 {
            push(&mut texts, 1, &format!("remove_events = {r}"));
        }
    }
    for (l, s) in &g.top {
        push(&mut texts, file_of(*l), s);
    }
    let mut tables: Vec<&Table> = Vec::new();
    tables.extend(&g.time);
    tables.extend(&g.ensemble);
    if g.dotted {
        // Variables as dotted keys among the top-level keys.
        for t in &g.vars {
            if let Header::Table(h) = &t.header {
                for (l, s) in &t.lines {
                    push(&mut texts, file_of(*l), &format!("{h}.{s}"));
                }
            }
        }
    } else {
        tables.extend(&g.vars);
    }
    tables.extend(&g.drivers);
    tables.extend(&g.influences);
    tables.extend(&g.events);
    tables.extend(&g.incidents);
    tables.extend(&g.regimes);
    tables.extend(&g.observing.tables);
    tables.extend(&g.junk);
    for t in tables {
        match &t.header {
            Header::Table(h) => {
                for (f, text) in texts.iter_mut().enumerate() {
                    let lines: Vec<&Line> =
                        t.lines.iter().filter(|(l, _)| file_of(*l) == f).collect();
                    if lines.is_empty() && file_of(t.layer) != f {
                        continue;
                    }
                    text.push_str(&resolve(&format!("\n[{h}]\n"), &g.names));
                    for (_, s) in lines {
                        text.push_str(&resolve(s, &g.names));
                        text.push('\n');
                    }
                }
            }
            Header::Item(h) => {
                let f = file_of(t.layer);
                push(&mut texts, f, &format!("\n[[{h}]]"));
                for (_, s) in &t.lines {
                    push(&mut texts, f, s);
                }
            }
        }
    }
    let names = ["main.toml", "parent.toml", "grand.toml"];
    let mut out: Vec<(String, Vec<u8>)> = texts
        .into_iter()
        .enumerate()
        .map(|(i, t)| (names[i].to_string(), t.into_bytes()))
        .collect();
    for m in &g.mutations {
        mutate(&mut out[0].1, m);
    }
    if let Some(csv) = &g.observing.csv {
        out.push(("obs.csv".into(), resolve(csv, &g.names).into_bytes()));
    }
    Input {
        text_display: (out.len() == 1).then(|| "main.toml".to_string()),
        files: out,
        sets: sets.iter().map(|s| resolve(s, &g.names)).collect(),
        sim: sim.clone(),
        chaos: 0,
        runs_seed: (None, None),
        big: false,
    }
}

const STRESS_KINDS: u8 = 6;

/// The longest horizon a scenario may have: 2400 months.
const LONGEST: &str = "[time]\nstart = \"1900-01\"\nend = \"2099-12\"\n";

/// Largest size of a stress scenario (`GEOSIM_FUZZ_STRESS_MAX`; default 40,
/// which keeps every case well under a second in a debug build).
fn stress_max() -> usize {
    env_u64("GEOSIM_FUZZ_STRESS_MAX").unwrap_or(40).max(2) as usize
}

/// Large but valid scenarios, to look for slow paths: a dense influence
/// graph (`n / 4 + 2` variables, every pair linked), many events with
/// distinct half-lives, many drivers with many points over the longest
/// horizon, an extends chain `n / 8` files deep, many variables over the
/// longest horizon, and up to 128 variables and 128 drivers (the limit of
/// 256 series) with events and incidents over the longest horizon. They are
/// simulated up to [`max_big_cells`].
fn render_stress(kind: u8, n: usize, seed: u64, sim: &Sim) -> Input {
    let mut state = seed | 1;
    let mut rnd = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut t = String::from("[time]\nstart = \"2020-01\"\nend = \"2021-12\"\n");
    let mut files = Vec::new();
    match kind {
        0 => {
            let nv = n / 4 + 2;
            for i in 0..nv {
                t += &format!(
                    "[variables.v{i}]\ninitial = {}\nrate = {}\n",
                    rnd(),
                    0.05 + 0.9 * rnd()
                );
            }
            t += "[influences]\n";
            for i in 0..nv {
                for j in 0..nv {
                    t += &format!(
                        "\"v{i} -> v{j}\" = {{ weight = {}, lag = {} }}\n",
                        rnd() - 0.5,
                        (rnd() * 3.0) as u32
                    );
                }
            }
        }
        1 => {
            t += "[variables.x]\ninitial = 0.5\nrate = 0.3\n[variables.y]\ninitial = 0.5\nrate = 0.3\nresponse = \"logistic\"\n";
            for e in 0..n * 15 {
                t += &format!(
                    "[[events]]\nname = \"e{e}\"\ndate = {}\njump = {{ x = {} }}\npressure = {{ y = {} }}\nhalf_life = {}\n",
                    ym(BASE_MONTH - 60 + (rnd() * 100.0) as i64),
                    rnd() - 0.5,
                    (rnd() - 0.5) * 1e12,
                    1e-3 + rnd() * 100.0
                );
            }
        }
        2 => {
            t = format!("{LONGEST}[variables.x]\ninitial = 0.5\nrate = 0.3\n");
            let points = n / 4 + 1;
            for d in 0..n.min(255) {
                let mut month = 1900 * 12;
                let list: Vec<String> = (0..points)
                    .map(|_| {
                        month += 1 + (rnd() * (2400.0 / points as f64)) as i64;
                        format!("[{}, {}]", ym(month.min(2100 * 12 - 1)), rnd())
                    })
                    .collect();
                let mut list = list;
                list.dedup();
                t += &format!(
                    "[drivers.d{d}]\ninterpolation = \"linear\"\npoints = [{}]\n",
                    list.join(", ")
                );
            }
        }
        3 => {
            let depth = n / 8 + 2;
            for k in 1..depth {
                let mut f = String::new();
                if k + 1 < depth {
                    f += &format!("extends = \"f{}\"\n", k + 1);
                }
                f += &format!(
                    "[variables.v{k}]\ninitial = 0.5\nrate = 0.5\n[[events]]\nname = \"e{k}\"\ndate = \"2020-06\"\njump = {{ v{k} = 0.1 }}\n"
                );
                files.push((format!("f{k}.toml"), f.into_bytes()));
            }
            t = format!(
                "extends = \"f1\"\nremove_events = [\"e{}\"]\n{t}[variables.v0]\ninitial = 0.5\nrate = 0.5\n",
                depth - 1
            );
        }
        4 => {
            t = LONGEST.into();
            let mut inf = String::from("[influences]\n");
            for i in 0..n.min(256) {
                t += &format!(
                    "[variables.v{i}]\ninitial = {}\nrate = {}\nnoise = 0.01\n",
                    rnd(),
                    rnd().max(0.01)
                );
                if i > 0 {
                    inf += &format!("\"v{} -> v{i}\" = {{ weight = 0.5 }}\n", i - 1);
                }
            }
            t += &inf;
        }
        _ => {
            // Up to the limits: 256 series over 2400 months, everything acting.
            let k = n.clamp(1, 128);
            t = LONGEST.into();
            let mut inf = String::from("[influences]\n");
            for i in 0..k {
                t += &format!(
                    "[variables.v{i}]\ninitial = {}\nrate = {}\nnoise = {}\nbias = {}\nresponse = \"{}\"\n",
                    rnd(),
                    rnd().max(1e-6),
                    rnd() * 0.1,
                    rnd() - 0.5,
                    if i % 2 == 0 { "linear" } else { "logistic" }
                );
                t += &format!(
                    "[drivers.d{i}]\npoints = [[\"1900-01\", {}], [\"2099-12\", {}]]\noffset = {{ dist = \"normal\", mean = 0, sd = 0.1 }}\n",
                    rnd(),
                    rnd()
                );
                inf += &format!("\"d{i} -> v{i}\" = {{ weight = {} }}\n", rnd());
                inf += &format!(
                    "\"v{} -> v{i}\" = {{ weight = {}, lag = {} }}\n",
                    (i + 1) % k,
                    rnd() - 0.5,
                    i % 13
                );
            }
            t += &inf;
            for e in 0..k {
                t += &format!(
                    "[[events]]\nname = \"e{e}\"\ndate = {}\npressure = {{ v{e} = {} }}\nhalf_life = {}\n",
                    ym(1900 * 12 + (rnd() * 2400.0) as i64),
                    rnd() - 0.5,
                    1.0 + e as f64
                );
                t += &format!(
                    "[[incidents]]\nname = \"i{e}\"\nbase_rate = {}\nrate_by = {{ v{e} = 2 }}\njump = {{ v{e} = {{ dist = \"normal\", mean = 0, sd = 0.05 }} }}\n",
                    rnd() * 0.2
                );
            }
        }
    }
    let mut all = vec![("main.toml".to_string(), t.into_bytes())];
    all.extend(files);
    Input {
        text_display: (all.len() == 1).then(|| "main.toml".to_string()),
        files: all,
        sets: Vec::new(),
        runs_seed: (None, None),
        big: true,
        sim: sim.clone(),
        chaos: 0,
    }
}

/// A valid scenario to mutate: its path (relative to the crate) and text.
#[derive(Clone, Debug)]
struct Base {
    display: String,
    text: String,
    names: Names,
}

/// Names of variables, drivers and events found in a scenario text.
fn scan_names(text: &str) -> Names {
    let mut n = Names {
        vars: vec![],
        drivers: vec![],
        events: vec![],
        incidents: vec![],
        observations: vec![],
    };
    let mut section = "";
    for l in text.lines() {
        let l = l.trim();
        if let Some(v) = l.strip_prefix("[variables.") {
            n.vars
                .push(v.trim_end_matches(']').trim_matches('"').to_string());
        } else if let Some(d) = l.strip_prefix("[drivers.") {
            n.drivers
                .push(d.trim_end_matches(']').trim_matches('"').to_string());
        }
        if l.starts_with("[[events]]") {
            section = "e";
        } else if l.starts_with("[[incidents]]") {
            section = "i";
        } else if l.starts_with('[') {
            section = "";
        }
        if let Some(v) = l.strip_prefix("name = \"") {
            let v = v.trim_end_matches('"').to_string();
            match section {
                "e" => n.events.push(v),
                "i" => n.incidents.push(v),
                _ => {}
            }
        }
    }
    n
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bases() -> Vec<Base> {
    let root = crate_dir();
    let mut out = Vec::new();
    for dir in ["scenarios", "tests/fixtures", "tests/fuzz/corpus"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            // The extends cycle of the fixtures fails whatever is mutated.
            .filter(|p| {
                !p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("cycle")
            })
            .collect();
        paths.sort();
        for p in paths {
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            let display = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
            let names = scan_names(&text);
            out.push(Base {
                display,
                text,
                names,
            });
        }
    }
    assert!(!out.is_empty(), "no scenario to mutate in scenarios/");
    out
}

fn render(case: &Case, bases: &[Base]) -> Input {
    let mut input = render_body(case, bases);
    input.chaos = case.chaos;
    input.runs_seed = case.runs_seed;
    input
}

fn render_body(case: &Case, bases: &[Base]) -> Input {
    match &case.body {
        Body::Stress { kind, n, seed } => render_stress(*kind, *n, *seed, &case.sim),
        Body::Generated(g) => render_generated(g, &case.sets, &case.sim),
        Body::Mutant(m) => {
            let base = &bases[m.base.index(bases.len())];
            let mut bytes = base.text.clone().into_bytes();
            for mu in &m.mutations {
                mutate(&mut bytes, mu);
            }
            Input {
                files: vec![(base.display.clone(), bytes)],
                text_display: Some(base.display.clone()),
                sets: case.sets.iter().map(|s| resolve(s, &base.names)).collect(),
                sim: case.sim.clone(),
                chaos: 0,
                runs_seed: (None, None),
                big: false,
            }
        }
    }
}

// ===================================================================
// Running one case

/// What a case reached, for the statistics.
#[derive(Clone, Debug, Default)]
struct Outcome {
    /// The first error message of a scenario that did not load, shortened.
    error: Option<String>,
    compiled: bool,
    simulated: bool,
}

#[derive(Clone, Debug)]
struct Failure {
    /// What identifies the bug: the panic's place, or the property broken.
    signature: String,
    detail: String,
}

fn fail(signature: impl Into<String>, detail: impl Into<String>) -> Failure {
    Failure {
        signature: signature.into(),
        detail: detail.into(),
    }
}

thread_local! {
    static IN_CASE: Cell<bool> = const { Cell::new(false) };
}
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

/// Captures panics of fuzz cases (their thread, or the unnamed rayon workers
/// they start) instead of printing them; other threads print as usual.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let ours = IN_CASE.with(Cell::get)
                || (ACTIVE.load(Ordering::SeqCst) > 0 && std::thread::current().name().is_none());
            if ours {
                let place = info
                    .location()
                    .map_or("?".to_string(), |l| format!("{}:{}", l.file(), l.line()));
                let msg = payload_text(info.payload());
                let bt = std::backtrace::Backtrace::force_capture();
                PANICS
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(format!(
                        "{place}\n{msg}\n{}",
                        short_backtrace(&bt.to_string())
                    ));
            } else {
                previous(info);
            }
        }));
    });
}

fn payload_text(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".into()
    }
}

/// The frames of a backtrace that belong to geosim.
fn short_backtrace(bt: &str) -> String {
    let lines: Vec<&str> = bt.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.contains("geosim::") && !l.contains("fuzz::") {
            out.push(l.trim().to_string());
            if let Some(next) = lines.get(i + 1)
                && next.trim_start().starts_with("at ")
            {
                out.push(format!("    {}", next.trim()));
            }
        }
    }
    out.truncate(24);
    out.join("\n")
}

/// Loads a case: through files in `dir`, or from text.
fn load(input: &Input, dir: &Path) -> Result<scenario::Scenario, LoadError> {
    match &input.text_display {
        Some(display) => {
            let text = String::from_utf8_lossy(&input.files[0].1);
            scenario::load_text(display, &text, &input.sets)
        }
        None => {
            if let Ok(entries) = std::fs::read_dir(dir) {
                for e in entries.flatten() {
                    let _ = std::fs::remove_file(e.path());
                }
            }
            for (name, bytes) in &input.files {
                std::fs::write(dir.join(name), bytes).expect("write a case file");
            }
            let request = scenario::Request {
                sets: &input.sets,
                runs: input.runs_seed.0,
                seed: input.runs_seed.1,
                condition: false,
            };
            scenario::load_request(&dir.join("main.toml").display().to_string(), &request)
        }
    }
}

/// Renders a load error the way the CLI does; returns its first message.
fn render_error(e: LoadError) -> String {
    let err: geosim::error::Error = e.into();
    let plain = err.to_string();
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_context_lines(1);
    let mut out = String::new();
    match &err {
        geosim::error::Error::Scenario(errs) => {
            for one in &errs.errors {
                let _ = handler.render_report(&mut out, one);
                let _ = one.to_string();
            }
        }
        other => {
            let _ = handler.render_report(&mut out, other);
        }
    }
    let first = match &err {
        geosim::error::Error::Scenario(errs) => errs
            .errors
            .first()
            .map_or(plain.clone(), |e| e.message.clone()),
        _ => plain,
    };
    shorten_message(&first)
}

/// An error message without its place and names, for counting kinds.
fn shorten_message(m: &str) -> String {
    // Drop "file:line:col: ".
    let m = match m.match_indices(": ").find(|(i, _)| {
        m[..*i]
            .rsplit(':')
            .next()
            .is_some_and(|c| c.chars().all(|d| d.is_ascii_digit()))
    }) {
        Some((i, _)) => &m[i + 2..],
        None => m,
    };
    let mut out = String::new();
    let mut in_tick = false;
    for c in m.chars().take(90) {
        if c == '`' {
            in_tick = !in_tick;
            if in_tick {
                out.push_str("`…");
            }
        } else if !in_tick && !c.is_ascii_digit() {
            out.push(c);
        }
    }
    out
}

fn first_nonfinite(values: &[f64], ns: usize) -> Option<(usize, usize, f64)> {
    values
        .iter()
        .position(|x| !x.is_finite())
        .map(|i| (i / ns.max(1), i % ns.max(1), values[i]))
}

fn series_kind(m: &Model, s: usize) -> &'static str {
    if s < m.n_vars() { "variable" } else { "driver" }
}

fn value_kind(x: f64) -> &'static str {
    if x.is_nan() { "NaN" } else { "infinite" }
}

fn check_trajectory(m: &Model, traj: &[f64], what: &str) -> Result<(), Failure> {
    let ns = m.n_sources();
    if let Some((t, s, x)) = first_nonfinite(traj, ns) {
        return Err(fail(
            format!("non-finite {what}: {} {}", series_kind(m, s), value_kind(x)),
            format!(
                "{what}: month {t} ({}), series {s} `{}` = {x}",
                m.date(t),
                m.source_name(geosim::model::SourceId(s))
            ),
        ));
    }
    // Every state and driver value is clamped into its bounds.
    for (i, &x) in traj.iter().enumerate() {
        let (t, s) = (i / ns.max(1), i % ns.max(1));
        let (lo, hi) = m.source_bounds(s);
        if !(lo <= x && x <= hi) {
            return Err(fail(
                format!("{what} outside the bounds: {}", series_kind(m, s)),
                format!(
                    "{what}: month {t}, series {s} `{}` = {x}, bounds {lo}..{hi}",
                    m.source_name(geosim::model::SourceId(s))
                ),
            ));
        }
    }
    Ok(())
}

/// The statistics of runs `0..runs`, each run on its own through
/// `stochastic_run`, folded as the ensemble documents it: Welford within
/// groups of 64 runs, the groups merged along the group tree, histograms
/// summed.
fn reference_stats(m: &Model, runs: u64, seed: u64) -> geosim::stats::EnsembleStats {
    use geosim::stats::tree::GroupTree;
    use geosim::stats::{Distribution, Layout, Moments};
    let layout = Layout::new(m);
    let cells = layout.cells();
    let mut tree = GroupTree::new(runs.div_ceil(64));
    let mut dist = Distribution::new(&layout);
    let mut ws = Workspace::new(m);
    let mut group = Moments::new(cells);
    for r in 0..runs {
        engine::stochastic_run(m, &mut ws, seed, r);
        group.add_run(&ws.trajectory);
        dist.add_run(&layout, &ws.trajectory);
        if (r + 1) % 64 == 0 || r + 1 == runs {
            tree.add(
                0,
                r / 64,
                std::mem::replace(&mut group, Moments::new(cells)),
            );
        }
    }
    geosim::stats::EnsembleStats {
        layout,
        moments: tree.total().cloned().unwrap_or_else(|| Moments::new(cells)),
        dist,
    }
}

/// The statistics of a (conditioned) ensemble: finite means, sds and
/// quantiles, quantiles ordered within the bounds, regime shares adding up
/// to 1.
fn check_stats(m: &Model, stats: &geosim::stats::EnsembleStats, kind: &str) -> Result<(), Failure> {
    let (months, ns) = (m.months(), m.n_sources());
    let qs = &m.ensemble.quantiles;
    let mut out = Vec::new();
    for t in 0..months {
        for s in 0..ns {
            let mean = stats.mean(t, s);
            let sd = stats.sd(t, s);
            let med = stats.quantile(t, s, 0.5);
            stats.quantiles_into(t, s, qs, &mut out);
            let bad = [("mean", mean), ("sd", sd), ("median", med)]
                .into_iter()
                .chain(out.iter().map(|q| ("quantile", *q)))
                .find(|(_, x)| !x.is_finite());
            if let Some((what, x)) = bad {
                return Err(fail(
                    format!(
                        "non-finite {kind} {what}: {} {}",
                        series_kind(m, s),
                        value_kind(x)
                    ),
                    format!(
                        "{} runs, month {t}, series {s} `{}`: {what} = {x}",
                        stats.runs(),
                        m.source_name(geosim::model::SourceId(s))
                    ),
                ));
            }
            let (lo, hi) = m.source_bounds(s);
            if !(lo <= med && med <= hi) || out.windows(2).any(|w| w[0] > w[1]) {
                return Err(fail(
                    format!("{kind} quantiles out of order or outside the bounds"),
                    format!(
                        "month {t}, series {s}: median {med}, quantiles {out:?}, bounds {lo}..{hi}"
                    ),
                ));
            }
        }
        if m.regimes.is_some() {
            let shares = stats.regime_shares(t);
            let sum: f64 = shares.iter().sum();
            if shares.iter().any(|x| !(0.0..=1.0).contains(x)) || (sum - 1.0).abs() > 1e-9 {
                return Err(fail(
                    format!("{kind} regime shares do not add up to 1"),
                    format!("month {t}: {shares:?}"),
                ));
            }
        }
    }
    Ok(())
}

/// The particle filter over the model's observations: on 1 and on 2
/// threads the same result (statistics, evidence, or the same refusal);
/// finite statistics, evidence and weights; a single run's replay is its
/// statistics.
fn check_filter(m: &Model, runs: u64, seed: u64) -> Result<(), Failure> {
    use geosim::engine::filter;
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| fail("filter thread pool", e.to_string()))
    };
    let one = pool(1)?.install(|| filter::run_filter(m, runs, seed));
    let two = pool(2)?.install(|| filter::run_filter(m, runs, seed));
    let (one, two) = match (one, two) {
        (Err(a), Err(b)) if a == b => return Ok(()),
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            return Err(fail(
                "conditioning depends on the thread count",
                format!(
                    "{runs} runs: 1 thread {:?}, 2 threads {:?}",
                    a.map(|r| r.1.log_evidence),
                    b.map(|r| r.1.log_evidence)
                ),
            ));
        }
    };
    let ((stats, cond), (stats2, cond2)) = (one, two);
    check_stats(m, &stats, "conditioned")?;
    if let Some(diff) = same_stats(m, &stats, &stats2) {
        return Err(fail(
            "conditioned statistics depend on the thread count",
            format!("{runs} runs, 1 vs 2 threads: {diff}"),
        ));
    }
    if cond.log_evidence.to_bits() != cond2.log_evidence.to_bits() {
        return Err(fail(
            "log evidence depends on the thread count",
            format!("{} / {}", cond.log_evidence, cond2.log_evidence),
        ));
    }
    if !cond.log_evidence.is_finite() || !cond.log_evidence_se.is_finite() {
        return Err(fail(
            "non-finite log evidence",
            format!(
                "{runs} runs: log evidence {} ± {}",
                cond.log_evidence, cond.log_evidence_se
            ),
        ));
    }
    let w = &cond.genealogy.final_weights;
    let sum: f64 = w.iter().sum();
    if w.iter().any(|x| !x.is_finite() || *x < 0.0) || (!w.is_empty() && (sum - 1.0).abs() > 1e-9) {
        return Err(fail(
            "final weights are not a distribution",
            format!("{runs} runs: {w:?}"),
        ));
    }
    if cond.steps.iter().any(|s| !s.1.is_finite()) {
        return Err(fail(
            "non-finite effective sample size",
            format!("{:?}", cond.steps),
        ));
    }
    // One run: its replayed history is the statistics, month by month.
    if runs == 1 {
        let ns = m.n_sources();
        let mut bad = None;
        filter::replay(m, seed, &cond.genealogy, &[0], |block| {
            let t = block.month();
            for (s, &x) in block.row(t).iter().enumerate().take(ns) {
                // Equal as numbers: the mean of one run may turn -0 into 0.
                if bad.is_none() && x != stats.mean(t, s) {
                    bad = Some(format!(
                        "month {t}, series {s}: replay {x}, statistics {}",
                        stats.mean(t, s)
                    ));
                }
            }
        });
        if let Some(b) = bad {
            return Err(fail("replay differs from the conditioned run", b));
        }
    }
    Ok(())
}

/// Whether two ensembles' statistics are identical.
fn same_stats(
    m: &Model,
    a: &geosim::stats::EnsembleStats,
    b: &geosim::stats::EnsembleStats,
) -> Option<String> {
    let qs = &m.ensemble.quantiles;
    let (mut qa, mut qb) = (Vec::new(), Vec::new());
    for t in 0..m.months() {
        for s in 0..m.n_sources() {
            a.quantiles_into(t, s, qs, &mut qa);
            b.quantiles_into(t, s, qs, &mut qb);
            let pa = [a.mean(t, s), a.sd(t, s)]
                .into_iter()
                .chain(qa.iter().copied());
            let pb = [b.mean(t, s), b.sd(t, s)]
                .into_iter()
                .chain(qb.iter().copied());
            if !pa.zip(pb).all(|(x, y)| x.to_bits() == y.to_bits()) {
                return Some(format!(
                    "month {t}, series {s}: mean {} / {}, sd {} / {}, quantiles {qa:?} / {qb:?}",
                    a.mean(t, s),
                    b.mean(t, s),
                    a.sd(t, s),
                    b.sd(t, s)
                ));
            }
        }
        if m.regimes.is_some() && a.regime_shares(t) != b.regime_shares(t) {
            return Some(format!("month {t}: regime shares differ"));
        }
    }
    None
}

/// Everything after a successful load.
fn exercise(sc: &scenario::Scenario, sim: &Sim, big: bool) -> Result<bool, Failure> {
    let m = &sc.model;
    let (months, ns, nv) = (m.months(), m.n_sources(), m.n_vars());
    let cap = if big { max_big_cells() } else { MAX_CELLS };
    let small = months.saturating_mul(ns) <= cap;
    let mut det_traj = None;
    let mut sto_traj = None;
    if small {
        let mut ws = Workspace::new(m);
        engine::deterministic(m, &mut ws);
        check_trajectory(m, &ws.trajectory, "deterministic trajectory")?;
        det_traj = Some(ws.trajectory.clone());
        for run in 0..2 {
            engine::stochastic_run(m, &mut ws, sim.seed, run);
            check_trajectory(m, &ws.trajectory, "stochastic trajectory")?;
            if run == 0 {
                sto_traj = Some(ws.trajectory.clone());
            }
        }
        // Run 0 again in a fresh workspace: the same numbers (nothing leaks
        // from an earlier run, e.g. through cached driver columns).
        let mut fresh = Workspace::new(m);
        engine::stochastic_run(m, &mut fresh, sim.seed, 0);
        let again = fresh.trajectory.clone();
        engine::stochastic_run(m, &mut ws, sim.seed, 0);
        if !same(&ws.trajectory, &again) {
            return Err(fail(
                "stochastic run depends on the workspace's earlier runs",
                "run 0 in a used workspace differs from run 0 in a fresh one",
            ));
        }

        // Ensemble statistics take 4 KiB per month and series and worker:
        // only for models of moderate size.
        let cells = (months * ns) as u64;
        if cells <= MAX_STATS_CELLS {
            let runs = sim.runs.min((MAX_ENSEMBLE_CELLS / cells.max(1)).max(1));
            let stats = run_ensemble(m, runs, sim.seed, 1, &|_| {})
                .map_err(|e| fail("ensemble thread pool", e.to_string()))?;
            if stats.runs() != runs {
                return Err(fail(
                    "ensemble run count",
                    format!("asked {runs} runs, statistics hold {}", stats.runs()),
                ));
            }
            check_stats(m, &stats, "ensemble")?;
            if !m.observations.is_empty() {
                check_filter(m, runs, sim.seed)?;
            }
            let _ = geosim::stats::table::Table::from_stats(m, &stats);
            // The ensemble is its runs: the same statistics as the single runs.
            let single = reference_stats(m, runs, sim.seed);
            if let Some(diff) = same_stats(m, &stats, &single) {
                return Err(fail(
                    "ensemble statistics differ from its single runs",
                    format!("{runs} runs, ensemble / single runs folded alike: {diff}"),
                ));
            }
            // The statistics do not depend on the number of threads.
            if runs > 1 {
                let two = run_ensemble(m, runs, sim.seed, 2, &|_| {})
                    .map_err(|e| fail("ensemble thread pool", e.to_string()))?;
                if let Some(diff) = same_stats(m, &stats, &two) {
                    return Err(fail(
                        "ensemble statistics depend on the thread count",
                        format!("{runs} runs, 1 vs 2 threads: {diff}"),
                    ));
                }
            }
        }
        if months >= 2 && nv > 0 {
            let var = VarId(sim.var % nv);
            let (a, b) = (sim.window.0 % months, sim.window.1 % months);
            let (from, to) = if a < b { (a, b) } else { (0, months - 1) };
            let e = explain::explain(m, var, from, to);
            let bad = e
                .terms
                .iter()
                .find(|t| t.monthly.iter().any(|x| !x.is_finite()));
            if let Some(t) = bad {
                return Err(fail(
                    "non-finite explain term",
                    format!(
                        "variable {}, months {from}..{to}, term `{}`: {:?}",
                        var.0, t.name, t.monthly
                    ),
                ));
            }
            if e.state.iter().chain(&e.target).any(|x| !x.is_finite()) {
                return Err(fail(
                    "non-finite explain state or target",
                    format!(
                        "variable {}, months {from}..{to}: target {:?}",
                        var.0, e.target
                    ),
                ));
            }
            let _ = e.ranked();
        }
        let r = report::report(m);
        if r.jacobian.iter().any(|x| !x.is_finite()) {
            return Err(fail(
                "non-finite report jacobian",
                format!("{}", r.jacobian),
            ));
        }
        if r.eigenvalues
            .iter()
            .any(|(a, b)| !a.is_finite() || !b.is_finite())
        {
            return Err(fail(
                "non-finite report eigenvalue",
                format!("{:?}", r.eigenvalues),
            ));
        }
        let _ = (r.verdict, r.loops.len(), r.idle_sources.len());
    }

    // The resolved scenario loads again and runs the same.
    let doc = geosim::output::resolved_document(&sc.document, m, m.ensemble.seed);
    let text = toml::to_string(&doc)
        .map_err(|e| fail("resolved scenario cannot be written", e.to_string()))?;
    let again = match scenario::load_text("resolved.toml", &text, &[]) {
        Ok(s) => s,
        Err(e) => {
            return Err(fail(
                "resolved scenario does not load",
                format!("{}\n----- resolved -----\n{text}", render_error(e)),
            ));
        }
    };
    let m2 = &again.model;
    if (
        m2.months(),
        m2.n_sources(),
        m2.params.len(),
        m2.events.len(),
        m2.incidents.len(),
    ) != (
        months,
        ns,
        m.params.len(),
        m.events.len(),
        m.incidents.len(),
    ) {
        return Err(fail(
            "resolved scenario compiles to another model",
            format!("----- resolved -----\n{text}"),
        ));
    }
    if let (Some(det), Some(sto)) = (det_traj, sto_traj) {
        let mut ws = Workspace::new(m2);
        engine::deterministic(m2, &mut ws);
        if !same(&ws.trajectory, &det) {
            return Err(fail(
                "resolved scenario runs differently (deterministic)",
                format!("----- resolved -----\n{text}"),
            ));
        }
        engine::stochastic_run(m2, &mut ws, sim.seed, 0);
        if !same(&ws.trajectory, &sto) {
            return Err(fail(
                "resolved scenario runs differently (stochastic run 0)",
                format!("----- resolved -----\n{text}"),
            ));
        }
    }
    Ok(small)
}

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

fn run_inner(input: &Input, dir: &Path) -> Result<Outcome, Failure> {
    let mut outcome = Outcome::default();
    match load(input, dir) {
        Err(e) => outcome.error = Some(render_error(e)),
        Ok(sc) => {
            outcome.compiled = true;
            outcome.simulated = exercise(&sc, &input.sim, input.big)?;
        }
    }
    Ok(outcome)
}

/// Runs a case on its own thread, catching panics, under the time limit.
fn run_case(input: &Input, dir: &Path, s: &Settings) -> Result<Outcome, Failure> {
    let (tx, rx) = mpsc::channel();
    let (inp, d) = (input.clone(), dir.to_path_buf());
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    let started = Instant::now();
    std::thread::Builder::new()
        .name("geosim-fuzz-case".into())
        .stack_size(8 << 20) // the main thread's size: what the CLI has
        .spawn(move || {
            IN_CASE.with(|c| c.set(true));
            let r = panic::catch_unwind(AssertUnwindSafe(|| run_inner(&inp, &d)));
            let _ = tx.send(r);
        })
        .expect("spawn a case thread");
    let result = rx.recv_timeout(s.hang_limit());
    let elapsed = started.elapsed();
    ACTIVE.fetch_sub(1, Ordering::SeqCst);
    let result = match result {
        Ok(r) => r,
        Err(_) => {
            eprintln!(
                "\n===== fuzz: HANG: the case below has run for {elapsed:?}; exiting =====\n{}",
                input.describe()
            );
            std::process::exit(3);
        }
    };
    match result {
        // The large scenarios simulate up to 614,400 cells about ten times.
        Ok(Ok(outcome)) if elapsed > s.case_limit * if input.big { 5 } else { 1 } => Err(fail(
            "slow",
            format!(
                "took {elapsed:?} (limit {:?}, five times that for a large scenario); it reached {outcome:?}",
                s.case_limit
            ),
        )),
        Ok(r) => r,
        Err(payload) => {
            let captured: Vec<String> =
                std::mem::take(&mut *PANICS.lock().unwrap_or_else(|e| e.into_inner()));
            let first = captured
                .first()
                .cloned()
                .unwrap_or_else(|| format!("?\n{}", payload_text(&*payload)));
            let place = first.lines().next().unwrap_or("?").to_string();
            Err(fail(format!("panic at {place}"), first))
        }
    }
}

// ===================================================================
// The loop

struct Found {
    count: usize,
    /// Generated cases shrunk so far (replayed files are not shrunk).
    shrunk: usize,
    examples: Vec<(Input, Failure)>,
}

#[derive(Default)]
struct Tally {
    cases: u64,
    compiled: u64,
    simulated: u64,
    /// Cases and compiled cases by level of chaos.
    by_chaos: [(u64, u64); 3],
    errors: HashMap<String, u64>,
}

impl Tally {
    fn add(&mut self, o: &Outcome, chaos: u8) {
        self.cases += 1;
        self.compiled += o.compiled as u64;
        let c = &mut self.by_chaos[chaos.min(2) as usize];
        c.0 += 1;
        c.1 += o.compiled as u64;
        self.simulated += o.simulated as u64;
        if let Some(e) = &o.error {
            *self.errors.entry(e.clone()).or_default() += 1;
        }
    }

    fn print(&self, verbose: bool) {
        eprintln!(
            "fuzz: {} cases: {} compiled ({:.0} %), {} simulated; {} load errors of {} kinds",
            self.cases,
            self.compiled,
            100.0 * self.compiled as f64 / self.cases.max(1) as f64,
            self.simulated,
            self.cases - self.compiled,
            self.errors.len()
        );
        let pct = |(n, k): (u64, u64)| 100.0 * k as f64 / n.max(1) as f64;
        eprintln!(
            "fuzz: compiled by chaos: calm {:.0} %, some {:.0} %, wild {:.0} %",
            pct(self.by_chaos[0]),
            pct(self.by_chaos[1]),
            pct(self.by_chaos[2])
        );
        if verbose {
            let mut v: Vec<_> = self.errors.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            for (m, n) in v.iter().take(40) {
                eprintln!("  {n:>7}  {m}");
            }
        }
    }
}

/// Shrinks a failing case to a small one failing the same way.
fn shrink(
    tree: &mut impl ValueTree<Value = Case>,
    bases: &[Base],
    dir: &Path,
    s: &Settings,
    first: (Input, Failure),
) -> (Input, Failure) {
    let mut best = first;
    let started = Instant::now();
    let mut steps = 0;
    if !tree.simplify() {
        return best;
    }
    loop {
        steps += 1;
        if steps > MAX_SHRINK_STEPS || started.elapsed() > MAX_SHRINK_TIME {
            break;
        }
        let input = render(&tree.current(), bases);
        let more = match run_case(&input, dir, s) {
            Err(f) if f.signature == best.1.signature => {
                best = (input, f);
                tree.simplify()
            }
            _ => tree.complicate(),
        };
        if !more {
            break;
        }
    }
    best
}

fn seed_rng(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        let x = seed
            .wrapping_add(i as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29)
            ^ 0xD1B5_4A32_D192_ED03;
        chunk.copy_from_slice(&x.to_le_bytes());
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

fn record(found: &mut BTreeMap<String, Found>, input: Input, f: Failure, shrunk: bool) {
    let entry = found.entry(f.signature.clone()).or_insert(Found {
        count: 0,
        shrunk: 0,
        examples: Vec::new(),
    });
    entry.count += 1;
    entry.shrunk += shrunk as usize;
    eprintln!(
        "\n===== fuzz FAILURE: {} =====\n{}\n{}",
        f.signature,
        f.detail,
        input.describe()
    );
    entry.examples.push((input, f));
}

fn summary(found: &BTreeMap<String, Found>) -> String {
    let mut out = String::new();
    for (sig, f) in found {
        out += &format!("\n##### {sig}  ({} cases)\n", f.count);
        for (input, fail) in &f.examples {
            out += &format!("{}\n{}\n", fail.detail, input.describe());
        }
    }
    out
}

/// Reads the replayed inputs: `#fuzz-set: ARG` comment lines are `--set`s.
fn replay_inputs() -> Vec<Input> {
    let root = crate_dir();
    let mut out = Vec::new();
    for dir in ["tests/fuzz/corpus", "tests/fuzz/findings"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            let sets_of = |text: &str| -> Vec<String> {
                text.lines()
                    .filter_map(|l| l.strip_prefix("#fuzz-set: "))
                    .map(String::from)
                    .collect()
            };
            let sim = Sim {
                seed: 7,
                runs: 3,
                window: (0, 0),
                var: 0,
            };
            let rel = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
            if p.is_dir() {
                let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&p)
                    .unwrap()
                    .flatten()
                    .filter(|e| e.path().is_file())
                    .map(|e| {
                        (
                            e.file_name().to_string_lossy().into_owned(),
                            std::fs::read(e.path()).unwrap(),
                        )
                    })
                    .collect();
                files.sort_by_key(|(n, _)| n != "main.toml");
                let sets = sets_of(&String::from_utf8_lossy(&files[0].1));
                out.push(Input {
                    files,
                    text_display: None,
                    sets,
                    sim,
                    chaos: 0,
                    runs_seed: (None, None),
                    big: false,
                });
            } else if p.extension().is_some_and(|e| e == "toml") {
                let bytes = std::fs::read(&p).unwrap();
                let sets = sets_of(&String::from_utf8_lossy(&bytes));
                out.push(Input {
                    files: vec![(rel.clone(), bytes)],
                    text_display: Some(rel),
                    sets,
                    sim,
                    chaos: 0,
                    runs_seed: (None, None),
                    big: false,
                });
            }
        }
    }
    out
}

#[test]
fn fuzz_scenarios() {
    install_panic_hook();
    let s = Settings::from_env();
    let started = Instant::now();
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let dir = tmp.path();
    let last_case =
        std::env::temp_dir().join(format!("geosim-fuzz-last-case-{}.txt", std::process::id()));
    let mut found: BTreeMap<String, Found> = BTreeMap::new();
    let mut tally = Tally::default();

    // The corpus and earlier findings first.
    for input in replay_inputs() {
        let _ = std::fs::write(&last_case, input.describe());
        match run_case(&input, dir, &s) {
            Ok(o) => tally.add(&o, 0),
            Err(f) => record(&mut found, input, f, false),
        }
    }

    let bases = Arc::new(bases());
    let strategy = match s.chaos {
        Some(c) => case_at(Chaos(c.min(2))),
        None => case_strategy(),
    };
    let config = Config {
        cases: s.cases.min(u32::MAX as u64) as u32,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, seed_rng(s.seed));
    eprintln!(
        "fuzz: seed {}, up to {} cases{}, {:?} per case; the running case is in {}",
        s.seed,
        s.cases,
        s.budget.map_or(String::new(), |b| format!(" or {b:?}")),
        s.case_limit,
        last_case.display()
    );
    let mut last_report = Instant::now();
    for i in 0..s.cases {
        if s.budget.is_some_and(|b| started.elapsed() > b) {
            break;
        }
        let mut tree = strategy
            .new_tree(&mut runner)
            .expect("the strategy has no filters");
        let input = render(&tree.current(), &bases);
        let _ = std::fs::write(&last_case, input.describe());
        match run_case(&input, dir, &s) {
            Ok(o) => {
                if let (Some(filter), Some(e)) = (&s.dump, &o.error)
                    && e.contains(filter.as_str())
                {
                    eprintln!("fuzz: case {i}: {e}\n{}", input.describe());
                }
                tally.add(&o, input.chaos)
            }
            Err(f) => {
                tally.cases += 1;
                let known = found.get(&f.signature).map_or(0, |e| e.shrunk);
                if known >= EXAMPLES_PER_SIGNATURE {
                    found.get_mut(&f.signature).unwrap().count += 1;
                    continue;
                }
                eprintln!("fuzz: case {i} fails ({}); shrinking", f.signature);
                let (small, f) = shrink(&mut tree, &bases, dir, &s, (input, f));
                record(&mut found, small, f, true);
            }
        }
        if s.verbose && last_report.elapsed() > Duration::from_secs(60) {
            last_report = Instant::now();
            eprintln!(
                "fuzz: {:?}: case {}, {} failure kinds so far",
                started.elapsed(),
                i + 1,
                found.len()
            );
            tally.print(false);
        }
    }
    let _ = std::fs::remove_file(&last_case);
    eprintln!("fuzz: seed {} done in {:?}", s.seed, started.elapsed());
    tally.print(s.verbose);
    if !found.is_empty() {
        let kinds: Vec<String> = found
            .iter()
            .map(|(k, f)| format!("{k} ({} cases)", f.count))
            .collect();
        panic!(
            "fuzzing found {} kinds of failure (seed {}):\n  {}\n{}",
            found.len(),
            s.seed,
            kinds.join("\n  "),
            summary(&found)
        );
    }
}

/// Every kind of stress scenario is valid, small and large
/// (`GEOSIM_FUZZ_STRESS_N` sets the large size; default 40).
#[test]
fn fuzz_stress_scenarios_are_valid() {
    install_panic_hook();
    let s = Settings::from_env();
    let tmp = tempfile::tempdir().unwrap();
    let sim = Sim {
        seed: 1,
        runs: 2,
        window: (0, 0),
        var: 0,
    };
    let big = env_u64("GEOSIM_FUZZ_STRESS_N").unwrap_or(40) as usize;
    for kind in 0..STRESS_KINDS {
        for n in [1, big] {
            let input = render_stress(kind, n, 99, &sim);
            let started = Instant::now();
            match run_case(&input, tmp.path(), &s) {
                // A chain deeper than 16 files is refused.
                Ok(o) => assert!(
                    o.compiled || (kind == 3 && n / 8 + 2 > 16),
                    "stress kind {kind}, n {n}: {o:?}\n{}",
                    input.describe()
                ),
                Err(f) => panic!("stress kind {kind}, n {n}: {}: {}", f.signature, f.detail),
            }
            if s.verbose {
                eprintln!("stress kind {kind}, n {n}: {:?}", started.elapsed());
            }
        }
    }
}

/// The harness itself: references resolve, mutations keep their promises.
#[test]
fn fuzz_harness_helpers() {
    let n = Names {
        vars: vec!["a b".into(), "x".into()],
        drivers: vec![],
        events: vec!["e\"1".into()],
        incidents: vec![],
        observations: vec![],
    };
    assert_eq!(
        resolve(&format!("[variables.{}]", tok("vk", 0)), &n),
        "[variables.\"a b\"]"
    );
    assert_eq!(resolve(&tok("vp", 0), &n), "\"a b\"");
    assert_eq!(resolve(&tok("eq", 0), &n), "\"e\\\"1\"");
    assert_eq!(resolve(&tok("vk", 2), &n), "undefined_variable_2");
    assert_eq!(resolve(&tok("sk", 1), &n), "x");
    let (nums, strs) = tokens(b"a1 = 0.5 # 3\nb = \"2020-01\"\nc = [-1e-5, +3]\n");
    assert_eq!(nums.len(), 3, "{nums:?}");
    assert_eq!(strs.len(), 1);
    let mut t = b"x = 1\ny = 2\n".to_vec();
    let i = any::<Index>()
        .new_tree(&mut TestRunner::deterministic())
        .unwrap()
        .current();
    mutate(&mut t, &Mutation::Number(i, "nan".into(), "nan".into()));
    assert!(
        t == b"x = nan\ny = 2\n" || t == b"x = 1\ny = nan\n",
        "{t:?}"
    );
    assert_eq!(
        shorten_message("a/b.toml:3:7: rate = 0 is `x1` bad"),
        "rate =  is `… bad"
    );
}
