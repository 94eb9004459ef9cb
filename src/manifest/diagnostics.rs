//! Diagnostics: one problem in the manifests, with its file, line and column, a source snippet
//! (rendered by miette), a short lower-case message and at most one hint. Loading collects every
//! problem into [`Diagnostics`] before reporting, so a user fixes them all in one round.

use super::desired::SourceRef;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Error or warning. Only errors make `validate` fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// The text of one manifest file, shared by every diagnostic that points into it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<String>,
    /// The byte offset of each line's start, computed on first use (locating a value is then
    /// O(line length), not O(file size): a large manifest is not quadratic to check).
    line_starts: Arc<std::sync::OnceLock<Vec<usize>>>,
}

impl SourceFile {
    pub fn new(path: &Path, text: String) -> Self {
        SourceFile {
            path: path.to_path_buf(),
            text: Arc::new(text),
            line_starts: Arc::default(),
        }
    }

    /// The byte offset of a 1-based line and (character) column, clamped to the text.
    pub fn offset(&self, line: usize, column: usize) -> usize {
        let text = self.text.as_str();
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let Some(&start) = starts.get(line.max(1) - 1) else {
            return text.len();
        };
        let rest = &text[start..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let col = rest[..line_end]
            .char_indices()
            .nth(column.saturating_sub(1))
            .map(|(i, _)| i)
            .unwrap_or(line_end);
        start + col
    }

    /// The length of the YAML token starting at `offset`: a quoted scalar, a key (up to `:`),
    /// or a plain scalar up to a comment, flow indicator or the end of the line. At least 1 unless
    /// the line is empty.
    pub fn token_len(&self, offset: usize) -> usize {
        let rest = &self.text[offset.min(self.text.len())..];
        let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
        let mut chars = line.char_indices();
        match chars.next() {
            None => 0,
            Some((_, open @ ('[' | '{'))) => {
                let close = if open == '[' { ']' } else { '}' };
                let mut depth = 0usize;
                for (i, c) in line.char_indices() {
                    if c == open {
                        depth += 1;
                    } else if c == close {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                }
                line.trim_end().len()
            }
            Some((_, q @ ('"' | '\''))) => chars
                .find(|&(_, c)| c == q)
                .map(|(i, c)| i + c.len_utf8())
                .unwrap_or(line.len()),
            Some(_) => {
                let bytes = line.as_bytes();
                let mut end = line.len();
                for (i, c) in line.char_indices() {
                    let next_is_space = bytes.get(i + 1).is_none_or(|b| *b == b' ');
                    let prev_is_space = i > 0 && bytes[i - 1] == b' ';
                    if (c == ':' && next_is_space)
                        || (c == '#' && prev_is_space)
                        || matches!(c, ',' | ']' | '}')
                    {
                        end = i;
                        break;
                    }
                }
                line[..end].trim_end().len().max(1).min(line.len())
            }
        }
    }
}

/// Longest source line shown in a snippet (bytes).
const MAX_SNIPPET_LINE: usize = 300;

/// One problem found in the manifests.
#[derive(Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Short, lower-case, names the user's value.
    pub message: String,
    /// At most one hint.
    pub hint: Option<String>,
    /// Where: file, 1-based line and column. `None` for problems with no place in a file
    /// (a path that does not exist).
    pub location: Option<SourceRef>,
    /// A short label under the snippet (e.g. "first declared here" on a related diagnostic).
    pub label: Option<String>,
    span: Option<(usize, usize)>,
    source: Option<SourceFile>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            hint: None,
            location: None,
            label: None,
            span: None,
            source: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Points the diagnostic at a 1-based line and column of `file`; the snippet underlines the
    /// token there.
    pub fn at(mut self, file: &SourceFile, line: usize, column: usize) -> Self {
        let (line, column) = (line.max(1), column.max(1));
        let offset = file.offset(line, column);
        self.location = Some(SourceRef {
            file: file.path.clone(),
            line,
            column,
        });
        // A snippet of a huge line would print it whole: only the location then.
        let line_start = file.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_len = file.text[line_start..]
            .find('\n')
            .unwrap_or(file.text.len() - line_start);
        if line_len > MAX_SNIPPET_LINE {
            return self;
        }
        self.span = Some((offset, file.token_len(offset)));
        self.source = Some(file.clone());
        self
    }

    /// Points the diagnostic at the start of a file (no snippet).
    pub fn in_file(mut self, path: &Path) -> Self {
        self.location = Some(SourceRef {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `error: message` then `  --> file:line:col` and `  = hint: …`: stable text for logs and
    /// snapshot tests.
    pub fn to_plain(&self) -> String {
        let mut s = format!("{}: {}", self.severity_word(), self.message);
        if let Some(loc) = &self.location {
            s.push_str(&format!("\n  --> {loc}"));
        }
        if let Some(hint) = &self.hint {
            s.push_str(&format!("\n  = hint: {hint}"));
        }
        s
    }

    fn severity_word(&self) -> &'static str {
        match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }

    /// The miette rendering: message, `╭─[file:line:col]`, snippet with the value underlined,
    /// and the hint.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_wrap_lines(false);
        let mut out = String::new();
        if handler.render_report(&mut out, self).is_err() || out.trim().is_empty() {
            return self.to_plain();
        }
        if self.source.is_none()
            && let Some(loc) = &self.location
        {
            if self.span.is_none() && (loc.line, loc.column) != (1, 1) {
                out.push_str(&format!("  --> {loc}\n"));
            } else {
                out.push_str(&format!("  in {}\n", loc.file.display()));
            }
        }
        out
    }
}

impl fmt::Debug for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_plain())
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.hint
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (offset, len) = self.span?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(self.label.clone(), (offset, len)),
        )))
    }
}

impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner =
            self.text
                .as_str()
                .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.path.display().to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A YAML file that was not read because it is not a reservoir manifest (DESIGN §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    /// Why, e.g. "no top-level `customers:`".
    pub reason: String,
}

/// Every problem found, errors first in file order. Returned by [`super::load`] when there is
/// at least one error.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    /// The files skipped as not manifests, in order.
    pub skipped: Vec<Skipped>,
    /// The manifest files read, in order.
    pub files: Vec<PathBuf>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        match d.severity {
            Severity::Error => self.errors.push(d),
            Severity::Warning => self.warnings.push(d),
        }
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Errors then warnings, each sorted by location.
    pub fn all(&self) -> impl Iterator<Item = &Diagnostic> {
        self.errors.iter().chain(self.warnings.iter())
    }

    /// Sorts by location (stable) and drops repeated reports of the same problem (same place,
    /// same message).
    pub(crate) fn sort(&mut self) {
        let key = |d: &Diagnostic| d.location.clone();
        for list in [&mut self.errors, &mut self.warnings] {
            list.sort_by_key(key);
            let mut seen = std::collections::HashSet::new();
            list.retain(|d| seen.insert((d.location.clone(), d.message.clone())));
        }
    }

    /// Every diagnostic rendered with miette, separated by blank lines.
    pub fn render(&self, color: bool) -> String {
        self.all()
            .map(|d| d.render(color))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every diagnostic in the plain one-problem-per-block form.
    pub fn to_plain(&self) -> String {
        self.all()
            .map(Diagnostic::to_plain)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(
            f,
            "{n} {} in the manifests",
            if n == 1 { "error" } else { "errors" }
        )
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(Path::new("m.yaml"), text.to_owned())
    }

    fn token_at(f: &SourceFile, line: usize, col: usize) -> &str {
        let start = f.offset(line, col);
        &f.text[start..start + f.token_len(start)]
    }

    #[test]
    fn tokens_under_a_location() {
        let f = file(
            "a: 1\nkey: \"quoted value\" # c\nlist: [x, [y]]\nplain: some words # c\nk2: v\r\n",
        );
        assert_eq!(token_at(&f, 1, 1), "a");
        assert_eq!(token_at(&f, 2, 6), "\"quoted value\"");
        assert_eq!(token_at(&f, 3, 7), "[x, [y]]");
        assert_eq!(token_at(&f, 4, 8), "some words");
        assert_eq!(token_at(&f, 5, 5), "v");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let f = file("name: \"é\" x: bad\n");
        assert_eq!(token_at(&f, 1, 14), "bad");
    }

    #[test]
    fn plain_form_has_location_and_hint() {
        let f = file("version: 2\n");
        let d = Diagnostic::error("unsupported manifest version 2")
            .with_hint("use 1")
            .at(&f, 1, 10);
        assert_eq!(
            d.to_plain(),
            "error: unsupported manifest version 2\n  --> m.yaml:1:10\n  = hint: use 1"
        );
        let rendered = d.render(false);
        assert!(rendered.contains("m.yaml:1:10"), "{rendered}");
        assert!(rendered.contains("version: 2"), "{rendered}");
    }
}
