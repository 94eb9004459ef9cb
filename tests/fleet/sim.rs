//! The client's rate limiter driven by many concurrent customers on a simulated clock: a
//! discrete-event [`SimClock`] (time jumps to the next sleeper's deadline once every task is
//! waiting), and a server model with Partner Center's keys (partner tenant, partner + customer;
//! sliding minute, 429 + `Retry-After`).

use futures::future::BoxFuture;
use reservoir::partner_center::{Clock, RateLimiter, RateLimits};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

#[derive(Default)]
struct SimState {
    now: Duration,
    seq: u64,
    sleepers: BTreeMap<(Duration, u64), oneshot::Sender<()>>,
}

/// Simulated time: `sleep` parks until [`SimClock::run`] moves time to its deadline.
#[derive(Clone, Default)]
pub struct SimClock {
    state: Arc<Mutex<SimState>>,
}

impl SimClock {
    fn lock(&self) -> std::sync::MutexGuard<'_, SimState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `tasks` to completion on the current-thread runtime, advancing time whenever all
    /// of them are parked on a sleep.
    pub async fn run(&self, tasks: Vec<tokio::task::JoinHandle<()>>) {
        loop {
            // Let every runnable task run until it parks or ends.
            for _ in 0..4 {
                tokio::task::yield_now().await;
            }
            if tasks.iter().all(|t| t.is_finished()) {
                return;
            }
            let mut st = self.lock();
            let Some((&(at, seq), _)) = st.sleepers.iter().next() else {
                continue;
            };
            st.now = st.now.max(at);
            if let Some(tx) = st.sleepers.remove(&(at, seq)) {
                let _ = tx.send(());
            }
        }
    }
}

impl Clock for SimClock {
    fn now(&self) -> Duration {
        self.lock().now
    }
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
        let (tx, rx) = oneshot::channel();
        {
            let mut st = self.lock();
            let at = st.now + d;
            st.seq += 1;
            let seq = st.seq;
            st.sleepers.insert((at, seq), tx);
        }
        Box::pin(async move {
            let _ = rx.await;
        })
    }
}

/// Partner Center's throttle as the sandbox emulates it: sliding one-minute windows for the
/// partner tenant and for partner + customer; a refused request gets the seconds to wait.
struct Server {
    partner: u32,
    customer: u32,
    windows: HashMap<String, VecDeque<Duration>>,
    accepted: Vec<(Duration, String)>,
    refused: u64,
}

impl Server {
    fn new(partner: u32, customer: u32) -> Self {
        Server {
            partner,
            customer,
            windows: HashMap::new(),
            accepted: Vec::new(),
            refused: 0,
        }
    }

    fn full(&mut self, key: &str, limit: u32, now: Duration) -> Option<Duration> {
        let w = self.windows.entry(key.to_string()).or_default();
        while w
            .front()
            .is_some_and(|t| *t + Duration::from_secs(60) <= now)
        {
            w.pop_front();
        }
        (w.len() >= limit as usize).then(|| {
            let left = w[0] + Duration::from_secs(60) - now;
            Duration::from_secs(left.as_secs() + u64::from(left.subsec_nanos() > 0))
                .max(Duration::from_secs(1))
        })
    }

    /// Err(Retry-After) when a limit is reached.
    fn call(&mut self, customer: &str, now: Duration) -> Result<(), Duration> {
        let key = format!("partner+{customer}");
        let wait = self
            .full("partner", self.partner, now)
            .or_else(|| self.full(&key, self.customer, now));
        if let Some(w) = wait {
            self.refused += 1;
            return Err(w);
        }
        for k in ["partner", key.as_str()] {
            self.windows
                .entry(k.to_string())
                .or_default()
                .push_back(now);
        }
        self.accepted.push((now, customer.to_string()));
        Ok(())
    }
}

/// Most events inside any `window` (times sorted).
fn max_in_window(times: &[Duration], window: Duration) -> usize {
    let mut best = 0;
    let mut start = 0;
    for (i, t) in times.iter().enumerate() {
        while times[start] + window <= *t {
            start += 1;
        }
        best = best.max(i + 1 - start);
    }
    best
}

