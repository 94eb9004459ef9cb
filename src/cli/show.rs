//! `reservoir show`.

use super::GlobalArgs;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// A plan saved by `plan --out`.
    pub file: std::path::PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::render::Format,
}

pub async fn run(_args: ShowArgs, _g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`reservoir show` is not built yet")
}
