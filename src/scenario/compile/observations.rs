//! `[[observations]]`: what actually happened, as data the model is
//! confronted with. Each entry says one thing about one series in one
//! month: a measurement (`value`, `sd`), an interval (`lo` and/or `hi`), or
//! the regime band the regime variable was in (`band`).

use super::text::Text;
use super::time::Horizon;
use super::{Checker, Names, declared_bounds};
use crate::model::{Evidence, Observation, Regimes, SourceId};
use crate::scenario::file::{ObservationFile, ScenarioFile};

/// The default soft edge of an interval or band: this share of the
/// observed series' range (times |scale|).
pub(crate) const DEFAULT_SOFTNESS_SHARE: f64 = 0.01;

/// The observations, in month order (entries with errors are reported and
/// left out).
pub(super) fn compile(
    c: &mut Checker<'_>,
    file: &ScenarioFile,
    names: &Names<'_>,
    horizon: &Horizon,
    regimes: Option<&Regimes>,
) -> Vec<Observation> {
    let mut out: Vec<Observation> = file
        .observations
        .iter()
        .enumerate()
        .filter_map(|(i, o)| observation(c, i, o, file, names, horizon, regimes))
        .collect();
    out.sort_by_key(|o| o.month);
    out
}

fn observation(
    c: &mut Checker<'_>,
    i: usize,
    o: &ObservationFile,
    file: &ScenarioFile,
    names: &Names<'_>,
    horizon: &Horizon,
    regimes: Option<&Regimes>,
) -> Option<Observation> {
    let idx = i.to_string();
    let at = |k: &'static str| ["observations", idx.as_str(), k];
    let whole = ["observations", idx.as_str()];
    if o.file.is_some() && o.date.is_none() {
        c.err(
            &at("file"),
            "an observation file is read with the scenario file that names it; it cannot be added by --set",
        );
        return None;
    }
    if let Some(name) = &o.name {
        c.text(
            &at("name"),
            &format!("observation name `{name}`"),
            Text::ShockName,
            name,
        );
    }
    if let Some(source) = &o.source {
        c.text(&at("source"), "source", Text::Description, source);
    }
    let Some(date) = o.date.map(|m| m.0) else {
        c.err(
            &whole,
            format!("observation #{} has no `date` (\"YYYY-MM\")", i + 1),
        );
        return None;
    };
    let Some(month) = horizon.month_of(date) else {
        c.err(
            &at("date"),
            format!(
                "observation date {date} lies outside the horizon {} … {}",
                horizon.start, horizon.end
            ),
        );
        return None;
    };
    let (series, band, bounds, what) = target(c, o, &whole, file, names, regimes)?;
    let scale = o.scale.map_or(1.0, |f| f.0);
    let offset = o.offset.map_or(0.0, |f| f.0);
    if scale == 0.0 {
        c.err(
            &at("scale"),
            "`scale` must not be 0: the observed quantity would not depend on the run",
        );
        return None;
    }
    if band.is_some() && (o.scale.is_some() || o.offset.is_some()) {
        c.err(
            &whole,
            "a band observation is in the variable's own units: leave out `scale` and `offset`",
        );
        return None;
    }
    let default_softness = DEFAULT_SOFTNESS_SHARE * (bounds.1 - bounds.0) * scale.abs();
    let evidence = evidence(c, o, &idx, band.as_ref(), default_softness)?;
    let label = o.name.clone().unwrap_or_else(|| format!("{date} {what}"));
    Some(Observation {
        label,
        date,
        month,
        series,
        band: band.map(|(b, _, _)| b),
        evidence,
        scale,
        offset,
        source: o.source.clone(),
    })
}

/// The observed series: a variable or driver, or the regime variable of a
/// band; with the band (index and edges), the series' bounds, and how a
/// label names it.
type Target = (SourceId, Option<(usize, f64, f64)>, (f64, f64), String);

