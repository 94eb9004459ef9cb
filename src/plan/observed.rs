//! The observed state: what Partner Center (and the local purchase journal) say each declared
//! customer has right now. This is the input of [`crate::plan::diff()`] next to the desired state.
//!
//! It is plain data so `observe` can fill it from Partner Center answers and tests can build it by
//! hand. Every identifier is stored as Partner Center returns it except where a field says it is
//! normalised: customer and subscription ids are **lower-case** GUIDs (so they compare equal to the
//! manifest's), product ids upper-case, `armRegionName` lower-case. The diff never does I/O and
//! never reads a clock, so anything time-dependent (expiry, "the last 15 minutes") is decided by
//! `observe` and recorded here as data.
//!
//! Filling it from Partner Center (docs/partner-center.md sections in brackets):
//!
//! | field | source |
//! |---|---|
//! | [`ObservedCustomer::country`] | `GET /v1/customers/{id}` → `billingProfile.defaultAddress.country` (§7) |
//! | [`ObservedCustomer::company_name`] | same call, `companyProfile.companyName` |
//! | [`ObservedSubscription`] | `GET …/subscriptions` (§7): `status` via [`SubscriptionStatus::from_wire`], kind via [`crate::observe::wire_values::kind_from_offer_id`] on `offerId` |
//! | [`ObservedSubscription::registration`] | `GET …/subscriptions/{id}/registrationstatus` (§7) via [`Registration::from_wire`], only for subscriptions the manifest gives reservations |
//! | [`Holding`] (entitlements) | `GET …/entitlements?entitlementType=reservedInstance&showExpiry=true` and `…=software` (§11): `productId`, `skuId`, `quantity`, `referenceOrder.id`, `expiryDate`; attribution from the order's line `referenceOrder.lineItemId` → `provisioningContext` `subscriptionId` / `scope` ([`crate::observe::wire_values::scope_from_wire`]) / `duration` ([`crate::observe::wire_values::term_from_wire`]) (§10) |
//! | [`Holding`] (orders fallback) | on 403/900329 for entitlements: `GET …/orders?billingType=OneTime` (§10), skipping `cancelled` orders; one holding per line, with `offerId` split into product/SKU; set [`HoldingsSource::Orders`] |
//! | [`ReservationAttribution`] `reservation_type`/`arm_*` | the SKU's catalog entry (`dynamicAttributes.armSkuName`, `armRegionName`; the product's `targetView`), when the run resolved it anyway |
//! | [`PendingPurchase`] | the journal: orders recorded by apply and not yet seen in holdings (get-by-id, §10, confirms them); intents with no recorded order get `order_id: None`; and the partner activity log (§15): `create_order` records of the last 30 minutes whose order lines are not yet holdings, attributed through `OfferId`, `ProvisioningContext`, `TermDuration` (one unit counted once: deduplicated by order id) |
//! | [`ObservedCustomer::in_flight_unknown`] | the journal is unreadable or names an unattributable purchase ([`InFlightUnknown::JournalUnreadable`]); the activity log cannot be read ([`InFlightUnknown::ActivityLogUnreadable`]); or a recent order cannot be attributed with certainty ([`InFlightUnknown::Unattributed`]). A state dir without a journal no longer blocks anything: the activity log stands in |
//! | [`Observation::witnesses`] | which of the journal, orders by id and the activity log were consulted |
//! | [`Resolution`] | catalog discovery per (country, scope, target view), §8; inventory check §8 |

pub use crate::kinds::{HoldingKind, ReservationAttribution};
use crate::manifest::{PurchaseKey, SubscriptionKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything observed for one `plan` run: one entry per declared customer (any order; the diff
/// looks customers up by id). A declared customer with no entry here gets `error` rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    pub customers: Vec<CustomerObservation>,
    /// Which witnesses of recent purchases were consulted (`None`: not said, e.g. a test).
    #[serde(default)]
    pub witnesses: Option<Witnesses>,
    /// When the observation was made: the diff measures holding expiry against it (renewals,
    /// expiry warnings). `None`: not said, and nothing is treated as expiring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The price sheets read for the customers' markets (money on purchase rows).
    #[serde(default)]
    pub prices: crate::prices::PriceBook,
}

impl Observation {
    /// The observation of one customer (ids compared case-insensitively).
    pub fn customer(&self, id: &str) -> Option<&CustomerObservation> {
        self.customers
            .iter()
            .find(|c| c.customer_id().eq_ignore_ascii_case(id))
    }
}

/// One customer: either everything `observe` could read, or why reading it failed. A failure makes
/// that customer's rows `error` rows and does not stop the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CustomerObservation {
    Failed {
        /// Lower-case customer tenant id.
        customer_id: String,
        /// One line naming what failed, e.g. `reading subscriptions: 503 Service Unavailable`.
        error: String,
    },
    Observed(ObservedCustomer),
}

