//! The quantity an analysis studies, computed from one run's trajectory:
//! `alignment@2030-12`, `mean:alignment@2026-01..2030-12`, `share:proxy@2030-12`.

use crate::model::{Model, YearMonth};

#[derive(Clone, Debug, PartialEq)]
pub enum Metric {
    /// A series (variable or driver) at one month.
    Value { series: usize, month: usize },
    /// A series averaged over months `from..=to`.
    Mean {
        series: usize,
        from: usize,
        to: usize,
    },
    /// 1 when the regime variable is in `band` at `month`, else 0; its mean
    /// over runs is the band's share.
    Share { band: usize, month: usize },
}

impl Metric {
    /// Parses a metric against a model; the error says what was expected.
    pub fn parse(text: &str, model: &Model) -> Result<(Metric, String), String> {
        let month = |s: &str| -> Result<usize, String> {
            let d = YearMonth::parse(s.trim())?;
            let k = model.start.months_until(d);
            if k < 0 || k >= model.months() as i64 {
                return Err(format!(
                    "{d} lies outside the scenario's horizon {} … {}",
                    model.start, model.end
                ));
            }
            Ok(k as usize)
        };
        let series = |name: &str| -> Result<usize, String> {
            let names: Vec<&str> = model
                .variables
                .iter()
                .map(|v| v.name.as_str())
                .chain(model.drivers.iter().map(|d| d.name.as_str()))
                .collect();
            names.iter().position(|n| *n == name).ok_or_else(|| {
                format!(
                    "`{name}` is neither a variable nor a driver; known: {}",
                    names.join(", ")
                )
            })
        };
        let usage = || {
            format!(
                "`{text}` is not a metric; write VARIABLE@YYYY-MM, mean:VARIABLE@YYYY-MM..YYYY-MM or share:BAND@YYYY-MM"
            )
        };
        let metric = if let Some(rest) = text.strip_prefix("mean:") {
            let (name, window) = rest.split_once('@').ok_or_else(usage)?;
            let (a, b) = window.split_once("..").ok_or_else(usage)?;
            let (from, to) = (month(a)?, month(b)?);
            if from > to {
                return Err(format!("`{text}`: the window starts after it ends"));
            }
            Metric::Mean {
                series: series(name.trim())?,
                from,
                to,
            }
        } else if let Some(rest) = text.strip_prefix("share:") {
            let (band, at) = rest.split_once('@').ok_or_else(usage)?;
            let reg = model
                .regimes
                .as_ref()
                .ok_or("share: metrics need a [regimes] table in the scenario")?;
            let names: Vec<&str> = reg.bands.iter().map(|b| b.name.as_str()).collect();
            let band = names
                .iter()
                .position(|n| *n == band.trim())
                .ok_or_else(|| format!("no band `{}`; bands: {}", band.trim(), names.join(", ")))?;
            Metric::Share {
                band,
                month: month(at)?,
            }
        } else {
            let (name, at) = text.split_once('@').ok_or_else(usage)?;
            Metric::Value {
                series: series(name.trim())?,
                month: month(at)?,
            }
        };
        Ok((metric, text.to_string()))
    }

    /// The default metric: the regime variable (or the first variable) in the last month.
    pub fn default_for(model: &Model) -> (Metric, String) {
        let series = model.regimes.as_ref().map_or(0, |r| r.variable.0);
        let month = model.months() - 1;
        (
            Metric::Value { series, month },
            format!("{}@{}", model.variables[series].name, model.end),
        )
    }

    /// Whether a deterministic run gives a meaningful value (a share is 0 or 1 there).
    pub fn wants_ensemble(&self) -> bool {
        matches!(self, Metric::Share { .. })
    }

    /// The value every lane's accumulator starts from.
    pub fn start(&self) -> f64 {
        -0.0
    }

    /// Folds month `t` of a block of runs (`row[s * lanes + r]`) into one
    /// accumulator per lane: the metric needs only the months it names, so
    /// it is computed while the runs advance.
    pub fn fold(&self, model: &Model, t: usize, row: &[f64], lanes: usize, acc: &mut [f64]) {
        let lane = |series: usize| &row[series * lanes..(series + 1) * lanes];
        match *self {
            Metric::Value { series, month } if t == month => acc.copy_from_slice(lane(series)),
            Metric::Mean { series, from, to } if (from..=to).contains(&t) => {
                for (a, x) in acc.iter_mut().zip(lane(series)) {
                    *a += x;
                }
            }
            Metric::Share { band, month } if t == month => {
                let reg = model
                    .regimes
                    .as_ref()
                    .expect("Share metrics are only built when regimes exist");
                for (a, &x) in acc.iter_mut().zip(lane(reg.variable.0)) {
                    *a = f64::from(u8::from(reg.band_of(x) == band));
                }
            }
            _ => {}
        }
    }

    /// The metric from a lane's accumulator after the last month.
    pub fn finish(&self, acc: f64) -> f64 {
        match *self {
            Metric::Mean { from, to, .. } => acc / (to - from + 1) as f64,
            _ => acc,
        }
    }

    /// The metric of one trajectory (months × sources).
    pub fn of(&self, model: &Model, trajectory: &[f64]) -> f64 {
        let mut acc = [self.start()];
        for (t, row) in trajectory.chunks_exact(model.n_sources()).enumerate() {
            self.fold(model, t, row, 1, &mut acc);
        }
        self.finish(acc[0])
    }
}
