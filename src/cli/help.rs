//! The clap command as parsed, shown in help and completed by shells: global options sit under
//! their own heading, and a command's help does not list the global options it ignores
//! (`--endpoint` on `schema`). Hidden options are still accepted, so scripts that pass them
//! everywhere keep working.

use clap::CommandFactory;

/// Global options that only some commands use (by clap id). Options not listed here (`--quiet`,
/// `--verbose`, `--no-color`, and any added later) show everywhere.
const SCOPED: &[&str] = &[
    "endpoint",
    "state_dir",
    "customers",
    "parallelism",
    "rate_limit",
    "customer_rate_limit",
];

const CONNECTION: &[&str] = &["endpoint", "state_dir", "rate_limit", "customer_rate_limit"];

/// Which scoped global options each command uses. A command not listed shows them all.
fn uses(command: &str) -> Option<&'static [&'static str]> {
    Some(match command {
        "validate" | "show" | "schema" | "completions" | "sandbox" => &[],
        "invoices" => CONNECTION,
        "reconcile" => &[
            "endpoint",
            "state_dir",
            "rate_limit",
            "customer_rate_limit",
            "customers",
        ],
        "plan" | "apply" | "orders" | "entitlements" => SCOPED,
        _ => return None,
    })
}

/// The root command, built (so global options are copied into every subcommand), with each
/// command's unused global options hidden, in its nested subcommands too.
pub fn command() -> clap::Command {
    let mut root = super::Cli::command();
    root.build();
    let names: Vec<String> = root
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    for name in names {
        let Some(used) = uses(&name) else { continue };
        root = root.mut_subcommand(&name, |sc| hide_unused(sc, used));
    }
    root
}

fn hide_unused(cmd: clap::Command, used: &'static [&'static str]) -> clap::Command {
    cmd.mut_args(|a| {
        let id = a.get_id().as_str();
        if a.is_global_set() && SCOPED.contains(&id) && !used.contains(&id) {
            a.hide(true)
        } else {
            a
        }
    })
    .mut_subcommands(|sc| hide_unused(sc, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn help(path: &[&str]) -> String {
        let mut cmd = command();
        let mut sc = &mut cmd;
        for p in path {
            sc = sc.find_subcommand_mut(p).expect("subcommand");
        }
        sc.render_long_help().to_string()
    }

    #[test]
    fn every_scoped_id_names_a_global_option() {
        let cmd = command();
        for id in SCOPED {
            let arg = cmd.get_arguments().find(|a| a.get_id() == *id);
            assert!(arg.is_some_and(|a| a.is_global_set()), "{id}");
        }
    }

    #[test]
    fn offline_commands_do_not_show_connection_options() {
        for path in [
            &["schema"][..],
            &["completions"],
            &["validate"],
            &["show"],
            &["sandbox", "serve"],
        ] {
            let h = help(path);
            // An option is listed when a help line starts with it (prose may name it).
            let lists = |flag: &str| {
                h.lines()
                    .any(|l| l.trim_start().starts_with(&format!("{flag} ")))
            };
            for flag in ["--endpoint", "--state-dir", "--parallelism", "--rate-limit"] {
                assert!(!lists(flag), "{path:?} shows {flag}:\n{h}");
            }
            assert!(h.contains("--quiet"), "{path:?}:\n{h}");
        }
        let inv = help(&["invoices", "list"]);
        assert!(
            inv.contains("--endpoint") && !inv.contains("--parallelism"),
            "{inv}"
        );
        let plan = help(&["plan"]);
        for flag in ["--endpoint", "--state-dir", "--customer", "--parallelism"] {
            assert!(plan.contains(flag), "plan lacks {flag}:\n{plan}");
        }
    }
}
