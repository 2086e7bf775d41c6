//! `geosim list`: the named scenarios and their titles.

use crate::error::Error;
use crate::scenario::{self, library};

pub(super) fn list() -> Result<(), Error> {
    let names = library::names();
    let width = names.iter().map(String::len).max().unwrap_or(0);
    let mut out = String::new();
    for name in &names {
        let title = match scenario::load(name, &[]) {
            Ok(s) => s.model.title,
            Err(_) => "(invalid: run `geosim check` on it for details)".to_string(),
        };
        out.push_str(&format!("{name:<width$}  {title}\n"));
    }
    if names.is_empty() {
        out.push_str("no scenarios found in ./scenarios and none built in\n");
    }
    super::print(&out)
}
