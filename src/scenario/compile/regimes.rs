//! `[regimes]`: named bands dividing one variable's range.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::{Checker, Names, declared_bounds};
use crate::limits::MAX_BANDS;
use crate::model::{Band, Regimes, VarId};
use crate::scenario::file::{BandFile, RegimesFile, VariableFile};

/// The regimes, or `None` when the table is unusable (reported).
pub(super) fn compile(
    c: &mut Checker<'_>,
    r: &RegimesFile,
    variables: &IndexMap<String, VariableFile>,
    names: &Names<'_>,
) -> Option<Regimes> {
    let (var, vname) = variable(c, r, names)?;
    let files = band_files(c, r)?;
    let bands = bands(c, &files);
    let (min, max) = declared_bounds(variables[var].min, variables[var].max);
    check_coverage(c, &bands, vname, (min, max));
    Some(Regimes {
        variable: VarId(var),
        bands,
    })
}

/// The variable the bands divide: its index and name.
fn variable<'r>(
    c: &mut Checker<'_>,
    r: &'r RegimesFile,
    names: &Names<'_>,
) -> Option<(usize, &'r str)> {
    let Some(vname) = &r.variable else {
        c.err(
            &["regimes"],
            "[regimes] needs `variable`, the state variable the bands divide",
        );
        return None;
    };
    let Some(var) = names.var(vname) else {
        c.err_key(
            &["regimes", "variable"],
            format!("regimes.variable names unknown variable `{vname}`"),
            Some(names.var_help(vname)),
        );
        return None;
    };
    Some((var, vname))
}

/// The bands as written: at least one, at most [`MAX_BANDS`].
fn band_files(c: &mut Checker<'_>, r: &RegimesFile) -> Option<Vec<BandFile>> {
    let files = r.bands.clone().unwrap_or_default();
    if files.is_empty() {
        c.err(
            &["regimes"],
            "[regimes] needs `bands = [{ name = …, max = … }, …]`",
        );
        return None;
    }
    if files.len() > MAX_BANDS {
        c.err(
            &["regimes", "bands"],
            format!(
                "[regimes] has {} bands; at most {MAX_BANDS} are supported",
                files.len()
            ),
        );
        return None;
    }
    Some(files)
}

/// Each band named once, with `min` below `max`, each starting where the
/// previous one ends. A band whose bounds cannot be known is left out.
fn bands(c: &mut Checker<'_>, files: &[BandFile]) -> Vec<Band> {
    let mut bands: Vec<Band> = Vec::new();
    let mut names = HashMap::new();
    for (i, b) in files.iter().enumerate() {
        let idx = i.to_string();
        let at = ["regimes", "bands", idx.as_str()];
        let name = band_name(c, &at, i, b, &mut names);
        let Some((lo, hi)) = band_bounds(files, i) else {
            c.err(&at, format!("band `{name}` needs `min` and `max` (only the first band may omit min, only the last max)"));
            continue;
        };
        if lo >= hi {
            c.err(
                &at,
                format!("band `{name}`: min ({lo}) must be below max ({hi})"),
            );
        }
        if let Some(prev) = bands.last()
            && prev.hi != lo
        {
            c.err(
                &at,
                format!("bands must be contiguous and increasing: `{}` ends at {} but `{name}` starts at {lo}", prev.name, prev.hi),
            );
        }
        let colour = b.color.as_deref().and_then(|text| {
            let parsed = parse_colour(text);
            if parsed.is_none() {
                let at = ["regimes", "bands", idx.as_str(), "color"];
                c.err_help(
                    &at,
                    format!(
                        "band `{name}`: color `{text}` is not a colour of the form \"#rrggbb\""
                    ),
                    "write six hexadecimal digits after `#`, e.g. color = \"#4477aa\"",
                );
            }
            parsed
        });
        bands.push(Band {
            name,
            lo,
            hi,
            colour,
        });
    }
    bands
}

