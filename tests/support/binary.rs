//! The real `reservoir` binary with a clean environment, and what a run of it gave.

use serde_json::Value;
use std::process::Command;

/// The binary with no `PARTNER_CENTER_*`, `RESERVOIR_*` or `NO_COLOR` from the test's own
/// environment, so that a developer's settings never leak into a test.
pub(crate) fn reservoir() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_reservoir"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PARTNER_CENTER_") || k.starts_with("RESERVOIR_") || k == "NO_COLOR" {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// What a finished run of the binary gave.
pub(crate) struct Run {
    /// The exit code; `None` when a signal ended the process.
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// The row of a declared item in a JSON plan (panics with the plan when there is none).
pub(crate) fn row<'a>(plan: &'a Value, item: &str) -> &'a Value {
    plan["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["item"] == item))
        .unwrap_or_else(|| panic!("no row for {item} in {plan:#}"))
}

impl Run {
    /// Both streams, labelled, for assertion messages.
    pub(crate) fn all(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }

    /// Standard output parsed as one JSON document (panics with both streams if it is not).
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {:?}\n{}", self.code, self.all())
    }
}

/// `text` with every run of whitespace as one space: what a reader sees of text output whose
/// lines wrap at 120 columns.
pub(crate) fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs `cmd` to the end and collects its exit code and output.
pub(crate) fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("the binary runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
