//! The `apply` orchestration: after the whole-run checks of [`mod@super::preflight`], [`run`] — per
//! customer, in parallel and isolated from each other: lock → resume → re-observe → settle
//! visible orders (only when safe for every holdings source, see [`super::settle`]) → re-plan → (with `--plan`: compare) → register and buy what is still missing,
//! **never more than the shown plan** → unlock.
//!
//! Refusal policy: an expired saved plan, a saved plan whose acting rows no longer hold, and a
//! unit guardrail (`--max-units`, `limits.max_units_per_apply`) refuse the **whole run** before any
//! customer is touched. A change found later, under a customer's lock (another apply got there
//! first), refuses only that customer when a saved plan is applied; without one, the customer's
//! purchases are capped at what the shown plan said.

use super::engine::{CustomerBatch, apply_customer};
use super::options::ApplyOptions;
use super::pc::PartnerCenterCommerce;
use super::preflight::{bullets, compare_acting, restrict};
use super::report::{ApplyEvent, Reporter};
use super::resume::resume_customer;
use super::settle::{drop_visible_confirmations, settle_visible};
use super::summary::{ApplyReport, CustomerReport, plan_hash};
use super::witness::with_activity_check;
use crate::catalog::Catalog;
use crate::kinds;
use crate::manifest::{DesiredCustomer, DesiredState};
use crate::observe::{self, ObserveOptions};
use crate::partner_center::Client;
use crate::partner_center::Reader;
use crate::plan::{Action, CustomerObservation, Observation, Plan, Registration, Row, diff};
use crate::store::{HolderInfo, Journal, Lease, LockInfo, Store, acquire, lock_backoff};
use chrono::Utc;
use futures::StreamExt;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

/// How a run behaves.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Customers worked on at once.
    pub parallelism: usize,
    /// How long to wait for another apply holding a customer's lock.
    pub lock_timeout: Duration,
    /// Where the caches of a directory store live (observation reads the order cache there).
    pub state_dir: PathBuf,
    /// Engine knobs (registration timeout, backoff, clock).
    pub engine: ApplyOptions,
}

/// Observes the customers of `desired` (read-only), `parallelism` at a time, with the journal
/// counting in-flight purchases as pending.
pub async fn observe_all(
    desired: &DesiredState,
    client: &Client,
    catalog: &Catalog,
    journal: &Journal,
    opts: &RunOptions,
) -> Observation {
    let reader = Reader::new(client);
    let oopts = ObserveOptions {
        parallelism: opts.parallelism.max(1),
        state_dir: opts.state_dir.clone(),
    };
    observe::observe(desired, &reader, catalog, journal, &oopts).await
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
pub async fn run(ctx: &Context<'_>, approved: Approved<'_>) -> ApplyReport {
    let started_at = Utc::now();
    let hash = plan_hash(approved.saved.unwrap_or(approved.shown));
    // A fresh catalog: availabilities and inventory are read again under each customer's lock.
    let catalog = Catalog::new(Reader::new(ctx.client));
    let commerce = PartnerCenterCommerce::new(ctx.client, &catalog, ctx.desired);
    let jobs: Vec<_> = ctx
        .desired
        .customers
        .iter()
        .map(|dc| customer(ctx, &catalog, &commerce, dc, approved, &hash))
        .collect();
    let reports: Vec<CustomerReport> = futures::stream::iter(jobs)
        .buffer_unordered(ctx.opts.parallelism.max(1))
        .collect()
        .await;
    ApplyReport::new(
        hash,
        ctx.desired.manifest_hash.clone(),
        started_at,
        Utc::now(),
        reports,
    )
}

fn rows_of<'p>(plan: &'p Plan, customer_id: &str) -> impl Iterator<Item = &'p Row> {
    let id = customer_id.to_owned();
    plan.rows
        .iter()
        .filter(move |r| r.customer_id.eq_ignore_ascii_case(&id))
}

/// One customer, start to end. Never panics; everything lands in the report.
async fn customer(
    ctx: &Context<'_>,
    catalog: &Catalog,
    commerce: &PartnerCenterCommerce<'_>,
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
    let in_flight = ctx
        .store
        .journal
        .pending(&dc.id)
        .await
        .map(|p| !p.is_empty())
        .unwrap_or(true);
    if !acts && !in_flight {
        report.settle_status(false);
        return report;
    }
    if ctx.opts.engine.interrupt.is_requested() {
        report.error = Some(super::interrupt::NOT_STARTED.to_owned());
        report.settle_status(acts);
        return report;
    }
    act(ctx, catalog, commerce, dc, approved, hash, &mut report).await;
    report.settle_status(acts);
    report
}