/// A colour written `#rrggbb` (either case), as red, green, blue.
pub(crate) fn parse_colour(text: &str) -> Option<[u8; 3]> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// The band's name, written and not repeated (`seen`: names so far).
fn band_name(
    c: &mut Checker<'_>,
    at: &[&str],
    i: usize,
    b: &BandFile,
    seen: &mut HashMap<String, usize>,
) -> String {
    let name = b.name.clone().unwrap_or_default();
    if name.is_empty() {
        c.err(at, format!("band #{} has no `name`", i + 1));
    } else if let Some(p) = super::text::problem(super::text::Text::BandName, &name) {
        c.err(at, format!("band name `{name}` {p}"));
    } else if seen.insert(name.clone(), i).is_some() {
        c.err(at, format!("band name `{name}` is used twice"));
    }
    name
}

/// Band `i`'s bounds: a missing `min` is the previous band's `max` (open
/// for the first band), a missing `max` the next band's `min` (open for the
/// last). `None` when a bound is missing on both sides.
fn band_bounds(files: &[BandFile], i: usize) -> Option<(f64, f64)> {
    let b = &files[i];
    let lo = match (b.min, i) {
        (Some(f), _) => f.0,
        (None, 0) => f64::NEG_INFINITY,
        (None, _) => files[i - 1].max?.0,
    };
    let hi = match (b.max, i + 1 == files.len()) {
        (Some(f), _) => f.0,
        (None, true) => f64::INFINITY,
        (None, false) => files[i + 1].min?.0,
    };
    Some((lo, hi))
}

