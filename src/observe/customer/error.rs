//! Why a customer cannot be observed: the read that failed, with the failed call (or the
//! malformed answer) as its source. The customer's plan row shows it on one line
//! ([`crate::error_chain::one_line`]).

use crate::kinds::savings_plan::observed::UnreadableSavingsPlan;
use crate::observe::holdings::HoldingsError;
use crate::partner_center::ApiError;

/// A read the plan cannot do without failed: the whole customer is `Failed`.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CustomerError {
    #[error("reading the customer")]
    Profile(#[source] ApiError),
    #[error("reading the customer: Partner Center gives no country in its billing profile")]
    NoCountry,
    #[error("reading subscriptions")]
    Subscriptions(#[source] ApiError),
    #[error(transparent)]
    SavingsPlans(#[from] UnreadableSavingsPlan),
    #[error("reading entitlements")]
    Entitlements(#[source] ApiError),
    #[error("reading one-time orders")]
    OneTimeOrders(#[source] ApiError),
    #[error("reading order {order_id}")]
    Order {
        order_id: String,
        #[source]
        source: ApiError,
    },
    #[error(transparent)]
    Holdings(#[from] HoldingsError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_chain::one_line;

    #[test]
    fn the_failed_call_is_the_source_and_the_row_line_names_both() {
        let api = ApiError::Http {
            method: "GET".into(),
            path: "/v1/customers/c1/entitlements".into(),
            status: 500,
            code: Some("2001".into()),
            description: None,
            attempts: 3,
            outcome_unknown: false,
        };
        let e = CustomerError::Entitlements(api);
        let source = std::error::Error::source(&e).expect("a source");
        assert!(source.downcast_ref::<ApiError>().is_some(), "{source}");
        assert_eq!(
            one_line(&e),
            "reading entitlements: GET /v1/customers/c1/entitlements: HTTP 500, Partner Center \
             code 2001 (after 3 attempts)"
        );
    }
}
