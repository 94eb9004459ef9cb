//! The `apply` orchestration. [`prepare`] takes the lock of every in-scope customer first (in
//! customer-id order, so two runs over overlapping fleets never wait on each other in a cycle)
//! and then observes the locked customers **once** (DESIGN §5 steps 1–2); the caller shows that
//! plan and asks. [`run`] then works per customer, in parallel and isolated from each other,
//! under the lock it already holds: resume → (only when resuming the journal's unfinished
//! purchases changed them: observe again) → settle visible orders (only when safe for every
//! holdings source, see [`super::settle`]) → re-plan → (with `--plan`: compare) → register and buy
//! what is still missing, **never more than the shown plan** → unlock.
//!
//! Refusal policy: an expired saved plan, a saved plan whose acting rows no longer hold, and a
//! unit guardrail (`--max-units`, `limits.max_units_per_apply`) refuse the **whole run** before any
//! customer is touched. A customer whose lock cannot be taken within `--lock-timeout` is observed
//! as an error (another apply holds it) and nothing is bought for it; the others proceed.

pub use super::batch::build_batch;
use super::batch::rows_of;
use super::engine::apply_customer;
use super::options::ApplyOptions;
use super::pc::PartnerCenterCommerce;
use super::preflight::{bullets, compare_acting, restrict};
use super::report::{ApplyEvent, Reporter};
use super::resume::resume_customer;
use super::settle::{drop_visible_confirmations, settle_visible};
use super::summary::{ApplyReport, CustomerReport, plan_hash};
use super::witness::with_activity_check;
use super::witness_log::SharedLog;
use crate::catalog::Catalog;
use crate::manifest::{DesiredCustomer, DesiredState};
use crate::observe::activity::{ActivityLog, ActivityLogError};
use crate::observe::{self, InventoryCheck, ObserveOptions};
use crate::partner_center::Client;
use crate::partner_center::Reader;
use crate::plan::{Action, CustomerObservation, Observation, Plan, diff};
use crate::store::{HolderInfo, Journal, Lease, LockInfo, Store, acquire, lock_backoff};
use futures::StreamExt;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How a run behaves.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Customers worked on at once.
    pub parallelism: usize,
    /// How long to wait for another apply holding a customer's lock.
    pub lock_timeout: Duration,
    /// Engine knobs (registration timeout, backoff, clock).
    pub engine: ApplyOptions,
    /// Who checks the inventory of what is bought: the cart (the default), or the observation
    /// before it (`--check-inventory`, the documented flow: one call per subscription, SKU and
    /// region).
    pub inventory: InventoryCheck,
}

/// The in-scope customers, locked and observed once: what the plan is made from and what
/// [`run`] acts on. Give the leases back with [`Prepared::release_all`] when the run does not go
/// ahead ([`run`] releases each customer's lease when it is done with it).
pub struct Prepared {
    /// The observation of the locked customers; a customer whose lock could not be taken is a
    /// failed observation naming the holder.
    pub observation: Observation,
    /// The activity log read with the observation, or why it could not be read.
    activity: Result<ActivityLog, ActivityLogError>,
    /// When each customer's observation finished (by lower-case id, on the client's clock): the
    /// check before checkout waits for the activity log's lag counted from there.
    observed_at: BTreeMap<String, Duration>,
    /// Held leases, by lower-case customer id.
    leases: Mutex<BTreeMap<String, Lease>>,
    /// Why a customer's lock could not be taken, by lower-case customer id.
    not_locked: BTreeMap<String, String>,
    /// The run's catalog (product/SKU views are reused; availabilities are read fresh to buy).
    catalog: Catalog,
}

impl Prepared {
    /// Gives back every lease still held (a failure only delays the next run: leases expire).
    pub async fn release_all(&self, store: &Store) {
        let leases = std::mem::take(&mut *self.leases.lock().unwrap_or_else(|p| p.into_inner()));
        for lease in leases.into_values() {
            release(store, lease).await;
        }
    }

    fn take_lease(&self, customer_id: &str) -> Option<Lease> {
        self.leases
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&customer_id.to_ascii_lowercase())
    }
}

