//! The command line itself, driven through the real binary: closed pipes, help layout and the
//! options each command shows, `--customer` lists and suggestions, what goes to stdout and what
//! to stderr (help, usage errors, `--quiet`, machine formats).

mod catalog_search;
mod customers;
mod errors;
mod help;
mod machine_output;
#[cfg(unix)]
mod pipes;
mod settings;
mod streams;

use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) use crate::support::{Run, run};

/// The repository's `examples/` folder.
pub(crate) fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// The binary with a clean environment, its state (and the embedded sandbox's world) in `state`.
pub(crate) fn reservoir(state: &Path) -> Command {
    let mut cmd = crate::support::reservoir();
    cmd.arg("--state-dir").arg(state).arg("--no-color");
    cmd
}
