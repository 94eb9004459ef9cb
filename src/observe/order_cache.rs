//! The cache of completed orders, kept in the state store's [`Cache`] under the namespace
//! `orders/<customer>` (in a directory store: `<state_dir>/cache/orders/<customer>/<order>.json`).
//! A completed order never changes, so a repeat plan reads its attribution (the lines'
//! `provisioningContext`) from here instead of fetching it again. Only `completed` orders are
//! written there; an unreadable or damaged entry is treated as missing (and fetched again).
//! Orders `apply` places are also kept (namespace `placed/<customer>`, any status) for
//! attributing their entitlements only ([`OrderCache::get_attribution`]).

use super::wire_values::{scope_from_wire, term_from_wire};
use crate::manifest::{Scope, Term};
use crate::partner_center::wire::{Order, OrderLineItem, OrderStatus};
use crate::store::{Cache, CacheEntry};
use crate::time::Clock;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The parts of an order `observe` needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub id: String,
    /// Partner Center's `status`, lower-case.
    pub status: String,
    pub lines: Vec<OrderLineSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineSummary {
    pub line_item_number: Option<i64>,
    /// `product:sku:availability` (or a legacy offer id).
    pub offer_id: Option<String>,
    pub term_duration: Option<String>,
    pub friendly_name: Option<String>,
    pub quantity: Option<i64>,
    /// Keys lower-cased (`subscriptionid`, `scope`, `duration`).
    pub provisioning_context: BTreeMap<String, String>,
}

impl OrderSummary {
    pub fn from_wire(o: &Order) -> Self {
        OrderSummary {
            id: o.id.clone(),
            status: o
                .status
                .as_ref()
                .map_or_else(String::new, |s| s.as_str().to_ascii_lowercase()),
            lines: o
                .line_items
                .iter()
                .map(OrderLineSummary::from_wire)
                .collect(),
        }
    }

    pub fn is_completed(&self) -> bool {
        OrderStatus::parse(&self.status) == OrderStatus::Completed
    }

    pub fn is_cancelled(&self) -> bool {
        OrderStatus::parse(&self.status) == OrderStatus::Cancelled
    }

    /// The line an entitlement's `referenceOrder.lineItemId` names.
    pub fn line(&self, line_item_id: &str) -> Option<&OrderLineSummary> {
        let n: i64 = line_item_id.trim().parse().ok()?;
        self.lines.iter().find(|l| l.line_item_number == Some(n))
    }
}

impl OrderLineSummary {
    pub fn from_wire(l: &OrderLineItem) -> Self {
        OrderLineSummary {
            line_item_number: l.line_item_number,
            offer_id: l.offer_id.clone(),
            term_duration: l.term_duration.clone(),
            friendly_name: l.friendly_name.clone(),
            quantity: l.quantity,
            provisioning_context: l
                .provisioning_context
                .keys()
                .filter_map(|k| Some((k.to_ascii_lowercase(), l.context(k)?)))
                .collect(),
        }
    }

    /// What a reservation bought by this line is attributed to — (subscription, term, scope) —
    /// from its `provisioningContext` (`subscriptionId`, `duration`, `scope`), the term falling
    /// back to the line's `termDuration`.
    pub fn attribution(&self) -> (Option<String>, Option<Term>, Option<Scope>) {
        let subscription = self
            .context("subscriptionId")
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty());
        let term = self
            .context("duration")
            .and_then(term_from_wire)
            .or_else(|| self.term_duration.as_deref().and_then(term_from_wire));
        let scope = self.context("scope").and_then(scope_from_wire);
        (subscription, term, scope)
    }

    pub fn context(&self, key: &str) -> Option<&str> {
        self.provisioning_context
            .get(&key.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// `(product id upper-case, sku id)` from `offerId` = `product:sku[:availability]`.
    pub fn product_sku(&self) -> Option<(String, String)> {
        let mut parts = self.offer_id.as_deref()?.split(':');
        let p = parts.next()?.trim();
        let s = parts.next()?.trim();
        (!p.is_empty() && !s.is_empty()).then(|| (p.to_ascii_uppercase(), s.to_owned()))
    }
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    order: OrderSummary,
}

const FORMAT: u32 = 1;

/// The completed-order cache over a store's [`Cache`].
#[derive(Clone)]
pub struct OrderCache {
    cache: Arc<dyn Cache>,
    /// Expiry of placed orders is decided on this clock's wall time.
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for OrderCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderCache").finish_non_exhaustive()
    }
}

#[cfg(test)]
fn file_name(id: &str) -> String {
    format!("{}.json", safe_name(id))
}

/// The id itself when it is a plain name, else a hash of it.
fn safe_name(id: &str) -> String {
    crate::store::cache::plain_or_hashed(id)
}

fn namespace(customer_id: &str) -> String {
    format!("orders/{}", safe_name(&customer_id.to_ascii_lowercase()))
}

fn placed_namespace(customer_id: &str) -> String {
    format!("placed/{}", safe_name(&customer_id.to_ascii_lowercase()))
}

/// How long an order placed by `apply` is kept for attribution.
pub const PLACED_TTL: chrono::Duration = chrono::Duration::days(30);

impl OrderCache {
    /// The order cache of a directory store, on the real clock.
    pub fn new(state_dir: &Path) -> Self {
        OrderCache::over(
            Arc::new(crate::store::dir::DirCache::new(state_dir)),
            crate::time::system(),
        )
    }

    /// The order cache over any store's cache, expiring on `clock`.
    pub fn over(cache: Arc<dyn Cache>, clock: Arc<dyn Clock>) -> Self {
        OrderCache { cache, clock }
    }

