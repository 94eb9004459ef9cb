//! Holdings: what a customer owns, from entitlements (App+User) or, as the fallback with
//! app-only credentials, from the customer's one-time orders. Reservations are attributed to a
//! subscription, term and scope through the order line that bought them
//! (`referenceOrder` → line `provisioningContext`), read from the completed-order cache when
//! possible (docs/partner-center.md §10, §11).

use super::Reader;
mod malformed;

use malformed::Uncertain;
pub(crate) use malformed::{Holdings, HoldingsError, first_conflict};

use super::order_cache::{OrderCache, OrderLineSummary, OrderSummary};
use crate::catalog::Catalog;
use crate::kinds::{self, Kind, LineEvidence};
use crate::partner_center::ApiError;
use crate::partner_center::wire::Entitlement;
use crate::plan::Holding;
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
    /// Orders by id: from the cache, else fetched (completed ones are then cached). With
    /// `attribution_only`, an order as apply placed it also answers (its lines, not its status).
    pub(super) async fn by_id(
        &self,
        ids: BTreeSet<String>,
        attribution_only: bool,
    ) -> Result<BTreeMap<String, OrderSummary>, (String, ApiError)> {
        let mut out = BTreeMap::new();
        let mut missing = Vec::new();
        for id in ids {
            let cached = if attribution_only {
                self.cache.get_attribution(self.customer_id, &id).await
            } else {
                self.cache.get(self.customer_id, &id).await
            };
            match cached {
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
            self.cache.put(self.customer_id, &o).await;
            out.insert(o.id.clone(), o);
        }
        Ok(out)
    }
}

