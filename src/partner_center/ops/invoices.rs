//! Billing: summaries, invoices, line items, statement PDF (partner-center-api.md §10).

use crate::partner_center::error::ApiError;
use crate::partner_center::http::{Call, Category};
use crate::partner_center::wire::{Invoice, InvoiceSummary, OneTimeInvoiceLineItem};
use crate::partner_center::{Client, segment};

impl Client {
    /// `GET /v1/invoices/summary` (current account balance).
    pub async fn get_invoice_summary(&self) -> Result<InvoiceSummary, ApiError> {
        self.get_json(
            self.url(&["invoices", "summary"], &[]),
            Category::Invoice,
            None,
        )
        .await
    }

    /// `GET /v1/invoices/summaries` (one per currency; App+User only).
    pub async fn list_invoice_summaries(&self) -> Result<Vec<InvoiceSummary>, ApiError> {
        let url = self.url(&["invoices", "summaries"], &[]);
        self.collect_pages(Call::get(url, Category::Invoice, None))
            .await
    }

    /// `GET /v1/invoices?size=&offset=0`, every page.
    pub async fn list_invoices(&self, page_size: u32) -> Result<Vec<Invoice>, ApiError> {
        let size = page_size.max(1).to_string();
        let url = self.url(&["invoices"], &[("size", &size), ("offset", "0")]);
        self.collect_pages(Call::get(url, Category::Invoice, None))
            .await
    }

    /// `GET /v1/invoices/{id}` (App+User only).
    pub async fn get_invoice(&self, invoice_id: &str) -> Result<Invoice, ApiError> {
        let i = segment("invoice id", invoice_id)?;
        self.get_json(self.url(&["invoices", i], &[]), Category::Invoice, None)
            .await
    }

    /// OneTime billing line items of an invoice, every page (seek paging with
    /// `MS-ContinuationToken`). The first page uses the documented query form
    /// `GET /v1/invoices/{id}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&size=`;
    /// later pages follow `links.next` (`…/lineitems/OneTime/BillingLineItems?seekOperation=Next`).
    pub async fn list_onetime_line_items(
        &self,
        invoice_id: &str,
        page_size: u32,
    ) -> Result<Vec<OneTimeInvoiceLineItem>, ApiError> {
        let i = segment("invoice id", invoice_id)?;
        let size = page_size.clamp(1, 2000).to_string();
        let url = self.url(
            &["invoices", i, "lineitems"],
            &[
                ("provider", "onetime"),
                ("invoicelineitemtype", "billinglineitems"),
                ("size", &size),
            ],
        );
        self.collect_pages(Call::get(url, Category::Invoice, None))
            .await
    }

    /// Legacy line items (`office` / `azure` providers) with size/offset paging:
    /// `GET /v1/invoices/{id}/lineitems/{provider}/{type}?size=&offset=0`, every page, as raw JSON.
    pub async fn list_invoice_line_items(
        &self,
        invoice_id: &str,
        provider: &str,
        line_item_type: &str,
        page_size: u32,
    ) -> Result<Vec<serde_json::Value>, ApiError> {
        let i = segment("invoice id", invoice_id)?;
        let p = segment("billing provider", provider)?;
        let t = segment("invoice line item type", line_item_type)?;
        let size = page_size.clamp(1, 2000).to_string();
        let url = self.url(
            &["invoices", i, "lineitems", p, t],
            &[("size", &size), ("offset", "0")],
        );
        self.collect_pages(Call::get(url, Category::Invoice, None))
            .await
    }

    /// `GET /v1/invoices/{id}/documents/statement` with `Accept: application/pdf` → PDF bytes.
    pub async fn get_invoice_statement(&self, invoice_id: &str) -> Result<bytes::Bytes, ApiError> {
        let i = segment("invoice id", invoice_id)?;
        let mut call = Call::get(
            self.url(&["invoices", i, "documents", "statement"], &[]),
            Category::Invoice,
            None,
        );
        call.accept = "application/pdf";
        Ok(self.execute(&call).await?.body)
    }
}
