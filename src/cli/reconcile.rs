//! `reservoir reconcile`: matches one-time invoice charges with the orders reservoir placed
//! (journal in the state dir, plus `apply --receipt` files). Exit 2 when anything reservoir
//! placed does not match (a quantity or amount differs, or it is not charged yet); charges for
//! orders reservoir did not place are reported, and fail the run (exit 2) only with `--strict`.

use super::setup::connect;
use super::view_output::ViewOutput;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use crate::views::reconcile::{self, Period};
use crate::views::{customers, parse_since, placed};
use std::path::PathBuf;

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
    /// Also fail (exit 2) on charges for orders reservoir did not place.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub output: ViewOutput,
}

pub async fn run(args: ReconcileArgs, g: &Settings) -> anyhow::Result<ExitStatus> {
    let store = super::setup::open_store(g, false).await?;
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
    let conn = connect(g).await?.read_only();
    let provenance = conn.provenance.clone();
    let result = async {
        let selected = if g.customers.is_empty() {
            Vec::new()
        } else {
            customers::select(&conn.reader, &g.customers).await?
        };
        reconcile::run(&conn.reader, &period, &selected, placed, args.page_size).await
    }
    .await;
    conn.close().await;
    let report = result?;
    let table = reconcile::table(&report.rows);
    let mut notes = vec![reconcile::summary(&report)];
    notes.extend(reconcile::unexpected_note(&report, args.strict));
    args.output
        .print(g, &report, table, &notes, &provenance.line())?;
    Ok(if report.passes(args.strict) {
        ExitStatus::Success
    } else {
        ExitStatus::Changes
    })
}
