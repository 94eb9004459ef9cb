//! The SKUs of a product in a customer's own catalog (`GET /v1/customers/{c}/products/{p}/skus`,
//! savings plans), read once per run per (customer, product, view) and kept in the state store's
//! cache (namespace `catalog/customer-skus`) for [`super::stored::VIEW_TTL`], as views are: SKU
//! metadata is stable, so a repeat no-change plan of a customer with a savings plan lists
//! nothing (issue 13). Availabilities are never kept. Only answers are cached, never failures
//! (a 404 says the product is not sold to the customer, and is asked again next run); any cache
//! failure reads as a miss.

use super::Catalog;
use crate::partner_center::ApiError;
use crate::partner_center::wire::Sku;
use crate::store::{Cache, CacheEntry};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

const NAMESPACE: &str = "catalog/customer-skus";
const FORMAT: u32 = 1;

/// (lower-case customer id, upper-case product id, target view).
pub(super) type CustomerSkusKey = (String, String, String);

#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    skus: Vec<Sku>,
}

fn key_name(key: &CustomerSkusKey) -> String {
    let text = format!("{}|{}|{}", key.0, key.1, key.2);
    crate::store::cache::hashed_name("s", &text)
}

/// The cached SKUs, if present, unexpired at `now` (the run's clock) and readable.
async fn load(cache: &dyn Cache, key: &CustomerSkusKey, now: DateTime<Utc>) -> Option<Vec<Sku>> {
    let v = cache.get(NAMESPACE, &key_name(key), now).await.ok()??;
    let stored: Stored = serde_json::from_value(v).ok()?;
    (stored.format == FORMAT).then_some(stored.skus)
}

/// Keeps the SKUs for [`super::stored::VIEW_TTL`] from `now` (the run's clock).
async fn save(cache: &dyn Cache, key: &CustomerSkusKey, skus: &[Sku], now: DateTime<Utc>) {
    let Ok(value) = serde_json::to_value(Stored {
        format: FORMAT,
        skus: skus.to_vec(),
    }) else {
        return;
    };
    let entry = CacheEntry {
        expires_at: Some(now + super::stored::VIEW_TTL),
        value,
    };
    if let Err(e) = cache.put(NAMESPACE, &key_name(key), &entry).await {
        tracing::warn!(
            "cannot cache the SKUs of product {} for a customer: {e}",
            key.1
        );
    }
}

impl Catalog {
    /// The SKUs of `product_id` in customer `customer_id`'s catalog for `view`: from this run,
    /// else from the state store's cache, else read (and kept).
    pub(crate) async fn customer_skus(
        &self,
        customer_id: &str,
        product_id: &str,
        view: &str,
    ) -> Result<Arc<Vec<Sku>>, ApiError> {
        let key: CustomerSkusKey = (
            customer_id.trim().to_ascii_lowercase(),
            product_id.trim().to_ascii_uppercase(),
            view.to_owned(),
        );
        let known = |this: &Self| {
            this.customer_skus
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&key)
                .cloned()
        };
        if let Some(skus) = known(self) {
            return Ok(skus);
        }
        let stored = match &self.store {
            Some(cache) => load(cache.as_ref(), &key, self.reader.clock().wall()).await,
            None => None,
        };
        let skus = match stored {
            Some(s) => Arc::new(s),
            None => {
                let read = self
                    .reader
                    .list_customer_skus(customer_id, product_id, view)
                    .await?;
                if let Some(cache) = &self.store {
                    save(cache.as_ref(), &key, &read, self.reader.clock().wall()).await;
                }
                Arc::new(read)
            }
        };
        self.customer_skus
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, skus.clone());
        Ok(skus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A savings-plan SKU as the sandbox lists it (string-valued minimum, `termDuration`).
    fn sku() -> Sku {
        serde_json::from_value(json!({
            "id": "0001", "productId": "DZH318Z09V6F", "title": "Compute savings plan, 1 year",
            "minimumPurchaseCommitment": { "amount": "0.100", "currencyCode": { "code": "USD" },
                                           "grain": "Hourly" },
            "dynamicAttributes": { "termDuration": "P1Y" },
        }))
        .expect("sku json")
    }

    #[tokio::test]
    async fn customer_skus_round_trip_through_the_store_as_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = crate::store::dir::DirCache::new(dir.path());
        let key: CustomerSkusKey = ("c1".into(), "DZH318Z09V6F".into(), "Azure".into());
        let clock = crate::time::ManualClock::new();
        let now = || crate::time::Clock::wall(&clock);
        assert!(load(&cache, &key, now()).await.is_none());
        save(&cache, &key, &[sku()], now()).await;
        let back = load(&cache, &key, now()).await.expect("cached");
        assert_eq!(back.len(), 1);
        let p = crate::kinds::savings_plan::catalog::sku_term(&back[0]);
        assert_eq!(p.ok(), Some(crate::manifest::Term::P1Y));
        let m = crate::kinds::savings_plan::catalog::minimum_commitment(&back[0])
            .expect("minimum")
            .expect("stated");
        let first = crate::kinds::savings_plan::catalog::minimum_commitment(&sku())
            .expect("minimum")
            .expect("stated");
        assert_eq!(m, first, "the minimum reads back as it was read");
        let other: CustomerSkusKey = ("c2".into(), "DZH318Z09V6F".into(), "Azure".into());
        assert!(
            load(&cache, &other, now()).await.is_none(),
            "keyed by customer"
        );
        // Kept 24 h on the run's clock, like the views.
        clock.advance(std::time::Duration::from_secs(24 * 3600 - 1));
        assert!(load(&cache, &key, now()).await.is_some());
        clock.advance(std::time::Duration::from_secs(1));
        assert!(load(&cache, &key, now()).await.is_none(), "expired");
    }
}
