//! `reservoir invoices`: balance, per-currency summaries, the invoice list, one invoice, its
//! one-time line items and the statement PDF. Read-only.

use super::output::Printer;
use super::setup::connect;
use crate::exit::ExitStatus;
use crate::partner_center::Reader;
use crate::settings::Settings;
use crate::views::invoices;
use crate::views::render;
use std::path::PathBuf;

/// `--format` and `--wide`, shared by the subcommands.
pub type FormatArg = super::view_output::ViewOutput;

/// `--provider` of `invoices lines`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Provider {
    /// One-time purchases: Azure reservations, software.
    #[value(name = "one_time", alias = "onetime")]
    OneTime,
}

#[derive(Debug, clap::Subcommand)]
pub enum InvoicesCommand {
    /// The current account balance.
    Balance(FormatArg),
    /// Balances per currency.
    Summaries(FormatArg),
    /// Every invoice.
    List {
        /// Invoices read per request.
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=1000))]
        page_size: u32,
        #[command(flatten)]
        format: FormatArg,
    },
    /// One invoice.
    Show {
        id: String,
        #[command(flatten)]
        format: FormatArg,
    },
    /// An invoice's one-time billing line items (every page).
    Lines {
        id: String,
        /// Billing provider.
        #[arg(long, value_enum, default_value_t = Provider::OneTime)]
        provider: Provider,
        /// Line items read per request (at most 2000).
        #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=2000))]
        page_size: u32,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Download an invoice's statement PDF.
    Pdf {
        id: String,
        /// Where to write the PDF.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
}

pub async fn run(args: InvoicesCommand, g: &Settings) -> anyhow::Result<ExitStatus> {
    let conn = connect(g).await?.read_only();
    let provenance = conn.provenance.clone();
    let printer = Printer::new(g);
    let printer = match &args {
        InvoicesCommand::Balance(f) | InvoicesCommand::Summaries(f) => {
            printer.with_format(f.format)
        }
        InvoicesCommand::List { format, .. }
        | InvoicesCommand::Show { format, .. }
        | InvoicesCommand::Lines { format, .. } => printer.with_format(format.format),
        // Nothing on stdout: a note on stderr says where the PDF went.
        InvoicesCommand::Pdf { .. } => printer,
    };
    let result = run_with(args, printer, &conn.reader).await;
    conn.close().await;
    let (out, notes) = result?;
    printer.view(&out, &notes, &provenance.line())?;
    Ok(ExitStatus::Success)
}

/// The rendered view, and the notes that text carries inline (see [`Printer::view`]).
async fn run_with(
    args: InvoicesCommand,
    printer: Printer,
    client: &Reader,
) -> anyhow::Result<(String, Vec<String>)> {
    let text = |f: &FormatArg| f.is_text();
    Ok(match args {
        InvoicesCommand::Balance(f) => {
            let b = invoices::balance(client).await?;
            let t = f.fit(invoices::summaries_table(
                std::slice::from_ref(&b),
                text(&f),
            ));
            (render(f.format, &b, &[("", t)], &[]), Vec::new())
        }
        InvoicesCommand::Summaries(f) => {
            let s = invoices::summaries(client).await?;
            let t = f.fit(invoices::summaries_table(&s, text(&f)));
            (render(f.format, &s, &[("", t)], &[]), Vec::new())
        }
        InvoicesCommand::List { page_size, format } => {
            let l = invoices::list(client, page_size).await?;
            let t = format.fit(invoices::invoices_table(&l, text(&format)));
            (render(format.format, &l, &[("", t)], &[]), Vec::new())
        }
        InvoicesCommand::Show { id, format } => {
            let i = invoices::show(client, &id).await?;
            let out = if text(&format) {
                invoices::invoice_text(&i)
            } else {
                let t = invoices::invoices_table(std::slice::from_ref(&i), false);
                render(format.format, &i, &[("", t)], &[])
            };
            (out, Vec::new())
        }
        InvoicesCommand::Lines {
            id,
            provider: Provider::OneTime,
            page_size,
            format,
        } => {
            let l = invoices::lines(client, &id, page_size).await?;
            let t = format.fit(invoices::lines_table(&l, text(&format)));
            let notes = vec![format!("{} line item(s) on invoice {id}", l.len())];
            (render(format.format, &l, &[("", t)], &notes), notes)
        }
        InvoicesCommand::Pdf { id, out, force } => {
            let w = invoices::pdf(client, &id, &out, force).await?;
            printer.note(&format!(
                "wrote the statement of invoice {} to {} ({} bytes)",
                w.invoice, w.path, w.bytes
            ));
            (String::new(), Vec::new())
        }
    })
}
