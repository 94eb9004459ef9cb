//! [`OutputFormat`]: what a command's stdout carries, as its `--format` says, and so what the
//! [`super::Printer`] may add to it. One enum for every command's own `--format` values.

use crate::cli::apply::ApplyFormat;
use crate::cli::catalog::SearchFormat;
use crate::cli::validate::ValidateFormat;
use crate::views::ViewFormat;

/// What stdout carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// Text for people (the default): may be coloured, and carries the endpoint line and the
    /// notes of the views.
    #[default]
    Text,
    /// A Markdown document (a pull-request comment): nothing but the document.
    Markdown,
    /// JSON for machines: one document, or (`apply`) one event per line, and nothing else.
    Json,
    /// CSV records for machines, and nothing else.
    Csv,
}

impl OutputFormat {
    /// True for the formats programs read (JSON, CSV): stdout carries only the document, notes
    /// for people go to stderr, and no live progress is drawn.
    pub fn is_machine(self) -> bool {
        matches!(self, OutputFormat::Json | OutputFormat::Csv)
    }
}

impl From<crate::render::Format> for OutputFormat {
    fn from(f: crate::render::Format) -> Self {
        match f {
            crate::render::Format::Text => OutputFormat::Text,
            crate::render::Format::Markdown => OutputFormat::Markdown,
            crate::render::Format::Json => OutputFormat::Json,
        }
    }
}

impl From<ViewFormat> for OutputFormat {
    fn from(f: ViewFormat) -> Self {
        match f {
            ViewFormat::Text => OutputFormat::Text,
            ViewFormat::Json => OutputFormat::Json,
            ViewFormat::Csv => OutputFormat::Csv,
        }
    }
}

impl From<ApplyFormat> for OutputFormat {
    fn from(f: ApplyFormat) -> Self {
        match f {
            ApplyFormat::Text => OutputFormat::Text,
            ApplyFormat::Json => OutputFormat::Json,
        }
    }
}

impl From<ValidateFormat> for OutputFormat {
    fn from(f: ValidateFormat) -> Self {
        match f {
            ValidateFormat::Text => OutputFormat::Text,
            ValidateFormat::Json => OutputFormat::Json,
        }
    }
}

impl From<SearchFormat> for OutputFormat {
    fn from(f: SearchFormat) -> Self {
        match f {
            SearchFormat::Text => OutputFormat::Text,
            SearchFormat::Json => OutputFormat::Json,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OutputFormat;

    #[test]
    fn json_and_csv_are_machine_formats_text_and_markdown_are_not() {
        assert!(OutputFormat::from(crate::render::Format::Json).is_machine());
        assert!(OutputFormat::from(crate::views::ViewFormat::Csv).is_machine());
        assert!(!OutputFormat::from(crate::render::Format::Markdown).is_machine());
        assert!(!OutputFormat::default().is_machine());
    }
}