/// Takes the customer's lock (waiting up to `--lock-timeout` with backoff on the run's clock),
/// works under it with a journal fenced by the lease's epoch, then releases it.
async fn act(
    ctx: &Context<'_>,
    catalog: &Catalog,
    commerce: &PartnerCenterCommerce<'_>,
    dc: &DesiredCustomer,
    approved: Approved<'_>,
    hash: &str,
    report: &mut CustomerReport,
) {
    let opts = ctx.opts;
    ctx.reporter.event(&dc.id, &ApplyEvent::CustomerStarted);
    let holder = HolderInfo::current("reservoir apply");
    let waiting = |info: Option<&LockInfo>| {
        ctx.reporter.event(
            &dc.id,
            &ApplyEvent::WaitingForLock {
                holder: info.and_then(|i| i.holder.as_ref()).map(|h| h.to_string()),
            },
        );
    };
    let acquired = acquire(
        ctx.store.locks.as_ref(),
        opts.engine.clock.as_ref(),
        &dc.id,
        &holder,
        opts.lock_timeout,
        lock_backoff(),
        &waiting,
    )
    .await;
    let lease = match acquired {
        Ok(l) => l,
        Err(e) => {
            report.error = Some(e.to_string());
            return;
        }
    };
    let journal = ctx.store.journal.fenced(&dc.id, lease.epoch);
    locked(ctx, &journal, catalog, commerce, dc, approved, hash, report).await;
    release(ctx.store, lease).await;
}

/// Gives a lease back; a failure only delays the next run (the lease expires by itself).
async fn release(store: &Store, lease: Lease) {
    let customer = lease.customer_id.clone();
    if let Err(e) = store.locks.release(lease).await {
        tracing::warn!("cannot release the lock of customer {customer}: {e}");
    }
}

/// Everything done under the customer's lock.
#[allow(clippy::too_many_arguments)]
async fn locked(
    ctx: &Context<'_>,
    journal: &Journal,
    catalog: &Catalog,
    commerce: &PartnerCenterCommerce<'_>,
    dc: &DesiredCustomer,
    approved: Approved<'_>,
    hash: &str,
    report: &mut CustomerReport,
) {
    let opts = ctx.opts;
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
    let oopts = ObserveOptions {
        parallelism: 1,
        state_dir: opts.state_dir.clone(),
    };
    let reader = Reader::new(ctx.client);
    let (observation, log) =
        observe::observe_with_log(&one, &reader, catalog, journal, &oopts).await;
    let observed = match observation.customer(&dc.id) {
        Some(CustomerObservation::Observed(o)) => o.clone(),
        Some(CustomerObservation::Failed { error, .. }) => {
            report.error = Some(format!(
                "could not re-read customer {}: {error}",
                dc.label()
            ));
            return;
        }
        None => {
            report.error = Some(format!("customer {} was not re-read", dc.label()));
            return;
        }
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
    let engine = with_activity_check(&opts.engine, ctx.client, journal, &observed, &log);
    let out = apply_customer(&batch, commerce, journal, ctx.reporter, &engine).await;
    report.outcome.merge(out);
}

/// The customer's batch: the fresh plan's purchases, each capped at what the shown plan said
/// for the same row (never more than was shown and approved), and the registrations they need.
pub fn build_batch(
    dc: &DesiredCustomer,
    shown: &Plan,
    fresh: &Plan,
    observed: &crate::plan::ObservedCustomer,
    hash: &str,
) -> CustomerBatch {
    let shown_buy: BTreeMap<_, u32> = rows_of(shown, &dc.id)
        .filter(|r| r.action.buys())
        .map(|r| (r.identity(), r.to_buy))
        .collect();
    let shown_register: BTreeSet<String> = rows_of(shown, &dc.id)
        .filter(|r| r.action == Action::Register)
        .filter_map(|r| r.subscription_id.clone())
        .collect();
    let mut register: BTreeSet<String> = rows_of(fresh, &dc.id)
        .filter(|r| r.action == Action::Register)
        .filter_map(|r| r.subscription_id.clone())
        .filter(|s| shown_register.contains(s))
        .collect();
    let mut lines = Vec::new();
    for row in rows_of(fresh, &dc.id).filter(|r| r.action.buys()) {
        let cap = shown_buy.get(&row.identity()).copied().unwrap_or(0);
        let quantity = row.to_buy.min(cap);
        if quantity == 0 {
            continue;
        }
        let Some(line) = kinds::purchase_line(dc, row, quantity) else {
            continue;
        };
        if let Some(sub) = &row.subscription_id
            && row.kind.needs_registration()
            && observed
                .subscription(sub)
                .is_some_and(|s| s.registration != Registration::Registered)
        {
            register.insert(sub.clone());
        }
        lines.push(line);
    }
    CustomerBatch {
        customer_id: dc.id.clone(),
        customer_name: dc.name.clone(),
        plan_hash: hash.to_owned(),
        register: register.into_iter().collect(),
        lines,
    }
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
