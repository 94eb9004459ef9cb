//! Observe: customer, subscriptions, registrations, entitlements and orders → attributed holdings,
//! as the plan's observed-state input. Read-only: it has no code path that writes — it only gets
//! a [`Reader`], which has no write method.
//!
//! Calls per customer (issue 6 budget, `2 + 2·S` for a no-change plan with S declared
//! subscriptions): get customer (1); list subscriptions (1, skipped when no subscription is
//! declared); entitlements of every type in one call (1); registration status of each active
//! declared subscription that carries reservations (≤ S); order-by-id only for orders not yet in
//! the completed-order cache ([`order_cache`]) and for unsettled journal orders. Catalog calls
//! go through the run-wide [`crate::catalog::Catalog`] and do not grow with the customers.

mod customer;
mod holdings;
pub mod order_cache;
pub mod pending;
mod reader;

pub use pending::{JournalEntry, NoJournal, PendingSource, from_journal, from_store};
pub use reader::Reader;

use crate::catalog::Catalog;
use crate::manifest::DesiredState;
use crate::plan::Observation;
use futures::StreamExt;
use std::path::PathBuf;

/// How `observe` runs.
#[derive(Debug, Clone)]
pub struct ObserveOptions {
    /// Customers observed at once (`--parallelism`, at least 1).
    pub parallelism: usize,
    /// The state dir (`<state_dir>/cache/orders` holds completed orders).
    pub state_dir: PathBuf,
    /// The caller asserts that no other run bought for these customers in the last 15 minutes
    /// (`--fresh-state`, or the embedded sandbox, whose world lives in the same state dir): a
    /// [missing](PendingSource::is_missing) journal is then read as empty. Otherwise every
    /// customer of a run without a journal gets [`crate::plan::InFlightUnknown::JournalMissing`]
    /// and its purchases are blocked.
    pub fresh_state: bool,
}

/// Observes every declared customer, `parallelism` at a time. A failure reading one customer is
/// recorded as [`crate::plan::CustomerObservation::Failed`] and does not stop the others.
pub async fn observe(
    desired: &DesiredState,
    reader: &Reader,
    catalog: &Catalog,
    journal: &dyn PendingSource,
    opts: &ObserveOptions,
) -> Observation {
    let cache = order_cache::OrderCache::new(&opts.state_dir);
    let journal_missing = (!opts.fresh_state && journal.is_missing()).then(|| {
        crate::plan::InFlightUnknown::JournalMissing {
            state_dir: opts.state_dir.display().to_string(),
        }
    });
    if journal_missing.is_some() {
        tracing::info!(
            "no purchase journal in {} and no --fresh-state: purchases are blocked",
            opts.state_dir.display()
        );
    }
    let ctx = customer::Context {
        reader,
        catalog,
        journal,
        journal_missing,
        cache: &cache,
    };
    // Futures are built up front (not in a stream closure) so the whole future stays `Send`.
    let jobs: Vec<_> = desired.customers.iter().map(|dc| ctx.observe(dc)).collect();
    let mut customers: Vec<_> = futures::stream::iter(jobs)
        .buffer_unordered(opts.parallelism.max(1))
        .collect()
        .await;
    customers.sort_by(|a, b| a.customer_id().cmp(b.customer_id()));
    Observation { customers }
}

#[cfg(test)]
mod tests;
