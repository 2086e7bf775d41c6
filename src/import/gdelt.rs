//! GDELT 2.0 event files (`YYYYMMDDHHMMSS.export.CSV`, unzipped): one
//! event per line, tab-separated despite the name, no header, the 61
//! columns of "The GDELT Event Database Data Format Codebook V2.0"
//! (2/19/2015, <http://data.gdeltproject.org/documentation/GDELT-Event_Codebook-V2.0.pdf>)
//! in its order, listed in [`COLUMNS`].
//!
//! geosim reads six of them: the event's date (`SQLDATE`, YYYYMMDD), the
//! CAMEO country codes of its two actors (`Actor1CountryCode`,
//! `Actor2CountryCode`), its `QuadClass` (1 verbal cooperation, 2 material
//! cooperation, 3 verbal conflict, 4 material conflict), its
//! `GoldsteinScale` score (−10 … 10, fixed by the event type) and
//! `NumMentions`, the mentions of the event in the 15-minute update in
//! which it was first seen (or `NumSources` / `NumArticles`, or 1 per
//! event, with `--weight`). `GLOBALEVENTID` identifies events seen twice.
//! Every line must have 61 cells; the cells read are checked on the lines
//! of the dyad only.

use super::{Bad, Layout, Parsed, Weight, date, digits, score, shown};

/// The columns of a GDELT 2.0 event line, in order (codebook V2.0).
pub(crate) const COLUMNS: [&str; 61] = [
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    "Actor1Code",
    "Actor1Name",
    "Actor1CountryCode",
    "Actor1KnownGroupCode",
    "Actor1EthnicCode",
    "Actor1Religion1Code",
    "Actor1Religion2Code",
    "Actor1Type1Code",
    "Actor1Type2Code",
    "Actor1Type3Code",
    "Actor2Code",
    "Actor2Name",
    "Actor2CountryCode",
    "Actor2KnownGroupCode",
    "Actor2EthnicCode",
    "Actor2Religion1Code",
    "Actor2Religion2Code",
    "Actor2Type1Code",
    "Actor2Type2Code",
    "Actor2Type3Code",
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    "Actor1Geo_Type",
    "Actor1Geo_FullName",
    "Actor1Geo_CountryCode",
    "Actor1Geo_ADM1Code",
    "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat",
    "Actor1Geo_Long",
    "Actor1Geo_FeatureID",
    "Actor2Geo_Type",
    "Actor2Geo_FullName",
    "Actor2Geo_CountryCode",
    "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat",
    "Actor2Geo_Long",
    "Actor2Geo_FeatureID",
    "ActionGeo_Type",
    "ActionGeo_FullName",
    "ActionGeo_CountryCode",
    "ActionGeo_ADM1Code",
    "ActionGeo_ADM2Code",
    "ActionGeo_Lat",
    "ActionGeo_Long",
    "ActionGeo_FeatureID",
    "DATEADDED",
    "SOURCEURL",
];

const ID: usize = 0;
const DAY: usize = 1;
const ACTOR1_COUNTRY: usize = 7;
const ACTOR2_COUNTRY: usize = 17;
const QUAD: usize = 29;
const GOLDSTEIN: usize = 30;
const MENTIONS: usize = 31;
const SOURCES: usize = 32;
const ARTICLES: usize = 33;

/// Largest weight taken (a guard; real counts are far below).
const MAX_WEIGHT: u64 = 1_000_000_000_000;

/// `column 31 (GoldsteinScale)`: one-based, as spreadsheets and `cut -f`
/// count.
pub(crate) fn column(i: usize) -> String {
    format!("column {} ({})", i + 1, COLUMNS[i])
}

/// The GDELT 2.0 event layout.
pub(crate) struct Gdelt;

impl Layout for Gdelt {
    fn begin_file(&mut self, first: &[&[u8]]) -> Result<bool, (String, Option<String>)> {
        if first[0].trim_ascii().eq_ignore_ascii_case(b"GLOBALEVENTID") {
            return Ok(true);
        }
        let cell = first[0].trim_ascii();
        let cell = cell.strip_prefix("\u{feff}".as_bytes()).unwrap_or(cell);
        if cell.eq_ignore_ascii_case(b"Event ID") {
            return Err((
                "this is the header of an ICEWS event file".into(),
                Some("ICEWS files take --format icews".into()),
            ));
        }
        if first.len() == 1 && first[0].iter().filter(|&&b| b == b',').count() >= 56 {
            return Err((
                "this line is comma-separated; GDELT event files are tab-separated".into(),
                Some("geosim reads the files GDELT publishes (*.export.CSV, unzipped), not comma-separated exports of them".into()),
            ));
        }
        Ok(false)
    }

