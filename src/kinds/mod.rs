//! Purchasable kinds: one file per kind ([`reservation`], [`software`]), each owning its purchase
//! key, its catalog resolution, how holdings count for its items, its cart line, and the names
//! users see. Plan, apply and render go through this module and never `match` on a kind.
//!
//! **Enum dispatch, not trait objects.** The set of kinds is closed and known at compile time,
//! and kinds are *data* that outlive a run: purchase keys are written to the journal and to saved
//! plans, so they need one serde representation with a `kind` tag (a trait-object registry would
//! need its own tagged serialisation and would lose exhaustiveness checks). Each kind implements
//! [`Purchasable`] for its declared item; the enums here ([`Item`], [`PurchaseKey`],
//! [`HoldingKind`], [`Kind`]) forward to the kind's file. The compiler lists every place to
//! extend when a variant is added, and all of those places are in this module.
//!
//! Adding a kind (e.g. savings plans): a file here implementing [`Purchasable`] plus its key,
//! holding, cart-line and summary functions; one variant in each enum of this file (the compiler
//! points at every `match` to extend, all of them here); the manifest's model and desired-state
//! field for it (`manifest`); and the sandbox's catalog for it. Plan, apply and render need no
//! change.

pub mod irreversible;
pub mod renewal;
pub mod reservation;
pub mod software;

mod declare;
mod duplicates;
mod holdings;

pub use declare::{Declaration, declare_holding, slug};
pub use duplicates::{Duplicate, duplicates};
pub use holdings::{
    HoldingKind, LineEvidence, attributed_through_order, attribution_gap, classify_entitlement,
    classify_order_line, could_count_for, describe_holding, kind_of_product_type,
};
pub use reservation::{ReservationAttribution, ReservationItem};
pub use software::SoftwareItem;

use crate::catalog::{Buyer, Catalog, Freshness};
use crate::manifest::{
    DesiredCustomer, DesiredState, RenewBefore, ReservationTarget, ReservationType, Scope,
    SourceRef, SubscriptionKind, Term,
};
use crate::plan::{Holding, Resolution, Row};
use crate::prices::money::BillingPlan;
use crate::store::PurchaseLine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::future::Future;

/// What a row or a holding is about: one variant per purchasable kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Reservation,
    Software,
}

impl Kind {
    /// Every kind, in the order totals are shown.
    pub const ALL: [Kind; 2] = [Kind::Reservation, Kind::Software];

    /// The kind's name in plural prose: `reservations`, `software`.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Reservation => reservation::PLURAL,
            Kind::Software => software::PLURAL,
        }
    }

    /// The kind's name in a sentence about markets: `Azure reservations`, `software`.
    pub fn market_name(self) -> &'static str {
        match self {
            Kind::Reservation => reservation::MARKET_NAME,
            Kind::Software => software::PLURAL,
        }
    }

    /// The start of "… not sold" sentences: `Azure reservations are`, `software is`.
    pub fn sold_phrase(self) -> &'static str {
        match self {
            Kind::Reservation => reservation::SOLD_PHRASE,
            Kind::Software => software::SOLD_PHRASE,
        }
    }

    /// The partner price-sheet view that prices this kind.
    pub fn price_view(self) -> &'static str {
        match self {
            Kind::Reservation => crate::prices::RESERVATIONS_VIEW,
            Kind::Software => crate::prices::SOFTWARE_VIEW,
        }
    }

    /// Whether buying this kind needs the subscription registered first (docs/partner-center.md §7).
    pub fn needs_registration(self) -> bool {
        match self {
            Kind::Reservation => true,
            Kind::Software => false,
        }
    }

    /// The summary-line parts for units to buy of this kind, e.g. `4 × P3Y`, `5 × software`.
    pub fn summary_parts(self, totals: &KindTotals) -> Vec<String> {
        match self {
            Kind::Reservation => reservation::summary_parts(totals),
            Kind::Software => software::summary_parts(totals),
        }
    }
}

