//! Reading an error's chain, one way for the whole crate: the messages of an error and of its
//! causes (`source()`), leaving out a wrapper's cause whose message the wrapper already ends
//! with. The top-level printer ([`crate::cli::errors::render`]) prints them as `error:` and
//! `caused by:` lines; what holds one line (a plan row, a journal record, a witness line) joins
//! them with `": "` ([`one_line`]). Errors keep their causes in `source()`; only these two
//! places turn a chain into text.

use std::error::Error;

/// The messages of `e` and its causes, outermost first. A cause whose message equals the end of
/// the message before it (a wrapper that repeats it) is left out.
pub fn messages(e: &(dyn Error + 'static)) -> Vec<String> {
    let mut out = vec![e.to_string()];
    let mut last = out[0].clone();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !last.ends_with(&text) {
            out.push(text.clone());
        }
        last = text;
        cause = c.source();
    }
    out
}

/// `e` and its causes on one line, joined with `": "`.
pub fn one_line(e: &(dyn Error + 'static)) -> String {
    messages(e).join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("reading customer c1")]
    struct Outer(#[source] Middle);

    #[derive(Debug, thiserror::Error)]
    #[error("GET /v1/customers/c1: cannot connect")]
    struct Middle(#[source] std::io::Error);

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read x: permission denied")]
    struct Repeats(#[source] std::io::Error);

    #[test]
    fn a_chain_on_one_line_names_every_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let e = Outer(Middle(io));
        assert_eq!(
            one_line(&e),
            "reading customer c1: GET /v1/customers/c1: cannot connect: connection refused"
        );
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied");
        assert_eq!(messages(&Repeats(io)), ["cannot read x: permission denied"]);
    }
}
