//! A database per test on the server named by `RESERVOIR_TEST_POSTGRES`.

/// The server URL, or `None` (with a note) when it is not configured outside CI.
pub fn server() -> Option<String> {
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

/// Creates a fresh database and returns its URL.
pub async fn fresh_database(server: &str) -> String {
    let (client, conn) = tokio_postgres::connect(server, tokio_postgres::NoTls)
        .await
        .expect("connect to the test server");
    tokio::spawn(conn);
    let name = format!("rt_{}", uuid::Uuid::new_v4().simple());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    let mut url = url::Url::parse(server).expect("server url");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// A plain client on `url` (for inspecting and sabotaging).
pub async fn client(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    client
}
