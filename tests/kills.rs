//! The real binary killed at each step of the purchase protocol (`RESERVOIR_TEST_CRASH_AFTER`),
//! then run again, against a sandbox served from the test process: never more than declared, and
//! the re-run converges. The crash hook exists only in a binary built with the `fault-injection`
//! feature, so these tests need it (`cargo test --all-features`; `.ci/run` runs them).

#[allow(dead_code)]
#[path = "apply/support.rs"]
mod support;

#[path = "apply/kills.rs"]
mod kills;
#[path = "apply/prop.rs"]
mod prop;
#[path = "apply/resumed.rs"]
mod resumed;
