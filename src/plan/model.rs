//! The plan model: what `plan` decided, one row per declared item (plus registrations and
//! unmanaged holdings), a per-customer summary and the totals. Serialised as the JSON plan
//! (`format_version: "1"`), rendered by `render`, saved by [`crate::plan::saved`].

use crate::manifest::{PurchaseKey, Term};
use crate::plan::basis::{CatalogBasis, SubscriptionBasis};
use crate::plan::observed::{CredentialsKind, HoldingsSource, Witnesses};
use crate::plan::provenance::Provenance;
use crate::prices::Totals;
use crate::prices::money::RowMoney;
use serde::{Deserialize, Serialize};

pub use super::summary::{Summary, plural};

/// The JSON plan format version this build writes and reads.
pub const FORMAT_VERSION: &str = "1";

/// A complete plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Always [`FORMAT_VERSION`].
    pub format_version: String,
    /// The desired state's hash (`DesiredState::manifest_hash`).
    pub manifest_hash: String,
    /// What the plan was made against (endpoint, partner tenant, commit); filled in by the CLI,
    /// absent in plans that do not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// One entry per declared customer, sorted by id.
    pub customers: Vec<CustomerSummary>,
    /// Register rows and one row per declared item, sorted by customer id, subscription id
    /// (subscription rows before software), register before items, then item name.
    pub rows: Vec<Row>,
    /// Holdings no declared item accounts for (action `unmanaged`), same order.
    pub unmanaged: Vec<Row>,
    pub summary: Summary,
    /// Which witnesses of recent purchases the plan rests on (journal, orders by id, activity
    /// log); absent in plans that do not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witnesses: Option<Witnesses>,
}

/// What the plan knows about one customer as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSummary {
    pub id: String,
    /// The manifest name, else the Partner Center company name, else the id.
    pub name: String,
    pub country: Option<String>,
    /// `None` when the customer could not be read.
    pub holdings_source: Option<HoldingsSource>,
    pub credentials: Option<CredentialsKind>,
    /// Sentences the output shows under the customer (holdings source caveats, in-flight
    /// warnings, unconfirmed journal intents).
    pub notes: Vec<String>,
    /// Why the customer could not be read, when it could not.
    pub error: Option<String>,
    /// What the customer's purchase rows commit, per currency (estimates).
    #[serde(default, skip_serializing_if = "Totals::is_empty")]
    pub commitment: Totals,
}

/// What a row proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Register the subscription for reservations (a subscription row).
    Register,
    /// Buy `to_buy` units. Irreversible.
    Purchase,
    /// Buy `to_buy` units to replace units that expire within the item's `renew_before` window
    /// (a new order: the expiring units still count until they lapse). Irreversible.
    Renew,
    /// The shortfall is covered by orders placed but not yet visible as holdings.
    Pending,
    /// Owned equals desired.
    Ok,
    /// Owned exceeds desired; reported, never acted on.
    Surplus,
    /// Cannot be bought; `reason` says why.
    Blocked,
    /// The customer or the item could not be observed; `reason` says why.
    Error,
    /// A holding no manifest declares.
    Unmanaged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Register => "register",
            Action::Purchase => "purchase",
            Action::Renew => "renew",
            Action::Pending => "pending",
            Action::Ok => "ok",
            Action::Surplus => "surplus",
            Action::Blocked => "blocked",
            Action::Error => "error",
            Action::Unmanaged => "unmanaged",
        }
    }

    /// Whether `apply` acts on rows with this action.
    pub fn is_change(self) -> bool {
        matches!(self, Action::Register | Action::Purchase | Action::Renew)
    }

    /// Whether rows with this action buy units (`purchase` and `renew`): they commit money.
    pub fn buys(self) -> bool {
        matches!(self, Action::Purchase | Action::Renew)
    }
}

/// What a row is about: one of the purchasable [kinds](crate::kinds).
pub use crate::kinds::Kind as ItemKind;

/// The catalog item a row resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    pub product_id: String,
    pub sku_id: String,
    pub availability_id: Option<String>,
    pub catalog_item_id: Option<String>,
    pub title: Option<String>,
    /// The cart line's `billingCycle`, decided at plan time from the declared billing and the
    /// SKU's supported cycles (absent in older plans and for unresolved items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_cycle: Option<String>,
}

