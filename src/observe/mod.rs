//! Observe: customer, subscriptions, registrations, entitlements and orders → attributed holdings,
//! as the plan's observed-state input. Read-only: it has no code path that writes — it only gets
//! a [`Reader`], which has no write method.
//!
//! Calls per customer (issue 6 budget, `2 + 2·S` for a no-change plan with S declared
//! subscriptions): get customer (1); list subscriptions (1, skipped when no subscription is
//! declared); entitlements of every type in one call (1); registration status of each active
//! declared subscription that carries reservations (≤ S); order-by-id only for orders not yet in
//! the completed-order cache ([`order_cache`]) and for unsettled journal orders. Catalog calls
//! go through the run-wide [`crate::catalog::Catalog`] and do not grow with the customers. Per
//! run: the partner activity log, one paged partner-wide query (per customer for up to
//! [`activity::PER_CUSTOMER_MAX`] customers).

pub mod activity;
mod activity_errors;
mod customer;
pub mod facts;
mod holdings;
pub mod order_cache;
pub mod pending;
mod shortfall;
pub mod wire_values;

/// Kept here too for older imports; the read-only client lives in [`crate::partner_center`].
pub use crate::partner_center::Reader;
pub use pending::{JournalEntry, NoJournal, PendingSource, from_journal, from_store};

use crate::catalog::Catalog;
use crate::manifest::DesiredState;
use crate::plan::{ActivityWitness, JournalWitness, Observation, Witnesses};
use crate::store::Cache;
use futures::StreamExt;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// How `observe` runs.
#[derive(Clone)]
pub struct ObserveOptions {
    /// Customers observed at once (`--parallelism`, at least 1).
    pub parallelism: usize,
    /// The state store's cache: completed orders ([`order_cache`]) live there.
    pub cache: Arc<dyn Cache>,
    /// Who checks the inventory of an item to buy: the observation (plan) or the cart (apply).
    pub inventory: InventoryCheck,
}

/// Who checks the inventory of an item the plan would buy, when its SKU lists `InventoryCheck`
/// (docs/partner-center.md §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InventoryCheck {
    /// The observation: `checkinventory` per customer, subscription, SKU and region, so a
    /// restricted SKU is a `blocked` row of the plan (plan, and the preview a pull request
    /// shows).
    #[default]
    Observe,
    /// The cart: apply sends no `checkinventory` for an item to buy (the row's inventory is
    /// [`crate::plan::Inventory::ByCart`]). Creating the cart checks every line; a restricted
    /// line comes back with error 10003 (`InventoryNotAvailable`), is taken out of the cart and
    /// reported as a failure, and the other lines are bought. This saves one call per
    /// subscription (issue 13). Items that acknowledge a known block (`blocked_ok`) are still
    /// checked while observing, so an acknowledged restriction stays an acknowledged `blocked`
    /// row and never reaches a cart.
    Cart,
}

impl std::fmt::Debug for ObserveOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObserveOptions")
            .field("parallelism", &self.parallelism)
            .field("inventory", &self.inventory)
            .finish_non_exhaustive()
    }
}

impl ObserveOptions {
    /// Options over any store's cache.
    pub fn new(parallelism: usize, cache: Arc<dyn Cache>) -> Self {
        ObserveOptions {
            parallelism,
            cache,
            inventory: InventoryCheck::Observe,
        }
    }

    /// The same options with the inventory of items to buy checked by `who`.
    pub fn inventory_checked_by(mut self, who: InventoryCheck) -> Self {
        self.inventory = who;
        self
    }

    /// Options over the cache of the directory store at `state_dir`.
    pub fn with_dir(parallelism: usize, state_dir: &Path) -> Self {
        Self::new(
            parallelism,
            Arc::new(crate::store::dir::DirCache::new(state_dir)),
        )
    }
}

/// Observes every declared customer, `parallelism` at a time. A failure reading one customer is
/// recorded as [`crate::plan::CustomerObservation::Failed`] and does not stop the others.
///
/// Recent purchases have three witnesses, each unit counted once: the journal, orders fetched by
/// id, and the partner activity log ([`activity`], read once for the run before the customers).
/// A state dir without a journal is read as an empty journal: the activity log covers what it
/// would have said. When the activity log cannot be read, every purchase is blocked.
pub async fn observe(
    desired: &DesiredState,
    reader: &Reader,
    catalog: &Catalog,
    journal: &dyn PendingSource,
    opts: &ObserveOptions,
) -> Observation {
    observe_with_log(desired, reader, catalog, journal, opts)
        .await
        .observation
}

