//! `[drivers.NAME]`: exogenous paths, evaluated for every simulated month.

use indexmap::IndexMap;

use super::text::Text;
use super::time::Horizon;
use super::{Checker, Names};
use crate::limits::{MAX_MAGNITUDE, MAX_SERIES};
use crate::model::{Domain, Draw, Driver, Interpolation, YearMonth, interpolate};
use crate::scenario::file::{DriverFile, InterpolationFile};

/// Every driver, in file order; `None` when an `offset` cannot be sampled.
/// Registers each driver's `offset`, if written.
pub(super) fn compile(
    c: &mut Checker<'_>,
    drivers: &IndexMap<String, DriverFile>,
    names: &Names<'_>,
    horizon: &Horizon,
) -> Option<Vec<Driver>> {
    let series = names.vars.len() + drivers.len();
    if series > MAX_SERIES {
        let at: &[&str] = if drivers.is_empty() {
            &["variables"]
        } else {
            &["drivers"]
        };
        c.err(
            at,
            format!(
                "the scenario has {series} variables and drivers; at most {MAX_SERIES} are allowed"
            ),
        );
        return None;
    }
    let compiled: Vec<Option<Driver>> = drivers
        .iter()
        .map(|(name, d)| driver(c, name, d, names, horizon))
        .collect();
    compiled.into_iter().collect()
}

fn driver(
    c: &mut Checker<'_>,
    name: &str,
    d: &DriverFile,
    names: &Names<'_>,
    horizon: &Horizon,
) -> Option<Driver> {
    c.identifier("drivers", "driver", name);
    if let Some(text) = &d.description {
        c.text(
            &["drivers", name, "description"],
            "description",
            Text::Description,
            text,
        );
    }
    if names.var(name).is_some() {
        c.err_key(
            &["drivers", name],
            format!("`{name}` is both a variable and a driver; names must be unique"),
            None,
        );
    }
    let (min, max) = c.bounds("drivers", name, d.min, d.max);
    let points = points(c, name, d);
    let interpolation = match d.interpolation {
        Some(InterpolationFile::Step) => Interpolation::Step,
        _ => Interpolation::Linear,
    };
    let path = (0..horizon.months)
        .map(|t| interpolate(&points, interpolation, horizon.start.plus_months(t)))
        .collect();
    let offset = match &d.offset {
        Some(o) => Some(c.param(
            &["drivers", name, "offset"],
            &o.0,
            Domain::Real,
            Draw::PerRun,
        )?),
        None => None,
    };
    let offset_from = match d.offset_from {
        None => 0,
        Some(_) if d.offset.is_none() => {
            c.err(
                &["drivers", name, "offset_from"],
                "offset_from says when the driver's offset starts to act, but the driver has no offset",
            );
            0
        }
        // Before the start the offset acts from month 0.
        Some(m) if m.0 <= horizon.start => 0,
        Some(m) => match horizon.month_of(m.0) {
            Some(t) => t,
            None => {
                c.err(
                    &["drivers", name, "offset_from"],
                    format!(
                        "offset_from = \"{}\" is after time.end ({}): the offset would never act",
                        m.0, horizon.end
                    ),
                );
                0
            }
        },
    };
    Some(Driver {
        name: name.to_string(),
        min,
        max,
        path,
        offset,
        offset_from,
    })
}

