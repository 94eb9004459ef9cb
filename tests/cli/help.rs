//! Help: one layout for every command, global options under their own heading, and only those
//! a command uses.

use super::{reservoir, run};

fn help(args: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(reservoir(dir.path()).args(args).arg("--help"));
    assert_eq!(out.code, Some(0), "{}", out.all());
    out.stdout
}

#[test]
fn commands_that_never_connect_do_not_show_connection_options() {
    for cmd in [&["schema"][..], &["completions"], &["validate"], &["show"]] {
        let h = help(cmd);
        for flag in [
            "--endpoint",
            "--state-dir",
            "--customer ",
            "--parallelism",
            "--rate-limit",
        ] {
            assert!(!h.contains(flag), "{cmd:?} --help shows {flag}:\n{h}");
        }
        assert!(
            h.contains("Global options:") && h.contains("--quiet"),
            "{h}"
        );
    }
    let h = help(&["plan"]);
    let global = h
        .split("Global options:")
        .nth(1)
        .expect("a global options heading");
    for flag in ["--endpoint", "--state-dir", "--customer", "--parallelism"] {
        assert!(global.contains(flag), "plan --help lacks {flag}:\n{h}");
    }
    assert!(
        !global.contains("--out"),
        "command options come first:\n{h}"
    );
}

#[test]
fn the_views_use_the_same_help_layout_as_the_rest() {
    for cmd in [
        &["plan"][..],
        &["orders"],
        &["orders", "show"],
        &["entitlements"],
        &["invoices", "list"],
        &["reconcile"],
    ] {
        let h = help(cmd);
        // The long layout (a blank line between options) is what `orders` used to have.
        assert!(!h.contains("see a summary with '-h'"), "{cmd:?}:\n{h}");
        assert!(!h.contains("\n\n      --"), "{cmd:?}:\n{h}");
    }
    for cmd in [
        &["orders"][..],
        &["entitlements"],
        &["invoices", "lines"],
        &["reconcile"],
    ] {
        let h = help(cmd);
        assert!(h.contains("--wide"), "{cmd:?}:\n{h}");
        assert!(h.contains("text (aligned tables), json"), "{cmd:?}:\n{h}");
    }
    assert!(help(&["reconcile"]).contains("--strict"));
}
