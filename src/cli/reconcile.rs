//! `reservoir reconcile`.

use super::GlobalArgs;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ReconcileArgs {}

pub async fn run(_args: ReconcileArgs, _g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`reservoir reconcile` is not built yet")
}
