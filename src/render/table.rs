//! Tables for the read-only views: aligned plain text (column widths computed from the content,
//! no colour) and CSV (RFC 4180: comma separated, CRLF line ends, fields quoted when they hold a
//! comma, a quote or a line break, quotes doubled). Decides nothing about what goes in a table.
//!
//! Text tables are fitted to [`FIT_WIDTH`] columns unless [`Table::width`] says otherwise
//! (`--wide`): first the columns a view marked [`Table::droppable`] are left out (in the order
//! given), then columns marked [`Table::wrap`] are word-wrapped onto continuation lines, and as
//! a last resort columns are left out from the right. Left-out columns are named in a note under
//! the table. CSV always has every column.

/// How a column's text is aligned in the text rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// The width text tables are fitted to unless every column is asked for (`--wide`).
pub const FIT_WIDTH: usize = 120;

/// A table: headers and rows of cells (already formatted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub align: Vec<Align>,
    pub rows: Vec<Vec<String>>,
    /// Columns (indexes) left out first when the text is too wide, in this order.
    pub droppable: Vec<usize>,
    /// Columns (indexes) whose text may wrap onto continuation lines.
    pub wrapping: Vec<usize>,
    /// The width the text is fitted to; `None`: every column at its full width.
    pub max_width: Option<usize>,
}

