//! `entitlements`: what each customer owns (docs/partner-center.md §11) — product, SKU, quantity,
//! the subscription, term and scope the purchase was attributed to (as `plan` does it: the
//! entitlement's `referenceOrder` → the order line's `provisioningContext`), expiry, and for
//! reservations the reservation order with its reservations (read through the artifact link).

use super::customers::CustomerRef;
use super::{ViewError, day, iso_date};
use crate::observe::order_cache::OrderLineSummary;
use crate::partner_center::wire::{EntitlementType, Order, OrderLineItem};
use crate::partner_center::{ApiError, Reader};
use crate::render::table::Table;
use chrono::{DateTime, Duration, Utc};
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use std::collections::HashMap;

/// `--type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EntitlementTypeFilter {
    #[value(name = "reservedInstance", alias = "reservedinstance")]
    ReservedInstance,
    #[value(name = "software")]
    Software,
}

impl EntitlementTypeFilter {
    fn wire(self) -> EntitlementType {
        match self {
            EntitlementTypeFilter::ReservedInstance => EntitlementType::ReservedInstance,
            EntitlementTypeFilter::Software => EntitlementType::Software,
        }
    }
}

/// A `--expiring-within` value that is not a window (the value as given).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a duration; use e.g. 90d, 12w or 1y")]
pub struct WindowError(String);

/// Parses `--expiring-within`: `90d`, `12w`, `1y` (365 days) or a bare number of days.
pub fn parse_window(s: &str) -> Result<Duration, WindowError> {
    let t = s.trim().to_ascii_lowercase();
    let bad = || WindowError(s.to_owned());
    let (num, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t.as_str(), "d"),
    };
    let n: i64 = num.parse().map_err(|_| bad())?;
    let days = match unit.trim() {
        "d" | "day" | "days" => n,
        "w" | "week" | "weeks" => n * 7,
        "y" | "year" | "years" => n * 365,
        _ => return Err(bad()),
    };
    Ok(Duration::days(days))
}

/// The `entitlements` output.
#[derive(Debug, Clone, Serialize)]
pub struct EntitlementsReport {
    /// Set with `--expiring-within`: the cut-off (entitlements expiring at or before it are
    /// listed, already expired ones included).
    #[serde(with = "iso_date")]
    pub expiring_before: Option<DateTime<Utc>>,
    pub entitlements: Vec<EntitlementView>,
}

/// One entitlement, attributed.
#[derive(Debug, Clone, Serialize)]
pub struct EntitlementView {
    pub customer_id: String,
    pub customer_name: String,
    pub entitlement_type: Option<String>,
    pub product_id: Option<String>,
    pub sku_id: Option<String>,
    pub name: Option<String>,
    pub quantity: Option<i64>,
    pub order_id: Option<String>,
    pub order_line: Option<String>,
    pub subscription_id: Option<String>,
    pub term: Option<String>,
    pub scope: Option<String>,
    #[serde(with = "iso_date")]
    pub expiry: Option<DateTime<Utc>>,
    pub fulfillment_state: Option<String>,
    pub reservation_order_id: Option<String>,
    pub reservations: Vec<ReservationView>,
}

/// One Azure reservation behind a reservation order.
#[derive(Debug, Clone, Serialize)]
pub struct ReservationView {
    pub reservation_id: Option<String>,
    pub display_name: Option<String>,
    pub scope_type: Option<String>,
    pub applied_scopes: Vec<String>,
    pub quantity: Option<i64>,
    pub provisioning_state: Option<String>,
    #[serde(with = "iso_date")]
    pub effective: Option<DateTime<Utc>>,
    #[serde(with = "iso_date")]
    pub expiry: Option<DateTime<Utc>>,
}

/// The line of `order` an entitlement's `referenceOrder.lineItemId` names (the only line when
/// there is one and the id is missing).
fn order_line<'o>(order: &'o Order, line_id: Option<&str>) -> Option<&'o OrderLineItem> {
    match line_id.and_then(|l| l.trim().parse::<i64>().ok()) {
        Some(n) => order
            .line_items
            .iter()
            .find(|l| l.line_item_number == Some(n)),
        None if order.line_items.len() == 1 => order.line_items.first(),
        None => None,
    }
}

