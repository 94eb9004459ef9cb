//! Client tests against an in-test mock HTTP server that serves canned responses and records
//! every request. No test waits on a real clock: retries and throttling run on a `ManualClock`.

#[path = "client/mock.rs"]
mod mock;

#[path = "client/audit.rs"]
mod audit;
#[path = "client/auth.rs"]
mod auth;
#[path = "client/binary.rs"]
mod binary;
#[path = "client/fidelity.rs"]
mod fidelity;
#[path = "client/hostile.rs"]
mod hostile;
#[path = "client/operations.rs"]
mod operations;
#[path = "client/paging.rs"]
mod paging;
#[path = "client/retry.rs"]
mod retry;
