//! A customer's purchases not yet visible as holdings: the journal's unsettled lines (checked
//! by id) and the recent orders of the partner activity log.

use super::Context;
use crate::observe::activity::{self, Known};
use crate::observe::holdings::Orders;
use crate::observe::pending::split_catalog_item;
use crate::plan::{InFlightUnknown, ItemResolution, PendingPurchase};
use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

impl Context<'_> {
    /// Purchases not yet visible in holdings, from the journal and the activity log (a unit
    /// counts once: activity-log orders the journal reports are left to the journal). Journalled
    /// orders are checked by id: cancelled ones drop out; any other state (or a failed check)
    /// stays pending. Returns why in-flight orders cannot be ruled out or attributed, if so (the
    /// journal is unreadable or names an unattributable purchase, the activity log could not be
    /// read, or a recent order cannot be attributed with certainty).
    pub(super) async fn pending(
        &self,
        id: &str,
        holdings: &[crate::plan::Holding],
        resolutions: &[ItemResolution],
    ) -> (Vec<PendingPurchase>, Option<InFlightUnknown>) {
        let entries = match self.journal.pending(id).await {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!("{}", crate::error_chain::one_line(&e));
                self.journal_unreadable.store(true, Ordering::Relaxed);
                return (Vec::new(), Some(InFlightUnknown::JournalUnreadable));
            }
        };
        let journal_orders: BTreeSet<String> = entries
            .iter()
            .filter_map(|e| e.order_id.as_deref())
            .map(str::to_ascii_lowercase)
            .collect();
        let (mut out, journal_doubt) = self.journalled(id, holdings, entries).await;
        if journal_doubt {
            return (out, Some(InFlightUnknown::JournalUnreadable));
        }
        let log = match self.activity {
            Ok(log) => log,
            Err(error) => {
                let why = InFlightUnknown::ActivityLogUnreadable {
                    error: crate::error_chain::one_line(error),
                };
                return (out, Some(why));
            }
        };
        let known = Known {
            resolutions,
            holdings,
            journal_orders: &journal_orders,
        };
        let mine = log
            .by_customer
            .get(id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let named = activity::attribute(mine, true, &known);
        let unassigned = activity::attribute(&log.unassigned, false, &known);
        out.extend(named.pending);
        let mut doubts = named.unattributed;
        doubts.extend(unassigned.unattributed);
        let why = (!doubts.is_empty()).then_some(InFlightUnknown::Unattributed { orders: doubts });
        (out, why)
    }

    /// The journal's unsettled lines not yet visible as holdings; `true` when a line names no
    /// declared item (in-flight orders of the customer cannot then be ruled out).
    async fn journalled(
        &self,
        id: &str,
        holdings: &[crate::plan::Holding],
        entries: Vec<crate::observe::JournalEntry>,
    ) -> (Vec<PendingPurchase>, bool) {
        let visible: BTreeSet<&str> = holdings.iter().map(|h| h.order_id.as_str()).collect();
        let mut unknown = false;
        let mut to_check = BTreeSet::new();
        for e in &entries {
            if let Some(o) = &e.order_id
                && !visible.contains(o.as_str())
            {
                to_check.insert(o.clone());
            }
        }
        let mut cancelled = BTreeSet::new();
        let orders = Orders {
            reader: self.reader,
            cache: self.cache,
            customer_id: id,
        };
        for o in to_check {
            self.orders_by_id.fetch_add(1, Ordering::Relaxed);
            match orders.by_id(BTreeSet::from([o.clone()]), false).await {
                Ok(found) => {
                    if found.get(&o).is_some_and(|s| s.is_cancelled()) {
                        cancelled.insert(o);
                    }
                }
                Err((_, e)) => tracing::warn!("checking journalled order {o}: {e}"),
            }
        }
        let mut out = Vec::new();
        for e in entries {
            if e.order_id
                .as_deref()
                .is_some_and(|o| visible.contains(o) || cancelled.contains(o))
            {
                continue;
            }
            let Some(key) = e.key else {
                unknown = true;
                continue;
            };
            let (product_id, sku_id) = split_catalog_item(&e.catalog_item_id);
            out.push(PendingPurchase {
                order_id: e.order_id,
                key,
                product_id,
                sku_id,
                quantity: e.quantity,
            });
        }
        (out, unknown)
    }
}
