//! The integration tests: one test binary (`autotests = false` in Cargo.toml), one module per
//! area, each in `tests/<area>.rs` with its files in `tests/<area>/`. [`support`] is the shared
//! harness (sandboxes served from this process, the real binary pointed at them, temp state dirs,
//! the PostgreSQL state store of `RESERVOIR_TEST_STATE`); areas keep only what is theirs.
//!
//! Run one area with a module filter: `cargo test --all-features --test integration -- apply::`.
//! The kill tests need the `fault-injection` feature and are their own target (`tests/kills.rs`).

mod support;

mod adopt;
mod apply;
mod apply_engine;
mod catalog;
mod cli;
mod client;
mod client_sandbox;
mod fleet;
mod manifest;
mod plan;
mod plan_render;
mod readme;
mod sandbox;
mod secrets;
mod store_pg;
mod views;
