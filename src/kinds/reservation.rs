//! Azure reservations: declared under a subscription by ARM names (`sku` + `region`) or by
//! pinned catalog ids (`product` + `sku`), bought `one_time` for a term and a scope with a
//! provisioning context naming the subscription. Owns the reservation purchase key, catalog
//! resolution (the view of its type, for the subscription's kind), the attribution of reservation
//! holdings and how they match a declared item, the cart line, and the words users see.

use super::{CartTerms, Kind, KindTotals, Purchasable, PurchaseKey};
use crate::catalog::{Buyer, Catalog, Freshness, SkuFacts};
use crate::manifest::{
    DesiredCustomer, DesiredReservation, DesiredSubscription, ReservationTarget, ReservationType,
    Scope, SourceRef, SubscriptionKind, Term,
};
use crate::observe::order_cache::OrderLineSummary;
use crate::plan::{Holding, Resolution, Row};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kind in plural prose.
pub(super) const PLURAL: &str = "reservations";
/// The kind's name in a sentence about markets.
pub(super) const MARKET_NAME: &str = "Azure reservations";
/// The start of a "not sold" sentence.
pub(super) const SOLD_PHRASE: &str = "Azure reservations are";

/// A declared reservation with the subscription it is declared under.
#[derive(Debug, Clone, Copy)]
pub struct ReservationItem<'a> {
    pub subscription: &'a DesiredSubscription,
    pub reservation: &'a DesiredReservation,
}

/// A reservation's attribution, read through `referenceOrder` → the order line's
/// `provisioningContext` (`subscriptionId`, `scope`, `duration`) and, when the catalog knows the
/// SKU, its `dynamicAttributes`. A field is `None` when it could not be read; a holding missing
/// its subscription, term or scope never counts for a declared item (it is listed as unmanaged).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservationAttribution {
    /// Lower-case subscription id.
    pub subscription_id: Option<String>,
    /// From `duration` (`1Year` → P1Y, `3Years` → P3Y) or the order line's `termDuration`.
    pub term: Option<Term>,
    /// From `scope` (`Shared` / `Single`, case-insensitive).
    pub scope: Option<Scope>,
    /// From the SKU's catalog (`targetView` of its product), when known.
    pub reservation_type: Option<ReservationType>,
    /// The SKU's `armSkuName`, when known.
    pub arm_sku_name: Option<String>,
    /// The SKU's `armRegionName` (lower-case), when known.
    pub arm_region_name: Option<String>,
}

impl DesiredReservation {
    pub fn purchase_key(&self, customer_id: &str, subscription_id: &str) -> PurchaseKey {
        PurchaseKey::Reservation {
            customer_id: customer_id.to_owned(),
            subscription_id: subscription_id.to_owned(),
            reservation_type: self.reservation_type,
            target: self.target.clone(),
            term: self.term,
            scope: self.scope,
        }
    }
}

/// The reservations of a customer: subscriptions by id, reservations by name.
pub(super) fn items(dc: &DesiredCustomer) -> Vec<ReservationItem<'_>> {
    let mut subs: Vec<&DesiredSubscription> = dc.subscriptions.iter().collect();
    subs.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out = Vec::new();
    for s in subs {
        let mut rs: Vec<&DesiredReservation> = s.reservations.iter().collect();
        rs.sort_by(|a, b| a.name.cmp(&b.name));
        out.extend(rs.into_iter().map(|r| ReservationItem {
            subscription: s,
            reservation: r,
        }));
    }
    out
}

/// `vm Standard_D4s_v5 eastus P3Y shared`, or with pinned ids `vm PRODUCT/SKU P3Y shared`.
pub fn describe_reservation(r: &DesiredReservation) -> String {
    let target = match &r.target {
        ReservationTarget::Arm {
            arm_sku_name,
            arm_region_name,
        } => format!("{arm_sku_name} {arm_region_name}"),
        ReservationTarget::Pinned { product_id, sku_id } => format!("{product_id}/{sku_id}"),
    };
    format!(
        "{} {target} {} {}",
        r.reservation_type.as_str(),
        r.term.as_str(),
        r.scope.as_str()
    )
}

