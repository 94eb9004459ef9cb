//! The apply engine against an in-memory Partner Center with fault injection: crashes at every
//! journal step, commit-then-drop, 429/5xx storms, concurrent applies, registration, order-group
//! failures, availability rotation, and a property test over random fault schedules. The promise
//! under test: never more units ordered than declared, and a fault-free re-run converges.

#[path = "apply_engine/fake.rs"]
mod fake;
#[path = "apply_engine/harness.rs"]
mod harness;
#[path = "apply_engine/hostile.rs"]
mod hostile;
#[path = "apply_engine/prop.rs"]
mod prop;
#[path = "apply_engine/scenarios.rs"]
mod scenarios;
#[path = "apply_engine/veto.rs"]
mod veto;
