//! How reading the partner activity log, or one of its records, can fail ([`super::activity`]).
//! [`ActivityLogError`] keeps the failed call as its source and is `Clone` (the source is
//! shared), so one read can be served to every customer waiting for it. [`UnreadableOrder`] and
//! [`Doubt`] say why a recent order cannot be attributed with certainty; the plan shows them on
//! one line ([`crate::error_chain::one_line`]).

use crate::partner_center::ApiError;
use crate::partner_center::wire::audit::RecordOrderError;
use std::sync::Arc;

/// The partner activity log could not be read: purchases are blocked (never "zero pending").
#[derive(Debug, Clone, thiserror::Error)]
pub enum ActivityLogError {
    /// A per-customer query failed.
    #[error("reading the partner activity log for customer {customer_id}")]
    ForCustomer {
        /// Lower-case customer id.
        customer_id: String,
        #[source]
        source: Arc<ApiError>,
    },
    /// The partner-wide query failed.
    #[error("reading the partner activity log")]
    PartnerWide {
        #[source]
        source: Arc<ApiError>,
    },
}

impl ActivityLogError {
    /// The failed call.
    pub fn api_error(&self) -> &ApiError {
        match self {
            ActivityLogError::ForCustomer { source, .. }
            | ActivityLogError::PartnerWide { source } => source,
        }
    }
}

/// Why a `create_order` record's order lines cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnreadableOrder {
    #[error(transparent)]
    Record(#[from] RecordOrderError),
    #[error("the record carries no order (resourceNewValue is empty)")]
    NoOrder,
    #[error("the order has no lines")]
    NoLines,
    #[error("order line OfferId {offer:?} is not product:sku:availability")]
    OfferId { offer: String },
}

/// Why a recent order (or one of its lines) may be for a declared item but cannot be counted
/// for it with certainty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Doubt {
    #[error(transparent)]
    Unreadable(#[from] UnreadableOrder),
    #[error("its order line gives no quantity")]
    NoQuantity,
    #[error("its record names no customer")]
    NoCustomer,
    #[error("its record names no order id")]
    NoOrderId,
    #[error("a savings-plan order's commitment cannot be read from the activity log")]
    SavingsPlanCommitment,
    #[error("more than one declared item buys this product and SKU")]
    SameProductAndSku,
    #[error("more than one declared item matches its order line")]
    SeveralMatch,
    #[error("its order line gives no {} in its provisioning context", .missing.join(", "))]
    NoContext { missing: Vec<&'static str> },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_chain::one_line;

    #[test]
    fn the_failed_call_is_the_source_and_clones_share_it() {
        let api = ApiError::Http {
            method: "GET".into(),
            path: "/v1/auditrecords".into(),
            status: 403,
            code: None,
            description: None,
            attempts: 1,
            outcome_unknown: false,
        };
        let e = ActivityLogError::ForCustomer {
            customer_id: "c1".into(),
            source: Arc::new(api),
        };
        let copy = e.clone();
        let source = std::error::Error::source(&copy).expect("a source");
        assert_eq!(
            source.to_string(),
            "GET /v1/auditrecords: HTTP 403 (after 1 attempt)"
        );
        assert!(std::ptr::eq(e.api_error(), copy.api_error()));
        assert_eq!(
            one_line(&e),
            "reading the partner activity log for customer c1: GET /v1/auditrecords: HTTP 403 \
             (after 1 attempt)"
        );
    }
}
