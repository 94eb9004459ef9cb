//! `reservoir validate` and `reservoir schema` through the real binary.

use assert_cmd::Command;
use predicates::prelude::*;

fn reservoir() -> Command {
    let mut cmd = Command::from_std(crate::support::reservoir());
    cmd.env("NO_COLOR", "1");
    cmd
}

#[test]
fn validate_examples_succeeds_with_a_summary() {
    reservoir()
        .args(["validate", "examples"])
        .assert()
        .success()
        .stdout("ok: 9 files valid (5 customers, 6 subscriptions, 15 items)\n")
        .stderr("");
}

#[test]
fn validate_reports_every_error_with_location_and_exits_1() {
    reservoir()
        .args([
            "validate",
            "tests/fixtures/manifests/invalid/not-a-guid.yaml.invalid",
        ])
        .assert()
        .code(1)
        .stdout("invalid: 3 errors in 1 file\n")
        .stderr(predicate::str::contains(
            "customer id \"contoso\" is not a GUID",
        ))
        .stderr(predicate::str::contains(
            "tests/fixtures/manifests/invalid/not-a-guid.yaml.invalid:3:9",
        ))
        .stderr(predicate::str::contains("  - id: contoso"))
        .stderr(predicate::str::contains(
            "help: use the customer's tenant id",
        ));
}

#[test]
fn validate_with_warnings_only_exits_0() {
    reservoir()
        .args(["validate", "tests/fixtures/manifests/warnings"])
        .assert()
        .success()
        .stdout(predicate::str::contains("; 4 warnings"))
        .stderr(predicate::str::contains("declares no reservations"));
}

#[test]
fn validate_defaults_to_the_current_folder_and_skips_dot_folders() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
    std::fs::write(dir.path().join(".github/workflows/ci.yml"), "on: push\n").unwrap();
    std::fs::copy("examples/contoso.yaml", dir.path().join("contoso.yaml")).unwrap();
    reservoir()
        .current_dir(dir.path())
        .arg("validate")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ok: 1 file valid"));
}

#[test]
fn validate_a_missing_path_fails() {
    reservoir()
        .args(["validate", "no/such/folder"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot read \"no/such/folder\""));
}

#[test]
fn schema_prints_the_checked_in_file() {
    let expected = std::fs::read("schemas/manifest.schema.json").unwrap();
    reservoir()
        .arg("schema")
        .assert()
        .success()
        .stdout(predicate::eq(expected));
}
