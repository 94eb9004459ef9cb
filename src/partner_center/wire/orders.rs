//! Orders and order provisioning status (docs/partner-center.md §10).

use super::common::{
    Attributes, Links, lenient_enum, null_as_default, opt_date, opt_decimal, opt_i64,
    opt_string_or_number,
};
use super::customers::BillingCycle;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Value};

lenient_enum! {
    /// Order `status` (table spellings; compared ignoring case, `_` and spaces).
    pub enum OrderStatus {
        Unspecified => "unknown", Completed => "completed", Pending => "pending",
        Cancelled => "cancelled", Suspended => "suspended", PendingReview => "pending review",
        PartialSuccess => "partial success", Error => "error",
    }
}

lenient_enum! {
    /// The `billingType` filter of the order list (§10); sent as the SDK's enum name.
    pub enum OrderBillingType {
        OneTime => "OneTime", Monthly => "Monthly", Annual => "Annual", None => "None",
    }
}

/// `OrderLineItem`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct OrderLineItem {
    #[serde(deserialize_with = "opt_i64")]
    pub line_item_number: Option<i64>,
    pub offer_id: Option<String>,
    pub subscription_id: Option<String>,
    pub parent_subscription_id: Option<String>,
    pub term_duration: Option<String>,
    pub transaction_type: Option<String>,
    pub friendly_name: Option<String>,
    #[serde(deserialize_with = "opt_i64")]
    pub quantity: Option<i64>,
    pub partner_id_on_record: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub provisioning_context: Map<String, Value>,
    pub links: Option<Links>,
    /// The line's prices (documented for savings plans; the binding price of the line).
    pub pricing: Option<LinePricing>,
    /// Savings plans: the hourly commitment bought.
    pub purchase_commitment: Option<super::savings::PurchaseCommitment>,
}

/// `pricing` of an order line: `listPrice`, `discountedPrice`, `proratedPrice`, `price`,
/// `extendedPrice` (numbers or numeric strings).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct LinePricing {
    pub list_price: Option<Decimal>,
    pub discounted_price: Option<Decimal>,
    pub prorated_price: Option<Decimal>,
    pub price: Option<Decimal>,
    pub extended_price: Option<Decimal>,
}

impl OrderLineItem {
    /// A provisioning-context value as text, key looked up case-insensitively.
    pub fn context(&self, key: &str) -> Option<String> {
        self.provisioning_context
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| match v {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            })
    }
}

/// `Order` (§10).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Order {
    pub id: String,
    pub alternate_id: Option<String>,
    pub reference_customer_id: Option<String>,
    pub billing_cycle: Option<BillingCycle>,
    pub currency_code: Option<String>,
    pub currency_symbol: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub line_items: Vec<OrderLineItem>,
    #[serde(deserialize_with = "opt_date")]
    pub creation_date: Option<DateTime<Utc>>,
    pub status: Option<OrderStatus>,
    pub transaction_type: Option<String>,
    #[serde(deserialize_with = "opt_decimal")]
    pub total_price: Option<Decimal>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
}

lenient_enum! {
    /// Provisioning status of an order line (§10).
    pub enum ProvisioningState {
        Fulfilled => "Fulfilled", Unfulfilled => "Unfulfilled",
        PrefulfillmentPending => "PrefulfillmentPending",
    }
}

/// `{ quantity, status }` of a provisioning status line.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct QuantityProvisioning {
    #[serde(deserialize_with = "opt_i64")]
    pub quantity: Option<i64>,
    pub status: Option<ProvisioningState>,
}

/// One line of `GET …/orders/{id}/provisioningstatus`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct OrderLineItemProvisioningStatus {
    #[serde(deserialize_with = "opt_i64")]
    pub line_item_number: Option<i64>,
    /// Documented as an integer (`0`); a string is accepted too.
    #[serde(deserialize_with = "opt_string_or_number")]
    pub order_line_item_id: Option<String>,
    pub status: Option<ProvisioningState>,
    #[serde(deserialize_with = "null_as_default")]
    pub quantity_provisioning_information: Vec<QuantityProvisioning>,
}