/// What [`observe_with_log`] returns: the observation, the activity log read with it (or why it
/// could not be read), and when each customer's observation finished.
pub struct ObservedRun {
    pub observation: Observation,
    pub activity: Result<activity::ActivityLog, activity::ActivityLogError>,
    /// When each customer's reads finished, by lower-case customer id: apply's check before
    /// checkout reads the activity log no earlier than the log's lag after this.
    pub finished: BTreeMap<String, std::time::Duration>,
    /// Why each `Failed` customer could not be observed, by lower-case id: the error its row
    /// shows on one line, with its causes.
    pub(crate) failures: BTreeMap<String, customer::CustomerError>,
}

/// [`observe`], also returning the activity log it read (or why it could not) and when each
/// customer was observed, for a caller that checks the log again later (apply, right before
/// checkout).
pub async fn observe_with_log(
    desired: &DesiredState,
    reader: &Reader,
    catalog: &Catalog,
    journal: &dyn PendingSource,
    opts: &ObserveOptions,
) -> ObservedRun {
    // The client's clock is the run's clock: "now" of the observation and of cache expiry.
    let clock = reader.clock().clone();
    let cache = order_cache::OrderCache::over(opts.cache.clone(), clock.clone());
    let ids: Vec<String> = desired.customers.iter().map(|c| c.id.clone()).collect();
    let observed_at = clock.wall();
    let activity = if ids.is_empty() {
        Ok(activity::ActivityLog::default())
    } else {
        activity::read(reader, &ids, observed_at).await
    };
    if let Err(e) = &activity {
        tracing::warn!("{}: purchases are blocked", crate::error_chain::one_line(e));
    }
    let facts = facts::Facts::over(opts.cache.clone(), clock.clone());
    let ctx = customer::Context {
        reader,
        facts: &facts,
        catalog,
        journal,
        cache: &cache,
        activity: &activity,
        orders_by_id: AtomicU32::new(0),
        journal_unreadable: AtomicBool::new(false),
        observed_at,
        inventory: opts.inventory,
        finished: Mutex::default(),
        failures: Mutex::default(),
    };
    // Each customer's future is made when a slot frees (no closure, so the whole future stays
    // `Send`; not all up front, so a fleet does not hold thousands of futures at once).
    let limit = opts.parallelism.max(1);
    let mut todo = desired.customers.iter();
    let mut running = futures::stream::FuturesUnordered::new();
    let mut customers = Vec::with_capacity(desired.customers.len());
    loop {
        while running.len() < limit {
            let Some(dc) = todo.next() else { break };
            running.push(ctx.observe(dc));
        }
        match running.next().await {
            Some(c) => customers.push(c),
            None => break,
        }
    }
    drop(running);
    customers.sort_by(|a, b| a.customer_id().cmp(b.customer_id()));
    let witnesses = Witnesses {
        journal: if ctx.journal_unreadable.load(Ordering::Relaxed) {
            JournalWitness::Unreadable
        } else if journal.is_missing() {
            JournalWitness::Missing
        } else {
            JournalWitness::Read
        },
        orders_by_id: ctx.orders_by_id.load(Ordering::Relaxed),
        activity_log: match &activity {
            Ok(log) => ActivityWitness::Read {
                minutes: log.minutes,
                orders: log.orders(),
            },
            Err(e) => ActivityWitness::Failed {
                error: crate::error_chain::one_line(e),
            },
        },
    };
    let wanted = crate::prices::read::wanted(desired, &customers);
    let prices =
        crate::prices::read::read(reader, &wanted, Some(opts.cache.clone()), clock.wall()).await;
    let observation = Observation {
        customers,
        witnesses: Some(witnesses),
        observed_at: Some(observed_at),
        prices,
    };
    let finished = ctx.finished.into_inner().unwrap_or_else(|p| p.into_inner());
    let failures = ctx.failures.into_inner().unwrap_or_else(|p| p.into_inner());
    ObservedRun {
        observation,
        activity,
        finished,
        failures,
    }
}

#[cfg(test)]
mod clock_tests;
#[cfg(test)]
mod tests;
