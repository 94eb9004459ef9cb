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

/// A Partner Center call that fails under `import` (entitlements refused with 403): the top
/// line says what was not done, and each cause — the customer, the read, then the call with its
/// method, path and status — is on its own `caused by:` line, the call exactly once.
#[test]
fn a_failed_call_prints_its_cause_on_its_own_caused_by_line_once() {
    use crate::support::Sandbox;
    use crate::support::world::CONTOSO;
    let sb = Sandbox::start();
    sb.fault(serde_json::json!({
        "method": "GET",
        "path": format!("/v1/customers/{CONTOSO}/entitlements*"),
        "kind": "server_error",
        "status": 403,
    }));
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("imported");
    let run = sb.reservoir(&[
        "import",
        "--customer",
        CONTOSO,
        "--out",
        dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    let lines: Vec<&str> = run.stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("error: "))
        .unwrap_or_else(|| panic!("no error line: {}", run.all()));
    assert_eq!(
        lines[at],
        "error: nothing was written: 1 customer(s) could not be read"
    );
    assert_eq!(
        lines[at + 1..at + 3],
        [
            format!("caused by: customer {CONTOSO}"),
            "caused by: reading entitlements".to_owned()
        ],
        "{}",
        run.all()
    );
    let call = format!("GET /v1/customers/{CONTOSO}/entitlements");
    let naming_the_call: Vec<&&str> = lines.iter().filter(|l| l.contains(&call)).collect();
    assert_eq!(naming_the_call.len(), 1, "{}", run.all());
    assert!(
        naming_the_call[0].starts_with(&format!("caused by: {call}")),
        "{}",
        run.all()
    );
    assert!(naming_the_call[0].contains("HTTP 403"), "{}", run.all());
    assert!(!dir.exists(), "nothing was written");
}
