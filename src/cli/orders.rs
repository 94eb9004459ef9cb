//! `reservoir orders`: customers' orders with their line items; `orders show CUSTOMER ORDER_ID`
//! adds the provisioning status of each line. Read-only.

use super::GlobalArgs;
use super::settings::connect;
use crate::views::orders::{self, BillingCycleFilter, LAG_NOTE};
use crate::views::{ViewFormat, customers, parse_since, render};
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct OrdersArgs {
    #[command(subcommand)]
    pub command: Option<OrdersCommand>,
    /// Only orders of this billing cycle.
    #[arg(long, value_enum)]
    pub billing_cycle: Option<BillingCycleFilter>,
    /// Only orders created at or after this date (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ViewFormat::Text)]
    pub format: ViewFormat,
}

#[derive(Debug, clap::Subcommand)]
pub enum OrdersCommand {
    /// One order, read by id, with the provisioning status of each line.
    Show {
        /// Customer id or company name.
        customer: String,
        order_id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ViewFormat::Text)]
        format: ViewFormat,
    },
}

pub async fn run(args: OrdersArgs, g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let conn = connect(g).await?;
    let result = run_with(&args, g, &conn.client).await;
    conn.close().await;
    let (out, note) = result?;
    print(&out)?;
    if let Some(n) = note
        && !g.quiet
    {
        eprintln!("{n}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn run_with(
    args: &OrdersArgs,
    g: &GlobalArgs,
    client: &crate::partner_center::Client,
) -> anyhow::Result<(String, Option<&'static str>)> {
    match &args.command {
        Some(OrdersCommand::Show {
            customer,
            order_id,
            format,
        }) => {
            let c = customers::one(client, customer).await?;
            let view = orders::show(client, &c, order_id).await?;
            let table = orders::table(
                std::slice::from_ref(&view),
                true,
                *format == ViewFormat::Text,
            );
            Ok((render(*format, &view, &[("", table)], &[]), None))
        }
        None => {
            let selected = customers::select(client, &g.customers).await?;
            let report = orders::list(
                client,
                &selected,
                args.billing_cycle,
                args.since,
                usize::from(g.parallelism),
            )
            .await?;
            let table = orders::table(&report.orders, false, args.format == ViewFormat::Text);
            let out = render(
                args.format,
                &report,
                &[("", table)],
                &[LAG_NOTE.to_string()],
            );
            // CSV has no room for the note: it goes to stderr.
            let note = (args.format == ViewFormat::Csv).then_some(LAG_NOTE);
            Ok((out, note))
        }
    }
}

/// Writes the rendered output to stdout.
pub(super) fn print(out: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    Ok(())
}