/// Takes every in-scope customer's lock (in customer-id order, waiting up to `--lock-timeout`
/// each), then observes the locked customers once, `parallelism` at a time, with the journal
/// counting in-flight purchases as pending.
pub async fn prepare(ctx: &Context<'_>) -> Prepared {
    let opts = ctx.opts;
    let holder = HolderInfo::current("reservoir apply", opts.engine.clock.wall());
    let mut order: Vec<&DesiredCustomer> = ctx.desired.customers.iter().collect();
    order.sort_by_key(|c| c.id.to_ascii_lowercase());
    let mut leases = BTreeMap::new();
    let mut not_locked = BTreeMap::new();
    for dc in order {
        let id = dc.id.to_ascii_lowercase();
        if opts.engine.interrupt.is_requested() {
            not_locked.insert(id, super::interrupt::NOT_STARTED.to_owned());
            continue;
        }
        let waiting = |info: Option<&LockInfo>| {
            ctx.reporter.event(
                &dc.id,
                &ApplyEvent::WaitingForLock {
                    holder: info.and_then(|i| i.holder.as_ref()).map(|h| h.to_string()),
                },
            );
        };
        match acquire(
            ctx.store.locks.as_ref(),
            opts.engine.clock.as_ref(),
            &dc.id,
            &holder,
            opts.lock_timeout,
            lock_backoff(),
            &waiting,
        )
        .await
        {
            Ok(lease) => {
                leases.insert(id, lease);
            }
            Err(e) => {
                not_locked.insert(id, e.to_string());
            }
        }
    }
    let locked = DesiredState {
        customers: ctx
            .desired
            .customers
            .iter()
            .filter(|c| leases.contains_key(&c.id.to_ascii_lowercase()))
            .cloned()
            .collect(),
        limits: ctx.desired.limits.clone(),
        manifest_hash: ctx.desired.manifest_hash.clone(),
    };
    let catalog = Catalog::new(Reader::new(ctx.client))
        .with_store_cache(ctx.store.cache.clone())
        .for_desired(ctx.desired);
    let reader = Reader::new(ctx.client);
    // By default the cart checks the inventory of what is bought (a restricted line comes back
    // with 10003 and is taken out): no `checkinventory` per subscription before it (issue 13).
    let oopts = ObserveOptions::new(opts.parallelism.max(1), ctx.store.cache.clone())
        .inventory_checked_by(opts.inventory);
    let observe::ObservedRun {
        mut observation,
        activity,
        finished,
        ..
    } = observe::observe_with_log(&locked, &reader, &catalog, &ctx.store.journal, &oopts).await;
    for (id, error) in &not_locked {
        observation.customers.push(CustomerObservation::Failed {
            customer_id: id.clone(),
            error: format!("not locked, so not observed: {error}"),
        });
    }
    observation
        .customers
        .sort_by(|a, b| a.customer_id().cmp(b.customer_id()));
    Prepared {
        observation,
        activity,
        observed_at: finished,
        leases: Mutex::new(leases),
        not_locked,
        catalog,
    }
}

/// What the run may do: the shown plan, and the saved plan when one is applied.
#[derive(Debug, Clone, Copy)]
pub struct Approved<'a> {
    pub shown: &'a Plan,
    pub saved: Option<&'a Plan>,
}

/// Everything [`run`] works with.
pub struct Context<'a> {
    pub desired: &'a DesiredState,
    pub client: &'a Client,
    /// The state store: the journal, the customer locks and the caches.
    pub store: &'a Store,
    pub reporter: &'a dyn Reporter,
    pub opts: &'a RunOptions,
}

