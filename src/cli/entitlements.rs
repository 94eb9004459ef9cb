//! `reservoir entitlements`: what each customer owns and when it expires. Read-only.
//! `--expiring-within` exits 2 when anything expires within the window (for CI alerts).

use super::setup::connect;
use super::view_output::ViewOutput;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use crate::views::customers;
use crate::views::entitlements::{self, EntitlementTypeFilter, parse_window};

#[derive(Debug, clap::Args)]
pub struct EntitlementsArgs {
    /// Only this kind of entitlement.
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub kind: Option<EntitlementTypeFilter>,
    /// Only entitlements expiring within this window (e.g. 90d, 12w, 1y; expired ones
    /// included); exit code 2 when any are found.
    #[arg(long, value_name = "DURATION", value_parser = parse_window)]
    pub expiring_within: Option<chrono::Duration>,
    #[command(flatten)]
    pub output: ViewOutput,
}

pub async fn run(args: EntitlementsArgs, g: &Settings) -> anyhow::Result<ExitStatus> {
    let conn = connect(g).await?.read_only();
    let provenance = conn.provenance.clone();
    let result = async {
        let selected = customers::select(&conn.reader, &g.customers).await?;
        entitlements::list(
            &conn.reader,
            &selected,
            args.kind,
            args.expiring_within,
            g.clock.wall(),
            usize::from(g.parallelism),
        )
        .await
    }
    .await;
    conn.close().await;
    let report = result?;
    let table = entitlements::table(&report.entitlements, args.output.is_text());
    let mut notes = Vec::new();
    if let Some(cut) = &report.expiring_before {
        notes.push(format!(
            "{} entitlement(s) expire on or before {}",
            report.entitlements.len(),
            cut.format("%Y-%m-%d")
        ));
    }
    args.output
        .print(g, &report, table, &notes, &provenance.line())?;
    if args.expiring_within.is_some() && !report.entitlements.is_empty() {
        return Ok(ExitStatus::Changes);
    }
    Ok(ExitStatus::Success)
}
