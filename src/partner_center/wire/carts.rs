//! Carts and checkout (docs/partner-center.md §9). Requests serialize in camelCase.

use super::common::{
    Attributes, Links, lenient_enum, null_as_default, opt_i64, opt_string_or_number,
};
use super::customers::BillingCycle;
use super::orders::Order;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A partner of record on a line (`{ "key": "transaction_reseller", "value": "<PartnerID>" }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Participant {
    pub key: String,
    pub value: String,
}

/// A cart line as sent (create / update).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CartLineItemRequest {
    /// 0-based index chosen by the caller, echoed back.
    pub id: i64,
    pub catalog_item_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    pub quantity: i64,
    pub billing_cycle: BillingCycle,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term_duration: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub provisioning_context: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<Participant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation_accepted: Option<bool>,
    /// Savings plans: the hourly commitment bought.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purchase_commitment: Option<super::savings::PurchaseCommitmentRequest>,
}

/// A cart as sent (create / update).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CartRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub line_items: Vec<CartLineItemRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_on_record_attestation_accepted: Option<bool>,
}

/// `CartError` on a line; `error_code` is an integer on the wire (a name is accepted too).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct CartError {
    #[serde(deserialize_with = "opt_string_or_number")]
    pub error_code: Option<String>,
    pub error_description: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub additional_information: Map<String, Value>,
}

impl CartError {
    /// `errorCode` as an integer, when numeric (the text stays in `error_code`).
    pub fn code_number(&self) -> Option<i64> {
        self.error_code
            .as_deref()
            .and_then(|c| c.trim().parse().ok())
    }
}

/// A cart line as returned.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct CartLineItem {
    #[serde(deserialize_with = "opt_i64")]
    pub id: Option<i64>,
    pub catalog_item_id: String,
    pub friendly_name: Option<String>,
    #[serde(deserialize_with = "opt_i64")]
    pub quantity: Option<i64>,
    pub currency_code: Option<String>,
    pub billing_cycle: Option<BillingCycle>,
    pub term_duration: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub provisioning_context: Map<String, Value>,
    #[serde(deserialize_with = "null_as_default")]
    pub participants: Vec<Participant>,
    #[serde(deserialize_with = "opt_string_or_number")]
    pub order_group: Option<String>,
    pub error: Option<CartError>,
    pub pricing: Option<Value>,
    pub purchase_commitment: Option<super::savings::PurchaseCommitment>,
}

lenient_enum! {
    /// Cart `status`.
    pub enum CartStatus { Active => "Active", Ordered => "Ordered" }
}

/// `Cart` (§9 response).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Cart {
    pub id: String,
    #[serde(
        deserialize_with = "super::common::opt_date",
        alias = "creationTimeStamp"
    )]
    pub creation_timestamp: Option<DateTime<Utc>>,
    #[serde(
        deserialize_with = "super::common::opt_date",
        alias = "lastModifiedTimeStamp"
    )]
    pub last_modified_timestamp: Option<DateTime<Utc>>,
    #[serde(
        deserialize_with = "super::common::opt_date",
        alias = "expirationTimeStamp"
    )]
    pub expiration_timestamp: Option<DateTime<Utc>>,
    pub last_modified_user: Option<String>,
    pub status: Option<CartStatus>,
    #[serde(deserialize_with = "null_as_default")]
    pub line_items: Vec<CartLineItem>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
}

/// An order group that failed at checkout.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct OrderError {
    #[serde(deserialize_with = "opt_string_or_number")]
    pub order_group_id: Option<String>,
    #[serde(deserialize_with = "opt_string_or_number")]
    pub code: Option<String>,
    pub description: Option<String>,
}

impl OrderError {
    /// `code` as an integer, when numeric (the text stays in `code`).
    pub fn code_number(&self) -> Option<i64> {
        self.code.as_deref().and_then(|c| c.trim().parse().ok())
    }
}

/// `CartCheckoutResult` (§9): orders placed and order groups that failed.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct CartCheckoutResult {
    #[serde(deserialize_with = "null_as_default")]
    pub orders: Vec<Order>,
    #[serde(deserialize_with = "null_as_default")]
    pub order_errors: Vec<OrderError>,
    pub attributes: Option<Attributes>,
}
