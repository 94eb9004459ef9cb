//! Holdings by kind: which kind an entitlement or a one-time order line is, what it is attributed
//! to, and how a holding is named in output. `observe` reads the wire; this decides the kind.

use super::reservation::{self, ReservationAttribution};
use super::savings_plan::{self, SavingsPlanAttribution};
use super::{Item, Kind, software};
use crate::catalog::SkuFacts;
use crate::manifest::Term;
use crate::observe::order_cache::OrderLineSummary;
use crate::partner_center::wire::Entitlement;
use crate::partner_center::wire::ItemType;
use crate::plan::Holding;
use crate::plan::Resolution;
use serde::{Deserialize, Serialize};

/// What kind of holding, and for reservations what it is attributed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HoldingKind {
    Reservation(ReservationAttribution),
    Software,
    SavingsPlan(SavingsPlanAttribution),
}

impl HoldingKind {
    pub fn kind(&self) -> Kind {
        match self {
            HoldingKind::Reservation(_) => Kind::Reservation,
            HoldingKind::Software => Kind::Software,
            HoldingKind::SavingsPlan(_) => Kind::SavingsPlan,
        }
    }

    /// The savings-plan attribution, for a savings-plan holding.
    pub fn savings_plan(&self) -> Option<&SavingsPlanAttribution> {
        match self {
            HoldingKind::SavingsPlan(a) => Some(a),
            _ => None,
        }
    }

    /// The reservation attribution, for a reservation holding.
    pub fn reservation(&self) -> Option<&ReservationAttribution> {
        match self {
            HoldingKind::Reservation(a) => Some(a),
            HoldingKind::Software | HoldingKind::SavingsPlan(_) => None,
        }
    }

    /// The lower-case subscription the holding is attributed to, when known.
    pub fn subscription_id(&self) -> Option<String> {
        self.reservation()
            .and_then(|a| a.subscription_id.as_ref())
            .map(|s| s.to_ascii_lowercase())
    }

    /// The term the holding was bought for, when the kind shows one on rows.
    pub fn term(&self) -> Option<Term> {
        match self {
            HoldingKind::SavingsPlan(a) => a.term,
            _ => self.reservation().and_then(|a| a.term),
        }
    }
}

/// Describes a holding the way declared items are described, `?` for what is unknown.
pub fn describe_holding(h: &Holding) -> String {
    match &h.kind {
        HoldingKind::Software => software::describe_holding(h),
        HoldingKind::Reservation(a) => reservation::describe_holding(h, a),
        HoldingKind::SavingsPlan(a) => savings_plan::describe_holding(a),
    }
}

/// Whether an entitlement is attributed through the order line that bought it (reservations:
/// the line's provisioning context names subscription, term and scope), so that order is read.
pub fn attributed_through_order(e: &Entitlement) -> bool {
    e.is_reservation()
}

/// The kind of an entitlement: a reservation (attributed through the order line that bought it,
/// the catalog's facts about its SKU, else its own `dynamicAttributes.reservationType`) or
/// software.
pub fn classify_entitlement(
    e: &Entitlement,
    line: Option<&OrderLineSummary>,
    facts: Option<&SkuFacts>,
) -> HoldingKind {
    if !e.is_reservation() {
        return HoldingKind::Software;
    }
    let mut a = reservation::attribution(line, facts);
    if a.reservation_type.is_none() {
        a.reservation_type = e
            .dynamic_attributes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("reservationType"))
            .and_then(|(_, v)| v.as_str())
            .and_then(reservation::reservation_type_attribute);
    }
    HoldingKind::Reservation(a)
}

/// The kind a catalog product type (`productType.id` of `GET /v1/products/{id}`, docs/partner-center.md §8) stands
/// for: `Azure` products bought one-time are reservations, `Software*` products software.
/// `None` for any other type (e.g. `OnlineServicesNCE`), which no declared kind buys.
pub fn kind_of_product_type(t: &ItemType) -> Option<Kind> {
    let id = t.id.as_deref()?.trim();
    let sub_type = t.sub_type.as_ref().and_then(|s| s.id.as_deref());
    if id.eq_ignore_ascii_case("Azure")
        && sub_type.is_some_and(|s| s.trim().eq_ignore_ascii_case("SavingsPlan"))
    {
        Some(Kind::SavingsPlan)
    } else if id.eq_ignore_ascii_case("Azure") {
        Some(Kind::Reservation)
    } else if id.to_ascii_lowercase().starts_with("software") {
        Some(Kind::Software)
    } else {
        None
    }
}

