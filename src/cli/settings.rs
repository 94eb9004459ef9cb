//! Settings resolved once from flags and the environment: logging, colour, and (later) the
//! connection to Partner Center or the embedded sandbox.

use super::GlobalArgs;

/// Sets up tracing on stderr. Quiet by default when stderr is not a terminal.
pub fn init_logging(g: &GlobalArgs) {
    use std::io::IsTerminal;
    let default = if g.quiet {
        "error"
    } else {
        match g.verbose {
            0 if std::io::stderr().is_terminal() => "warn",
            0 => "warn",
            1 => "info,reservoir=debug",
            _ => "debug,reservoir=trace",
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("RESERVOIR_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(use_color_stderr(g))
        .try_init();
}

/// Whether stdout output may carry colour: a terminal, no `--no-color`, no `NO_COLOR`.
pub fn use_color_stdout(g: &GlobalArgs) -> bool {
    use std::io::IsTerminal;
    !g.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal()
}

/// Whether stderr output may carry colour.
pub fn use_color_stderr(g: &GlobalArgs) -> bool {
    use std::io::IsTerminal;
    !g.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stderr().is_terminal()
}