/// The observations a row rests on; [`Row::fingerprint`] is a hash of it, and
/// [`crate::plan::compare()`] names the fields that changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basis {
    pub owned: u32,
    pub pending: u32,
    /// `status/kind/registration` of the subscription, e.g. `active/azure-plan/Registered`.
    pub subscription: Option<SubscriptionBasis>,
    /// The catalog item id and inventory state, e.g. `P:S:A inventory=not_required`, or the
    /// resolution outcome when nothing was found.
    pub catalog: Option<CatalogBasis>,
    /// The customer's country.
    pub country: Option<String>,
    /// Units matched to the item that expire within its `renew_before` window (not in `owned`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub expiring: u32,
}

pub(super) fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One line of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub customer_id: String,
    pub customer_name: String,
    /// Lower-case subscription id; `None` for software.
    pub subscription_id: Option<String>,
    /// The manifest item name; `None` for register and unmanaged rows.
    pub item: Option<String>,
    pub kind: ItemKind,
    /// What the row is about in words, e.g. `vm Standard_D4s_v5 eastus P3Y shared`,
    /// `software DG7GMGF0DWM3/0002`, `registration for reservations`.
    pub what: String,
    /// The declared item's purchase key; `None` for register and unmanaged rows.
    pub key: Option<PurchaseKey>,
    /// The term units are bought for (`None` for software).
    pub term: Option<Term>,
    pub action: Action,
    pub desired: u32,
    pub owned: u32,
    pub pending: u32,
    pub to_buy: u32,
    pub surplus: u32,
    pub resolved: Option<Resolved>,
    /// True for purchases: they commit money and cannot be undone.
    pub irreversible: bool,
    /// Why the row is blocked or an error, or a caveat about it.
    pub reason: Option<String>,
    /// For a `blocked` row whose item says `blocked_ok: "<reason>"` and whose block is the kind
    /// it may acknowledge (not sold in the market, inventory restricted): that reason. Such a row
    /// is still shown but does not fail the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<String>,
    /// For an `unmanaged` row: the holding as a manifest item (one line of YAML with ARM names)
    /// a user can paste to manage it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declare: Option<String>,
    pub basis: Basis,
    /// Short hex SHA-256 of `basis`.
    pub fingerprint: String,
    /// Purchase rows: the price, billing plan and commitment (an estimate), or why the price is
    /// unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub money: Option<RowMoney>,
    /// Purchase rows: what cannot be undone once bought, from the table in
    /// [`crate::kinds::irreversible`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cannot_undo: Vec<String>,
    /// The item's `renew_before`, so `apply --plan` without the manifests renews as planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renew_before: Option<crate::manifest::RenewBefore>,
    /// Holdings of this row that expire within 60 days while the item has no `renew_before`
    /// (they still count as owned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_soon: Option<super::expiry::ExpiryMark>,
}

impl Row {
    /// The identity of a row across two plans: customer, subscription, item (or `what` for rows
    /// without an item) and whether it is a registration.
    pub fn identity(&self) -> (String, Option<String>, String, bool) {
        (
            self.customer_id.clone(),
            self.subscription_id.clone(),
            self.item.clone().unwrap_or_else(|| self.what.clone()),
            self.action == Action::Register,
        )
    }

    /// A short label for messages: `contoso / 9a51d0e2-… / web-tier`.
    pub fn label(&self) -> String {
        let mut s = self.customer_name.clone();
        if let Some(sub) = &self.subscription_id {
            s.push_str(" / ");
            s.push_str(sub);
        }
        s.push_str(" / ");
        s.push_str(self.item.as_deref().unwrap_or(&self.what));
        s
    }
}

impl Plan {
    /// Whether applying the plan would do anything.
    pub fn has_changes(&self) -> bool {
        self.summary.has_changes()
    }

    /// See [`Summary::exit_code`].
    pub fn exit_code(&self, detailed: bool) -> crate::exit::ExitStatus {
        self.summary.exit_code(detailed)
    }

    /// The summary of one customer.
    pub fn customer(&self, id: &str) -> Option<&CustomerSummary> {
        self.customers.iter().find(|c| c.id == id)
    }

    /// Whether any row buys something.
    pub fn has_irreversible(&self) -> bool {
        self.rows.iter().any(|r| r.irreversible)
    }
}
