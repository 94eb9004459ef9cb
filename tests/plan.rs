//! `reservoir plan` end to end: the real binary against a sandbox served from the test process
//! (or the embedded one), asserting what a user sees — rows, reasons, exit codes, saved plans —
//! and what Partner Center sees — no writes, and how many calls.

mod support;

mod actions;
mod blocked_ok;
mod fleet;
mod holdings;
mod money;
mod no_change;
mod width;