fn target(
    c: &mut Checker<'_>,
    o: &ObservationFile,
    whole: &[&str],
    file: &ScenarioFile,
    names: &Names<'_>,
    regimes: Option<&Regimes>,
) -> Option<Target> {
    let idx = whole[1];
    match (&o.variable, &o.band) {
        (Some(_), Some(_)) => {
            c.err(whole, "give either `variable` or `band`, not both (a band belongs to the regime variable)");
            None
        }
        (None, None) => {
            c.err(
                whole,
                "an observation needs `variable` (a variable or driver) or `band`",
            );
            None
        }
        (Some(v), None) => {
            let Some(s) = names.source(v) else {
                c.err_key(
                    &["observations", idx, "variable"],
                    format!("observation: unknown variable or driver `{v}`"),
                    Some(names.source_help(v)),
                );
                return None;
            };
            let bounds = match file.variables.get(v) {
                Some(var) => declared_bounds(var.min, var.max),
                None => {
                    let d = &file.drivers[v.as_str()];
                    declared_bounds(d.min, d.max)
                }
            };
            Some((SourceId(s), None, bounds, v.clone()))
        }
        (None, Some(b)) => {
            let Some(r) = regimes else {
                c.err(
                    &["observations", idx, "band"],
                    "a band observation needs a [regimes] table",
                );
                return None;
            };
            let Some(k) = r.bands.iter().position(|x| x.name == *b) else {
                let known: Vec<&str> = r.bands.iter().map(|x| x.name.as_str()).collect();
                c.err_key(
                    &["observations", idx, "band"],
                    format!("observation: unknown band `{b}`"),
                    Some(crate::scenario::source::did_you_mean(
                        b,
                        known.iter().copied(),
                        "bands",
                    )),
                );
                return None;
            };
            let var = r.variable.0;
            let vname = names.vars[var];
            let v = &file.variables[vname];
            let (lo, hi) = (r.bands[k].lo, r.bands[k].hi);
            Some((
                SourceId(var),
                Some((k, lo, hi)),
                declared_bounds(v.min, v.max),
                format!("band {b}"),
            ))
        }
    }
}

