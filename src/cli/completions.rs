//! `reservoir completions SHELL`: shell completion scripts (clap_complete).

use crate::exit::ExitStatus;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub async fn run(args: CompletionsArgs, g: &Settings) -> anyhow::Result<ExitStatus> {
    // Generated into memory (clap_complete panics when its writer fails), then written out.
    let mut cmd = super::help::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "reservoir", &mut script);
    super::output::Printer::new(g).line(&String::from_utf8_lossy(&script))?;
    Ok(ExitStatus::Success)
}
