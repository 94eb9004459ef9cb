//! A declared item of any kind ([`Item`]) and the trait each kind implements ([`Purchasable`]);
//! [`Item`] forwards every call to its kind's file.

use super::{Kind, PurchaseKey, ReservationItem, SavingsPlanItem, SoftwareItem, renewal};
use crate::catalog::{Buyer, Catalog, Freshness};
use crate::manifest::{RenewBefore, SourceRef, Term};
use crate::plan::{Holding, Resolution};
use crate::prices::money::BillingPlan;
use std::future::Future;

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
    fn billing_cycle(&self, supported: &[String]) -> Result<String, CycleError>;
}

/// Why an item cannot be bought with the billing cycles its SKU offers (a blocked reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CycleError {
    /// The declared `billing` is not among the SKU's cycles.
    #[error(
        "billing: {billing} is not offered for this SKU; it supports {} (its supportedBillingCycles)",
        .supported.join(", ")
    )]
    NotOffered {
        billing: &'static str,
        /// The SKU's cycles, as billing plans where they are one (`upfront`, `monthly`).
        supported: Vec<String>,
    },
    /// The SKU offers several cycles and nothing says which.
    #[error(
        "the SKU offers billing cycles {}; declare billing_cycle to choose one",
        .offered.join(", ")
    )]
    Choose { offered: Vec<String> },
}

/// One declared item of any kind.
#[derive(Debug, Clone, Copy)]
pub enum Item<'a> {
    Reservation(ReservationItem<'a>),
    Software(SoftwareItem<'a>),
    SavingsPlan(SavingsPlanItem<'a>),
}

/// Forwards a call to the kind's [`Purchasable`] implementation.
macro_rules! each {
    ($item:expr, $x:ident => $body:expr) => {
        match $item {
            Item::Reservation($x) => $body,
            Item::Software($x) => $body,
            Item::SavingsPlan($x) => $body,
        }
    };
}

impl Item<'_> {
    pub fn kind(&self) -> Kind {
        match self {
            Item::Reservation(_) => ReservationItem::KIND,
            Item::Software(_) => SoftwareItem::KIND,
            Item::SavingsPlan(_) => SavingsPlanItem::KIND,
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
            Item::SavingsPlan(x) => x.0.blocked_ok.as_deref(),
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
    pub fn billing_cycle(&self, supported: &[String]) -> Result<String, CycleError> {
        each!(self, x => x.billing_cycle(supported))
    }
    /// The price of one unit for the whole term and its currency, when the kind prices itself
    /// rather than through the price sheet (savings plans: the commitment is the price).
    pub fn own_price(&self) -> Option<(rust_decimal::Decimal, String)> {
        match self {
            Item::SavingsPlan(x) => Some(x.unit_price()),
            _ => None,
        }
    }
}
