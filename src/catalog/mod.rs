//! Catalog: product → SKU → availability resolution, inventory checks, and a per-run cache keyed
//! by (country, reservation scope, target view). Decides nothing about what to buy.
//!
//! One [`Catalog`] is shared by every customer of a run. Each [`ViewKey`] is read once (products,
//! then SKUs per product) no matter how many customers and items need it; availabilities are
//! read once per (country, scope, product, SKU) actually resolved; the inventory check runs once
//! per (customer, subscription, SKU, region), and only for items that would be bought. Failures are cached too, so a broken view costs one
//! attempt per run, not one per customer. Concurrent callers of the same key wait for the one
//! fetch in flight (`tokio::sync::OnceCell` per key).
//!
//! With [`Catalog::for_desired`] a reservation view lists the SKUs of only the products the
//! manifests need ([`wanted`]), and [`Catalog::cover`] lists more when holdings name them. With a
//! store cache ([`Catalog::with_store_cache`]) views, and the SKUs a customer's own catalog lists
//! ([`customer_skus`], savings plans), are kept between runs for a day ([`stored`]);
//! availabilities never are.
//!
//! `plan` (and the plan phase of `apply`) reads availabilities only for items whose row has a
//! shortfall ([`Freshness::DeferAvailability`] first, then the rows that want to buy): a
//! no-change plan reads none.
//!
//! `apply` resolves with [`Freshness::Fresh`] right before buying: availabilities and inventory
//! are read again (availability ids change over time, docs/partner-center.md §8), while the
//! product/SKU listing of the run is reused.

mod availability;
mod customer_skus;
mod resolve;
pub mod stored;
pub(crate) use availability::pick_availability;
pub use availability::{AmbiguousAvailability, CUSTOMER_SEGMENT};
pub use resolve::Buyer;
pub(crate) use resolve::{catalog_item, failed};
pub mod search;
mod search_prices;
mod search_savings;
pub mod search_text;
pub mod view;
pub mod wanted;

pub use view::{SkuEntry, View, ViewKey};

use crate::manifest::ReservationType;
use crate::partner_center::ApiError;
use crate::partner_center::Reader;
use crate::partner_center::wire::{Availability, ItemType};
use crate::plan::Inventory;
use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Whether cached availabilities and inventory answers may be used, and whether they are read
/// at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Use what this run already read (plan).
    Cached,
    /// Like [`Freshness::Cached`], but an inventory check the run has not made yet is not made:
    /// the item shows [`Inventory::Unknown`] (observe, for an item whose row has a shortfall but
    /// would not buy: a blocked row).
    DeferInventory,
    /// Like [`Freshness::DeferInventory`], for an item the cart will check: an inventory check
    /// the run has not made is [`Inventory::ByCart`] (apply,
    /// [`crate::observe::InventoryCheck::Cart`]).
    ByCart,
    /// The item resolves to its SKU only: no availability is read
    /// ([`crate::plan::CatalogItem::availability`] is `None`) and inventory is as for
    /// [`Freshness::DeferInventory`]. Observe resolves every declared item this way, then reads
    /// availabilities only for the items whose row has a shortfall, and checks inventory only
    /// for those it would buy: a no-change plan reads neither (issue 13). What holdings are
    /// matched on — product and SKU ids, the SKU's ARM names — is all there.
    DeferAvailability,
    /// Read availabilities again and replace the cached answers (apply, when an availability
    /// went stale). Inventory is checked again unless this run found it available within
    /// [`INVENTORY_REUSE`].
    Fresh,
}

/// How long an `available` inventory answer of this run stands for a [`Freshness::Fresh`]
/// resolution (apply checks inventory under the customer's lock moments before it buys; a
/// restricted SKU is also refused by the cart itself).
pub const INVENTORY_REUSE: std::time::Duration = std::time::Duration::from_secs(600);

/// A catalog read that failed, kept for the rest of the run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CatalogFailure {
    pub message: String,
    /// Partner Center refused app-only credentials (403/900329).
    pub app_user_required: bool,
}

impl From<&ApiError> for CatalogFailure {
    fn from(e: &ApiError) -> Self {
        CatalogFailure {
            message: e.to_string(),
            app_user_required: matches!(e, ApiError::AppUserRequired { .. }),
        }
    }
}

/// What the catalog knows about a SKU, for attributing holdings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuFacts {
    pub reservation_type: Option<ReservationType>,
    pub arm_sku_name: Option<String>,
    /// Lower-case.
    pub arm_region_name: Option<String>,
    pub title: String,
}

type Cell<T> = Arc<OnceCell<Result<T, CatalogFailure>>>;