/// Prose naming every kind: `reservations or software`.
pub fn all_plural() -> String {
    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.plural()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// Every kind as sold in a market: `Azure reservations and software`.
pub fn all_market_names() -> String {
    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.market_name()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// Whether the customer declares an item on subscription `subscription_id` (any case) whose
/// kind needs the subscription registered.
pub fn needs_registration(dc: &DesiredCustomer, subscription_id: &str) -> bool {
    let id = subscription_id.to_ascii_lowercase();
    items(dc)
        .iter()
        .any(|i| i.kind().needs_registration() && i.subscription_id().as_deref() == Some(&id))
}

/// The kind register rows (a subscription's registration for purchases) are shown as.
pub const REGISTRATION_KIND: Kind = Kind::Reservation;

/// The heading of the rows that belong to no subscription (software, and holdings that could not
/// be attributed to one).
pub const CUSTOMER_LEVEL_GROUP: &str = "software";

/// Units to buy of one kind, in total and per term (rows without a term count in the total only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindTotals {
    pub units: u32,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_term: BTreeMap<Term, u32>,
}

impl KindTotals {
    /// Counts `units` bought for `term`.
    pub fn add(&mut self, term: Option<Term>, units: u32) {
        self.units = self.units.saturating_add(units);
        if let Some(t) = term {
            let e = self.by_term.entry(t).or_default();
            *e = e.saturating_add(units);
        }
    }
}

/// The identity of a purchase: two items with the same key are the same thing to buy.
/// Reservations: (customer, subscription, type, target, term, scope); software: (customer, product, sku).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PurchaseKey {
    Reservation {
        customer_id: String,
        subscription_id: String,
        reservation_type: ReservationType,
        target: ReservationTarget,
        term: Term,
        scope: Scope,
    },
    Software {
        customer_id: String,
        product_id: String,
        sku_id: String,
    },
}

/// What the cart line of a purchase carries besides its catalog item and quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartTerms {
    /// Wire value, e.g. `one_time`.
    pub billing_cycle: String,
    pub term_duration: Option<String>,
    pub provisioning_context: BTreeMap<String, String>,
}

impl PurchaseKey {
    pub fn kind(&self) -> Kind {
        match self {
            PurchaseKey::Reservation { .. } => Kind::Reservation,
            PurchaseKey::Software { .. } => Kind::Software,
        }
    }

    /// The customer the purchase is for.
    pub fn customer_id(&self) -> &str {
        match self {
            PurchaseKey::Reservation { customer_id, .. }
            | PurchaseKey::Software { customer_id, .. } => customer_id,
        }
    }

    /// The key as compared for duplicates: ARM SKU names and catalog SKU ids are matched
    /// case-insensitively (the catalog does), so `Standard_D2s_v5` and `standard_d2s_v5` collide.
    pub fn comparable(self) -> PurchaseKey {
        match self {
            PurchaseKey::Reservation { .. } => reservation::comparable(self),
            PurchaseKey::Software { .. } => software::comparable(self),
        }
    }

    /// Whether a purchase made for `self` of a given product+SKU counts for an item keyed
    /// `other` that resolved to the same product+SKU: the same customer and, for reservations,
    /// the same subscription, term and scope.
    pub fn same_slot(&self, other: &PurchaseKey) -> bool {
        match (self, other) {
            (PurchaseKey::Reservation { .. }, PurchaseKey::Reservation { .. }) => {
                reservation::same_slot(self, other)
            }
            (PurchaseKey::Software { .. }, PurchaseKey::Software { .. }) => {
                software::same_slot(self, other)
            }
            _ => false,
        }
    }
}

/// A declared item of one kind, as plan, observe and apply see it.
pub trait Purchasable {
    const KIND: Kind;
    /// The item's purchase key for its customer.
    fn key(&self, customer_id: &str) -> PurchaseKey;
    /// The manifest item name.
    fn name(&self) -> &str;
    /// The declared quantity ("at least this many").
    fn quantity(&self) -> u32;
    /// Where the item is declared.
    fn source(&self) -> &SourceRef;
    /// The lower-case subscription the item belongs to, if any.
    fn subscription_id(&self) -> Option<String>;
    /// The term units are bought for, when the kind has one on its rows.
    fn term(&self) -> Option<Term>;
    /// The item in words, e.g. `vm Standard_D4s_v5 eastus P3Y shared`.
    fn what(&self) -> String;
    /// Catalog ids pinned in the manifest (product upper-case, SKU as written).
    fn pinned_ids(&self) -> Option<(String, String)>;
    /// Resolves the item in the catalog for `buyer`.
    fn resolve(
        &self,
        catalog: &Catalog,
        buyer: Buyer<'_>,
        freshness: Freshness,
    ) -> impl Future<Output = Resolution> + Send;
    /// Whether a holding counts for this item (given its catalog resolution).
    fn holding_matches(&self, h: &Holding, res: Option<&Resolution>) -> bool;
    /// What the item buys once resolved, in words, when it is certain: two items of a customer
    /// with the same answer buy the same thing (issue: duplicate declarations by ARM names and
    /// by catalog ids). `None` when the item is not resolved to catalog ids.
    fn resolved_identity(&self, res: Option<&Resolution>) -> Option<String>;
    /// The item's renewal window ([`renewal`]): holdings expiring within it do not count as
    /// owned. `None` for kinds whose holdings do not expire, and for items without one.
    fn renew_before(&self) -> Option<RenewBefore> {
        None
    }
    /// How the purchase is paid (the declared `billing`, default up front).
    fn billing(&self) -> BillingPlan;
    /// The cart line's `billingCycle` for a SKU offering `supported` (snake_case wire values,
    /// empty when the SKU lists none), or why the item cannot be bought with it (a blocked
    /// reason naming what the SKU supports).
    fn billing_cycle(&self, supported: &[String]) -> Result<String, String>;
}