/// Applies the approved plan, customer by customer (in parallel up to `parallelism`; a failure
/// in one never stops the others), and returns the report.
pub async fn run(ctx: &Context<'_>, prepared: &Prepared, approved: Approved<'_>) -> ApplyReport {
    let started_at = ctx.opts.engine.clock.wall();
    let hash = plan_hash(approved.saved.unwrap_or(approved.shown));
    // The run's catalog: availabilities and inventory are read again right before buying.
    let catalog = &prepared.catalog;
    let commerce = PartnerCenterCommerce::new(ctx.client, catalog, ctx.desired).remembering_orders(
        crate::observe::order_cache::OrderCache::over(
            ctx.store.cache.clone(),
            ctx.opts.engine.clock.clone(),
        ),
    );
    // One activity-log reader for the run: customers checking out about the same time share a
    // read (never older than the log's lag before a check asks).
    let log = Arc::new(
        SharedLog::for_plan(
            Reader::new(ctx.client),
            ctx.desired,
            approved.shown,
            ctx.opts.engine.activity_log_lag,
        )
        .waiting_for(ctx.client.rate_limiter().clone()),
    );
    // Each customer's future is made when a slot frees (not all up front: at fleet scale the
    // futures' own size is most of the run's memory).
    let limit = ctx.opts.parallelism.max(1);
    let mut todo = ctx.desired.customers.iter();
    let mut running = futures::stream::FuturesUnordered::new();
    let mut reports: Vec<CustomerReport> = Vec::with_capacity(ctx.desired.customers.len());
    loop {
        while running.len() < limit {
            let Some(dc) = todo.next() else { break };
            running.push(customer(
                ctx, prepared, &commerce, &log, dc, approved, &hash,
            ));
        }
        match running.next().await {
            Some(report) => {
                ctx.reporter.customer_finished(&report);
                reports.push(report);
            }
            None => break,
        }
    }
    drop(running);
    prepared.release_all(ctx.store).await;
    ApplyReport::new(
        hash,
        ctx.desired.manifest_hash.clone(),
        started_at,
        ctx.opts.engine.clock.wall(),
        reports,
    )
}

/// One customer, start to end. Never panics; everything lands in the report.
async fn customer(
    ctx: &Context<'_>,
    prepared: &Prepared,
    commerce: &PartnerCenterCommerce<'_>,
    log: &Arc<SharedLog>,
    dc: &DesiredCustomer,
    approved: Approved<'_>,
    hash: &str,
) -> CustomerReport {
    let mut report = CustomerReport::new(&dc.id, dc.name.as_deref());
    // Blocked rows of the shown plan, and of the saved plan (whose blocked items a plan
    // rebuilt from it no longer declares).
    let mut blocked = BTreeSet::new();
    for plan in std::iter::once(approved.shown).chain(approved.saved) {
        blocked.extend(
            rows_of(plan, &dc.id)
                .filter(|r| matches!(r.action, Action::Blocked | Action::Error))
                // Acknowledged with `blocked_ok`: shown in the plan, not a failure.
                .filter(|r| r.acknowledged.is_none())
                .map(|r| {
                    format!(
                        "{}: {}",
                        r.label(),
                        r.reason.as_deref().unwrap_or("blocked")
                    )
                }),
        );
    }
    report.blocked = blocked.into_iter().collect();
    let acts = rows_of(approved.shown, &dc.id).any(|r| r.action.is_change());
    let pending_before = ctx.store.journal.pending(&dc.id).await.ok();
    let in_flight = pending_before.as_ref().is_none_or(|p| !p.is_empty());
    let Some(lease) = prepared.take_lease(&dc.id) else {
        if acts || in_flight {
            report.error = prepared
                .not_locked
                .get(&dc.id.to_ascii_lowercase())
                .cloned()
                .or_else(|| Some(format!("customer {} was not locked", dc.label())));
        }
        report.settle_status(acts);
        return report;
    };
    if !acts && !in_flight {
        release(ctx.store, lease).await;
        report.settle_status(false);
        return report;
    }
    if ctx.opts.engine.interrupt.is_requested() {
        release(ctx.store, lease).await;
        report.error = Some(super::interrupt::NOT_STARTED.to_owned());
        report.settle_status(acts);
        return report;
    }
    ctx.reporter.event(&dc.id, &ApplyEvent::CustomerStarted);
    let journal = ctx.store.journal.fenced(&dc.id, lease.epoch);
    let work = Work {
        prepared,
        commerce,
        log,
        journal: &journal,
        pending_before,
    };
    locked(ctx, &work, dc, approved, hash, &mut report).await;
    release(ctx.store, lease).await;
    report.settle_status(acts);
    report
}

/// What one customer's locked work uses.
struct Work<'a> {
    prepared: &'a Prepared,
    commerce: &'a PartnerCenterCommerce<'a>,
    /// The run's shared activity-log reader (the check before checkout).
    log: &'a Arc<SharedLog>,
    /// The journal fenced by the customer's lease.
    journal: &'a Journal,
    /// The journal's unsettled lines before this run resumed them (`None`: unreadable). The
    /// observation counted exactly these as pending: nobody else writes them while we hold the
    /// lease.
    pending_before: Option<Vec<crate::store::PendingOrder>>,
}

