//! Tables for the read-only views: aligned plain text (column widths computed from the content,
//! no colour) and CSV (RFC 4180: comma separated, CRLF line ends, fields quoted when they hold a
//! comma, a quote or a line break, quotes doubled). Decides nothing about what goes in a table.

/// How a column's text is aligned in the text rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table: headers and rows of cells (already formatted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub align: Vec<Align>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these headers, every column left-aligned.
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| (*h).to_string()).collect(),
            align: vec![Align::Left; headers.len()],
            rows: Vec::new(),
        }
    }

    /// Right-aligns the named columns (numbers, money).
    pub fn right(mut self, columns: &[&str]) -> Table {
        for (i, h) in self.headers.iter().enumerate() {
            if columns.contains(&h.as_str()) {
                self.align[i] = Align::Right;
            }
        }
        self
    }

    /// Appends a row; short rows are padded with empty cells, long ones cut to the headers.
    pub fn push(&mut self, row: Vec<String>) {
        let mut row = row;
        row.resize(self.headers.len(), String::new());
        self.rows.push(row);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Aligned text: a header line, a dash rule, one line per row; two spaces between columns,
    /// no trailing spaces. Line breaks inside cells are shown as spaces.
    pub fn to_text(&self) -> String {
        let clean = |s: &str| s.replace(['\r', '\n', '\t'], " ");
        let header: Vec<String> = self.headers.iter().map(|h| clean(h)).collect();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(|c| clean(c)).collect())
            .collect();
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for r in &rows {
            for (i, c) in r.iter().enumerate() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let mut out = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    out.push_str("  ");
                }
                let pad = widths[i].saturating_sub(c.chars().count());
                match self.align[i] {
                    Align::Left => {
                        out.push_str(c);
                        out.extend(std::iter::repeat_n(' ', pad));
                    }
                    Align::Right => {
                        out.extend(std::iter::repeat_n(' ', pad));
                        out.push_str(c);
                    }
                }
            }
            let trimmed = out.trim_end().len();
            out.truncate(trimmed);
            out.push('\n');
            out
        };
        let mut out = line(&header);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        out.push_str(&line(&rule));
        for r in &rows {
            out.push_str(&line(r));
        }
        out
    }

    /// CSV per RFC 4180, header record first.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let record = |cells: &[String], out: &mut String| {
            let fields: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
            out.push_str(&fields.join(","));
            out.push_str("\r\n");
        };
        record(&self.headers, &mut out);
        for r in &self.rows {
            record(r, &mut out);
        }
        out
    }
}

/// One CSV field: quoted (with quotes doubled) when it holds a comma, a quote, CR or LF, or
/// starts or ends with a space.
pub fn csv_field(s: &str) -> String {
    let needs = s.contains([',', '"', '\r', '\n']) || s.starts_with(' ') || s.ends_with(' ');
    if needs {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Key/value pairs as a two-column text block (`key  value`, keys padded), for single resources.
pub fn key_values(pairs: &[(&str, String)]) -> String {
    let width = pairs
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (k, v) in pairs {
        let pad = width - k.chars().count();
        out.push_str(k);
        out.push(':');
        out.extend(std::iter::repeat_n(' ', pad + 2));
        out.push_str(&v.replace(['\r', '\n'], " "));
        let trimmed = out.trim_end_matches(' ').len();
        out.truncate(trimmed);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(&["name", "qty", "note"]).right(&["qty"]);
        t.push(vec!["contoso".into(), "4".into(), "a, b".into()]);
        t.push(vec!["ab".into(), "12".into(), "say \"hi\"".into()]);
        t
    }

    #[test]
    fn text_columns_line_up() {
        let text = sample().to_text();
        assert_eq!(
            text,
            "name     qty  note\n-------  ---  --------\ncontoso    4  a, b\nab        12  say \"hi\"\n"
        );
    }

    #[test]
    fn csv_quotes_per_rfc_4180() {
        let csv = sample().to_csv();
        assert_eq!(
            csv,
            "name,qty,note\r\ncontoso,4,\"a, b\"\r\nab,12,\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(csv_field("a\nb"), "\"a\nb\"");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn short_rows_are_padded_and_wide_characters_counted_once() {
        let mut t = Table::new(&["a", "b"]);
        t.push(vec!["€5".into()]);
        assert_eq!(t.to_text(), "a   b\n--  -\n€5\n");
    }

    #[test]
    fn key_values_pad_keys() {
        let s = key_values(&[("id", "G1".into()), ("currency", "USD".into())]);
        assert_eq!(s, "id:        G1\ncurrency:  USD\n");
    }
}
