//! A failed command prints its error once, at the top: `error:`, one `caused by:` line per
//! cause in the chain, and at most one `hint:` (issue 10 item 6).

use super::{examples, reservoir, run};

#[test]
fn an_error_prints_its_chain_and_one_hint() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A state dir under a file: the embedded sandbox cannot keep its world there.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").expect("write");
    let out = run(reservoir(&file.join("state"))
        .arg("plan")
        .arg(examples().join("contoso.yaml")));
    assert_eq!(out.code, Some(1), "{}", out.all());
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(
        lines[0].starts_with("error: cannot start the embedded sandbox in "),
        "{}",
        out.all()
    );
    assert!(
        lines[1..].iter().any(|l| l.starts_with("caused by: ")),
        "{}",
        out.all()
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("hint: ")).count(),
        1,
        "{}",
        out.all()
    );
    assert_eq!(lines.last().map(|l| l.starts_with("hint: ")), Some(true));
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("error: ")).count(),
        1,
        "the error is printed once: {}",
        out.all()
    );
}

#[test]
fn a_missing_file_names_it_and_its_cause_on_separate_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(reservoir(dir.path()).arg("show").arg("no-such-plan.json"));
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert_eq!(
        out.stderr.lines().take(2).collect::<Vec<_>>(),
        [
            "error: cannot read plan file no-such-plan.json",
            "caused by: No such file or directory (os error 2)"
        ],
        "{}",
        out.all()
    );
}