/// The path's points: at least one, dates strictly increasing.
fn points(c: &mut Checker<'_>, name: &str, d: &DriverFile) -> Vec<(YearMonth, f64)> {
    let points: Vec<(YearMonth, f64)> = d
        .points
        .as_ref()
        .map(|v| v.iter().map(|(m, x)| (m.0, x.0)).collect())
        .unwrap_or_default();
    if points.is_empty() {
        c.err(
            &["drivers", name],
            format!(
                "drivers.{name} needs `points = [[\"YYYY-MM\", value], …]` with at least one point"
            ),
        );
    }
    for (i, &(_, x)) in points.iter().enumerate() {
        if x.abs() > MAX_MAGNITUDE {
            c.err(
                &["drivers", name, "points", &i.to_string()],
                format!(
                    "drivers.{name}.points: {x:e} is too large: values must lie within ±{MAX_MAGNITUDE:e}"
                ),
            );
        }
    }
    for (i, w) in points.windows(2).enumerate() {
        if w[1].0 <= w[0].0 {
            c.err(
                &["drivers", name, "points", &(i + 1).to_string()],
                format!(
                    "drivers.{name}.points: dates must increase, but {} follows {}",
                    w[1].0, w[0].0
                ),
            );
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{BASE, compiles, errors, only_error};
    use crate::model::Dist;

    #[test]
    fn linear_path_for_every_month_and_defaults() {
        let m = compiles(&format!(
            "{BASE}[drivers.d]\npoints = [[\"2020-03\", 0.2], [\"2020-05\", 0.6]]\n"
        ));
        let d = &m.drivers[0];
        assert_eq!((d.name.as_str(), d.min, d.max), ("d", 0.0, 1.0));
        assert_eq!(d.offset, None);
        assert_eq!(d.path.len(), 12);
        assert_eq!(&d.path[..6], &[0.2, 0.2, 0.2, 0.4, 0.6, 0.6]);
        assert_eq!(m.params.len(), 4, "no parameter for an unwritten offset");
    }

    #[test]
    fn step_path_and_offset_parameter_after_the_variables() {
        let m = compiles(&format!(
            "{BASE}[drivers.d]\ninterpolation = \"step\"\nmin = -1\nmax = 2\n\
             points = [[\"2020-01\", 0.2], [\"2020-03\", 0.6]]\n\
             offset = {{ dist = \"normal\", mean = 0, sd = 0.1 }}\n"
        ));
        let d = &m.drivers[0];
        assert_eq!((d.min, d.max), (-1.0, 2.0));
        assert_eq!(&d.path[..4], &[0.2, 0.2, 0.6, 0.6]);
        let offset = d.offset.expect("an offset");
        assert_eq!(offset.0, 4);
        assert_eq!(m.params[4].path, "drivers.d.offset");
        assert_eq!(m.params[4].dist, Dist::Normal { mean: 0.0, sd: 0.1 });
    }

    #[test]
    fn bad_identifier() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[drivers.\"d-1\"]\npoints = [[\"2020-01\", 1]]\n"
            )),
            "t.toml:8:10: driver name `d-1` may hold only ASCII letters (a–z, A–Z), digits (0–9) and _"
        );
    }

    #[test]
    fn name_of_a_variable() {
        assert_eq!(
            only_error(&format!("{BASE}[drivers.x]\npoints = [[\"2020-01\", 1]]\n")),
            "t.toml:8:10: `x` is both a variable and a driver; names must be unique"
        );
    }

    #[test]
    fn min_not_below_max() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[drivers.d]\nmin = 3\nmax = 2\npoints = [[\"2020-01\", 1]]\n"
            )),
            "t.toml:10:7: drivers.d: min (3) must be below max (2)"
        );
    }

    #[test]
    fn bounds_beyond_the_magnitude_limit() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[drivers.d]\nmax = 2e12\npoints = [[\"2020-01\", 1]]\n"
            )),
            "t.toml:9:7: drivers.d: bounds must lie within ±1e12"
        );
    }

    #[test]
    fn empty_or_missing_points() {
        let msg = "t.toml:8:1: drivers.d needs `points = [[\"YYYY-MM\", value], …]` with at least one point";
        assert_eq!(
            only_error(&format!("{BASE}[drivers.d]\npoints = []\n")),
            msg
        );
        assert_eq!(only_error(&format!("{BASE}[drivers.d]\nmin = 0\n")), msg);
    }

    #[test]
    fn dates_must_increase_each_offender_located() {
        assert_eq!(
            errors(&format!(
                "{BASE}[drivers.d]\npoints = [[\"2020-05\", 1], [\"2020-05\", 2], [\"2020-01\", 3]]\n"
            )),
            [
                "t.toml:9:27: drivers.d.points: dates must increase, but 2020-05 follows 2020-05",
                "t.toml:9:43: drivers.d.points: dates must increase, but 2020-01 follows 2020-05",
            ]
        );
    }

    /// Regression (fuzzing): neighbouring points more than f64::MAX apart
    /// made the interpolated path NaN.
    #[test]
    fn point_values_beyond_the_magnitude_limit() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[drivers.d]\npoints = [[\"2020-01\", 0], [\"2020-02\", 1.7976931348623157e308]]\n"
            )),
            "t.toml:9:27: drivers.d.points: 1.7976931348623157e308 is too large: values must lie within ±1e12"
        );
    }

    /// Regression (fuzzing): thousands of drivers took gigabytes before any
    /// limit applied.
    #[test]
    fn too_many_series() {
        let many: String = (0..300)
            .map(|k| format!("[drivers.d{k}]\npoints = [[\"2020-01\", 0.5]]\n"))
            .collect();
        let errs = errors(&format!("{BASE}{many}"));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0]
                .ends_with("the scenario has 301 variables and drivers; at most 256 are allowed"),
            "{errs:?}"
        );
    }
}
