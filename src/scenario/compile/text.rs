//! Names and free text: what may be written where. Names end up in file
//! names, CSV headers and cells, chart labels and terminal output, so each
//! kind of text has rules that keep all of those safe:
//!
//! - identifiers (variables, drivers) hold ASCII letters (a–z, A–Z), digits
//!   (0–9) and `_`, at most [`MAX_NAME_CHARS`] characters;
//! - no name or title holds a control character (a description may hold
//!   line breaks and tabs), so nothing can rewrite the terminal;
//! - names written into CSV cells (the scenario, events, incidents, bands)
//!   may not start with `=`, `+`, `-` or `@`, which a spreadsheet would run
//!   as a formula;
//! - `date` is the first column of `trajectory.csv` and `regimes.csv`, so no
//!   variable, driver or band may be called that.

use super::Checker;
use crate::limits::{MAX_LABEL_CHARS, MAX_NAME_CHARS, MAX_TITLE_CHARS};

/// The name no column of a result file may take.
const RESERVED: &str = "date";

/// What a text is, and so which rules apply to it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Text {
    /// The scenario's `name`: a folder name and a CSV cell.
    ScenarioName,
    Title,
    /// A description: free text over several lines.
    Description,
    /// The two `labels` of a variable.
    Label,
    /// An event's or incident's name: a CSV cell and a chart key.
    ShockName,
    /// A regime band's name: a CSV column.
    BandName,
}

impl Text {
    fn max_chars(self) -> Option<usize> {
        match self {
            Text::ScenarioName | Text::Label | Text::BandName => Some(MAX_NAME_CHARS),
            Text::ShockName => Some(MAX_LABEL_CHARS),
            Text::Title => Some(MAX_TITLE_CHARS),
            Text::Description => None,
        }
    }

    fn in_csv(self) -> bool {
        matches!(self, Text::ScenarioName | Text::ShockName | Text::BandName)
    }
}

/// The first rule `value` breaks, in words; `None` when it keeps them all.
pub(super) fn problem(kind: Text, value: &str) -> Option<String> {
    let control = value
        .chars()
        .find(|c| c.is_control() && !(kind == Text::Description && matches!(c, '\n' | '\t')));
    if let Some(c) = control {
        return Some(format!(
            "holds the control character {:?}; write plain text",
            c
        ));
    }
    let chars = value.chars().count();
    if let Some(max) = kind.max_chars()
        && chars > max
    {
        return Some(format!(
            "is {chars} characters long; at most {max} are allowed"
        ));
    }
    if kind.in_csv() && value.starts_with(['=', '+', '-', '@']) {
        return Some(
            "starts with `=`, `+`, `-` or `@`, which spreadsheets run as a formula".into(),
        );
    }
    if kind == Text::BandName && value == RESERVED {
        return Some(reserved());
    }
    None
}

fn reserved() -> String {
    format!("is reserved: `{RESERVED}` names the first column of the result files")
}

/// The problem with a variable's or driver's name, if any.
pub(super) fn identifier_problem(name: &str) -> Option<String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Some("may hold only ASCII letters (a–z, A–Z), digits (0–9) and _".to_string());
    }
    if name.len() > MAX_NAME_CHARS {
        return Some(format!(
            "is {} characters long; at most {MAX_NAME_CHARS} are allowed",
            name.len()
        ));
    }
    if name == RESERVED {
        return Some(reserved());
    }
    None
}

impl Checker<'_> {
    /// Reports `value` at `path` when it breaks a rule of its kind; `what`
    /// names it in the message (e.g. "title", "event name `x`").
    pub(super) fn text(&mut self, path: &[&str], what: &str, kind: Text, value: &str) {
        if let Some(p) = problem(kind, value) {
            self.err(path, format!("{what} {p}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{BASE, only_error};
    use super::*;

    #[test]
    fn identifiers_say_exactly_which_characters_they_may_hold() {
        assert_eq!(
            identifier_problem("trüst").unwrap(),
            "may hold only ASCII letters (a–z, A–Z), digits (0–9) and _"
        );
        assert_eq!(identifier_problem("trust_2"), None);
        assert!(
            identifier_problem(&"v".repeat(65))
                .unwrap()
                .contains("at most 64")
        );
        assert!(identifier_problem("date").unwrap().contains("reserved"));
    }

    #[test]
    fn control_characters_are_refused_except_line_breaks_in_descriptions() {
        assert!(
            problem(Text::Title, "a\u{1b}[2Jb")
                .unwrap()
                .contains("control character")
        );
        assert!(problem(Text::ShockName, "a\nb").is_some());
        assert_eq!(problem(Text::Description, "line one\nline two\tend"), None);
        assert!(problem(Text::Description, "bell\u{7}").is_some());
    }

    #[test]
    fn names_written_into_csv_cannot_start_a_formula() {
        for name in ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)"] {
            assert!(
                problem(Text::ShockName, name).unwrap().contains("formula"),
                "{name}"
            );
            assert!(problem(Text::BandName, name).is_some());
            assert!(problem(Text::ScenarioName, name).is_some());
        }
        assert_eq!(
            problem(Text::Title, "-5 % in a year"),
            None,
            "titles are not CSV cells"
        );
        assert_eq!(problem(Text::ShockName, "Tovuz clashes"), None);
    }

    #[test]
    fn long_names_are_refused_in_check_before_a_run_needs_a_file_name() {
        let long = "n".repeat(230);
        assert_eq!(
            only_error(&format!("name = \"{long}\"\n{BASE}")),
            "t.toml:1:8: scenario name is 230 characters long; at most 64 are allowed"
        );
    }

    #[test]
    fn a_variable_called_date_is_refused() {
        let text = BASE.replace("[variables.x]", "[variables.date]");
        assert_eq!(
            only_error(&text),
            "t.toml:5:12: variable name `date` is reserved: `date` names the first column of the result files"
        );
    }

    #[test]
    fn shock_and_band_names_are_checked_where_they_are_written() {
        assert_eq!(
            only_error(&format!(
                "{BASE}[[events]]\nname = \"=HYPERLINK(1)\"\ndate = \"2020-03\"\n"
            )),
            "t.toml:9:8: event name `=HYPERLINK(1)` starts with `=`, `+`, `-` or `@`, which spreadsheets run as a formula"
        );
        assert_eq!(
            only_error(&format!(
                "{BASE}[regimes]\nvariable = \"x\"\nbands = [{{ name = \"date\" }}]\n"
            )),
            "t.toml:10:10: band name `date` is reserved: `date` names the first column of the result files"
        );
        assert_eq!(
            only_error(&format!("title = \"a\\u001b[31mred\"\n{BASE}")),
            "t.toml:1:9: title holds the control character '\\u{1b}'; write plain text"
        );
    }
}
