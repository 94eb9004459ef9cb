//! `reservoir entitlements`.

use super::GlobalArgs;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct EntitlementsArgs {}

pub async fn run(_args: EntitlementsArgs, _g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`reservoir entitlements` is not built yet")
}
