//! The real binary killed at each step of the purchase protocol (`RESERVOIR_TEST_CRASH_AFTER`),
//! then run again, against a sandbox served from the test process: never more than declared, and
//! the re-run converges. The crash hook exists only in a binary built with the `fault-injection`
//! feature, so these tests need it (`cargo test --all-features`; `.ci/run` runs them). They share
//! the integration tests' harness ([`support`]) and the apply area's helpers.

#[allow(dead_code, unused_imports)]
mod support;

mod apply {
    #[allow(dead_code, unused_imports)]
    pub(crate) mod support;

    mod kills;
    mod prop;
    mod resumed;
}
