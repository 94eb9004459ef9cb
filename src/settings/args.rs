//! The global options as clap parses them: each flag with its environment variable and default.
//! [`super::Settings::resolve`] turns them (and where each value came from) into the settings a
//! run uses; nothing else reads these.

/// Options every command accepts (each command's help shows only those it uses, see
/// [`crate::cli::help::command`]).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Partner Center endpoint: `sandbox` (embedded simulator), `global`, `china`, or a URL.
    #[arg(
        long,
        global = true,
        env = "RESERVOIR_ENDPOINT",
        default_value = "sandbox"
    )]
    pub endpoint: String,
    /// Where the journal, locks and caches live: a directory, or a `postgres://` URL shared by
    /// every runner (credentials in the URL; `sslmode=require` for Azure). Default: the state dir.
    #[arg(
        long,
        global = true,
        env = "RESERVOIR_STATE",
        hide_env_values = true,
        value_name = "DIR|URL"
    )]
    pub state: Option<String>,
    /// Directory for the journal, locks and caches (same as `--state DIR`), and always for the
    /// embedded sandbox's world.
    #[arg(
        long,
        global = true,
        env = "RESERVOIR_STATE_DIR",
        default_value = ".reservoir"
    )]
    pub state_dir: std::path::PathBuf,
    /// Only these customers (id or name): comma-separated, or repeat the option. A name that
    /// itself holds a comma ("Contoso, Ltd.") is matched whole first.
    #[arg(long = "customer", global = true, value_name = "ID|NAME")]
    pub customers: Vec<String>,
    /// Customers worked on at once.
    #[arg(long, global = true, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallelism: u16,
    /// Partner-wide request budget per minute (Partner Center publishes 500).
    #[arg(
        long,
        global = true,
        env = "RESERVOIR_RATE_LIMIT",
        default_value_t = 500
    )]
    pub rate_limit: u32,
    /// Per-customer request budget per minute.
    #[arg(
        long,
        global = true,
        env = "RESERVOIR_CUSTOMER_RATE_LIMIT",
        default_value_t = 100
    )]
    pub customer_rate_limit: u32,
    /// Deadline for each Partner Center request: connecting, the answer and its whole body
    /// (e.g. `30s`, `2m`).
    #[arg(
        long,
        global = true,
        env = "RESERVOIR_TIMEOUT",
        default_value = "60s",
        value_name = "DURATION",
        value_parser = parse_timeout
    )]
    pub timeout: std::time::Duration,
    /// Print only the requested output and errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More logging on stderr (repeat for more).
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Never colour output (also honoured: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    pub no_color: bool,
}

/// Parses `--timeout` / `RESERVOIR_TIMEOUT` (`60s`, `2m`, `1m 30s`): between 1 s and 1 h.
pub fn parse_timeout(raw: &str) -> Result<std::time::Duration, TimeoutError> {
    let d = humantime::parse_duration(raw.trim()).map_err(|source| TimeoutError::Invalid {
        raw: raw.to_owned(),
        source,
    })?;
    if d < std::time::Duration::from_secs(1) || d > std::time::Duration::from_secs(3600) {
        return Err(TimeoutError::OutOfRange(raw.to_owned()));
    }
    Ok(d)
}

/// Why a `--timeout` value is refused. clap prints only the message, so the parser's own
/// reason is part of it as well as the [`std::error::Error::source`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TimeoutError {
    #[error("{raw:?} is not a duration like 60s or 2m ({source})")]
    Invalid {
        raw: String,
        #[source]
        source: humantime::DurationError,
    },
    #[error("{0:?} is outside 1s..1h")]
    OutOfRange(String),
}

#[cfg(test)]
mod tests {
    use super::parse_timeout;
    use std::time::Duration;

    #[test]
    fn timeouts_parse_as_durations_within_bounds() {
        assert_eq!(parse_timeout("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_timeout("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_timeout(" 1m 30s "), Ok(Duration::from_secs(90)));
        for bad in ["", "soon", "0s", "500ms", "2h", "-1s"] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
    }
}
