//! Client-side rate limiter: sliding one-minute windows partner-wide and per customer, shared by
//! every clone of the client, adapting to 429s (wait out `Retry-After` for the throttled key,
//! halve that key's budget, recover additively on success).
//!
//! Partner Center counts requests per minute, so the minute's budget is spent as a budget: a
//! request goes at once while fewer than the budget were sent in the last 60 s (the sandbox's own
//! limiter is the same sliding window), else it waits until the oldest one leaves the window. No
//! 60-second span ever holds more than the budget, so a run alone on the partner sees no 429.
//!
//! Partner Center's 429 does not say which limit tripped. A customer's 429 blocks that customer;
//! a second customer's 429 while the first one's `Retry-After` is still running means the
//! partner-wide limit was reached, and blocks everyone.

use crate::time::Clock;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
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
}

/// The shared limiter. Cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct RateLimiter {
    limits: RateLimits,
    state: Arc<Mutex<State>>,
    clock: Arc<dyn Clock>,
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
            })),
            clock,
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
            let wait = {
                let now = self.clock.now();
                let mut st = self.lock();
                let State {
                    partner, customers, ..
                } = &mut *st;
                partner.prune(now);
                let mut wait = partner.wait(now);
                let cust = customer.map(|c| {
                    customers
                        .entry(c.to_ascii_lowercase())
                        .or_insert_with(|| Window::new(self.limits.customer_per_minute))
                });
                if let Some(w) = cust {
                    w.prune(now);
                    wait = wait.max(w.wait(now));
                    if wait.is_zero() {
                        w.sent.push_back(now);
                    }
                }
                if wait.is_zero() {
                    partner.sent.push_back(now);
                    partner.own.push_back(now);
                    return;
                }
                wait
            };
            self.clock.sleep(wait).await;
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
mod tests {
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
}
