//! How a [`ReconcileReport`] reads: its rows as a table (fitted like every view table), the
//! summary line, and the note on orders reservoir did not place.

use super::money;
use super::reconcile::{ReconcileReport, Row};
use crate::render::table::Table;
use rust_decimal::Decimal;

/// The rows as a table.
pub fn table(rows: &[Row]) -> Table {
    let mut t = Table::new(&[
        "status",
        "customer",
        "order",
        "product",
        "sku",
        "charged_qty",
        "expected_qty",
        "charged",
        "expected",
        "currency",
        "invoice",
        "reservation_order",
        "detail",
    ])
    .right(&["charged_qty", "expected_qty", "charged", "expected"])
    .droppable(&[
        "reservation_order",
        "invoice",
        "currency",
        "product",
        "sku",
        "charged",
        "expected",
    ])
    .wrap(&["detail"]);
    let q = |d: Option<Decimal>| d.map(|d| d.normalize().to_string()).unwrap_or_default();
    for r in rows {
        t.push(vec![
            r.status.as_str().to_string(),
            if r.customer_name.is_empty() {
                r.customer_id.clone()
            } else {
                r.customer_name.clone()
            },
            r.order_id.clone(),
            r.product_id.clone(),
            r.sku_id.clone(),
            q(r.charged_quantity),
            q(r.expected_quantity),
            money(r.charged_amount),
            money(r.expected_amount),
            r.currency.clone().unwrap_or_default(),
            r.invoices.join(";"),
            r.reservation_order_ids.join(";"),
            r.detail.clone(),
        ]);
    }
    t
}

/// Under the summary when orders reservoir did not place were found and do not fail the run.
pub fn unexpected_note(report: &ReconcileReport, strict: bool) -> Option<String> {
    let n = report.counts.unexpected;
    (n > 0 && !strict).then(|| {
        format!(
            "note: {n} charge line(s) are for orders reservoir did not place (bought before it \
             managed the customer, in the portal or by another tool); they are reported, not \
             failed — --strict makes them fail the run"
        )
    })
}

/// The summary line of the text output.
pub fn summary(report: &ReconcileReport) -> String {
    let c = &report.counts;
    format!(
        "{} charged as expected, {} expected but not yet charged, {} charged but not placed by reservoir, {} mismatched ({} charge lines on {}; {} orders placed by reservoir in scope)",
        c.matched,
        c.not_charged,
        c.unexpected,
        c.mismatch,
        report.charges_read,
        if report.invoices_read.is_empty() {
            "no invoices".to_string()
        } else {
            report.invoices_read.join(", ")
        },
        report.orders_placed,
    )
}
