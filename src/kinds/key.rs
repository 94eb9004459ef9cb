//! Purchase keys (the identity of a purchase, written to journals and saved plans with a
//! `kind` tag), what a cart line carries besides its catalog item, and per-kind totals.

use super::{Kind, reservation, savings_plan, software};
use crate::manifest::{ReservationTarget, ReservationType, Scope, Term};
use crate::prices::money::BillingPlan;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// An Azure savings plan: (customer, Azure plan subscription, entitlement for `single`
    /// scope, scope, term, billing plan). Its "quantity" is the hourly commitment.
    SavingsPlan {
        customer_id: String,
        subscription_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        entitlement_id: Option<String>,
        scope: Scope,
        term: Term,
        billing: BillingPlan,
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
            PurchaseKey::SavingsPlan { .. } => Kind::SavingsPlan,
        }
    }

    /// The customer the purchase is for.
    pub fn customer_id(&self) -> &str {
        match self {
            PurchaseKey::Reservation { customer_id, .. }
            | PurchaseKey::Software { customer_id, .. }
            | PurchaseKey::SavingsPlan { customer_id, .. } => customer_id,
        }
    }

    /// The key as compared for duplicates: ARM SKU names and catalog SKU ids are matched
    /// case-insensitively (the catalog does), so `Standard_D2s_v5` and `standard_d2s_v5` collide.
    pub fn comparable(self) -> PurchaseKey {
        match self {
            PurchaseKey::Reservation { .. } => reservation::comparable(self),
            PurchaseKey::Software { .. } => software::comparable(self),
            PurchaseKey::SavingsPlan { .. } => savings_plan::comparable(self),
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
            (PurchaseKey::SavingsPlan { .. }, PurchaseKey::SavingsPlan { .. }) => {
                savings_plan::comparable(self.clone()) == savings_plan::comparable(other.clone())
            }
            _ => false,
        }
    }
}