impl Table {
    /// A table with these headers, every column left-aligned, fitted to [`FIT_WIDTH`].
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| (*h).to_string()).collect(),
            align: vec![Align::Left; headers.len()],
            rows: Vec::new(),
            droppable: Vec::new(),
            wrapping: Vec::new(),
            max_width: Some(FIT_WIDTH),
        }
    }

    fn indexes(&self, columns: &[&str]) -> Vec<usize> {
        columns
            .iter()
            .filter_map(|c| self.headers.iter().position(|h| h == c))
            .collect()
    }

    /// Marks the named columns as left out first, in this order, when the text is too wide.
    pub fn droppable(mut self, columns: &[&str]) -> Table {
        self.droppable = self.indexes(columns);
        self
    }

    /// Marks the named columns (free text) as wrapping when the text is too wide.
    pub fn wrap(mut self, columns: &[&str]) -> Table {
        self.wrapping = self.indexes(columns);
        self
    }

    /// Fits the text to `max` columns, or (`None`) shows every column at full width.
    pub fn width(mut self, max: Option<usize>) -> Table {
        self.max_width = max;
        self
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

    /// Aligned text: a header line, a dash rule, one line per row (more when a cell wraps); two
    /// spaces between columns, no trailing spaces. Line breaks inside cells are shown as spaces.
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
        let (shown, widths) = self.fit(&header, widths);
        let line = |cells: &[String]| {
            let mut out = String::new();
            for (n, &i) in shown.iter().enumerate() {
                if n > 0 {
                    out.push_str("  ");
                }
                let c = &cells[i];
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
        // A row whose wrapped cells take several lines.
        let physical = |cells: &[String]| {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if c.chars().count() > widths[i] {
                        wrap_text(c, widths[i])
                    } else {
                        vec![c.clone()]
                    }
                })
                .collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
            (0..height)
                .map(|k| {
                    let cells: Vec<String> = wrapped
                        .iter()
                        .map(|w| w.get(k).cloned().unwrap_or_default())
                        .collect();
                    line(&cells)
                })
                .collect::<String>()
        };
        let mut out = line(&header);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        out.push_str(&line(&rule));
        for r in &rows {
            out.push_str(&physical(r));
        }
        if shown.len() < header.len() {
            let hidden: Vec<&str> = (0..header.len())
                .filter(|i| !shown.contains(i))
                .map(|i| header[i].as_str())
                .collect();
            out.push_str(&format!(
                "(not shown, to fit {} columns: {}; --wide shows every column)\n",
                self.max_width.unwrap_or(FIT_WIDTH),
                hidden.join(", ")
            ));
        }
        out
    }

    /// The columns shown (in order) and their widths, fitted to `max_width`.
    fn fit(&self, header: &[String], mut widths: Vec<usize>) -> (Vec<usize>, Vec<usize>) {
        let mut shown: Vec<usize> = (0..header.len()).collect();
        let Some(max) = self.max_width else {
            return (shown, widths);
        };
        let total = |shown: &[usize], widths: &[usize]| {
            shown.iter().map(|&i| widths[i]).sum::<usize>() + 2 * shown.len().saturating_sub(1)
        };
        for &d in &self.droppable {
            if total(&shown, &widths) <= max {
                break;
            }
            shown.retain(|&i| i != d);
        }
        // Wrap: narrow the widest wrapping column, one character at a time, down to its header
        // (and at least 12 characters).
        while total(&shown, &widths) > max {
            let narrowest = |i: usize| header[i].chars().count().max(12);
            let Some(&i) = self
                .wrapping
                .iter()
                .filter(|&&i| shown.contains(&i) && widths[i] > narrowest(i))
                .max_by_key(|&&i| widths[i])
            else {
                break;
            };
            widths[i] -= 1;
        }
        while total(&shown, &widths) > max && shown.len() > 1 {
            shown.pop();
        }
        (shown, widths)
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

/// Word-wraps `text` into lines of at most `width` characters (a longer word is cut).
fn wrap_text(text: &str, width: usize) -> Vec<String> {
    wrap_hanging(text, width, width)
}

/// Word-wraps `text`: the first line at most `first` characters, the others at most `rest` (a
/// longer word is cut).
pub(crate) fn wrap_hanging(text: &str, first: usize, rest: usize) -> Vec<String> {
    let (first, rest) = (first.max(1), rest.max(1));
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let width = |lines: &Vec<String>| if lines.is_empty() { first } else { rest };
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width(&lines) {
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            let w = width(&lines);
            lines.push(word.drain(..w).collect());
        }
        let word: String = word.into_iter().collect();
        let len = current.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width(&lines) {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
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

    fn wide() -> Table {
        let mut t = Table::new(&["id", "name", "extra", "detail"])
            .droppable(&["extra"])
            .wrap(&["detail"]);
        t.push(vec![
            "a".repeat(30),
            "contoso".into(),
            "x".repeat(40),
            "reservoir did not place this order, which is reported and not fatal".into(),
        ]);
        t
    }

    #[test]
    fn wide_tables_drop_marked_columns_then_wrap_to_the_width() {
        let text = wide().width(Some(80)).to_text();
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert!(!text.contains("xxxx"), "extra is dropped:\n{text}");
        assert!(text.contains("(not shown, to fit 80 columns: extra; --wide shows every column)"));
        // The detail wrapped: every word is still there.
        let words: Vec<&str> = text.split_whitespace().collect();
        for w in ["reservoir", "reported", "fatal"] {
            assert!(words.contains(&w), "{w} in\n{text}");
        }
        assert!(text.lines().count() > 4, "{text}");
    }

    #[test]
    fn unfitted_tables_keep_every_column_on_one_line() {
        let text = wide().width(None).to_text();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.contains(&"x".repeat(40)));
        assert!(!text.contains("not shown"));
    }

    #[test]
    fn without_marks_columns_go_from_the_right() {
        let mut t = Table::new(&["a", "b", "c"]).width(Some(25));
        t.push(vec!["1".repeat(10), "2".repeat(10), "3".repeat(10)]);
        let text = t.to_text();
        let table = text.lines().filter(|l| !l.starts_with("(not shown"));
        assert!(table.clone().count() == 3, "{text}");
        assert!(table.into_iter().all(|l| l.chars().count() <= 25), "{text}");
        assert!(text.contains("(not shown, to fit 25 columns: c;"), "{text}");
    }

    #[test]
    fn wrap_text_breaks_on_spaces_and_cuts_long_words() {
        assert_eq!(wrap_text("ab cd ef", 5), vec!["ab cd", "ef"]);
        assert_eq!(wrap_text("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap_text("", 3), vec![""]);
    }

    #[test]
    fn key_values_pad_keys() {
        let s = key_values(&[("id", "G1".into()), ("currency", "USD".into())]);
        assert_eq!(s, "id:        G1\ncurrency:  USD\n");
    }
}
