//! `reservoir plan`.

use super::GlobalArgs;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Manifest files or folders (recursive *.yaml / *.yml).
    #[arg(default_value = ".")]
    pub paths: Vec<std::path::PathBuf>,
    /// Save the plan (JSON, with fingerprints and an expiry) for `apply --plan`.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::render::Format,
    /// Exit 2 when the plan has changes, 0 when it has none, 1 on errors.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// How long a saved plan stays valid (e.g. 4h, 30m).
    #[arg(long, default_value = "4h")]
    pub plan_ttl: String,
}

pub async fn run(_args: PlanArgs, _g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`reservoir plan` is not built yet")
}
