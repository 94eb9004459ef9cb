//! The purchase journal: durable, fsynced, append-only intent records per customer, and the
//! per-customer locks in the state dir. Knows nothing about HTTP.
//!
//! * [`record`] — the record types written to `<state_dir>/journal/<customer-id>.jsonl`.
//! * [`store`] — [`Journal`]: append (write whole + fsync), read (torn tail tolerated), pending,
//!   settle.
//! * [`mod@replay`] — folds a customer's records into per-intent state.
//! * [`lock`] — [`CustomerLock`]: an OS advisory lock per customer with a holder sidecar.

pub mod lock;
pub mod record;
pub mod replay;
pub mod store;

pub use lock::{CustomerLock, HolderInfo, LockError};
pub use record::*;
pub use replay::{IntentState, IntentStep, IntentView, advance, replay};
pub use store::{
    Clock, CustomerRecords, Journal, JournalError, JournalHook, PendingOrder, PendingState,
    SystemClock,
};

#[cfg(test)]
mod tests;