/// Attribution of a purchase from its order line: (subscription, term, scope).
pub fn attribute(line: &OrderLineItem) -> (Option<String>, Option<String>, Option<String>) {
    let (subscription, term, scope) = OrderLineSummary::from_wire(line).attribution();
    (
        subscription,
        term.map(|t| t.as_str().to_owned()),
        scope.map(|s| s.as_str().to_owned()),
    )
}

/// Reads one customer's entitlements and attributes them (one order read per distinct order,
/// one details read per reservation order).
async fn customer_entitlements(
    client: &Reader,
    c: &CustomerRef,
    kind: Option<EntitlementTypeFilter>,
) -> Result<Vec<EntitlementView>, ViewError> {
    let wire_kind = kind.map(EntitlementTypeFilter::wire);
    let raw = client
        .list_entitlements(&c.id, wire_kind.as_ref(), true)
        .await?;
    let mut orders: HashMap<String, Option<Order>> = HashMap::new();
    let mut out = Vec::new();
    for e in &raw {
        let reference = e.reference_order.as_ref();
        let order_id = reference
            .and_then(|r| r.id.clone())
            .filter(|s| !s.is_empty());
        if let Some(id) = &order_id
            && !orders.contains_key(id)
        {
            let got = match client.get_order(&c.id, id).await {
                Ok(o) => Some(o),
                Err(ApiError::Http { status: 404, .. }) => None,
                Err(err) => return Err(err.into()),
            };
            orders.insert(id.clone(), got);
        }
        let line = order_id
            .as_ref()
            .and_then(|id| orders.get(id))
            .and_then(Option::as_ref)
            .and_then(|o| order_line(o, reference.and_then(|r| r.line_item_id.as_deref())));
        let (subscription_id, term, scope) = line.map(attribute).unwrap_or_default();
        let mut view = EntitlementView {
            customer_id: c.id.clone(),
            customer_name: c.name.clone(),
            entitlement_type: e.entitlement_type.as_ref().map(|t| t.as_str().to_string()),
            product_id: e.product_id.clone(),
            sku_id: e.sku_id.clone(),
            name: line.and_then(|l| l.friendly_name.clone()),
            quantity: e.quantity,
            order_id,
            order_line: reference.and_then(|r| r.line_item_id.clone()),
            subscription_id,
            term,
            scope,
            expiry: e.expiry_date,
            fulfillment_state: e.fulfillment_state.clone(),
            reservation_order_id: None,
            reservations: Vec::new(),
        };
        if e.is_reservation() {
            for a in e
                .entitled_artifacts
                .iter()
                .filter(|a| a.is_reserved_instance())
            {
                view.reservation_order_id = a.resource_id.clone();
                let Some(link) = &a.link else { continue };
                let details = match client.get_reservation_details(&c.id, link).await {
                    Ok(d) => d,
                    Err(ApiError::Http { status: 404, .. }) => {
                        tracing::warn!(
                            "reservation order {} of customer {}: details not found",
                            a.resource_id.as_deref().unwrap_or("?"),
                            c.id
                        );
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                };
                view.reservations
                    .extend(details.reservations.iter().map(|r| ReservationView {
                        reservation_id: r.reservation_id.clone(),
                        display_name: r.display_name.clone(),
                        scope_type: r.scope_type.clone(),
                        applied_scopes: r.applied_scopes.clone(),
                        quantity: r.quantity,
                        provisioning_state: r.provisioning_state.clone(),
                        effective: r.effective_date_time,
                        expiry: r.expiry_date_time,
                    }));
            }
            if view.expiry.is_none() {
                view.expiry = view.reservations.iter().filter_map(|r| r.expiry).min();
            }
        }
        out.push(view);
    }
    Ok(out)
}

/// Every selected customer's entitlements; with `expiring_within`, only those expiring at or
/// before `now + window` (sorted by expiry).
pub async fn list(
    client: &Reader,
    customers: &[CustomerRef],
    kind: Option<EntitlementTypeFilter>,
    expiring_within: Option<Duration>,
    now: DateTime<Utc>,
    parallelism: usize,
) -> Result<EntitlementsReport, ViewError> {
    let jobs: Vec<_> = customers
        .iter()
        .map(|c| customer_entitlements(client, c, kind))
        .collect();
    let per_customer: Vec<Vec<EntitlementView>> = futures::stream::iter(jobs)
        .buffered(parallelism.max(1))
        .try_collect()
        .await?;
    let mut all: Vec<EntitlementView> = per_customer.into_iter().flatten().collect();
    let cutoff = expiring_within.map(|w| now + w);
    if let Some(cut) = cutoff {
        all.retain(|e| e.expiry.is_some_and(|x| x <= cut));
        all.sort_by_key(|e| e.expiry);
    }
    Ok(EntitlementsReport {
        expiring_before: cutoff,
        entitlements: all,
    })
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// One row per entitlement; reservations folded into `;`-separated cells.
pub fn table(items: &[EntitlementView], text: bool) -> Table {
    let mut t = Table::new(&[
        "customer",
        "type",
        "product",
        "sku",
        "name",
        "qty",
        "subscription",
        "term",
        "scope",
        "expiry",
        "order",
        "reservation_order",
        "reservations",
        "scope_types",
        "applied_scopes",
        "provisioning",
    ])
    .right(&["qty"])
    .droppable(&[
        "applied_scopes",
        "scope_types",
        "reservations",
        "reservation_order",
        "provisioning",
        "order",
        "subscription",
        "scope",
    ])
    .wrap(&["name"]);
    for e in items {
        let join = |f: &dyn Fn(&ReservationView) -> String| {
            e.reservations.iter().map(f).collect::<Vec<_>>().join(";")
        };
        t.push(vec![
            if e.customer_name.is_empty() {
                e.customer_id.clone()
            } else {
                e.customer_name.clone()
            },
            opt(&e.entitlement_type),
            opt(&e.product_id),
            opt(&e.sku_id),
            opt(&e.name),
            opt(&e.quantity),
            opt(&e.subscription_id),
            opt(&e.term),
            opt(&e.scope),
            if text {
                day(e.expiry.as_ref())
            } else {
                super::iso_opt(e.expiry.as_ref())
            },
            opt(&e.order_id),
            opt(&e.reservation_order_id),
            join(&|r| opt(&r.reservation_id)),
            join(&|r| opt(&r.scope_type)),
            join(&|r| r.applied_scopes.join(" ")),
            join(&|r| opt(&r.provisioning_state)),
        ]);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse_in_days_weeks_and_years() {
        assert_eq!(parse_window("90d"), Ok(Duration::days(90)));
        assert_eq!(parse_window("2w"), Ok(Duration::days(14)));
        assert_eq!(parse_window("1y"), Ok(Duration::days(365)));
        assert_eq!(parse_window("30"), Ok(Duration::days(30)));
        assert!(parse_window("soon").is_err());
        assert!(parse_window("5m").is_err());
    }

    #[test]
    fn attribution_reads_the_provisioning_context() {
        let line: OrderLineItem = serde_json::from_value(serde_json::json!({
            "lineItemNumber": 0,
            "termDuration": "P3Y",
            "provisioningContext": {"subscriptionId": "9A51D0E2-3B7C-4F0A-8C61-5E2D9F4A7B10", "scope": "Single", "duration": "1Year"}
        }))
        .expect("line");
        let (s, t, sc) = attribute(&line);
        assert_eq!(s.as_deref(), Some("9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10"));
        assert_eq!(t.as_deref(), Some("P1Y"), "duration wins over termDuration");
        assert_eq!(sc.as_deref(), Some("single"));
    }
}
