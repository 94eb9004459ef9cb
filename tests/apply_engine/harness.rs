//! The test harness: a small desired world, a plan model (what the real `plan` does with the
//! journal: desired − entitled − journal pending, settling entitled orders), and a "process" run
//! (lock → resume → plan → apply → unlock per customer) that can be killed at any journal step or
//! commerce call — a killed run's future is dropped, exactly like a SIGKILLed process.

use super::fake::{FakeWorld, KillAtAppend};
use futures::FutureExt;
use reservoir::apply::{
    ApplyOptions, Backoff, CustomerBatch, CustomerOutcome, NoopReporter, apply_customer,
    resume_customer,
};
use reservoir::manifest::{PurchaseKey, ReservationTarget, ReservationType, Scope, Term};
use reservoir::store::{
    CustomerLock, HolderInfo, Journal, JournalError, PurchaseLine, SettleReason,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

pub(crate) use crate::support::world::{CONTOSO, FABRIKAM};

/// One customer's desired lines (quantity = desired units) and subscriptions to register.
#[derive(Debug, Clone)]
pub struct DesiredCustomer {
    pub id: String,
    pub lines: Vec<PurchaseLine>,
    pub register: Vec<String>,
}

pub fn reservation(
    customer: &str,
    sub: &str,
    sku: &str,
    qty: u32,
    world: &FakeWorld,
) -> PurchaseLine {
    let product = "DZH318Z0BQ3V";
    PurchaseLine {
        commitment: None,
        key: PurchaseKey::Reservation {
            customer_id: customer.into(),
            subscription_id: sub.into(),
            reservation_type: ReservationType::Vm,
            target: ReservationTarget::Arm {
                arm_sku_name: sku.into(),
                arm_region_name: "eastus".into(),
            },
            term: Term::P3Y,
            scope: Scope::Shared,
        },
        item_name: sku.to_lowercase(),
        catalog_item_id: world.catalog_item_id(product, sku),
        product_id: product.into(),
        sku_id: sku.into(),
        quantity: qty,
        billing_cycle: "one_time".into(),
        term_duration: Some("P3Y".into()),
        provisioning_context: BTreeMap::from([
            ("subscriptionId".into(), sub.into()),
            ("scope".into(), "shared".into()),
            ("duration".into(), "3Years".into()),
        ]),
        friendly_name: Some(format!("RI {sku}")),
        estimate: None,
    }
}

pub fn software(customer: &str, qty: u32, world: &FakeWorld) -> PurchaseLine {
    let (product, sku) = ("DG7GMGF0DWM3", "0002");
    PurchaseLine {
        commitment: None,
        key: PurchaseKey::Software {
            customer_id: customer.into(),
            product_id: product.into(),
            sku_id: sku.into(),
        },
        item_name: "windows-server".into(),
        catalog_item_id: world.catalog_item_id(product, sku),
        product_id: product.into(),
        sku_id: sku.into(),
        quantity: qty,
        billing_cycle: "one_time".into(),
        term_duration: None,
        provisioning_context: BTreeMap::new(),
        friendly_name: None,
        estimate: None,
    }
}

/// The usual world: contoso wants two reservations and software, fabrikam one reservation.
pub fn small_world(world: &FakeWorld, q: [u32; 4]) -> Vec<DesiredCustomer> {
    vec![
        DesiredCustomer {
            id: CONTOSO.into(),
            lines: vec![
                reservation(CONTOSO, "sub-c1", "Standard_D4s_v5", q[0], world),
                reservation(CONTOSO, "sub-c1", "Standard_E8s_v5", q[1], world),
                software(CONTOSO, q[2], world),
            ],
            register: vec![],
        },
        DesiredCustomer {
            id: FABRIKAM.into(),
            lines: vec![reservation(
                FABRIKAM,
                "sub-f1",
                "Standard_D4s_v5",
                q[3],
                world,
            )],
            register: vec![],
        },
    ]
}

pub fn desired_units(desired: &[DesiredCustomer]) -> BTreeMap<PurchaseKey, u32> {
    desired
        .iter()
        .flat_map(|c| &c.lines)
        .map(|l| (l.key.clone(), l.quantity))
        .collect()
}

/// What the real `plan` computes for one customer: desired − entitled − journal pending, with
/// journalled orders now visible as entitlements settled. Fresh catalog ids.
pub async fn plan(
    world: &FakeWorld,
    journal: &Journal,
    customer: &DesiredCustomer,
) -> Result<Vec<PurchaseLine>, JournalError> {
    let mut pending: BTreeMap<PurchaseKey, u32> = BTreeMap::new();
    for p in journal.pending(&customer.id).await? {
        if let Some(order_id) = &p.order_id
            && world.is_entitled(order_id)
        {
            journal
                .settle(&customer.id, order_id, SettleReason::Entitled)
                .await?;
            continue;
        }
        let key = p.key.expect("every order line maps to an intent line");
        *pending.entry(key).or_default() += p.quantity;
    }
    let owned = world.units_entitled(&customer.id);
    let mut out = Vec::new();
    for line in &customer.lines {
        let have = owned.get(&line.key).copied().unwrap_or(0)
            + pending.get(&line.key).copied().unwrap_or(0);
        if have < line.quantity {
            let mut l = line.clone();
            l.quantity = line.quantity - have;
            l.catalog_item_id = world.catalog_item_id(&l.product_id, &l.sku_id);
            out.push(l);
        }
    }
    Ok(out)
}

pub fn options(world: &FakeWorld) -> ApplyOptions {
    ApplyOptions {
        registration_timeout: Duration::from_secs(600),
        backoff: Backoff::new(Duration::from_secs(1), 2, Duration::from_secs(30)),
        write_attempts: 4,
        max_rebuilds: 2,
        clock: world.clock.clone(),
        interrupt: Default::default(),
        before_checkout: None,
        activity_log_lag: Duration::ZERO,
    }
}

pub fn journal(world: &FakeWorld, dir: &Path, kill_at_append: Option<usize>) -> Journal {
    Journal::open(dir)
        .expect("open journal")
        .with_clock(world.clock.clone())
        .with_hook(Arc::new(KillAtAppend {
            world: world.clone(),
            kill_at: kill_at_append,
            appends: AtomicUsize::new(0),
        }))
}

/// How one process run ended.
#[derive(Debug)]
pub struct RunResult {
    /// `false` when the process was killed.
    pub completed: bool,
    pub outcomes: Vec<CustomerOutcome>,
}

/// Takes a customer's directory lock, waiting up to 60 s in real time on this thread: the
/// scenarios run two applies on two real threads (`CustomerLock::acquire` itself never waits).
fn lock_waiting(dir: &Path, customer_id: &str) -> CustomerLock {
    let started = std::time::Instant::now();
    loop {
        let holder = HolderInfo::current("reservoir apply (test)", chrono::Utc::now());
        match CustomerLock::acquire(dir, customer_id, holder) {
            Ok(lock) => return lock,
            Err(reservoir::store::LockError::Busy { .. })
                if started.elapsed() < Duration::from_secs(60) =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("customer lock: {e}"),
        }
    }
}

/// The lead's per-customer flow, as a future: lock → resume → plan → apply → unlock.
pub async fn apply_all(
    world: &FakeWorld,
    dir: &Path,
    journal: &Journal,
    desired: &[DesiredCustomer],
    opts: &ApplyOptions,
) -> Vec<CustomerOutcome> {
    let mut outs = Vec::new();
    for c in desired {
        let _lock = lock_waiting(dir, &c.id);
        let mut out = resume_customer(&c.id, None, world, journal, &NoopReporter, opts).await;
        if out.journal_error.is_some() || out.distrusts_the_server() {
            outs.push(out);
            continue;
        }
        let lines = match plan(world, journal, c).await {
            Ok(lines) => lines,
            Err(e) => {
                out.journal_error = Some(e.to_string());
                outs.push(out);
                continue;
            }
        };
        let register: Vec<String> = c
            .register
            .iter()
            .filter(|s| !world.is_registered(s))
            .cloned()
            .collect();
        if !lines.is_empty() || !register.is_empty() {
            let batch = CustomerBatch {
                customer_id: c.id.clone(),
                customer_name: None,
                plan_hash: "plan-hash-1".into(),
                register,
                lines,
            };
            out.merge(apply_customer(&batch, world, journal, &NoopReporter, opts).await);
        }
        outs.push(out);
    }
    outs
}

/// One process: runs [`apply_all`] to completion in a single poll (the fakes never wait), or is
/// killed — by the `kill_at_append`-th journal append or a `Kill*` fault — and dropped.
pub fn run_process(
    world: &FakeWorld,
    dir: &Path,
    desired: &[DesiredCustomer],
    kill_at_append: Option<usize>,
) -> RunResult {
    world.revive();
    let journal = journal(world, dir, kill_at_append);
    let opts = options(world);
    let fut = apply_all(world, dir, &journal, desired, &opts);
    match fut.now_or_never() {
        // A refused append after the kill point ends the run early: still a dead process.
        Some(outcomes) => RunResult {
            completed: !world.is_killed(),
            outcomes,
        },
        None => RunResult {
            completed: false,
            outcomes: Vec::new(),
        },
    }
}

/// Asserts no key was ordered beyond what is desired.
pub fn assert_never_over(world: &FakeWorld, desired: &BTreeMap<PurchaseKey, u32>) {
    for (key, units) in world.units_ordered() {
        let want = desired.get(&key).copied().unwrap_or(0);
        assert!(
            units <= want,
            "{units} units ordered for {key:?}, only {want} declared"
        );
    }
}

/// Asserts every key was ordered exactly as desired.
pub fn assert_exact(world: &FakeWorld, desired: &BTreeMap<PurchaseKey, u32>) {
    let ordered = world.units_ordered();
    for (key, want) in desired {
        assert_eq!(
            ordered.get(key).copied().unwrap_or(0),
            *want,
            "units for {key:?}"
        );
    }
    assert_never_over(world, desired);
}

/// Runs a future to completion on the current thread (the directory journal needs no reactor),
/// for the synchronous scenario tests.
pub trait Wait: std::future::Future + Sized {
    fn wait(self) -> Self::Output {
        futures::executor::block_on(self)
    }
}

impl<F: std::future::Future> Wait for F {}
