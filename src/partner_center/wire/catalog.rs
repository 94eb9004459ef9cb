//! Catalog: products, SKUs, availabilities and inventory checks (docs/partner-center.md §8).

use super::common::{Attributes, ItemType, Links, lenient_enum, null_as_default, opt_i64};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

lenient_enum! {
    /// `reservationScope` query value.
    pub enum ReservationScope { AzurePlan => "AzurePlan" }
}

lenient_enum! {
    /// `targetView` query value (spelled without underscores, §8).
    pub enum TargetView {
        Azure => "Azure", AzureReservations => "AzureReservations",
        AzureReservationsVm => "AzureReservationsVM", AzureReservationsSql => "AzureReservationsSQL",
        AzureReservationsCosmosDb => "AzureReservationsCosmosDb", MicrosoftAzure => "MicrosoftAzure",
        OnlineServices => "OnlineServices", Software => "Software",
        SoftwareSuseLinux => "SoftwareSUSELinux", SoftwarePerpetual => "SoftwarePerpetual",
        SoftwareSubscriptions => "SoftwareSubscriptions", SpecializedOffers => "SpecializedOffers",
        MarketplaceSaaS => "MarketplaceSaaS",
    }
}

/// `Product` (§8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Product {
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub product_type: Option<ItemType>,
    pub is_microsoft_product: Option<bool>,
    pub publisher_name: Option<String>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
}

/// `attestationProperties` of a SKU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct AttestationProperties {
    pub attestation_type: Option<String>,
    pub enforce_attestation: Option<bool>,
}

/// `Sku` (§8). `dynamic_attributes` is kept as a map: it changes without notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Sku {
    pub id: String,
    pub product_id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(deserialize_with = "opt_i64")]
    pub minimum_quantity: Option<i64>,
    #[serde(deserialize_with = "opt_i64")]
    pub maximum_quantity: Option<i64>,
    pub is_trial: Option<bool>,
    #[serde(deserialize_with = "null_as_default")]
    pub supported_billing_cycles: Vec<super::customers::BillingCycle>,
    #[serde(deserialize_with = "null_as_default")]
    pub purchase_prerequisites: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub inventory_variables: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub provisioning_variables: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub dynamic_attributes: Map<String, Value>,
    pub attestation_properties: Option<AttestationProperties>,
    pub consumption_type: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub actions: Vec<String>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
    /// Savings plans: the least hourly commitment a purchase may have.
    pub minimum_purchase_commitment: Option<super::savings::MinimumPurchaseCommitment>,
}

impl Sku {
    /// A dynamic attribute as text (strings as-is, numbers and booleans printed), looked up
    /// case-insensitively.
    pub fn dynamic_str(&self, key: &str) -> Option<String> {
        let v = self
            .dynamic_attributes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)?;
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    /// True when `purchasePrerequisites` lists `name` (case-insensitive).
    pub fn requires(&self, name: &str) -> bool {
        self.purchase_prerequisites
            .iter()
            .any(|p| p.eq_ignore_ascii_case(name))
    }
}

/// `{ "code": "USD", "symbol": "$" }` (a bare string is accepted too).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Currency {
    pub code: Option<String>,
    pub symbol: Option<String>,
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
        Ok(match &v {
            Value::String(s) => Currency {
                code: Some(s.clone()),
                symbol: None,
            },
            Value::Object(m) => Currency {
                code: text(m.get("code")),
                symbol: text(m.get("symbol")),
            },
            _ => Currency::default(),
        })
    }
}

/// A term of an availability.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Term {
    pub id: Option<String>,
    pub duration: Option<String>,
    pub description: Option<String>,
    pub billing_cycle: Option<super::customers::BillingCycle>,
}

/// `Availability` (§8). `catalog_item_id` is what goes into a cart line.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Availability {
    pub id: String,
    pub product_id: Option<String>,
    pub sku_id: Option<String>,
    pub catalog_item_id: String,
    pub default_currency: Option<Currency>,
    pub segment: Option<String>,
    pub country: Option<String>,
    pub is_purchasable: Option<bool>,
    pub is_renewable: Option<bool>,
    #[serde(deserialize_with = "null_as_default")]
    pub terms: Vec<Term>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
}

/// One target of an inventory check.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct InventoryTarget {
    pub product_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku_id: Option<String>,
}

/// `InventoryCheckRequest` (§8).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct InventoryCheckRequest {
    pub target_items: Vec<InventoryTarget>,
    pub inventory_context: BTreeMap<String, String>,
}

/// One restriction of an inventory item.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct InventoryRestriction {
    pub reason_code: Option<String>,
    pub description: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub properties: Map<String, Value>,
}

/// One entry of the (bare array) inventory check response.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct InventoryItem {
    pub product_id: String,
    pub sku_id: Option<String>,
    pub is_restricted: bool,
    #[serde(deserialize_with = "null_as_default")]
    pub restrictions: Vec<InventoryRestriction>,
}