/// An inventory answer and when it was read (the client clock's monotonic time).
type InventoryAnswer = (Inventory, std::time::Duration);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct AvailabilityKey {
    country: String,
    azure_plan: bool,
    product_id: String,
    sku_id: String,
}

/// (country, product id), upper-case.
type ProductKey = (String, String);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct InventoryKey {
    country: String,
    customer_id: String,
    subscription_id: Option<String>,
    product_id: String,
    sku_id: String,
    region: Option<String>,
}

/// The run-wide catalog cache. Cheap to share by reference across tasks.
pub struct Catalog {
    reader: Reader,
    /// The state store's cache, where views are kept between runs ([`stored`]).
    store: Option<Arc<dyn crate::store::Cache>>,
    views: Mutex<HashMap<ViewKey, Cell<Arc<View>>>>,
    availabilities: Mutex<HashMap<AvailabilityKey, Cell<Arc<Vec<Availability>>>>>,
    /// Inventory answers of the run, with when they were read.
    inventory: Mutex<HashMap<InventoryKey, Arc<OnceCell<InventoryAnswer>>>>,
    /// `productType` per (country, product id).
    product_types: Mutex<HashMap<ProductKey, Cell<Option<ItemType>>>>,
    /// SKUs of a product in a customer's own catalog ([`customer_skus`]).
    customer_skus:
        Mutex<HashMap<customer_skus::CustomerSkusKey, Arc<Vec<crate::partner_center::wire::Sku>>>>,
    /// What the run's manifests ask of each reservation view; `None`: read whole views.
    wanted: Option<wanted::WantedViews>,
    /// One [`Catalog::cover`] at a time (two customers naming the same product list it once).
    covering: tokio::sync::Mutex<()>,
}

impl Freshness {
    /// Whether a resolution with this freshness reads the item's availability.
    pub fn reads_availability(self) -> bool {
        self != Freshness::DeferAvailability
    }
}

impl Catalog {
    /// The read-only client the catalog reads through (kinds that read the catalog by customer).
    pub(crate) fn reader(&self) -> &Reader {
        &self.reader
    }
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("stored", &self.store.is_some())
            .finish_non_exhaustive()
    }
}

fn cell<K: Hash + Eq, V>(map: &Mutex<HashMap<K, Arc<OnceCell<V>>>>, key: K) -> Arc<OnceCell<V>> {
    map.lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(key)
        .or_default()
        .clone()
}

fn replace<K: Hash + Eq, V>(map: &Mutex<HashMap<K, Arc<OnceCell<V>>>>, key: K, value: V) {
    map.lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, Arc::new(OnceCell::new_with(Some(value))));
}

impl Catalog {
    /// An empty cache over a read-only client.
    pub fn new(reader: Reader) -> Self {
        Catalog {
            reader,
            store: None,
            views: Mutex::default(),
            availabilities: Mutex::default(),
            inventory: Mutex::default(),
            product_types: Mutex::default(),
            customer_skus: Mutex::default(),
            wanted: None,
            covering: tokio::sync::Mutex::new(()),
        }
    }

    /// Reads reservation views only as far as the reservations `desired` declares need
    /// ([`wanted`]); views the manifests do not name, and software views, are read whole.
    pub fn for_desired(mut self, desired: &crate::manifest::DesiredState) -> Self {
        self.wanted = Some(wanted::from_desired(desired));
        self
    }

    fn wanted_of(&self, key: &ViewKey) -> Option<&wanted::Wanted> {
        self.wanted
            .as_ref()?
            .get(&(key.azure_plan, key.view.clone()))
    }

    /// Keeps views in (and reads them from) the state store's cache between runs.
    pub fn with_store_cache(mut self, cache: Arc<dyn crate::store::Cache>) -> Self {
        self.store = Some(cache);
        self
    }

    /// The products and SKUs of a view, read once per run (and, with a store cache, once per
    /// [`stored::VIEW_TTL`]).
    pub async fn view(&self, key: &ViewKey) -> Result<Arc<View>, CatalogFailure> {
        let c = cell(&self.views, key.clone());
        let wanted = self.wanted_of(key);
        c.get_or_init(|| async {
            if let Some(cache) = &self.store
                && let Some(v) = stored::load(cache.as_ref(), key, self.reader.clock().wall()).await
                && (v.is_complete() || wanted.is_some_and(|w| w.answered_by(&v)))
            {
                tracing::debug!("catalog: {} from the state store", key.describe());
                return Ok(Arc::new(v));
            }
            tracing::debug!("catalog: reading {}", key.describe());
            let v = View::load_wanted(&self.reader, key.clone(), wanted)
                .await
                .map_err(|e| CatalogFailure::from(&e))?;
            if let Some(cache) = &self.store {
                stored::save(cache.as_ref(), &v, self.reader.clock().wall()).await;
            }
            Ok(Arc::new(v))
        })
        .await
        .clone()
    }

