//! The command line itself, driven through the real binary: closed pipes, help layout and the
//! options each command shows, `--customer` lists and suggestions.

mod catalog_search;
mod customers;
mod errors;
mod help;
#[cfg(unix)]
mod pipes;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's `examples/` folder.
pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// The binary with a clean environment, its state (and the embedded sandbox's world) in `state`.
pub fn reservoir(state: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_reservoir"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PARTNER_CENTER_") || k.starts_with("RESERVOIR_") || k == "NO_COLOR" {
            cmd.env_remove(k);
        }
    }
    cmd.arg("--state-dir").arg(state).arg("--no-color");
    cmd
}

/// What a finished run gave.
pub struct Out {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn all(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

pub fn run(cmd: &mut Command) -> Out {
    let out = cmd.output().expect("runs");
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
