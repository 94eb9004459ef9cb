//! `reservoir completions SHELL`: shell completion scripts (clap_complete).

use super::GlobalArgs;
use clap::CommandFactory;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub async fn run(args: CompletionsArgs, _g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let mut cmd = super::Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "reservoir", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}
