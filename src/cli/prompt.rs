//! The confirmation prompt of `apply`: asked on stderr, answered on stdin; only `yes` approves.

use std::io::{BufRead, IsTerminal, Write};

/// Why the run was not approved.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error(
        "apply needs confirmation, but stdin is not a terminal; review the plan and run again \
         with --auto-approve"
    )]
    NotATerminal,
    #[error("cannot read the answer from stdin")]
    Io(#[from] std::io::Error),
}

/// Asks for `yes` on a terminal. `Ok(false)` for any other answer; an error when stdin is not a
/// terminal (a pipeline never approves by accident).
pub fn confirm(question: &str) -> Result<bool, PromptError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(PromptError::NotATerminal);
    }
    let mut err = std::io::stderr().lock();
    write!(
        err,
        "\n{question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    )?;
    err.flush()?;
    drop(err);
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}
