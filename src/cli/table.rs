//! Tables on stdout: a header row, every column as wide as its widest cell
//! (counted in characters, so `→` or `—` take one column), text columns to
//! the left and number columns to the right, two spaces between columns.
//! And the one rule for numbers a reader sees: a few significant digits.

/// How a column's cells line up.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// A table built row by row and laid out at the end, when every cell is
/// known.
#[derive(Clone, Debug)]
pub(crate) struct TextTable {
    header: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
    indent: usize,
}

impl TextTable {
    /// A table with these column headers and alignments.
    pub(crate) fn new(columns: &[(&str, Align)]) -> Self {
        TextTable {
            header: columns.iter().map(|(h, _)| h.to_string()).collect(),
            align: columns.iter().map(|(_, a)| *a).collect(),
            rows: Vec::new(),
            indent: 0,
        }
    }

    /// Every line starts with `n` spaces.
    pub(crate) fn indent(mut self, n: usize) -> Self {
        self.indent = n;
        self
    }

    /// Adds a row; missing cells are empty, extra cells are an error of the
    /// caller and left out.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as text, one line per row after the header, each line
    /// ending in a newline and without trailing spaces.
    pub(crate) fn render(&self) -> String {
        let n = self.header.len();
        let cell = |r: &[String], i: usize| r.get(i).map_or("", String::as_str).to_string();
        let width: Vec<usize> = (0..n)
            .map(|i| {
                std::iter::once(&self.header)
                    .chain(&self.rows)
                    .map(|r| cell(r, i).chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for r in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = " ".repeat(self.indent);
            for (i, (w, align)) in width.iter().zip(&self.align).enumerate() {
                let text = cell(r, i);
                let pad = " ".repeat(w - text.chars().count());
                if i > 0 {
                    line.push_str("  ");
                }
                match align {
                    Align::Left => {
                        line.push_str(&text);
                        line.push_str(&pad);
                    }
                    Align::Right => {
                        line.push_str(&pad);
                        line.push_str(&text);
                    }
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// `x` rounded to `digits` significant digits and written in its shortest
/// form: `0.037500000000000006` → `0.0375`, `1250000` → `1250000`,
/// `0.1 + 0.2` → `0.3`. Non-finite values as `inf`, `-inf`, `NaN`.
pub(crate) fn sig(x: f64, digits: usize) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{}", if x == 0.0 { 0.0 } else { x });
    }
    let rounded: f64 = format!("{:.*e}", digits.max(1) - 1, x).parse().unwrap_or(x);
    format!("{rounded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_take_their_widest_cell() {
        let mut t = TextTable::new(&[("parameter", Align::Left), ("swing", Align::Right)]);
        t.row(vec!["a".into(), "0.5".into()]);
        t.row(vec!["weight: trust → alignment".into(), "12.25".into()]);
        assert_eq!(
            t.render(),
            "parameter                  swing\n\
             a                            0.5\n\
             weight: trust → alignment  12.25\n"
        );
        let t = TextTable::new(&[("x", Align::Left), ("long header", Align::Right)]).indent(2);
        assert_eq!(t.render(), "  x  long header\n");
    }

    #[test]
    fn numbers_get_a_few_significant_digits() {
        assert_eq!(sig(0.037500000000000006, 4), "0.0375");
        assert_eq!(sig(0.1 + 0.2, 6), "0.3");
        assert_eq!(sig(-1.23456, 3), "-1.23");
        assert_eq!(sig(1250000.0, 4), "1250000");
        assert_eq!(sig(0.0, 4), "0");
        assert_eq!(sig(-0.0, 4), "0");
        assert_eq!(sig(f64::INFINITY, 4), "inf");
        assert_eq!(sig(2e-7, 4), "0.0000002");
    }
}
