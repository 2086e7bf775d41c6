//! `[variables.NAME]`: the state variables.

use indexmap::IndexMap;

use super::Checker;
use super::text::Text;
use crate::model::{Domain, Draw, ParamId, Response, Variable};
use crate::scenario::file::{BiasFile, ParamFile, ResponseFile, VariableFile};

/// Every variable, in file order; `None` when one of them lacks a required
/// or valid parameter. Registers `initial`, `rate`, `bias`, `noise` of each
/// variable in turn (`bias` and `noise` at 0 when not written).
pub(super) fn compile(
    c: &mut Checker<'_>,
    variables: &IndexMap<String, VariableFile>,
) -> Option<Vec<Variable>> {
    if variables.is_empty() {
        c.err(
            &[],
            "the scenario has no [variables.NAME] table; at least one state variable is needed",
        );
    }
    let compiled: Vec<Option<Variable>> = variables
        .iter()
        .map(|(name, v)| variable(c, name, v))
        .collect();
    compiled.into_iter().collect()
}

fn variable(c: &mut Checker<'_>, name: &str, v: &VariableFile) -> Option<Variable> {
    c.identifier("variables", "variable", name);
    if let Some(d) = &v.description {
        c.text(
            &["variables", name, "description"],
            "description",
            Text::Description,
            d,
        );
    }
    for (i, label) in v.labels.iter().flatten().enumerate() {
        let at = ["variables", name, "labels", if i == 0 { "0" } else { "1" }];
        c.text(&at, "label", Text::Label, label);
    }
    let (min, max) = c.bounds("variables", name, v.min, v.max);
    let initial = required(c, name, INITIAL, &v.initial, Domain::Real);
    let rate = required(c, name, RATE, &v.rate, Domain::Rate);
    let (bias, equilibrium) = match &v.bias {
        Some(BiasFile::Equilibrium) => (
            c.fixed(&["variables", name, "bias"], 0.0, Domain::Real),
            true,
        ),
        Some(BiasFile::Value(p)) => (
            c.param(
                &["variables", name, "bias"],
                &p.0,
                Domain::Real,
                Draw::PerRun,
            ),
            false,
        ),
        None => (
            c.fixed(&["variables", name, "bias"], 0.0, Domain::Real),
            false,
        ),
    };
    let noise = optional(c, name, "noise", &v.noise, Domain::NonNegative);
    Some(Variable {
        name: name.to_string(),
        description: v.description.clone().unwrap_or_default(),
        min,
        max,
        labels: v.labels.clone(),
        initial: initial?,
        rate: rate?,
        bias: bias?,
        equilibrium,
        noise: noise?,
        response: match v.response {
            Some(ResponseFile::Logistic) => Response::Logistic,
            _ => Response::Linear,
        },
    })
}

/// A field every variable must write, and what it means (for the message
/// when it is missing).
const INITIAL: (&str, &str) = ("initial", "its value at time.start");
const RATE: (&str, &str) = (
    "rate",
    "the share of the gap to target closed per month, in (0, 1]",
);

/// A (P) field every variable must write.
fn required(
    c: &mut Checker<'_>,
    name: &str,
    (field, meaning): (&str, &str),
    value: &Option<ParamFile>,
    domain: Domain,
) -> Option<ParamId> {
    match value {
        Some(d) => c.param(&["variables", name, field], &d.0, domain, Draw::PerRun),
        None => {
            c.err(
                &["variables", name],
                format!("variables.{name} is missing `{field}` ({meaning})"),
            );
            None
        }
    }
}

