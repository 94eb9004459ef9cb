//! Completing the catalog resolution of the items a customer's plan wants to buy (issue 13).
//!
//! Observe first resolves every declared item to its SKU only
//! ([`Freshness::DeferAvailability`]): that is all holdings, pending purchases and the activity
//! log are matched on (product and SKU ids, the SKU's ARM names). A diff of this customer alone
//! (no limits, so it buys at least what the run's plan buys) then says which rows have a
//! shortfall, and only their items are resolved again with their availability:
//!
//! * a row that would buy: availability and inventory check ([`Freshness::Cached`]); when the
//!   cart checks inventory ([`InventoryCheck::Cart`], apply), availability alone
//!   ([`Freshness::ByCart`]: the item's inventory is [`crate::plan::Inventory::ByCart`]) unless
//!   the item acknowledges a known block;
//! * a row with a shortfall that something blocks: availability, inventory only as already
//!   known ([`Freshness::DeferInventory`]), so its reason is what it always was (an item the
//!   catalog no longer sells is named first).
//!
//! Rows that buy nothing (`ok`, `surplus`, `pending`) keep their SKU-only resolution: a
//! no-change plan reads no availability, checks no inventory (and, as it prices only what it
//! buys, reads no price sheet). A customer who owns what they declared is not told the catalog
//! stopped selling that term; `catalog search` and a plan that buys more still say so.

use super::InventoryCheck;
use crate::catalog::{Buyer, Catalog, Freshness};
use crate::kinds;
use crate::manifest::{DesiredCustomer, DesiredState, Limits, PurchaseKey};
use crate::plan::{CustomerObservation, Observation, ObservedCustomer, Resolution};

/// What the customer's plan does with a row that has a shortfall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wants {
    /// It would buy.
    Buy,
    /// Something blocks it.
    Blocked,
}

/// Resolves again, with their availability, the items of `observed` whose row has a shortfall
/// (see the module doc). `observed_at` is when the run's observation started (the diff measures
/// expiry against it, as the plan's does); `inventory` says who checks the inventory of an item
/// to buy.
pub(super) async fn complete(
    catalog: &Catalog,
    observed_at: chrono::DateTime<chrono::Utc>,
    inventory: InventoryCheck,
    dc: &DesiredCustomer,
    observed: &mut ObservedCustomer,
) {
    let incomplete =
        |r: &Resolution| matches!(r, Resolution::Found(ci) if ci.availability.is_none());
    if !observed
        .resolutions
        .iter()
        .any(|r| incomplete(&r.resolution))
    {
        return;
    }
    let wanting = shortfalls(dc, observed, observed_at);
    if wanting.is_empty() {
        return;
    }
    let buyer = Buyer {
        customer_id: &dc.id,
        country: &observed.country,
    };
    let items = kinds::items(dc);
    // Blocked rows first, so that their inventory state is only what was already known, as
    // before any check of this customer.
    for pass in [Wants::Blocked, Wants::Buy] {
        let again = observed
            .resolutions
            .iter_mut()
            .filter(|r| incomplete(&r.resolution))
            .filter(|r| wanting.iter().any(|(k, w)| *k == r.key && *w == pass))
            .filter_map(|r| {
                let item = items.iter().find(|i| i.key(&dc.id) == r.key)?;
                let freshness = freshness(pass, inventory, item.blocked_ok().is_some());
                Some(async move {
                    r.resolution = item.resolve(catalog, buyer, freshness).await;
                })
            });
        futures::future::join_all(again).await;
    }
}

/// How an item whose row has a shortfall is resolved again: with its availability; its inventory
/// checked only when the row would buy and the observation checks it (or the item acknowledges a
/// known block, which only an observed restriction can show as acknowledged).
fn freshness(pass: Wants, inventory: InventoryCheck, acknowledges_a_block: bool) -> Freshness {
    match (pass, inventory) {
        (Wants::Blocked, _) => Freshness::DeferInventory,
        (Wants::Buy, InventoryCheck::Observe) => Freshness::Cached,
        (Wants::Buy, InventoryCheck::Cart) if acknowledges_a_block => Freshness::Cached,
        (Wants::Buy, InventoryCheck::Cart) => Freshness::ByCart,
    }
}

