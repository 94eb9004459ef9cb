//! Resolving a declared item to a purchasable catalog item ([`Resolution`]): the view for its
//! country and scope, the SKU (by armSkuName/region/duration or by pinned ids), the availability
//! whose terms match, and the inventory check for SKUs that require it (§8).

use super::{Catalog, CatalogFailure, Freshness, InventoryKey, SkuEntry, ViewKey, cell, replace};
use crate::manifest::{DesiredReservation, DesiredSoftware, ReservationTarget, SubscriptionKind};
use crate::partner_center::wire::common::fold_enum;
use crate::partner_center::wire::{Availability, InventoryCheckRequest, InventoryTarget};
use crate::plan::{CatalogItem, Inventory, Resolution, market_available};
use std::collections::BTreeMap;

/// Software views tried in order: `Software` lists every kind; the specific views are tried when
/// it is refused or lacks the product.
const SOFTWARE_VIEWS: [&str; 3] = ["Software", "SoftwarePerpetual", "SoftwareSubscriptions"];

/// Who the item is for (the inventory check needs it).
#[derive(Debug, Clone, Copy)]
pub struct Buyer<'a> {
    pub customer_id: &'a str,
    /// ISO alpha-2 country of the customer's billing profile.
    pub country: &'a str,
}

fn failed(f: CatalogFailure) -> Resolution {
    if f.app_user_required {
        Resolution::NeedsAppUser
    } else {
        Resolution::Error(f.message)
    }
}

impl Catalog {
    /// Resolves a reservation for a subscription of the declared kind: legacy subscriptions use
    /// the catalog without `reservationScope`, Azure plans `reservationScope=AzurePlan`.
    pub async fn resolve_reservation(
        &self,
        buyer: Buyer<'_>,
        subscription_id: &str,
        kind: SubscriptionKind,
        r: &DesiredReservation,
        freshness: Freshness,
    ) -> Resolution {
        if !market_available(buyer.country) {
            return Resolution::MarketUnavailable;
        }
        let key = ViewKey::new(
            buyer.country,
            kind == SubscriptionKind::AzurePlan,
            r.reservation_type.target_view(),
        );
        let view = match self.view(&key).await {
            Ok(v) => v,
            Err(f) => return failed(f),
        };
        let (entry, wanted) = match &r.target {
            ReservationTarget::Arm {
                arm_sku_name,
                arm_region_name,
            } => (
                view.find_arm(arm_sku_name, arm_region_name, r.term),
                format!(
                    "{arm_sku_name} in {arm_region_name} for {}",
                    r.term.duration()
                ),
            ),
            ReservationTarget::Pinned { product_id, sku_id } => (
                view.find_id(product_id, sku_id),
                format!("product {product_id} SKU {sku_id}"),
            ),
        };
        let searched = format!("{}: {wanted}", key.describe());
        let Some(entry) = entry else {
            let suggestions = match &r.target {
                ReservationTarget::Arm {
                    arm_sku_name,
                    arm_region_name,
                } => view.suggest_arm(arm_sku_name, arm_region_name, r.term),
                ReservationTarget::Pinned { product_id, sku_id } => {
                    view.suggest_ids(product_id, sku_id)
                }
            };
            return Resolution::NotFound {
                searched,
                suggestions,
            };
        };
        let entry = entry.clone();
        let availability = match self
            .availabilities(&key, &entry.product_id, &entry.sku.id, freshness)
            .await
        {
            Ok(list) => pick_availability(&list, Some(r.term.as_str())),
            Err(f) => return failed(f),
        };
        let Some(availability) = availability else {
            return Resolution::NotFound {
                searched: format!(
                    "{searched} (the SKU has no availability for {})",
                    r.term.as_str()
                ),
                suggestions: Vec::new(),
            };
        };
        let region = entry.arm_region_name.clone();
        let inventory = self
            .inventory_for(
                buyer,
                Some(subscription_id),
                region.as_deref(),
                &entry,
                freshness,
            )
            .await;
        Resolution::Found(catalog_item(&entry, &availability, inventory))
    }

