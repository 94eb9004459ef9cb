//! PostgreSQL for the state-store tests: the server named by `RESERVOIR_TEST_POSTGRES` (the
//! store's own tests) or `RESERVOIR_TEST_STATE` (the apply and kill tests run a second time with
//! their state there), and a fresh database per test on it.

/// The env var naming a PostgreSQL server to run the apply tests' state store on.
pub(crate) const STATE_ENV: &str = "RESERVOIR_TEST_STATE";

/// The server of the store's own tests, or `None` (with a note) when it is not configured
/// outside CI; under CI a missing server fails the test.
pub(crate) fn server() -> Option<String> {
    match std::env::var("RESERVOIR_TEST_POSTGRES") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ if std::env::var_os("CI").is_some() => {
            panic!("RESERVOIR_TEST_POSTGRES is not set: CI must run the PostgreSQL store tests")
        }
        _ => {
            eprintln!("note: RESERVOIR_TEST_POSTGRES is not set; skipping a PostgreSQL store test");
            None
        }
    }
}

/// The server `RESERVOIR_TEST_STATE` names for the binary's state store, if any.
pub(crate) fn state_server() -> Option<String> {
    let server = std::env::var(STATE_ENV)
        .ok()
        .filter(|u| !u.trim().is_empty())?;
    assert!(
        server.starts_with("postgres://") || server.starts_with("postgresql://"),
        "{STATE_ENV} must be a postgres:// URL"
    );
    Some(server)
}

/// Creates a fresh database (named `<prefix>_<uuid>`) on `server` and returns its URL.
pub(crate) async fn fresh_database(server: &str, prefix: &str) -> String {
    let (client, conn) = tokio_postgres::connect(server, tokio_postgres::NoTls)
        .await
        .expect("connect to the test server");
    tokio::spawn(conn);
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    let mut url = url::Url::parse(server).expect("server url");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// A plain client on `url` (for inspecting and sabotaging).
pub(crate) async fn client(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    client
}
