//! The on-disk cache of completed orders: `<state_dir>/cache/orders/<customer>/<order>.json`.
//! A completed order never changes, so a repeat plan reads its attribution (the lines'
//! `provisioningContext`) from here instead of fetching it again. Only `completed` orders are
//! written; an unreadable or damaged entry is treated as missing (and fetched again).

use crate::manifest::{Scope, Term};
use crate::partner_center::wire::{Order, OrderLineItem, OrderStatus};
use crate::plan::{scope_from_wire, term_from_wire};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

/// The cache directory of a state dir.
#[derive(Debug, Clone)]
pub struct OrderCache {
    dir: PathBuf,
}

fn file_name(id: &str) -> String {
    format!("{}.json", safe_name(id))
}

/// The id itself when it is a plain name, else a hash of it.
fn safe_name(id: &str) -> String {
    let plain = !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plain {
        id.to_owned()
    } else {
        let d = Sha256::digest(id.as_bytes());
        let hex: String = d[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!("h-{hex}")
    }
}

impl OrderCache {
    pub fn new(state_dir: &Path) -> Self {
        OrderCache {
            dir: state_dir.join("cache").join("orders"),
        }
    }

    fn path(&self, customer_id: &str, order_id: &str) -> PathBuf {
        self.dir
            .join(safe_name(&customer_id.to_ascii_lowercase()))
            .join(file_name(order_id))
    }

    /// A cached completed order, if present and readable.
    pub fn get(&self, customer_id: &str, order_id: &str) -> Option<OrderSummary> {
        let bytes = std::fs::read(self.path(customer_id, order_id)).ok()?;
        let f: CacheFile = serde_json::from_slice(&bytes).ok()?;
        (f.format == FORMAT && f.order.id == order_id && f.order.is_completed()).then_some(f.order)
    }

    /// Stores a completed order (others are ignored). Failures are logged, never fatal.
    pub fn put(&self, customer_id: &str, order: &OrderSummary) {
        if !order.is_completed() {
            return;
        }
        let path = self.path(customer_id, &order.id);
        let write = || -> std::io::Result<()> {
            let dir = path.parent().unwrap_or(&self.dir);
            std::fs::create_dir_all(dir)?;
            let text = serde_json::to_vec_pretty(&CacheFile {
                format: FORMAT,
                order: order.clone(),
            })
            .map_err(std::io::Error::other)?;
            let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
            std::io::Write::write_all(&mut tmp, &text)?;
            tmp.persist(&path).map_err(|e| e.error)?;
            Ok(())
        };
        if let Err(e) = write() {
            tracing::warn!("cannot cache order {} in {}: {e}", order.id, path.display());
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

    #[test]
    fn completed_orders_round_trip_and_others_are_not_cached() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = OrderCache::new(dir.path());
        let pending = OrderSummary::from_wire(&order("pending"));
        cache.put("C1", &pending);
        assert_eq!(cache.get("c1", "ord-1"), None);
        let done = OrderSummary::from_wire(&order("completed"));
        cache.put("C1", &done);
        let back = cache.get("c1", "ord-1").expect("cached");
        assert_eq!(back, done);
        let line = back.line("0").expect("line 0");
        assert_eq!(line.context("subscriptionId"), Some("9A51"));
        assert_eq!(
            line.product_sku(),
            Some(("DZH318Z0ABCD".into(), "0001".into()))
        );
        assert!(dir.path().join("cache/orders/c1/ord-1.json").is_file());
    }

    #[test]
    fn odd_order_ids_get_safe_file_names() {
        assert_eq!(file_name("9qg-ErcO_1"), "9qg-ErcO_1.json");
        assert!(file_name("../x").starts_with("h-"));
        assert!(file_name("a/b").starts_with("h-"));
    }
}
