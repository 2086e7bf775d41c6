//! Serde structs that mirror the scenario file (docs/FORMAT.md). Every field is
//! optional here because a child scenario may give any subset of them; which
//! fields are required is decided after merging, in `compile`.
//! Leaf types check what they can (finite numbers, dates, distributions) while
//! deserializing, so those errors carry the exact span in the file.

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;

use crate::model::{Dist, YearMonth};

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScenarioFile {
    pub name: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    // Read from the document tree while files are merged; here they only
    // make the schema accept them.
    #[allow(dead_code)]
    pub extends: Option<String>,
    #[allow(dead_code)]
    pub remove_events: Option<Vec<String>>,
    #[allow(dead_code)]
    pub remove_observations: Option<Vec<String>>,
    #[allow(dead_code)]
    pub set: Option<toml::Table>,
    pub time: Option<TimeFile>,
    pub ensemble: Option<EnsembleFile>,
    #[serde(default)]
    pub variables: IndexMap<String, VariableFile>,
    #[serde(default)]
    pub drivers: IndexMap<String, DriverFile>,
    #[serde(default)]
    pub influences: IndexMap<String, InfluenceFile>,
    #[serde(default)]
    pub events: Vec<EventFile>,
    #[serde(default)]
    pub incidents: Vec<IncidentFile>,
    pub regimes: Option<RegimesFile>,
    #[serde(default)]
    pub observations: Vec<ObservationFile>,
}

