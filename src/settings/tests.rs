//! Resolution of the settings and their sources, from a parsed command line and an injected
//! environment.

use super::{Environment, Setting, Settings, Source};
use crate::store::StateLocation;
use clap::FromArgMatches;
use std::time::Duration;

fn resolve(argv: &[&str], env: &[(&str, &str)]) -> Settings {
    let m = crate::cli::help::command()
        .try_get_matches_from(argv)
        .expect("parses");
    let cli = crate::cli::Cli::from_arg_matches(&m).expect("parses");
    let lookup = |k: &str| {
        env.iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| (*v).to_owned())
    };
    Settings::resolve(
        cli.global,
        &m,
        &Environment {
            var: &lookup,
            stdout_is_terminal: true,
            stderr_is_terminal: true,
        },
    )
}

#[test]
fn a_value_nobody_set_is_a_default_even_when_it_equals_one_given() {
    let defaults = resolve(&["reservoir", "validate"], &[]);
    assert_eq!(defaults.rate_limit, 500);
    assert!(defaults.is_default(Setting::RateLimit));
    assert!(defaults.is_default(Setting::Endpoint));

    // The default value, given on the command line after the subcommand: set, not default.
    let given = resolve(&["reservoir", "validate", "--rate-limit", "500"], &[]);
    assert_eq!(given.rate_limit, 500);
    assert_eq!(given.source(Setting::RateLimit), Source::CommandLine);
    assert!(given.is_default(Setting::CustomerRateLimit));
}

#[test]
fn state_dir_given_as_state_takes_the_flags_source_and_a_url_keeps_the_dir() {
    let dir = resolve(&["reservoir", "--state", "elsewhere", "validate"], &[]);
    assert!(matches!(&dir.state, StateLocation::Dir(d) if d.as_os_str() == "elsewhere"));
    assert_eq!(dir.state_dir.as_os_str(), "elsewhere");
    assert_eq!(dir.source(Setting::StateDir), Source::CommandLine);

    let url = resolve(
        &["reservoir", "validate", "--state", "postgres://u:pw@db/x"],
        &[],
    );
    assert!(matches!(url.state, StateLocation::Postgres(_)));
    assert_eq!(url.state_dir.as_os_str(), ".reservoir");
    assert!(url.is_default(Setting::StateDir));

    let plain = resolve(&["reservoir", "validate"], &[]);
    assert!(matches!(&plain.state, StateLocation::Dir(d) if d.as_os_str() == ".reservoir"));
    assert!(plain.is_default(Setting::State));
}

#[test]
fn no_color_comes_from_the_flag_or_a_non_empty_environment_variable() {
    let on = resolve(&["reservoir", "validate"], &[]);
    assert!(on.color_stdout && on.color_stderr);
    let flag = resolve(&["reservoir", "validate", "--no-color"], &[]);
    assert!(!flag.color_stdout && !flag.color_stderr);
    assert_eq!(flag.source(Setting::NoColor), Source::CommandLine);
    let env = resolve(&["reservoir", "validate"], &[("NO_COLOR", "1")]);
    assert!(!env.color_stdout && !env.color_stderr);
    assert_eq!(
        env.source(Setting::NoColor),
        Source::Environment("NO_COLOR")
    );
    let empty = resolve(&["reservoir", "validate"], &[("NO_COLOR", "")]);
    assert!(empty.color_stdout);
}

#[test]
fn environment_only_settings_are_read_once_with_their_sources() {
    let s = resolve(
        &["reservoir", "-v", "validate"],
        &[
            ("RESERVOIR_PROGRESS_INTERVAL_MS", "250"),
            ("GITHUB_SHA", " abc123 "),
        ],
    );
    assert_eq!(s.heartbeat_interval, Duration::from_millis(250));
    assert_eq!(s.commit.as_deref(), Some("abc123"));
    assert_eq!(s.log_filter, "info,reservoir=debug");
    assert_eq!(s.source(Setting::Log), Source::CommandLine);

    let d = resolve(
        &["reservoir", "validate"],
        &[
            ("RESERVOIR_PROGRESS_INTERVAL_MS", "0"),
            ("RESERVOIR_LOG", "debug"),
        ],
    );
    assert_eq!(d.heartbeat_interval, super::DEFAULT_HEARTBEAT);
    assert!(d.is_default(Setting::HeartbeatInterval));
    assert_eq!(d.commit, None);
    assert_eq!(d.log_filter, "debug");
    assert_eq!(d.source(Setting::Log), Source::Environment("RESERVOIR_LOG"));
}

#[test]
fn the_described_settings_never_show_the_state_password() {
    let s = resolve(
        &[
            "reservoir",
            "validate",
            "--state",
            "postgres://u:hunter2@db/x",
        ],
        &[],
    );
    let all = format!("{:?}", s.described());
    assert!(!all.contains("hunter2"), "{all}");
    assert!(all.contains("state"), "{all}");
}
