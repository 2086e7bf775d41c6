//! `[influences]`: `"source -> target" = { weight, lag, evidence }`, or
//! `"a * b -> target"` for an interaction (weight × a × b).

use std::collections::HashMap;

use indexmap::IndexMap;

use super::{Checker, Names};
use crate::model::{Domain, Draw, Influence, SourceId, VarId};
use crate::scenario::file::InfluenceFile;

/// Every valid influence, in file order (one with an error is reported and
/// left out). Registers each `weight` whose key parses.
pub(super) fn compile(
    c: &mut Checker<'_>,
    influences: &IndexMap<String, InfluenceFile>,
    names: &Names<'_>,
) -> Vec<Influence> {
    let mut seen = HashMap::new();
    influences
        .iter()
        .filter_map(|(key, inf)| influence(c, key, inf, names, &mut seen))
        .collect()
}

/// The distinct lags, ascending.
pub(super) fn lags(influences: &[Influence]) -> Vec<usize> {
    let mut lags: Vec<usize> = influences.iter().map(|i| i.lag).collect();
    lags.sort_unstable();
    lags.dedup();
    lags
}

/// `seen` maps each (source, target) pair to the key that first wrote it.
fn influence(
    c: &mut Checker<'_>,
    key: &str,
    inf: &InfluenceFile,
    names: &Names<'_>,
    seen: &mut HashMap<((usize, Option<usize>), usize), String>,
) -> Option<Influence> {
    let at = ["influences", key];
    let Some((src, tgt)) = key.split_once("->").map(|(a, b)| (a.trim(), b.trim())) else {
        c.err_key(
            &at,
            format!("influence `{key}` must be written \"source -> target\""),
            None,
        );
        return None;
    };
    // `a * b -> target`: an interaction, the product of two sources.
    let factors: Vec<&str> = src.split('*').map(str::trim).collect();
    if factors.len() > 2 || factors.iter().any(|f| f.is_empty()) {
        c.err_key(
            &at,
            format!(
                "influence `{key}`: write one source, or two multiplied as \"a * b -> target\""
            ),
            None,
        );
        return None;
    }
    let source = source(c, key, factors[0], names);
    let by = factors.get(1).map(|b| self::source(c, key, b, names));
    let target = target(c, key, tgt, names);
    let Some(weight) = &inf.weight else {
        c.err(&at, format!("influence `{key}` is missing `weight`"));
        return None;
    };
    let weight = c.param(
        &["influences", key, "weight"],
        &weight.0,
        Domain::Real,
        Draw::PerRun,
    );
    let (source, target) = (source?, target?);
    let by = match by {
        Some(b) => Some(b?),
        None => None,
    };
    // a * b and b * a are one term.
    let pair = match by {
        Some(b) => (source.min(b), Some(source.max(b))),
        None => (source, None),
    };
    if let Some(prev) = seen.insert((pair, target), key.to_string()) {
        c.err_key(
            &at,
            format!("influence `{key}` repeats `{prev}`; merge them into one weight"),
            None,
        );
    }
    let written = match factors.get(1) {
        Some(b) => format!("{} * {b}", factors[0]),
        None => factors[0].to_string(),
    };
    Some(Influence {
        key: format!("{written} -> {tgt}"),
        source: SourceId(source),
        by: by.map(SourceId),
        target: VarId(target),
        weight: weight?,
        lag: inf.lag.unwrap_or(0) as usize,
        evidence: inf.evidence.clone(),
    })
}

/// The source index of `src`: any variable or driver.
fn source(c: &mut Checker<'_>, key: &str, src: &str, names: &Names<'_>) -> Option<usize> {
    let found = names.source(src);
    if found.is_none() {
        c.err_key(
            &["influences", key],
            format!(
                "influence `{key}`: unknown source `{src}`; sources are the variables and drivers"
            ),
            Some(names.source_help(src)),
        );
    }
    found
}

