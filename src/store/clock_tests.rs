//! Lock waits on a simulated clock: [`acquire`] over the directory backend and a
//! [`ManualClock`] waits for a held lock only in simulated time, polls on the lock backoff, and
//! gives up (or takes the lock) without real time passing.

use super::*;
use crate::time::{Clock, ManualClock};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

const C: &str = "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";

fn holder(pid: u32, clock: &dyn Clock) -> HolderInfo {
    HolderInfo {
        pid,
        host: "ci-7".into(),
        command: "reservoir apply".into(),
        started_at: clock.wall(),
        ci_run: None,
    }
}

/// The directory locks, counting attempts; after `free_after` attempts the lock `held` is
/// released (another run finishing).
struct Counting {
    inner: dir::DirLocks,
    tries: AtomicU32,
    free_after: Option<u32>,
    held: std::sync::Mutex<Option<Lease>>,
}

impl Counting {
    fn new(state: &std::path::Path, held: Lease, free_after: Option<u32>) -> Counting {
        Counting {
            inner: dir::DirLocks::new(state),
            tries: AtomicU32::new(0),
            free_after,
            held: std::sync::Mutex::new(Some(held)),
        }
    }
}

#[async_trait::async_trait]
impl Locks for Counting {
    async fn try_acquire(&self, id: &str, h: &HolderInfo) -> Result<Option<Lease>, LockError> {
        let n = self.tries.fetch_add(1, Ordering::SeqCst) + 1;
        if self.free_after.is_some_and(|k| n > k) {
            drop(self.held.lock().expect("held").take());
        }
        self.inner.try_acquire(id, h).await
    }
    async fn renew(&self, lease: &Lease) -> Result<(), LockError> {
        self.inner.renew(lease).await
    }
    async fn release(&self, lease: Lease) -> Result<(), LockError> {
        self.inner.release(lease).await
    }
    async fn holder(&self, id: &str) -> Result<Option<LockInfo>, LockError> {
        self.inner.holder(id).await
    }
    async fn list(&self) -> Result<Vec<LockInfo>, LockError> {
        self.inner.list().await
    }
    async fn force_unlock(&self, id: &str, by: &HolderInfo) -> Result<Option<LockInfo>, LockError> {
        self.inner.force_unlock(id, by).await
    }
}

fn ms(v: &[u64]) -> Vec<Duration> {
    v.iter().map(|m| Duration::from_millis(*m)).collect()
}

#[tokio::test]
async fn a_held_lock_is_waited_for_in_simulated_time_on_the_backoff_then_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = ManualClock::new();
    let first = dir::DirLocks::new(dir.path())
        .try_acquire(C, &holder(7, &clock))
        .await
        .expect("try")
        .expect("free");
    let locks = Counting::new(dir.path(), first, None);
    let waits = std::sync::Mutex::new(Vec::new());
    let real = Instant::now();
    let err = acquire(
        &locks,
        &clock,
        C,
        &holder(8, &clock),
        Duration::from_secs(10),
        lock_backoff(),
        &|info| waits.lock().expect("waits").push(info.cloned()),
    )
    .await
    .expect_err("still held after the timeout");
    // Ten simulated seconds passed, in the lock backoff's steps (100 ms doubling to 2 s), the
    // last one cut to end exactly at the timeout; no real second did.
    assert_eq!(
        clock.sleeps(),
        ms(&[100, 200, 400, 800, 1600, 2000, 2000, 2000, 900])
    );
    assert_eq!(clock.now(), Duration::from_secs(10));
    assert_eq!(
        locks.tries.load(Ordering::SeqCst),
        10,
        "one try per wait, plus the first"
    );
    assert!(
        real.elapsed() < Duration::from_secs(5),
        "{:?}",
        real.elapsed()
    );
    match err {
        LockError::Busy { holder, waited, .. } => {
            assert_eq!(waited, Duration::from_secs(10));
            assert_eq!(holder.map(|h| h.pid), Some(7), "names the holder");
        }
        other => panic!("not busy: {other}"),
    }
    let waits = waits.into_inner().expect("waits");
    assert_eq!(waits.len(), 1, "told once that it waits");
    assert_eq!(
        waits[0]
            .as_ref()
            .and_then(|i| i.holder.as_ref())
            .map(|h| h.pid),
        Some(7)
    );
}

#[tokio::test]
async fn a_lock_freed_during_the_wait_is_taken_at_the_next_poll() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = ManualClock::new();
    let first = dir::DirLocks::new(dir.path())
        .try_acquire(C, &holder(7, &clock))
        .await
        .expect("try")
        .expect("free");
    // The holder finishes after the waiter's third attempt.
    let locks = Counting::new(dir.path(), first, Some(3));
    let lease = acquire(
        &locks,
        &clock,
        C,
        &holder(8, &clock),
        Duration::from_secs(60),
        lock_backoff(),
        &|_| {},
    )
    .await
    .expect("taken once freed");
    assert_eq!(lease.holder.pid, 8);
    assert_eq!(clock.sleeps(), ms(&[100, 200, 400]));
    assert_eq!(clock.now(), Duration::from_millis(700));
    assert_eq!(locks.tries.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_zero_timeout_tries_once_and_never_sleeps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = ManualClock::new();
    let first = dir::DirLocks::new(dir.path())
        .try_acquire(C, &holder(7, &clock))
        .await
        .expect("try")
        .expect("free");
    let locks = Counting::new(dir.path(), first, None);
    let err = acquire(
        &locks,
        &clock,
        C,
        &holder(8, &clock),
        Duration::ZERO,
        lock_backoff(),
        &|_| {},
    )
    .await
    .expect_err("busy");
    assert!(matches!(err, LockError::Busy { .. }), "{err}");
    assert!(clock.sleeps().is_empty());
    assert_eq!(locks.tries.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_store_on_a_manual_clock_stamps_its_journal_and_holders_with_that_clock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = ManualClock::new();
    clock.advance(Duration::from_secs(3600));
    let store = Store::dir(dir.path(), true)
        .expect("store")
        .with_clock(std::sync::Arc::new(clock.clone()));
    assert_eq!(store.clock.wall(), clock.wall());
    assert_eq!(store.journal.now(), clock.wall());
    let h = HolderInfo::current("reservoir apply", store.clock.wall());
    let lease = store
        .locks
        .try_acquire(C, &h)
        .await
        .expect("try")
        .expect("free");
    let info = store.locks.holder(C).await.expect("holder").expect("held");
    assert_eq!(
        info.acquired_at,
        Some(clock.wall()),
        "the holder's start is the clock's"
    );
    store.locks.release(lease).await.expect("release");
}
