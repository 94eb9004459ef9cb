//! The limiter alone, on a simulated clock: the sliding window, 429s and their `Retry-After`,
//! and the window carried from an earlier run.

use super::*;
use crate::time::ManualClock;

/// Max number of events inside any window of `window` length.
fn max_in_window(times: &[Duration], window: Duration) -> usize {
    let mut best = 0;
    for (i, t) in times.iter().enumerate() {
        let n = times[i..].iter().take_while(|u| **u < *t + window).count();
        best = best.max(n);
    }
    best
}

#[tokio::test]
async fn a_run_after_another_spends_only_what_is_left_of_the_minute() {
    let limits = RateLimits::new(10, 10_000);
    let first_clock = ManualClock::new();
    let first = RateLimiter::new(limits, Arc::new(first_clock.clone()));
    for _ in 0..9 {
        first.acquire(None).await;
    }
    first_clock.advance(Duration::from_secs(20));
    let sends = first.recent_sends();
    assert_eq!(sends.len(), 9);

    // The next run starts 20 s after the first one's sends, on its own clock (the same
    // wall time).
    let clock = ManualClock::new();
    clock.advance(first_clock.now());
    let next = RateLimiter::new(limits, Arc::new(clock.clone()));
    next.count_earlier_sends(&sends);
    // 9 of a budget of 9.9 were sent 20 s ago: the next request waits for them to leave
    // the window, about 40 s.
    let before = clock.now();
    next.acquire(None).await;
    let waited = clock.now() - before;
    assert!(
        waited >= Duration::from_secs(39) && waited <= Duration::from_secs(41),
        "waited {waited:?}"
    );
    // Only the run's own send is kept for the next one.
    assert_eq!(next.recent_sends().len(), 1);
    // Sends that left the window long ago do not count.
    let fresh = RateLimiter::new(limits, Arc::new(clock.clone()));
    fresh.count_earlier_sends(&[clock.wall() - chrono::Duration::seconds(61)]);
    let before = clock.now();
    for _ in 0..9 {
        fresh.acquire(None).await;
    }
    assert_eq!(clock.now(), before, "nothing to wait for");
}

#[tokio::test]
async fn never_exceeds_partner_rate_on_a_simulated_clock() {
    let clock = ManualClock::new();
    let rl = RateLimiter::new(
        RateLimits {
            partner_per_minute: 120,
            customer_per_minute: 1000,
        },
        Arc::new(clock.clone()),
    );
    let mut times = Vec::new();
    for _ in 0..600 {
        rl.acquire(None).await;
        times.push(clock.now());
    }
    // the burst (6 for 120/min) is paid for out of the minute's budget
    let worst = max_in_window(&times, Duration::from_secs(60));
    assert!(worst <= 120, "{worst} requests in one minute");
    // and it runs close to the rate: 600 requests take about 5 minutes (at least 90%)
    let total = times.last().copied().unwrap_or_default();
    assert!(
        total >= Duration::from_secs(300) && total <= Duration::from_secs(330),
        "{total:?}"
    );
}

#[tokio::test]
async fn the_minutes_budget_is_spent_at_once_and_then_paced_by_the_window() {
    let clock = ManualClock::new();
    let rl = RateLimiter::new(RateLimits::new(500, 10_000), Arc::new(clock.clone()));
    for _ in 0..495 {
        rl.acquire(Some("c")).await;
    }
    assert_eq!(clock.now(), Duration::ZERO, "495 of 500 go without waiting");
    rl.acquire(None).await;
    assert!(
        clock.now() >= Duration::from_secs(60) && clock.now() <= Duration::from_secs(61),
        "the next one waits for the first to leave the minute: {:?}",
        clock.now()
    );
}

#[tokio::test]
async fn ready_waits_for_room_without_spending_it() {
    let clock = ManualClock::new();
    let rl = RateLimiter::new(RateLimits::new(100, 10_000), Arc::new(clock.clone()));
    rl.ready().await;
    assert_eq!(clock.now(), Duration::ZERO, "room now: no wait");
    // 99 of 100 fit the window (1% headroom).
    for _ in 0..99 {
        rl.acquire(None).await;
    }
    assert_eq!(clock.now(), Duration::ZERO);
    rl.ready().await;
    assert!(
        clock.now() >= Duration::from_secs(60),
        "the window is full: ready waits for the oldest send to leave it"
    );
    let at = clock.now();
    rl.ready().await;
    rl.acquire(None).await;
    assert_eq!(
        clock.now(),
        at,
        "ready spent nothing: the next send goes at once"
    );
}

#[tokio::test]
async fn per_customer_budget_is_separate() {
    let clock = ManualClock::new();
    let rl = RateLimiter::new(
        RateLimits {
            partner_per_minute: 6000,
            customer_per_minute: 60,
        },
        Arc::new(clock.clone()),
    );
    let mut a = Vec::new();
    for _ in 0..200 {
        rl.acquire(Some("A")).await;
        a.push(clock.now());
    }
    assert!(max_in_window(&a, Duration::from_secs(60)) <= 60);
    // customer B is not slowed by A's exhausted budget
    let before = clock.now();
    rl.acquire(Some("b")).await;
    assert_eq!(clock.now(), before);
}

#[tokio::test]
async fn backs_off_after_429_and_recovers() {
    let clock = ManualClock::new();
    let rl = RateLimiter::new(
        RateLimits {
            partner_per_minute: 600,
            customer_per_minute: 600,
        },
        Arc::new(clock.clone()),
    );
    rl.acquire(Some("c")).await;
    rl.throttled(Some("c"), Duration::from_secs(23));
    let t0 = clock.now();
    rl.acquire(Some("c")).await;
    assert!(
        clock.now() - t0 >= Duration::from_secs(23),
        "waited {:?}",
        clock.now() - t0
    );
    assert!(rl.factor(Some("c")) <= 0.5);
    // other customers are unaffected
    let t1 = clock.now();
    rl.acquire(Some("d")).await;
    assert_eq!(clock.now(), t1);
    for _ in 0..200 {
        rl.succeeded(Some("c"));
    }
    assert_eq!(rl.factor(Some("c")), 1.0);
}

#[tokio::test]
async fn partner_wide_429_blocks_everyone() {
    let clock = ManualClock::new();
    let rl = RateLimiter::new(RateLimits::default(), Arc::new(clock.clone()));
    rl.throttled(None, Duration::from_secs(10));
    rl.acquire(Some("x")).await;
    assert!(clock.now() >= Duration::from_secs(10));
}

#[tokio::test]
async fn a_second_customers_429_during_a_retry_after_blocks_everyone() {
    let clock = ManualClock::new();
    let rl = RateLimiter::new(RateLimits::default(), Arc::new(clock.clone()));
    rl.throttled(Some("a"), Duration::from_secs(5));
    // one customer's 429: the others go on
    rl.acquire(Some("z")).await;
    assert_eq!(clock.now(), Duration::ZERO);
    rl.throttled(Some("b"), Duration::from_secs(5));
    rl.acquire(Some("z")).await;
    assert!(clock.now() >= Duration::from_secs(5), "{:?}", clock.now());
}
