//! Calendar months. The simulation clock is monthly, so a date is a count of
//! months since year 0; that makes "months between two dates" a subtraction.

use std::fmt;

/// A calendar month, written `"YYYY-MM"` in scenario files and results.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth(i32);

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        if !(1..=12).contains(&month) || !(0..=9999).contains(&year) {
            return None;
        }
        Some(YearMonth(year * 12 + month as i32 - 1))
    }

    /// Parses `YYYY-MM` strictly: four-digit year, two-digit month.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}` is not a month of the form \"YYYY-MM\" (e.g. \"2024-12\")");
        let (y, m) = text.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        YearMonth::new(year, month)
            .ok_or_else(|| format!("`{text}` has month {month}; months run from 01 to 12"))
    }

    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// 1..=12
    pub fn month(self) -> u32 {
        self.0.rem_euclid(12) as u32 + 1
    }

    /// Signed number of months from `self` to `later`.
    pub fn months_until(self, later: YearMonth) -> i64 {
        i64::from(later.0) - i64::from(self.0)
    }

    pub fn plus_months(self, n: usize) -> YearMonth {
        YearMonth(self.0 + n as i32)
    }

    /// The date as a fractional year (mid-month not used: the first of the month).
    pub fn as_year_fraction(self) -> f64 {
        f64::from(self.year()) + f64::from(self.month() - 1) / 12.0
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let m = YearMonth::parse("2024-12").unwrap();
        assert_eq!(m.year(), 2024);
        assert_eq!(m.month(), 12);
        assert_eq!(m.to_string(), "2024-12");
        assert_eq!(m.plus_months(1).to_string(), "2025-01");
        let a = YearMonth::parse("2020-01").unwrap();
        assert_eq!(a.months_until(m), 59);
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "2024-13",
            "2024-00",
            "24-01",
            "2024/01",
            "2024-1",
            "abcd-ef",
            "2024-01-01",
            "",
        ] {
            assert!(YearMonth::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
