//! Integration tests (issue 2 §4): the real Partner Center client against the in-process
//! sandbox. Both sides were written independently from Microsoft's API documentation
//! (summarised in docs/partner-center.md), so a serialization mismatch fails here. Retries run on a `ManualClock`: nothing sleeps.

mod common;
mod documented;
mod operations;
mod purchase;
mod resilience;
mod savings;
mod secrets;