/// Every value the variable can take must fall in a band.
fn check_coverage(c: &mut Checker<'_>, bands: &[Band], vname: &str, (min, max): (f64, f64)) {
    if let (Some(first), Some(last)) = (bands.first(), bands.last())
        && (first.lo > min || last.hi < max)
    {
        c.err_help(
            &["regimes", "bands"],
            format!(
                "the bands must cover all of `{vname}` ({min} … {max}), but they span {} … {}",
                first.lo, last.hi
            ),
            "leave out the first band's min and the last band's max",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{BASE, compiles, errors, only_error, only_error_with_help};
    use crate::model::VarId;

    /// BASE with `[regimes]` on line 8, `variable = "x"` on line 9 and
    /// `bands = [ … ]` on line 10.
    fn bands(bands: &str) -> String {
        format!("{BASE}[regimes]\nvariable = \"x\"\nbands = [{bands}]\n")
    }

    #[test]
    fn open_outer_edges_and_shared_inner_bounds() {
        let m = compiles(&bands(
            "{ name = \"lo\", max = 0.2 }, { name = \"mid\" }, { name = \"hi\", min = 0.7 }",
        ));
        let r = m.regimes.expect("regimes");
        assert_eq!(r.variable, VarId(0));
        let got: Vec<(&str, f64, f64)> = r
            .bands
            .iter()
            .map(|b| (b.name.as_str(), b.lo, b.hi))
            .collect();
        assert_eq!(
            got,
            [
                ("lo", f64::NEG_INFINITY, 0.2),
                ("mid", 0.2, 0.7),
                ("hi", 0.7, f64::INFINITY)
            ]
        );
        assert!(compiles(BASE).regimes.is_none(), "no [regimes], no regimes");
    }

    #[test]
    fn band_colours_are_optional_and_parsed() {
        let m = compiles(&bands(
            "{ name = \"lo\", max = 0.5, color = \"#4477AA\" }, { name = \"hi\" }",
        ));
        let r = m.regimes.expect("regimes");
        assert_eq!(r.bands[0].colour, Some([0x44, 0x77, 0xaa]));
        assert_eq!(r.bands[1].colour, None);
    }

    #[test]
    fn a_band_colour_must_be_six_hex_digits() {
        for bad in ["red", "#47a", "#4477ag", "4477aa", "#4477aa0"] {
            let (msg, help) = only_error_with_help(&bands(&format!(
                "{{ name = \"lo\", max = 0.5, color = \"{bad}\" }}, {{ name = \"hi\" }}"
            )));
            assert_eq!(
                msg,
                format!(
                    "t.toml:10:44: band `lo`: color `{bad}` is not a colour of the form \"#rrggbb\""
                )
            );
            assert_eq!(
                help.as_deref(),
                Some("write six hexadecimal digits after `#`, e.g. color = \"#4477aa\"")
            );
        }
    }

    #[test]
    fn missing_variable() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[regimes]\nbands = [{{ name = \"all\" }}]\n"
            )),
            "t.toml:8:1: [regimes] needs `variable`, the state variable the bands divide"
        );
    }

    #[test]
    fn unknown_variable_suggests_a_name() {
        let (msg, help) = only_error_with_help(&format!(
            "{BASE}[regimes]\nvariable = \"xx\"\nbands = [{{ name = \"all\" }}]\n"
        ));
        assert_eq!(
            msg,
            "t.toml:9:1: regimes.variable names unknown variable `xx`"
        );
        assert_eq!(help.as_deref(), Some("did you mean `x`? Known names: `x`"));
    }

    #[test]
    fn missing_or_empty_bands() {
        let msg = "t.toml:8:1: [regimes] needs `bands = [{ name = …, max = … }, …]`";
        assert_eq!(
            only_error(&format!("{BASE}[regimes]\nvariable = \"x\"\n")),
            msg
        );
        assert_eq!(only_error(&bands("")), msg);
    }

    #[test]
    fn more_than_64_bands() {
        let many: Vec<String> = (0..65).map(|i| format!("{{ name = \"b{i}\" }}")).collect();
        assert_eq!(
            only_error(&bands(&many.join(", "))),
            "t.toml:10:9: [regimes] has 65 bands; at most 64 are supported"
        );
    }

    #[test]
    fn band_without_name() {
        assert_eq!(
            only_error(&bands("{ max = 0.5 }, { name = \"hi\" }")),
            "t.toml:10:10: band #1 has no `name`"
        );
    }

    #[test]
    fn duplicate_band_name_points_at_the_second() {
        assert_eq!(
            only_error(&bands("{ name = \"a\", max = 0.5 }, { name = \"a\" }")),
            "t.toml:10:37: band name `a` is used twice"
        );
    }

    #[test]
    fn middle_band_without_max_before_a_band_without_min() {
        assert_eq!(
            errors(&bands(
                "{ name = \"lo\", max = 0.2 }, { name = \"mid\", min = 0.2 }, { name = \"hi\" }"
            )),
            [
                "t.toml:10:38: band `mid` needs `min` and `max` (only the first band may omit min, only the last max)",
                "t.toml:10:67: band `hi` needs `min` and `max` (only the first band may omit min, only the last max)",
                "t.toml:10:9: the bands must cover all of `x` (0 … 1), but they span -inf … 0.2",
            ]
        );
    }

    #[test]
    fn min_not_below_max() {
        assert_eq!(
            errors(&bands(
                "{ name = \"lo\", max = 0.5 }, { name = \"hi\", min = 0.5, max = 0.5 }"
            )),
            [
                "t.toml:10:38: band `hi`: min (0.5) must be below max (0.5)",
                "t.toml:10:9: the bands must cover all of `x` (0 … 1), but they span -inf … 0.5",
            ]
        );
    }

    #[test]
    fn bands_must_be_contiguous() {
        assert_eq!(
            only_error(&bands(
                "{ name = \"lo\", max = 0.4 }, { name = \"hi\", min = 0.5 }"
            )),
            "t.toml:10:38: bands must be contiguous and increasing: `lo` ends at 0.4 but `hi` starts at 0.5"
        );
    }

    #[test]
    fn bands_must_cover_the_variable() {
        let (msg, help) = only_error_with_help(&bands(
            "{ name = \"lo\", min = 0.1, max = 0.5 }, { name = \"hi\", min = 0.5 }",
        ));
        assert_eq!(
            msg,
            "t.toml:10:9: the bands must cover all of `x` (0 … 1), but they span 0.1 … inf"
        );
        assert_eq!(
            help.as_deref(),
            Some("leave out the first band's min and the last band's max")
        );
    }
}
