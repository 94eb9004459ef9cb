//! The kind-independent steps of resolving a declared item to a purchasable catalog item
//! ([`Resolution`]): picking the availability whose terms match (when it is to be read), building the catalog item, and
//! the inventory check for SKUs that require it (docs/partner-center.md §8). Each kind's own
//! resolution (which view, which SKU) lives with the kind in [`crate::kinds`].

use super::{
    CUSTOMER_SEGMENT, Catalog, CatalogFailure, Freshness, INVENTORY_REUSE, InventoryKey, SkuEntry,
    ViewKey, cell, pick_availability, replace,
};
use crate::partner_center::wire::{Availability, InventoryCheckRequest, InventoryTarget};
use crate::plan::{CatalogItem, ChosenAvailability, Inventory, Resolution};
use std::collections::BTreeMap;

/// Who the item is for (the inventory check needs it).
#[derive(Debug, Clone, Copy)]
pub struct Buyer<'a> {
    pub customer_id: &'a str,
    /// ISO alpha-2 country of the customer's billing profile.
    pub country: &'a str,
}

/// The resolution of a failed catalog read.
pub(crate) fn failed(f: CatalogFailure) -> Resolution {
    if f.app_user_required {
        Resolution::NeedsAppUser
    } else {
        Resolution::Error(f.message)
    }
}

impl Catalog {
    /// The availability to buy `entry` with: the customer's segment, the term `term` when one is
    /// asked for. `Ok(None)` with [`Freshness::DeferAvailability`] (nothing is read); otherwise
    /// the resolution that stops the item when none, several, or nothing readable answer
    /// (`missing` says what was missing, after `searched`).
    pub(crate) async fn chosen_availability(
        &self,
        key: &ViewKey,
        entry: &SkuEntry,
        term: Option<&str>,
        searched: &str,
        missing: &str,
        freshness: Freshness,
    ) -> Result<Option<Availability>, Resolution> {
        if !freshness.reads_availability() {
            return Ok(None);
        }
        let list = self
            .availabilities(key, &entry.product_id, &entry.sku.id, freshness)
            .await
            .map_err(failed)?;
        match pick_availability(&list, CUSTOMER_SEGMENT, term) {
            Ok(Some(a)) => Ok(Some(a)),
            Ok(None) => Err(Resolution::NotFound {
                searched: format!("{searched} ({missing})"),
                suggestions: Vec::new(),
            }),
            Err(e) => Err(Resolution::Ambiguous {
                reason: format!("{searched}: {e}"),
            }),
        }
    }

    /// The inventory state of a SKU for a buyer: `NotRequired` unless the SKU lists
    /// `InventoryCheck`; otherwise the check's answer (once per customer, subscription, SKU and
    /// region per run; `Unknown` when the check failed — apply checks again — or, with
    /// [`Freshness::DeferInventory`], when the run has not checked it yet).
    pub(crate) async fn inventory_for(
        &self,
        buyer: Buyer<'_>,
        subscription_id: Option<&str>,
        region: Option<&str>,
        entry: &SkuEntry,
        freshness: Freshness,
    ) -> Inventory {
        if !entry.sku.requires("InventoryCheck") {
            return Inventory::NotRequired;
        }
        let key = InventoryKey {
            country: buyer.country.to_ascii_uppercase(),
            customer_id: buyer.customer_id.to_ascii_lowercase(),
            subscription_id: subscription_id.map(str::to_ascii_lowercase),
            product_id: entry.product_id.clone(),
            sku_id: entry.sku.id.clone(),
            region: region.map(str::to_owned),
        };
        let check = || async {
            let request = inventory_request(buyer, subscription_id, region, entry);
            let answer = match self.reader.check_inventory(buyer.country, &request).await {
                Ok(items) => inventory_state(&items, entry),
                Err(e) => {
                    tracing::warn!(
                        "inventory check for {}/{} failed: {e}",
                        entry.product_id,
                        entry.sku.id
                    );
                    Inventory::Unknown
                }
            };
            (answer, self.reader.clock().now())
        };
        let c = cell(&self.inventory, key.clone());
        match freshness {
            Freshness::Cached => c.get_or_init(check).await.0.clone(),
            Freshness::DeferInventory | Freshness::DeferAvailability => match c.get() {
                Some((answer, _)) => answer.clone(),
                None => Inventory::Unknown,
            },
            Freshness::ByCart => match c.get() {
                Some((answer, _)) => answer.clone(),
                None => Inventory::ByCart,
            },
            Freshness::Fresh => {
                if let Some((Inventory::Available, at)) = c.get()
                    && self.reader.clock().now().saturating_sub(*at) < INVENTORY_REUSE
                {
                    return Inventory::Available;
                }
                let v = check().await;
                replace(&self.inventory, key, v.clone());
                v.0
            }
        }
    }
}

