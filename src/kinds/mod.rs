//! Purchasable kinds: one file (or folder) per kind ([`reservation`], [`software`],
//! [`savings_plan`]), each owning its purchase
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
//! Adding a kind: a file here implementing [`Purchasable`] plus its key, holding, cart-line and
//! summary functions; one variant in each enum here ([`item`], [`key`], [`holdings`]; the
//! compiler points at every `match` to extend); the manifest's model and desired-state field for
//! it (`manifest`); and the sandbox's catalog for it. Savings plans also needed what a row's count
//! *means*: their count is an hourly commitment, not units, so rows are worded through
//! [`Kind::amount`] and [`Kind::describe_money`], unit totals and limits count
//! [`Kind::units_bought`], and a kind may price itself ([`Item::own_price`]).

pub mod irreversible;
pub mod renewal;
pub mod reservation;
mod reservation_catalog;
mod reservation_import;
pub mod software;

mod declare;
mod duplicates;
mod holdings;
mod item;
mod key;
pub mod savings_plan;

pub use declare::{Declaration, Undeclarable, declare_holding, slug};
pub use duplicates::{Duplicate, duplicates};
pub use holdings::{
    HoldingKind, LineEvidence, attributed_through_order, attribution_gap, classify_entitlement,
    classify_order_line, could_count_for, describe_holding, kind_of_product_type,
};
pub use item::{CycleError, Item, Purchasable};
pub use key::{CartTerms, KindTotals, PurchaseKey};
pub use reservation::{ReservationAttribution, ReservationItem};
pub use savings_plan::SavingsPlanItem;
pub use software::SoftwareItem;

use crate::manifest::{DesiredCustomer, DesiredState, SourceRef, SubscriptionKind};
use crate::plan::Row;
use crate::store::PurchaseLine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a row or a holding is about: one variant per purchasable kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Reservation,
    Software,
    SavingsPlan,
}

impl Kind {
    /// Every kind, in the order totals are shown.
    pub const ALL: [Kind; 3] = [Kind::Reservation, Kind::Software, Kind::SavingsPlan];

    /// The kind's name in plural prose: `reservations`, `software`.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Reservation => reservation::PLURAL,
            Kind::Software => software::PLURAL,
            Kind::SavingsPlan => savings_plan::PLURAL,
        }
    }

    /// The kind's name in a sentence about markets: `Azure reservations`, `software`.
    pub fn market_name(self) -> &'static str {
        match self {
            Kind::Reservation => reservation::MARKET_NAME,
            Kind::Software => software::PLURAL,
            Kind::SavingsPlan => savings_plan::MARKET_NAME,
        }
    }

    /// The start of "… not sold" sentences: `Azure reservations are`, `software is`.
    pub fn sold_phrase(self) -> &'static str {
        match self {
            Kind::Reservation => reservation::SOLD_PHRASE,
            Kind::Software => software::SOLD_PHRASE,
            Kind::SavingsPlan => savings_plan::SOLD_PHRASE,
        }
    }

    /// The partner price-sheet view that prices this kind.
    pub fn price_view(self) -> &'static str {
        match self {
            Kind::Reservation => crate::prices::RESERVATIONS_VIEW,
            Kind::Software => crate::prices::SOFTWARE_VIEW,
            // Never read: a savings plan's price is its commitment ([`Item::own_price`]).
            Kind::SavingsPlan => crate::prices::RESERVATIONS_VIEW,
        }
    }

    /// Whether buying this kind needs the subscription registered first (docs/partner-center.md §7).
    pub fn needs_registration(self) -> bool {
        match self {
            Kind::Reservation => true,
            Kind::Software | Kind::SavingsPlan => false,
        }
    }

    /// The summary-line parts for units to buy of this kind, e.g. `4 × P3Y`, `5 × software`.
    pub fn summary_parts(self, totals: &KindTotals) -> Vec<String> {
        match self {
            Kind::Reservation => reservation::summary_parts(totals),
            Kind::Software => software::summary_parts(totals),
            Kind::SavingsPlan => savings_plan::summary_parts(totals),
        }
    }

    /// What a row's count is in words: units for reservations and software, the hourly
    /// commitment for savings plans (`5.00/h`).
    pub fn amount(self, n: u32) -> String {
        match self {
            Kind::SavingsPlan => savings_plan::amount(n),
            Kind::Reservation | Kind::Software => n.to_string(),
        }
    }

    /// [`Kind::amount`] as a phrase: `3 units`, or a savings plan's `5.00/h`.
    pub fn amount_phrase(self, n: u32) -> String {
        match self {
            Kind::SavingsPlan => savings_plan::amount(n),
            Kind::Reservation | Kind::Software => format!("{n} units"),
        }
    }

    /// A row's money in words ([`RowMoney::describe`]); a savings plan's as its hourly
    /// commitment over the hours of its term.
    pub fn describe_money(self, m: &crate::prices::money::RowMoney) -> String {
        match self {
            Kind::SavingsPlan => savings_plan::describe_money(m),
            Kind::Reservation | Kind::Software => m.describe(),
        }
    }

    /// How many units a purchase of `n` counts as in unit totals and unit limits: a savings
    /// plan is one unit whatever its commitment.
    pub fn units_bought(self, n: u32) -> u32 {
        match self {
            Kind::SavingsPlan => u32::from(n > 0),
            Kind::Reservation | Kind::Software => n,
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

/// Every declared item of a customer in canonical order: subscriptions by id with their
/// reservations by name, then software by name. Holdings are counted in this order.
pub fn items(dc: &DesiredCustomer) -> Vec<Item<'_>> {
    let mut out: Vec<Item<'_>> = reservation::items(dc)
        .into_iter()
        .map(Item::Reservation)
        .collect();
    out.extend(software::items(dc).into_iter().map(Item::Software));
    out.extend(savings_plan::items(dc).into_iter().map(Item::SavingsPlan));
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
        PurchaseKey::SavingsPlan { .. } => savings_plan::cart_terms(&key)?,
    };
    // A savings plan is one plan (quantity 1) carrying the hourly commitment bought.
    let (wire_quantity, commitment) = match &key {
        PurchaseKey::SavingsPlan { .. } => (1, Some(savings_plan::commitment(dc, &key, quantity)?)),
        _ => (quantity, None),
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
        quantity: wire_quantity,
        commitment,
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
        PurchaseKey::SavingsPlan { .. } => savings_plan::redeclare(dc, row, key, source),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{ReservationTarget, ReservationType, Scope, Term};
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
        assert_eq!(all_plural(), "reservations, software or savings plans");
        assert_eq!(
            all_market_names(),
            "Azure reservations, software and Azure savings plans"
        );
        assert_eq!(Kind::SavingsPlan.amount(5000), "5.00/h");
        assert_eq!(Kind::SavingsPlan.units_bought(5000), 1);
        assert_eq!(Kind::Reservation.units_bought(4), 4);
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
