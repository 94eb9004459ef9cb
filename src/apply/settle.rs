//! When a journalled order stops counting as pending **for good**.
//!
//! A run sees holdings through one source: entitlements (App+User credentials) or the one-time
//! order list (app-only). The two lag differently — an order shows in the list up to 15 minutes
//! after checkout whatever its state, and as an entitlement only once it is fulfilled — so an
//! order visible in one source can still be invisible in the other. The journal is shared by
//! every run on a state dir, whatever its credentials, so a settlement must hold for **every**
//! source a later run may use:
//!
//! * Until then, an order counts as pending for a run unless that run's own holdings show it
//!   (deduplicated by order id in `observe`, so a unit is never counted twice).
//! * Seen as an entitlement: settled once the order is older than [`ORDER_LIST_SETTLE_AFTER`]
//!   (twice the documented order-list lag), so the order list shows it too.
//! * Seen in the order list: settled once the order is `completed` when read by id **and** older
//!   than [`ENTITLEMENT_SETTLE_AFTER`] (how long fulfilment takes to show as entitlements is not
//!   documented, so the bound is generous: an unsettled visible order only costs a read).
//!
//! Cancelled orders are settled by resume (read by id), whatever the source.

use super::commerce::{Commerce, OrderStatus};
use super::receipt::{CustomerOutcome, OrderOutcomeStatus};
use crate::plan::{HoldingsSource, ObservedCustomer};
use crate::store::{Journal, PendingState, SettleReason};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// How old an order seen as an entitlement must be before it is settled: twice the 15 minutes
/// the order list may lag behind checkout.
pub const ORDER_LIST_SETTLE_AFTER: Duration = Duration::minutes(30);

/// How old an order seen in the order list (and `completed` by id) must be before it is settled.
pub const ENTITLEMENT_SETTLE_AFTER: Duration = Duration::hours(24);

/// Whether an order visible in `source`, placed `age` ago, may stop counting as pending for
/// every later run. `completed` is its status read by id (`None` when not read).
pub fn may_settle(source: HoldingsSource, age: Duration, completed: Option<bool>) -> bool {
    match source {
        HoldingsSource::Entitlements => age >= ORDER_LIST_SETTLE_AFTER,
        HoldingsSource::Orders => age >= ENTITLEMENT_SETTLE_AFTER && completed == Some(true),
    }
}

/// Settles the journalled orders of a customer that are safe to settle (see the module doc) and
/// returns the ids (lowercase) of the journalled orders this run's holdings show.
pub async fn settle_visible<C: Commerce>(
    journal: &Journal,
    commerce: &C,
    observed: &ObservedCustomer,
    now: DateTime<Utc>,
) -> BTreeSet<String> {
    let customer_id = observed.id.as_str();
    let Ok(pending) = journal.pending(customer_id).await else {
        return BTreeSet::new();
    };
    let shown: BTreeSet<String> = observed
        .holdings
        .iter()
        .map(|h| h.order_id.to_ascii_lowercase())
        .collect();
    // Order id → when it was placed (the latest record of it: the youngest age is the safe one).
    let mut visible: BTreeMap<String, Option<DateTime<Utc>>> = BTreeMap::new();
    for p in pending
        .into_iter()
        .filter(|p| p.state == PendingState::Ordered)
    {
        let Some(order_id) = p.order_id else { continue };
        if shown.contains(&order_id.to_ascii_lowercase()) {
            let at = visible.entry(order_id).or_insert(p.ordered_at);
            *at = (*at).max(p.ordered_at);
        }
    }
    let ids = visible.keys().map(|o| o.to_ascii_lowercase()).collect();
    for (order_id, ordered_at) in visible {
        let Some(ordered_at) = ordered_at else {
            continue;
        };
        let age = now - ordered_at;
        let completed = if observed.holdings_source == HoldingsSource::Orders
            && age >= ENTITLEMENT_SETTLE_AFTER
        {
            commerce
                .get_order(customer_id, &order_id)
                .await
                .ok()
                .map(|o| o.status == OrderStatus::Completed)
        } else {
            None
        };
        if !may_settle(observed.holdings_source, age, completed) {
            continue;
        }
        if let Err(e) = journal
            .settle(customer_id, &order_id, SettleReason::Entitled)
            .await
        {
            tracing::warn!("cannot settle order {order_id} in the journal: {e}");
        }
    }
    ids
}

/// Drops from a receipt the confirmations (by id, at resume) of orders the holdings already show:
/// they are owned, not news.
pub fn drop_visible_confirmations(outcome: &mut CustomerOutcome, visible: &BTreeSet<String>) {
    outcome.orders.retain(|o| {
        o.status != OrderOutcomeStatus::Confirmed
            || !visible.contains(&o.order_id.to_ascii_lowercase())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entitled_order_settles_only_once_the_order_list_shows_it_too() {
        let e = HoldingsSource::Entitlements;
        assert!(!may_settle(e, Duration::minutes(0), None));
        assert!(!may_settle(e, Duration::minutes(29), Some(true)));
        assert!(may_settle(e, Duration::minutes(30), None));
    }

    #[test]
    fn a_listed_order_settles_only_when_completed_and_long_past_fulfilment() {
        let o = HoldingsSource::Orders;
        assert!(!may_settle(o, Duration::minutes(20), Some(true)));
        assert!(!may_settle(o, Duration::hours(25), None));
        assert!(!may_settle(o, Duration::hours(25), Some(false)));
        assert!(may_settle(o, Duration::hours(24), Some(true)));
    }
}
