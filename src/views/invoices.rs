//! `invoices`: the current balance, per-currency summaries, the invoice list, one invoice, its
//! one-time line items (seek paging, read completely) and the statement PDF
//! (docs/partner-center.md §12).

use super::{ViewError, day, iso_date, iso_opt, money};
use crate::partner_center::Reader;
use crate::partner_center::wire::{Invoice, InvoiceSummary, OneTimeInvoiceLineItem};
use crate::render::table::{Table, key_values};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// A balance or per-currency summary.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryView {
    pub currency: Option<String>,
    pub balance: Option<Decimal>,
    #[serde(with = "iso_date")]
    pub accounting_date: Option<DateTime<Utc>>,
    #[serde(with = "iso_date")]
    pub first_invoice_date: Option<DateTime<Utc>>,
    #[serde(with = "iso_date")]
    pub latest_invoice_date: Option<DateTime<Utc>>,
    #[serde(with = "iso_date")]
    pub last_payment_date: Option<DateTime<Utc>>,
    pub last_payment_amount: Option<Decimal>,
    /// Balance per invoice type (`Recurring`, `OneTime`).
    pub by_type: Vec<TypeBalance>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TypeBalance {
    pub invoice_type: Option<String>,
    pub balance: Option<Decimal>,
}

pub fn summary_view(s: &InvoiceSummary) -> SummaryView {
    SummaryView {
        currency: s.currency_code.clone(),
        balance: s.balance_amount,
        accounting_date: s.accounting_date,
        first_invoice_date: s.first_invoice_creation_date,
        latest_invoice_date: s.latest_invoice_date,
        last_payment_date: s.last_payment_date,
        last_payment_amount: s.last_payment_amount,
        by_type: s
            .details
            .iter()
            .map(|d| TypeBalance {
                invoice_type: d.invoice_type.clone(),
                balance: d.summary.as_ref().and_then(|x| x.balance_amount),
            })
            .collect(),
    }
}

/// Summaries as a table (one row per currency).
pub fn summaries_table(items: &[SummaryView], text: bool) -> Table {
    let mut t = Table::new(&[
        "currency",
        "balance",
        "recurring",
        "one_time",
        "latest_invoice",
        "last_payment",
        "last_payment_amount",
    ])
    .right(&["balance", "recurring", "one_time", "last_payment_amount"]);
    let date = |d: Option<&DateTime<Utc>>| if text { day(d) } else { iso_opt(d) };
    for s in items {
        let by = |kind: &str| {
            money(
                s.by_type
                    .iter()
                    .find(|b| {
                        b.invoice_type.as_deref().is_some_and(|t| {
                            crate::partner_center::wire::common::fold_enum(t) == kind
                        })
                    })
                    .and_then(|b| b.balance),
            )
        };
        t.push(vec![
            s.currency.clone().unwrap_or_default(),
            money(s.balance),
            by("recurring"),
            by("onetime"),
            date(s.latest_invoice_date.as_ref()),
            date(s.last_payment_date.as_ref()),
            money(s.last_payment_amount),
        ]);
    }
    t
}

/// `invoices balance`.
pub async fn balance(client: &Reader) -> Result<SummaryView, ViewError> {
    Ok(summary_view(&client.get_invoice_summary().await?))
}

/// `invoices summaries`.
pub async fn summaries(client: &Reader) -> Result<Vec<SummaryView>, ViewError> {
    Ok(client
        .list_invoice_summaries()
        .await?
        .iter()
        .map(summary_view)
        .collect())
}

/// An invoice.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceView {
    pub id: String,
    pub invoice_type: Option<String>,
    pub document_type: Option<String>,
    pub status: Option<String>,
    #[serde(with = "iso_date")]
    pub invoice_date: Option<DateTime<Utc>>,
    #[serde(with = "iso_date")]
    pub period_start: Option<DateTime<Utc>>,
    #[serde(with = "iso_date")]
    pub period_end: Option<DateTime<Utc>>,
    pub currency: Option<String>,
    pub total_charges: Option<Decimal>,
    pub paid_amount: Option<Decimal>,
    pub amends: Option<String>,
    /// `billing_provider/line_item_type` pairs whose line items the invoice holds.
    pub line_item_sets: Vec<String>,
    pub pdf_link: Option<String>,
}