/// One declared item of any kind.
#[derive(Debug, Clone, Copy)]
pub enum Item<'a> {
    Reservation(ReservationItem<'a>),
    Software(SoftwareItem<'a>),
}

/// Forwards a call to the kind's [`Purchasable`] implementation.
macro_rules! each {
    ($item:expr, $x:ident => $body:expr) => {
        match $item {
            Item::Reservation($x) => $body,
            Item::Software($x) => $body,
        }
    };
}

impl Item<'_> {
    pub fn kind(&self) -> Kind {
        match self {
            Item::Reservation(_) => ReservationItem::KIND,
            Item::Software(_) => SoftwareItem::KIND,
        }
    }
    pub fn key(&self, customer_id: &str) -> PurchaseKey {
        each!(self, x => x.key(customer_id))
    }
    pub fn name(&self) -> &str {
        each!(self, x => x.name())
    }
    pub fn quantity(&self) -> u32 {
        each!(self, x => x.quantity())
    }
    /// The item's `blocked_ok` reason, when it acknowledges a known block.
    pub fn blocked_ok(&self) -> Option<&str> {
        match self {
            Item::Reservation(x) => x.reservation.blocked_ok.as_deref(),
            Item::Software(x) => x.0.blocked_ok.as_deref(),
        }
    }
    pub fn source(&self) -> &SourceRef {
        each!(self, x => x.source())
    }
    pub fn subscription_id(&self) -> Option<String> {
        each!(self, x => x.subscription_id())
    }
    pub fn term(&self) -> Option<Term> {
        each!(self, x => x.term())
    }
    pub fn what(&self) -> String {
        each!(self, x => x.what())
    }
    pub fn pinned_ids(&self) -> Option<(String, String)> {
        each!(self, x => x.pinned_ids())
    }
    pub async fn resolve(
        &self,
        catalog: &Catalog,
        buyer: Buyer<'_>,
        freshness: Freshness,
    ) -> Resolution {
        each!(self, x => x.resolve(catalog, buyer, freshness).await)
    }
    pub fn holding_matches(&self, h: &Holding, res: Option<&Resolution>) -> bool {
        each!(self, x => x.holding_matches(h, res))
    }
    pub fn resolved_identity(&self, res: Option<&Resolution>) -> Option<String> {
        each!(self, x => x.resolved_identity(res))
    }
    pub fn renew_before(&self) -> Option<RenewBefore> {
        each!(self, x => x.renew_before())
    }
    /// Where a matched holding stands for this item at `now` ([`renewal::standing`]).
    pub fn holding_standing(
        &self,
        h: &Holding,
        now: Option<chrono::DateTime<chrono::Utc>>,
    ) -> renewal::Standing {
        renewal::standing(h, self.renew_before(), now)
    }
    pub fn billing(&self) -> BillingPlan {
        each!(self, x => x.billing())
    }
    pub fn billing_cycle(&self, supported: &[String]) -> Result<String, String> {
        each!(self, x => x.billing_cycle(supported))
    }
}

/// Every declared item of a customer in canonical order: subscriptions by id with their
/// reservations by name, then software by name. Holdings are counted in this order.
pub fn items(dc: &DesiredCustomer) -> Vec<Item<'_>> {
    let mut out: Vec<Item<'_>> = reservation::items(dc)
        .into_iter()
        .map(Item::Reservation)
        .collect();
    out.extend(software::items(dc).into_iter().map(Item::Software));
    out
}

/// The declared item with this purchase key, if the desired state still declares it.
pub fn find<'a>(desired: &'a DesiredState, key: &PurchaseKey) -> Option<Item<'a>> {
    let kc = key.customer_id();
    desired
        .customers
        .iter()
        .filter(|c| c.id.eq_ignore_ascii_case(kc))
        .flat_map(items)
        .find(|i| i.kind() == key.kind() && &i.key(kc) == key)
}