    fn check_columns(&self, n: usize) -> Result<(), Bad> {
        if n == COLUMNS.len() {
            return Ok(());
        }
        let hint = match n {
            57 | 58 => {
                "; GDELT 1.0 event files have 57 or 58: geosim reads GDELT 2.0 event files (*.export.CSV)"
            }
            16 => "; GDELT 2.0 mentions files have 16: geosim reads the event files (*.export.CSV)",
            1 => "; the line holds no tab: GDELT event files are tab-separated",
            _ => "",
        };
        Err(Bad::line(format!(
            "the line has {n} tab-separated columns; GDELT 2.0 event lines have 61{hint}"
        )))
    }

    fn actors<'a>(&self, cells: &[&'a [u8]]) -> (&'a [u8], &'a [u8]) {
        (cells[ACTOR1_COUNTRY], cells[ACTOR2_COUNTRY])
    }

    fn event(&self, cells: &[&[u8]], weight: Weight) -> Result<Parsed, Bad> {
        let id = digits(cells[ID].trim_ascii()).ok_or_else(|| {
            Bad::cell(
                column(ID),
                format!("`{}` is not an event number", shown(cells[ID])),
            )
        })?;
        let day = cells[DAY].trim_ascii();
        let month = (day.len() == 8)
            .then(|| digits(day))
            .flatten()
            .and_then(|d| {
                date(
                    (d / 10_000) as i32,
                    (d / 100 % 100) as u32,
                    (d % 100) as u32,
                )
            })
            .ok_or_else(|| {
                Bad::cell(
                    column(DAY),
                    format!("`{}` is not a date YYYYMMDD", shown(cells[DAY])),
                )
            })?;
        let quad = match cells[QUAD].trim_ascii() {
            [q @ b'1'..=b'4'] => q - b'0',
            _ => {
                return Err(Bad::cell(
                    column(QUAD),
                    format!("`{}` is not a quad class 1, 2, 3 or 4", shown(cells[QUAD])),
                ));
            }
        };
        let score = score(cells[GOLDSTEIN], &column(GOLDSTEIN))?;
        let weight = match weight {
            Weight::Events => 1.0,
            Weight::Mentions => count(cells, MENTIONS)?,
            Weight::Sources => count(cells, SOURCES)?,
            Weight::Articles => count(cells, ARTICLES)?,
        };
        Ok(Parsed {
            month,
            score,
            weight,
            quad,
            key: Some(u128::from(id)),
        })
    }
}

