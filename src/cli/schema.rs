//! `reservoir schema`: prints the manifest JSON Schema (the bytes of
//! `schemas/manifest.schema.json`).

use super::output::Printer;
use crate::exit::ExitStatus;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {}

pub async fn run(_args: SchemaArgs, g: &Settings) -> anyhow::Result<ExitStatus> {
    Printer::new(g).write(&crate::manifest::schema_json())?;
    Ok(ExitStatus::Success)
}
