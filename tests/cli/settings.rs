//! The settings are resolved once, each with where it came from, and `RESERVOIR_LOG=debug`
//! shows them on stderr, without the state store's password and without touching stdout.

use super::{examples, reservoir, run};

#[test]
fn debug_logging_shows_each_setting_with_its_source_and_no_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    let quiet = run(reservoir(dir.path())
        .arg("validate")
        .arg(examples().join("contoso.yaml")));
    let out = run(reservoir(dir.path())
        .env("RESERVOIR_LOG", "reservoir::settings=debug")
        .env("RESERVOIR_RATE_LIMIT", "900")
        .args(["--parallelism", "3"])
        .arg("validate")
        .args(["--state", "postgres://ci:hunter2@127.0.0.1:1/reservoir"])
        .arg(examples().join("contoso.yaml")));
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert_eq!(out.stdout, quiet.stdout, "settings never reach stdout");
    for line in [
        "setting endpoint = sandbox (default)",
        "setting parallelism = 3 (command line)",
        "setting rate-limit = 900/min (environment RESERVOIR_RATE_LIMIT)",
        "setting customer-rate-limit = 100/min (default)",
        "setting no-color = true (command line)",
        "setting log = reservoir::settings=debug (environment RESERVOIR_LOG)",
    ] {
        assert!(out.stderr.contains(line), "{line}: {}", out.all());
    }
    assert!(
        out.stderr.contains("setting state = postgres://ci:"),
        "{}",
        out.all()
    );
    assert!(!out.stderr.contains("hunter2"), "{}", out.all());
    assert!(
        !quiet.stderr.contains("setting "),
        "silent without RESERVOIR_LOG: {}",
        quiet.all()
    );
}
