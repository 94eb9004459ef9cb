//! What goes to stdout and what to stderr (issue 10 item 3): clap's help and version are output
//! (stdout, exit 0), a usage error is an error (stderr, exit 1, nothing on stdout), and
//! `--quiet` leaves only the requested output.

use super::{examples, reservoir, run};

/// No ANSI escape: none of these runs writes to a terminal.
fn plain(text: &str) -> bool {
    !text.contains('\x1b')
}

#[test]
fn help_and_version_go_to_stdout_with_exit_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    for args in [&["--help"][..], &["help"], &["-h"]] {
        let out = run(reservoir(dir.path()).args(args));
        assert_eq!(out.code, Some(0), "{args:?}: {}", out.all());
        assert!(
            out.stdout
                .starts_with("Declarative Azure reservations through Partner Center\n"),
            "{args:?}: {}",
            out.all()
        );
        assert!(
            out.stdout.contains("Usage: reservoir [OPTIONS] <COMMAND>"),
            "{}",
            out.all()
        );
        assert!(out.stderr.is_empty() && plain(&out.stdout), "{}", out.all());
    }
    let plan = run(reservoir(dir.path()).args(["plan", "--help"]));
    assert_eq!(plan.code, Some(0), "{}", plan.all());
    assert!(
        plan.stdout
            .contains("Usage: reservoir plan [OPTIONS] [PATHS]..."),
        "{}",
        plan.all()
    );
    assert!(plan.stderr.is_empty(), "{}", plan.all());

    let version = run(reservoir(dir.path()).arg("--version"));
    assert_eq!(version.code, Some(0), "{}", version.all());
    assert_eq!(
        version.stdout,
        format!("reservoir {}\n", env!("CARGO_PKG_VERSION"))
    );
    assert!(version.stderr.is_empty(), "{}", version.all());
}

#[test]
fn a_usage_error_goes_to_stderr_with_exit_1_and_nothing_on_stdout() {
    // Exit 1, not clap's 2: 2 means "found changes" (README, Exit codes).
    let dir = tempfile::tempdir().expect("tempdir");
    let bogus = run(reservoir(dir.path()).args(["plan", "--bogus"]));
    assert_eq!(bogus.code, Some(1), "{}", bogus.all());
    assert!(bogus.stdout.is_empty(), "{}", bogus.all());
    assert!(
        bogus
            .stderr
            .starts_with("error: unexpected argument '--bogus' found\n"),
        "{}",
        bogus.all()
    );
    assert!(
        bogus
            .stderr
            .contains("Usage: reservoir plan [OPTIONS] [PATHS]..."),
        "{}",
        bogus.all()
    );
    assert!(plain(&bogus.stderr), "{}", bogus.all());

    // No command: the help, as an error.
    let none = run(&mut reservoir(dir.path()));
    assert_eq!(none.code, Some(1), "{}", none.all());
    assert!(none.stdout.is_empty(), "{}", none.all());
    assert!(
        none.stderr.contains("Usage: reservoir [OPTIONS] <COMMAND>"),
        "{}",
        none.all()
    );

    // A value clap refuses, and a combination it refuses.
    for args in [
        &["plan", "--format", "yaml"][..],
        &["apply", "--format", "json"],
        &["--timeout", "soon", "validate"],
    ] {
        let out = run(reservoir(dir.path()).args(args));
        assert_eq!(out.code, Some(1), "{args:?}: {}", out.all());
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.all());
        assert!(out.stderr.starts_with("error: "), "{args:?}: {}", out.all());
    }
}

#[test]
fn quiet_leaves_only_the_requested_output_on_stdout_and_nothing_on_stderr() {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifests = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        examples().join("contoso.yaml"),
        manifests.path().join("contoso.yaml"),
    )
    .expect("copy");
    // Each makes a note on stderr without --quiet: a YAML file that is not a manifest is
    // skipped, an empty manifest is a warning. (The --fresh-state deprecation note is shown
    // even with --quiet, on purpose: it asks for a pipeline to change.)
    std::fs::write(
        manifests.path().join("other.yaml"),
        "name: not a manifest\n",
    )
    .expect("write");
    std::fs::write(manifests.path().join("empty.yaml"), "").expect("write");
    let plan = |quiet: bool| {
        let saved = dir.path().join("plan.json");
        let mut cmd = reservoir(dir.path());
        cmd.arg("plan")
            .arg(manifests.path())
            .args(["--detailed-exitcode", "--out"])
            .arg(&saved);
        if quiet {
            cmd.arg("--quiet");
        }
        run(&mut cmd)
    };
    let loud = plan(false);
    assert_eq!(loud.code, Some(2), "the plan has changes: {}", loud.all());
    for note in ["saved the plan to", "skipped", "manifest file is empty"] {
        assert!(loud.stderr.contains(note), "{note}: {}", loud.all());
    }
    let quiet = plan(true);
    assert_eq!(quiet.code, Some(2), "{}", quiet.all());
    assert_eq!(quiet.stderr, "", "{}", quiet.all());
    assert!(
        quiet.stdout.contains("purchase") && quiet.stdout.contains("batch-tier"),
        "the plan is the requested output: {}",
        quiet.all()
    );
    assert_eq!(quiet.stdout, loud.stdout, "--quiet changes only stderr");
}
