//! Holdings by kind: which kind an entitlement or a one-time order line is, what it is attributed
//! to, and how a holding is named in output. `observe` reads the wire; this decides the kind.

use super::reservation::{self, ReservationAttribution};
use super::{Kind, software};
use crate::catalog::SkuFacts;
use crate::manifest::Term;
use crate::observe::order_cache::OrderLineSummary;
use crate::partner_center::wire::Entitlement;
use crate::plan::Holding;
use serde::{Deserialize, Serialize};

/// What kind of holding, and for reservations what it is attributed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HoldingKind {
    Reservation(ReservationAttribution),
    Software,
}

impl HoldingKind {
    pub fn kind(&self) -> Kind {
        match self {
            HoldingKind::Reservation(_) => Kind::Reservation,
            HoldingKind::Software => Kind::Software,
        }
    }

    /// The reservation attribution, for a reservation holding.
    pub fn reservation(&self) -> Option<&ReservationAttribution> {
        match self {
            HoldingKind::Reservation(a) => Some(a),
            HoldingKind::Software => None,
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
        self.reservation().and_then(|a| a.term)
    }
}

/// Describes a holding the way declared items are described, `?` for what is unknown.
pub fn describe_holding(h: &Holding) -> String {
    match &h.kind {
        HoldingKind::Software => software::describe_holding(h),
        HoldingKind::Reservation(a) => reservation::describe_holding(h, a),
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

/// The kind of a one-time order line: a reservation when it has a reservation provisioning
/// context or the catalog knows its SKU as a reservation; anything else is software.
pub fn classify_order_line(l: &OrderLineSummary, facts: Option<&SkuFacts>) -> HoldingKind {
    let is_reservation = l.context("subscriptionId").is_some()
        || l.context("scope").is_some()
        || facts.is_some_and(|f| f.reservation_type.is_some());
    if is_reservation {
        HoldingKind::Reservation(reservation::attribution(Some(l), facts))
    } else {
        HoldingKind::Software
    }
}
