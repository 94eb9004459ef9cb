//! The last look before money moves (DESIGN §5 step 7): right before a cart is checked out, the
//! partner activity log is read again for the customer (by a read sent no earlier than the log's
//! lag before the check asked, shared with the customers checking out about the same time:
//! [`super::witness_log`]). An order that the customer's re-plan did not know — placed meanwhile by another runner, another tool or a person in the portal — vetoes
//! the checkout: the engine abandons the cart and buys nothing more for the customer in this run.
//! A log that cannot be read vetoes too (fail closed).
//!
//! The log lags behind orders by seconds (the documented examples show 1 s and 9 s). The check
//! therefore reads no earlier than [`ApplyOptions::activity_log_lag`] after the customer was
//! observed (under its lock; time spent since — observing the other customers, approving the
//! plan, registering — counts): every order placed before the re-plan — by a runner that finished just before
//! this one started, or from a stale state dir — is then visible to it. Two runs whose checkouts
//! fall within that lag of each other can still both buy: only a shared state store with leases
//! (one writer per customer) rules that out.
//!
//! The engine only sees the [`BeforeCheckout`] trait (a hook in
//! [`crate::apply::ApplyOptions::before_checkout`]); [`ActivityLogCheck`] is the real one.

use super::options::ApplyOptions;
use super::witness_log::SharedLog;
use crate::observe::PendingSource;
use crate::observe::activity::{ActivityLog, ActivityLogError, RecentOrder};
use crate::plan::ObservedCustomer;
use crate::store::Journal;
use futures::future::BoxFuture;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Runs right before a cart is checked out for the first time.
pub trait BeforeCheckout: Send + Sync {
    /// `Err(veto)` vetoes the checkout; its text (with its causes) is shown to the user.
    fn check<'a>(&'a self, customer_id: &'a str) -> BoxFuture<'a, Result<(), Veto>>;
}

/// Why a cart is not checked out.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Veto {
    /// The activity log could not be read (the failed read is the source).
    #[error(
        "not checked out: orders placed since the plan cannot be ruled out, so nothing more is \
         bought for this customer in this run"
    )]
    LogUnreadable(#[source] ActivityLogError),
    /// The log shows an order the customer's re-plan did not know.
    #[error(
        "not checked out: the partner activity log shows {order}, placed for this customer after \
         the plan was made (another run, tool or the portal); nothing more is bought for this \
         customer in this run: run plan again"
    )]
    OrderAppeared {
        /// The order as the user sees it, e.g. `order o-1 at 10:00:03 UTC`.
        order: String,
    },
}

/// What the customer's re-plan knew: the orders it saw in holdings and in the activity log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownOrders {
    /// Lower-case order ids.
    pub ids: BTreeSet<String>,
    /// Records of the customer (or of no customer) that named no order id.
    pub unnamed: usize,
}

impl KnownOrders {
    /// The orders of a customer's observation and of the activity log read with it.
    pub fn new(observed: &ObservedCustomer, log: &ActivityLog) -> Self {
        let mut known = KnownOrders::default();
        known.ids.extend(
            observed
                .holdings
                .iter()
                .map(|h| h.order_id.to_ascii_lowercase()),
        );
        known.ids.extend(
            observed
                .pending
                .iter()
                .filter_map(|p| p.order_id.as_deref())
                .map(str::to_ascii_lowercase),
        );
        for o in customer_orders(log, &observed.id) {
            match &o.order_id {
                Some(id) => {
                    known.ids.insert(id.to_ascii_lowercase());
                }
                None => known.unnamed += 1,
            }
        }
        known
    }

    /// The first order of `log` for the customer that is neither known here nor in `journal`
    /// (lower-case ids of the orders the journal holds), described for the user.
    pub fn first_unknown(
        &self,
        log: &ActivityLog,
        customer_id: &str,
        journal: &BTreeSet<String>,
    ) -> Option<String> {
        let mut unnamed = 0;
        for o in customer_orders(log, customer_id) {
            match &o.order_id {
                Some(id) => {
                    let id_l = id.to_ascii_lowercase();
                    if !self.ids.contains(&id_l) && !journal.contains(&id_l) {
                        let at =
                            o.at.map(|t| format!(" at {}", t.format("%H:%M:%S UTC")))
                                .unwrap_or_default();
                        return Some(format!("order {id}{at}"));
                    }
                }
                None => {
                    unnamed += 1;
                    if unnamed > self.unnamed {
                        return Some("an order without an id".to_owned());
                    }
                }
            }
        }
        None
    }
}

