//! The raw writes behind the [`super::Printer`]: stdout and stderr, flushed, with a closed pipe
//! treated as "nobody reads this any more" (see the module doc of [`super`]).

use std::io::{ErrorKind, Write};

/// Writes `bytes` to stdout and flushes; a closed pipe is not an error.
pub(super) fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Restores the default action of `SIGPIPE` (terminate quietly) on Unix; nothing elsewhere.
pub fn die_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up, before any thread is spawned; setting the disposition of
    // SIGPIPE to its default has no other effect on the process.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Writes `text` to stdout (adding a final line break when missing) and flushes. A closed pipe
/// is not an error: the text is dropped. Other errors are returned.
pub(super) fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let result = out
        .write_all(text.as_bytes())
        .and_then(|()| {
            if text.is_empty() || text.ends_with('\n') {
                Ok(())
            } else {
                out.write_all(b"\n")
            }
        })
        .and_then(|()| out.flush());
    match result {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes `text` and a line break to stderr, ignoring every error (there is nowhere left to
/// report it).
pub fn eprint(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}").and_then(|()| err.flush());
}

/// Writes `text` to stderr exactly as it is (the final error report, which ends with its own
/// line break).
pub fn eprint_raw(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// True when `error` (or one of its causes) is a closed pipe.
pub fn is_closed_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == ErrorKind::BrokenPipe)
    })
}
