//! Client-side rate limiter: sliding one-minute windows partner-wide and per customer, shared by
//! every clone of the client, adapting to 429s (wait out `Retry-After` for the throttled key,
//! halve that key's budget, recover additively on success).
//!
//! Partner Center counts requests per minute, so the minute's budget is spent as a budget: a
//! request goes at once while fewer than the budget were sent in the last 60 s (the sandbox's own
//! limiter is the same sliding window), else it waits until the oldest one leaves the window. No
//! 60-second span ever holds more than the budget, so a run alone on the partner sees no 429.
//!
//! Runs that share a state store in PostgreSQL also take every partner-wide send from one shared
//! window ([`super::shared_budget`]), so runners on several machines spend the partner's minute
//! together; a command on the same machine also counts the sends of the one before it
//! ([`RateLimiter::count_earlier_sends`]).
//!
//! Partner Center's 429 does not say which limit tripped. A customer's 429 blocks that customer;
//! a second customer's 429 while the first one's `Retry-After` is still running means the
//! partner-wide limit was reached, and blocks everyone.

use super::shared_budget::{self, SharedBudget};
use crate::time::Clock;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Configured budgets in requests per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Partner-wide budget (Partner Center publishes 500/min per tenant).
    pub partner_per_minute: u32,
    /// Budget per customer tenant.
    pub customer_per_minute: u32,
}

impl RateLimits {
    /// Budgets from `--rate-limit` and the per-customer limit (requests per minute; 0 counts as 1).
    pub fn new(partner_per_minute: u32, customer_per_minute: u32) -> Self {
        RateLimits {
            partner_per_minute,
            customer_per_minute,
        }
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            partner_per_minute: 500,
            customer_per_minute: 100,
        }
    }
}

/// Lowest fraction of the configured rate adaptation may fall to.
const MIN_FACTOR: f64 = 0.1;
/// Fraction of the configured rate regained per successful request.
const RECOVERY_STEP: f64 = 0.005;
/// Share of the budget left unused, for requests that reach the server closer together than
/// they left (connection set-up, scheduling).
const HEADROOM: f64 = 0.01;
/// The window: the server's minute plus a margin for requests that reach it later than they
/// left here.
const WINDOW: Duration = Duration::from_millis(60_250);

/// One key's sliding window of send times.
#[derive(Debug)]
struct Window {
    /// The configured budget less the headroom.
    budget: f64,
    sent: VecDeque<Duration>,
    /// The sends of this run among `sent` (the others were counted from an earlier run).
    own: VecDeque<Duration>,
    factor: f64,
    blocked_until: Duration,
}

impl Window {
    fn new(per_minute: u32) -> Self {
        Window {
            budget: f64::from(per_minute.max(1)) * (1.0 - HEADROOM),
            sent: VecDeque::new(),
            own: VecDeque::new(),
            factor: 1.0,
            blocked_until: Duration::ZERO,
        }
    }

    /// Requests allowed in one window now (at least 1).
    fn allowed(&self) -> usize {
        ((self.budget * self.factor).floor() as usize).max(1)
    }

    /// Forgets the sends that left the window.
    fn prune(&mut self, now: Duration) {
        for sent in [&mut self.sent, &mut self.own] {
            while sent.front().is_some_and(|t| *t + WINDOW <= now) {
                sent.pop_front();
            }
        }
    }

    /// How long until one more request fits (zero when it fits now).
    fn wait(&self, now: Duration) -> Duration {
        if now < self.blocked_until {
            return self.blocked_until - now;
        }
        let allowed = self.allowed();
        if self.sent.len() < allowed {
            return Duration::ZERO;
        }
        // Enough of the oldest sends must leave the window to bring the count below `allowed`.
        let leaving = self.sent[self.sent.len() - allowed];
        (leaving + WINDOW)
            .saturating_sub(now)
            .max(Duration::from_millis(1))
    }

    fn throttled(&mut self, now: Duration, retry_after: Duration) {
        self.blocked_until = self.blocked_until.max(now + retry_after);
        self.factor = (self.factor / 2.0).max(MIN_FACTOR);
    }

    fn succeeded(&mut self) {
        self.factor = (self.factor + RECOVERY_STEP).min(1.0);
    }
}

#[derive(Debug)]
struct State {
    partner: Window,
    customers: HashMap<String, Window>,
    /// The last customer answered 429, and until when its `Retry-After` runs.
    last_customer_429: Option<(String, Duration)>,
    /// Partner-wide sends granted by the shared budget and not yet used.
    grants: u32,
}