/// What the entry says: a measurement, an interval or a band, exactly one.
fn evidence(
    c: &mut Checker<'_>,
    o: &ObservationFile,
    idx: &str,
    band: Option<&(usize, f64, f64)>,
    default_softness: f64,
) -> Option<Evidence> {
    let at = |k: &'static str| ["observations", idx, k];
    let measured = o.value.is_some() || o.sd.is_some();
    let interval = o.lo.is_some() || o.hi.is_some();
    let kinds = usize::from(measured) + usize::from(interval) + usize::from(band.is_some());
    if kinds != 1 {
        let msg = if kinds == 0 {
            "an observation must say something: `value` and `sd`, `lo` and/or `hi`, or `band`"
        } else {
            "give one of: `value` and `sd` (a measurement), `lo` and/or `hi` (an interval), `band`"
        };
        c.err(&["observations", idx], msg);
        return None;
    }
    let softness = o.softness.map(|f| f.0);
    if let Some(s) = softness
        && s < 0.0
    {
        c.err(
            &at("softness"),
            format!("softness = {s} must be >= 0 (0: a hard edge)"),
        );
        return None;
    }
    if measured {
        if softness.is_some() {
            c.err(
                &at("softness"),
                "`softness` belongs to intervals and bands; a measurement's spread is its `sd`",
            );
            return None;
        }
        let (Some(value), Some(sd)) = (o.value, o.sd) else {
            c.err(
                &["observations", idx],
                "a measurement needs both `value` and `sd`",
            );
            return None;
        };
        if sd.0 <= 0.0 {
            c.err(&at("sd"), format!("sd = {} must be > 0", sd.0));
            return None;
        }
        return Some(Evidence::Measured {
            value: value.0,
            sd: sd.0,
        });
    }
    let (lo, hi) = match band {
        Some(&(_, lo, hi)) => (lo, hi),
        None => (
            o.lo.map_or(f64::NEG_INFINITY, |f| f.0),
            o.hi.map_or(f64::INFINITY, |f| f.0),
        ),
    };
    if lo >= hi {
        c.err(&at("hi"), format!("lo ({lo}) must be below hi ({hi})"));
        return None;
    }
    Some(Evidence::Interval {
        lo,
        hi,
        softness: softness.unwrap_or(default_softness),
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{BASE, compiles, only_error};
    use crate::model::Evidence;

    const REG: &str = "[regimes]\nvariable = \"x\"\nbands = [{ name = \"low\", max = 0.5 }, { name = \"high\", min = 0.5 }]\n";

    #[test]
    fn the_three_kinds_compile_with_their_defaults_in_month_order() {
        let m = compiles(&format!(
            "{BASE}{REG}[[observations]]\ndate = \"2020-06\"\nvariable = \"x\"\nlo = 0.2\nhi = 0.4\n\
             [[observations]]\ndate = \"2020-03\"\nvariable = \"x\"\nvalue = 0.6\nsd = 0.1\nsource = \"S000\"\n\
             [[observations]]\ndate = \"2020-09\"\nband = \"high\"\n"
        ));
        let o = &m.observations;
        assert_eq!(o.len(), 3);
        assert_eq!((o[0].month, o[1].month, o[2].month), (2, 5, 8));
        assert_eq!(
            o[0].evidence,
            Evidence::Measured {
                value: 0.6,
                sd: 0.1
            }
        );
        assert_eq!(o[0].label, "2020-03 x");
        assert_eq!(o[0].source.as_deref(), Some("S000"));
        assert_eq!(
            o[1].evidence,
            Evidence::Interval {
                lo: 0.2,
                hi: 0.4,
                softness: 0.01
            }
        );
        assert_eq!(
            o[2].evidence,
            Evidence::Interval {
                lo: 0.5,
                hi: f64::INFINITY,
                softness: 0.01
            }
        );
        assert_eq!(
            (o[2].band, o[2].label.as_str()),
            (Some(1), "2020-09 band high")
        );
    }

    #[test]
    fn a_date_outside_the_horizon() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[[observations]]\ndate = \"2021-01\"\nvariable = \"x\"\nlo = 0\n"
            )),
            "t.toml:9:8: observation date 2021-01 lies outside the horizon 2020-01 … 2020-12"
        );
    }

    #[test]
    fn an_unknown_variable_suggests_the_nearest() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[[observations]]\ndate = \"2020-05\"\nvariable = \"y\"\nlo = 0\n"
            )),
            "t.toml:10:1: observation: unknown variable or driver `y`"
        );
    }

    #[test]
    fn a_measurement_needs_a_positive_sd() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[[observations]]\ndate = \"2020-05\"\nvariable = \"x\"\nvalue = 0.5\nsd = 0\n"
            )),
            "t.toml:12:6: sd = 0 must be > 0"
        );
    }

    #[test]
    fn an_interval_needs_lo_below_hi() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[[observations]]\ndate = \"2020-05\"\nvariable = \"x\"\nlo = 0.5\nhi = 0.2\n"
            )),
            "t.toml:12:6: lo (0.5) must be below hi (0.2)"
        );
    }

    #[test]
    fn one_kind_of_evidence_exactly() {
        assert!(
            only_error(&format!(
                "{BASE}[[observations]]\ndate = \"2020-05\"\nvariable = \"x\"\n"
            ))
            .ends_with(
                "an observation must say something: `value` and `sd`, `lo` and/or `hi`, or `band`"
            )
        );
        assert!(
            only_error(&format!("{BASE}[[observations]]\ndate = \"2020-05\"\nvariable = \"x\"\nvalue = 1\nsd = 1\nlo = 0\n"))
                .ends_with("give one of: `value` and `sd` (a measurement), `lo` and/or `hi` (an interval), `band`")
        );
    }

    #[test]
    fn a_band_needs_regimes_and_a_known_band() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[[observations]]\ndate = \"2020-05\"\nband = \"low\"\n"
            )),
            "t.toml:10:8: a band observation needs a [regimes] table"
        );
        assert_eq!(
            only_error(&format!(
                "{BASE}{REG}[[observations]]\ndate = \"2020-05\"\nband = \"lo\"\n"
            )),
            "t.toml:13:1: observation: unknown band `lo`"
        );
    }

    #[test]
    fn scale_and_offset_relate_an_index_in_its_own_units() {
        let m = compiles(&format!(
            "{BASE}[[observations]]\ndate = \"2020-05\"\nvariable = \"x\"\nvalue = 3\nsd = 1\nscale = 10\noffset = -2\n"
        ));
        assert_eq!(
            (m.observations[0].scale, m.observations[0].offset),
            (10.0, -2.0)
        );
        assert_eq!(m.observations[0].measured(0.5), 3.0);
        assert_eq!(
            only_error(&format!(
                "{BASE}[[observations]]\ndate = \"2020-05\"\nvariable = \"x\"\nvalue = 3\nsd = 1\nscale = 0\n"
            )),
            "t.toml:13:9: `scale` must not be 0: the observed quantity would not depend on the run"
        );
    }
}
