//! The Partner Center client: HTTP, auth, headers, retry/backoff, rate limiting, paging, wire
//! types and API errors. Knows nothing about manifests or plans.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use reservoir::partner_center::{Client, ClientConfig, Credentials, EndpointSpec};
//! let EndpointSpec::Url(base) = EndpointSpec::parse("global")? else { unreachable!() };
//! let client = Client::new(ClientConfig::new(base, Credentials::from_env()?))?;
//! let customer = client.get_customer("4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01").await?;
//! # Ok(()) }
//! ```
//!
//! One async method per operation lives in `ops/` (one file per area); collections are read
//! completely across pages. Writes take a caller-supplied [`RequestId`].
//!
//! A hostile or broken server is bounded by [`Limits`] (longest `Retry-After`, pages, items,
//! body size, shortest token cache) and the per-attempt deadline; redirects are followed only on
//! the same scheme, host and port (never for the token endpoint); every error is scrubbed of
//! known secret values ([`secret::scrub`]).

pub mod auth;
pub mod endpoint;
pub mod error;
pub mod http;
pub mod limits;
mod ops;
pub mod paging;
pub mod prices;
pub mod ratelimit;
mod reader;
#[cfg(test)]
pub(crate) use reader::{sandbox_reader, sandbox_reader_on};
pub mod secret;
pub mod shared_budget;
mod transfer;
pub mod wire;

pub use crate::time::{Backoff, Clock, ManualClock, TokioClock};
pub use auth::{Credentials, CredentialsError, CredentialsKind};
pub use endpoint::{EndpointError, EndpointSpec};
pub use error::ApiError;
pub use http::{Category, RequestId, RetryPolicy};
pub use limits::Limits;
pub use ratelimit::{RateLimiter, RateLimits};
pub use reader::Reader;
pub use secret::Secret;
pub use shared_budget::{Grant, SharedBudget, SharedBudgetError};

use auth::TokenSource;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;
use url::Url;

/// Default per-attempt deadline (`--timeout`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Everything a [`Client`] needs.
#[derive(Clone)]
pub struct ClientConfig {
    /// Base URL without `/v1` (e.g. `https://api.partnercenter.microsoft.com`).
    pub base_url: Url,
    pub credentials: Credentials,
    pub rate_limits: RateLimits,
    pub retry: RetryPolicy,
    /// Per-attempt deadline: connecting, the answer's headers and its whole body
    /// (`--timeout`, 60 s by default).
    pub request_timeout: Duration,
    /// Bounds on waits, paging, body sizes and token caching.
    pub limits: Limits,
    /// Time source for backoff, rate limiting and token expiry ([`TokioClock`] by default).
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url.as_str())
            .field("credentials", &self.credentials.kind())
            .field("rate_limits", &self.rate_limits)
            .field("retry", &self.retry)
            .field("request_timeout", &self.request_timeout)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    /// Defaults: 500/min partner-wide, 100/min per customer, 5 attempts, 60 s timeout, tokio clock.
    pub fn new(base_url: Url, credentials: Credentials) -> Self {
        ClientConfig {
            base_url,
            credentials,
            rate_limits: RateLimits::default(),
            retry: RetryPolicy::default(),
            request_timeout: DEFAULT_TIMEOUT,
            limits: Limits::default(),
            clock: Arc::new(TokioClock::default()),
        }
    }
}

/// Request counters, shared by all clones of a client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// HTTP attempts sent (token requests included).
    pub requests: u64,
    /// 429 answers received.
    pub throttled: u64,
    /// Attempts after the first one of an operation.
    pub retries: u64,
    /// HTTP attempts per category (`"catalog"`, `"customer"`, `"order"`, `"cart"`,
    /// `"entitlement"`, `"invoice"`, `"auth"`).
    pub by_category: BTreeMap<String, u64>,
}

#[derive(Default)]
struct StatsInner {
    requests: AtomicU64,
    throttled: AtomicU64,
    retries: AtomicU64,
    by_category: Mutex<BTreeMap<Category, u64>>,
}

impl StatsInner {
    fn request(&self, c: Category) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        *self
            .by_category
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(c)
            .or_default() += 1;
    }
    fn throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }
    fn retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }
}

struct Inner {
    /// API calls: follows redirects only on the same scheme, host and port.
    http: reqwest::Client,
    /// Token requests: follows no redirect at all.
    token_http: reqwest::Client,
    base_url: Url,
    tokens: TokenSource,
    /// Base URL of the price sheet and FX rates (`api.partner.microsoft.com` for the global
    /// cloud; the endpoint itself for a URL endpoint or the sandbox).
    price_url: Url,
    /// Tokens for the pricing host's audience.
    price_tokens: TokenSource,
    limiter: RateLimiter,
    retry: RetryPolicy,
    request_timeout: Duration,
    limits: Limits,
    clock: Arc<dyn Clock>,
    stats: StatsInner,
}