/// What decides the kind of a one-time order line, most certain first.
#[derive(Debug, Clone, Copy)]
pub enum LineEvidence<'a> {
    /// The run's catalog views list the SKU.
    Facts(&'a SkuFacts),
    /// The product's catalog type, as looked up.
    ProductType(Option<Kind>),
    /// Nothing else is known.
    None,
}

/// The kind of a one-time order line: by the catalog (the views that list its SKU, else the
/// product's type), else a reservation when its provisioning context names a subscription or a
/// scope. `None` when nothing tells: the line cannot be attributed.
pub fn classify_order_line(
    l: &OrderLineSummary,
    evidence: LineEvidence<'_>,
) -> Option<HoldingKind> {
    let facts = match evidence {
        LineEvidence::Facts(f) => Some(f),
        _ => None,
    };
    let kind = match evidence {
        LineEvidence::Facts(f) if f.reservation_type.is_some() => Some(Kind::Reservation),
        LineEvidence::Facts(_) => Some(Kind::Software),
        LineEvidence::ProductType(k) => k,
        LineEvidence::None => None,
    }
    .or_else(|| {
        (l.context("subscriptionId").is_some() || l.context("scope").is_some())
            .then_some(Kind::Reservation)
    })?;
    Some(match kind {
        Kind::Reservation => HoldingKind::Reservation(reservation::attribution(Some(l), facts)),
        Kind::Software => HoldingKind::Software,
        // Savings plans are held as subscriptions, read there ([`savings_plan::observed`]).
        Kind::SavingsPlan => return None,
    })
}

/// Why a holding does not count with certainty for the items it could be, if it does not: a
/// reservation needs its subscription, term and scope.
pub fn attribution_gap(kind: &HoldingKind) -> Option<String> {
    let a = kind.reservation()?;
    let missing: Vec<&str> = [
        (
            a.subscription_id.is_none(),
            "subscription (provisioningContext.subscriptionId)",
        ),
        (
            a.term.is_none(),
            "term (provisioningContext.duration or termDuration)",
        ),
        (a.scope.is_none(), "scope (provisioningContext.scope)"),
    ]
    .into_iter()
    .filter_map(|(m, what)| m.then_some(what))
    .collect();
    (!missing.is_empty()).then(|| format!("no {}", missing.join(", no ")))
}

/// Whether a holding whose kind (`None`: unknown) or attribution is uncertain could be counting
/// for `item`: it would match the item if its unknown parts were the item's.
pub fn could_count_for(
    item: &Item<'_>,
    h: &Holding,
    kind: Option<Kind>,
    res: Option<&Resolution>,
) -> bool {
    if kind.is_some_and(|k| k != item.kind()) {
        return false;
    }
    let mut filled = h.clone();
    filled.kind = match item {
        Item::Software(_) => HoldingKind::Software,
        Item::SavingsPlan(p) => {
            let mut a = h.kind.savings_plan().cloned().unwrap_or_default();
            a.scope = a.scope.or(Some(p.0.scope));
            a.entitlement_id = a.entitlement_id.or_else(|| p.0.entitlement_id.clone());
            a.term = a.term.or(Some(p.0.term));
            a.billing = a.billing.or(Some(p.0.billing));
            a.currency = a.currency.or_else(|| Some(p.0.currency.clone()));
            HoldingKind::SavingsPlan(a)
        }
        Item::Reservation(r) => {
            let mut a = h.kind.reservation().cloned().unwrap_or_default();
            a.subscription_id = a
                .subscription_id
                .or_else(|| Some(r.subscription.id.to_ascii_lowercase()));
            a.term = a.term.or(Some(r.reservation.term));
            a.scope = a.scope.or(Some(r.reservation.scope));
            HoldingKind::Reservation(a)
        }
    };
    item.holding_matches(&filled, res)
}