/// The variable index of `tgt`: drivers cannot be influenced.
fn target(c: &mut Checker<'_>, key: &str, tgt: &str, names: &Names<'_>) -> Option<usize> {
    let found = names.var(tgt);
    if found.is_none() {
        let msg = if names.is_driver(tgt) {
            format!(
                "influence `{key}`: `{tgt}` is a driver; drivers are exogenous paths and cannot be influenced"
            )
        } else {
            format!("influence `{key}`: unknown target variable `{tgt}`")
        };
        c.err_key(&["influences", key], msg, Some(names.var_help(tgt)));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{BASE, compiles, only_error, only_error_with_help};

    /// BASE with a second variable `y` and a driver `d`; `[influences]` is
    /// on line 16, so the first influence is on line 17.
    fn with(influences: &str) -> String {
        format!(
            "{BASE}\n[variables.y]\ninitial = 0.1\nrate = 0.3\n\n[drivers.d]\npoints = [[\"2020-01\", 1]]\n\n[influences]\n{influences}"
        )
    }

    #[test]
    fn compiled_in_file_order_with_defaults() {
        let m = compiles(&with(
            "\"y -> x\" = { weight = 0.4, lag = 2, evidence = \"e\" }\n\"d->y\" = { weight = -1 }\n\"x -> x\" = { weight = 0.1, lag = 2 }\n",
        ));
        let keys: Vec<&str> = m.influences.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["y -> x", "d -> y", "x -> x"]);
        let i = &m.influences[1];
        assert_eq!((i.source.0, i.target.0, i.lag), (2, 1, 0));
        assert_eq!(i.evidence, None);
        assert_eq!(m.influences[0].evidence.as_deref(), Some("e"));
        assert_eq!(m.lags, [0, 2]);
        // After 2 × 4 variable parameters, in influence order.
        let weights: Vec<usize> = m.influences.iter().map(|i| i.weight.0).collect();
        assert_eq!(weights, [8, 9, 10]);
        assert_eq!(m.params[9].path, "influences.\"d->y\".weight");
    }

    #[test]
    fn malformed_key() {
        assert_eq!(
            only_error(&with("\"x to y\" = { weight = 1 }\n")),
            "t.toml:17:1: influence `x to y` must be written \"source -> target\""
        );
    }

    #[test]
    fn unknown_source_suggests_a_name() {
        let (msg, help) = only_error_with_help(&with("\"yy -> x\" = { weight = 1 }\n"));
        assert_eq!(
            msg,
            "t.toml:17:1: influence `yy -> x`: unknown source `yy`; sources are the variables and drivers"
        );
        assert_eq!(
            help.as_deref(),
            Some("did you mean `y`? Known names: `x`, `y`, `d`")
        );
    }

    #[test]
    fn unknown_target_lists_the_variables() {
        let (msg, help) = only_error_with_help(&with("\"x -> zzzz\" = { weight = 1 }\n"));
        assert_eq!(
            msg,
            "t.toml:17:1: influence `x -> zzzz`: unknown target variable `zzzz`"
        );
        assert_eq!(help.as_deref(), Some("known names: `x`, `y`"));
    }

    #[test]
    fn target_is_a_driver() {
        assert_eq!(
            only_error(&with("\"x -> d\" = { weight = 1 }\n")),
            "t.toml:17:1: influence `x -> d`: `d` is a driver; drivers are exogenous paths and cannot be influenced"
        );
    }

    #[test]
    fn repeated_pair_points_at_the_second() {
        assert_eq!(
            only_error(&with(
                "\"x -> y\" = { weight = 1 }\n\"x->y\" = { weight = 2 }\n"
            )),
            "t.toml:18:1: influence `x->y` repeats `x -> y`; merge them into one weight"
        );
    }

    #[test]
    fn missing_weight_points_at_the_value() {
        assert_eq!(
            only_error(&with("\"x -> y\" = { lag = 1 }\n")),
            "t.toml:17:12: influence `x -> y` is missing `weight`"
        );
    }
}