/// Describes a reservation holding the way declared items are described, `?` for the unknown.
pub(super) fn describe_holding(h: &Holding, a: &ReservationAttribution) -> String {
    let target = match (&a.arm_sku_name, &a.arm_region_name) {
        (Some(s), Some(r)) => format!("{s} {r}"),
        _ => format!("{}/{}", h.product_id, h.sku_id),
    };
    format!(
        "{} {target} {} {}",
        a.reservation_type.map_or("reservation", |t| t.as_str()),
        a.term.map_or("?", |t| t.as_str()),
        a.scope.map_or("?", |s| s.as_str())
    )
}

pub(super) fn same_product(h_product: &str, h_sku: &str, product: &str, sku: &str) -> bool {
    h_product.eq_ignore_ascii_case(product) && h_sku.eq_ignore_ascii_case(sku)
}

impl Purchasable for ReservationItem<'_> {
    const KIND: Kind = Kind::Reservation;

    fn key(&self, customer_id: &str) -> PurchaseKey {
        self.reservation
            .purchase_key(customer_id, &self.subscription.id)
    }
    fn name(&self) -> &str {
        &self.reservation.name
    }
    fn quantity(&self) -> u32 {
        self.reservation.quantity
    }
    fn source(&self) -> &SourceRef {
        &self.reservation.source
    }
    fn subscription_id(&self) -> Option<String> {
        Some(self.subscription.id.to_ascii_lowercase())
    }
    fn term(&self) -> Option<Term> {
        Some(self.reservation.term)
    }
    fn what(&self) -> String {
        describe_reservation(self.reservation)
    }
    fn pinned_ids(&self) -> Option<(String, String)> {
        match &self.reservation.target {
            ReservationTarget::Pinned { product_id, sku_id } => {
                Some((product_id.clone(), sku_id.clone()))
            }
            ReservationTarget::Arm { .. } => None,
        }
    }
    async fn resolve(
        &self,
        catalog: &Catalog,
        buyer: Buyer<'_>,
        freshness: Freshness,
    ) -> Resolution {
        catalog
            .resolve_reservation(
                buyer,
                &self.subscription.id,
                self.subscription.kind,
                self.reservation,
                freshness,
            )
            .await
    }

    /// Same subscription, term and scope, and the same product+SKU (as resolved, as pinned, or
    /// by the holding's armSkuName/armRegionName).
    fn holding_matches(&self, h: &Holding, res: Option<&Resolution>) -> bool {
        let Some(a) = h.kind.reservation() else {
            return false;
        };
        let r = self.reservation;
        let attributed = a
            .subscription_id
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case(&self.subscription.id))
            && a.term == Some(r.term)
            && a.scope == Some(r.scope);
        if !attributed {
            return false;
        }
        if let Some(Resolution::Found(ci)) = res
            && same_product(&h.product_id, &h.sku_id, &ci.product_id, &ci.sku_id)
        {
            return true;
        }
        match &r.target {
            ReservationTarget::Pinned { product_id, sku_id } => {
                same_product(&h.product_id, &h.sku_id, product_id, sku_id)
            }
            ReservationTarget::Arm {
                arm_sku_name,
                arm_region_name,
            } => {
                a.reservation_type.is_none_or(|t| t == r.reservation_type)
                    && a.arm_sku_name
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case(arm_sku_name))
                    && a.arm_region_name
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case(arm_region_name))
            }
        }
    }

    fn renew_before(&self) -> Option<crate::manifest::RenewBefore> {
        self.reservation.renew_before
    }

    fn billing(&self) -> crate::prices::money::BillingPlan {
        self.reservation.billing
    }
    fn billing_cycle(&self, supported: &[String]) -> Result<String, super::CycleError> {
        reservation_cycle(self.reservation.billing, supported)
    }
    fn resolved_identity(&self, res: Option<&Resolution>) -> Option<String> {
        let (product, sku) = match res {
            Some(Resolution::Found(ci)) => (ci.product_id.clone(), ci.sku_id.clone()),
            _ => self.pinned_ids()?,
        };
        let r = self.reservation;
        Some(format!(
            "catalog item {}/{} for subscription {}, {} {}",
            product.to_ascii_uppercase(),
            sku.to_ascii_lowercase(),
            self.subscription.id.to_ascii_lowercase(),
            r.term.as_str(),
            r.scope.as_str()
        ))
    }
}