fn customer_orders<'l>(
    log: &'l ActivityLog,
    customer_id: &str,
) -> impl Iterator<Item = &'l RecentOrder> {
    log.by_customer
        .get(&customer_id.to_ascii_lowercase())
        .into_iter()
        .flatten()
        .chain(&log.unassigned)
}

/// Re-reads the activity log for the customer and vetoes on an order the re-plan did not know.
pub struct ActivityLogCheck {
    /// The run's shared reader: a read sent no earlier than the log's lag before the check
    /// asked, shared with the other customers checking out about the same time.
    pub log: Arc<SharedLog>,
    /// The journal, read again at check time: orders this very run placed (a resumed intent)
    /// are not "unknown".
    pub journal: Arc<dyn PendingSource>,
    pub known: KnownOrders,
    /// The check reads the log no earlier than this on the client's clock (the re-plan's time
    /// plus the log's lag).
    pub not_before: std::time::Duration,
}

impl BeforeCheckout for ActivityLogCheck {
    fn check<'a>(&'a self, customer_id: &'a str) -> BoxFuture<'a, Result<(), Veto>> {
        Box::pin(async move {
            let log = self
                .log
                .read_for(customer_id, self.not_before)
                .await
                .map_err(Veto::LogUnreadable)?;
            let journal: BTreeSet<String> = self
                .journal
                .pending(customer_id)
                .await
                .unwrap_or_default()
                .iter()
                .filter_map(|e| e.order_id.as_deref())
                .map(str::to_ascii_lowercase)
                .collect();
            match self.known.first_unknown(&log, customer_id, &journal) {
                None => Ok(()),
                Some(order) => Err(Veto::OrderAppeared { order }),
            }
        })
    }
}

/// `engine` with an [`ActivityLogCheck`] for the customer of `observed` (observed under its lock
/// at `observed_at` on the client's clock, with `log`, the activity log read then), reading
/// through the run's shared
/// `reader`. Only the part of the lag not already elapsed since `observed_at` is waited.
pub fn with_activity_check(
    engine: &ApplyOptions,
    reader: &Arc<SharedLog>,
    journal: &Journal,
    observed: &ObservedCustomer,
    log: &Result<ActivityLog, crate::observe::activity::ActivityLogError>,
    observed_at: std::time::Duration,
) -> ApplyOptions {
    let known = match log {
        Ok(log) => KnownOrders::new(observed, log),
        Err(_) => KnownOrders::default(),
    };
    let mut out = engine.clone();
    out.before_checkout = Some(Arc::new(ActivityLogCheck {
        log: reader.clone(),
        journal: Arc::new(journal.clone()),
        known,
        not_before: observed_at + engine.activity_log_lag,
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::activity::RecentLine;
    use std::collections::BTreeMap;

    fn order(id: Option<&str>) -> RecentOrder {
        RecentOrder {
            order_id: id.map(str::to_owned),
            at: None,
            lines: Ok(Vec::<RecentLine>::new()),
        }
    }

    fn log(orders: Vec<RecentOrder>) -> ActivityLog {
        ActivityLog {
            minutes: 30,
            by_customer: BTreeMap::from([("c".to_owned(), orders)]),
            unassigned: Vec::new(),
        }
    }

    #[test]
    fn only_an_order_neither_the_plan_nor_the_journal_knew_vetoes() {
        let known = KnownOrders {
            ids: BTreeSet::from(["o1".to_owned()]),
            unnamed: 1,
        };
        let journal = BTreeSet::from(["o2".to_owned()]);
        let same = log(vec![order(Some("O1")), order(Some("o2")), order(None)]);
        assert_eq!(known.first_unknown(&same, "C", &journal), None);
        let new = log(vec![order(Some("o1")), order(Some("o3"))]);
        assert_eq!(
            known.first_unknown(&new, "c", &journal).as_deref(),
            Some("order o3")
        );
        let more_unnamed = log(vec![order(None), order(None)]);
        assert!(known.first_unknown(&more_unnamed, "c", &journal).is_some());
        assert_eq!(
            known.first_unknown(&new, "other", &journal),
            None,
            "another customer's orders do not count"
        );
    }
}
