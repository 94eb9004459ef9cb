//! Integration tests (issue 2 §4): the real Partner Center client against the in-process
//! sandbox. Both sides were written independently from partner-center-api.md, so a
//! serialization mismatch fails here. Retries run on a `ManualClock`: nothing sleeps.

#[path = "client_sandbox/common.rs"]
mod common;
#[path = "client_sandbox/documented.rs"]
mod documented;
#[path = "client_sandbox/operations.rs"]
mod operations;
#[path = "client_sandbox/purchase.rs"]
mod purchase;
#[path = "client_sandbox/resilience.rs"]
mod resilience;
#[path = "client_sandbox/secrets.rs"]
mod secrets;