/// A count used as a weight: a whole number of at least 1.
fn count(cells: &[&[u8]], i: usize) -> Result<f64, Bad> {
    match digits(cells[i].trim_ascii()) {
        Some(n) if (1..=MAX_WEIGHT).contains(&n) => Ok(n as f64),
        Some(0) => Err(Bad::cell(
            column(i),
            "0: an event weighs at least 1 (or use --weight events)",
        )),
        _ => Err(Bad::cell(
            column(i),
            format!("`{}` is not a whole number", shown(cells[i])),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::YearMonth;

    /// A GDELT 2.0 line with the given cells set, the others plausible.
    fn line(set: &[(usize, &str)]) -> String {
        let mut cells: Vec<String> = (0..61).map(|_| String::new()).collect();
        cells[ID] = "1215467890".into();
        cells[DAY] = "20240315".into();
        cells[2] = "202403".into();
        cells[3] = "2024".into();
        cells[4] = "2024.2055".into();
        cells[5] = "AZEGOV".into();
        cells[6] = "AZERBAIJAN".into();
        cells[ACTOR1_COUNTRY] = "AZE".into();
        cells[15] = "RUS".into();
        cells[16] = "RUSSIA".into();
        cells[ACTOR2_COUNTRY] = "RUS".into();
        cells[25] = "1".into();
        cells[26] = "042".into();
        cells[27] = "042".into();
        cells[28] = "04".into();
        cells[QUAD] = "1".into();
        cells[GOLDSTEIN] = "1.9".into();
        cells[MENTIONS] = "10".into();
        cells[SOURCES] = "2".into();
        cells[ARTICLES] = "9".into();
        cells[34] = "-1.25".into();
        cells[59] = "20240315120000".into();
        cells[60] = "https://example.org/news".into();
        for (i, v) in set {
            cells[*i] = v.to_string();
        }
        cells.join("\t")
    }

    fn parse(text: &str, weight: Weight) -> Result<Parsed, Bad> {
        let cells: Vec<&[u8]> = text.as_bytes().split(|&b| b == b'\t').collect();
        Gdelt.check_columns(cells.len())?;
        Gdelt.event(&cells, weight)
    }

    #[test]
    fn the_column_list_follows_the_codebook() {
        assert_eq!(COLUMNS.len(), 61);
        assert_eq!(COLUMNS[ACTOR1_COUNTRY], "Actor1CountryCode");
        assert_eq!(COLUMNS[ACTOR2_COUNTRY], "Actor2CountryCode");
        assert_eq!(COLUMNS[QUAD], "QuadClass");
        assert_eq!(COLUMNS[GOLDSTEIN], "GoldsteinScale");
        assert_eq!(COLUMNS[MENTIONS], "NumMentions");
        assert_eq!(COLUMNS[SOURCES], "NumSources");
        assert_eq!(COLUMNS[ARTICLES], "NumArticles");
        assert_eq!(COLUMNS[59], "DATEADDED");
        assert_eq!(column(GOLDSTEIN), "column 31 (GoldsteinScale)");
    }

    #[test]
    fn reads_an_event() {
        let p = parse(&line(&[]), Weight::Mentions).unwrap();
        assert_eq!(p.month, YearMonth::new(2024, 3).unwrap());
        assert_eq!((p.score, p.weight, p.quad), (1.9, 10.0, 1));
        assert_eq!(p.key, Some(1215467890));
        assert_eq!(parse(&line(&[]), Weight::Sources).unwrap().weight, 2.0);
        assert_eq!(parse(&line(&[]), Weight::Articles).unwrap().weight, 9.0);
        assert_eq!(parse(&line(&[]), Weight::Events).unwrap().weight, 1.0);
        let l = line(&[]);
        let cells: Vec<&[u8]> = l.as_bytes().split(|&b| b == b'\t').collect();
        assert_eq!(Gdelt.actors(&cells), (&b"AZE"[..], &b"RUS"[..]));
    }

    #[test]
    fn bad_cells_name_their_column() {
        let cases = [
            (DAY, "2024-03-15", "column 2 (SQLDATE)"),
            (DAY, "20240230", "column 2 (SQLDATE)"),
            (QUAD, "5", "column 30 (QuadClass)"),
            (GOLDSTEIN, "high", "column 31 (GoldsteinScale)"),
            (GOLDSTEIN, "-11", "column 31 (GoldsteinScale)"),
            (MENTIONS, "3.5", "column 32 (NumMentions)"),
            (MENTIONS, "0", "column 32 (NumMentions)"),
            (ID, "x1", "column 1 (GLOBALEVENTID)"),
        ];
        for (i, v, col) in cases {
            let err = parse(&line(&[(i, v)]), Weight::Mentions).unwrap_err();
            assert_eq!(err.column.as_deref(), Some(col), "{v}: {}", err.message);
        }
    }

    #[test]
    fn wrong_column_counts_say_what_the_file_may_be() {
        assert!(Gdelt.check_columns(61).is_ok());
        assert!(
            Gdelt
                .check_columns(58)
                .unwrap_err()
                .message
                .contains("GDELT 1.0")
        );
        assert!(
            Gdelt
                .check_columns(16)
                .unwrap_err()
                .message
                .contains("mentions")
        );
        assert!(
            Gdelt
                .check_columns(60)
                .unwrap_err()
                .message
                .contains("has 60")
        );
    }

    #[test]
    fn a_header_line_is_skipped_and_commas_are_refused() {
        let header = COLUMNS.join("\t");
        let cells: Vec<&[u8]> = header.as_bytes().split(|&b| b == b'\t').collect();
        assert_eq!(Gdelt.begin_file(&cells), Ok(true));
        let data = line(&[]);
        let cells: Vec<&[u8]> = data.as_bytes().split(|&b| b == b'\t').collect();
        assert_eq!(Gdelt.begin_file(&cells), Ok(false));
        let commas = line(&[]).replace('\t', ",");
        assert!(Gdelt.begin_file(&[commas.as_bytes()]).is_err());
        let icews = crate::import::icews::HEADER.join("\t");
        let cells: Vec<&[u8]> = icews.as_bytes().split(|&b| b == b'\t').collect();
        assert!(
            Gdelt
                .begin_file(&cells)
                .unwrap_err()
                .1
                .unwrap()
                .contains("--format icews")
        );
    }
}
