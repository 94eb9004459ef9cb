//! `reservoir sandbox`.

use super::GlobalArgs;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum SandboxCommand {
    /// Serve the simulator in the foreground; prints one JSON line with endpoint and credentials.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// World file to load (and save back); the demo world when absent.
    #[arg(long)]
    pub world: Option<std::path::PathBuf>,
}

pub async fn run(_args: SandboxCommand, _g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`reservoir sandbox` is not built yet")
}
