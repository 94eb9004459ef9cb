//! Holdings: what a customer owns, from entitlements (App+User) or, as the fallback with
//! app-only credentials, from the customer's one-time orders. Reservations are attributed to a
//! subscription, term and scope through the order line that bought them
//! (`referenceOrder` → line `provisioningContext`), read from the completed-order cache when
//! possible (partner-center-api.md §8, §9).

use super::Reader;
use super::order_cache::{OrderCache, OrderLineSummary, OrderSummary};
use crate::catalog::Catalog;
use crate::partner_center::ApiError;
use crate::partner_center::wire::{Entitlement, EntitlementType};
use crate::plan::{Holding, HoldingKind, ReservationAttribution, scope_from_wire, term_from_wire};
use chrono::SecondsFormat;
use futures::{StreamExt, TryStreamExt};
use std::collections::{BTreeMap, BTreeSet};

/// Orders fetched at once per customer.
const ORDER_FETCHES: usize = 4;

/// Everything needed to read one customer's orders.
pub(super) struct Orders<'a> {
    pub reader: &'a Reader,
    pub cache: &'a OrderCache,
    pub customer_id: &'a str,
}

impl Orders<'_> {
    /// Orders by id: from the cache, else fetched (completed ones are then cached).
    pub async fn by_id(
        &self,
        ids: BTreeSet<String>,
    ) -> Result<BTreeMap<String, OrderSummary>, (String, ApiError)> {
        let mut out = BTreeMap::new();
        let mut missing = Vec::new();
        for id in ids {
            match self.cache.get(self.customer_id, &id) {
                Some(o) => {
                    out.insert(id, o);
                }
                None => missing.push(id),
            }
        }
        let jobs: Vec<_> = missing
            .into_iter()
            .map(|id| async move {
                match self.reader.get_order(self.customer_id, &id).await {
                    Ok(o) => Ok(OrderSummary::from_wire(&o)),
                    Err(e) => Err((id, e)),
                }
            })
            .collect();
        let fetched: Vec<OrderSummary> = futures::stream::iter(jobs)
            .buffer_unordered(ORDER_FETCHES)
            .try_collect()
            .await?;
        for o in fetched {
            self.cache.put(self.customer_id, &o);
            out.insert(o.id.clone(), o);
        }
        Ok(out)
    }
}

fn is_reservation(e: &Entitlement) -> bool {
    match &e.entitlement_type {
        Some(EntitlementType::Software) => false,
        Some(
            EntitlementType::ReservedInstance | EntitlementType::VirtualMachineReservedInstance,
        ) => true,
        _ => e
            .entitled_artifacts
            .iter()
            .any(|a| a.is_reserved_instance()),
    }
}

fn quantity(q: Option<i64>) -> u32 {
    q.map_or(0, |n| u32::try_from(n.max(0)).unwrap_or(u32::MAX))
}

/// The order ids whose lines attribute the reservation entitlements.
pub(super) fn orders_to_attribute(entitlements: &[Entitlement]) -> BTreeSet<String> {
    entitlements
        .iter()
        .filter(|e| is_reservation(e))
        .filter_map(|e| e.reference_order.as_ref()?.id.clone())
        .filter(|id| !id.trim().is_empty())
        .collect()
}

/// The attribution a reservation gets from the order line that bought it and the catalog.
fn attribution(
    line: Option<&OrderLineSummary>,
    product_id: &str,
    sku_id: &str,
    catalog: &Catalog,
) -> ReservationAttribution {
    let facts = catalog.sku_facts(product_id, sku_id);
    ReservationAttribution {
        subscription_id: line
            .and_then(|l| l.context("subscriptionId"))
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty()),
        term: line.and_then(|l| {
            l.context("duration")
                .and_then(term_from_wire)
                .or_else(|| l.term_duration.as_deref().and_then(term_from_wire))
        }),
        scope: line
            .and_then(|l| l.context("scope"))
            .and_then(scope_from_wire),
        reservation_type: facts.as_ref().and_then(|f| f.reservation_type),
        arm_sku_name: facts.as_ref().and_then(|f| f.arm_sku_name.clone()),
        arm_region_name: facts.and_then(|f| f.arm_region_name),
    }
}

/// Holdings from entitlements; `orders` holds (at least) every order of
/// [`orders_to_attribute`].
pub(super) fn from_entitlements(
    entitlements: &[Entitlement],
    orders: &BTreeMap<String, OrderSummary>,
    catalog: &Catalog,
) -> Vec<Holding> {
    let mut out = Vec::new();
    for e in entitlements {
        let product_id = e
            .product_id
            .clone()
            .unwrap_or_default()
            .trim()
            .to_ascii_uppercase();
        let sku_id = e.sku_id.clone().unwrap_or_default().trim().to_owned();
        let reference = e.reference_order.as_ref();
        let order_id = reference.and_then(|r| r.id.clone()).unwrap_or_default();
        let line = reference.and_then(|r| {
            let order = orders.get(r.id.as_deref()?)?;
            r.line_item_id
                .as_deref()
                .and_then(|l| order.line(l))
                .or_else(|| {
                    order.lines.iter().find(|l| {
                        l.product_sku().is_some_and(|(p, s)| {
                            p == product_id && s.eq_ignore_ascii_case(&sku_id)
                        })
                    })
                })
        });
        let kind = if is_reservation(e) {
            HoldingKind::Reservation(attribution(line, &product_id, &sku_id, catalog))
        } else {
            HoldingKind::Software
        };
        let title = line
            .and_then(|l| l.friendly_name.clone())
            .or_else(|| catalog.sku_facts(&product_id, &sku_id).map(|f| f.title));
        out.push(Holding {
            kind,
            quantity: quantity(e.quantity),
            order_id,
            expiry: e
                .expiry_date
                .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true)),
            title,
            product_id,
            sku_id,
        });
    }
    out
}

/// Holdings from one-time orders (cancelled ones skipped), one per order line. A line with a
/// reservation provisioning context, or whose SKU the catalog knows as a reservation, is a
/// reservation; anything else is software.
pub(super) fn from_orders(orders: &[OrderSummary], catalog: &Catalog) -> Vec<Holding> {
    let mut out = Vec::new();
    for o in orders.iter().filter(|o| !o.is_cancelled()) {
        for l in &o.lines {
            let Some((product_id, sku_id)) = l.product_sku() else {
                continue;
            };
            let reservation = l.context("subscriptionId").is_some()
                || l.context("scope").is_some()
                || catalog
                    .sku_facts(&product_id, &sku_id)
                    .is_some_and(|f| f.reservation_type.is_some());
            let kind = if reservation {
                HoldingKind::Reservation(attribution(Some(l), &product_id, &sku_id, catalog))
            } else {
                HoldingKind::Software
            };
            out.push(Holding {
                kind,
                quantity: quantity(l.quantity),
                order_id: o.id.clone(),
                expiry: None,
                title: l.friendly_name.clone(),
                product_id,
                sku_id,
            });
        }
    }
    out
}
