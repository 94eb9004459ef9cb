//! `reservoir invoices`.

use super::GlobalArgs;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum InvoicesCommand {
    /// The current account balance.
    Balance,
}

pub async fn run(_args: InvoicesCommand, _g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`reservoir invoices` is not built yet")
}
