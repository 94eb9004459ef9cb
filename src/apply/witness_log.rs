//! One activity-log reader shared by every customer of an apply run, for the check right before
//! checkout ([`super::witness`]).
//!
//! What a read shows: every order placed at least the log's lag (`--activity-log-lag`) before
//! the read was sent. The check of a customer therefore takes a read **sent no earlier than the
//! customer's observation plus that lag** (so every order placed before the re-plan is visible),
//! and **no earlier than the lag before the check asked** (a read never older than the blind
//! spot the log has anyway; with a lag of 0 this is "a read sent after the check asked").
//!
//! Within those bounds customers share reads, which is what keeps the activity log at a few
//! calls per minute of run instead of one per customer:
//! * a read that covers the customer and falls in its bounds is reused as it is;
//! * otherwise the customer waits for the next read, and every customer that reaches its
//!   checkout while that read lingers (half the lag, at most 2 s, when other customers may still
//!   ask), is in flight or waits for room in the rate limiter is served by it too (group commit).
//!
//! A read is one partner-wide query (paged) keeping the orders of every customer of the run that
//! may still ask (not of those already checked), unless at most a few customers can still ask ([`PER_CUSTOMER_MAX`], or more when the last partner-wide read
//! showed it costs more pages): then it is one filtered query per waiting customer
//! ([`activity::read_for`]).

use crate::observe::activity::{self, ActivityLog, ActivityLogError, PER_CUSTOMER_MAX};
use crate::partner_center::{RateLimiter, Reader};
use crate::time::Clock;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The longest a read waits for more checks to join it.
const MAX_LINGER: Duration = Duration::from_secs(2);

/// A log read served to a customer: when its call was started, and what it said.
#[derive(Clone)]
struct Served {
    /// On the client's clock.
    started: Duration,
    log: Result<Arc<ActivityLog>, ActivityLogError>,
}

/// The last read that succeeded, kept for reuse.
struct Latest {
    /// On the client's clock.
    started: Duration,
    /// `None`: every customer of the run (a partner-wide read); else the lower-case ids read.
    /// Lower-case ids of the customers whose orders it kept.
    covers: BTreeSet<String>,
    log: Arc<ActivityLog>,
}

impl Latest {
    fn covers(&self, id: &str) -> bool {
        self.covers.contains(id)
    }
}

#[derive(Default)]
struct State {
    /// Customers (lower-case ids) that asked and were not yet taken into a read.
    waiting: BTreeSet<String>,
    /// Reads served and not yet collected, by lower-case customer id.
    served: HashMap<String, Served>,
    /// Customers (lower-case ids) checked so far.
    checked: BTreeSet<String>,
    latest: Option<Latest>,
}

/// The run's shared reader of the partner activity log.
pub struct SharedLog {
    reader: Reader,
    /// The client's clock: every wait and every read's start time.
    clock: Arc<dyn Clock>,
    /// The client's limiter: a read gathers its customers only once it could be sent.
    limiter: Option<RateLimiter>,
    /// The run's customers (lower-case ids): what a partner-wide read is filtered to.
    customers: BTreeSet<String>,
    /// How many of them may check out (an estimate used only to choose the kind of read).
    acting: usize,
    /// How long before a check asked a read may have been sent to serve it (the log's lag).
    reuse: Duration,
    state: Mutex<State>,
    /// One read at a time: customers arriving meanwhile are served together by the next one.
    turn: tokio::sync::Mutex<()>,
    /// Records the last partner-wide read listed (what the next one costs in pages).
    last_listed: AtomicUsize,
    /// Reads made (for tests and logs).
    reads: AtomicU32,
}

