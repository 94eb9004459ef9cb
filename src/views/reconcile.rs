//! `reconcile`: matches one-time invoice line items (docs/partner-center.md §12) with the
//! orders reservoir placed ([`super::placed`]) and sorts every (order, product, SKU) into
//! `matched` (charged as expected), `not_charged` (placed but not on the invoices read yet),
//! `unexpected` (charged for an order reservoir did not place) or `mismatch` (quantity or
//! amount differ, or a charged line is not in the order reservoir placed).
//!
//! Quantities are always compared; amounts only when the placed line carries a unit price
//! (receipts may; the journal does not).
//!
//! `unexpected` rows are reported but, unless `--strict`, do not fail the run: a partner's
//! invoices normally carry orders reservoir never placed (bought before reservoir managed the
//! customer, in the portal, or by another tool), and a check that is red forever teaches people
//! to ignore red. See [`ReconcileReport::passes`].

use super::customers::CustomerRef;
use super::invoices::{LineItemView, line_view};
use super::placed::PlacedOrder;
use super::{ViewError, iso_date, money};
use crate::partner_center::wire::Invoice;
use crate::partner_center::wire::common::fold_enum;
use crate::partner_center::{ApiError, Reader};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

pub use super::reconcile_text::{summary, table, unexpected_note};

/// Which charges to reconcile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Period {
    /// One invoice; placed orders from its billing period are expected on it.
    Invoice(String),
    /// Every one-time invoice whose billing period ends at or after the date, charges for
    /// orders from that date on; placed orders from that date on are expected.
    Since(DateTime<Utc>),
}

/// How a row reconciles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Unexpected,
    Mismatch,
    NotCharged,
    Matched,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unexpected => "unexpected",
            Status::Mismatch => "mismatch",
            Status::NotCharged => "not_charged",
            Status::Matched => "matched",
        }
    }
}

/// One (order, product, SKU).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub status: Status,
    pub customer_id: String,
    /// From the invoice line items (empty for orders not charged).
    pub customer_name: String,
    pub order_id: String,
    pub product_id: String,
    pub sku_id: String,
    pub charged_quantity: Option<Decimal>,
    pub expected_quantity: Option<Decimal>,
    pub charged_amount: Option<Decimal>,
    pub expected_amount: Option<Decimal>,
    /// What the plan estimated from the price sheet, when the receipt kept it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_amount: Option<Decimal>,
    pub currency: Option<String>,
    pub invoices: Vec<String>,
    pub reservation_order_ids: Vec<String>,
    pub detail: String,
}

/// Row counts per status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub matched: usize,
    pub not_charged: usize,
    pub unexpected: usize,
    pub mismatch: usize,
}

/// The `reconcile` output.
#[derive(Debug, Clone, Serialize)]
pub struct ReconcileReport {
    pub invoice: Option<String>,
    #[serde(with = "iso_date")]
    pub since: Option<DateTime<Utc>>,
    /// The invoices whose line items were read.
    pub invoices_read: Vec<String>,
    pub charges_read: usize,
    pub orders_placed: usize,
    pub counts: Counts,
    pub rows: Vec<Row>,
}

impl ReconcileReport {
    /// True when every row is `matched`.
    pub fn all_match(&self) -> bool {
        self.rows.iter().all(|r| r.status == Status::Matched)
    }

    /// True when the run succeeds: every row is `matched`, or also `unexpected` (an order
    /// reservoir did not place) unless `strict`.
    pub fn passes(&self, strict: bool) -> bool {
        self.rows.iter().all(|r| match r.status {
            Status::Matched => true,
            Status::Unexpected => !strict,
            Status::Mismatch | Status::NotCharged => false,
        })
    }
}

type Key = (String, String, String);

fn key(order: &str, product: &str, sku: &str) -> Key {
    (
        order.trim().to_ascii_lowercase(),
        product.trim().to_ascii_uppercase(),
        sku.trim().to_ascii_uppercase(),
    )
}

#[derive(Default)]
struct Charged {
    customer_id: String,
    customer_name: String,
    quantity: Decimal,
    amount: Option<Decimal>,
    currency: Option<String>,
    invoices: BTreeSet<String>,
    roids: BTreeSet<String>,
}

#[derive(Default)]
struct Expected {
    customer_id: String,
    quantity: Decimal,
    amount: Option<Decimal>,
    priced: bool,
    estimate: Option<Decimal>,
    estimated: bool,
    currency: Option<String>,
}

