//! No command panics on a closed pipe (`reservoir completions zsh | head -1`): every command
//! but `apply` ends quietly, as Unix tools do; `apply` drops the output and finishes its run.

use super::{examples, reservoir};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

/// The signal a write to a closed pipe raises (13 on every Unix).
const SIGPIPE: i32 = 13;

/// Runs with stdout a pipe whose reading end is already closed; stderr captured.
fn with_closed_stdout(cmd: &mut Command) -> (std::process::ExitStatus, String) {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = cmd
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("runs");
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn commands_end_quietly_when_stdout_is_closed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: Vec<Vec<String>> = vec![
        vec!["completions".into(), "zsh".into()],
        vec!["schema".into()],
        vec!["--help".into()],
        vec!["validate".into(), examples().display().to_string()],
        vec!["plan".into(), examples().display().to_string()],
        vec!["orders".into()],
    ];
    for args in cases {
        let (status, stderr) = with_closed_stdout(reservoir(dir.path()).args(&args));
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(status.code(), Some(101), "{args:?}: {stderr}");
        // Ended by SIGPIPE like `cat`, or (output small enough to never write) normally.
        assert!(
            status.signal() == Some(SIGPIPE) || status.code().is_some(),
            "{args:?}: {status:?} {stderr}"
        );
        assert!(
            stderr.is_empty() || !stderr.contains("error: "),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn apply_finishes_its_purchases_when_stdout_and_stderr_are_closed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (r1, w1) = std::io::pipe().expect("pipe");
    let (r2, w2) = std::io::pipe().expect("pipe");
    drop((r1, r2));
    let status = reservoir(dir.path())
        .arg("apply")
        .arg(examples().join("contoso.yaml"))
        .arg("--auto-approve")
        .stdout(w1)
        .stderr(w2)
        .status()
        .expect("runs");
    assert_eq!(status.code(), Some(0), "{status:?}");
    // It bought: the plan is now empty.
    let out = reservoir(dir.path())
        .arg("plan")
        .arg(examples().join("contoso.yaml"))
        .arg("--detailed-exitcode")
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
