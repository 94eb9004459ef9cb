//! The apply engine against an in-memory Partner Center with fault injection: crashes at every
//! journal step, commit-then-drop, 429/5xx storms, concurrent applies, registration, order-group
//! failures, availability rotation, and a property test over random fault schedules. The promise
//! under test: never more units ordered than declared, and a fault-free re-run converges.

mod fake;
mod harness;
mod hostile;
mod prop;
mod scenarios;
mod veto;
