//! Settings: the global flags, their environment variables and defaults, resolved once into a
//! [`Settings`] value that knows where each value came from (the command line, the environment
//! or the default). Commands read their settings from here and nowhere else: nothing re-reads
//! the environment or compares a value with its default to guess whether the user set it.
//!
//! `RESERVOIR_LOG=debug` (or `-vv`) logs every setting with its source on stderr; the state URL
//! is shown without its password, and credentials are never settings (they stay in the
//! environment, read only by [`crate::partner_center::Credentials::from_env`]).

mod args;

pub use args::{GlobalArgs, TimeoutError, parse_timeout};

use crate::store::StateLocation;
use clap::parser::ValueSource;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Nobody set it: the built-in default.
    Default,
    /// The environment variable of that name.
    Environment(&'static str),
    /// A flag on the command line.
    CommandLine,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::Environment(var) => write!(f, "environment {var}"),
            Source::CommandLine => f.write_str("command line"),
        }
    }
}

/// A setting whose source is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Setting {
    Endpoint,
    State,
    StateDir,
    Customers,
    Parallelism,
    RateLimit,
    CustomerRateLimit,
    Timeout,
    Quiet,
    Verbose,
    NoColor,
    Log,
    HeartbeatInterval,
    Commit,
}

impl Setting {
    /// The clap id of a global option (`None` for settings that only come from the
    /// environment).
    fn arg_id(self) -> Option<&'static str> {
        Some(match self {
            Setting::Endpoint => "endpoint",
            Setting::State => "state",
            Setting::StateDir => "state_dir",
            Setting::Customers => "customers",
            Setting::Parallelism => "parallelism",
            Setting::RateLimit => "rate_limit",
            Setting::CustomerRateLimit => "customer_rate_limit",
            Setting::Timeout => "timeout",
            Setting::Quiet => "quiet",
            Setting::Verbose => "verbose",
            Setting::NoColor => "no_color",
            Setting::Log | Setting::HeartbeatInterval | Setting::Commit => return None,
        })
    }

    /// The environment variable of the setting, if it has one.
    fn env(self) -> Option<&'static str> {
        Some(match self {
            Setting::Endpoint => "RESERVOIR_ENDPOINT",
            Setting::State => "RESERVOIR_STATE",
            Setting::StateDir => "RESERVOIR_STATE_DIR",
            Setting::RateLimit => "RESERVOIR_RATE_LIMIT",
            Setting::CustomerRateLimit => "RESERVOIR_CUSTOMER_RATE_LIMIT",
            Setting::Timeout => "RESERVOIR_TIMEOUT",
            Setting::NoColor => "NO_COLOR",
            Setting::Log => "RESERVOIR_LOG",
            Setting::HeartbeatInterval => HEARTBEAT_ENV,
            Setting::Commit => "GITHUB_SHA",
            Setting::Customers | Setting::Parallelism | Setting::Quiet | Setting::Verbose => {
                return None;
            }
        })
    }

    /// The name shown in the settings log.
    fn name(self) -> &'static str {
        match self {
            Setting::Endpoint => "endpoint",
            Setting::State => "state",
            Setting::StateDir => "state-dir",
            Setting::Customers => "customer",
            Setting::Parallelism => "parallelism",
            Setting::RateLimit => "rate-limit",
            Setting::CustomerRateLimit => "customer-rate-limit",
            Setting::Timeout => "timeout",
            Setting::Quiet => "quiet",
            Setting::Verbose => "verbose",
            Setting::NoColor => "no-color",
            Setting::Log => "log",
            Setting::HeartbeatInterval => "heartbeat-interval",
            Setting::Commit => "commit",
        }
    }
}

/// The heartbeat interval environment variable (milliseconds; a testing aid, hidden).
pub const HEARTBEAT_ENV: &str = "RESERVOIR_PROGRESS_INTERVAL_MS";
/// The default heartbeat interval.
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(30);

