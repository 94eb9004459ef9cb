//! One activity-log reader shared by every customer of an apply run, for the check right before
//! checkout ([`super::witness`]). The guarantee per customer is the one a read of its own gives:
//! the log is read by a call **sent after the customer asked** (its cart is created and
//! verified by then) — an order placed before that, and at least the log's lag before the
//! read, is seen. Only the cost differs: customers that reach their checkout while a read is
//! in flight, or while the next read waits for room in the rate limiter, are all served by that
//! next read (group commit), so a throttled run whose customers queue at the limiter makes fewer
//! reads than it checks out carts.
//!
//! A read for a few customers is one filtered query per customer; for more it is one
//! partner-wide query (paged), unless the last partner-wide read showed that would cost more
//! pages than customers waiting ([`activity::read_for`]).

use crate::observe::activity::{self, ActivityLog, PER_CUSTOMER_MAX};
use crate::partner_center::{RateLimiter, Reader};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A log read served to a customer: when its call was started, and what it said.
#[derive(Clone)]
struct Served {
    started: Instant,
    log: Result<Arc<ActivityLog>, String>,
}

#[derive(Default)]
struct State {
    /// Customers (lower-case ids) that asked and were not yet taken into a read.
    waiting: BTreeSet<String>,
    /// Reads served and not yet collected, by lower-case customer id.
    served: HashMap<String, Served>,
}

/// The run's shared reader of the partner activity log.
pub struct SharedLog {
    reader: Reader,
    /// The client's limiter: a read gathers its customers only once it could be sent.
    limiter: Option<RateLimiter>,
    state: Mutex<State>,
    /// One read at a time: customers arriving meanwhile are served together by the next one.
    turn: tokio::sync::Mutex<()>,
    /// Records the last partner-wide read listed (what the next one costs in pages).
    last_listed: AtomicUsize,
    /// Reads made (for tests and logs).
    reads: AtomicU32,
}

impl SharedLog {
    pub fn new(reader: Reader) -> Self {
        SharedLog {
            reader,
            limiter: None,
            state: Mutex::default(),
            turn: tokio::sync::Mutex::new(()),
            last_listed: AtomicUsize::new(0),
            reads: AtomicU32::new(0),
        }
    }

    /// Gathers the customers of a read only once `limiter` has room for it: when the run is
    /// held back by the throttle, the customers that reach their checkout while the read waits
    /// for its turn are served by it too (it is still sent after each of them asked).
    pub fn waiting_for(mut self, limiter: RateLimiter) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Reads made so far.
    pub fn reads(&self) -> u32 {
        self.reads.load(Ordering::Relaxed)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The customer's recent orders from a read started now or later. `Err` is one line naming
    /// the call and what failed.
    pub async fn read_now(&self, customer_id: &str) -> Result<Arc<ActivityLog>, String> {
        let id = customer_id.to_ascii_lowercase();
        let asked = Instant::now();
        self.state().waiting.insert(id.clone());
        loop {
            let _turn = self.turn.lock().await;
            {
                let mut st = self.state();
                if st.served.get(&id).is_some_and(|s| s.started >= asked)
                    && let Some(s) = st.served.remove(&id)
                {
                    return s.log;
                }
            }
            // Nobody read for this customer since it asked: read for everyone waiting once the
            // read can be sent.
            if let Some(limiter) = &self.limiter {
                limiter.ready().await;
            }
            let ids: Vec<String> = {
                let mut st = self.state();
                let mut ids = std::mem::take(&mut st.waiting);
                ids.insert(id.clone());
                ids.into_iter().collect()
            };
            let pages = activity::pages(self.last_listed.load(Ordering::Relaxed));
            let per_customer_max = PER_CUSTOMER_MAX.max(pages);
            let started = Instant::now();
            self.reads.fetch_add(1, Ordering::Relaxed);
            let got =
                activity::read_for(&self.reader, &ids, chrono::Utc::now(), per_customer_max).await;
            let log = match got {
                Ok((log, listed)) => {
                    if ids.len() > per_customer_max {
                        self.last_listed.store(listed, Ordering::Relaxed);
                    }
                    Ok(Arc::new(log))
                }
                Err(e) => Err(crate::error_chain::one_line(&e)),
            };
            tracing::debug!(
                "activity log read for {} customer(s) before checkout",
                ids.len()
            );
            let mut st = self.state();
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn customers_asking_while_a_read_is_in_flight_share_the_next_read_and_none_reuses_an_older_one()
     {
        let (sandbox, reader) = reader(150).await;
        let log = SharedLog::new(reader);
        let ids: Vec<String> = (0..6).map(|i| format!("c{i}")).collect();
        let all = futures::future::join_all(ids.iter().map(|id| log.read_now(id))).await;
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
        log.read_now("c0").await.expect("read");
        assert_eq!(log.reads(), 3);
        sandbox.shutdown().await;
    }
}
