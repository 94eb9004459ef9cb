//! Holdings: what a customer owns, from entitlements (App+User) or, as the fallback with
//! app-only credentials, from the customer's one-time orders. Reservations are attributed to a
//! subscription, term and scope through the order line that bought them
//! (`referenceOrder` → line `provisioningContext`), read from the completed-order cache when
//! possible (partner-center-api.md §8, §9).

use super::Reader;
use super::order_cache::{OrderCache, OrderSummary};
use crate::catalog::Catalog;
use crate::kinds;
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
    /// Orders by id: from the cache, else fetched (completed ones are then cached).
    pub async fn by_id(
        &self,
        ids: BTreeSet<String>,
    ) -> Result<BTreeMap<String, OrderSummary>, (String, ApiError)> {
        let mut out = BTreeMap::new();
        let mut missing = Vec::new();
        for id in ids {
            match self.cache.get(self.customer_id, &id).await {
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

fn quantity(q: Option<i64>) -> u32 {
    q.map_or(0, |n| u32::try_from(n.max(0)).unwrap_or(u32::MAX))
}

/// The order ids whose lines attribute entitlements (reservations: see
/// [`kinds::attributed_through_order`]).
pub(super) fn orders_to_attribute(entitlements: &[Entitlement]) -> BTreeSet<String> {
    entitlements
        .iter()
        .filter(|e| kinds::attributed_through_order(e))
        .filter_map(|e| e.reference_order.as_ref()?.id.clone())
        .filter(|id| !id.trim().is_empty())
        .collect()
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
        let facts = catalog.sku_facts(&product_id, &sku_id);
        let kind = kinds::classify_entitlement(e, line, facts.as_ref());
        let title = line
            .and_then(|l| l.friendly_name.clone())
            .or_else(|| facts.map(|f| f.title));
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

/// Holdings from one-time orders (cancelled ones skipped), one per order line; the kind of each
/// line is decided by [`kinds::classify_order_line`].
pub(super) fn from_orders(orders: &[OrderSummary], catalog: &Catalog) -> Vec<Holding> {
    let mut out = Vec::new();
    for o in orders.iter().filter(|o| !o.is_cancelled()) {
        for l in &o.lines {
            let Some((product_id, sku_id)) = l.product_sku() else {
                continue;
            };
            let facts = catalog.sku_facts(&product_id, &sku_id);
            let kind = kinds::classify_order_line(l, facts.as_ref());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{ReservationType, Scope, Term};
    use crate::partner_center::wire::Order;
    use crate::plan::HoldingKind;
    use serde_json::json;

    fn catalog() -> Catalog {
        let url = url::Url::parse("http://127.0.0.1:9").expect("url");
        let creds = crate::partner_center::Credentials::AccessToken(
            crate::partner_center::Secret::new("t"),
        );
        let client = crate::partner_center::Client::new(crate::partner_center::ClientConfig::new(
            url, creds,
        ))
        .expect("client");
        Catalog::new(Reader::new(&client))
    }

    fn entitlements() -> Vec<Entitlement> {
        serde_json::from_value(json!([
            { "referenceOrder": { "id": "o1", "lineItemId": "1" }, "productId": "dzh318z0aaaa",
              "skuId": "0002", "quantity": 3, "entitlementType": "reservedinstance",
              "dynamicAttributes": { "reservationType": "virtualmachines" },
              "expiryDate": "2027-01-01T00:00:00" },
            { "referenceOrder": { "id": "o1", "lineItemId": "7" }, "productId": "DZH318Z0AAAA",
              "skuId": "0002", "quantity": 1, "entitlementType": "reservedInstance" },
            { "referenceOrder": { "id": "o2", "lineItemId": "0" }, "productId": "DG7GMGF0DWM3",
              "skuId": "0002", "quantity": 5, "entitlementType": "software" },
        ]))
        .expect("entitlements")
    }

    fn order() -> OrderSummary {
        let o: Order = serde_json::from_value(json!({
            "id": "o1", "status": "completed", "lineItems": [
                { "lineItemNumber": 0, "offerId": "DZH318Z0BBBB:0001:A", "quantity": 9,
                  "provisioningContext": { "subscriptionId": "other", "scope": "single", "duration": "1Year" } },
                { "lineItemNumber": 1, "offerId": "DZH318Z0AAAA:0002:A", "quantity": 3,
                  "friendlyName": "web", "termDuration": "P3Y",
                  "provisioningContext": { "subscriptionId": "9A51D0E2", "scope": "Shared" } },
            ]
        }))
        .expect("order");
        OrderSummary::from_wire(&o)
    }

    #[test]
    fn reservations_are_attributed_through_the_order_line_they_reference() {
        let ents = entitlements();
        assert_eq!(
            orders_to_attribute(&ents),
            BTreeSet::from(["o1".to_owned()])
        );
        let orders = BTreeMap::from([("o1".to_owned(), order())]);
        let h = from_entitlements(&ents, &orders, &catalog());
        assert_eq!(h.len(), 3);
        let HoldingKind::Reservation(a) = &h[0].kind else {
            panic!("reservation expected: {h:?}");
        };
        assert_eq!(a.subscription_id.as_deref(), Some("9a51d0e2"));
        assert_eq!(
            a.term,
            Some(Term::P3Y),
            "termDuration when the context has no duration"
        );
        assert_eq!(a.scope, Some(Scope::Shared));
        assert_eq!(a.reservation_type, Some(ReservationType::Vm));
        assert_eq!(h[0].product_id, "DZH318Z0AAAA");
        assert_eq!(h[0].quantity, 3);
        assert_eq!(h[0].title.as_deref(), Some("web"));
        assert_eq!(h[0].expiry.as_deref(), Some("2027-01-01T00:00:00Z"));
        // Line 7 does not exist: the line with the same product and SKU is used.
        let HoldingKind::Reservation(b) = &h[1].kind else {
            panic!("reservation expected");
        };
        assert_eq!(b.subscription_id.as_deref(), Some("9a51d0e2"));
        assert_eq!(h[2].kind, HoldingKind::Software);
    }

    #[test]
    fn without_the_order_a_reservation_is_not_attributed() {
        let h = from_entitlements(&entitlements(), &BTreeMap::new(), &catalog());
        let HoldingKind::Reservation(a) = &h[0].kind else {
            panic!("reservation expected");
        };
        assert_eq!(
            (a.subscription_id.as_ref(), a.term, a.scope),
            (None, None, None)
        );
    }

    #[test]
    fn orders_fallback_skips_cancelled_orders_and_tells_reservations_from_software() {
        let mut cancelled = order();
        cancelled.id = "o9".into();
        cancelled.status = "cancelled".into();
        let software: Order = serde_json::from_value(json!({
            "id": "o2", "status": "completed",
            "lineItems": [{ "lineItemNumber": 0, "offerId": "DG7GMGF0DWM3:0002:X", "quantity": 5 }]
        }))
        .expect("order");
        let h = from_orders(
            &[order(), cancelled, OrderSummary::from_wire(&software)],
            &catalog(),
        );
        assert_eq!(
            h.len(),
            3,
            "two reservation lines and one software line: {h:?}"
        );
        assert!(h.iter().all(|x| x.order_id != "o9"));
        assert_eq!(h[2].kind, HoldingKind::Software);
        assert_eq!(h[2].quantity, 5);
        let HoldingKind::Reservation(a) = &h[0].kind else {
            panic!("reservation expected");
        };
        assert_eq!((a.term, a.scope), (Some(Term::P1Y), Some(Scope::Single)));
    }
}
