//! The store area's view of the shared PostgreSQL helpers: the server of
//! `RESERVOIR_TEST_POSTGRES`, a fresh database per test, and a plain client.

pub(crate) use crate::support::postgres::{client, server};

/// Creates a fresh database and returns its URL.
pub(crate) async fn fresh_database(server: &str) -> String {
    crate::support::postgres::fresh_database(server, "rt").await
}
