//! The calendar x axis shared by every chart: month t of a horizon sits at
//! its fractional year, and ticks are picked so their labels never touch,
//! from months on a one-year horizon to decades on a long one.

use crate::model::YearMonth;

/// Tick spacings tried, in months, smallest first.
const STEPS: [usize; 10] = [1, 2, 3, 6, 12, 24, 60, 120, 240, 600];

/// Most ticks labelled with months; longer horizons get yearly ticks.
const MAX_MONTH_TICKS: usize = 12;
/// Most ticks on any axis.
const MAX_TICKS: usize = 15;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A horizon of whole months, `start` to `end` inclusive.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TimeAxis {
    pub start: YearMonth,
    pub end: YearMonth,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// Position as a fractional year.
    pub x: f64,
    pub label: String,
}

impl TimeAxis {
    /// The x range drawn: the horizon, widened by half a month on each side
    /// when it is a single month so the range is never empty.
    pub fn range(&self) -> (f64, f64) {
        let (a, b) = (self.start.as_year_fraction(), self.end.as_year_fraction());
        if b - a < 1.0 / 24.0 {
            (a - 1.0 / 24.0, b + 1.0 / 24.0)
        } else {
            (a, b)
        }
    }

    /// Position of month index `t` of a series starting at `self.start`.
    pub fn x(&self, t: usize) -> f64 {
        self.start.plus_months(t).as_year_fraction()
    }

    /// Ticks for an axis `width_px` wide whose labels are `label_px(text)`
    /// wide: the smallest spacing at which neighbouring labels keep a gap of
    /// `gap_px`. Yearly (or coarser) ticks sit on January and read `2024`;
    /// finer ones read `Apr`, with the year on January and on the first tick.
    pub fn ticks(&self, width_px: f64, gap_px: f64, label_px: &dyn Fn(&str) -> f64) -> Vec<Tick> {
        let (x0, x1) = self.range();
        let px_per_month = width_px / ((x1 - x0) * 12.0).max(1e-9);
        let widest_year = label_px("2000");
        let widest_month = label_px("May 2000");
        let months = ((x1 - x0) * 12.0).round() as usize + 1;
        for step in STEPS {
            let widest = if step >= 12 {
                widest_year
            } else {
                widest_month
            };
            let fits = step as f64 * px_per_month >= widest + gap_px;
            // Few enough labels to scan; month labels give way to years early.
            let cap = if step >= 12 {
                MAX_TICKS
            } else {
                MAX_MONTH_TICKS
            };
            if fits && months / step <= cap {
                return self.ticks_every(step);
            }
        }
        self.ticks_every(*STEPS.last().unwrap_or(&600))
    }

    /// Ticks every `step` months, aligned on the calendar.
    pub fn ticks_every(&self, step: usize) -> Vec<Tick> {
        let mut out = Vec::new();
        let first = self.start;
        let span = first.months_until(self.end).max(0) as usize;
        for t in 0..=span {
            let d = first.plus_months(t);
            let m0 = (d.month() - 1) as usize; // 0 = January
            let on_tick = if step >= 12 {
                m0 == 0 && d.year().rem_euclid((step / 12) as i32) == 0
            } else {
                m0.is_multiple_of(step)
            };
            if !on_tick {
                continue;
            }
            let label = if step >= 12 || m0 == 0 {
                d.year().to_string()
            } else if out.is_empty() {
                format!("{} {}", MONTHS[m0], d.year())
            } else {
                MONTHS[m0].to_string()
            };
            out.push(Tick {
                x: d.as_year_fraction(),
                label,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(a: &str, b: &str) -> TimeAxis {
        TimeAxis {
            start: YearMonth::parse(a).unwrap(),
            end: YearMonth::parse(b).unwrap(),
        }
    }

    /// A label is 10 px per character, like a 20 px font.
    fn width(s: &str) -> f64 {
        s.chars().count() as f64 * 10.0
    }

    fn labels(t: &[Tick]) -> Vec<&str> {
        t.iter().map(|t| t.label.as_str()).collect()
    }

    #[test]
    fn ticks_suit_horizons_of_one_to_thirty_years() {
        for years in 1..=30 {
            let end = format!("{}-12", 2019 + years);
            let a = axis("2020-01", &end);
            let ticks = a.ticks(1400.0, 20.0, &width);
            assert!(ticks.len() >= 2, "{years} years: {:?}", labels(&ticks));
            assert!(ticks.len() <= 16, "{years} years: {:?}", labels(&ticks));
            let (x0, x1) = a.range();
            let px = |x: f64| (x - x0) / (x1 - x0) * 1400.0;
            for w in ticks.windows(2) {
                let room = px(w[1].x) - px(w[0].x);
                let need = (width(&w[0].label) + width(&w[1].label)) / 2.0 + 20.0;
                assert!(room >= need, "{years} years: {:?} crowded", labels(&ticks));
            }
            if years >= 7 {
                assert!(
                    ticks
                        .iter()
                        .all(|t| t.label.len() == 4 && t.x.fract() == 0.0)
                );
            }
        }
    }

    #[test]
    fn short_horizons_get_month_ticks_with_the_year() {
        let a = axis("2020-03", "2020-12");
        let t = a.ticks(1400.0, 20.0, &width);
        assert_eq!(labels(&t)[0], "Mar 2020");
        assert!(labels(&t).contains(&"Dec"));
        assert_eq!(
            labels(&axis("2020-01", "2021-12").ticks_every(6)),
            ["2020", "Jul", "2021", "Jul"]
        );
    }

    #[test]
    fn single_month_has_a_range() {
        let a = axis("2020-05", "2020-05");
        let (x0, x1) = a.range();
        assert!(x1 > x0);
        assert_eq!(labels(&a.ticks(1400.0, 20.0, &width)), ["May 2020"]);
    }
}