/// The cart line for a purchase row of `dc` (`None` when the row has no key or no resolved
/// catalog item, or the item is no longer declared).
pub fn purchase_line(dc: &DesiredCustomer, row: &Row, quantity: u32) -> Option<PurchaseLine> {
    let key = row.key.clone()?;
    let resolved = row.resolved.as_ref()?;
    let catalog_item_id = resolved.catalog_item_id.clone()?;
    let terms = match &key {
        PurchaseKey::Reservation { .. } => reservation::cart_terms(&key)?,
        PurchaseKey::Software { .. } => software::cart_terms(dc, &key)?,
    };
    // The plan decided the billing cycle against the SKU; older plans fall back to the kind's.
    let billing_cycle = resolved
        .billing_cycle
        .clone()
        .unwrap_or(terms.billing_cycle);
    Some(PurchaseLine {
        item_name: row.item.clone().unwrap_or_else(|| row.what.clone()),
        catalog_item_id,
        product_id: resolved.product_id.clone(),
        sku_id: resolved.sku_id.clone(),
        quantity,
        billing_cycle,
        term_duration: terms.term_duration,
        provisioning_context: terms.provisioning_context,
        friendly_name: row.item.clone(),
        estimate: row
            .money
            .as_ref()
            .map(|m| m.for_quantity(row.to_buy, quantity)),
        key,
    })
}

/// Declares again, in `dc`, the item a saved plan's row was made for (`apply --plan` without
/// the manifests). `source` names the plan file.
/// `subscription_kinds` holds the kind the plan observed for each subscription.
pub fn redeclare(
    dc: &mut DesiredCustomer,
    row: &Row,
    key: &PurchaseKey,
    subscription_kinds: &BTreeMap<String, SubscriptionKind>,
    source: &SourceRef,
) {
    match key {
        PurchaseKey::Reservation { .. } => {
            reservation::redeclare(dc, row, key, subscription_kinds, source)
        }
        PurchaseKey::Software { .. } => software::redeclare(dc, row, key, source),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Summary;
    use serde_json::json;

    #[test]
    fn purchase_keys_keep_their_journal_and_plan_json() {
        let r = PurchaseKey::Reservation {
            customer_id: "c".into(),
            subscription_id: "s".into(),
            reservation_type: ReservationType::Vm,
            target: ReservationTarget::Arm {
                arm_sku_name: "Standard_D2s_v5".into(),
                arm_region_name: "eastus".into(),
            },
            term: Term::P3Y,
            scope: Scope::Shared,
        };
        let v = serde_json::to_value(&r).expect("json");
        assert_eq!(
            v,
            json!({
                "kind": "reservation", "customer_id": "c", "subscription_id": "s",
                "reservation_type": "vm",
                "target": { "arm": { "arm_sku_name": "Standard_D2s_v5", "arm_region_name": "eastus" } },
                "term": "P3Y", "scope": "shared",
            })
        );
        assert_eq!(serde_json::from_value::<PurchaseKey>(v).expect("back"), r);
        let s = PurchaseKey::Software {
            customer_id: "c".into(),
            product_id: "P".into(),
            sku_id: "0001".into(),
        };
        assert_eq!(
            serde_json::to_value(&s).expect("json"),
            json!({ "kind": "software", "customer_id": "c", "product_id": "P", "sku_id": "0001" })
        );
        assert_eq!((r.kind(), s.kind()), (Kind::Reservation, Kind::Software));
        assert!(!r.same_slot(&s));
    }

    #[test]
    fn names_and_summary_parts_come_from_the_kinds() {
        assert_eq!(all_plural(), "reservations or software");
        assert_eq!(all_market_names(), "Azure reservations and software");
        let mut by_kind = BTreeMap::new();
        let mut r = KindTotals::default();
        r.add(Some(Term::P1Y), 2);
        by_kind.insert(Kind::Reservation, r);
        let mut s = KindTotals::default();
        s.add(None, 5);
        by_kind.insert(Kind::Software, s);
        let summary = Summary {
            to_buy: 7,
            to_buy_by_kind: by_kind,
            ..Summary::default()
        };
        assert_eq!(
            summary.line(),
            "Plan: buy 7 units (2 × P1Y, 5 × software), register 0 subscriptions, 0 blocked, \
             0 pending, 0 surplus."
        );
        assert_eq!(summary.to_buy_of(Kind::Software, None), 5);
        assert_eq!(summary.to_buy_of(Kind::Reservation, Some(Term::P3Y)), 0);
    }
}
