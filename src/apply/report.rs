//! Progress reporting: the engine emits [`ApplyEvent`]s to a [`Reporter`]; the CLI maps them to
//! progress bars and log lines. The engine itself never prints.

use std::time::Duration;

/// Something that happened while applying a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyEvent {
    /// The customer's turn has come: apply takes its lock and works on it.
    CustomerStarted,
    RegistrationRequested {
        subscription_id: String,
    },
    RegistrationPolled {
        subscription_id: String,
        status: String,
        elapsed: Duration,
    },
    Registered {
        subscription_id: String,
    },
    RegistrationFailed {
        subscription_id: String,
        reason: String,
    },
    /// An unfinished intent found in the journal is being resumed.
    Resuming {
        intent_id: String,
        step: String,
    },
    IntentRecorded {
        intent_id: String,
        lines: usize,
        units: u32,
    },
    CartCreated {
        intent_id: String,
        cart_id: String,
    },
    CartLinesRemoved {
        cart_id: String,
        lines: Vec<String>,
    },
    CheckoutSent {
        cart_id: String,
        request_id: String,
    },
    OrderPlaced {
        order_id: String,
        units: u32,
    },
    OrderGroupFailed {
        order_group: String,
        code: String,
        description: String,
    },
    CartAbandoned {
        intent_id: String,
        reason: String,
    },
    /// A write or read is being resent after an ambiguous or transient failure.
    Retrying {
        operation: String,
        attempt: u32,
        error: String,
    },
    /// A write's outcome stayed unknown; the intent stays pending for the next run.
    LeftUnknown {
        intent_id: String,
        operation: String,
    },
    /// The journal ended in a torn record (a crash mid-append); it was ignored.
    JournalTornTail {
        bytes: usize,
    },
    ItemReResolved {
        item_name: String,
        catalog_item_id: String,
    },
    /// Another apply holds the customer's lock; this run waits (up to the lock timeout).
    WaitingForLock {
        /// Who holds it, in words, when known.
        holder: Option<String>,
    },
}

/// Receives progress events (customers run in parallel, so events carry the customer).
pub trait Reporter: Send + Sync {
    fn event(&self, customer_id: &str, event: &ApplyEvent);

    /// A customer is done (its part of the report), reported as it finishes while others may
    /// still be running.
    fn customer_finished(&self, _report: &super::summary::CustomerReport) {}
}

/// Discards events.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopReporter;

impl Reporter for NoopReporter {
    fn event(&self, _customer_id: &str, _event: &ApplyEvent) {}
}