/// Trimmed, `None` when blank.
fn field(v: Option<&String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The order ids whose lines attribute entitlements (reservations: see
/// [`kinds::attributed_through_order`]).
pub(super) fn orders_to_attribute(entitlements: &[Entitlement]) -> BTreeSet<String> {
    entitlements
        .iter()
        .filter(|e| kinds::attributed_through_order(e))
        .filter_map(|e| field(e.reference_order.as_ref()?.id.as_ref()))
        .collect()
}

/// The entitlements without repeats: the same entitlement listed twice (e.g. on two pages) is
/// counted once; two different answers for the same order line are malformed.
fn distinct<'e>(
    customer_id: &str,
    entitlements: &'e [Entitlement],
) -> Result<Vec<(usize, &'e Entitlement)>, HoldingsError> {
    let mut seen: BTreeMap<(String, String, String, String), (usize, &Entitlement)> =
        BTreeMap::new();
    let mut out = Vec::new();
    for (i, e) in entitlements.iter().enumerate() {
        let r = e.reference_order.as_ref();
        let key = (
            field(r.and_then(|r| r.id.as_ref())).unwrap_or_default(),
            field(r.and_then(|r| r.line_item_id.as_ref())).unwrap_or_default(),
            field(e.product_id.as_ref())
                .unwrap_or_default()
                .to_ascii_uppercase(),
            field(e.sku_id.as_ref())
                .unwrap_or_default()
                .to_ascii_lowercase(),
        );
        match seen.get(&key) {
            Some((_, first)) if *first == e => {
                tracing::debug!("entitlement {} listed again; counted once", i + 1);
            }
            Some((j, _)) => {
                return Err(HoldingsError::Malformed {
                    call: malformed::entitlements_call(customer_id),
                    which: describe_entitlement(i, e),
                    problem: format!("contradicts entitlement {} for the same order line", j + 1),
                });
            }
            None => {
                seen.insert(key, (i, e));
                out.push((i, e));
            }
        }
    }
    Ok(out)
}

/// `entitlement 3 (referenceOrder o1 line 0, product DZH318Z0AAAA sku 0002)`, with what is known.
fn describe_entitlement(i: usize, e: &Entitlement) -> String {
    let r = e.reference_order.as_ref();
    let mut parts = Vec::new();
    if let Some(o) = field(r.and_then(|r| r.id.as_ref())) {
        match field(r.and_then(|r| r.line_item_id.as_ref())) {
            Some(l) => parts.push(format!("referenceOrder {o} line {l}")),
            None => parts.push(format!("referenceOrder {o}")),
        }
    }
    if let Some(p) = field(e.product_id.as_ref()) {
        parts.push(format!("product {p}"));
    }
    if let Some(s) = field(e.sku_id.as_ref()) {
        parts.push(format!("sku {s}"));
    }
    if parts.is_empty() {
        format!("entitlement {}", i + 1)
    } else {
        format!("entitlement {} ({})", i + 1, parts.join(", "))
    }
}

/// Holdings from entitlements; `orders` holds (at least) every order of
/// [`orders_to_attribute`]. A malformed entitlement is an error for the customer; a reservation
/// whose order line does not name its subscription, term and scope is [uncertain](Uncertain).
pub(super) fn from_entitlements(
    customer_id: &str,
    entitlements: &[Entitlement],
    orders: &BTreeMap<String, OrderSummary>,
    catalog: &Catalog,
) -> Result<Holdings, HoldingsError> {
    let call = malformed::entitlements_call(customer_id);
    let mut out = Holdings::default();
    for (i, e) in distinct(customer_id, entitlements)? {
        let bad = |problem: String| HoldingsError::Malformed {
            call: call.clone(),
            which: describe_entitlement(i, e),
            problem,
        };
        let product_id = field(e.product_id.as_ref())
            .ok_or_else(|| bad("has no productId".into()))?
            .to_ascii_uppercase();
        // Savings plans are held as subscriptions and counted from there.
        if product_id == kinds::savings_plan::PRODUCT_ID {
            continue;
        }
        let sku_id = field(e.sku_id.as_ref()).ok_or_else(|| bad("has no skuId".into()))?;
        let reference = e.reference_order.as_ref();
        let order_id = field(reference.and_then(|r| r.id.as_ref()))
            .ok_or_else(|| bad("has no referenceOrder.id".into()))?;
        let units = malformed::units(e.quantity, true).map_err(|q| bad(q.to_string()))?;
        let line_id = field(reference.and_then(|r| r.line_item_id.as_ref()));
        let line = orders.get(&order_id).and_then(|order| {
            line_id.as_deref().and_then(|l| order.line(l)).or_else(|| {
                order.lines.iter().find(|l| {
                    l.product_sku()
                        .is_some_and(|(p, s)| p == product_id && s.eq_ignore_ascii_case(&sku_id))
                })
            })
        });
        let facts = catalog.sku_facts(&product_id, &sku_id);
        let kind = kinds::classify_entitlement(e, line, facts.as_ref());
        let title = line
            .and_then(|l| l.friendly_name.clone())
            .or_else(|| facts.map(|f| f.title));
        let holding = Holding {
            kind,
            quantity: units,
            order_id: order_id.clone(),
            expiry: e
                .expiry_date
                .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true)),
            title,
            product_id,
            sku_id,
        };
        if let Some(gap) = kinds::attribution_gap(&holding.kind) {
            let why = if line.is_none() {
                format!(
                    "order {order_id} has no line {}",
                    line_id.as_deref().unwrap_or("for it")
                )
            } else {
                format!("its order line has {gap}")
            };
            out.uncertain.push(Uncertain {
                kind: Some(holding.kind.kind()),
                call: call.clone(),
                which: describe_entitlement(i, e),
                why,
                holding: holding.clone(),
            });
        }
        out.list.push(holding);
    }
    Ok(out)
}

