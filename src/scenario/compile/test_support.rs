//! Helpers for the per-section tests: compile a tiny scenario text named
//! `t.toml` and look at its model or its error messages
//! (`t.toml:LINE:COL: message`).

use crate::model::Model;
use crate::scenario::{LoadError, load_text};

/// A valid scenario of 7 lines: text appended to it starts on line 8.
pub(super) const BASE: &str = "[time]
start = \"2020-01\"
end = \"2020-12\"

[variables.x]
initial = 0.5
rate = 0.2
";

fn load(text: &str) -> Result<Model, LoadError> {
    load_text("t.toml", text, &[]).map(|s| s.model)
}

/// The model `text` compiles to; panics with the errors otherwise.
pub(super) fn compiles(text: &str) -> Model {
    match load(text) {
        Ok(m) => m,
        Err(LoadError::Invalid(e)) => {
            let msgs: Vec<&str> = e.errors.iter().map(|e| e.message.as_str()).collect();
            panic!("expected a model, got errors {msgs:#?}")
        }
        Err(e) => panic!("expected a model, got {e:?}"),
    }
}

/// Every error message of `text`, in order, with its help line if any.
pub(super) fn errors_with_help(text: &str) -> Vec<(String, Option<String>)> {
    match load(text) {
        Ok(_) => panic!("expected errors, but the scenario compiled"),
        Err(LoadError::Invalid(e)) => e.errors.into_iter().map(|e| (e.message, e.help)).collect(),
        Err(e) => panic!("expected scenario errors, got {e:?}"),
    }
}

/// Every error message of `text`, in order.
pub(super) fn errors(text: &str) -> Vec<String> {
    errors_with_help(text).into_iter().map(|(m, _)| m).collect()
}

/// The single error message of `text`; panics when there are more.
pub(super) fn only_error(text: &str) -> String {
    only_error_with_help(text).0
}

/// The single error of `text` and its help line.
pub(super) fn only_error_with_help(text: &str) -> (String, Option<String>) {
    let mut all = errors_with_help(text);
    assert_eq!(all.len(), 1, "expected one error, got {all:#?}");
    all.remove(0)
}