    /// A cached completed order, if present and readable.
    pub async fn get(&self, customer_id: &str, order_id: &str) -> Option<OrderSummary> {
        let value = self
            .cache
            .get(
                &namespace(customer_id),
                &safe_name(order_id),
                self.clock.wall(),
            )
            .await
            .ok()??;
        let f: CacheFile = serde_json::from_value(value).ok()?;
        (f.format == FORMAT && f.order.id == order_id && f.order.is_completed()).then_some(f.order)
    }

    /// The attribution of an order (its lines: offer, term, provisioning context): a cached
    /// completed order, else the order as this tool placed it ([`OrderCache::put_placed`]). Lines
    /// never change once placed; the status of a placed entry is not current, so callers that
    /// need the status (is it cancelled?) use [`OrderCache::get`].
    pub async fn get_attribution(&self, customer_id: &str, order_id: &str) -> Option<OrderSummary> {
        if let Some(o) = self.get(customer_id, order_id).await {
            return Some(o);
        }
        let value = self
            .cache
            .get(
                &placed_namespace(customer_id),
                &safe_name(order_id),
                self.clock.wall(),
            )
            .await
            .ok()??;
        let f: CacheFile = serde_json::from_value(value).ok()?;
        (f.format == FORMAT && f.order.id == order_id).then_some(f.order)
    }

    /// Stores an order as `apply` placed it (any status), for [`OrderCache::get_attribution`]: the
    /// next plan attributes its entitlements without reading it again. Kept [`PLACED_TTL`].
    pub async fn put_placed(&self, customer_id: &str, order: &OrderSummary) {
        let Ok(value) = serde_json::to_value(CacheFile {
            format: FORMAT,
            order: order.clone(),
        }) else {
            return;
        };
        let entry = CacheEntry {
            expires_at: Some(self.clock.wall() + PLACED_TTL),
            value,
        };
        let ns = placed_namespace(customer_id);
        if let Err(e) = self.cache.put(&ns, &safe_name(&order.id), &entry).await {
            tracing::warn!("cannot cache order {}: {e}", order.id);
        }
    }

    /// Stores a completed order (others are ignored). Failures are logged, never fatal.
    pub async fn put(&self, customer_id: &str, order: &OrderSummary) {
        if !order.is_completed() {
            return;
        }
        let value = match serde_json::to_value(CacheFile {
            format: FORMAT,
            order: order.clone(),
        }) {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!("cannot cache order {}: {e}", order.id);
                return;
            }
        };
        let entry = CacheEntry {
            expires_at: None,
            value,
        };
        let ns = namespace(customer_id);
        if let Err(e) = self.cache.put(&ns, &safe_name(&order.id), &entry).await {
            tracing::warn!("cannot cache order {}: {e}", order.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order(status: &str) -> Order {
        serde_json::from_value(json!({
            "id": "ord-1", "status": status,
            "lineItems": [{ "lineItemNumber": 0, "offerId": "dzh318z0abcd:0001:AV1", "quantity": 2,
              "termDuration": "P1Y",
              "provisioningContext": { "SubscriptionId": "9A51", "scope": "Shared", "duration": "1Year" } }],
        }))
        .expect("order json")
    }

    #[tokio::test]
    async fn completed_orders_round_trip_and_others_are_not_cached() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = OrderCache::new(dir.path());
        let pending = OrderSummary::from_wire(&order("pending"));
        cache.put("C1", &pending).await;
        assert_eq!(cache.get("c1", "ord-1").await, None);
        let done = OrderSummary::from_wire(&order("completed"));
        cache.put("C1", &done).await;
        let back = cache.get("c1", "ord-1").await.expect("cached");
        assert_eq!(back, done);
        let line = back.line("0").expect("line 0");
        assert_eq!(line.context("subscriptionId"), Some("9A51"));
        assert_eq!(
            line.product_sku(),
            Some(("DZH318Z0ABCD".into(), "0001".into()))
        );
        assert!(dir.path().join("cache/orders/c1/ord-1.json").is_file());
    }

    #[tokio::test]
    async fn a_placed_order_attributes_but_never_answers_for_its_status() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = OrderCache::new(dir.path());
        let placed = OrderSummary::from_wire(&order("pending"));
        cache.put_placed("C1", &placed).await;
        assert_eq!(
            cache.get("c1", "ord-1").await,
            None,
            "not a completed order"
        );
        assert_eq!(cache.get_attribution("c1", "ord-1").await, Some(placed));
        assert_eq!(cache.get_attribution("c2", "ord-1").await, None);
    }

    #[tokio::test]
    async fn a_placed_order_is_kept_30_days_on_the_run_clock_and_a_completed_one_for_good() {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = crate::time::ManualClock::new();
        let cache = OrderCache::over(
            Arc::new(crate::store::dir::DirCache::new(dir.path())),
            Arc::new(clock.clone()),
        );
        let placed = OrderSummary::from_wire(&order("pending"));
        cache.put_placed("C1", &placed).await;
        clock.advance(std::time::Duration::from_secs(30 * 86_400 - 1));
        assert_eq!(cache.get_attribution("c1", "ord-1").await, Some(placed));
        clock.advance(std::time::Duration::from_secs(1));
        assert_eq!(cache.get_attribution("c1", "ord-1").await, None, "expired");
        let done = OrderSummary::from_wire(&order("completed"));
        cache.put("C1", &done).await;
        clock.advance(std::time::Duration::from_secs(3650 * 86_400));
        assert_eq!(cache.get("c1", "ord-1").await, Some(done), "never expires");
    }

    #[test]
    fn odd_order_ids_get_safe_file_names() {
        assert_eq!(file_name("9qg-ErcO_1"), "9qg-ErcO_1.json");
        assert!(file_name("../x").starts_with("h-"));
        assert!(file_name("a/b").starts_with("h-"));
    }
}