/// Gives a lease back; a failure only delays the next run (the lease expires by itself).
async fn release(store: &Store, lease: Lease) {
    let customer = lease.customer_id.clone();
    if let Err(e) = store.locks.release(lease).await {
        tracing::warn!("cannot release the lock of customer {customer}: {e}");
    }
}

/// Everything done under the customer's lock.
async fn locked(
    ctx: &Context<'_>,
    work: &Work<'_>,
    dc: &DesiredCustomer,
    approved: Approved<'_>,
    hash: &str,
    report: &mut CustomerReport,
) {
    let opts = ctx.opts;
    let (journal, commerce) = (work.journal, work.commerce);
    let mut resumed = resume_customer(
        &dc.id,
        dc.name.as_deref(),
        commerce,
        journal,
        ctx.reporter,
        &opts.engine,
    )
    .await;
    // Orders a resume places finish an earlier run's intent: the summary counts them apart.
    for o in &mut resumed.orders {
        o.resumed = true;
    }
    report.outcome.merge(resumed);
    if report.outcome.journal_error.is_some() || report.outcome.distrusts_the_server() {
        return;
    }

    let one = DesiredState {
        customers: vec![dc.clone()],
        limits: ctx.desired.limits.clone(),
        manifest_hash: ctx.desired.manifest_hash.clone(),
    };
    // Observed once, under the lock, before the plan was shown; observed again only when
    // resuming changed the journal's unsettled lines (an order placed, a line failed or
    // abandoned): the observation counted them as they were. Confirming an order changes none.
    let unchanged = match &work.pending_before {
        Some(before) if before.is_empty() => true,
        Some(before) => journal.pending(&dc.id).await.ok().as_ref() == Some(before),
        None => false,
    };
    let again;
    let (observation, log, observed_at) = if !unchanged {
        let oopts = ObserveOptions::new(1, ctx.store.cache.clone())
            .inventory_checked_by(ctx.opts.inventory);
        let reader = Reader::new(ctx.client);
        again =
            observe::observe_with_log(&one, &reader, &work.prepared.catalog, journal, &oopts).await;
        (
            &again.observation,
            &again.activity,
            ctx.client.clock().now(),
        )
    } else {
        let p = work.prepared;
        let at = p
            .observed_at
            .get(&dc.id.to_ascii_lowercase())
            .copied()
            .unwrap_or_else(|| ctx.client.clock().now());
        (&p.observation, &p.activity, at)
    };
    let observed = match observation.customer(&dc.id) {
        Some(CustomerObservation::Observed(o)) => o.clone(),
        Some(CustomerObservation::Failed { error, .. }) => {
            report.error = Some(format!("could not read customer {}: {error}", dc.label()));
            return;
        }
        None => {
            report.error = Some(format!("customer {} was not read", dc.label()));
            return;
        }
    };
    let observation = Observation {
        customers: vec![CustomerObservation::Observed(observed.clone())],
        witnesses: observation.witnesses.clone(),
        observed_at: observation.observed_at,
        prices: observation.prices.clone(),
    };
    // Settles only what every later run (whatever its credentials) also sees as owned.
    let visible = settle_visible(journal, commerce, &observed, opts.engine.clock.wall()).await;
    drop_visible_confirmations(&mut report.outcome, &visible);

    let fresh = diff(&one, &observation);
    if let Some(saved) = approved.saved {
        let changes = compare_acting(&restrict(saved, &one), &fresh);
        if !changes.is_empty() {
            report.error = Some(format!(
                "the saved plan no longer holds for customer {}; nothing was bought for it. \
                 What changed:\n{}",
                dc.label(),
                bullets(&changes)
            ));
            return;
        }
    }

    let batch = build_batch(dc, approved.shown, &fresh, &observed, hash);
    if batch.register.is_empty() && batch.lines.is_empty() {
        return;
    }
    let engine = with_activity_check(&opts.engine, work.log, journal, &observed, log, observed_at);
    let out = apply_customer(&batch, commerce, journal, ctx.reporter, &engine).await;
    report.outcome.merge(out);
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
