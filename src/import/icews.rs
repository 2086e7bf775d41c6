//! ICEWS event files (`events.YYYY.*.tab` of the "ICEWS Coded Event Data"
//! on Harvard Dataverse, doi:10.7910/DVN/28075): tab-separated, one event
//! per line after a header row naming the columns [`HEADER`]. Columns are
//! found by their header name (case and `_` for spaces do not matter, so
//! the normalised names of the `icews` R package work too), so their order
//! may differ.
//!
//! geosim reads `Event Date` (YYYY-MM-DD), `Source Country` and `Target
//! Country` (country names, e.g. "Russian Federation"), `CAMEO Code` and
//! `Intensity` (−10 … 10), and `Event ID` when present: an Event ID is
//! unique only together with its Event Date (A. Beger, "ICEWS event data",
//! <https://www.andybeger.com/icews/articles/icews-event-data.html>), so
//! that pair identifies events seen twice.
//!
//! ICEWS has no quad class column; it is derived from the CAMEO root code
//! (the first two digits of the code): 01–05 verbal cooperation (1), 06–08
//! material cooperation (2), 09–13 verbal conflict (3), 14–20 material
//! conflict (4) — the grouping of GDELT's QuadClass, as the `icews` R
//! package (github.com/andybega/icews, data-raw/clean-data.R) and the
//! `py-gdelt` client (github.com/RBozydar/py-gdelt, lookups `get_quad_class`)
//! implement it.

use std::hash::{Hash, Hasher};

use super::{Bad, Layout, Parsed, Weight, date, digits, score, shown};

/// The columns of an ICEWS event file, in the order of the Dataverse files.
pub(crate) const HEADER: [&str; 20] = [
    "Event ID",
    "Event Date",
    "Source Name",
    "Source Sectors",
    "Source Country",
    "Event Text",
    "CAMEO Code",
    "Intensity",
    "Target Name",
    "Target Sectors",
    "Target Country",
    "Story ID",
    "Sentence Number",
    "Publisher",
    "City",
    "District",
    "Province",
    "Country",
    "Latitude",
    "Longitude",
];

/// Where the columns geosim reads are, in the current file.
#[derive(Clone, Debug, PartialEq)]
struct Columns {
    count: usize,
    id: Option<usize>,
    date: usize,
    source: usize,
    target: usize,
    cameo: usize,
    intensity: usize,
}

/// The ICEWS layout; the header of each file sets its columns.
#[derive(Default)]
pub(crate) struct Icews {
    cols: Option<Columns>,
}

/// A header cell as compared: trimmed, without quotes or a byte-order
/// mark, lower case, `_` as space.
fn normalise(cell: &[u8]) -> String {
    let t = super::text(cell);
    t.trim_start_matches('\u{feff}')
        .trim()
        .trim_matches('"')
        .to_lowercase()
        .replace('_', " ")
}

/// The quad class of a CAMEO root code 1 … 20.
pub(crate) fn quad_of_root(root: u8) -> Option<u8> {
    match root {
        1..=5 => Some(1),
        6..=8 => Some(2),
        9..=13 => Some(3),
        14..=20 => Some(4),
        _ => None,
    }
}

impl Icews {
    fn cols(&self) -> &Columns {
        // `begin_file` runs on every file's first line and either sets the
        // columns or stops the import.
        self.cols
            .as_ref()
            .expect("the header is read before any data line")
    }

    fn column(&self, i: usize) -> String {
        let c = self.cols();
        let name = [
            (Some(c.date), "Event Date"),
            (Some(c.source), "Source Country"),
            (Some(c.target), "Target Country"),
            (Some(c.cameo), "CAMEO Code"),
            (Some(c.intensity), "Intensity"),
            (c.id, "Event ID"),
        ]
        .into_iter()
        .find(|(at, _)| *at == Some(i))
        .map_or("", |(_, n)| n);
        format!("column {} ({name})", i + 1)
    }
}