impl CustomerObservation {
    pub fn customer_id(&self) -> &str {
        match self {
            CustomerObservation::Failed { customer_id, .. } => customer_id,
            CustomerObservation::Observed(c) => &c.id,
        }
    }
}

/// A customer as read from Partner Center (`GET /v1/customers/{id}`, its subscriptions,
/// registrations, entitlements or orders, the catalog) and the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedCustomer {
    /// Lower-case customer tenant id.
    pub id: String,
    /// `companyProfile.companyName`, when known.
    pub company_name: Option<String>,
    /// `billingProfile.defaultAddress.country`, ISO 3166 alpha-2 upper-case (or one of the
    /// Microsoft pseudo-codes, see [`crate::plan::markets`]).
    pub country: String,
    /// Every subscription of the customer Partner Center returned, keyed by lower-case id.
    /// Subscriptions the manifest does not mention may be left out.
    pub subscriptions: BTreeMap<String, ObservedSubscription>,
    /// What the customer owns: reservations and software, one entry per entitlement (or per order
    /// line when [`HoldingsSource::Orders`]). Quantities exclude cancelled units.
    pub holdings: Vec<Holding>,
    /// Where `holdings` came from.
    pub holdings_source: HoldingsSource,
    /// The kind of credentials the run used (app-only cannot read entitlements).
    pub credentials: CredentialsKind,
    /// Purchases the journal or the activity log know about that are not yet visible in
    /// `holdings`. `observe` should
    /// leave out orders already visible; the diff also ignores any whose order id appears in
    /// `holdings`, so a unit is never counted as both owned and pending.
    pub pending: Vec<PendingPurchase>,
    /// Set when recent orders (which the order list and entitlements may not show yet) cannot
    /// be ruled out or attributed, and why. The purchases it [blocks](InFlightUnknown::blocks)
    /// are blocked: the plan says what to do instead of proposing a duplicate.
    pub in_flight_unknown: Option<InFlightUnknown>,
    /// The catalog resolution of each declared item of this customer, keyed by purchase key.
    /// An item with no entry here becomes an `error` row.
    pub resolutions: Vec<ItemResolution>,
}

/// Why in-flight orders of a customer cannot be ruled out (all of the customer's purchases are
/// blocked), or which recent orders could not be attributed (purchases of possibly-matching items
/// are blocked, see [`InFlightUnknown::blocks`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum InFlightUnknown {
    /// The journal exists but cannot be read, or holds a purchase line it cannot attribute to a
    /// declared item.
    JournalUnreadable,
    /// The partner activity log (`GET /v1/auditrecords`) could not be read, so orders placed in
    /// the last 30 minutes by other runners, other tools or people in the portal cannot be ruled
    /// out.
    ActivityLogUnreadable {
        /// One line naming the call and what failed.
        error: String,
    },
    /// `create_order` records of the activity log that cannot be attributed to a declared item
    /// with certainty.
    Unattributed { orders: Vec<UnattributedOrder> },
}

/// A recent order (from the activity log) that may count for a declared item, but not with
/// certainty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnattributedOrder {
    /// The order id, when the record names one.
    pub order_id: Option<String>,
    /// Upper-case product id of the order line, when known. `None`: the record could not be read
    /// at all, and every purchase of the customer is blocked.
    pub product_id: Option<String>,
    /// The SKU id of the order line (with `product_id`).
    pub sku_id: Option<String>,
    /// Why it cannot be attributed, e.g. `its provisioning context has no scope`.
    pub why: String,
}

impl InFlightUnknown {
    /// Whether this doubt blocks buying the catalog product+SKU (case-insensitive).
    pub fn blocks(&self, product_id: &str, sku_id: &str) -> bool {
        match self {
            InFlightUnknown::JournalUnreadable | InFlightUnknown::ActivityLogUnreadable { .. } => {
                true
            }
            InFlightUnknown::Unattributed { orders } => {
                orders.iter().any(|o| o.may_be(product_id, sku_id))
            }
        }
    }
}

impl UnattributedOrder {
    /// Whether the order may be a purchase of the product+SKU.
    pub fn may_be(&self, product_id: &str, sku_id: &str) -> bool {
        match (&self.product_id, &self.sku_id) {
            (Some(p), Some(s)) => {
                p.eq_ignore_ascii_case(product_id) && s.eq_ignore_ascii_case(sku_id)
            }
            (Some(p), None) => p.eq_ignore_ascii_case(product_id),
            _ => true,
        }
    }
}