/// Everything a run reads from flags and the environment, resolved once.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `--endpoint`: `sandbox`, `global`, `china` or a URL (checked when connecting).
    pub endpoint: String,
    /// The state store: `--state`, else the state dir.
    pub state: StateLocation,
    /// `--state-dir` (or `--state DIR`): also where the embedded sandbox keeps its world.
    pub state_dir: PathBuf,
    /// `--customer` filters, as given.
    pub customers: Vec<String>,
    pub parallelism: u16,
    /// Partner-wide request budget per minute.
    pub rate_limit: u32,
    /// Per-customer request budget per minute.
    pub customer_rate_limit: u32,
    /// Deadline of each Partner Center request.
    pub timeout: Duration,
    pub quiet: bool,
    pub verbose: u8,
    /// Colour on stdout: a terminal, no `--no-color`, no `NO_COLOR`.
    pub color_stdout: bool,
    /// Colour on stderr.
    pub color_stderr: bool,
    /// Whether stderr is a terminal (live progress is drawn only there; see
    /// [`crate::cli::output::Printer`]).
    pub stderr_is_terminal: bool,
    /// The tracing filter: `RESERVOIR_LOG` when it parses, else one from `--quiet`/`-v`.
    pub log_filter: String,
    /// How often apply's heartbeat speaks off a terminal.
    pub heartbeat_interval: Duration,
    /// `GITHUB_SHA`, when set: the commit a plan records (else `git rev-parse HEAD`).
    pub commit: Option<String>,
    /// The run's one time source (the real clock; tests of the library inject a
    /// [`crate::time::ManualClock`] where these settings are not used): the client, the store
    /// (journal, locks, caches) and apply all take it from here.
    pub clock: std::sync::Arc<dyn crate::time::Clock>,
    sources: BTreeMap<Setting, Source>,
}

/// What [`Settings::resolve`] reads besides the parsed flags: the environment and whether
/// stdout and stderr are terminals (injected, so resolution is testable).
pub struct Environment<'a> {
    pub var: &'a dyn Fn(&str) -> Option<String>,
    pub stdout_is_terminal: bool,
    pub stderr_is_terminal: bool,
}

impl Environment<'static> {
    /// The process's environment and terminals.
    #[allow(clippy::disallowed_methods)] // asks whether stdout is a terminal; writes nothing
    pub fn process() -> Self {
        use std::io::IsTerminal;
        Environment {
            var: &|k| std::env::var(k).ok(),
            stdout_is_terminal: std::io::stdout().is_terminal(),
            stderr_is_terminal: std::io::stderr().is_terminal(),
        }
    }
}

impl Environment<'_> {
    /// Whether stdout and stderr may carry colour: each a terminal, and neither `--no-color`
    /// (`no_color_flag`) nor a non-empty `NO_COLOR`.
    pub fn colors(&self, no_color_flag: bool) -> (bool, bool) {
        let no_color = no_color_flag || (self.var)("NO_COLOR").is_some_and(|v| !v.is_empty());
        (
            !no_color && self.stdout_is_terminal,
            !no_color && self.stderr_is_terminal,
        )
    }
}

impl Settings {
    /// Resolves the parsed global options; `matches` (the root's) tells where each came from.
    pub fn resolve(args: GlobalArgs, matches: &clap::ArgMatches, env: &Environment) -> Settings {
        let mut sources = BTreeMap::new();
        for setting in [
            Setting::Endpoint,
            Setting::State,
            Setting::StateDir,
            Setting::Customers,
            Setting::Parallelism,
            Setting::RateLimit,
            Setting::CustomerRateLimit,
            Setting::Timeout,
            Setting::Quiet,
            Setting::Verbose,
            Setting::NoColor,
        ] {
            let id = setting.arg_id().unwrap_or_default();
            let source = match matches.value_source(id) {
                Some(ValueSource::CommandLine) => Source::CommandLine,
                Some(ValueSource::EnvVariable) => setting
                    .env()
                    .map_or(Source::CommandLine, Source::Environment),
                _ => Source::Default,
            };
            sources.insert(setting, source);
        }
        let var = |k: &str| (env.var)(k).filter(|v| !v.trim().is_empty());

        // `--state DIR` is `--state-dir DIR`.
        let given_state = args.state.as_deref().filter(|s| !s.trim().is_empty());
        let (state, state_dir) = match given_state.map(StateLocation::parse) {
            Some(StateLocation::Dir(dir)) => {
                sources.insert(Setting::StateDir, sources[&Setting::State]);
                (StateLocation::Dir(dir.clone()), dir)
            }
            Some(url) => (url, args.state_dir),
            None => {
                sources.insert(Setting::State, sources[&Setting::StateDir]);
                (StateLocation::Dir(args.state_dir.clone()), args.state_dir)
            }
        };

        // `NO_COLOR` set to anything non-empty turns colour off, like `--no-color`.
        let no_color_env = (env.var)("NO_COLOR").is_some_and(|v| !v.is_empty());
        if no_color_env && !args.no_color {
            sources.insert(Setting::NoColor, Source::Environment("NO_COLOR"));
        }
        let (color_stdout, color_stderr) = env.colors(args.no_color);

        let default_filter = if args.quiet {
            "error"
        } else {
            match args.verbose {
                0 => "warn",
                1 => "info,reservoir=debug",
                _ => "debug,reservoir=trace",
            }
        };
        let (log_filter, log_source) = match var("RESERVOIR_LOG")
            .filter(|f| tracing_subscriber::EnvFilter::try_new(f).is_ok())
        {
            Some(f) => (f, Source::Environment("RESERVOIR_LOG")),
            None => (default_filter.to_owned(), sources[&Setting::Verbose]),
        };
        sources.insert(Setting::Log, log_source);

        let heartbeat = var(HEARTBEAT_ENV)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis);
        sources.insert(
            Setting::HeartbeatInterval,
            heartbeat.map_or(Source::Default, |_| Source::Environment(HEARTBEAT_ENV)),
        );
        let commit = var("GITHUB_SHA").map(|s| s.trim().to_owned());
        sources.insert(
            Setting::Commit,
            commit
                .as_ref()
                .map_or(Source::Default, |_| Source::Environment("GITHUB_SHA")),
        );

