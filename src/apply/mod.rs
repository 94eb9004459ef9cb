//! Apply: ordered execution of a plan — registration, fresh catalog resolution, write-ahead
//! journal, carts and checkout, resume after faults — reporting through a reporter, never printing.
//!
//! The caller (the `apply` command) runs, per customer: take the [`crate::store::CustomerLock`]
//! → [`resume_customer`] (finish what a crashed or concurrent run left unfinished) → re-observe and
//! re-plan (counting [`crate::store::Journal::pending`] as pending) → [`apply_customer`] for what
//! is still missing → drop the lock.
//!
//! * [`commerce`] — the [`Commerce`] trait the engine drives and its error classification.
//! * [`engine`] — [`apply_customer`] and the per-intent state machine.
//! * [`resume`] — [`resume_customer`].
//! * `lines` — mapping intent lines to cart lines and checkout results back; `retry` — resending
//!   an ambiguous call with the same request id.
//! * [`registration`] — registering subscriptions and polling until `Registered`.
//! * [`options`] — [`ApplyOptions`]: backoff, clock, bounds.
//! * [`report`] — the [`Reporter`] trait and its events.
//! * [`receipt`] — [`CustomerOutcome`], the per-customer receipt.
//! * [`from_plan`] — the desired state of a saved plan, for `apply --plan` without manifests.
//! * [`pc`] — [`PartnerCenterCommerce`], the [`Commerce`] over the Partner Center client.
//! * [`mod@preflight`] — whole-run refusals: expired or stale saved plan, unit guardrails.
//! * [`mod@run`] — the whole `apply` run: per customer lock → resume → re-plan →
//!   apply; [`summary`] — [`ApplyReport`], the run's report and `--receipt` file.
//! * `verify` — the cart the server returns is compared with the request before any checkout;
//!   `answer` — checkout answers that do not add up.
//! * [`settle`] — when a journalled order stops counting as pending for every later run.
//! * [`witness`] — the activity-log check right before checkout (a veto hook of the engine).

mod answer;
mod batch;
pub mod commerce;
pub mod engine;
pub mod from_plan;
pub mod interrupt;
mod lines;
pub mod options;
pub mod pc;
mod pc_wire;
pub mod preflight;
pub mod receipt;
pub mod registration;
pub mod report;
pub mod resume;
mod retry;
pub mod run;
pub mod settle;
pub mod summary;
mod verify;
pub mod witness;
pub mod witness_log;

pub use crate::store::PurchaseLine;
pub use commerce::*;
pub use engine::{CustomerBatch, apply_customer};
pub use interrupt::Interrupt;
pub use options::{ApplyOptions, Backoff};
pub use pc::PartnerCenterCommerce;
pub use preflight::{Preflight, Refusal, check_saved, preflight};
pub use receipt::*;
pub use report::{ApplyEvent, NoopReporter, Reporter};
pub use resume::{ResumeOutcome, resume_customer};
pub use run::{Approved, Context, RunOptions};
pub use summary::{ApplyReport, CustomerReport, CustomerStatus, plan_hash};