/// Which independent witnesses of recent purchases a run consulted (DESIGN §4: the journal,
/// orders fetched by id, the partner activity log). A unit counts once even when several report
/// it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Witnesses {
    pub journal: JournalWitness,
    /// Journalled orders fetched by id (`GET …/orders/{id}`) to confirm or rule them out.
    pub orders_by_id: u32,
    pub activity_log: ActivityWitness,
}

/// The local purchase journal as a witness.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalWitness {
    /// Read.
    #[default]
    Read,
    /// The state dir has none (a fresh or lost state dir): the other witnesses stand in.
    Missing,
    /// It exists but could not be read (purchases are blocked).
    Unreadable,
}

/// The partner activity log as a witness.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ActivityWitness {
    /// Not consulted (a library caller that did not ask for it).
    #[default]
    NotRead,
    /// Read: `orders` `create_order` records of the run's customers in the last `minutes`.
    Read { minutes: u32, orders: u32 },
    /// Reading it failed: purchases of the run's customers are blocked.
    Failed { error: String },
}

impl Witnesses {
    /// One sentence for the plan, e.g. `Recent purchases checked with: the purchase journal,
    /// 1 order fetched by id, the partner activity log (2 orders in the last 30 minutes).`
    pub fn line(&self) -> String {
        let journal = match self.journal {
            JournalWitness::Read => "the purchase journal",
            JournalWitness::Missing => "the purchase journal (none in this state dir)",
            JournalWitness::Unreadable => "the purchase journal (unreadable)",
        };
        let by_id = match self.orders_by_id {
            1 => "1 order fetched by id".to_owned(),
            n => format!("{n} orders fetched by id"),
        };
        let log = match &self.activity_log {
            ActivityWitness::NotRead => "not the partner activity log".to_owned(),
            ActivityWitness::Read { minutes, orders } => format!(
                "the partner activity log ({orders} order{} in the last {minutes} minutes)",
                if *orders == 1 { "" } else { "s" }
            ),
            ActivityWitness::Failed { .. } => {
                "the partner activity log (unreadable: purchases blocked)".to_owned()
            }
        };
        format!("Recent purchases checked with: {journal}, {by_id}, {log}.")
    }
}

impl ObservedCustomer {
    /// The catalog resolution observed for a declared item.
    pub fn resolution(&self, key: &PurchaseKey) -> Option<&Resolution> {
        self.resolutions
            .iter()
            .find(|r| &r.key == key)
            .map(|r| &r.resolution)
    }

    /// The subscription with this id (case-insensitive).
    pub fn subscription(&self, id: &str) -> Option<&ObservedSubscription> {
        self.subscriptions
            .get(id)
            .or_else(|| self.subscriptions.get(&id.to_ascii_lowercase()))
    }
}

/// A subscription of the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedSubscription {
    /// Lower-case subscription id.
    pub id: String,
    pub status: SubscriptionStatus,
    /// `Legacy` when `offerId` is `MS-AZR-0145P`, `AzurePlan` for the Azure plan product
    /// (`DZH318Z0BPS6:0001:…`). Other subscriptions (software, seats) need not be listed at all.
    pub kind: SubscriptionKind,
    /// Registration for reservations (§7). Only queried for subscriptions the manifest gives
    /// reservations; `Unknown` otherwise or when the query failed.
    pub registration: Registration,
}

/// Partner Center's subscription `status`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Active,
    Suspended,
    /// Any other value as Partner Center wrote it (`pending`, `expired`, `disabled`, `deleted`…).
    Other(String),
}

impl SubscriptionStatus {
    /// Parses Partner Center's value, case-insensitively.
    pub fn from_wire(s: &str) -> Self {
        match s.to_ascii_lowercase().as_str() {
            "active" => SubscriptionStatus::Active,
            "suspended" => SubscriptionStatus::Suspended,
            other => SubscriptionStatus::Other(other.to_owned()),
        }
    }
    pub fn as_str(&self) -> &str {
        match self {
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::Suspended => "suspended",
            SubscriptionStatus::Other(s) => s,
        }
    }
}

/// Registration status of a subscription (§7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Registration {
    Registered,
    Registering,
    NotRegistered,
    /// Not queried, or the query failed.
    Unknown,
}

impl Registration {
    /// Parses Partner Center's value, case-insensitively (`registered`, `NotRegistered`, …).
    pub fn from_wire(s: &str) -> Self {
        match s.to_ascii_lowercase().as_str() {
            "registered" => Registration::Registered,
            "registering" => Registration::Registering,
            "notregistered" => Registration::NotRegistered,
            _ => Registration::Unknown,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Registration::Registered => "Registered",
            Registration::Registering => "Registering",
            Registration::NotRegistered => "NotRegistered",
            Registration::Unknown => "Unknown",
        }
    }
}