    /// The availabilities of a SKU in a country and scope.
    pub async fn availabilities(
        &self,
        key: &ViewKey,
        product_id: &str,
        sku_id: &str,
        freshness: Freshness,
    ) -> Result<Arc<Vec<Availability>>, CatalogFailure> {
        let k = AvailabilityKey {
            country: key.country.clone(),
            azure_plan: key.azure_plan,
            product_id: product_id.to_ascii_uppercase(),
            sku_id: sku_id.to_ascii_lowercase(),
        };
        let fetch = || async {
            self.reader
                .list_availabilities(
                    product_id,
                    sku_id,
                    &key.country,
                    key.scope().as_ref(),
                    CUSTOMER_SEGMENT,
                )
                .await
                .map(Arc::new)
                .map_err(|e| CatalogFailure::from(&e))
        };
        match freshness {
            Freshness::Cached
            | Freshness::DeferInventory
            | Freshness::ByCart
            | Freshness::DeferAvailability => cell(&self.availabilities, k)
                .get_or_init(fetch)
                .await
                .clone(),
            Freshness::Fresh => {
                let v = fetch().await;
                replace(&self.availabilities, k, v.clone());
                v
            }
        }
    }

    /// A product's catalog type (`productType`), read once per (country, product) per run.
    pub async fn product_type(
        &self,
        country: &str,
        product_id: &str,
    ) -> Result<Option<ItemType>, CatalogFailure> {
        let k = (
            country.to_ascii_uppercase(),
            product_id.to_ascii_uppercase(),
        );
        cell(&self.product_types, k)
            .get_or_init(|| async {
                self.reader
                    .get_product_type(product_id, country)
                    .await
                    .map_err(|e| CatalogFailure::from(&e))
            })
            .await
            .clone()
    }

    /// Lists the SKUs of `products` (upper-case ids) in every view of `country` read so far that
    /// sells them but was read only in part, so [`Catalog::sku_facts`] knows them as a whole
    /// view would (holdings of products no declared item names). Failures are logged: the
    /// facts stay unknown, as for a product of a view the run did not read.
    pub async fn cover(&self, country: &str, products: &BTreeSet<String>) {
        let country = country.trim().to_ascii_uppercase();
        let partial = |this: &Self| -> Vec<(ViewKey, Arc<View>)> {
            this.views
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .filter(|(k, _)| k.country == country)
                .filter_map(|(k, c)| Some((k.clone(), c.get()?.as_ref().ok()?.clone())))
                .filter(|(_, v)| !v.unlisted_of(products).is_empty())
                .collect()
        };
        if partial(self).is_empty() {
            return;
        }
        let _one = self.covering.lock().await;
        for (key, view) in partial(self) {
            let more = view.unlisted_of(products);
            let base = View::from_listed(
                key.clone(),
                view.products.clone(),
                view.skus.clone(),
                view.listed().clone(),
            );
            match base.extend(&self.reader, &more).await {
                Ok(v) => {
                    if let Some(cache) = &self.store {
                        stored::save(cache.as_ref(), &v, self.reader.clock().wall()).await;
                    }
                    replace(&self.views, key, Ok(Arc::new(v)));
                }
                Err(e) => tracing::warn!(
                    "catalog: cannot list the SKUs of {} in {}: {e}",
                    more.join(", "),
                    key.describe()
                ),
            }
        }
    }

    /// What the views read so far say about a SKU (no API call).
    pub fn sku_facts(&self, product_id: &str, sku_id: &str) -> Option<SkuFacts> {
        let views: Vec<Arc<View>> = self
            .views
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .filter_map(|c| c.get().and_then(|r| r.as_ref().ok()).cloned())
            .collect();
        views.iter().find_map(|v| {
            let e = v.find_id(product_id, sku_id)?;
            Some(SkuFacts {
                reservation_type: reservation_type_of_view(&v.key.view),
                arm_sku_name: e.arm_sku_name.clone(),
                arm_region_name: e.arm_region_name.clone(),
                title: e.title(),
            })
        })
    }
}

/// The reservation type a target view lists (`None` for software views).
pub fn reservation_type_of_view(view: &str) -> Option<ReservationType> {
    [
        ReservationType::Vm,
        ReservationType::Sql,
        ReservationType::Cosmosdb,
    ]
    .into_iter()
    .find(|t| t.target_view().eq_ignore_ascii_case(view))
}
