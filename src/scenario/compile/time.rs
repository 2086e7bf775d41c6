//! `[time]`: the simulated months.

use super::Checker;
use crate::limits::MAX_MONTHS;
use crate::model::YearMonth;
use crate::scenario::file::TimeFile;

/// The simulated months, `start` to `end` inclusive.
pub(super) struct Horizon {
    pub start: YearMonth,
    pub end: YearMonth,
    pub months: usize,
}

impl Horizon {
    /// The month index of `date`, `None` outside the horizon.
    pub(super) fn month_of(&self, date: YearMonth) -> Option<usize> {
        let k = self.start.months_until(date);
        (0..self.months as i64).contains(&k).then_some(k as usize)
    }
}

/// `None` when `start` or `end` is missing (every later section needs the
/// horizon). A `start` after `end` is reported and the horizon shrunk to
/// the single month `start`, so the other sections can still be checked.
pub(super) fn compile(c: &mut Checker<'_>, time: Option<&TimeFile>) -> Option<Horizon> {
    let start = time.and_then(|t| t.start).map(|m| m.0);
    let end = time.and_then(|t| t.end).map(|m| m.0);
    if start.is_none() {
        c.err(
            &["time"],
            "missing `time.start` (the first simulated month, \"YYYY-MM\")",
        );
    }
    if end.is_none() {
        c.err(
            &["time"],
            "missing `time.end` (the last simulated month, \"YYYY-MM\")",
        );
    }
    let (start, mut end) = (start?, end?);
    if start > end {
        c.err(
            &["time", "end"],
            format!("time.start = {start} is after time.end = {end}"),
        );
        end = start;
    }
    let months = start.months_until(end) as usize + 1;
    if months > MAX_MONTHS {
        c.err(
            &["time", "end"],
            format!(
                "the horizon {start} … {end} holds {months} months; at most {MAX_MONTHS} ({} years) are simulated",
                MAX_MONTHS / 12
            ),
        );
        end = start.plus_months(MAX_MONTHS - 1);
    }
    Some(Horizon {
        start,
        end,
        months: start.months_until(end) as usize + 1,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{compiles, only_error};

    #[test]
    fn missing_time_table_points_at_the_top_of_the_file() {
        let text = "name = \"t\"\n[variables.x]\ninitial = 0.5\nrate = 0.2\n";
        let errors = super::super::test_support::errors(text);
        assert_eq!(
            errors,
            [
                "t.toml:1:1: missing `time.start` (the first simulated month, \"YYYY-MM\")",
                "t.toml:1:1: missing `time.end` (the last simulated month, \"YYYY-MM\")",
            ]
        );
    }

    #[test]
    fn missing_start_points_at_the_time_table() {
        let text = "[time]\nend = \"2020-12\"\n[variables.x]\ninitial = 0.5\nrate = 0.2\n";
        assert_eq!(
            only_error(text),
            "t.toml:1:1: missing `time.start` (the first simulated month, \"YYYY-MM\")"
        );
    }

    #[test]
    fn missing_end_points_at_the_time_table() {
        let text =
            "name = \"t\"\n[time]\nstart = \"2020-01\"\n[variables.x]\ninitial = 0.5\nrate = 0.2\n";
        assert_eq!(
            only_error(text),
            "t.toml:2:1: missing `time.end` (the last simulated month, \"YYYY-MM\")"
        );
    }

    #[test]
    fn missing_time_stops_before_the_other_sections() {
        // No variable either, but only the time errors are reported.
        let errors = super::super::test_support::errors("name = \"t\"\n");
        assert_eq!(errors.len(), 2, "{errors:?}");
    }

    #[test]
    fn start_after_end_points_at_end() {
        let text = "[time]\nstart = \"2021-01\"\nend = \"2020-12\"\n[variables.x]\ninitial = 0.5\nrate = 0.2\n";
        assert_eq!(
            only_error(text),
            "t.toml:3:7: time.start = 2021-01 is after time.end = 2020-12"
        );
    }

    #[test]
    fn start_equal_to_end_is_one_month() {
        let text = "[time]\nstart = \"2021-01\"\nend = \"2021-01\"\n[variables.x]\ninitial = 0.5\nrate = 0.2\n";
        let m = compiles(text);
        assert_eq!(m.months(), 1);
        assert_eq!(m.start, m.end);
    }

    /// Regression (fuzzing): a horizon of 120,000 months made every driver
    /// path and workspace that long before any limit applied.
    #[test]
    fn horizon_beyond_two_hundred_years() {
        assert_eq!(
            only_error(
                "[time]\nstart = \"0000-01\"\nend = \"9999-12\"\n[variables.x]\ninitial = 0\nrate = 0.5\n"
            ),
            "t.toml:3:7: the horizon 0000-01 … 9999-12 holds 120000 months; at most 2400 (200 years) are simulated"
        );
    }
}