/// See [`PurchaseKey::comparable`].
pub(super) fn comparable(key: PurchaseKey) -> PurchaseKey {
    let PurchaseKey::Reservation {
        customer_id,
        subscription_id,
        reservation_type,
        target,
        term,
        scope,
    } = key
    else {
        return key;
    };
    PurchaseKey::Reservation {
        customer_id,
        subscription_id,
        reservation_type,
        target: match target {
            ReservationTarget::Arm {
                arm_sku_name,
                arm_region_name,
            } => ReservationTarget::Arm {
                arm_sku_name: arm_sku_name.to_ascii_lowercase(),
                arm_region_name,
            },
            ReservationTarget::Pinned { product_id, sku_id } => ReservationTarget::Pinned {
                product_id,
                sku_id: sku_id.to_ascii_lowercase(),
            },
        },
        term,
        scope,
    }
}

/// See [`PurchaseKey::same_slot`]: same customer, subscription, term and scope.
pub(super) fn same_slot(a: &PurchaseKey, b: &PurchaseKey) -> bool {
    match (a, b) {
        (
            PurchaseKey::Reservation {
                customer_id: c1,
                subscription_id: s1,
                term: t1,
                scope: o1,
                ..
            },
            PurchaseKey::Reservation {
                customer_id: c2,
                subscription_id: s2,
                term: t2,
                scope: o2,
                ..
            },
        ) => c1.eq_ignore_ascii_case(c2) && s1.eq_ignore_ascii_case(s2) && t1 == t2 && o1 == o2,
        _ => false,
    }
}

/// `one_time` with `termDuration` and the `provisioningContext {subscriptionId, scope, duration}`.
pub(super) fn cart_terms(key: &PurchaseKey) -> Option<CartTerms> {
    let PurchaseKey::Reservation {
        subscription_id,
        term,
        scope,
        ..
    } = key
    else {
        return None;
    };
    Some(CartTerms {
        billing_cycle: "one_time".to_owned(),
        term_duration: Some(term.as_str().to_owned()),
        provisioning_context: BTreeMap::from([
            ("subscriptionId".to_owned(), subscription_id.clone()),
            ("scope".to_owned(), scope.as_str().to_owned()),
            ("duration".to_owned(), term.duration().to_owned()),
        ]),
    })
}

/// Declares the reservation of a saved plan's row again, under its subscription (of the kind the
/// plan observed; an Azure plan when unknown).
pub(super) fn redeclare(
    dc: &mut DesiredCustomer,
    row: &Row,
    key: &PurchaseKey,
    subscription_kinds: &BTreeMap<String, SubscriptionKind>,
    source: &SourceRef,
) {
    let (
        PurchaseKey::Reservation {
            subscription_id,
            reservation_type,
            target,
            term,
            scope,
            ..
        },
        Some(name),
    ) = (key, &row.item)
    else {
        return;
    };
    let kind = subscription_kinds
        .get(subscription_id)
        .copied()
        .unwrap_or(SubscriptionKind::AzurePlan);
    let pos = match dc
        .subscriptions
        .iter()
        .position(|s| &s.id == subscription_id)
    {
        Some(p) => p,
        None => {
            dc.subscriptions.push(DesiredSubscription {
                id: subscription_id.clone(),
                kind,
                reservations: Vec::new(),
                source: source.clone(),
            });
            dc.subscriptions.len() - 1
        }
    };
    dc.subscriptions[pos].reservations.push(DesiredReservation {
        renew_before: row.renew_before,
        name: name.clone(),
        reservation_type: *reservation_type,
        target: target.clone(),
        term: *term,
        scope: *scope,
        quantity: row.desired,
        billing: row_billing(row),
        source: source.clone(),
        blocked_ok: None,
    });
}

