//! The one time source and the one backoff of the crate: [`Backoff`] is an iterator of retry
//! delays, and [`Clock`] provides monotonic "now", "sleep" and the wall-clock time, so retries,
//! token expiry, rate limiting, journal timestamps and lock waits can all run on a simulated clock
//! in tests ([`ManualClock`]).

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Exponential backoff with a cap and deterministic "jitter-free" delays:
/// `initial, initial*factor, …` up to `max`. Infinite; bound it with the retry policy.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
    factor: u32,
    max: Duration,
}

impl Backoff {
    /// `initial`, multiplied by `factor` each step, never above `max`.
    pub fn new(initial: Duration, factor: u32, max: Duration) -> Self {
        Backoff {
            next: initial,
            factor: factor.max(1),
            max,
        }
    }
}

impl Backoff {
    /// The sequence of waits from the start (the value is not consumed).
    pub fn iter(&self) -> Backoff {
        self.clone()
    }

    /// The longest wait (the cap).
    pub fn cap(&self) -> Duration {
        self.max
    }
}

impl Default for Backoff {
    /// 0.5 s, 1 s, 2 s, 4 s, … capped at 30 s.
    fn default() -> Self {
        Backoff::new(Duration::from_millis(500), 2, Duration::from_secs(30))
    }
}

impl Iterator for Backoff {
    type Item = Duration;
    fn next(&mut self) -> Option<Duration> {
        let current = self.next.min(self.max);
        self.next = self.next.saturating_mul(self.factor).min(self.max);
        Some(current)
    }
}

/// A monotonic clock that can sleep. The default is tokio's; tests use [`ManualClock`].
pub trait Clock: Send + Sync + 'static {
    /// Time elapsed since an arbitrary fixed origin.
    fn now(&self) -> Duration;
    /// Waits `d`.
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()>;
    /// The wall-clock time (timestamps written to the journal and lock holders).
    fn wall(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

impl std::fmt::Debug for dyn Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// The real clock (tokio's timer for sleeping, the system clock for wall time).
pub type SystemClock = TokioClock;

/// A new real clock, shared (what a run uses unless a test injects a [`ManualClock`]).
pub fn system() -> Arc<dyn Clock> {
    Arc::new(SystemClock::default())
}

/// Real time through tokio.
#[derive(Debug)]
pub struct TokioClock {
    origin: tokio::time::Instant,
}

impl Default for TokioClock {
    fn default() -> Self {
        TokioClock {
            origin: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(d))
    }
}

/// A simulated clock: `sleep` advances time at once and records the requested duration. Its wall
/// time is 2026-01-01T00:00:00Z plus the simulated time elapsed.
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    inner: Arc<Mutex<ManualState>>,
}

#[derive(Debug, Default)]
struct ManualState {
    now: Duration,
    sleeps: Vec<Duration>,
}

impl ManualClock {
    /// A clock at time zero.
    pub fn new() -> Self {
        Self::default()
    }
    /// Moves time forward without recording a sleep.
    pub fn advance(&self, d: Duration) {
        self.lock().now += d;
    }
    /// Every duration passed to `sleep`, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }
    fn lock(&self) -> std::sync::MutexGuard<'_, ManualState> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        self.lock().now
    }
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
        {
            let mut s = self.lock();
            s.now += d;
            s.sleeps.push(d);
        }
        Box::pin(async {})
    }
    fn wall(&self) -> DateTime<Utc> {
        let base = DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap_or_default();
        base + chrono::Duration::from_std(self.now()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        let v: Vec<_> = Backoff::new(Duration::from_secs(1), 2, Duration::from_secs(5))
            .take(5)
            .collect();
        let secs: Vec<u64> = v.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [1, 2, 4, 5, 5]);
    }

    #[tokio::test]
    async fn manual_clock_records_sleeps() {
        let c = ManualClock::new();
        c.sleep(Duration::from_secs(3)).await;
        c.advance(Duration::from_secs(1));
        assert_eq!(c.now(), Duration::from_secs(4));
        assert_eq!(c.sleeps(), vec![Duration::from_secs(3)]);
    }
}
