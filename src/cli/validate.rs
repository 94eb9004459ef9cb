//! `reservoir validate`.

use super::GlobalArgs;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Manifest files or folders (recursive *.yaml / *.yml).
    #[arg(default_value = ".")]
    pub paths: Vec<std::path::PathBuf>,
}

pub async fn run(_args: ValidateArgs, _g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`reservoir validate` is not built yet")
}
