//! `reservoir orders`.

use super::GlobalArgs;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct OrdersArgs {}

pub async fn run(_args: OrdersArgs, _g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`reservoir orders` is not built yet")
}
