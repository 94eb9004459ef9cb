//! Fitting plan text to a width: a line is word-wrapped onto continuation lines (hanging indent)
//! so that no line of the text plan runs past [`FIT_WIDTH`](crate::render::table::FIT_WIDTH) columns unless every line is asked
//! for at full length (`--wide`). Colour is applied after wrapping, per line, so escape codes
//! never count towards the width.

use crate::render::table::wrap_hanging;

/// One styled piece of a line: an unstyled separator, then the text in `style` (an ANSI
/// prefix, or empty for none).
pub(super) struct Part<'a> {
    pub(super) sep: &'a str,
    pub(super) style: &'a str,
    pub(super) text: String,
}

/// Writes lines, each painted and (when a width is set) wrapped.
pub(super) struct Fit<'o> {
    pub(super) out: &'o mut String,
    pub(super) color: bool,
    pub(super) width: Option<usize>,
}

const RESET: &str = "\x1b[0m";

impl Fit<'_> {
    fn paint(&self, style: &str, text: &str) -> String {
        if self.color && !style.is_empty() {
            format!("{style}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }

    /// `text` at `indent`, in `style`; too long, it wraps with continuation lines two columns
    /// further in. `keep` characters of the first line (a diff marker) start every
    /// continuation line too.
    pub(super) fn line(&mut self, indent: usize, style: &str, text: &str) {
        self.line_keeping(indent, style, text, 0);
    }

    pub(super) fn line_keeping(&mut self, indent: usize, style: &str, text: &str, keep: usize) {
        let pad = " ".repeat(indent);
        let fits = self
            .width
            .is_none_or(|w| indent + text.chars().count() <= w);
        if fits {
            let painted = self.paint(style, text);
            self.push(&format!("{pad}{painted}"));
            return;
        }
        let width = self.width.unwrap_or(usize::MAX);
        let marker: String = text.chars().take(keep).collect();
        let rest: String = text.chars().skip(keep).collect();
        let hang = 2 + marker.chars().count();
        let lines = wrap_first_and_rest(&rest, width.saturating_sub(indent + keep), hang);
        for (i, l) in lines.iter().enumerate() {
            let text = if i == 0 {
                format!("{marker}{l}")
            } else {
                format!("{marker}{}{l}", " ".repeat(hang - marker.chars().count()))
            };
            let painted = self.paint(style, &text);
            self.push(&format!("{pad}{painted}"));
        }
    }

    /// A line of several styled parts at `indent`. When it does not fit, parts are packed onto
    /// lines in order: a part that does not fit on the current line starts a continuation line
    /// two columns further in (its separator and leading space dropped), and wraps there if it
    /// must.
    pub(super) fn parts(&mut self, indent: usize, parts: &[Part<'_>]) {
        let Some(width) = self.width else {
            let painted: String = parts
                .iter()
                .map(|p| format!("{}{}", p.sep, self.paint(p.style, &p.text)))
                .collect();
            self.push(&format!("{}{painted}", " ".repeat(indent)));
            return;
        };
        // The line being filled: its plain length and painted text.
        let mut current: Option<(usize, String)> = None;
        for (i, part) in parts.iter().enumerate() {
            let plain = format!("{}{}", part.sep, part.text);
            let len = plain.chars().count();
            if let Some((used, text)) = current.as_mut()
                && *used + len <= width
            {
                *used += len;
                text.push_str(part.sep);
                text.push_str(&self.paint(part.style, &part.text));
                continue;
            }
            if let Some((_, text)) = current.take() {
                self.push(&text);
            }
            let (at, text) = if i == 0 {
                (indent, part.text.as_str())
            } else {
                (indent + 2, part.text.trim_start())
            };
            if at + text.chars().count() <= width {
                let line = format!("{}{}", " ".repeat(at), self.paint(part.style, text));
                current = Some((at + text.chars().count(), line));
            } else {
                self.line(at, part.style, text);
            }
        }
        if let Some((_, text)) = current {
            self.push(&text);
        }
    }

    fn push(&mut self, line: &str) {
        self.out.push_str(line);
        self.out.push('\n');
    }
}

/// Word-wraps `text` to `width` characters, continuation lines `hang` characters narrower (they
/// are indented by the caller).
fn wrap_first_and_rest(text: &str, width: usize, hang: usize) -> Vec<String> {
    let width = width.max(hang + 8);
    wrap_hanging(text, width, width - hang)
}
