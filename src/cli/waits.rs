//! What each customer of an `apply` is waiting for, from the engine's events, and the heartbeat
//! that says so off a terminal: at least every 30 s (like Terraform's "Still creating…") a line
//! per customer, e.g. `still registering northwind… 40s elapsed`, or `still applying… 40s
//! elapsed` when no customer is in a known wait. Also counts the writes in flight for the
//! Ctrl-C message.
//!
//! Testing aid: `RESERVOIR_PROGRESS_INTERVAL_MS` (hidden) sets the heartbeat interval
//! ([`crate::settings::Settings::heartbeat_interval`]).

use crate::apply::ApplyEvent;
use crate::time::Clock;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a customer waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    Lock,
    Registration,
    Resume,
    Purchase,
    Checkout,
}

impl Wait {
    /// A write whose outcome the run waits for (what Ctrl-C lets finish). A registration is a
    /// wait, not a write: its request is answered at once, and Ctrl-C stops the polling.
    fn is_write(self) -> bool {
        matches!(self, Wait::Resume | Wait::Purchase | Wait::Checkout)
    }

    fn line(self, name: &str) -> String {
        match self {
            Wait::Lock => format!("waiting for the lock of {name}"),
            Wait::Registration => format!("registering {name}"),
            Wait::Resume => format!("resuming a purchase for {name}"),
            Wait::Purchase => format!("buying for {name}"),
            Wait::Checkout => format!("checking out {name}'s cart"),
        }
    }
}

/// Each customer's current wait and since when (the run clock's [`Clock::now`]); shared by the
/// reporter and the heartbeat.
#[derive(Debug, Clone)]
pub struct Waits {
    by_customer: Arc<Mutex<BTreeMap<String, (Wait, Duration)>>>,
    clock: Arc<dyn Clock>,
}

impl Waits {
    /// No customer waiting yet; waits are timed on `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Waits {
        Waits {
            by_customer: Arc::default(),
            clock,
        }
    }

    /// Updates the customer's wait from an engine event.
    pub fn record(&self, customer_id: &str, event: &ApplyEvent) {
        let next = match event {
            ApplyEvent::WaitingForLock { .. } => Some(Some(Wait::Lock)),
            ApplyEvent::RegistrationRequested { .. } | ApplyEvent::RegistrationPolled { .. } => {
                Some(Some(Wait::Registration))
            }
            ApplyEvent::Resuming { .. } => Some(Some(Wait::Resume)),
            ApplyEvent::IntentRecorded { .. } | ApplyEvent::CartCreated { .. } => {
                Some(Some(Wait::Purchase))
            }
            ApplyEvent::CheckoutSent { .. } => Some(Some(Wait::Checkout)),
            ApplyEvent::Registered { .. }
            | ApplyEvent::RegistrationFailed { .. }
            | ApplyEvent::OrderPlaced { .. }
            | ApplyEvent::OrderGroupFailed { .. }
            | ApplyEvent::CartAbandoned { .. }
            | ApplyEvent::LeftUnknown { .. } => Some(None),
            _ => None,
        };
        let Some(next) = next else { return };
        let mut map = self.by_customer.lock().unwrap_or_else(|p| p.into_inner());
        match next {
            // The same wait keeps its start (a registration polled many times is one wait).
            Some(w) if map.get(customer_id).is_some_and(|(cur, _)| *cur == w) => {}
            // A purchase moving to checkout is still the same purchase.
            Some(Wait::Checkout)
                if map
                    .get(customer_id)
                    .is_some_and(|(cur, _)| matches!(cur, Wait::Purchase | Wait::Resume)) =>
            {
                if let Some(e) = map.get_mut(customer_id) {
                    e.0 = Wait::Checkout;
                }
            }
            Some(w) => {
                map.insert(customer_id.to_owned(), (w, self.clock.now()));
            }
            None => {
                map.remove(customer_id);
            }
        }
    }

    /// How many customers have a write in flight.
    pub fn writes_in_flight(&self) -> usize {
        let map = self.by_customer.lock().unwrap_or_else(|p| p.into_inner());
        map.values().filter(|(w, _)| w.is_write()).count()
    }

    /// The heartbeat lines now: one per waiting customer, or one for the whole run (started at
    /// `run_started` on the clock).
    pub fn lines(&self, names: &BTreeMap<String, String>, run_started: Duration) -> Vec<String> {
        let now = self.clock.now();
        let map = self.by_customer.lock().unwrap_or_else(|p| p.into_inner());
        if map.is_empty() {
            return vec![format!(
                "still applying… {}s elapsed",
                now.saturating_sub(run_started).as_secs()
            )];
        }
        map.iter()
            .map(|(id, (wait, since))| {
                let name = names.get(id).map(String::as_str).unwrap_or(id);
                format!(
                    "still {}… {}s elapsed",
                    wait.line(name),
                    now.saturating_sub(*since).as_secs()
                )
            })
            .collect()
    }
}

