//! The limiter with a shared budget, on a simulated clock: two runs never send more than the
//! partner's minute together, and a budget that fails never stops a run.

use super::*;
use crate::partner_center::{RateLimiter, RateLimits};
use crate::time::{Clock, ManualClock};
use std::sync::{Arc, Mutex};

/// A shared window kept in memory on the runs' clock, counting the calls made to it.
struct Window {
    clock: ManualClock,
    grants: Mutex<Vec<(Duration, u32)>>,
    calls: Mutex<u32>,
}

#[async_trait::async_trait]
impl SharedBudget for Window {
    async fn grant(
        &self,
        _partner: &str,
        want: u32,
        per_minute: u32,
    ) -> Result<Grant, SharedBudgetError> {
        *self.calls.lock().unwrap() += 1;
        let now = self.clock.now();
        let mut g = self.grants.lock().unwrap();
        g.retain(|(t, _)| *t + Duration::from_secs(61) > now);
        let used: u32 = g.iter().map(|(_, n)| n).sum();
        let granted = want.min(per_minute.saturating_sub(used));
        if granted > 0 {
            g.push((now, granted));
        }
        let retry_in = g.first().map_or(Duration::ZERO, |(t, _)| {
            (*t + Duration::from_secs(61)).saturating_sub(now)
        });
        Ok(Grant { granted, retry_in })
    }
}

struct Broken;

#[async_trait::async_trait]
impl SharedBudget for Broken {
    async fn grant(&self, _: &str, _: u32, _: u32) -> Result<Grant, SharedBudgetError> {
        Err(SharedBudgetError("connection refused".into()))
    }
}

#[tokio::test]
async fn two_runs_sharing_a_budget_spend_one_minute_of_it_together() {
    let clock = ManualClock::new();
    let window = Arc::new(Window {
        clock: clock.clone(),
        grants: Mutex::default(),
        calls: Mutex::default(),
    });
    let limits = RateLimits::new(100, 10_000);
    let runs: Vec<RateLimiter> = (0..2)
        .map(|_| {
            let r = RateLimiter::new(limits, Arc::new(clock.clone()));
            r.share_budget(window.clone(), "partner".into());
            r
        })
        .collect();
    // Each run alone could send 99 at once; together they get 99, then wait for the window.
    let start = clock.now();
    for _ in 0..99 {
        runs[0].acquire(None).await;
    }
    assert_eq!(
        clock.now(),
        start,
        "the first run's minute is not waited for"
    );
    runs[1].acquire(None).await;
    assert!(
        clock.now() - start >= Duration::from_secs(60),
        "the second run waited for the first run's sends to leave the window: {:?}",
        clock.now() - start
    );
    // Grants come in batches (99 / 25 = 3 per call), not one store call per request.
    let calls = *window.calls.lock().unwrap();
    assert!(calls <= 33 + 15, "{calls} calls to the shared budget");
}

#[tokio::test]
async fn a_budget_that_fails_leaves_the_run_paced_alone() {
    let clock = ManualClock::new();
    let run = RateLimiter::new(RateLimits::new(100, 10_000), Arc::new(clock.clone()));
    run.share_budget(Arc::new(Broken), "partner".into());
    let start = clock.now();
    for _ in 0..99 {
        run.acquire(None).await;
    }
    assert_eq!(
        clock.now(),
        start,
        "no wait: the run's own window allows 99"
    );
    run.acquire(None).await;
    assert!(
        clock.now() - start >= Duration::from_secs(60),
        "its own window still paces it"
    );
}

struct Silent;

#[async_trait::async_trait]
impl SharedBudget for Silent {
    async fn grant(&self, _: &str, _: u32, _: u32) -> Result<Grant, SharedBudgetError> {
        std::future::pending().await
    }
}

#[tokio::test(start_paused = true)]
async fn a_budget_that_does_not_answer_is_given_up_after_its_deadline() {
    let clock = ManualClock::new();
    let run = RateLimiter::new(RateLimits::new(100, 10_000), Arc::new(clock.clone()));
    run.share_budget(Arc::new(Silent), "partner".into());
    let waited = tokio::time::Instant::now();
    run.acquire(None).await;
    assert!(waited.elapsed() >= DEADLINE, "the deadline was waited for");
    let again = tokio::time::Instant::now();
    run.acquire(None).await;
    assert!(
        again.elapsed() < DEADLINE,
        "and the budget is not asked again"
    );
}
