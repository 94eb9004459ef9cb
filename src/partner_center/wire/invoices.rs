//! Billing: invoice summaries, invoices and one-time line items (docs/partner-center.md §12).

use super::common::{Attributes, Links, null_as_default, opt_date, opt_decimal};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

/// One entry of `InvoiceSummary.details`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct InvoiceSummaryDetail {
    pub invoice_type: Option<String>,
    pub summary: Option<InvoiceSummary>,
}

/// `InvoiceSummary` (§12).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct InvoiceSummary {
    #[serde(deserialize_with = "opt_decimal")]
    pub balance_amount: Option<Decimal>,
    pub currency_code: Option<String>,
    pub currency_symbol: Option<String>,
    #[serde(deserialize_with = "opt_date")]
    pub accounting_date: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_date")]
    pub first_invoice_creation_date: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_date")]
    pub last_payment_date: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_decimal")]
    pub last_payment_amount: Option<Decimal>,
    #[serde(deserialize_with = "opt_date")]
    pub latest_invoice_date: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "null_as_default")]
    pub details: Vec<InvoiceSummaryDetail>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
}

/// `{ id, taxReceiptPdfDownloadLink }`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct TaxReceipt {
    pub id: Option<String>,
    pub tax_receipt_pdf_download_link: Option<String>,
}

/// One entry of `Invoice.invoiceDetails`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct InvoiceDetail {
    pub invoice_line_item_type: Option<String>,
    pub billing_provider: Option<String>,
    pub links: Option<Links>,
}

/// `Invoice` (§12).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Invoice {
    pub id: String,
    #[serde(deserialize_with = "opt_date")]
    pub invoice_date: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_date")]
    pub billing_period_start_date: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_date")]
    pub billing_period_end_date: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_decimal")]
    pub total_charges: Option<Decimal>,
    #[serde(deserialize_with = "opt_decimal")]
    pub paid_amount: Option<Decimal>,
    pub currency_code: Option<String>,
    pub currency_symbol: Option<String>,
    pub pdf_download_link: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub tax_receipts: Vec<TaxReceipt>,
    #[serde(deserialize_with = "null_as_default")]
    pub invoice_details: Vec<InvoiceDetail>,
    #[serde(deserialize_with = "null_as_default")]
    pub amendments: Vec<Invoice>,
    pub document_type: Option<String>,
    pub amends_of: Option<String>,
    pub invoice_type: Option<String>,
    pub status: Option<String>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
}

/// `OneTimeInvoiceLineItem` (§12). Numbers may arrive as strings.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct OneTimeInvoiceLineItem {
    pub partner_id: Option<String>,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub customer_country: Option<String>,
    pub invoice_number: Option<String>,
    pub order_id: Option<String>,
    #[serde(deserialize_with = "opt_date")]
    pub order_date: Option<DateTime<Utc>>,
    pub product_id: Option<String>,
    pub sku_id: Option<String>,
    pub availability_id: Option<String>,
    pub product_name: Option<String>,
    pub sku_name: Option<String>,
    pub charge_type: Option<String>,
    #[serde(deserialize_with = "opt_decimal")]
    pub unit_price: Option<Decimal>,
    #[serde(deserialize_with = "opt_decimal")]
    pub effective_unit_price: Option<Decimal>,
    pub unit_type: Option<String>,
    #[serde(deserialize_with = "opt_decimal")]
    pub quantity: Option<Decimal>,
    #[serde(deserialize_with = "opt_decimal")]
    pub subtotal: Option<Decimal>,
    #[serde(deserialize_with = "opt_decimal")]
    pub tax_total: Option<Decimal>,
    #[serde(deserialize_with = "opt_decimal")]
    pub total_for_customer: Option<Decimal>,
    pub currency: Option<String>,
    pub subscription_id: Option<String>,
    pub subscription_description: Option<String>,
    #[serde(deserialize_with = "opt_date")]
    pub charge_start_date: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_date")]
    pub charge_end_date: Option<DateTime<Utc>>,
    pub term_and_billing_cycle: Option<String>,
    pub alternate_id: Option<String>,
    pub reference_id: Option<String>,
    #[serde(deserialize_with = "opt_decimal")]
    pub billable_quantity: Option<Decimal>,
    pub billing_frequency: Option<String>,
    pub reservation_order_id: Option<String>,
    pub promotion_id: Option<String>,
    pub invoice_line_item_type: Option<String>,
    pub billing_provider: Option<String>,
    pub price_adjustment_description: Option<Value>,
    pub attributes: Option<Attributes>,
}