/// The one-time orders without repeats (the same order listed twice counts once; two different
/// answers for one order id are malformed). Cancelled orders are left out.
pub(super) fn distinct_orders(
    customer_id: &str,
    orders: Vec<OrderSummary>,
) -> Result<Vec<OrderSummary>, HoldingsError> {
    let mut out: Vec<OrderSummary> = Vec::new();
    for o in orders {
        if o.id.trim().is_empty() {
            return Err(HoldingsError::Malformed {
                call: malformed::orders_call(customer_id),
                which: "an order".into(),
                problem: "has no id".into(),
            });
        }
        match out.iter().find(|x| x.id == o.id) {
            Some(x) if *x == o => {}
            Some(_) => {
                return Err(HoldingsError::Malformed {
                    call: malformed::orders_call(customer_id),
                    which: format!("order {}", o.id),
                    problem: "is listed twice with different contents".into(),
                });
            }
            None => out.push(o),
        }
    }
    out.retain(|o| !o.is_cancelled());
    Ok(out)
}

/// `order o1 line 0`.
fn describe_line(o: &OrderSummary, l: &OrderLineSummary, index: usize) -> String {
    match l.line_item_number {
        Some(n) => format!("order {} line {n}", o.id),
        None => format!("order {} line at position {}", o.id, index + 1),
    }
}

/// The product ids of order lines whose kind only the product's catalog type can tell (no SKU
/// facts in the run's views and no reservation provisioning context).
pub(super) fn products_to_classify(orders: &[OrderSummary], catalog: &Catalog) -> BTreeSet<String> {
    orders
        .iter()
        .flat_map(|o| &o.lines)
        .filter_map(|l| l.product_sku())
        .filter(|(p, s)| catalog.sku_facts(p, s).is_none())
        .map(|(p, _)| p)
        .collect()
}

/// Holdings from one-time orders (already [distinct](distinct_orders)), one per order line. A
/// line without an offer id or with a missing, negative or zero quantity is malformed; a line
/// whose kind (by the catalog: the run's views, else `product_kinds` from the product's type) or
/// reservation attribution is unknown is [uncertain](Uncertain).
pub(super) fn from_orders(
    customer_id: &str,
    orders: &[OrderSummary],
    catalog: &Catalog,
    product_kinds: &BTreeMap<String, Option<Kind>>,
) -> Result<Holdings, HoldingsError> {
    let call = malformed::orders_call(customer_id);
    let mut out = Holdings::default();
    for o in orders {
        for (i, l) in o.lines.iter().enumerate() {
            let bad = |problem: String| HoldingsError::Malformed {
                call: call.clone(),
                which: describe_line(o, l, i),
                problem,
            };
            let (product_id, sku_id) = l
                .product_sku()
                .ok_or_else(|| bad("has no offerId naming a product and SKU".into()))?;
            // Savings plans are held as subscriptions and counted from there.
            if product_id.eq_ignore_ascii_case(kinds::savings_plan::PRODUCT_ID) {
                continue;
            }
            let units = malformed::units(l.quantity, false).map_err(|q| bad(q.to_string()))?;
            let facts = catalog.sku_facts(&product_id, &sku_id);
            let evidence = match (&facts, product_kinds.get(&product_id)) {
                (Some(f), _) => LineEvidence::Facts(f),
                (None, Some(k)) => LineEvidence::ProductType(*k),
                (None, None) => LineEvidence::None,
            };
            let kind = kinds::classify_order_line(l, evidence);
            let holding = Holding {
                kind: kind.clone().unwrap_or(kinds::HoldingKind::Software),
                quantity: units,
                order_id: o.id.clone(),
                expiry: None,
                title: l.friendly_name.clone(),
                product_id,
                sku_id,
            };
            let why = match &kind {
                None => Some(
                    "the catalog does not tell whether it is a reservation or software".to_owned(),
                ),
                Some(k) => kinds::attribution_gap(k).map(|g| format!("the line has {g}")),
            };
            if let Some(why) = why {
                out.uncertain.push(Uncertain {
                    holding: holding.clone(),
                    kind: kind.as_ref().map(kinds::HoldingKind::kind),
                    call: call.clone(),
                    which: describe_line(o, l, i),
                    why,
                });
            }
            if kind.is_some() {
                out.list.push(holding);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
