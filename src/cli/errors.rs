//! How a failed command is reported: once, at the top level, as `error:` (the outermost
//! message), one `caused by:` line per source in the chain, and at most one `hint:` — the first
//! a [`Hint`] in the chain carries. Errors keep their causes in `source()`; the chain is read by
//! [`crate::error_chain::messages`].

use std::fmt::Write;

/// A hint for the person reading an error: attach with [`hinted`].
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Hint {
    message: String,
    hint: String,
    #[source]
    source: Option<anyhow::Error>,
}

/// `message`, caused by `source`, with `hint` for the reader.
pub fn hinted(
    message: impl Into<String>,
    hint: impl Into<String>,
    source: Option<anyhow::Error>,
) -> anyhow::Error {
    anyhow::Error::new(Hint {
        message: message.into(),
        hint: hint.into(),
        source,
    })
}

/// The text printed on stderr for a failed command (ends with a line break).
pub fn render(e: &anyhow::Error) -> String {
    let messages = crate::error_chain::messages(e.as_ref());
    let mut out = String::new();
    for (i, text) in messages.iter().enumerate() {
        let label = if i == 0 { "error" } else { "caused by" };
        let _ = writeln!(out, "{label}: {text}");
    }
    let mut hint = None;
    for cause in e.chain() {
        if let Some(h) = cause.downcast_ref::<Hint>() {
            hint = Some(h.hint.clone());
            break;
        }
    }
    if let Some(h) = hint {
        let _ = writeln!(out, "hint: {h}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot connect to 127.0.0.1:9")]
    struct Refused(#[source] std::io::Error);

    #[test]
    fn the_chain_is_printed_once_with_one_hint() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let e = anyhow::Error::new(Refused(io)).context("reading customer contoso");
        assert_eq!(
            render(&e),
            "error: reading customer contoso\ncaused by: cannot connect to 127.0.0.1:9\ncaused by: \
             connection refused\n"
        );
        let h = hinted(
            "cannot start the embedded sandbox",
            "check that the state dir is writable",
            Some(anyhow::anyhow!("permission denied")),
        );
        assert_eq!(
            render(&h),
            "error: cannot start the embedded sandbox\ncaused by: permission denied\nhint: check \
             that the state dir is writable\n"
        );
    }
}