/// The catalog item a resolution found: ids, the availability when one was read
/// ([`Freshness::DeferAvailability`] reads none), title, quantity bounds and inventory.
pub(crate) fn catalog_item(
    entry: &SkuEntry,
    a: Option<&Availability>,
    inventory: Inventory,
) -> CatalogItem {
    let clamp = |v: Option<i64>, default: u32| {
        v.map_or(default, |n| u32::try_from(n.max(0)).unwrap_or(u32::MAX))
    };
    let availability = a.map(|a| ChosenAvailability {
        id: a.id.clone(),
        catalog_item_id: if a.catalog_item_id.is_empty() {
            format!("{}:{}:{}", entry.product_id, entry.sku.id, a.id)
        } else {
            a.catalog_item_id.clone()
        },
    });
    CatalogItem {
        product_id: entry.product_id.clone(),
        sku_id: entry.sku.id.clone(),
        availability,
        title: entry.title(),
        min_quantity: clamp(entry.sku.minimum_quantity, 1).max(1),
        max_quantity: clamp(entry.sku.maximum_quantity, u32::MAX),
        requires_registration: entry.sku.requires("AzureSubscriptionRegistration"),
        inventory,
        billing_cycles: entry
            .sku
            .supported_billing_cycles
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
    }
}

/// The check-inventory body: the SKU, and the context values its `inventoryVariables` name
/// (all three known ones when it names none).
fn inventory_request(
    buyer: Buyer<'_>,
    subscription_id: Option<&str>,
    region: Option<&str>,
    entry: &SkuEntry,
) -> InventoryCheckRequest {
    let value = |var: &str| -> Option<String> {
        match var.to_ascii_lowercase().as_str() {
            "customerid" => Some(buyer.customer_id.to_owned()),
            "azuresubscriptionid" => subscription_id.map(str::to_owned),
            "armregionname" => region.map(str::to_owned),
            _ => None,
        }
    };
    let vars: Vec<String> = if entry.sku.inventory_variables.is_empty() {
        vec![
            "CustomerId".into(),
            "AzureSubscriptionId".into(),
            "ArmRegionName".into(),
        ]
    } else {
        entry.sku.inventory_variables.clone()
    };
    let mut context = BTreeMap::new();
    for var in vars {
        if let Some(v) = value(&var) {
            let mut key = var.clone();
            if let Some(first) = key.get(..1) {
                key = first.to_ascii_lowercase() + &key[1..];
            }
            context.insert(key, v);
        }
    }
    InventoryCheckRequest {
        target_items: vec![InventoryTarget {
            product_id: entry.product_id.clone(),
            sku_id: Some(entry.sku.id.clone()),
        }],
        inventory_context: context,
    }
}

fn inventory_state(
    items: &[crate::partner_center::wire::InventoryItem],
    entry: &SkuEntry,
) -> Inventory {
    let item = items.iter().find(|i| {
        i.product_id.eq_ignore_ascii_case(&entry.product_id)
            && i.sku_id
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case(&entry.sku.id))
    });
    match item {
        None => Inventory::Unknown,
        Some(i) if !i.is_restricted => Inventory::Available,
        Some(i) => {
            let reasons: Vec<String> = i
                .restrictions
                .iter()
                .filter_map(|r| r.description.clone().or_else(|| r.reason_code.clone()))
                .collect();
            Inventory::Restricted {
                reason: if reasons.is_empty() {
                    "the inventory check says it is restricted".to_owned()
                } else {
                    reasons.join("; ")
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inventory_request_carries_the_named_variables() {
        let v = super::super::view::tests::view(&[(
            "P1",
            "0001",
            "Standard_NC6s_v3",
            "japanwest",
            "1Year",
        )]);
        let mut entry = v.skus[0].clone();
        entry.sku.inventory_variables = vec!["CustomerId".into(), "ArmRegionName".into()];
        let buyer = Buyer {
            customer_id: "c1",
            country: "JP",
        };
        let req = inventory_request(buyer, Some("s1"), Some("japanwest"), &entry);
        assert_eq!(
            serde_json::to_value(&req).expect("json"),
            json!({
                "targetItems": [{ "productId": "P1", "skuId": "0001" }],
                "inventoryContext": { "armRegionName": "japanwest", "customerId": "c1" },
            })
        );
        let items: Vec<crate::partner_center::wire::InventoryItem> = serde_json::from_value(json!([
            { "productId": "P1", "skuId": "0001", "isRestricted": true,
              "restrictions": [{ "reasonCode": "NotAvailableForSubscription", "description": "not in japanwest" }] }
        ]))
        .expect("items");
        assert_eq!(
            inventory_state(&items, &entry),
            Inventory::Restricted {
                reason: "not in japanwest".into()
            }
        );
        assert_eq!(inventory_state(&[], &entry), Inventory::Unknown);
    }
}
