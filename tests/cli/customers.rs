//! `--customer`: comma-separated lists, and the closest name on a typo.

use super::{examples, reservoir, run};

#[test]
fn customer_takes_a_comma_separated_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(reservoir(dir.path())
        .arg("plan")
        .arg(examples())
        .args(["--customer", "contoso,Fabrikam"]));
    assert!(matches!(out.code, Some(0 | 1)), "{}", out.all());
    let customers: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains(" · holdings from "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    assert_eq!(customers, ["contoso", "fabrikam"], "{}", out.all());
}

#[test]
fn a_mistyped_customer_suggests_the_closest_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(reservoir(dir.path())
        .arg("plan")
        .arg(examples())
        .args(["--customer", "contso"]));
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stderr.contains("did you mean \"contoso\"?"),
        "{}",
        out.all()
    );

    // The read-only views resolve names against Partner Center, with the same help.
    let out = run(reservoir(dir.path()).args(["orders", "--customer", "northwnd"]));
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stderr.contains("did you mean \"Northwind\"?"),
        "{}",
        out.all()
    );

    let out = run(reservoir(dir.path()).args(["orders", "--customer", "initech"]));
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(!out.stderr.contains("did you mean"), "{}", out.all());
}
