//! `reservoir apply`.

use super::GlobalArgs;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// Manifest files or folders (recursive *.yaml / *.yml).
    #[arg(default_value = ".", conflicts_with = "plan")]
    pub paths: Vec<std::path::PathBuf>,
    /// Apply a plan saved by `plan --out` (refused if expired or stale).
    #[arg(long)]
    pub plan: Option<std::path::PathBuf>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// Refuse to buy more than this many units in this run.
    #[arg(long)]
    pub max_units: Option<u32>,
    /// How long to wait for another apply holding a customer lock (e.g. 60s).
    #[arg(long, default_value = "60s")]
    pub lock_timeout: String,
    /// How long to wait for a subscription registration to complete.
    #[arg(long, default_value = "10m")]
    pub registration_timeout: String,
    /// Write a JSON receipt of what was bought.
    #[arg(long)]
    pub receipt: Option<std::path::PathBuf>,
}

pub async fn run(_args: ApplyArgs, _g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`reservoir apply` is not built yet")
}