/// A (P) field that defaults to 0 (`bias`, `noise`).
fn optional(
    c: &mut Checker<'_>,
    name: &str,
    field: &str,
    value: &Option<ParamFile>,
    domain: Domain,
) -> Option<ParamId> {
    let path = ["variables", name, field];
    match value {
        Some(d) => c.param(&path, &d.0, domain, Draw::PerRun),
        None => c.fixed(&path, 0.0, domain),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{BASE, compiles, errors, only_error};
    use crate::model::{Dist, Domain, Draw, Response};

    const TIME: &str = "[time]\nstart = \"2020-01\"\nend = \"2020-12\"\n";

    #[test]
    fn defaults_and_parameter_order() {
        let m = compiles(BASE);
        let x = &m.variables[0];
        assert_eq!((x.name.as_str(), x.min, x.max), ("x", 0.0, 1.0));
        assert_eq!(x.response, Response::Linear);
        assert_eq!((x.labels.clone(), x.description.as_str()), (None, ""));
        let paths: Vec<&str> = m.params.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "variables.x.initial",
                "variables.x.rate",
                "variables.x.bias",
                "variables.x.noise"
            ]
        );
        assert_eq!([x.initial.0, x.rate.0, x.bias.0, x.noise.0], [0, 1, 2, 3]);
        let dists: Vec<&Dist> = m.params.iter().map(|p| &p.dist).collect();
        assert_eq!(
            dists,
            [
                &Dist::Fixed(0.5),
                &Dist::Fixed(0.2),
                &Dist::Fixed(0.0),
                &Dist::Fixed(0.0)
            ]
        );
        let domains: Vec<Domain> = m.params.iter().map(|p| p.domain).collect();
        assert_eq!(
            domains,
            [
                Domain::Real,
                Domain::Rate,
                Domain::Real,
                Domain::NonNegative
            ]
        );
        assert!(m.params.iter().all(|p| p.draw == Draw::PerRun));
    }

    #[test]
    fn written_fields() {
        let m = compiles(&format!(
            "{TIME}[variables.y]\ndescription = \"d\"\nmin = -2\nmax = 3\nlabels = [\"lo\", \"hi\"]\n\
             initial = 1\nrate = {{ dist = \"uniform\", min = 0.1, max = 0.3 }}\nbias = 0.5\n\
             noise = 0.1\nresponse = \"logistic\"\n"
        ));
        let y = &m.variables[0];
        assert_eq!((y.min, y.max, y.description.as_str()), (-2.0, 3.0, "d"));
        assert_eq!(y.labels, Some(["lo".to_string(), "hi".to_string()]));
        assert_eq!(y.response, Response::Logistic);
        assert_eq!(
            m.params[y.rate.0].dist,
            Dist::Uniform { min: 0.1, max: 0.3 }
        );
        assert_eq!(m.params[y.noise.0].dist, Dist::Fixed(0.1));
    }

    #[test]
    fn no_variables() {
        assert_eq!(
            only_error(TIME),
            "t.toml:1:1: the scenario has no [variables.NAME] table; at least one state variable is needed"
        );
    }

    #[test]
    fn bad_identifier_points_at_the_name() {
        assert_eq!(
            only_error(&format!(
                "{TIME}[variables.\"a b\"]\ninitial = 0.5\nrate = 0.2\n"
            )),
            "t.toml:4:12: variable name `a b` may hold only ASCII letters (a–z, A–Z), digits (0–9) and _"
        );
    }

    #[test]
    fn min_not_below_max_points_at_max() {
        assert_eq!(
            only_error(&format!("{BASE}min = 1\nmax = 1\n")),
            "t.toml:9:7: variables.x: min (1) must be below max (1)"
        );
    }

    #[test]
    fn bounds_beyond_the_magnitude_limit() {
        assert_eq!(
            only_error(&format!("{BASE}min = -1e13\n")),
            "t.toml:5:1: variables.x: bounds must lie within ±1e12"
        );
        assert_eq!(
            only_error(&format!("{BASE}max = 1.5e12\n")),
            "t.toml:8:7: variables.x: bounds must lie within ±1e12"
        );
    }

    #[test]
    fn bounds_at_the_magnitude_limit_are_fine() {
        let m = compiles(&format!("{BASE}min = -1e12\nmax = 1e12\n"));
        assert_eq!((m.variables[0].min, m.variables[0].max), (-1e12, 1e12));
    }

    #[test]
    fn missing_initial_points_at_the_variable() {
        assert_eq!(
            only_error(&format!("{TIME}[variables.x]\nrate = 0.2\n")),
            "t.toml:4:1: variables.x is missing `initial` (its value at time.start)"
        );
    }

    #[test]
    fn missing_rate_points_at_the_variable() {
        assert_eq!(
            only_error(&format!("{TIME}[variables.x]\ninitial = 0.2\n")),
            "t.toml:4:1: variables.x is missing `rate` (the share of the gap to target closed per month, in (0, 1])"
        );
    }

    #[test]
    fn plain_rate_outside_zero_one() {
        let text = format!("{TIME}[variables.x]\ninitial = 0.2\nrate = 0\n");
        assert_eq!(
            only_error(&text),
            "t.toml:6:8: variables.x.rate = 0 is outside its valid range: it must be in (0, 1]"
        );
    }

    #[test]
    fn rate_distribution_wholly_outside_zero_one() {
        let text = format!(
            "{TIME}[variables.x]\ninitial = 0.2\nrate = {{ dist = \"uniform\", min = 1.1, max = 2 }}\n"
        );
        assert_eq!(
            only_error(&text),
            "t.toml:6:8: variables.x.rate: the whole distribution lies outside the valid range in (0, 1]"
        );
    }

    #[test]
    fn negative_noise() {
        assert_eq!(
            only_error(&format!("{BASE}noise = -0.1\n")),
            "t.toml:8:9: variables.x.noise = -0.1 is outside its valid range: it must be >= 0"
        );
    }

    #[test]
    fn unsamplable_distribution() {
        let errs = errors(&format!(
            "{BASE}bias = {{ dist = \"uniform\", min = -1.7e308, max = 1.7e308 }}\n"
        ));
        assert_eq!(
            errs,
            [
                "t.toml:8:8: variables.x.bias: this distribution reaches 1.7e308; keep it within ±1e12"
            ]
        );
    }
}