/// One `[[observations]]` entry: an observation, or (with `file` and
/// nothing else) a CSV file of them, expanded when the scenario is read.
/// Entries read from a file keep `file`, so `remove_observations` can drop
/// them by the file's name.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct ObservationFile {
    pub name: Option<String>,
    pub file: Option<String>,
    pub date: Option<Month>,
    pub variable: Option<String>,
    pub band: Option<String>,
    pub value: Option<Finite>,
    pub sd: Option<Finite>,
    pub lo: Option<Finite>,
    pub hi: Option<Finite>,
    pub softness: Option<Finite>,
    pub scale: Option<Finite>,
    pub offset: Option<Finite>,
    pub source: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct TimeFile {
    pub start: Option<Month>,
    pub end: Option<Month>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnsembleFile {
    pub runs: Option<u64>,
    pub seed: Option<u64>,
    pub quantiles: Option<Vec<Finite>>,
    pub condition: Option<bool>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ResponseFile {
    Linear,
    Logistic,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum InterpolationFile {
    Linear,
    Step,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct VariableFile {
    pub description: Option<String>,
    pub min: Option<Finite>,
    pub max: Option<Finite>,
    pub labels: Option<[String; 2]>,
    pub initial: Option<ParamFile>,
    pub rate: Option<ParamFile>,
    pub bias: Option<BiasFile>,
    pub noise: Option<ParamFile>,
    pub response: Option<ResponseFile>,
}

/// A variable's `bias`: a number or distribution, or `"equilibrium"` (the
/// bias that makes the initial state a fixed point, computed per run).
#[derive(Debug, Clone)]
pub(crate) enum BiasFile {
    Value(ParamFile),
    Equilibrium,
}

impl<'de> Deserialize<'de> for BiasFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BiasVisitor)
    }
}

struct BiasVisitor;

impl<'de> Visitor<'de> for BiasVisitor {
    type Value = BiasFile;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "a number, a distribution such as { dist = \"normal\", mean = 0.4, sd = 0.1 }, or \"equilibrium\"",
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<BiasFile, E> {
        if v == "equilibrium" {
            Ok(BiasFile::Equilibrium)
        } else {
            Err(E::custom(format!(
                "bias = \"{v}\": the only text a bias takes is \"equilibrium\"; otherwise write a number or a distribution"
            )))
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<BiasFile, E> {
        ParamVisitor.visit_i64(v).map(BiasFile::Value)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<BiasFile, E> {
        ParamVisitor.visit_u64(v).map(BiasFile::Value)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<BiasFile, E> {
        ParamVisitor.visit_f64(v).map(BiasFile::Value)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<BiasFile, A::Error> {
        ParamVisitor.visit_map(map).map(BiasFile::Value)
    }
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct DriverFile {
    pub description: Option<String>,
    pub min: Option<Finite>,
    pub max: Option<Finite>,
    pub interpolation: Option<InterpolationFile>,
    pub points: Option<Vec<(Month, Finite)>>,
    pub offset: Option<ParamFile>,
    pub offset_from: Option<Month>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct InfluenceFile {
    pub weight: Option<ParamFile>,
    pub lag: Option<u32>,
    pub evidence: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventFile {
    pub name: Option<String>,
    pub date: Option<Month>,
    #[serde(default)]
    pub jump: IndexMap<String, ParamFile>,
    #[serde(default)]
    pub pressure: IndexMap<String, ParamFile>,
    pub half_life: Option<Finite>,
    pub evidence: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct IncidentFile {
    pub name: Option<String>,
    pub base_rate: Option<ParamFile>,
    #[serde(default)]
    pub rate_by: IndexMap<String, Finite>,
    #[serde(default)]
    pub jump: IndexMap<String, ParamFile>,
    #[serde(default)]
    pub pressure: IndexMap<String, ParamFile>,
    pub half_life: Option<Finite>,
    pub start: Option<Month>,
    pub end: Option<Month>,
    pub evidence: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegimesFile {
    pub variable: Option<String>,
    pub bands: Option<Vec<BandFile>>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct BandFile {
    pub name: Option<String>,
    pub min: Option<Finite>,
    pub max: Option<Finite>,
    /// `"#rrggbb"`, checked when compiling.
    pub color: Option<String>,
}

/// A finite float (TOML allows `inf` and `nan`; the model does not).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Finite(pub f64);

impl<'de> Deserialize<'de> for Finite {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Finite;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a finite number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Finite, E> {
                Ok(Finite(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Finite, E> {
                Ok(Finite(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Finite, E> {
                finite(v).map(Finite)
            }
        }
        d.deserialize_any(V)
    }
}

fn finite<E: de::Error>(v: f64) -> Result<f64, E> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(E::custom(format!(
            "{v} is not a finite number; inf and nan are not allowed here"
        )))
    }
}

/// A `"YYYY-MM"` month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Month(pub YearMonth);

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        YearMonth::parse(&text)
            .map(Month)
            .map_err(de::Error::custom)
    }
}

/// A (P) field: a plain number or `{ dist = "...", ... }` (docs/FORMAT.md, "Numbers that may be uncertain").
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParamFile(pub Dist);

impl<'de> Deserialize<'de> for ParamFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ParamVisitor)
    }
}

struct ParamVisitor;

const DIST_KEYS: &[&str] = &["dist", "mean", "sd", "min", "mode", "max"];

impl<'de> Visitor<'de> for ParamVisitor {
    type Value = ParamFile;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "a number or a distribution such as { dist = \"normal\", mean = 0.4, sd = 0.1 }",
        )
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ParamFile, E> {
        Ok(ParamFile(Dist::Fixed(v as f64)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ParamFile, E> {
        Ok(ParamFile(Dist::Fixed(v as f64)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<ParamFile, E> {
        finite(v).map(|v| ParamFile(Dist::Fixed(v)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ParamFile, A::Error> {
        let mut dist: Option<String> = None;
        let mut nums: [Option<f64>; 5] = [None; 5]; // mean, sd, min, mode, max
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "dist" => dist = Some(map.next_value()?),
                k => {
                    let Some(pos) = DIST_KEYS[1..].iter().position(|x| *x == k) else {
                        return Err(de::Error::unknown_field(k, DIST_KEYS));
                    };
                    nums[pos] = Some(map.next_value::<Finite>()?.0);
                }
            }
        }
        let [mean, sd, min, mode, max] = nums;
        let given: Vec<&str> = DIST_KEYS[1..]
            .iter()
            .zip(nums.iter())
            .filter_map(|(k, v)| v.map(|_| *k))
            .collect();
        let dist = dist.ok_or_else(|| {
            de::Error::custom(
                "a distribution table needs `dist` = \"normal\", \"uniform\" or \"triangular\"",
            )
        })?;
        let only = |allowed: &[&str]| -> Result<(), A::Error> {
            match given.iter().find(|k| !allowed.contains(k)) {
                Some(k) => Err(de::Error::custom(format!(
                    "`{k}` does not belong to a {dist} distribution, which takes {}",
                    allowed.join(", ")
                ))),
                None => Ok(()),
            }
        };
        let need = |v: Option<f64>, k: &str| -> Result<f64, A::Error> {
            v.ok_or_else(|| de::Error::custom(format!("a {dist} distribution needs `{k}`")))
        };
        let d = match dist.as_str() {
            "normal" => {
                only(&["mean", "sd"])?;
                let (mean, sd) = (need(mean, "mean")?, need(sd, "sd")?);
                if sd < 0.0 {
                    return Err(de::Error::custom(format!(
                        "sd = {sd} is negative; a standard deviation must be >= 0"
                    )));
                }
                Dist::Normal { mean, sd }
            }
            "uniform" => {
                only(&["min", "max"])?;
                let (min, max) = (need(min, "min")?, need(max, "max")?);
                if min >= max {
                    return Err(de::Error::custom(format!(
                        "uniform needs min < max, got min = {min}, max = {max}"
                    )));
                }
                Dist::Uniform { min, max }
            }
            "triangular" => {
                only(&["min", "mode", "max"])?;
                let (min, mode, max) = (need(min, "min")?, need(mode, "mode")?, need(max, "max")?);
                if !(min < max && min <= mode && mode <= max) {
                    return Err(de::Error::custom(format!(
                        "triangular needs min <= mode <= max and min < max, got min = {min}, mode = {mode}, max = {max}"
                    )));
                }
                Dist::Triangular { min, mode, max }
            }
            other => {
                return Err(de::Error::custom(format!(
                    "unknown distribution `{other}`; expected \"normal\", \"uniform\" or \"triangular\""
                )));
            }
        };
        Ok(ParamFile(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::Error as DeError;

    /// A deserializer that only records the field names a struct asks for.
    struct Fields<'a>(&'a mut Vec<&'static str>);

    impl<'de> Deserializer<'de> for Fields<'_> {
        type Error = DeError;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, DeError> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, DeError> {
            self.0.extend_from_slice(fields);
            Err(de::Error::custom("fields recorded"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }

    fn fields<'de, T: Deserialize<'de>>() -> Vec<&'static str> {
        let mut out = Vec::new();
        let _ = T::deserialize(Fields(&mut out));
        out
    }

    /// docs/FORMAT.md is the contract: every key the parser accepts must be
    /// documented there (written in backticks), so the two cannot drift.
    #[test]
    fn every_accepted_key_is_documented_in_format_md() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FORMAT.md");
        let doc = std::fs::read_to_string(path).expect("docs/FORMAT.md exists");
        let mut keys: Vec<&str> = Vec::new();
        for list in [
            fields::<ScenarioFile>(),
            fields::<TimeFile>(),
            fields::<EnsembleFile>(),
            fields::<VariableFile>(),
            fields::<DriverFile>(),
            fields::<InfluenceFile>(),
            fields::<EventFile>(),
            fields::<IncidentFile>(),
            fields::<RegimesFile>(),
            fields::<BandFile>(),
            fields::<ObservationFile>(),
        ] {
            assert!(!list.is_empty(), "a struct reported no fields");
            keys.extend(list);
        }
        keys.extend(DIST_KEYS);
        keys.extend([
            "linear",
            "logistic",
            "step",
            "normal",
            "uniform",
            "triangular",
        ]);
        let missing: Vec<&&str> = keys
            .iter()
            .filter(|k| !doc.contains(&format!("`{k}`")) && !doc.contains(&format!("\"{k}\"")))
            .collect();
        assert!(
            missing.is_empty(),
            "keys missing from docs/FORMAT.md: {missing:?}"
        );
        assert!(keys.contains(&"half_life") && keys.contains(&"remove_events"));
    }
}
