//! `reservoir plan` end to end: the real binary against a sandbox served from the test process
//! (or the embedded one), asserting what a user sees — rows, reasons, exit codes, saved plans —
//! and what Partner Center sees — no writes, and how many calls.

#[path = "plan/support.rs"]
mod support;

#[path = "plan/actions.rs"]
mod actions;
#[path = "plan/blocked_ok.rs"]
mod blocked_ok;
#[path = "plan/fleet.rs"]
mod fleet;
#[path = "plan/holdings.rs"]
mod holdings;
#[path = "plan/money.rs"]
mod money;
