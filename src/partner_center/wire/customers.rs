//! Customers, subscriptions and registration status (docs/partner-center.md §7).

use super::common::{
    Attributes, ItemType, Links, lenient_enum, null_as_default, opt_date, opt_decimal,
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A postal address (`companyProfile.address`, `billingProfile.defaultAddress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Address {
    pub country: Option<String>,
    pub region: Option<String>,
    pub state: Option<String>,
    pub city: Option<String>,
    pub address_line1: Option<String>,
    pub postal_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct CompanyProfile {
    pub tenant_id: Option<String>,
    pub domain: Option<String>,
    pub company_name: Option<String>,
    pub address: Option<Address>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct BillingProfile {
    pub id: Option<String>,
    pub company_name: Option<String>,
    pub email: Option<String>,
    pub culture: Option<String>,
    pub language: Option<String>,
    pub default_address: Option<Address>,
    pub attributes: Option<Attributes>,
}

lenient_enum! {
    /// `relationshipToPartner`.
    pub enum RelationshipToPartner {
        None => "none", Reseller => "reseller", Advisor => "advisor",
        Syndication => "syndication", MicrosoftSupport => "microsoft_support",
    }
}

/// `Customer` (§7).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Customer {
    pub id: String,
    pub commerce_id: Option<String>,
    pub company_profile: Option<CompanyProfile>,
    pub billing_profile: Option<BillingProfile>,
    pub relationship_to_partner: Option<RelationshipToPartner>,
    pub allow_delegated_access: Option<bool>,
    #[serde(deserialize_with = "null_as_default")]
    pub custom_domains: Vec<String>,
    pub associated_partner_id: Option<String>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
}

impl Customer {
    /// The country used for catalog calls: `billingProfile.defaultAddress.country`, else
    /// `companyProfile.address.country` (§7).
    pub fn country(&self) -> Option<&str> {
        let billing = self
            .billing_profile
            .as_ref()
            .and_then(|b| b.default_address.as_ref())
            .and_then(|a| a.country.as_deref());
        let company = self
            .company_profile
            .as_ref()
            .and_then(|c| c.address.as_ref())
            .and_then(|a| a.country.as_deref());
        billing.or(company).filter(|c| !c.is_empty())
    }
}

lenient_enum! {
    /// Subscription `status`.
    pub enum SubscriptionStatus {
        None => "none", Active => "active", Pending => "pending", Suspended => "suspended",
        Expired => "expired", Disabled => "disabled", Deleted => "deleted",
    }
}

lenient_enum! {
    /// BillingCycleType (snake_case on the wire).
    pub enum BillingCycle {
        None => "none", Monthly => "monthly", Annual => "annual", Biennial => "biennial",
        Triennial => "triennial", OneTime => "one_time",
    }
}

/// `Subscription` (§7).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Subscription {
    pub id: String,
    pub offer_id: Option<String>,
    pub entitlement_id: Option<String>,
    pub offer_name: Option<String>,
    pub friendly_name: Option<String>,
    pub product_type: Option<ItemType>,
    #[serde(deserialize_with = "opt_decimal")]
    pub quantity: Option<Decimal>,
    pub unit_type: Option<String>,
    #[serde(deserialize_with = "opt_date")]
    pub creation_date: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_date")]
    pub effective_start_date: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_date")]
    pub commitment_end_date: Option<DateTime<Utc>>,
    pub status: Option<SubscriptionStatus>,
    pub auto_renew_enabled: Option<bool>,
    pub is_trial: Option<bool>,
    pub billing_type: Option<String>,
    pub billing_cycle: Option<BillingCycle>,
    pub term_duration: Option<String>,
    pub contract_type: Option<String>,
    pub order_id: Option<String>,
    pub product_order_id: Option<String>,
    pub links: Option<Links>,
    pub attributes: Option<Attributes>,
    /// Savings plans (`unitType: Benefit`): scope, hourly commitment and status.
    #[serde(deserialize_with = "super::savings::line_items")]
    pub line_items: Vec<super::savings::SubscriptionLineItem>,
}

impl Subscription {
    /// Legacy CSP Azure subscription (`MS-AZR-0145P`).
    pub fn is_legacy_azure(&self) -> bool {
        self.offer_id
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case("MS-AZR-0145P"))
    }
}

lenient_enum! {
    /// Registration status (`Registered`, `Registering`, `NotRegistered`, any case).
    pub enum RegistrationState {
        Registered => "Registered", Registering => "Registering", NotRegistered => "NotRegistered",
    }
}

/// `SubscriptionRegistrationStatus` (§7).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationStatus {
    #[serde(default)]
    pub subscription_id: Option<String>,
    pub status: RegistrationState,
}

/// The answer to a registration request (202 + `Location`, §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationAccepted {
    /// The `Location` header as sent (relative, usually without `/v1`), if any.
    pub location: Option<String>,
}