/// The billing cycle of a reservation paid `billing` on a SKU offering `supported`: `one_time`
/// for upfront, `monthly` when the SKU lists it (docs/partner-center.md, billing plans: a SKU that
/// lists none offers `one_time` only).
pub(crate) fn reservation_cycle(
    billing: crate::prices::money::BillingPlan,
    supported: &[String],
) -> Result<String, super::CycleError> {
    use crate::partner_center::wire::common::fold_enum;
    use crate::prices::money::BillingPlan;
    let want = billing.wire_cycle();
    let offered: Vec<String> = if supported.is_empty() {
        vec!["one_time".to_owned()]
    } else {
        supported.to_vec()
    };
    if offered.iter().any(|c| fold_enum(c) == fold_enum(want)) {
        return Ok(want.to_owned());
    }
    let names: Vec<String> = offered
        .iter()
        .map(|c| BillingPlan::from_wire_cycle(c).map_or_else(|| c.clone(), |b| b.as_str().into()))
        .collect();
    Err(super::CycleError::NotOffered {
        billing: billing.as_str(),
        supported: names,
    })
}

/// The billing plan of a saved plan's row: the cycle the plan decided, else its money, else
/// upfront.
fn row_billing(row: &Row) -> crate::prices::money::BillingPlan {
    use crate::prices::money::{BillingPlan, RowMoney};
    if let Some(b) = row
        .resolved
        .as_ref()
        .and_then(|r| r.billing_cycle.as_deref())
        .and_then(BillingPlan::from_wire_cycle)
    {
        return b;
    }
    match &row.money {
        Some(RowMoney::Known { billing, .. } | RowMoney::Unknown { billing, .. }) => *billing,
        None => BillingPlan::Upfront,
    }
}

/// `4 × P3Y`, `2 × P1Y` (longest term first).
pub(super) fn summary_parts(t: &KindTotals) -> Vec<String> {
    let mut parts: Vec<String> = t
        .by_term
        .iter()
        .rev()
        .filter(|(_, n)| **n > 0)
        .map(|(term, n)| format!("{n} × {}", term.as_str()))
        .collect();
    let without_term = t.units.saturating_sub(t.by_term.values().sum());
    if without_term > 0 {
        parts.push(format!("{without_term} × reservation"));
    }
    parts
}

/// The attribution a reservation gets from the order line that bought it and the catalog.
pub(super) fn attribution(
    line: Option<&OrderLineSummary>,
    facts: Option<&SkuFacts>,
) -> ReservationAttribution {
    let (subscription_id, term, scope) = line.map(|l| l.attribution()).unwrap_or_default();
    ReservationAttribution {
        subscription_id,
        term,
        scope,
        reservation_type: facts.and_then(|f| f.reservation_type),
        arm_sku_name: facts.and_then(|f| f.arm_sku_name.clone()),
        arm_region_name: facts.and_then(|f| f.arm_region_name.clone()),
    }
}

/// An entitlement's own `dynamicAttributes.reservationType` (`virtualmachines`,
/// `sqldatabases`, `cosmosdb`), for holdings whose SKU the run's catalog did not read.
pub(super) fn reservation_type_attribute(v: &str) -> Option<ReservationType> {
    let v = v.to_ascii_lowercase();
    if v.starts_with("virtualmachine") {
        Some(ReservationType::Vm)
    } else if v.starts_with("sql") {
        Some(ReservationType::Sql)
    } else if v.starts_with("cosmos") {
        Some(ReservationType::Cosmosdb)
    } else {
        None
    }
}
