//! Catalog views kept in the state store's [`Cache`] (namespace `catalog/views`), so repeat runs do
//! not list products and SKUs again (a partial view, read for one run's wanted items, serves a
//! later run only when it answers for that run's items too): product and SKU metadata is stable, and an entry expires
//! after [`VIEW_TTL`]. Availabilities are never kept here (their ids change over time; they are
//! read per run, and again right before buying). Any cache failure reads as a miss.

use super::view::{SkuEntry, View, ViewKey};
use crate::partner_center::wire::{Product, Sku};
use crate::store::{Cache, CacheEntry};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How long a cached catalog view is trusted.
pub const VIEW_TTL: chrono::Duration = chrono::Duration::hours(24);

const NAMESPACE: &str = "catalog/views";
const FORMAT: u32 = 2;

#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    products: Vec<Product>,
    /// Each SKU with the index of its product.
    skus: Vec<(usize, Sku)>,
    /// Upper-case ids of the products whose SKUs were listed (a partial view read for a run's
    /// wanted items, [`super::wanted`]).
    listed: BTreeSet<String>,
}

/// The cache key of a view: a hash of (country, scope, view).
fn key_name(key: &ViewKey) -> String {
    let text = format!("{}|{}|{}", key.country, key.azure_plan, key.view);
    crate::store::cache::hashed_name("v", &text)
}

/// The cached view, if present, unexpired at `now` (the run's clock) and readable.
pub async fn load(cache: &dyn Cache, key: &ViewKey, now: DateTime<Utc>) -> Option<View> {
    let v = cache.get(NAMESPACE, &key_name(key), now).await.ok()??;
    let stored: Stored = serde_json::from_value(v).ok()?;
    if stored.format != FORMAT {
        return None;
    }
    let mut skus = Vec::with_capacity(stored.skus.len());
    for (i, sku) in stored.skus {
        skus.push(SkuEntry::new(stored.products.get(i)?, sku));
    }
    Some(View::from_listed(
        key.clone(),
        stored.products,
        skus,
        stored.listed,
    ))
}

/// Keeps a view read from Partner Center for [`VIEW_TTL`] from `now` (the run's clock).
pub async fn save(cache: &dyn Cache, view: &View, now: DateTime<Utc>) {
    let skus: Vec<(usize, Sku)> = view
        .skus
        .iter()
        .filter_map(|e| {
            let i = view
                .products
                .iter()
                .position(|p| p.id.trim().eq_ignore_ascii_case(&e.product_id))?;
            Some((i, e.sku.clone()))
        })
        .collect();
    let stored = Stored {
        format: FORMAT,
        products: view.products.clone(),
        skus,
        listed: view.listed().clone(),
    };
    let Ok(value) = serde_json::to_value(&stored) else {
        return;
    };
    let entry = CacheEntry {
        expires_at: Some(now + VIEW_TTL),
        value,
    };
    if let Err(e) = cache.put(NAMESPACE, &key_name(&view.key), &entry).await {
        tracing::warn!("cannot cache the catalog view {}: {e}", view.key.describe());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Clock, ManualClock};
    use std::time::Duration;

    #[tokio::test]
    async fn a_view_round_trips_through_the_store_and_expires() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = crate::store::dir::DirCache::new(dir.path());
        let v = crate::catalog::view::tests::view(&[
            ("P1", "0001", "Standard_D2s_v5", "eastus", "1Year"),
            ("P2", "0002", "Standard_D4s_v5", "eastus", "3Years"),
        ]);
        let clock = ManualClock::new();
        assert!(load(&cache, &v.key, clock.wall()).await.is_none());
        save(&cache, &v, clock.wall()).await;
        let back = load(&cache, &v.key, clock.wall()).await.expect("cached");
        assert_eq!(back.skus.len(), 2);
        let e = back
            .find_arm("Standard_D4s_v5", "eastus", crate::manifest::Term::P3Y)
            .expect("found");
        assert_eq!((e.product_id.as_str(), e.sku.id.as_str()), ("P2", "0002"));
        let other = ViewKey::new("de", true, "AzureReservationsVM");
        assert!(
            load(&cache, &other, clock.wall()).await.is_none(),
            "keyed by country"
        );
        // Expiry is decided on the run's clock: still there a second before 24 h, gone at 24 h.
        clock.advance(Duration::from_secs(24 * 3600 - 1));
        assert!(load(&cache, &v.key, clock.wall()).await.is_some());
        clock.advance(Duration::from_secs(1));
        assert!(
            load(&cache, &v.key, clock.wall()).await.is_none(),
            "expired"
        );
        assert!(clock.sleeps().is_empty(), "no wait was needed");
    }
}