struct Outcome {
    accepted: Vec<(Duration, String)>,
    refused: u64,
    elapsed: Duration,
}

/// `customers` concurrent workers, each sending `calls` requests through one shared limiter
/// configured with `client`, to a server enforcing `server`; a 429 is reported to the limiter
/// (as the client does) and the call retried.
async fn simulate(
    customers: usize,
    calls: usize,
    client: RateLimits,
    server: RateLimits,
) -> Outcome {
    let clock = SimClock::default();
    let limiter = RateLimiter::new(client, Arc::new(clock.clone()));
    let srv = Arc::new(Mutex::new(Server::new(
        server.partner_per_minute,
        server.customer_per_minute,
    )));
    let tasks = (0..customers)
        .map(|i| {
            let (limiter, clock, srv) = (limiter.clone(), clock.clone(), srv.clone());
            tokio::spawn(async move {
                let customer = format!("customer-{i}");
                let mut done = 0;
                while done < calls {
                    limiter.acquire(Some(&customer)).await;
                    let answer = srv
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .call(&customer, clock.now());
                    match answer {
                        Ok(()) => {
                            limiter.succeeded(Some(&customer));
                            done += 1;
                        }
                        Err(retry_after) => limiter.throttled(Some(&customer), retry_after),
                    }
                }
            })
        })
        .collect();
    clock.run(tasks).await;
    let srv = srv.lock().unwrap_or_else(|p| p.into_inner());
    Outcome {
        accepted: srv.accepted.clone(),
        refused: srv.refused,
        elapsed: clock.now(),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn many_concurrent_customers_stay_within_both_budgets_and_close_to_the_partner_one() {
    let limits = RateLimits::new(300, 20);
    let out = simulate(40, 30, limits, limits).await;
    assert_eq!(out.accepted.len(), 1200);
    assert_eq!(
        out.refused, 0,
        "a client configured like the server is never throttled"
    );
    let all: Vec<Duration> = out.accepted.iter().map(|(t, _)| *t).collect();
    let minute = Duration::from_secs(60);
    assert!(max_in_window(&all, minute) <= 300);
    let mut per_customer: HashMap<&str, Vec<Duration>> = HashMap::new();
    for (t, c) in &out.accepted {
        per_customer.entry(c).or_default().push(*t);
    }
    for (c, times) in &per_customer {
        assert!(max_in_window(times, minute) <= 20, "{c}");
    }
    // 1,200 calls at 300/min is 4 minutes; at least 90% of the rate is sustained.
    let ideal = Duration::from_secs(240);
    assert!(
        out.elapsed.as_secs_f64() <= ideal.as_secs_f64() / 0.9,
        "{:?} for 1,200 calls at 300/min",
        out.elapsed
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_client_configured_above_the_server_limit_adapts_to_its_429s() {
    // The client believes 600/min; the server allows 300/min partner-wide.
    let out = simulate(40, 30, RateLimits::new(600, 600), RateLimits::new(300, 600)).await;
    assert_eq!(
        out.accepted.len(),
        1200,
        "every call gets through in the end"
    );
    let total = out.accepted.len() as u64 + out.refused;
    assert!(out.refused > 0, "the server did throttle");
    assert!(
        out.refused * 50 <= total,
        "{} 429s for {total} calls: the client backs off instead of hammering",
        out.refused
    );
    // It still sustains most of what the server allows (1,200 calls at 300/min is 4 minutes).
    assert!(out.elapsed <= Duration::from_secs(300), "{:?}", out.elapsed);
}

#[tokio::test(flavor = "current_thread")]
async fn a_customer_limit_lower_than_configured_is_learnt_from_its_429s() {
    // The client believes 120/min per customer; the server allows 20.
    let out = simulate(3, 60, RateLimits::new(6000, 120), RateLimits::new(6000, 20)).await;
    assert_eq!(out.accepted.len(), 180);
    let total = out.accepted.len() as u64 + out.refused;
    assert!(
        out.refused * 20 <= total,
        "{} 429s for {total} calls",
        out.refused
    );
    // 60 calls per customer at 20/min is 3 minutes.
    assert!(
        out.elapsed <= Duration::from_secs(180 * 2),
        "{:?}",
        out.elapsed
    );
}