/// The shared budget a limiter takes its partner-wide sends from, and the partner's key in it.
type Shared = (Arc<dyn SharedBudget>, String);

/// What [`RateLimiter::acquire`] does next.
enum Step {
    Wait(Duration),
    Grant,
}

/// The shared limiter. Cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct RateLimiter {
    limits: RateLimits,
    state: Arc<Mutex<State>>,
    clock: Arc<dyn Clock>,
    /// The budget shared with other runs, once [`RateLimiter::share_budget`] set it.
    shared: Arc<std::sync::OnceLock<Shared>>,
    /// Set when the shared budget failed: the run is paced alone from then on.
    shared_off: Arc<AtomicBool>,
    /// One grant request at a time.
    fetching: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    /// A limiter on the given clock.
    pub fn new(limits: RateLimits, clock: Arc<dyn Clock>) -> Self {
        RateLimiter {
            limits,
            state: Arc::new(Mutex::new(State {
                partner: Window::new(limits.partner_per_minute),
                customers: HashMap::new(),
                last_customer_429: None,
                grants: 0,
            })),
            clock,
            shared: Arc::default(),
            shared_off: Arc::default(),
            fetching: Arc::default(),
        }
    }

    /// Takes every partner-wide send from `budget` too, under `partner`'s key (a digest, never a
    /// credential), besides this run's own window. Set once; later calls are ignored.
    pub fn share_budget(&self, budget: Arc<dyn SharedBudget>, partner: String) {
        let _ = self.shared.set((budget, partner));
    }

    fn sharing(&self) -> bool {
        self.shared.get().is_some() && !self.shared_off.load(Ordering::Relaxed)
    }

    /// Asks the shared budget for a batch of sends; returns how long to wait before trying again
    /// (zero when granted, or when sharing was turned off because the budget failed).
    async fn fetch_grant(&self) -> Duration {
        let Some((budget, partner)) = self.shared.get() else {
            return Duration::ZERO;
        };
        let _one = self.fetching.lock().await;
        let per_minute = {
            let st = self.lock();
            if st.grants > 0 || !self.sharing() {
                return Duration::ZERO;
            }
            u32::try_from(st.partner.allowed()).unwrap_or(u32::MAX)
        };
        // A real deadline, like the HTTP calls' (docs/time.md): a store that does not answer
        // must not hold every request of the run.
        let asked = budget.grant(partner, shared_budget::batch(per_minute), per_minute);
        let answer = tokio::time::timeout(shared_budget::DEADLINE, asked)
            .await
            .unwrap_or_else(|_| Err(shared_budget::SharedBudgetError("no answer in time".into())));
        match answer {
            Ok(g) if g.granted > 0 => {
                self.lock().grants += g.granted;
                Duration::ZERO
            }
            Ok(g) => shared_budget::pause(g.retry_in),
            Err(e) => {
                self.shared_off.store(true, Ordering::Relaxed);
                tracing::warn!(
                    "{}; this run paces its requests alone from now on",
                    crate::error_chain::one_line(&e)
                );
                Duration::ZERO
            }
        }
    }

    /// The configured budgets.
    pub fn limits(&self) -> RateLimits {
        self.limits
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until one request may be sent (partner-wide, and for `customer` when given), then
    /// records the send in both windows.
    pub async fn acquire(&self, customer: Option<&str>) {
        loop {
            let step = {
                let now = self.clock.now();
                let sharing = self.sharing();
                let mut st = self.lock();
                let State {
                    partner,
                    customers,
                    grants,
                    ..
                } = &mut *st;
                partner.prune(now);
                let mut wait = partner.wait(now);
                let mut cust = customer.map(|c| {
                    customers
                        .entry(c.to_ascii_lowercase())
                        .or_insert_with(|| Window::new(self.limits.customer_per_minute))
                });
                if let Some(w) = cust.as_mut() {
                    w.prune(now);
                    wait = wait.max(w.wait(now));
                }
                if !wait.is_zero() {
                    Step::Wait(wait)
                } else if sharing && *grants == 0 {
                    Step::Grant
                } else {
                    if sharing {
                        *grants -= 1;
                    }
                    if let Some(w) = cust {
                        w.sent.push_back(now);
                    }
                    partner.sent.push_back(now);
                    partner.own.push_back(now);
                    return;
                }
            };
            let wait = match step {
                Step::Wait(wait) => wait,
                Step::Grant => self.fetch_grant().await,
            };
            if !wait.is_zero() {
                self.clock.sleep(wait).await;
            }
        }
    }

    /// Waits until one request could be sent partner-wide, without recording a send: a caller
    /// that decides what to ask only when its request can go (the shared activity-log read
    /// before checkout gathers the customers that arrive meanwhile). Another task may still take
    /// that slot first; the request's own [`RateLimiter::acquire`] then waits as usual.
    pub async fn ready(&self) {
        loop {
            let wait = {
                let now = self.clock.now();
                let mut st = self.lock();
                st.partner.prune(now);
                st.partner.wait(now)
            };
            if wait.is_zero() {
                return;
            }
            self.clock.sleep(wait).await;
        }
    }

    /// Records a 429: blocks the key (the customer when known, else partner-wide) for
    /// `retry_after` and halves its rate until successes restore it. The server does not say
    /// which limit tripped: a customer's 429 also lowers the partner-wide rate by a quarter, and
    /// a 429 for a second customer while another customer's `Retry-After` is running is taken
    /// as the partner-wide limit (everyone waits).
    pub fn throttled(&self, customer: Option<&str>, retry_after: Duration) {
        let now = self.clock.now();
        let mut st = self.lock();
        let Some(c) = customer.map(str::to_ascii_lowercase) else {
            st.partner.throttled(now, retry_after);
            return;
        };
        let limit = self.limits.customer_per_minute;
        st.customers
            .entry(c.clone())
            .or_insert_with(|| Window::new(limit))
            .throttled(now, retry_after);
        let partner_wide = st
            .last_customer_429
            .as_ref()
            .is_some_and(|(other, until)| *other != c && now < *until);
        if partner_wide {
            st.partner.throttled(now, retry_after);
        } else {
            st.partner.factor = (st.partner.factor * 0.75).max(MIN_FACTOR);
        }
        st.last_customer_429 = Some((c, now + retry_after));
    }

    /// Records a response that was not a 429, letting an adapted rate recover.
    pub fn succeeded(&self, customer: Option<&str>) {
        let mut st = self.lock();
        st.partner.succeeded();
        if let Some(b) = customer.and_then(|c| st.customers.get_mut(&c.to_ascii_lowercase())) {
            b.succeeded();
        }
    }

    /// This run's partner-wide sends still inside the window, as wall-clock times: what the next
    /// run on the same partner should count ([`RateLimiter::count_earlier_sends`]). Sends counted
    /// from earlier runs are not among them.
    pub fn recent_sends(&self) -> Vec<DateTime<Utc>> {
        let (now, wall) = (self.clock.now(), self.clock.wall());
        let mut st = self.lock();
        st.partner.prune(now);
        st.partner
            .own
            .iter()
            .filter_map(|t| {
                let age = chrono::Duration::from_std(now.saturating_sub(*t)).ok()?;
                Some(wall - age)
            })
            .collect()
    }

    /// Counts sends another run made on the same partner (wall-clock times) in the partner-wide
    /// window, so that a run started right after another spends only what is left of the
    /// server's minute instead of meeting 429s. Times outside the window are ignored; a time in
    /// the future counts as now.
    pub fn count_earlier_sends(&self, sends: &[DateTime<Utc>]) {
        let (now, wall) = (self.clock.now(), self.clock.wall());
        let earlier = sends.iter().filter_map(|t| {
            let age = (wall - *t).to_std().unwrap_or(Duration::ZERO);
            // A send older than the run's clock origin counts from the origin: later than it
            // happened, so the window is only ever overestimated.
            (age < WINDOW).then(|| now.saturating_sub(age))
        });
        let mut st = self.lock();
        let mut all: Vec<Duration> = st.partner.sent.drain(..).chain(earlier).collect();
        all.sort_unstable();
        st.partner.sent = all.into();
        st.partner.prune(now);
    }

    /// Current fraction of the configured rate for a key (1.0 = unthrottled). For tests and stats.
    pub fn factor(&self, customer: Option<&str>) -> f64 {
        let st = self.lock();
        match customer {
            Some(c) => st
                .customers
                .get(&c.to_ascii_lowercase())
                .map_or(1.0, |b| b.factor),
            None => st.partner.factor,
        }
    }
}

#[cfg(test)]
#[path = "ratelimit_tests.rs"]
mod tests;
