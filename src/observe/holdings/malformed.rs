//! Holdings that cannot be established with certainty (DESIGN.md §4): a malformed entitlement or
//! one-time order line makes the customer an `error` (nothing bought for it), and a holding whose
//! kind or attribution is unknown blocks the customer when it could be one of its declared items.
//! Every message names the call and the field.

use crate::kinds::{self, Item, Kind};
use crate::plan::{Holding, ItemResolution};

/// The entitlements call, as named in messages.
pub(crate) fn entitlements_call(customer_id: &str) -> String {
    format!("GET /v1/customers/{customer_id}/entitlements")
}

/// The one-time orders call, as named in messages.
pub(crate) fn orders_call(customer_id: &str) -> String {
    format!("GET /v1/customers/{customer_id}/orders?billingType=OneTime")
}

/// What the customer owns cannot be established: nothing is bought for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum HoldingsError {
    /// An entitlement or order line is missing a field or has an impossible value.
    #[error(
        "{call}: {which} {problem}; what the customer owns cannot be established, so nothing is bought for it"
    )]
    Malformed {
        call: String,
        /// E.g. `entitlement 3 (referenceOrder o1 line 0, product DZH318Z0AAAA sku 0002)`.
        which: String,
        /// E.g. `has a negative quantity (-2)`.
        problem: String,
    },
    /// A holding whose kind or attribution is unknown could be a declared item.
    #[error(
        "{call}: {which} cannot be attributed ({why}) and could be {item}; nothing is bought for this customer until it can"
    )]
    Unattributed {
        call: String,
        which: String,
        why: String,
        /// The declared item it could be, e.g. `item "web" (fleet/contoso.yaml:12)`.
        item: String,
    },
}

/// A holding that does not count with certainty.
#[derive(Debug, Clone)]
pub(crate) struct Uncertain {
    pub holding: Holding,
    /// `None` when the catalog could not tell its kind.
    pub kind: Option<Kind>,
    pub call: String,
    pub which: String,
    pub why: String,
}

/// What a customer owns: the holdings, and those among them (or beside them, when their kind
/// is unknown) that are not attributed with certainty.
#[derive(Debug, Clone, Default)]
pub(crate) struct Holdings {
    pub list: Vec<Holding>,
    pub uncertain: Vec<Uncertain>,
}

/// A quantity as owned units: missing or negative is malformed; zero is malformed unless
/// `zero_possible` (an entitlement whose units were all transferred or unfulfilled).
pub(crate) fn units(q: Option<i64>, zero_possible: bool) -> Result<u32, BadQuantity> {
    match q {
        None => Err(BadQuantity::Missing),
        Some(n) if n < 0 => Err(BadQuantity::Negative(n)),
        Some(0) if !zero_possible => Err(BadQuantity::Zero),
        Some(n) => u32::try_from(n).map_err(|_| BadQuantity::Impossible(n)),
    }
}

/// Why a quantity is not a number of owned units (the problem of a [`HoldingsError::Malformed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BadQuantity {
    #[error("has no quantity")]
    Missing,
    #[error("has a negative quantity ({0})")]
    Negative(i64),
    #[error("has a quantity of 0, which an order line cannot have")]
    Zero,
    #[error("has an impossible quantity ({0})")]
    Impossible(i64),
}

/// The first uncertain holding that could be one of the customer's declared items, as an error.
pub(crate) fn first_conflict(
    uncertain: &[Uncertain],
    items: &[Item<'_>],
    customer_id: &str,
    resolutions: &[ItemResolution],
) -> Option<HoldingsError> {
    for u in uncertain {
        for item in items {
            let key = item.key(customer_id);
            let res = resolutions
                .iter()
                .find(|r| r.key == key)
                .map(|r| &r.resolution);
            if kinds::could_count_for(item, &u.holding, u.kind, res) {
                let src = item.source();
                return Some(HoldingsError::Unattributed {
                    call: u.call.clone(),
                    which: u.which.clone(),
                    why: u.why.clone(),
                    item: format!("item \"{}\" ({src})", item.name()),
                });
            }
        }
    }
    None
}
