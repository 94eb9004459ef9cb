//! [`ApplyOptions`]: the knobs of an apply run, with time made injectable — backoff is data (an
//! iterator of durations), sleeping goes through a [`Sleeper`] and "now" through a
//! [`crate::journal::Clock`], so tests never wait on the wall clock.

use crate::journal::{Clock, SystemClock};
use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::Duration;

/// Waits for a duration.
pub trait Sleeper: Send + Sync {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// Sleeps on the tokio timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Exponential backoff as data: `initial`, then ×`factor` per step, capped at `max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub initial: Duration,
    pub factor: f64,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_secs(2),
            factor: 2.0,
            max: Duration::from_secs(60),
        }
    }
}

impl Backoff {
    /// The endless sequence of waits.
    pub fn iter(&self) -> impl Iterator<Item = Duration> + use<> {
        let Backoff {
            initial,
            factor,
            max,
        } = *self;
        std::iter::successors(Some(initial.min(max)), move |d| {
            Some(d.mul_f64(factor.max(1.0)).min(max))
        })
    }
}

/// How an apply run behaves.
#[derive(Clone)]
pub struct ApplyOptions {
    /// How long to poll a registration before giving up on the subscription's lines.
    pub registration_timeout: Duration,
    /// Waits between registration polls and between resends of an ambiguous write.
    pub backoff: Backoff,
    /// Attempts per write (the first send plus resends with the same request id) while its
    /// outcome stays unknown; after that the intent is left unfinished for the next run.
    pub write_attempts: u32,
    /// How many times a cart may be rebuilt after 400019 (availability not found).
    pub max_rebuilds: u32,
    pub clock: Arc<dyn Clock>,
    pub sleeper: Arc<dyn Sleeper>,
    /// Runs right before a cart is checked out for the first time and may veto it (the cart is
    /// then abandoned): the activity-log check of [`crate::apply::witness`]. `None`: no check.
    pub before_checkout: Option<Arc<dyn crate::apply::witness::BeforeCheckout>>,
    /// How long the partner activity log may lag behind an order (`--activity-log-lag`): the
    /// activity-log check before checkout reads no earlier than this long after the customer was
    /// re-observed, so every order placed before that is visible to it.
    pub activity_log_lag: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            registration_timeout: Duration::from_secs(600),
            backoff: Backoff::default(),
            write_attempts: 4,
            max_rebuilds: 2,
            clock: Arc::new(SystemClock),
            sleeper: Arc::new(TokioSleeper),
            before_checkout: None,
            activity_log_lag: Duration::from_secs(10),
        }
    }
}

impl std::fmt::Debug for ApplyOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplyOptions")
            .field("registration_timeout", &self.registration_timeout)
            .field("backoff", &self.backoff)
            .field("write_attempts", &self.write_attempts)
            .field("max_rebuilds", &self.max_rebuilds)
            .field("before_checkout", &self.before_checkout.is_some())
            .field("activity_log_lag", &self.activity_log_lag)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        let b = Backoff {
            initial: Duration::from_secs(1),
            factor: 2.0,
            max: Duration::from_secs(5),
        };
        let v: Vec<u64> = b.iter().take(5).map(|d| d.as_secs()).collect();
        assert_eq!(v, vec![1, 2, 4, 5, 5]);
    }
}