/// Sorts charges and placed orders into rows (pure). `placed` should hold the orders expected in
/// the period plus any order the charges name.
pub fn reconcile(charges: &[LineItemView], placed: &[PlacedOrder]) -> Vec<Row> {
    let mut charged: BTreeMap<Key, Charged> = BTreeMap::new();
    for c in charges {
        let k = key(
            c.order_id.as_deref().unwrap_or(""),
            c.product_id.as_deref().unwrap_or(""),
            c.sku_id.as_deref().unwrap_or(""),
        );
        let e = charged.entry(k).or_default();
        e.customer_id = c
            .customer_id
            .clone()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if e.customer_name.is_empty() {
            e.customer_name = c.customer_name.clone().unwrap_or_default();
        }
        e.quantity += c.quantity.unwrap_or_default();
        let amount = c.subtotal.or_else(|| Some(c.unit_price? * c.quantity?));
        e.amount = match (e.amount, amount) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        e.currency = e.currency.take().or(c.currency.clone());
        e.invoices.extend(c.invoice.clone());
        e.roids.extend(c.reservation_order_id.clone());
    }
    let mut expected: BTreeMap<Key, Expected> = BTreeMap::new();
    let mut placed_orders: BTreeSet<String> = BTreeSet::new();
    for o in placed {
        placed_orders.insert(o.order_id.trim().to_ascii_lowercase());
        for l in &o.lines {
            let (p, s) = l.product_sku();
            let e = expected
                .entry(key(&o.order_id, &p, &s))
                .or_insert(Expected {
                    priced: true,
                    estimated: true,
                    ..Expected::default()
                });
            e.customer_id = o.customer_id.clone();
            e.quantity += l.quantity;
            match l.unit_price {
                Some(u) if e.priced => {
                    e.amount = Some(e.amount.unwrap_or_default() + u * l.quantity)
                }
                _ => {
                    e.priced = false;
                    e.amount = None;
                }
            }
            match l.estimated_unit_price {
                Some(u) if e.estimated => {
                    e.estimate = Some(e.estimate.unwrap_or_default() + u * l.quantity)
                }
                _ => {
                    e.estimated = false;
                    e.estimate = None;
                }
            }
            e.currency = e.currency.take().or(l.currency.clone());
        }
    }
    let mut rows = Vec::new();
    for (k, c) in &charged {
        let exp = expected.get(k);
        let mut problems = Vec::new();
        let status = match exp {
            Some(x) => {
                if x.quantity != c.quantity {
                    problems.push(format!(
                        "quantity charged {} but {} placed",
                        c.quantity.normalize(),
                        x.quantity.normalize()
                    ));
                }
                if let (Some(a), Some(b)) = (c.amount, x.amount)
                    && a.round_dp(2) != b.round_dp(2)
                {
                    problems.push(format!(
                        "amount charged {} but {} expected",
                        money(Some(a)),
                        money(Some(b))
                    ));
                }
                if let (Some(a), Some(b)) = (&c.currency, &x.currency)
                    && !a.eq_ignore_ascii_case(b)
                {
                    problems.push(format!("currency charged {a} but {b} expected"));
                }
                if !x.customer_id.is_empty()
                    && !c.customer_id.is_empty()
                    && x.customer_id != c.customer_id
                {
                    problems.push(format!(
                        "charged to customer {} but placed for {}",
                        c.customer_id, x.customer_id
                    ));
                }
                let status = if problems.is_empty() {
                    Status::Matched
                } else {
                    Status::Mismatch
                };
                // The estimate is not binding: a difference is said, not failed.
                if let (Some(a), Some(b)) = (c.amount, x.estimate)
                    && a.round_dp(2) != b.round_dp(2)
                {
                    problems.push(format!(
                        "charged {} where the plan estimated {} (the order's price is binding)",
                        money(Some(a)),
                        money(Some(b))
                    ));
                }
                status
            }
            None if placed_orders.contains(&k.0) => {
                problems.push("this product/SKU is not in the order reservoir placed".into());
                Status::Mismatch
            }
            None => {
                problems.push("reservoir did not place this order".into());
                Status::Unexpected
            }
        };
        rows.push(Row {
            status,
            customer_id: c.customer_id.clone(),
            customer_name: c.customer_name.clone(),
            order_id: k.0.clone(),
            product_id: k.1.clone(),
            sku_id: k.2.clone(),
            charged_quantity: Some(c.quantity),
            expected_quantity: exp.map(|x| x.quantity),
            charged_amount: c.amount,
            expected_amount: exp.and_then(|x| x.amount),
            estimated_amount: exp.and_then(|x| x.estimate),
            currency: c.currency.clone(),
            invoices: c.invoices.iter().cloned().collect(),
            reservation_order_ids: c.roids.iter().cloned().collect(),
            detail: problems.join("; "),
        });
    }
    for (k, x) in expected.iter().filter(|(k, _)| !charged.contains_key(*k)) {
        rows.push(Row {
            status: Status::NotCharged,
            customer_id: x.customer_id.clone(),
            customer_name: String::new(),
            order_id: k.0.clone(),
            product_id: k.1.clone(),
            sku_id: k.2.clone(),
            charged_quantity: None,
            expected_quantity: Some(x.quantity),
            charged_amount: None,
            expected_amount: x.amount,
            estimated_amount: x.estimate,
            currency: x.currency.clone(),
            invoices: Vec::new(),
            reservation_order_ids: Vec::new(),
            detail: "placed by reservoir, not on the invoices read (yet)".into(),
        });
    }
    // Placed orders are compared case-insensitively but shown as placed.
    for r in &mut rows {
        if let Some(o) = placed
            .iter()
            .find(|o| o.order_id.eq_ignore_ascii_case(&r.order_id))
        {
            r.order_id = o.order_id.clone();
        } else if let Some(c) = charges.iter().find(|c| {
            c.order_id
                .as_deref()
                .is_some_and(|id| id.eq_ignore_ascii_case(&r.order_id))
        }) {
            r.order_id = c.order_id.clone().unwrap_or_default();
        }
    }
    rows.sort_by(|a, b| {
        (
            a.status,
            &a.customer_id,
            &a.order_id,
            &a.product_id,
            &a.sku_id,
        )
            .cmp(&(
                b.status,
                &b.customer_id,
                &b.order_id,
                &b.product_id,
                &b.sku_id,
            ))
    });
    rows
}