/// Prints the heartbeat lines on stderr every `every` until the task is aborted.
pub fn spawn_heartbeat(
    waits: Waits,
    names: BTreeMap<String, String>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    let clock = waits.clock.clone();
    let started = clock.now();
    tokio::spawn(async move {
        loop {
            clock.sleep(every).await;
            for line in waits.lines(&names, started) {
                super::output::eprint(&line);
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ManualClock;

    fn names() -> BTreeMap<String, String> {
        [("n".to_owned(), "northwind".to_owned())].into()
    }

    #[test]
    fn a_registration_is_one_wait_until_it_ends() {
        let clock = ManualClock::new();
        let w = Waits::new(Arc::new(clock.clone()));
        let t0 = clock.now();
        assert_eq!(w.lines(&names(), t0), vec!["still applying… 0s elapsed"]);
        w.record(
            "n",
            &ApplyEvent::RegistrationRequested {
                subscription_id: "s".into(),
            },
        );
        w.record(
            "n",
            &ApplyEvent::RegistrationPolled {
                subscription_id: "s".into(),
                status: "Registering".into(),
                elapsed: Duration::from_secs(5),
            },
        );
        assert_eq!(
            w.lines(&names(), t0),
            vec!["still registering northwind… 0s elapsed"]
        );
        // Elapsed time is the run clock's: a poll of the same registration keeps its start.
        clock.advance(Duration::from_secs(40));
        w.record(
            "n",
            &ApplyEvent::RegistrationPolled {
                subscription_id: "s".into(),
                status: "Registering".into(),
                elapsed: Duration::from_secs(45),
            },
        );
        assert_eq!(
            w.lines(&names(), t0),
            vec!["still registering northwind… 40s elapsed"]
        );
        assert_eq!(w.writes_in_flight(), 0, "a registration wait is no write");
        w.record(
            "n",
            &ApplyEvent::Registered {
                subscription_id: "s".into(),
            },
        );
        assert_eq!(w.lines(&names(), t0), vec!["still applying… 40s elapsed"]);
    }

    #[test]
    fn a_purchase_counts_as_a_write_until_its_order_is_placed() {
        let clock = ManualClock::new();
        let w = Waits::new(Arc::new(clock.clone()));
        w.record("c", &ApplyEvent::WaitingForLock { holder: None });
        assert_eq!(w.writes_in_flight(), 0, "waiting for a lock writes nothing");
        w.record(
            "c",
            &ApplyEvent::IntentRecorded {
                intent_id: "i".into(),
                lines: 1,
                units: 2,
            },
        );
        w.record(
            "c",
            &ApplyEvent::CheckoutSent {
                cart_id: "k".into(),
                request_id: "r".into(),
            },
        );
        assert_eq!(w.writes_in_flight(), 1);
        let lines = w.lines(&BTreeMap::new(), clock.now());
        assert_eq!(lines, vec!["still checking out c's cart… 0s elapsed"]);
        w.record(
            "c",
            &ApplyEvent::OrderPlaced {
                order_id: "o".into(),
                units: 2,
            },
        );
        assert_eq!(w.writes_in_flight(), 0);
    }
}