/// The Partner Center client. `Clone` is cheap and shares the connection pool, token cache,
/// rate limiter and statistics.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("credentials", &self.inner.tokens.kind())
            .finish_non_exhaustive()
    }
}

/// Installs the rustls ring crypto provider once (reqwest is built without one).
pub fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Err means a provider is already installed, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl Client {
    /// Builds a client.
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        install_crypto_provider();
        let mut base_url = config.base_url;
        let mut credentials = config.credentials;
        // The 21Vianet cloud wants its own token audience.
        if base_url.host_str()
            == url::Url::parse(endpoint::CHINA_URL)
                .ok()
                .as_ref()
                .and_then(|u| u.host_str())
            && matches!(&credentials, Credentials::Client { resource, .. } if resource == auth::DEFAULT_RESOURCE)
        {
            credentials = credentials.with_resource(auth::CHINA_RESOURCE);
        }
        if !base_url.path().ends_with('/') {
            let p = format!("{}/", base_url.path());
            base_url.set_path(&p);
        }
        if let Credentials::Client { authority, .. } = &credentials {
            endpoint::check_authority(authority).map_err(|e| ApiError::Config {
                what: e.to_string(),
                source: Some(Box::new(e)),
            })?;
        }
        let connect_timeout = config.request_timeout.min(Duration::from_secs(30));
        let build = |policy: reqwest::redirect::Policy| {
            reqwest::Client::builder()
                .user_agent(http::CLIENT_NAME)
                .connect_timeout(connect_timeout)
                .redirect(policy)
                .build()
                .map_err(|e| ApiError::Config {
                    what: "cannot build the HTTP client".into(),
                    source: Some(Box::new(e)),
                })
        };
        let (price_url, price_credentials) = prices::pricing_host(&base_url, &credentials);
        let http = build(limits::same_origin_redirects())?;
        let token_http = build(reqwest::redirect::Policy::none())?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                token_http,
                base_url,
                price_url,
                price_tokens: TokenSource::new(
                    price_credentials,
                    config.clock.clone(),
                    config.limits.min_token_lifetime,
                ),
                tokens: TokenSource::new(
                    credentials,
                    config.clock.clone(),
                    config.limits.min_token_lifetime,
                ),
                limiter: RateLimiter::new(config.rate_limits, config.clock.clone()),
                retry: config.retry,
                request_timeout: config.request_timeout,
                limits: config.limits,
                clock: config.clock,
                stats: StatsInner::default(),
            }),
        })
    }

    /// Kind of the configured credentials (App+User-only calls need [`CredentialsKind::AppUser`]
    /// or possibly a ready token).
    pub fn credentials_kind(&self) -> CredentialsKind {
        self.inner.tokens.kind()
    }

    /// The base URL (ends with `/`).
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The client's clock ([`ClientConfig::clock`]): the run's one time source for everything
    /// that reads Partner Center (observation time, cache expiry, polling deadlines).
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// The shared rate limiter.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }

    /// A snapshot of the request counters.
    pub fn stats(&self) -> Stats {
        let s = &self.inner.stats;
        Stats {
            requests: s.requests.load(Ordering::Relaxed),
            throttled: s.throttled.load(Ordering::Relaxed),
            retries: s.retries.load(Ordering::Relaxed),
            by_category: s
                .by_category
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), *v))
                .collect(),
        }
    }

    /// `{base}/v1/{segments…}?{query…}`, each segment percent-encoded.
    pub(crate) fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.inner.base_url.clone();
        if let Ok(mut segs) = url.path_segments_mut() {
            segs.pop_if_empty().push("v1");
            for s in segments {
                segs.push(s);
            }
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }
}

/// Validates a GUID id (customer, subscription) before it goes into a path.
pub(crate) fn guid<'a>(what: &'static str, value: &'a str) -> Result<&'a str, ApiError> {
    let v = value.trim();
    uuid::Uuid::parse_str(v)
        .map(|_| v)
        .map_err(|_| ApiError::InvalidInput {
            what,
            value: value.to_string(),
            reason: "expected a GUID like 4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01".into(),
        })
}

/// Validates a free-form id (product, SKU, order, cart, invoice) before it goes into a path.
pub(crate) fn segment<'a>(what: &'static str, value: &'a str) -> Result<&'a str, ApiError> {
    let v = value.trim();
    if v.is_empty() || v == "." || v == ".." || v.len() > 200 || v.chars().any(char::is_control) {
        return Err(ApiError::InvalidInput {
            what,
            value: value.to_string(),
            reason: "not a valid identifier".into(),
        });
    }
    Ok(v)
}
