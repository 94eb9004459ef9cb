//! `reservoir schema`: prints the manifest JSON Schema (the bytes of
//! `schemas/manifest.schema.json`).

use super::{EXIT_OK, GlobalArgs};
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {}

pub async fn run(_args: SchemaArgs, _g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(crate::manifest::schema_json().as_bytes())?;
    out.flush()?;
    Ok(ExitCode::from(EXIT_OK))
}
