//! The [`Printer`]: the only writer to stdout (and, through [`eprint`], the one place that
//! writes diagnostics to stderr). The crate denies `print!`/`println!`/`eprint!`/`eprintln!`
//! and `std::io::stdout` (clippy `print_stdout`, `print_stderr`, `disallowed_methods`); only
//! this module may write.
//!
//! The Printer knows the run's `--quiet`, colours, terminals and the command's output format
//! ([`OutputFormat`]), and decides in one place:
//! * what stdout carries: the requested output only. In a machine format (JSON, CSV) that is
//!   the document and nothing else; the notes a text view carries inline go to stderr instead;
//! * clap's help and version (stdout, exit 0) and usage errors (stderr, exit 1 — exit 2 means
//!   "found changes"), styled only on a terminal ([`Printer::clap`]);
//! * whether live progress is drawn on stderr: only on a terminal, not with `--quiet`, not in a
//!   machine format ([`Printer::live_progress`]); otherwise a heartbeat line speaks now and
//!   then, unless `--quiet` ([`Printer::heartbeat`]).
//!
//! Writing when the reader may have gone away (`reservoir … | head -1`):
//! Every command except `apply` dies quietly on a closed pipe, as Unix tools do: [`main`]
//! restores the default `SIGPIPE` action, so a write to a closed stdout or stderr ends the
//! process silently instead of panicking (Rust ignores `SIGPIPE`, so `print!` would panic with
//! exit 101). `apply` keeps `SIGPIPE` ignored — a purchase must not be cut short because a log
//! reader went away — and writes only through the Printer and [`eprint`], which treat a closed
//! pipe as "nobody reads this any more": the output is dropped and the run goes on to its own
//! exit code.
//!
//! [`main`]: super::main

#![allow(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods)]

mod format;
mod streams;

pub use format::OutputFormat;
pub use streams::{die_quietly_on_closed_pipe, eprint, eprint_raw, is_closed_pipe};

use crate::exit::ExitStatus;
use crate::settings::{Environment, Settings};

/// Writes the requested output to stdout and notes to stderr, as `--quiet` and the output
/// format say.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    quiet: bool,
    color_stdout: bool,
    color_stderr: bool,
    stderr_is_terminal: bool,
    format: OutputFormat,
}

impl Printer {
    /// The printer for a run's settings, printing text (see [`Printer::with_format`]).
    pub fn new(g: &Settings) -> Printer {
        Printer {
            quiet: g.quiet,
            color_stdout: g.color_stdout,
            color_stderr: g.color_stderr,
            stderr_is_terminal: g.stderr_is_terminal,
            format: OutputFormat::Text,
        }
    }

    /// The printer for what clap answers before there are settings (help, version, usage
    /// errors): colour as the terminals, `NO_COLOR` and `--no-color` (`no_color_flag`) say.
    pub fn before_settings(env: &Environment, no_color_flag: bool) -> Printer {
        let (color_stdout, color_stderr) = env.colors(no_color_flag);
        Printer {
            quiet: false,
            color_stdout,
            color_stderr,
            stderr_is_terminal: env.stderr_is_terminal,
            format: OutputFormat::Text,
        }
    }

    /// The same printer for a command whose stdout carries `format`.
    pub fn with_format(self, format: impl Into<OutputFormat>) -> Printer {
        Printer {
            format: format.into(),
            ..self
        }
    }

    /// What stdout carries.
    pub fn format(&self) -> OutputFormat {
        self.format
    }

    /// True when stdout carries a machine format (JSON, CSV).
    pub fn is_machine(&self) -> bool {
        self.format.is_machine()
    }

    /// Whether stdout output may carry colour: text on a terminal, without `--no-color` or
    /// `NO_COLOR`.
    pub fn color(&self) -> bool {
        self.color_stdout && self.format == OutputFormat::Text
    }

    /// Whether stderr output (diagnostics, progress) may carry colour.
    pub fn color_stderr(&self) -> bool {
        self.color_stderr
    }

    /// Whether live progress (spinners, bars) is drawn on stderr: a terminal, not `--quiet`,
    /// and not a machine format.
    pub fn live_progress(&self) -> bool {
        !self.quiet && self.stderr_is_terminal && !self.is_machine()
    }

    /// Whether a long run says now and then what it waits for, on stderr: when no live
    /// progress shows it, unless `--quiet`.
    pub fn heartbeat(&self) -> bool {
        !self.quiet && !self.live_progress()
    }

    /// A spinner on stderr saying `message`, ticking; hidden unless [`Printer::live_progress`].
    pub fn spinner(&self, message: String) -> indicatif::ProgressBar {
        if !self.live_progress() {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(message);
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    }

    /// Writes `text` to stdout exactly as it is (no line break added), and flushes.
    pub fn write(&self, text: &str) -> std::io::Result<()> {
        streams::write_stdout(text.as_bytes())
    }

    /// Writes `text` to stdout, adding a final line break when missing.
    pub fn line(&self, text: &str) -> std::io::Result<()> {
        streams::print(text)
    }

    /// One JSON event line of `apply --format json` on stdout. A write error other than a
    /// closed pipe is logged: the run goes on.
    pub fn event(&self, line: &str) {
        if let Err(e) = streams::print(line) {
            tracing::warn!("cannot write an event to stdout: {e}");
        }
    }

    /// A rendered view. In text, `out` (which carries its notes inline) is followed by the
    /// endpoint line `footer`; in a machine format `out` is written as it is, and `notes` go
    /// to stderr (unless `--quiet`).
    pub fn view(&self, out: &str, notes: &[String], footer: &str) -> std::io::Result<()> {
        if self.is_machine() {
            self.line(out)?;
            for n in notes {
                self.note(n);
            }
            Ok(())
        } else if out.is_empty() {
            Ok(())
        } else {
            self.line(&format!("{out}\n{footer}\n"))
        }
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

    /// Prints what clap answered instead of parsed arguments: help and version on stdout (exit
    /// 0), a usage error on stderr (exit 1), each styled only when its stream may carry colour.
    pub fn clap(&self, e: &clap::Error) -> ExitStatus {
        let styled = e.render();
        let styled = |color: bool| match color {
            true => styled.ansi().to_string(),
            false => styled.to_string(),
        };
        if e.use_stderr() {
            eprint_raw(&styled(self.color_stderr));
            ExitStatus::Error
        } else {
            let _ = self.write(&styled(self.color_stdout));
            ExitStatus::Success
        }
    }
}

#[cfg(test)]
mod tests;
