//! The limit on the signal each variable can receive, checked on the built
//! model with [`Model::signal_bound`] (the definition analyses use too).

use super::Checker;
use crate::limits::MAX_MAGNITUDE;
use crate::model::{Model, VarId};

/// Reports every variable whose signal could reach beyond ±[`MAX_MAGNITUDE`]
/// (it would overflow the arithmetic of a run). The errors are inserted at
/// `at` in the error list, where the influences section ended.
pub(super) fn check(c: &mut Checker<'_>, model: &Model, at: usize) {
    let later = c.errors.split_off(at);
    for (i, v) in model.variables.iter().enumerate() {
        let bound = model.signal_bound(VarId(i), |pid| model.params[pid.0].dist.size());
        if bound.is_nan() || bound > MAX_MAGNITUDE {
            c.err(
                &["variables", &v.name],
                format!("the signal of `{}` can reach {bound:e} (bias plus weights × source bounds); keep it within ±{MAX_MAGNITUDE:e}", v.name),
            );
        }
    }
    c.errors.extend(later);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{BASE, compiles, errors, only_error};

    #[test]
    fn weight_times_source_bound_too_large() {
        let text = format!(
            "{BASE}[drivers.d]\nmax = 1e12\npoints = [[\"2020-01\", 1]]\n\
             [influences]\n\"d -> x\" = {{ weight = 2 }}\n"
        );
        assert_eq!(
            only_error(&text),
            "t.toml:5:1: the signal of `x` can reach 2e12 (bias plus weights × source bounds); keep it within ±1e12"
        );
    }

    #[test]
    fn bias_and_weights_together_too_large() {
        assert_eq!(
            only_error(&format!(
                "{BASE}bias = -9e11\nmax = 1e12\n[influences]\n\"x -> x\" = {{ weight = 0.5 }}\n"
            )),
            "t.toml:5:1: the signal of `x` can reach 1.4e12 (bias plus weights × source bounds); keep it within ±1e12"
        );
    }

    #[test]
    fn a_normal_weight_counts_mean_plus_six_sd() {
        let text = |sd: &str| {
            format!(
                "{BASE}max = 1e12\n[influences]\n\"x -> x\" = {{ weight = {{ dist = \"normal\", mean = 0.4, sd = {sd} }} }}\n"
            )
        };
        compiles(&text("0.1"));
        assert_eq!(
            only_error(&text("0.2")),
            "t.toml:5:1: the signal of `x` can reach 1.6e12 (bias plus weights × source bounds); keep it within ±1e12"
        );
    }

    #[test]
    fn reported_after_influence_errors_and_before_event_errors() {
        let text = format!(
            "{BASE}bias = 9e11\nmax = 1e12\n[influences]\n\"q -> x\" = {{ weight = 1 }}\n\"x -> x\" = {{ weight = 0.5 }}\n\
             [[events]]\nname = \"e\"\n"
        );
        assert_eq!(
            errors(&text),
            [
                "t.toml:11:1: influence `q -> x`: unknown source `q`; sources are the variables and drivers",
                "t.toml:5:1: the signal of `x` can reach 1.4e12 (bias plus weights × source bounds); keep it within ±1e12",
                "t.toml:13:1: event `e` has no `date` (\"YYYY-MM\")",
            ]
        );
    }
}