impl Layout for Icews {
    fn begin_file(&mut self, first: &[&[u8]]) -> Result<bool, (String, Option<String>)> {
        let names: Vec<String> = first.iter().map(|c| normalise(c)).collect();
        let find = |want: &str| names.iter().position(|n| n == &want.to_lowercase());
        let required = [
            "Event Date",
            "Source Country",
            "Target Country",
            "CAMEO Code",
            "Intensity",
        ];
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|w| find(w).is_none())
            .collect();
        if !missing.is_empty() {
            let commas =
                first.len() == 1 && names[0].contains("event date") && names[0].contains(',');
            let message = if commas {
                "this header is comma-separated; ICEWS event files are tab-separated".to_string()
            } else {
                format!(
                    "the first line is not an ICEWS header: it lacks {}",
                    missing
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err((
                message,
                Some(format!(
                    "ICEWS event files start with a tab-separated header: {}; GDELT files take --format gdelt",
                    HEADER.join(", ")
                )),
            ));
        }
        let at = |w: &str| find(w).unwrap_or_default();
        self.cols = Some(Columns {
            count: first.len(),
            id: find("Event ID"),
            date: at("Event Date"),
            source: at("Source Country"),
            target: at("Target Country"),
            cameo: at("CAMEO Code"),
            intensity: at("Intensity"),
        });
        Ok(true)
    }

    fn check_columns(&self, n: usize) -> Result<(), Bad> {
        let want = self.cols().count;
        if n == want {
            return Ok(());
        }
        Err(Bad::line(format!(
            "the line has {n} tab-separated columns; the header names {want}"
        )))
    }

    fn actors<'a>(&self, cells: &[&'a [u8]]) -> (&'a [u8], &'a [u8]) {
        let c = self.cols();
        (cells[c.source], cells[c.target])
    }

    /// ICEWS events weigh 1 each (the files count no mentions).
    fn event(&self, cells: &[&[u8]], _weight: Weight) -> Result<Parsed, Bad> {
        let c = self.cols();
        let day = cells[c.date].trim_ascii();
        let ymd = match day {
            [y @ .., b'-', m1, m2, b'-', d1, d2] if y.len() == 4 => {
                digits(y).zip(digits(&[*m1, *m2])).zip(digits(&[*d1, *d2]))
            }
            _ => None,
        };
        let (month, ymd) = ymd
            .and_then(|((y, m), d)| {
                date(y as i32, m as u32, d as u32).map(|ym| (ym, y * 10_000 + m * 100 + d))
            })
            .ok_or_else(|| {
                Bad::cell(
                    self.column(c.date),
                    format!("`{}` is not a date YYYY-MM-DD", shown(cells[c.date])),
                )
            })?;
        let code = cells[c.cameo].trim_ascii();
        let root = (2..=4)
            .contains(&code.len())
            .then(|| digits(&code[..2]))
            .flatten()
            .filter(|_| code.iter().all(u8::is_ascii_digit));
        let quad = root
            .and_then(|r| quad_of_root(r as u8))
            .ok_or_else(|| {
                let zero = if root.is_some_and(|r| r > 20) || code.len() < 3 {
                    " (codes keep their leading zero: `042`, not `42` — was the file saved by a spreadsheet?)"
                } else {
                    ""
                };
                Bad::cell(
                    self.column(c.cameo),
                    format!(
                        "`{}` is not a CAMEO event code (root 01 … 20){zero}",
                        shown(cells[c.cameo])
                    ),
                )
            })?;
        let score = score(cells[c.intensity], &self.column(c.intensity))?;
        let key =
            c.id.map(|i| cells[i].trim_ascii())
                .filter(|id| !id.is_empty())
                .map(|id| {
                    let id = match digits(id) {
                        Some(n) => u128::from(n),
                        None => {
                            let mut h = std::hash::DefaultHasher::new();
                            id.hash(&mut h);
                            (1u128 << 64) | u128::from(h.finish())
                        }
                    };
                    (id << 32) | u128::from(ymd)
                });
        Ok(Parsed {
            month,
            score,
            weight: 1.0,
            quad,
            key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::YearMonth;

    fn split(s: &str) -> Vec<&[u8]> {
        s.as_bytes().split(|&b| b == b'\t').collect()
    }

    const ROW: &str = "926685\t2014-01-01\tRussia\tGovernment\tRussian Federation\tMake a visit\t042\t1.9\tIlham Aliyev\tGovernment\tAzerbaijan\t28235806\t1\tInterfax\tBaku\t\tBaku\tAzerbaijan\t40.4\t49.9";

    fn layout() -> Icews {
        let mut l = Icews::default();
        assert_eq!(l.begin_file(&split(&HEADER.join("\t"))), Ok(true));
        l
    }

    #[test]
    fn reads_an_event_by_header_names() {
        let l = layout();
        let cells = split(ROW);
        l.check_columns(cells.len()).unwrap();
        assert_eq!(
            l.actors(&cells),
            (&b"Russian Federation"[..], &b"Azerbaijan"[..])
        );
        let p = l.event(&cells, Weight::Events).unwrap();
        assert_eq!(p.month, YearMonth::new(2014, 1).unwrap());
        assert_eq!((p.score, p.weight, p.quad), (1.9, 1.0, 1));
        assert_eq!(p.key, Some((926685u128 << 32) | 20140101));
    }

    #[test]
    fn columns_may_come_in_any_order_and_normalised() {
        let mut l = Icews::default();
        let header = "\u{feff}intensity\tcameo_code\tTARGET COUNTRY\tsource_country\tevent_date";
        assert_eq!(l.begin_file(&split(header)), Ok(true));
        let p = l
            .event(
                &split("-5\t173\tUkraine\tRussian Federation\t2022-02-24"),
                Weight::Events,
            )
            .unwrap();
        assert_eq!((p.score, p.quad, p.key), (-5.0, 4, None));
        assert_eq!(
            l.actors(&split("-5\t173\tUkraine\tRussia\t2022-02-24")).0,
            b"Russia"
        );
    }

    #[test]
    fn a_file_without_the_header_is_refused() {
        let mut l = Icews::default();
        let err = l.begin_file(&split(ROW)).unwrap_err();
        assert!(err.0.contains("not an ICEWS header"), "{}", err.0);
        let comma = HEADER.join(",");
        assert!(
            l.begin_file(&split(&comma))
                .unwrap_err()
                .0
                .contains("comma")
        );
    }

    #[test]
    fn quad_classes_follow_the_cameo_roots() {
        let want = [1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4];
        for (root, q) in (1u8..=20).zip(want) {
            assert_eq!(quad_of_root(root), Some(q), "root {root}");
        }
        assert_eq!(quad_of_root(0), None);
        assert_eq!(quad_of_root(21), None);
        let l = layout();
        let with = |code: &str| {
            let row = ROW.replace("\t042\t", &format!("\t{code}\t"));
            let cells = split(&row);
            l.event(&cells, Weight::Events).map(|p| p.quad)
        };
        assert_eq!(with("0231"), Ok(1));
        assert_eq!(with("057"), Ok(1));
        assert_eq!(with("061"), Ok(2));
        assert_eq!(with("0874"), Ok(2));
        assert_eq!(with("090"), Ok(3));
        assert_eq!(with("1384"), Ok(3));
        assert_eq!(with("145"), Ok(4));
        assert_eq!(with("204"), Ok(4));
        let zero = with("42").unwrap_err();
        assert_eq!(zero.column.as_deref(), Some("column 7 (CAMEO Code)"));
        assert!(zero.message.contains("leading zero"), "{}", zero.message);
        assert!(with("2x1").is_err());
        assert!(with("").is_err());
    }

    #[test]
    fn bad_dates_and_intensities_name_their_column() {
        let l = layout();
        let row = ROW.replace("2014-01-01", "2014-02-30");
        let e = l.event(&split(&row), Weight::Events).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("column 2 (Event Date)"));
        let row = ROW.replace("\t1.9\t", "\t\t");
        let e = l.event(&split(&row), Weight::Events).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("column 8 (Intensity)"));
        assert!(
            l.check_columns(19)
                .unwrap_err()
                .message
                .contains("header names 20")
        );
    }
}