pub fn invoice_view(i: &Invoice) -> InvoiceView {
    InvoiceView {
        id: i.id.clone(),
        invoice_type: i.invoice_type.clone(),
        document_type: i.document_type.clone(),
        status: i.status.clone(),
        invoice_date: i.invoice_date,
        period_start: i.billing_period_start_date,
        period_end: i.billing_period_end_date,
        currency: i.currency_code.clone(),
        total_charges: i.total_charges,
        paid_amount: i.paid_amount,
        amends: i.amends_of.clone(),
        line_item_sets: i
            .invoice_details
            .iter()
            .map(|d| {
                format!(
                    "{}/{}",
                    d.billing_provider.as_deref().unwrap_or("?"),
                    d.invoice_line_item_type.as_deref().unwrap_or("?")
                )
            })
            .collect(),
        pdf_link: i.pdf_download_link.clone(),
    }
}

/// `invoices list`: every invoice, read `page_size` at a time.
pub async fn list(client: &Reader, page_size: u32) -> Result<Vec<InvoiceView>, ViewError> {
    Ok(client
        .list_invoices(page_size)
        .await?
        .iter()
        .map(invoice_view)
        .collect())
}

/// `invoices show ID`.
pub async fn show(client: &Reader, id: &str) -> Result<InvoiceView, ViewError> {
    Ok(invoice_view(&client.get_invoice(id).await?))
}

/// Invoices as a table.
pub fn invoices_table(items: &[InvoiceView], text: bool) -> Table {
    let mut t = Table::new(&[
        "id",
        "type",
        "date",
        "period_start",
        "period_end",
        "currency",
        "total",
        "paid",
        "status",
    ])
    .right(&["total", "paid"]);
    let date = |d: Option<&DateTime<Utc>>| if text { day(d) } else { iso_opt(d) };
    for i in items {
        t.push(vec![
            i.id.clone(),
            i.invoice_type.clone().unwrap_or_default(),
            date(i.invoice_date.as_ref()),
            date(i.period_start.as_ref()),
            date(i.period_end.as_ref()),
            i.currency.clone().unwrap_or_default(),
            money(i.total_charges),
            money(i.paid_amount),
            i.status.clone().unwrap_or_default(),
        ]);
    }
    t
}

/// One invoice as a key/value block.
pub fn invoice_text(i: &InvoiceView) -> String {
    key_values(&[
        ("invoice", i.id.clone()),
        ("type", i.invoice_type.clone().unwrap_or_default()),
        ("document", i.document_type.clone().unwrap_or_default()),
        ("status", i.status.clone().unwrap_or_default()),
        ("date", day(i.invoice_date.as_ref())),
        (
            "billing period",
            format!(
                "{} to {}",
                day(i.period_start.as_ref()),
                day(i.period_end.as_ref())
            ),
        ),
        ("currency", i.currency.clone().unwrap_or_default()),
        ("total charges", money(i.total_charges)),
        ("paid", money(i.paid_amount)),
        ("amends", i.amends.clone().unwrap_or_default()),
        ("line items", i.line_item_sets.join(", ")),
    ])
}

/// A one-time billing line item.
#[derive(Debug, Clone, Serialize)]
pub struct LineItemView {
    pub invoice: Option<String>,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub order_id: Option<String>,
    #[serde(with = "iso_date")]
    pub order_date: Option<DateTime<Utc>>,
    pub product_id: Option<String>,
    pub sku_id: Option<String>,
    pub availability_id: Option<String>,
    pub product_name: Option<String>,
    pub sku_name: Option<String>,
    pub charge_type: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    pub subtotal: Option<Decimal>,
    pub tax: Option<Decimal>,
    pub total: Option<Decimal>,
    pub currency: Option<String>,
    pub subscription_id: Option<String>,
    pub term_and_billing_cycle: Option<String>,
    pub reservation_order_id: Option<String>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
}

