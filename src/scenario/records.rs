//! Observation files: a record of what happened, as CSV. The first line
//! (after `#` comment lines, which may hold coding notes) names the
//! columns, any of [`COLUMNS`] in any order; every further line is one
//! observation, with empty cells for what it does not say. Each row becomes
//! an `[[observations]]` entry located in the file, so every later error
//! points at its line and cell.

use indexmap::IndexMap;

use super::doc::{Kind, Node};
use super::source::{Loc, ScenarioError, SourceId, Sources, did_you_mean};
use crate::model::YearMonth;

/// The columns an observation file may have.
pub(crate) const COLUMNS: &[&str] = &[
    "date", "variable", "band", "value", "sd", "lo", "hi", "softness", "scale", "offset", "source",
    "name",
];

/// Columns holding numbers; the others hold text.
const NUMERIC: &[&str] = &["value", "sd", "lo", "hi", "softness", "scale", "offset"];

/// The observations of the CSV text in `id`, as entries that keep `file`
/// (as the scenario wrote it) so `remove_observations` can name the file.
pub(crate) fn parse(
    sources: &Sources,
    id: SourceId,
    file: &str,
) -> Result<Vec<Node>, ScenarioError> {
    let text = sources.get(id).text.clone();
    let loc = |span: std::ops::Range<usize>| Loc { source: id, span };
    let mut lines = lines(&text).filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    let Some((hstart, header)) = lines.next() else {
        return Err(sources.error(
            Some(&loc(0..0)),
            format!("observation file `{file}` has no header line naming its columns"),
        ));
    };
    let columns = split(header, hstart)
        .map_err(|at| sources.error(Some(&loc(at..at + 1)), "unclosed quote in the header"))?;
    let mut names = Vec::new();
    for (name, span) in &columns {
        let name = name.trim();
        if !COLUMNS.contains(&name) {
            return Err(sources
                .error(Some(&loc(span.clone())), format!("unknown column `{name}`"))
                .with_help(did_you_mean(name, COLUMNS.iter().copied(), "columns")));
        }
        if names.contains(&name) {
            return Err(sources.error(
                Some(&loc(span.clone())),
                format!("column `{name}` appears twice"),
            ));
        }
        names.push(name);
    }
    let mut out = Vec::new();
    for (start, line) in lines {
        let cells = split(line, start)
            .map_err(|at| sources.error(Some(&loc(at..at + 1)), "unclosed quote"))?;
        let row = loc(start..start + line.len());
        if cells.len() != names.len() {
            return Err(sources.error(
                Some(&row),
                format!(
                    "this row has {} cells; the header names {} columns",
                    cells.len(),
                    names.len()
                ),
            ));
        }
        let mut table = IndexMap::new();
        for (name, (cell, span)) in names.iter().zip(cells) {
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            let value =
                cell_value(name, cell).map_err(|m| sources.error(Some(&loc(span.clone())), m))?;
            let at = loc(span);
            table.insert(
                name.to_string(),
                (
                    at.clone(),
                    Node {
                        kind: Kind::Scalar(value),
                        loc: at,
                    },
                ),
            );
        }
        let file_value = Node {
            kind: Kind::Scalar(toml::Value::String(file.to_string())),
            loc: row.clone(),
        };
        table.insert("file".into(), (row.clone(), file_value));
        out.push(Node {
            kind: Kind::Table(table),
            loc: row,
        });
    }
    Ok(out)
}

/// A cell as the TOML value an `[[observations]]` entry would hold.
fn cell_value(column: &str, cell: &str) -> Result<toml::Value, String> {
    if NUMERIC.contains(&column) {
        return match cell.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(toml::Value::Float(x)),
            _ => Err(format!(
                "`{cell}` in column `{column}` is not a finite number"
            )),
        };
    }
    if column == "date" {
        YearMonth::parse(cell)?;
    }
    Ok(toml::Value::String(cell.to_string()))
}

/// The lines of `text` with their byte offsets, without line breaks.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    text.split_inclusive('\n').map(move |l| {
        let start = at;
        at += l.len();
        (start, l.trim_end_matches(['\n', '\r']))
    })
}

/// The cells of one CSV line (`"` quotes a cell; `""` inside quotes is a
/// quote), with their byte spans in the file. `Err(offset)` for an unclosed
/// quote.
fn split(line: &str, offset: usize) -> Result<Vec<(String, std::ops::Range<usize>)>, usize> {
    let mut cells = Vec::new();
    let mut chars = line.char_indices().peekable();
    let mut cell = String::new();
    let mut start = 0;
    let mut quoted = false;
    let mut quote_at = 0;
    while let Some((i, c)) = chars.next() {
        match c {
            '"' if quoted => {
                if chars.peek().is_some_and(|(_, n)| *n == '"') {
                    cell.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            }
            '"' if cell.trim().is_empty() => {
                quoted = true;
                quote_at = i;
                cell.clear();
            }
            ',' if !quoted => {
                cells.push((std::mem::take(&mut cell), offset + start..offset + i));
                start = i + 1;
            }
            c => cell.push(c),
        }
    }
    if quoted {
        return Err(offset + quote_at);
    }
    cells.push((cell, offset + start..offset + line.len()));
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Vec<toml::Value>, String> {
        let mut sources = Sources::default();
        let id = sources.add("r.csv".into(), text.into());
        parse(&sources, id, "r.csv")
            .map(|nodes| nodes.iter().map(Node::to_value).collect())
            .map_err(|e| e.message)
    }

    #[test]
    fn rows_become_entries_with_their_file() {
        let rows = parse_text(
            "# coded from S003\ndate,variable,lo,hi,band,source\n2025-09,alignment,-0.5,-0.15,,\"S003: \"\"a formal exit\"\", the schools\"\n2025-06,,,,estrangement,S002\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["date"].as_str(), Some("2025-09"));
        assert_eq!(rows[0]["lo"].as_float(), Some(-0.5));
        assert_eq!(
            rows[0]["source"].as_str(),
            Some("S003: \"a formal exit\", the schools")
        );
        assert_eq!(rows[0]["file"].as_str(), Some("r.csv"));
        assert!(rows[0].get("band").is_none(), "empty cells are left out");
        assert_eq!(rows[1]["band"].as_str(), Some("estrangement"));
    }

    #[test]
    fn errors_point_at_the_line_and_cell() {
        assert_eq!(
            parse_text("date,variable,value,sd\n2025-09,trust,high,0.1\n").unwrap_err(),
            "r.csv:2:15: `high` in column `value` is not a finite number"
        );
        assert_eq!(
            parse_text("date,variable,lo\n2025-13,trust,0\n").unwrap_err(),
            "r.csv:2:1: `2025-13` has month 13; months run from 01 to 12"
        );
        assert_eq!(
            parse_text("date,varable,lo\n").unwrap_err(),
            "r.csv:1:6: unknown column `varable`"
        );
        assert_eq!(
            parse_text("date,variable,lo\n2025-01,trust\n").unwrap_err(),
            "r.csv:2:1: this row has 2 cells; the header names 3 columns"
        );
        assert_eq!(
            parse_text("").unwrap_err(),
            "r.csv:1:1: observation file `r.csv` has no header line naming its columns"
        );
    }
}