    /// Resolves a software item (pinned product and SKU) in the customer's country: the SKU must
    /// support the requested billing cycle, and an availability must offer the requested term.
    pub async fn resolve_software(
        &self,
        buyer: Buyer<'_>,
        s: &DesiredSoftware,
        freshness: Freshness,
    ) -> Resolution {
        if !market_available(buyer.country) {
            return Resolution::MarketUnavailable;
        }
        let mut first_error = None;
        let mut suggestions = Vec::new();
        let mut tried = Vec::new();
        for view_name in SOFTWARE_VIEWS {
            let key = ViewKey::new(buyer.country, false, view_name);
            let view = match self.view(&key).await {
                Ok(v) => v,
                Err(f) => {
                    first_error.get_or_insert(f);
                    continue;
                }
            };
            tried.push(view_name);
            let Some(entry) = view.find_id(&s.product_id, &s.sku_id).cloned() else {
                if suggestions.is_empty() {
                    suggestions = view.suggest_ids(&s.product_id, &s.sku_id);
                }
                continue;
            };
            let searched = format!(
                "{}: product {} SKU {}",
                key.describe(),
                s.product_id,
                s.sku_id
            );
            if let Some(cycle) = &s.billing_cycle {
                let supported = &entry.sku.supported_billing_cycles;
                if !supported.is_empty()
                    && !supported
                        .iter()
                        .any(|c| fold_enum(c.as_str()) == fold_enum(cycle))
                {
                    let list: Vec<&str> = supported.iter().map(|c| c.as_str()).collect();
                    return Resolution::NotFound {
                        searched: format!(
                            "{searched} with billing cycle {cycle} (the SKU supports {})",
                            list.join(", ")
                        ),
                        suggestions: Vec::new(),
                    };
                }
            }
            let availability = match self
                .availabilities(&key, &entry.product_id, &entry.sku.id, freshness)
                .await
            {
                Ok(list) => pick_availability(&list, s.term.as_deref()),
                Err(f) => return failed(f),
            };
            let Some(availability) = availability else {
                let term = s.term.as_deref().unwrap_or("any term");
                return Resolution::NotFound {
                    searched: format!("{searched} (no availability for {term})"),
                    suggestions: Vec::new(),
                };
            };
            let inventory = self
                .inventory_for(buyer, None, None, &entry, freshness)
                .await;
            return Resolution::Found(catalog_item(&entry, &availability, inventory));
        }
        if tried.is_empty()
            && let Some(f) = first_error
        {
            return failed(f);
        }
        Resolution::NotFound {
            searched: format!(
                "{}, country {}: product {} SKU {}",
                tried.join("/"),
                buyer.country.to_ascii_uppercase(),
                s.product_id,
                s.sku_id
            ),
            suggestions,
        }
    }

    /// The inventory state of a SKU for a buyer: `NotRequired` unless the SKU lists
    /// `InventoryCheck`; otherwise the check's answer (once per customer, subscription, SKU and
    /// region per run; `Unknown` when the check failed — apply checks again).
    async fn inventory_for(
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
            match self.reader.check_inventory(buyer.country, &request).await {
                Ok(items) => inventory_state(&items, entry),
                Err(e) => {
                    tracing::warn!(
                        "inventory check for {}/{} failed: {e}",
                        entry.product_id,
                        entry.sku.id
                    );
                    Inventory::Unknown
                }
            }
        };
        match freshness {
            Freshness::Cached => cell(&self.inventory, key).get_or_init(check).await.clone(),
            Freshness::Fresh => {
                let v = check().await;
                replace(&self.inventory, key, v.clone());
                v
            }
        }
    }
}

/// The availability to buy: purchasable, and with a term of `duration` when one is asked for.
fn pick_availability(list: &[Availability], duration: Option<&str>) -> Option<Availability> {
    let usable = |a: &&Availability| a.is_purchasable != Some(false);
    match duration {
        Some(d) => list.iter().filter(usable).find(|a| {
            a.terms.iter().any(|t| {
                t.duration
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(d))
            })
        }),
        None => list.iter().find(usable),
    }
    .cloned()
}

fn catalog_item(entry: &SkuEntry, a: &Availability, inventory: Inventory) -> CatalogItem {
    let clamp = |v: Option<i64>, default: u32| {
        v.map_or(default, |n| u32::try_from(n.max(0)).unwrap_or(u32::MAX))
    };
    let catalog_item_id = if a.catalog_item_id.is_empty() {
        format!("{}:{}:{}", entry.product_id, entry.sku.id, a.id)
    } else {
        a.catalog_item_id.clone()
    };
    CatalogItem {
        product_id: entry.product_id.clone(),
        sku_id: entry.sku.id.clone(),
        availability_id: a.id.clone(),
        catalog_item_id,
        title: entry.title(),
        min_quantity: clamp(entry.sku.minimum_quantity, 1).max(1),
        max_quantity: clamp(entry.sku.maximum_quantity, u32::MAX),
        requires_registration: entry.sku.requires("AzureSubscriptionRegistration"),
        inventory,
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

    fn availability(id: &str, duration: &str) -> Availability {
        serde_json::from_value(json!({
            "id": id, "catalogItemId": format!("P:S:{id}"), "isPurchasable": true,
            "terms": [{ "duration": duration, "description": "prepaid" }],
        }))
        .expect("availability json")
    }

    #[test]
    fn picks_the_availability_whose_term_matches() {
        let list = vec![availability("A1", "P1Y"), availability("A3", "P3Y")];
        assert_eq!(
            pick_availability(&list, Some("P3Y")).map(|a| a.id),
            Some("A3".into())
        );
        assert_eq!(pick_availability(&list, Some("P1M")), None);
        assert_eq!(
            pick_availability(&list, None).map(|a| a.id),
            Some("A1".into())
        );
    }

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