fn counts(rows: &[Row]) -> Counts {
    let n = |s| rows.iter().filter(|r| r.status == s).count();
    Counts {
        matched: n(Status::Matched),
        not_charged: n(Status::NotCharged),
        unexpected: n(Status::Unexpected),
        mismatch: n(Status::Mismatch),
    }
}

fn holds_one_time(i: &Invoice) -> bool {
    i.invoice_type
        .as_deref()
        .is_some_and(|t| fold_enum(t) == "onetime")
        || i.invoice_details.iter().any(|d| {
            d.billing_provider
                .as_deref()
                .is_some_and(|p| fold_enum(p) == "onetime")
        })
        || (i.invoice_type.is_none() && i.invoice_details.is_empty())
}

/// Reads the charges for `period`, narrows the placed orders to those expected in it (reading
/// an order by id when its placement time or currency is needed), and reconciles. `customers`
/// (when not empty) limits both sides to those customers.
pub async fn run(
    client: &Reader,
    period: &Period,
    customers: &[CustomerRef],
    placed: Vec<PlacedOrder>,
    page_size: u32,
) -> Result<ReconcileReport, ViewError> {
    let (invoices, since, window) = match period {
        Period::Invoice(id) => {
            let inv = client.get_invoice(id).await?;
            let window = (inv.billing_period_start_date, inv.billing_period_end_date);
            (vec![inv], None, window)
        }
        Period::Since(d) => {
            let all = client.list_invoices(200).await?;
            let keep: Vec<Invoice> = all
                .into_iter()
                .filter(holds_one_time)
                .filter(|i| {
                    i.billing_period_end_date
                        .or(i.invoice_date)
                        .is_none_or(|end| end >= *d)
                })
                .collect();
            (keep, Some(*d), (Some(*d), None))
        }
    };
    let wanted: BTreeSet<String> = customers
        .iter()
        .map(|c| c.id.to_ascii_lowercase())
        .collect();
    let in_scope = |cid: &str| wanted.is_empty() || wanted.contains(&cid.to_ascii_lowercase());
    let mut charges = Vec::new();
    for inv in &invoices {
        let items = client.list_onetime_line_items(&inv.id, page_size).await?;
        charges.extend(
            items
                .iter()
                .map(line_view)
                .map(|mut l| {
                    l.invoice = l.invoice.or(Some(inv.id.clone()));
                    l
                })
                .filter(|l| in_scope(l.customer_id.as_deref().unwrap_or("")))
                .filter(|l| match (since, l.order_date) {
                    (Some(s), Some(d)) => d >= s,
                    _ => true,
                }),
        );
    }
    let charged_orders: BTreeSet<String> = charges
        .iter()
        .filter_map(|c| c.order_id.as_deref())
        .map(str::to_ascii_lowercase)
        .collect();
    let invoice_currency = match period {
        Period::Invoice(_) => invoices.first().and_then(|i| i.currency_code.clone()),
        Period::Since(_) => None,
    };
    let mut expected = Vec::new();
    for mut o in placed.into_iter().filter(|o| in_scope(&o.customer_id)) {
        if charged_orders.contains(&o.order_id.to_ascii_lowercase()) {
            expected.push(o);
            continue;
        }
        let mut currency = o.lines.iter().find_map(|l| l.currency.clone());
        if o.placed_at.is_none() || (invoice_currency.is_some() && currency.is_none()) {
            match client.get_order(&o.customer_id, &o.order_id).await {
                Ok(order) => {
                    o.placed_at = o.placed_at.or(order.creation_date);
                    currency = currency.or(order.currency_code);
                }
                Err(ApiError::Http { status: 404, .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let in_window = o.placed_at.is_none_or(|at| {
            window.0.is_none_or(|start| at >= start) && window.1.is_none_or(|end| at <= end)
        });
        let same_currency = match (&invoice_currency, &currency) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => true,
        };
        if in_window && same_currency {
            expected.push(o);
        }
    }
    let rows = reconcile(&charges, &expected);
    Ok(ReconcileReport {
        invoice: match period {
            Period::Invoice(id) => Some(id.clone()),
            Period::Since(_) => None,
        },
        since,
        invoices_read: invoices.iter().map(|i| i.id.clone()).collect(),
        charges_read: charges.len(),
        orders_placed: expected.len(),
        counts: counts(&rows),
        rows,
    })
}

#[cfg(test)]
#[path = "reconcile_tests.rs"]
mod tests;