/// The purchase keys of the customer's rows with a shortfall, and whether each would buy.
fn shortfalls(
    dc: &DesiredCustomer,
    observed: &ObservedCustomer,
    observed_at: chrono::DateTime<chrono::Utc>,
) -> Vec<(PurchaseKey, Wants)> {
    let one = DesiredState {
        customers: vec![dc.clone()],
        limits: Limits::default(),
        manifest_hash: String::new(),
    };
    let observation = Observation {
        customers: vec![CustomerObservation::Observed(observed.clone())],
        witnesses: None,
        observed_at: Some(observed_at),
        prices: Default::default(),
    };
    crate::plan::diff(&one, &observation)
        .rows
        .into_iter()
        .filter(|r| r.desired > r.owned.saturating_add(r.pending))
        .filter_map(|r| {
            let wants = if r.action.buys() {
                Wants::Buy
            } else {
                Wants::Blocked
            };
            Some((r.key?, wants))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{CatalogItem, Holding, HoldingsSource, Inventory, ItemResolution};

    /// A software SKU resolved without its availability.
    fn sku_only(product: &str, sku: &str) -> Resolution {
        Resolution::Found(CatalogItem {
            product_id: product.into(),
            sku_id: sku.into(),
            availability: None,
            title: "t".into(),
            min_quantity: 1,
            max_quantity: 10,
            requires_registration: false,
            inventory: Inventory::NotRequired,
            billing_cycles: Vec::new(),
        })
    }

    #[test]
    fn only_rows_with_a_shortfall_want_their_availability() {
        let yaml = r#"
version: 1
customers:
  - id: 4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01
    software:
      - { name: owned, product: P, sku: "0001", quantity: 1 }
      - { name: more, product: Q, sku: "0002", quantity: 3 }
      - { name: too-many, product: R, sku: "0003", quantity: 30 }
"#;
        let desired = crate::manifest::load_str(&[(std::path::Path::new("m.yaml"), yaml)])
            .expect("manifest")
            .desired;
        let dc = &desired.customers[0];
        let keys: Vec<PurchaseKey> = kinds::items(dc).iter().map(|i| i.key(&dc.id)).collect();
        let resolutions = keys
            .iter()
            .map(|k| {
                let PurchaseKey::Software {
                    product_id, sku_id, ..
                } = k
                else {
                    panic!("software key: {k:?}");
                };
                ItemResolution {
                    key: k.clone(),
                    resolution: sku_only(product_id, sku_id),
                }
            })
            .collect();
        let observed = ObservedCustomer {
            id: dc.id.clone(),
            company_name: None,
            country: "US".into(),
            subscriptions: Default::default(),
            holdings: vec![Holding {
                kind: crate::kinds::HoldingKind::Software,
                product_id: "P".into(),
                sku_id: "0001".into(),
                quantity: 1,
                order_id: "o1".into(),
                expiry: None,
                title: None,
            }],
            holdings_source: HoldingsSource::Entitlements,
            credentials: crate::plan::CredentialsKind::AppUser,
            pending: Vec::new(),
            in_flight_unknown: None,
            resolutions,
        };
        let key = |p: &str| {
            keys.iter()
                .find(|k| matches!(k, PurchaseKey::Software { product_id, .. } if product_id == p))
                .expect("declared")
                .clone()
        };
        let mut got = shortfalls(dc, &observed, chrono::Utc::now());
        got.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            got,
            vec![(key("Q"), Wants::Buy), (key("R"), Wants::Blocked)],
            "the owned item wants nothing; 30 is above the SKU's maximum of 10 (blocked)"
        );
    }
}
