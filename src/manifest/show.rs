//! Echoing a user's value in a diagnostic: invisible and control characters are shown as
//! `\u{200b}` (so a GUID that "looks right" shows why it is not), and a huge value is cut to its
//! first [`MAX_CHARS`] characters with its size, so a 50 MB value never floods a log.

/// Characters of a value echoed before it is cut.
pub(super) const MAX_CHARS: usize = 80;

/// The value as it can be printed: invisible characters escaped, cut after [`MAX_CHARS`].
pub(super) fn show(value: &str) -> String {
    let mut out = String::new();
    for (n, c) in value.chars().enumerate() {
        if n == MAX_CHARS {
            out.push_str(&format!("… ({} bytes)", value.len()));
            return out;
        }
        if is_invisible(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The value in double quotes, as [`show`] prints it.
pub(super) fn quoted(value: &str) -> String {
    format!("\"{}\"", show(value).replace('"', "\\\""))
}

/// A hint naming the first invisible character of the value, if it holds one.
pub(super) fn invisible_hint(value: &str) -> Option<String> {
    let c = value.chars().find(|c| is_invisible(*c))?;
    Some(format!(
        "the value holds an invisible character, U+{:04X} {} (shown as \\u{{{:x}}}); \
         retype the value instead of pasting it",
        c as u32,
        char_name(c),
        c as u32
    ))
}

/// Characters a user cannot see in a terminal or an editor.
pub(super) fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00a0}'
                | '\u{00ad}'
                | '\u{034f}'
                | '\u{061c}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{180e}'
                | '\u{2000}'..='\u{200f}'
                | '\u{2028}'..='\u{202f}'
                | '\u{205f}'..='\u{206f}'
                | '\u{3000}'
                | '\u{3164}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

fn char_name(c: char) -> &'static str {
    match c {
        '\u{00a0}' => "NO-BREAK SPACE",
        '\u{00ad}' => "SOFT HYPHEN",
        '\u{200b}' => "ZERO WIDTH SPACE",
        '\u{200c}' => "ZERO WIDTH NON-JOINER",
        '\u{200d}' => "ZERO WIDTH JOINER",
        '\u{200e}' => "LEFT-TO-RIGHT MARK",
        '\u{200f}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202f}' => "NARROW NO-BREAK SPACE",
        '\u{2060}' => "WORD JOINER",
        '\u{feff}' => "ZERO WIDTH NO-BREAK SPACE (byte order mark)",
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => "bidirectional formatting character",
        '\u{2000}'..='\u{200a}' | '\u{3000}' => "typographic space",
        c if c.is_control() => "control character",
        _ => "invisible character",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_are_escaped_and_named() {
        let v = "4b5f3c2e\u{200b}-0d7a";
        assert_eq!(show(v), "4b5f3c2e\\u{200b}-0d7a");
        let hint = invisible_hint(v).unwrap();
        assert!(hint.contains("U+200B ZERO WIDTH SPACE"), "{hint}");
        assert!(invisible_hint("plain").is_none());
        assert_eq!(show("\u{feff}a\u{a0}"), "\\u{feff}a\\u{a0}");
    }

    #[test]
    fn huge_values_are_cut() {
        let v = "x".repeat(10_000);
        let s = show(&v);
        assert!(s.ends_with("… (10000 bytes)"), "{s}");
        assert_eq!(s.chars().filter(|c| *c == 'x').count(), MAX_CHARS);
        assert_eq!(quoted("a\"b"), "\"a\\\"b\"");
    }
}