/// Where holdings were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldingsSource {
    /// `GET …/entitlements` (needs App+User credentials).
    Entitlements,
    /// The customer's one-time orders, cancelled ones excluded — the fallback with app-only
    /// credentials. The order list may miss orders of the last 15 minutes.
    Orders,
}

impl HoldingsSource {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldingsSource::Entitlements => "entitlements",
            HoldingsSource::Orders => "orders",
        }
    }
}

/// The kind of token the run used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialsKind {
    AppOnly,
    AppUser,
}

/// One thing the customer owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holding {
    pub kind: HoldingKind,
    /// Upper-case catalog product id.
    pub product_id: String,
    pub sku_id: String,
    /// Units owned (entitlement `quantity`, which excludes cancelled units).
    pub quantity: u32,
    /// The order that bought it (`referenceOrder.id`, or the order's id with orders).
    pub order_id: String,
    /// `expiryDate` (with `showExpiry=true`), RFC 3339, when the item expires.
    pub expiry: Option<String>,
    /// A human title (order line `friendlyName` or the SKU title), for output only.
    pub title: Option<String>,
}

/// A purchase recorded in the journal, or seen in the partner activity log, and not yet visible
/// in holdings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingPurchase {
    /// The order id checkout returned; `None` for an intent whose outcome is not confirmed
    /// (written before checkout, no order recorded yet) — counted as pending all the same.
    pub order_id: Option<String>,
    /// The purchase key of the declared item the purchase was made for.
    pub key: PurchaseKey,
    pub product_id: String,
    pub sku_id: String,
    pub quantity: u32,
}

/// A declared item's catalog resolution, keyed by its purchase key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemResolution {
    pub key: PurchaseKey,
    pub resolution: Resolution,
}

/// What the catalog said about a declared item, in the customer's country and scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Resolution {
    Found(CatalogItem),
    /// No SKU matches. `searched` says what was looked for (e.g. "AzureReservationsVM, Azure
    /// plan, country US: Standard_D4s_v6 in eastus for 3Years"); `suggestions` are close matches.
    NotFound {
        searched: String,
        suggestions: Vec<String>,
    },
    /// The catalog offers nothing of this kind in the customer's country.
    MarketUnavailable,
    /// The product can only be verified with App+User credentials.
    NeedsAppUser,
    /// Reading the catalog failed.
    Error(String),
    /// The catalog lists several items the declared one could be (e.g. two availabilities of
    /// the customer's segment); `reason` names them.
    Ambiguous {
        reason: String,
    },
}

/// A purchasable catalog item (§8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogItem {
    pub product_id: String,
    pub sku_id: String,
    /// The availability a cart line buys; `None` when it was not read. Observe reads
    /// availabilities only for items whose row has a shortfall (issue 13): a row that buys
    /// nothing needs none, and holdings are matched on the product and SKU.
    pub availability: Option<ChosenAvailability>,
    /// The SKU title.
    pub title: String,
    pub min_quantity: u32,
    pub max_quantity: u32,
    /// `purchasePrerequisites` contains `AzureSubscriptionRegistration`.
    pub requires_registration: bool,
    pub inventory: Inventory,
    /// The SKU's `supportedBillingCycles` (snake_case wire values; empty when not listed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub billing_cycles: Vec<String>,
}

impl CatalogItem {
    /// `product:sku:availability`, the value a cart line buys (`None`: the availability was not
    /// read).
    pub fn catalog_item_id(&self) -> Option<&str> {
        self.availability
            .as_ref()
            .map(|a| a.catalog_item_id.as_str())
    }
}

/// The availability chosen for a catalog item (the customer's segment, the declared term).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChosenAvailability {
    pub id: String,
    /// `product:sku:availability`, the value a cart line buys.
    pub catalog_item_id: String,
}

/// The result of the inventory check (§8) for SKUs that require it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Inventory {
    /// The SKU does not list `InventoryCheck`.
    NotRequired,
    Available,
    Restricted {
        reason: String,
    },
    /// Required but not checked: the check failed, or was not made for a row that buys nothing
    /// (the cart checks it when apply buys).
    Unknown,
    /// Required, and left to the cart: apply sends no inventory check for what it buys
    /// ([`crate::observe::InventoryCheck::Cart`]); the cart refuses a restricted line (10003).
    ByCart,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_case_insensitively() {
        assert_eq!(
            Registration::from_wire("notregistered"),
            Registration::NotRegistered
        );
        assert_eq!(
            Registration::from_wire("Registering"),
            Registration::Registering
        );
        assert_eq!(
            SubscriptionStatus::from_wire("Suspended"),
            SubscriptionStatus::Suspended
        );
        assert_eq!(
            SubscriptionStatus::from_wire("deleted"),
            SubscriptionStatus::Other("deleted".into())
        );
    }
}
