//! The PostgreSQL state store against a real server (`RESERVOIR_TEST_POSTGRES`, started by
//! `.ci/run`): migrations, leases and fencing, fail-closed behaviour, and the real binary with
//! two runners sharing one store. Each test gets its own database. Without the variable the tests
//! fail under CI and are skipped (with a note) elsewhere.

mod budget;
mod common;
mod leases;
mod paused;
mod runners;
