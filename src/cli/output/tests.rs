//! The Printer's decisions, from settings resolved with injected terminals and environment.

use super::{OutputFormat, Printer};
use crate::settings::{Environment, Settings};
use clap::FromArgMatches;

fn printer(argv: &[&str], stdout_tty: bool, stderr_tty: bool) -> Printer {
    let m = crate::cli::help::command()
        .try_get_matches_from(argv)
        .expect("parses");
    let cli = crate::cli::Cli::from_arg_matches(&m).expect("parses");
    let g = Settings::resolve(
        cli.global,
        &m,
        &Environment {
            var: &|_| None,
            stdout_is_terminal: stdout_tty,
            stderr_is_terminal: stderr_tty,
        },
    );
    Printer::new(&g)
}

#[test]
fn live_progress_only_on_a_terminal_without_quiet_and_not_in_a_machine_format() {
    let tty = printer(&["reservoir", "plan"], true, true);
    assert!(tty.live_progress() && !tty.heartbeat());
    assert!(
        tty.with_format(OutputFormat::Markdown).live_progress(),
        "markdown is for people"
    );
    let json = tty.with_format(crate::render::Format::Json);
    assert!(!json.live_progress() && json.heartbeat());
    let quiet = printer(&["reservoir", "plan", "--quiet"], true, true);
    assert!(!quiet.live_progress() && !quiet.heartbeat());
    let piped = printer(&["reservoir", "plan"], true, false);
    assert!(!piped.live_progress() && piped.heartbeat());
}

#[test]
fn colour_on_stdout_only_for_text_on_a_terminal() {
    let tty = printer(&["reservoir", "plan"], true, false);
    assert!(tty.color() && !tty.color_stderr());
    assert!(!tty.with_format(crate::views::ViewFormat::Json).color());
    assert!(!tty.with_format(OutputFormat::Markdown).color());
    assert!(!printer(&["reservoir", "plan", "--no-color"], true, true).color());
    assert!(!printer(&["reservoir", "plan"], false, true).color());
}

fn terminals(var: &dyn Fn(&str) -> Option<String>) -> Environment<'_> {
    Environment {
        var,
        stdout_is_terminal: true,
        stderr_is_terminal: true,
    }
}

#[test]
fn before_settings_the_no_color_flag_and_variable_turn_colour_off() {
    let unset = |_: &str| None;
    assert!(Printer::before_settings(&terminals(&unset), false).color());
    assert!(!Printer::before_settings(&terminals(&unset), true).color());
    let set = |k: &str| (k == "NO_COLOR").then(|| "1".to_owned());
    let p = Printer::before_settings(&terminals(&set), false);
    assert!(!p.color() && !p.color_stderr());
}
