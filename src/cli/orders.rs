//! `reservoir orders`: customers' orders with their line items; `orders show CUSTOMER ORDER_ID`
//! adds the provisioning status of each line. Read-only.

use super::setup::connect;
use super::view_output::ViewOutput;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use crate::views::orders::{self, BillingCycleFilter, LAG_NOTE};
use crate::views::{ViewFormat, customers, parse_since, render};

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
    #[command(flatten)]
    pub output: ViewOutput,
}

#[derive(Debug, clap::Subcommand)]
pub enum OrdersCommand {
    /// One order, read by id, with the provisioning status of each line.
    Show {
        /// Customer id or company name.
        customer: String,
        order_id: String,
        #[command(flatten)]
        output: ViewOutput,
    },
}

pub async fn run(args: OrdersArgs, g: &Settings) -> anyhow::Result<ExitStatus> {
    let conn = connect(g).await?.read_only();
    let provenance = conn.provenance.clone();
    let result = run_with(&args, g, &conn.reader).await;
    conn.close().await;
    let (out, note) = result?;
    let text = match &args.command {
        Some(OrdersCommand::Show { output, .. }) => output.is_text(),
        None => args.output.is_text(),
    };
    let printer = super::output::Printer::new(g);
    print_view(&printer, &out, &provenance, text)?;
    if let Some(n) = note {
        printer.note(n);
    }
    Ok(ExitStatus::Success)
}

async fn run_with(
    args: &OrdersArgs,
    g: &Settings,
    client: &crate::partner_center::Reader,
) -> anyhow::Result<(String, Option<&'static str>)> {
    match &args.command {
        Some(OrdersCommand::Show {
            customer,
            order_id,
            output,
        }) => {
            let c = customers::one(client, customer).await?;
            let view = orders::show(client, &c, order_id).await?;
            let table = orders::table(std::slice::from_ref(&view), true, output.is_text());
            let table = output.fit(table);
            Ok((render(output.format, &view, &[("", table)], &[]), None))
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
            let table =
                args.output
                    .fit(orders::table(&report.orders, false, args.output.is_text()));
            let out = render(
                args.output.format,
                &report,
                &[("", table)],
                &[LAG_NOTE.to_string()],
            );
            // CSV has no room for the note: it goes to stderr.
            let note = (args.output.format == ViewFormat::Csv).then_some(LAG_NOTE);
            Ok((out, note))
        }
    }
}

/// Writes a rendered view to stdout; text output ends with the endpoint and partner tenant it
/// was read from (JSON and CSV stay as they are, for machines).
pub(super) fn print_view(
    printer: &super::output::Printer,
    out: &str,
    provenance: &crate::plan::Provenance,
    text: bool,
) -> anyhow::Result<()> {
    if text && !out.is_empty() {
        printer.line(&format!("{out}\n{}\n", provenance.line()))?;
    } else {
        printer.line(out)?;
    }
    Ok(())
}