pub fn line_view(l: &OneTimeInvoiceLineItem) -> LineItemView {
    LineItemView {
        invoice: non_empty(&l.invoice_number),
        customer_id: non_empty(&l.customer_id),
        customer_name: non_empty(&l.customer_name),
        order_id: non_empty(&l.order_id),
        order_date: l.order_date,
        product_id: non_empty(&l.product_id),
        sku_id: non_empty(&l.sku_id),
        availability_id: non_empty(&l.availability_id),
        product_name: non_empty(&l.product_name),
        sku_name: non_empty(&l.sku_name),
        charge_type: non_empty(&l.charge_type),
        quantity: l.quantity,
        unit_price: l.unit_price,
        subtotal: l.subtotal,
        tax: l.tax_total,
        total: l.total_for_customer,
        currency: non_empty(&l.currency),
        subscription_id: non_empty(&l.subscription_id),
        term_and_billing_cycle: non_empty(&l.term_and_billing_cycle),
        reservation_order_id: non_empty(&l.reservation_order_id),
    }
}

/// `invoices lines ID`: every one-time billing line item, `page_size` per page.
pub async fn lines(
    client: &Reader,
    invoice_id: &str,
    page_size: u32,
) -> Result<Vec<LineItemView>, ViewError> {
    Ok(client
        .list_onetime_line_items(invoice_id, page_size)
        .await?
        .iter()
        .map(line_view)
        .collect())
}

/// Line items as a table.
pub fn lines_table(items: &[LineItemView], text: bool) -> Table {
    let mut t = Table::new(&[
        "customer",
        "order",
        "order_date",
        "product",
        "sku",
        "name",
        "charge",
        "qty",
        "unit_price",
        "subtotal",
        "currency",
        "reservation_order",
    ])
    .right(&["qty", "unit_price", "subtotal"])
    .droppable(&[
        "reservation_order",
        "order_date",
        "charge",
        "unit_price",
        "product",
        "sku",
    ])
    .wrap(&["name"]);
    let date = |d: Option<&DateTime<Utc>>| if text { day(d) } else { iso_opt(d) };
    for l in items {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        t.push(vec![
            l.customer_name
                .clone()
                .or(l.customer_id.clone())
                .unwrap_or_default(),
            o(&l.order_id),
            date(l.order_date.as_ref()),
            o(&l.product_id),
            o(&l.sku_id),
            o(&l.sku_name)
                .chars()
                .take(if text { 48 } else { usize::MAX })
                .collect(),
            o(&l.charge_type),
            l.quantity
                .map(|q| q.normalize().to_string())
                .unwrap_or_default(),
            money(l.unit_price),
            money(l.subtotal),
            o(&l.currency),
            o(&l.reservation_order_id),
        ]);
    }
    t
}

/// What `invoices pdf` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct PdfWritten {
    pub invoice: String,
    pub path: String,
    pub bytes: usize,
}

/// `invoices pdf ID --out FILE`: downloads the statement and writes it. Refuses to replace an
/// existing file unless `force`; the file appears whole or not at all.
pub async fn pdf(
    client: &Reader,
    invoice_id: &str,
    out: &Path,
    force: bool,
) -> Result<PdfWritten, ViewError> {
    if !force && out.exists() {
        return Err(ViewError::file(
            out,
            "already exists; pass --force to overwrite it",
        ));
    }
    let bytes = client.get_invoice_statement(invoice_id).await?;
    if !bytes.starts_with(b"%PDF-") {
        return Err(ViewError::Invalid(format!(
            "the statement of invoice {invoice_id} is not a PDF ({} bytes)",
            bytes.len()
        )));
    }
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| ViewError::io(out, "cannot create a file beside it", e))?;
    tmp.write_all(&bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| ViewError::io(out, "cannot write", e))?;
    if force {
        tmp.persist(out)
            .map_err(|e| ViewError::io(out, "cannot write", e.error))?;
    } else {
        tmp.persist_noclobber(out).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                ViewError::file(out, "already exists; pass --force to overwrite it")
            } else {
                ViewError::io(out, "cannot write", e.error)
            }
        })?;
    }
    Ok(PdfWritten {
        invoice: invoice_id.to_string(),
        path: out.display().to_string(),
        bytes: bytes.len(),
    })
}
