//! Client tests against an in-test mock HTTP server that serves canned responses and records
//! every request. No test waits on a real clock: retries and throttling run on a `ManualClock`.

pub(crate) mod mock;

mod audit;
mod auth;
mod binary;
mod fidelity;
mod hostile;
mod operations;
mod paging;
mod retry;