impl SharedLog {
    /// A reader for a run whose customers are `customers`, of which about `acting` may check
    /// out. Reads are reused only by checks that asked no later than `reuse` after they were
    /// sent (the log's lag; zero: only reads sent after the check asked).
    pub fn new<I, S>(reader: Reader, customers: I, acting: usize, reuse: Duration) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        SharedLog {
            clock: reader.clock().clone(),
            reader,
            limiter: None,
            customers: customers
                .into_iter()
                .map(|c| c.as_ref().to_ascii_lowercase())
                .collect(),
            acting,
            reuse,
            state: Mutex::default(),
            turn: tokio::sync::Mutex::new(()),
            last_listed: AtomicUsize::new(0),
            reads: AtomicU32::new(0),
        }
    }

    /// A reader for a run over `desired`'s customers, of which those with a change in `shown`
    /// may check out; reads are reused within `lag` (see [`SharedLog::new`]).
    pub fn for_plan(
        reader: Reader,
        desired: &crate::manifest::DesiredState,
        shown: &crate::plan::Plan,
        lag: Duration,
    ) -> Self {
        let acting: BTreeSet<String> = shown
            .rows
            .iter()
            .filter(|r| r.action.is_change())
            .map(|r| r.customer_id.to_ascii_lowercase())
            .collect();
        let customers = desired.customers.iter().map(|c| c.id.as_str());
        SharedLog::new(reader, customers, acting.len(), lag)
    }

    /// Gathers the customers of a read only once `limiter` has room for it: when the run is
    /// held back by the throttle, the customers that reach their checkout while the read waits
    /// for its turn are served by it too.
    pub fn waiting_for(mut self, limiter: RateLimiter) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Reads made so far.
    pub fn reads(&self) -> u32 {
        self.reads.load(Ordering::Relaxed)
    }

    /// How long a read that must be made waits for more checks to join it: half the reuse
    /// window, at most [`MAX_LINGER`], and none when no other customer can still ask.
    fn linger(&self) -> Duration {
        let others = self.acting.saturating_sub(self.state().checked.len() + 1);
        if others == 0 {
            return Duration::ZERO;
        }
        (self.reuse / 2).min(MAX_LINGER)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The customer's recent orders, from a read sent no earlier than `not_before` (its
    /// observation plus the log's lag, on the client's clock) and no earlier than the reuse
    /// window before now. `Err` names the call that failed, with its error as the source.
    pub async fn read_for(
        &self,
        customer_id: &str,
        not_before: Duration,
    ) -> Result<Arc<ActivityLog>, ActivityLogError> {
        let wait = not_before.saturating_sub(self.clock.now());
        if !wait.is_zero() {
            self.clock.sleep(wait).await;
        }
        let id = customer_id.to_ascii_lowercase();
        let asked = self.clock.now();
        let since = asked.saturating_sub(self.reuse).max(not_before);
        self.state().waiting.insert(id.clone());
        loop {
            let _turn = self.turn.lock().await;
            {
                let mut st = self.state();
                if st.served.get(&id).is_some_and(|s| s.started >= since)
                    && let Some(s) = st.served.remove(&id)
                {
                    st.waiting.remove(&id);
                    st.checked.insert(id);
                    return s.log;
                }
                let reuse = st
                    .latest
                    .as_ref()
                    .filter(|l| l.started >= since && l.covers(&id))
                    .map(|l| l.log.clone());
                if let Some(log) = reuse {
                    st.waiting.remove(&id);
                    st.served.remove(&id);
                    st.checked.insert(id);
                    return Ok(log);
                }
            }
            // No read in the customer's bounds: read for everyone waiting once the read can be
            // sent. When other customers may still ask, linger a little first (holding the
            // turn, so the checks arriving meanwhile join this read): checks whose lag ends
            // one after another then share one read instead of taking one each.
            let linger = self.linger();
            if !linger.is_zero() {
                self.clock.sleep(linger).await;
            }
            if let Some(limiter) = &self.limiter {
                limiter.ready().await;
            }
            let (ids, remaining) = {
                let mut st = self.state();
                let mut ids = std::mem::take(&mut st.waiting);
                ids.insert(id.clone());
                let remaining = self.acting.saturating_sub(st.checked.len()).max(ids.len());
                (ids, remaining)
            };
            let pages = activity::pages(self.last_listed.load(Ordering::Relaxed));
            let per_customer_max = PER_CUSTOMER_MAX.max(pages);
            // Partner-wide when more customers than that can still ask: one read then serves
            // them all (reused within their bounds).
            let wide = ids.len() > per_customer_max
                || (!self.reuse.is_zero() && remaining > per_customer_max);
            // A partner-wide read keeps the orders of every customer that may still ask (not
            // of those already checked: the log stays small as the run goes on).
            let targets: BTreeSet<String> = if wide {
                let st = self.state();
                self.customers
                    .iter()
                    .filter(|c| !st.checked.contains(*c))
                    .chain(&ids)
                    .cloned()
                    .collect()
            } else {
                ids.clone()
            };
            let started = self.clock.now();
            self.reads.fetch_add(1, Ordering::Relaxed);
            let max = if wide { 0 } else { targets.len() };
            let log = activity::read_for(&self.reader, &targets, self.clock.wall(), max)
                .await
                .map(|(log, listed)| {
                    if wide {
                        self.last_listed.store(listed, Ordering::Relaxed);
                    }
                    Arc::new(log)
                });
            tracing::debug!(
                "activity log read before checkout for {} waiting customer(s){}",
                ids.len(),
                if wide { ", partner-wide" } else { "" }
            );
            let mut st = self.state();
            if let Ok(log) = &log {
                st.latest = Some(Latest {
                    started,
                    covers: targets,
                    log: log.clone(),
                });
            }
            for c in ids {
                st.served.insert(
                    c,
                    Served {
                        started,
                        log: log.clone(),
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::world::demo::{CONTOSO, FABRIKAM, NORTHWIND};
    use std::time::Instant;

    /// A reader against a sandbox answering each call after `latency_ms`.
    async fn reader(latency_ms: u64) -> (crate::sandbox::RunningSandbox, Reader) {
        let options = crate::sandbox::SandboxOptions {
            knobs: crate::sandbox::Knobs {
                latency_ms,
                ..crate::sandbox::Knobs::default()
            },
            ..crate::sandbox::SandboxOptions::default()
        };
        // The client's default retries, as a run has them.
        crate::partner_center::sandbox_reader(options, 5).await
    }

    /// An order placed outside reservoir for `customer`, `minutes` ago (it shows in the log).
    async fn portal_order(sandbox: &crate::sandbox::RunningSandbox, customer: &str, minutes: i64) {
        let p = crate::sandbox::catalog::catalog()
            .products
            .iter()
            .find(|p| p.view == "SoftwarePerpetual")
            .expect("a software product");
        let body = serde_json::json!({
            "customerId": customer,
            "catalogItemId": format!("{}:{}:0001", p.id, p.skus[0].id),
            "quantity": 1,
            "daysAgo": 0,
            "minutesAgo": minutes,
        });
        let url = format!("{}_sandbox/holdings", sandbox.endpoint());
        let answer = reqwest::Client::new()
            .post(url)
            .json(&body)
            .send()
            .await
            .expect("admin call");
        assert!(answer.status().is_success(), "{:?}", answer.text().await);
    }

    fn orders_of(log: &ActivityLog, customer: &str) -> usize {
        log.by_customer
            .get(&customer.to_ascii_lowercase())
            .map_or(0, Vec::len)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn customers_asking_while_a_read_is_in_flight_share_the_next_read_and_none_reuses_an_older_one()
     {
        let (sandbox, reader) = reader(150).await;
        let ids: Vec<String> = (0..6).map(|i| format!("c{i}")).collect();
        // No reuse window (a lag of 0): only reads sent after a check asked serve it.
        let log = SharedLog::new(reader, &ids, ids.len(), Duration::ZERO);
        let now = log.clock.now();
        let all = futures::future::join_all(ids.iter().map(|id| log.read_for(id, now))).await;
        assert!(
            all.iter().all(Result::is_ok),
            "{:?}",
            all.iter().find(|r| r.is_err())
        );
        assert_eq!(
            log.reads(),
            2,
            "the first asker reads alone; the five that asked meanwhile share the next read"
        );
        // Asking again later is never answered by a read sent before the ask.
        log.read_for("c0", log.clock.now()).await.expect("read");
        assert_eq!(log.reads(), 3);
        sandbox.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_partner_wide_read_serves_later_checks_within_the_lag_and_shows_each_customers_orders()
     {
        let (sandbox, reader) = reader(0).await;
        portal_order(&sandbox, NORTHWIND, 2).await;
        let customers = [CONTOSO, FABRIKAM, NORTHWIND, "c4", "c5"];
        let log = SharedLog::new(reader, customers, customers.len(), Duration::from_secs(30));
        let observed = log.clock.now();
        for c in [CONTOSO, FABRIKAM, "c4", NORTHWIND] {
            let got = log.read_for(c, observed).await.expect("read");
            assert_eq!(
                orders_of(&got, NORTHWIND),
                1,
                "the reused partner-wide read still shows northwind's portal order to {c}"
            );
            assert_eq!(orders_of(&got, CONTOSO), 0);
        }
        assert_eq!(
            log.reads(),
            1,
            "checks asking within the lag of one partner-wide read share it"
        );
        // A customer observed after that read needs a read sent after its observation plus the
        // lag: an order placed before its observation must be visible to it.
        portal_order(&sandbox, CONTOSO, 1).await;
        let got = log.read_for(CONTOSO, log.clock.now()).await.expect("read");
        assert_eq!(
            log.reads(),
            2,
            "a read older than the customer's observation"
        );
        assert_eq!(orders_of(&got, CONTOSO), 1, "the new read shows the order");
        sandbox.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_older_than_the_lag_or_not_covering_the_customer_is_not_reused() {
        let (sandbox, reader) = reader(0).await;
        // Two acting customers: reads are filtered per customer.
        let lag = Duration::from_millis(300);
        let log = SharedLog::new(reader, [CONTOSO, FABRIKAM], 2, lag);
        let observed = log.clock.now();
        log.read_for(CONTOSO, observed).await.expect("read");
        log.read_for(CONTOSO, observed).await.expect("read");
        assert_eq!(log.reads(), 1, "reused within the lag");
        log.read_for(FABRIKAM, observed).await.expect("read");
        assert_eq!(
            log.reads(),
            2,
            "contoso's filtered read does not cover fabrikam"
        );
        tokio::time::sleep(lag + Duration::from_millis(100)).await;
        log.read_for(FABRIKAM, observed).await.expect("read");
        assert_eq!(
            log.reads(),
            3,
            "a read older than the lag before the check is not reused"
        );
        sandbox.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_check_never_reads_before_the_customers_observation_plus_the_lag_waited_on_the_run_clock()
     {
        let clock = crate::time::ManualClock::new();
        // The simulated wall time starts where the sandbox's (real) one is: the log's queries
        // name today's date.
        clock.advance(
            (chrono::Utc::now() - clock.wall())
                .to_std()
                .unwrap_or_default(),
        );
        let (sandbox, reader) = crate::partner_center::sandbox_reader_on(
            crate::sandbox::SandboxOptions::default(),
            5,
            std::sync::Arc::new(clock.clone()),
        )
        .await;
        let log = SharedLog::new(reader, [CONTOSO], 1, Duration::from_secs(30));
        let observed = clock.now();
        log.read_for(CONTOSO, observed).await.expect("read");
        assert!(clock.sleeps().is_empty(), "no lag left to wait");
        // Observed again just now, with a 10 s lag: the check waits the lag on the run's clock
        // (no real second passes) and does not reuse the read sent before.
        let real = Instant::now();
        let not_before = clock.now() + Duration::from_secs(10);
        log.read_for(CONTOSO, not_before).await.expect("read");
        assert_eq!(clock.sleeps(), vec![Duration::from_secs(10)]);
        assert!(
            real.elapsed() < Duration::from_secs(5),
            "{:?}",
            real.elapsed()
        );
        assert_eq!(
            log.reads(),
            2,
            "the earlier read was sent before not_before"
        );
        sandbox.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_read_is_the_vetos_cause_and_is_never_reused() {
        let options = crate::sandbox::SandboxOptions::default();
        let (sandbox, reader) = crate::partner_center::sandbox_reader(options, 1).await;
        sandbox.shutdown().await;
        let log = SharedLog::new(reader, [CONTOSO, FABRIKAM], 2, Duration::from_secs(30));
        let err = log
            .read_for(CONTOSO, log.clock.now())
            .await
            .expect_err("nothing answers");
        let veto = crate::apply::witness::Veto::LogUnreadable(err);
        let source = std::error::Error::source(&veto).expect("the failed read is the source");
        assert!(
            source
                .to_string()
                .contains("reading the partner activity log"),
            "{source}"
        );
        let line = crate::error_chain::one_line(&veto);
        assert!(
            line.starts_with("not checked out: orders placed since the plan cannot be ruled out"),
            "{line}"
        );
        assert_eq!(
            line.matches("reading the partner activity log").count(),
            1,
            "the call is named once: {line}"
        );
        // A failed read is not kept for reuse: the next check reads again.
        assert!(log.read_for(CONTOSO, log.clock.now()).await.is_err());
        assert_eq!(log.reads(), 2);
    }
}