        Settings {
            endpoint: args.endpoint,
            state,
            state_dir,
            customers: args.customers,
            parallelism: args.parallelism,
            rate_limit: args.rate_limit,
            customer_rate_limit: args.customer_rate_limit,
            timeout: args.timeout,
            quiet: args.quiet,
            verbose: args.verbose,
            color_stdout,
            color_stderr,
            stderr_is_terminal: env.stderr_is_terminal,
            log_filter,
            heartbeat_interval: heartbeat.unwrap_or(DEFAULT_HEARTBEAT),
            commit,
            clock: crate::time::system(),
            sources,
        }
    }

    /// Where `setting` came from.
    pub fn source(&self, setting: Setting) -> Source {
        self.sources
            .get(&setting)
            .copied()
            .unwrap_or(Source::Default)
    }

    /// True when nobody set `setting` (flag or environment).
    pub fn is_default(&self, setting: Setting) -> bool {
        self.source(setting) == Source::Default
    }

    /// True when `--endpoint` names the embedded sandbox (false when it does not parse:
    /// connecting reports that).
    pub fn is_embedded_sandbox(&self) -> bool {
        matches!(
            crate::partner_center::EndpointSpec::parse(&self.endpoint),
            Ok(crate::partner_center::EndpointSpec::Sandbox)
        )
    }

    /// Each setting's value as shown to people (the state URL without its password), with
    /// its source.
    pub fn described(&self) -> Vec<(&'static str, String, Source)> {
        let value = |s: Setting| match s {
            Setting::Endpoint => self.endpoint.clone(),
            Setting::State => self.state.display(),
            Setting::StateDir => self.state_dir.display().to_string(),
            Setting::Customers => match self.customers.is_empty() {
                true => "(all)".to_owned(),
                false => self.customers.join(", "),
            },
            Setting::Parallelism => self.parallelism.to_string(),
            Setting::RateLimit => format!("{}/min", self.rate_limit),
            Setting::CustomerRateLimit => format!("{}/min", self.customer_rate_limit),
            Setting::Timeout => humantime::format_duration(self.timeout).to_string(),
            Setting::Quiet => self.quiet.to_string(),
            Setting::Verbose => self.verbose.to_string(),
            Setting::NoColor => (!self.color_stdout && !self.color_stderr).to_string(),
            Setting::Log => self.log_filter.clone(),
            Setting::HeartbeatInterval => {
                humantime::format_duration(self.heartbeat_interval).to_string()
            }
            Setting::Commit => self.commit.clone().unwrap_or_else(|| "(git)".to_owned()),
        };
        self.sources
            .keys()
            .map(|&s| (s.name(), value(s), self.source(s)))
            .collect()
    }

    /// Logs every setting with its source (at debug level: `RESERVOIR_LOG=debug` or `-vv`).
    pub fn log(&self) {
        for (name, value, source) in self.described() {
            tracing::debug!(target: "reservoir::settings", "setting {name} = {value} ({source})");
        }
    }
}

#[cfg(test)]
mod tests;
