//! `reservoir reconcile`: matches one-time invoice charges with the orders reservoir placed
//! (journal in the state dir, plus `apply --receipt` files). Exit 2 when anything does not match.

use super::GlobalArgs;
use super::orders::print;
use super::settings::connect;
use crate::views::reconcile::{self, Period};
use crate::views::{ViewFormat, customers, parse_since, placed, render};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("period").required(true).args(["invoice", "since"])))]
pub struct ReconcileArgs {
    /// Reconcile this invoice's one-time line items.
    #[arg(long, value_name = "ID")]
    pub invoice: Option<String>,
    /// Reconcile every one-time charge for orders from this date on (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// `apply --receipt` files: a directory of *.json receipts, or one file. The journal in the
    /// state dir is always read.
    #[arg(long, value_name = "DIR")]
    pub receipts: Option<PathBuf>,
    /// Line items read per request (at most 2000).
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=2000))]
    pub page_size: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ViewFormat::Text)]
    pub format: ViewFormat,
}

pub async fn run(args: ReconcileArgs, g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let store = super::settings::open_store(g, false).await?;
    let mut sources = placed::from_journal(&store.journal).await?;
    if let Some(r) = &args.receipts {
        sources.extend(placed::from_receipts(r)?);
    }
    let placed = placed::merge(sources);
    let period = match (&args.invoice, args.since) {
        (Some(id), _) => Period::Invoice(id.clone()),
        (None, Some(d)) => Period::Since(d),
        (None, None) => anyhow::bail!("give --invoice ID or --since DATE"),
    };
    let conn = connect(g).await?;
    let result = async {
        let selected = if g.customers.is_empty() {
            Vec::new()
        } else {
            customers::select(&conn.client, &g.customers).await?
        };
        reconcile::run(&conn.client, &period, &selected, placed, args.page_size).await
    }
    .await;
    conn.close().await;
    let report = result?;
    let table = reconcile::table(&report.rows);
    print(&render(
        args.format,
        &report,
        &[("", table)],
        &[reconcile::summary(&report)],
    ))?;
    Ok(if report.all_match() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_CHANGES)
    })
}
