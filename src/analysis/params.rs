//! Which parameters an analysis varies, and over what range: a (P) field's
//! distribution support (normal: mean ± 2 sd) or ± a share of a plain
//! number, clipped to the field's valid domain.

use crate::model::{Dist, Domain, Draw, Model, ParamId};
use crate::scenario::source::did_you_mean;

/// One varied parameter.
#[derive(Clone, Debug)]
pub struct ParamRange {
    pub id: ParamId,
    pub path: String,
    pub lo: f64,
    pub hi: f64,
    pub central: f64,
}

impl ParamRange {
    /// Maps u in [0, 1] onto the range.
    pub fn at(&self, u: f64) -> f64 {
        self.lo + (self.hi - self.lo) * u
    }
}

/// The range of a parameter: its support, or ± `spread` × |value| for a
/// plain number, clipped into the domain (a rate stays in (0, 1]).
pub fn range_of(dist: &Dist, domain: Domain, spread: f64) -> (f64, f64) {
    let (lo, hi) = match *dist {
        Dist::Fixed(v) => (v - spread * v.abs(), v + spread * v.abs()),
        _ => dist.support(),
    };
    (domain.clip(lo), domain.clip(hi))
}

/// Matches `name` against a glob where `*` matches any run of characters.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// Every parameter drawn once per run, in model order: the candidates.
pub fn candidates(model: &Model) -> impl Iterator<Item = (ParamId, &crate::model::Param)> {
    model
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.draw == Draw::PerRun)
        .map(|(i, p)| (ParamId(i), p))
        // An equilibrium bias is computed from the other values at the
        // start of every run: setting it would have no effect.
        .filter(|(id, _)| {
            !model
                .variables
                .iter()
                .any(|v| v.equilibrium && v.bias == *id)
        })
}

/// The parameter drawn once per run whose path is `path`; the error
/// suggests the nearest path.
pub fn find(model: &Model, path: &str) -> Result<ParamId, String> {
    candidates(model)
        .find(|(_, p)| p.path == path)
        .map(|(id, _)| id)
        .ok_or_else(|| {
            let known: Vec<&str> = candidates(model).map(|(_, p)| p.path.as_str()).collect();
            let help = did_you_mean(path, known.iter().copied(), "parameters");
            format!("no parameter `{path}`; {help} (`geosim sensitivity <scenario> --list-params` lists them with their ranges)")
        })
}

/// The parameters matching any of `globs` (all when empty) whose range is
/// not a single point.
pub fn select(model: &Model, globs: &[String], spread: f64) -> Vec<ParamRange> {
    candidates(model)
        .filter(|(_, p)| globs.is_empty() || globs.iter().any(|g| glob_match(g, &p.path)))
        .filter_map(|(id, p)| {
            let (lo, hi) = range_of(&p.dist, p.domain, spread);
            (hi > lo).then(|| ParamRange {
                id,
                path: p.path.clone(),
                lo,
                hi,
                central: p.central(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("variables.*.rate", "variables.trust.rate"));
        assert!(!glob_match("variables.*.rate", "variables.trust.bias"));
        assert!(glob_match("*", "anything"));
        assert!(glob_match(
            "influences.\"*-> alignment\".weight",
            "influences.\"trust -> alignment\".weight"
        ));
        assert!(glob_match(
            "drivers.sanctions.offset",
            "drivers.sanctions.offset"
        ));
        assert!(!glob_match("a*b*c", "acb"));
        assert!(glob_match("a*b*c", "axxbyyc"));
    }

    #[test]
    fn ranges_are_clipped_to_the_domain() {
        assert_eq!(
            range_of(&Dist::Fixed(0.9), Domain::Rate, 0.25),
            (0.675, 1.0)
        );
        assert_eq!(
            range_of(
                &Dist::Normal { mean: 0.1, sd: 0.1 },
                Domain::NonNegative,
                0.25
            ),
            (0.0, 0.30000000000000004)
        );
        assert_eq!(
            range_of(
                &Dist::Uniform {
                    min: -1.0,
                    max: 2.0
                },
                Domain::Real,
                0.25
            ),
            (-1.0, 2.0)
        );
        assert_eq!(
            range_of(&Dist::Fixed(-0.4), Domain::Real, 0.5),
            (-0.6000000000000001, -0.2)
        );
    }
}
