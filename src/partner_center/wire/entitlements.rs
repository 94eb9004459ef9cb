//! Entitlements, artifacts and reservation details (docs/partner-center.md §11).

use super::common::{Link, lenient_enum, null_as_default, opt_date, opt_i64};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};

lenient_enum! {
    /// `entitlementType` (query value and field).
    pub enum EntitlementType {
        Software => "software", ReservedInstance => "reservedInstance",
        VirtualMachineReservedInstance => "virtualMachineReservedInstance",
    }
}

/// `referenceOrder` of an entitlement.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ReferenceOrder {
    pub id: Option<String>,
    #[serde(deserialize_with = "super::common::opt_string_or_number")]
    pub line_item_id: Option<String>,
    pub alternate_id: Option<String>,
}

/// `{ quantity, status }` in `quantityDetails`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct QuantityDetail {
    #[serde(deserialize_with = "opt_i64")]
    pub quantity: Option<i64>,
    pub status: Option<String>,
}

/// An entitled artifact. For `reservedinstance` (and the legacy VM type) `link` points at the
/// reservation details and `resource_id` is the Azure reservation order id.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Artifact {
    pub artifact_type: Option<String>,
    pub link: Option<Link>,
    pub resource_id: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub dynamic_attributes: Map<String, Value>,
}

impl Artifact {
    /// True for `reservedinstance` and the legacy `virtual_machine_reserved_instance`.
    pub fn is_reserved_instance(&self) -> bool {
        self.artifact_type.as_deref().is_some_and(|t| {
            let f = super::common::fold_enum(t);
            f == "reservedinstance" || f == "virtualmachinereservedinstance"
        })
    }
}

/// `Entitlement` (§11).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Entitlement {
    #[serde(deserialize_with = "null_as_default")]
    pub included_entitlements: Vec<Entitlement>,
    pub reference_order: Option<ReferenceOrder>,
    pub product_id: Option<String>,
    pub sku_id: Option<String>,
    #[serde(deserialize_with = "opt_i64")]
    pub quantity: Option<i64>,
    #[serde(deserialize_with = "null_as_default")]
    pub quantity_details: Vec<QuantityDetail>,
    pub entitlement_type: Option<EntitlementType>,
    pub fulfillment_state: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub entitled_artifacts: Vec<Artifact>,
    #[serde(deserialize_with = "null_as_default")]
    pub dynamic_attributes: Map<String, Value>,
    #[serde(deserialize_with = "opt_date")]
    pub expiry_date: Option<DateTime<Utc>>,
}

impl Entitlement {
    /// A reservation: typed `reservedInstance` (or the legacy VM type), or untyped with a
    /// reserved-instance artifact. Typed `software` never is.
    pub fn is_reservation(&self) -> bool {
        match &self.entitlement_type {
            Some(EntitlementType::Software) => false,
            Some(
                EntitlementType::ReservedInstance | EntitlementType::VirtualMachineReservedInstance,
            ) => true,
            _ => self
                .entitled_artifacts
                .iter()
                .any(|a| a.is_reserved_instance()),
        }
    }
}

/// One reservation in the details of a reserved-instance artifact.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Reservation {
    pub reservation_id: Option<String>,
    pub scope_type: Option<String>,
    pub display_name: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub applied_scopes: Vec<String>,
    #[serde(deserialize_with = "opt_i64")]
    pub quantity: Option<i64>,
    #[serde(deserialize_with = "opt_date")]
    pub expiry_date_time: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_date")]
    pub effective_date_time: Option<DateTime<Utc>>,
    pub provisioning_state: Option<String>,
}

/// `ReservedInstanceArtifactDetails` (§11); the list is read from `reservations` or the legacy
/// `virtualMachineReservations` key.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ReservedInstanceArtifactDetails {
    #[serde(rename = "type")]
    pub artifact_type: Option<String>,
    #[serde(
        deserialize_with = "null_as_default",
        alias = "virtualMachineReservations"
    )]
    pub reservations: Vec<Reservation>,
}
