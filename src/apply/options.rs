//! [`ApplyOptions`]: the knobs of an apply run, with time made injectable — backoff is data (an
//! iterator of durations) and sleeping and "now" go through the one [`crate::time::Clock`], so
//! tests never wait on the wall clock.

pub use crate::time::Backoff;
use crate::time::{Clock, SystemClock};
use std::sync::Arc;
use std::time::Duration;

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
    /// Journal timestamps ([`Clock::wall`]), registration timeouts and every wait.
    pub clock: Arc<dyn Clock>,
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
            backoff: Backoff::new(Duration::from_secs(2), 2, Duration::from_secs(60)),
            write_attempts: 4,
            max_rebuilds: 2,
            clock: Arc::new(SystemClock::default()),
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
