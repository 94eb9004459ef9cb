//! The plan model and the pure diff of desired vs observed state (no I/O, no clock).
//!
//! * [`observed`] — the observed state `observe` fills from Partner Center and the journal.
//! * [`diff()`] — desired × observed → [`Plan`], pure and deterministic.
//! * [`model`] — the plan, its rows and summary (the JSON plan, `format_version: "1"`).
//! * [`basis`] — the typed observations a row rests on (written as the strings they always were).
//! * [`compare()`] — what changed between a saved plan and a fresh one (`apply --plan`).
//! * [`saved`] — the saved-plan file (`plan --out`, `show`).
//! * [`provenance`] — endpoint, partner tenant and commit a plan was made against.
//! * [`markets`] — markets where reservations and software are not sold.

pub mod basis;
pub mod compare;
pub mod diff;
pub mod expiry;
pub mod markets;
pub mod model;
pub mod money;
pub mod money_limits;
pub mod observed;
pub mod provenance;
pub mod saved;
pub mod summary;

pub use compare::{RowChange, compare};
pub use diff::diff;
pub use expiry::ExpiryMark;
pub use markets::market_available;
pub use model::{
    Action, Basis, CustomerSummary, FORMAT_VERSION, ItemKind, Plan, Resolved, Row, Summary,
};
pub use observed::*;
pub use provenance::{Provenance, ProvenanceMismatch, SANDBOX_NOTE};
pub use saved::{SavedPlan, SavedPlanError, TtlError, parse_ttl};

#[cfg(test)]
mod purity_tests;
