//! Labels a reader understands, made from the exact names the result files
//! keep: parameter paths (`influences."trust -> alignment".weight` →
//! `weight: trust → alignment`), metrics (`alignment@2030-12` →
//! `alignment in Dec 2030`) and months (`2030-12` → `Dec 2030`). Charts
//! and the command-line tables show these; CSV files keep the paths.

use crate::analysis::explain::{Explanation, Term};
use crate::model::{Model, YearMonth};

/// The segments of a parameter path as `show_path` writes them: names
/// joined by dots, a name that is not an identifier quoted (with Rust
/// escapes), e.g. `influences."a -> b".weight` → `influences`, `a -> b`,
/// `weight`.
fn segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '\\') => match chars.next() {
                Some('n' | 't' | 'r') => current.push(' '),
                Some(e) => current.push(e),
                None => {}
            },
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, '.') => out.push(std::mem::take(&mut current)),
            (_, c) => current.push(c),
        }
    }
    out.push(current);
    out
}

/// `a -> b` as `a → b`, spaced evenly around the arrow.
fn arrows(s: &str) -> String {
    s.split("->").map(str::trim).collect::<Vec<_>>().join(" → ")
}

/// A parameter path shortened for a panel title: the field (everything
/// after the owner, e.g. `weight`, `pressure.x`), a colon, then the owner
/// with `->` as an arrow. The section (`variables`, `influences`, …) is
/// dropped: the field names it already (a rate belongs to a variable, a
/// weight to an influence).
///
/// `influences."western_pressure -> alignment".weight` → `weight: western_pressure → alignment`;
/// `variables.trust.rate` → `rate: trust`; `incidents."a b".pressure.x` →
/// `pressure on x: a b`. A path of fewer than three segments (e.g. `log
/// posterior`) is kept, arrows aside.
pub fn short_label(path: &str) -> String {
    let segs = segments(path);
    if segs.len() < 3 || segs.iter().any(|s| s.trim().is_empty()) {
        return arrows(path);
    }
    let field = match segs[2..] {
        [ref kind, ref target] if kind == "pressure" || kind == "jump" => {
            format!("{kind} on {target}")
        }
        _ => segs[2..].join("."),
    };
    format!("{field}: {}", arrows(&segs[1]))
}

/// [`short_label`] of each path, except where two paths would shorten to
/// the same label (e.g. a variable and an event named alike): those keep
/// their full paths, so no two panels read the same.
pub fn short_labels(paths: &[String]) -> Vec<String> {
    let shortened: Vec<String> = paths.iter().map(|p| short_label(p)).collect();
    shortened
        .iter()
        .zip(paths)
        .map(|(s, p)| {
            if shortened.iter().filter(|t| *t == s).count() > 1 {
                arrows(p)
            } else {
                s.clone()
            }
        })
        .collect()
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `2030-12` → `Dec 2030`.
pub fn month(d: YearMonth) -> String {
    let m = (d.month() as usize).clamp(1, 12);
    format!("{} {}", MONTHS[m - 1], d.year())
}

/// A month as written (`YYYY-MM`) in words, or the text unchanged when it
/// is not a month.
fn month_text(text: &str) -> String {
    YearMonth::parse(text.trim()).map_or_else(|_| text.to_string(), month)
}

/// A metric as the analyses write it, in words:
/// `alignment@2030-12` → `alignment in Dec 2030`;
/// `mean:alignment@2026-01..2030-12` → `alignment, mean of Jan 2026 … Dec 2030`;
/// `share:proxy@2030-12` → `share of runs in proxy in Dec 2030` (in one
/// deterministic run the share is 1 or 0). Anything else is kept.
pub fn metric(text: &str) -> String {
    if let Some(rest) = text.strip_prefix("mean:")
        && let Some((name, window)) = rest.split_once('@')
        && let Some((a, b)) = window.split_once("..")
    {
        return format!(
            "{}, mean of {} … {}",
            name.trim(),
            month_text(a),
            month_text(b)
        );
    }
    if let Some(rest) = text.strip_prefix("share:")
        && let Some((band, at)) = rest.split_once('@')
    {
        return format!("share of runs in {} in {}", band.trim(), month_text(at));
    }
    match text.split_once('@') {
        Some((name, at)) => format!("{} in {}", name.trim(), month_text(at)),
        None => text.to_string(),
    }
}

/// A term of `explain` in words. An event's pressure whose contribution
/// over the window has the opposite sign of the push itself is the push
/// fading away (a visit that raised alignment in August lowers it in the
/// months after, as its pressure decays): it reads
/// `fading of the Aug 2024 push: <event>`, so nobody takes the event for a
/// cause of the opposite move. Influences read `trust → alignment`;
/// other terms keep their names.
pub fn explain_term(model: &Model, e: &Explanation, term: &Term) -> String {
    let Some(name) = term.name.strip_prefix("pressure: ") else {
        return if term.name.starts_with("jump: ") {
            term.name.clone()
        } else {
            arrows(&term.name)
        };
    };
    let push = model.events.iter().find_map(|ev| {
        let (_, p) = ev
            .pressures
            .iter()
            .find(|(v, _)| *v == e.variable)
            .filter(|_| ev.name == name)?;
        Some((ev.date, model.params[p.0].central()))
    });
    match push {
        Some((date, p)) if p * term.total() < 0.0 => {
            format!("fading of the {} push: {name}", month(date))
        }
        _ => term.name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_shortened_to_field_and_owner() {
        assert_eq!(
            short_label("influences.\"western_pressure -> alignment\".weight"),
            "weight: western_pressure → alignment"
        );
        assert_eq!(short_label("variables.trust.rate"), "rate: trust");
        assert_eq!(short_label("drivers.d.offset"), "offset: d");
        assert_eq!(
            short_label("incidents.\"a b\".pressure.x"),
            "pressure on x: a b"
        );
        assert_eq!(short_label("influences.\"d->y\".weight"), "weight: d → y");
        assert_eq!(
            short_label("incidents.\"say \\\"no\\\"\".base_rate"),
            "base_rate: say \"no\""
        );
        assert_eq!(short_label("log posterior"), "log posterior");
        assert_eq!(short_label("a.b"), "a.b");
        assert_eq!(short_label(""), "");
        assert_eq!(short_label("a..b"), "a..b");
        // Two paths that would read alike keep their full paths.
        let paths = [
            "variables.x.rate".to_string(),
            "drivers.x.rate".to_string(),
            "variables.y.rate".to_string(),
        ];
        assert_eq!(
            short_labels(&paths),
            ["variables.x.rate", "drivers.x.rate", "rate: y"]
        );
    }

    #[test]
    fn metrics_and_months_read_as_words() {
        assert_eq!(metric("alignment@2030-12"), "alignment in Dec 2030");
        assert_eq!(
            metric("mean:alignment@2026-01..2030-12"),
            "alignment, mean of Jan 2026 … Dec 2030"
        );
        assert_eq!(
            metric("share:proxy@2030-06"),
            "share of runs in proxy in Jun 2030"
        );
        assert_eq!(metric("just text"), "just text");
        assert_eq!(month(YearMonth::parse("2025-01").unwrap()), "Jan 2025");
        assert_eq!(
            short_label("events.\"Putin visit\".pressure.alignment"),
            "pressure on alignment: Putin visit"
        );
    }
}
