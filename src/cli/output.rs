//! The [`Printer`]: the only writer to stdout (and, through [`eprint`], the one place that
//! writes diagnostics to stderr). The crate denies `print!`/`println!`/`eprint!`/`eprintln!`
//! and `std::io::stdout` (clippy `print_stdout`, `print_stderr`, `disallowed_methods`); only
//! this module may write.
//!
//! Writing when the reader may have gone away (`reservoir … | head -1`):
//! Every command except `apply` dies quietly on a closed pipe, as Unix tools do: [`main`]
//! restores the default `SIGPIPE` action, so a write to a closed stdout or stderr ends the
//! process silently instead of panicking (Rust ignores `SIGPIPE`, so `print!` would panic with
//! exit 101). `apply` keeps `SIGPIPE` ignored — a purchase must not be cut short because a log
//! reader went away — and writes only through [`print`] and [`eprint`], which treat a closed
//! pipe as "nobody reads this any more": the output is dropped and the run goes on to its own
//! exit code.
//!
//! [`main`]: super::main

#![allow(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods)]

use crate::settings::Settings;
use std::io::{ErrorKind, Write};

/// Writes the requested output to stdout and notes to stderr, as `--quiet` says.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    quiet: bool,
    color: bool,
}

impl Printer {
    /// The printer for a run's settings.
    pub fn new(g: &Settings) -> Printer {
        Printer {
            quiet: g.quiet,
            color: g.color_stdout,
        }
    }

    /// Whether stdout output may carry colour.
    pub fn color(&self) -> bool {
        self.color
    }

    /// Writes `text` to stdout exactly as it is (no line break added), and flushes.
    pub fn write(&self, text: &str) -> std::io::Result<()> {
        write_stdout(text.as_bytes())
    }

    /// Writes `text` to stdout, adding a final line break when missing.
    pub fn line(&self, text: &str) -> std::io::Result<()> {
        print(text)
    }

    /// A note on stderr, left out with `--quiet`.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            eprint(text);
        }
    }

    /// A warning or error on stderr, shown even with `--quiet`.
    pub fn warn(&self, text: &str) {
        eprint(text);
    }
}

/// Writes `bytes` to stdout and flushes; a closed pipe is not an error.
fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
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
pub fn print(text: &str) -> std::io::Result<()> {
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
