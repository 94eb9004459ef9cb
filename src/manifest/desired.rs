//! The normalised desired state: what the manifests ask for, after defaults, lower-casing and
//! merging of every file. This is the contract between `manifest` (which produces it) and
//! `plan` / `apply` (which consume it). Everything is sorted, so iteration order is deterministic.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The identity of a purchase; defined with the kinds, which own it.
pub use crate::kinds::PurchaseKey;

/// Where a value came from in the manifests (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SourceRef {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for SourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// Every manifest file merged into one desired state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredState {
    /// Sorted by customer id.
    pub customers: Vec<DesiredCustomer>,
    pub limits: Limits,
    /// Hex SHA-256 over the normalised desired state (not the raw bytes), so reformatting a
    /// file does not change it but any change of meaning does.
    pub manifest_hash: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub max_units_per_apply: Option<u32>,
    pub max_units_per_item: Option<u32>,
    /// `limits.max_commitment`: the most one run may commit (in one currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_commitment: Option<crate::prices::money::Money>,
    /// `limits.max_commitment_per_customer`: the most one run may commit for any one customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_commitment_per_customer: Option<crate::prices::money::Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredCustomer {
    /// Lower-case GUID.
    pub id: String,
    pub name: Option<String>,
    /// Sorted by subscription id.
    pub subscriptions: Vec<DesiredSubscription>,
    /// Sorted by item name.
    pub software: Vec<DesiredSoftware>,
    /// Sorted by item name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub savings_plans: Vec<super::DesiredSavingsPlan>,
    pub source: SourceRef,
}

impl DesiredCustomer {
    /// The name when given, else the id: what output shows.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// Puts subscriptions (by id) and items (by name) in their canonical order.
    pub fn sort_items(&mut self) {
        self.subscriptions.sort_by(|a, b| a.id.cmp(&b.id));
        for s in &mut self.subscriptions {
            s.reservations.sort_by(|a, b| a.name.cmp(&b.name));
        }
        self.software.sort_by(|a, b| a.name.cmp(&b.name));
        self.savings_plans.sort_by(|a, b| a.name.cmp(&b.name));
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredSubscription {
    /// Lower-case GUID.
    pub id: String,
    pub kind: SubscriptionKind,
    /// Sorted by item name.
    pub reservations: Vec<DesiredReservation>,
    pub source: SourceRef,
}

// The enums below are the manifest's vocabulary, used both by the YAML model (their doc
// comments are the schema's descriptions) and by the desired state: one definition each.

/// Kind of Azure subscription.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SubscriptionKind {
    /// An Azure plan (new commerce).
    AzurePlan,
    /// A legacy CSP Azure subscription (offer `MS-AZR-0145P`).
    Legacy,
}

/// What a reservation covers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ReservationType {
    /// Virtual machine compute (`AzureReservationsVM`).
    Vm,
    /// SQL Database / Managed Instance compute (`AzureReservationsSQL`).
    Sql,
    /// Cosmos DB throughput (`AzureReservationsCosmosDb`).
    Cosmosdb,
}

/// Reservation term.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum Term {
    /// One year.
    P1Y,
    /// Three years.
    P3Y,
}

/// Reservation scope.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The discount applies to every subscription of the customer.
    Shared,
    /// The discount applies to this subscription only.
    Single,
}

/// How a reservation names what to buy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReservationTarget {
    /// `sku:` (armSkuName, as written, case preserved) + `region:` (armRegionName, lower-cased).
    Arm {
        arm_sku_name: String,
        arm_region_name: String,
    },
    /// `product:` + `sku:` catalog ids pinned in the manifest (upper-cased product id).
    Pinned { product_id: String, sku_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredReservation {
    pub name: String,
    pub reservation_type: ReservationType,
    pub target: ReservationTarget,
    pub term: Term,
    pub scope: Scope,
    /// "At least this many units owned"; always ≥ 1.
    pub quantity: u32,
    /// How it is paid (`billing:`, default up front).
    #[serde(default)]
    pub billing: crate::prices::money::BillingPlan,
    pub source: SourceRef,
    /// Units expiring within this window do not count as owned (`renew_before`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renew_before: Option<RenewBefore>,
    /// `blocked_ok`: the reason a known block is acknowledged (see [`crate::plan::Row::acknowledged`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_ok: Option<String>,
}

/// A renewal window (`renew_before: 30d`): how long before expiry a unit stops counting as owned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RenewBefore {
    pub seconds: u64,
}

impl RenewBefore {
    /// The window as a duration.
    pub fn duration(self) -> std::time::Duration {
        std::time::Duration::from_secs(self.seconds)
    }
}

impl std::fmt::Display for RenewBefore {
    /// `30d`, `6w`, `36h`: whole days (or weeks) as written in manifests, else humantime's form.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const DAY: u64 = 86_400;
        if self.seconds > 0 && self.seconds.is_multiple_of(DAY) {
            write!(f, "{}d", self.seconds / DAY)
        } else {
            write!(f, "{}", humantime::format_duration(self.duration()))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredSoftware {
    pub name: String,
    /// Upper-cased catalog product id.
    pub product_id: String,
    pub sku_id: String,
    pub quantity: u32,
    /// Billing cycle requested (snake_case wire value, e.g. `one_time`); `None` = the SKU's only one.
    pub billing_cycle: Option<String>,
    /// Term duration requested (`P1Y`, `P3Y`) for software subscriptions that offer several.
    pub term: Option<String>,
    pub source: SourceRef,
    /// `blocked_ok`: the reason a known block is acknowledged (see [`crate::plan::Row::acknowledged`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_ok: Option<String>,
}

impl Term {
    pub fn as_str(self) -> &'static str {
        match self {
            Term::P1Y => "P1Y",
            Term::P3Y => "P3Y",
        }
    }
    /// The provisioning-context `duration` value (`1Year` / `3Years`).
    pub fn duration(self) -> &'static str {
        match self {
            Term::P1Y => "1Year",
            Term::P3Y => "3Years",
        }
    }
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Shared => "shared",
            Scope::Single => "single",
        }
    }
}

impl ReservationType {
    pub fn as_str(self) -> &'static str {
        match self {
            ReservationType::Vm => "vm",
            ReservationType::Sql => "sql",
            ReservationType::Cosmosdb => "cosmosdb",
        }
    }
    /// The catalog `targetView` for this reservation type.
    pub fn target_view(self) -> &'static str {
        match self {
            ReservationType::Vm => "AzureReservationsVM",
            ReservationType::Sql => "AzureReservationsSQL",
            ReservationType::Cosmosdb => "AzureReservationsCosmosDb",
        }
    }
}
