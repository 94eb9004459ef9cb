//! `reservoir import`: writes one manifest per customer declaring exactly what it holds now
//! (see [`crate::adopt::import`]). Read-only against Partner Center: customers are selected, then
//! only a read-only `Reader` is kept. Prints the files written on stdout.

use super::setup;
use crate::adopt::{DEFAULT_SCHEMA, import, read};
use crate::catalog::Catalog;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use crate::views::customers;
use futures::StreamExt;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Folder the manifests are written to (created if missing), one file per customer.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: std::path::PathBuf,
    /// Overwrite manifests that already exist.
    #[arg(long)]
    pub force: bool,
    /// The `$schema` the yaml-language-server modeline points at (a path relative to the
    /// written file, or a URL).
    #[arg(long, value_name = "PATH|URL", default_value = DEFAULT_SCHEMA)]
    pub schema: String,
}

pub async fn run(args: ImportArgs, g: &Settings) -> anyhow::Result<ExitStatus> {
    let conn = setup::connect(g).await?.read_only();
    let selected = customers::select(&conn.reader, &g.customers).await;
    // Only a read-only `Reader` survives: import cannot write to Partner Center.
    let selected = match selected {
        Ok(s) => s,
        Err(e) => {
            conn.close().await;
            return Err(e.into());
        }
    };
    let catalog = Catalog::new(conn.reader.clone());
    let jobs: Vec<_> = selected
        .iter()
        .map(|c| read::customer(&conn.reader, &catalog, &g.state_dir, &c.id))
        .collect();
    let results: Vec<_> = futures::stream::iter(jobs)
        .buffer_unordered(usize::from(g.parallelism))
        .collect()
        .await;
    drop(catalog);
    conn.close().await;
    let mut observed = Vec::new();
    let mut failures = Vec::new();
    for r in results {
        match r {
            Ok(o) => observed.push(o),
            Err(e) => failures.push(e),
        }
    }
    // One customer's error is printed with its causes on `caused by:` lines; several, one line
    // each (causes joined).
    if failures.len() == 1
        && let Some(e) = failures.pop()
    {
        return Err(
            anyhow::Error::new(e).context("nothing was written: 1 customer(s) could not be read")
        );
    }
    if !failures.is_empty() {
        let mut lines: Vec<String> = failures
            .iter()
            .map(|e| crate::error_chain::one_line(e))
            .collect();
        lines.sort();
        anyhow::bail!(
            "nothing was written: {} customer(s) could not be read:\n  {}",
            lines.len(),
            lines.join("\n  ")
        );
    }
    let manifests = import::manifests(&observed, &args.schema, g.clock.wall());
    let paths = import::write(&args.out, &manifests, args.force)?;
    let out = super::output::Printer::new(g);
    let listing: String = paths.iter().map(|p| format!("{}\n", p.display())).collect();
    out.write(&listing)?;
    let items: usize = manifests.iter().map(|m| m.items).sum();
    let skipped: usize = manifests.iter().map(|m| m.not_declared).sum();
    out.note(&format!(
        "imported {} customer(s) into {}: {items} item(s) declared, {skipped} holding(s) \
         not declared (listed in the files' comments)",
        manifests.len(),
        args.out.display()
    ));
    Ok(ExitStatus::Success)
}
