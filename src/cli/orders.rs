//! `reservoir orders`: customers' orders with their line items; `orders show CUSTOMER ORDER_ID`
//! adds the provisioning status of each line. Read-only.

use super::setup::connect;
use super::view_output::ViewOutput;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use crate::views::orders::{self, BillingCycleFilter, LAG_NOTE};
use crate::views::{customers, parse_since, render};

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
    let (out, notes) = result?;
    let format = match &args.command {
        Some(OrdersCommand::Show { output, .. }) => output.format,
        None => args.output.format,
    };
    super::output::Printer::new(g)
        .with_format(format)
        .view(&out, &notes, &provenance.line())?;
    Ok(ExitStatus::Success)
}

async fn run_with(
    args: &OrdersArgs,
    g: &Settings,
    client: &crate::partner_center::Reader,
) -> anyhow::Result<(String, Vec<String>)> {
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
            Ok((
                render(output.format, &view, &[("", table)], &[]),
                Vec::new(),
            ))
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
            // Text carries the note; JSON and CSV have no room for it: it goes to stderr.
            let notes = vec![LAG_NOTE.to_string()];
            let out = render(args.output.format, &report, &[("", table)], &notes);
            Ok((out, notes))
        }
    }
}
