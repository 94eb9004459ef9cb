//! The PostgreSQL store, shared by every runner: journal rows, lease rows with fencing epochs and
//! cache rows, all decided in SQL with the server's clock (`now()`), so runners on different
//! machines with skewed clocks agree.
//!
//! TLS: `tokio-postgres-rustls` (0.14) bridges tokio-postgres to rustls 0.23 with the ring
//! provider the HTTP client already installs, so no second TLS stack (OpenSSL, aws-lc) is built;
//! certificates are verified with the platform verifier, like the HTTP client's. `sslmode` from
//! the URL is honoured ([`url::TlsMode`]); `disable` only for a loopback host. Azure Database for
//! PostgreSQL needs `sslmode=require`.
//!
//! Credentials come only from the URL (flag or environment); the password never appears in
//! messages ([`url::scrub`]). A connection failure fails closed: a journal append that cannot be
//! confirmed is an error, so nothing more is bought for that customer.
//!
//! * [`schema`] — migrations in one transaction under `pg_advisory_xact_lock`.
//! * [`journal`], [`locks`], [`cache`] — the three traits; [`budget`] — the partner's request
//!   window shared by every runner ([`crate::partner_center::SharedBudget`]).

pub mod budget;
pub mod cache;
pub mod journal;
pub mod locks;
pub mod schema;
pub mod url;

use std::sync::Arc;
use std::time::Duration;

/// A PostgreSQL error, connection or query, with what was being done.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error("cannot connect to the state store {location}")]
    Connect {
        location: String,
        #[source]
        source: tokio_postgres::Error,
    },
    #[error("cannot set up TLS for the state store {location}: {message}")]
    Tls { location: String, message: String },
    #[error("cannot migrate the state store schema")]
    Migrate(#[source] tokio_postgres::Error),
    #[error(
        "the state store schema is version {found}, newer than this reservoir knows ({known}); upgrade reservoir"
    )]
    TooNew { found: i32, known: i32 },
    #[error(transparent)]
    Url(#[from] url::UrlError),
}

/// A connected PostgreSQL store.
#[derive(Clone)]
pub struct PgStore {
    pub(crate) client: Arc<tokio_postgres::Client>,
    pub(crate) location: String,
    pub(crate) lease: Duration,
}

/// The lease length: 60 s, or `RESERVOIR_TEST_LEASE_SECS` (a hidden knob for tests that need a
/// lease to run out quickly).
pub fn lease_length() -> Duration {
    std::env::var("RESERVOIR_TEST_LEASE_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(Duration::from_secs(60), Duration::from_secs)
}

impl PgStore {
    /// Connects and migrates the schema.
    pub async fn connect(raw_url: &str) -> Result<PgStore, PgError> {
        let loc = url::PgLocation::parse(raw_url)?;
        let client = connect(&loc).await?;
        schema::migrate(&client).await?;
        Ok(PgStore {
            client: Arc::new(client),
            location: loc.display,
            lease: lease_length(),
        })
    }

    /// The same store with another lease length (tests; runs use [`lease_length`]).
    pub fn with_lease(mut self, lease: Duration) -> PgStore {
        self.lease = lease;
        self
    }

    /// Where the store is (no password).
    pub fn url(&self) -> &str {
        &self.location
    }
}

async fn connect(loc: &url::PgLocation) -> Result<tokio_postgres::Client, PgError> {
    let connect_err = |source| PgError::Connect {
        location: loc.display.clone(),
        source,
    };
    if loc.tls == url::TlsMode::Disable {
        let (client, conn) = loc
            .config
            .connect(tokio_postgres::NoTls)
            .await
            .map_err(connect_err)?;
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::warn!("state store connection closed: {e}");
            }
        });
        return Ok(client);
    }
    crate::partner_center::install_crypto_provider();
    use rustls_platform_verifier::ConfigVerifierExt;
    let tls_config = rustls::ClientConfig::with_platform_verifier().map_err(|e| PgError::Tls {
        location: loc.display.clone(),
        message: e.to_string(),
    })?;
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config);
    let (client, conn) = loc.config.connect(tls).await.map_err(connect_err)?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::warn!("state store connection closed: {e}");
        }
    });
    Ok(client)
}

/// The store as the crate's [`crate::store::Store`].
pub async fn open(raw_url: &str) -> Result<crate::store::Store, PgError> {
    let pg = PgStore::connect(raw_url).await?;
    Ok(crate::store::Store {
        journal: crate::store::Journal::new(Arc::new(pg.clone())),
        locks: Arc::new(pg.clone()),
        cache: Arc::new(pg.clone()),
        budget: Some(Arc::new(pg.clone())),
        location: pg.location.clone(),
        clock: crate::time::system(),
    })
}
