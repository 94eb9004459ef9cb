//! Credentials and access tokens (docs/partner-center.md §3): a ready bearer token, app-only
//! client credentials, or App+User (refresh token). Tokens are cached until shortly before they
//! expire; a rotated refresh token is kept. Secrets never reach Debug output or errors.

use super::error::{ApiError, BoxError};
use super::secret::Secret;
use super::transfer::{self, Failure};
use crate::time::Clock;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// Default Entra ID authority.
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";
/// Token audience for the global cloud.
pub const DEFAULT_RESOURCE: &str = "https://api.partnercenter.microsoft.com";
/// Token audience for Partner Center operated by 21Vianet.
pub const CHINA_RESOURCE: &str = "https://partner.partnercenterapi.microsoftonline.cn";
/// Refresh this long before the token expires.
const EXPIRY_BUFFER: Duration = Duration::from_secs(300);

/// What the credentials can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialsKind {
    /// Client credentials: App+User-only endpoints answer 403/900329.
    AppOnly,
    /// Refresh token (Secure Application Model): every endpoint works.
    AppUser,
    /// A ready access token of unknown kind.
    Token,
}

/// Where tokens come from.
#[derive(Clone, Debug)]
pub enum Credentials {
    /// `PARTNER_CENTER_ACCESS_TOKEN`: used as is, never refreshed.
    AccessToken(Secret),
    /// Client credentials (app-only), or App+User when `refresh_token` is set.
    Client {
        tenant_id: String,
        client_id: String,
        client_secret: Secret,
        refresh_token: Option<Secret>,
        /// Base of the token endpoint (`{authority}/{tenant}/oauth2/token`).
        authority: String,
        /// Token audience.
        resource: String,
    },
}

/// Missing or incomplete credentials.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CredentialsError {
    #[error(
        "no Partner Center credentials: set PARTNER_CENTER_ACCESS_TOKEN, or PARTNER_CENTER_TENANT_ID + PARTNER_CENTER_CLIENT_ID + PARTNER_CENTER_CLIENT_SECRET (plus PARTNER_CENTER_REFRESH_TOKEN for App+User)"
    )]
    Missing,
    #[error("incomplete Partner Center credentials: {0} is not set")]
    Incomplete(&'static str),
    /// `PARTNER_CENTER_AUTHORITY` is refused (plain http off loopback, not a URL).
    #[error(transparent)]
    Authority(#[from] super::endpoint::EndpointError),
}

impl Credentials {
    /// Reads the `PARTNER_CENTER_*` environment variables.
    pub fn from_env() -> Result<Self, CredentialsError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Like [`Credentials::from_env`] with a custom variable lookup (for tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, CredentialsError> {
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if let Some(tok) = get("PARTNER_CENTER_ACCESS_TOKEN") {
            return Ok(Credentials::AccessToken(Secret::new(tok)));
        }
        let tenant = get("PARTNER_CENTER_TENANT_ID");
        let client = get("PARTNER_CENTER_CLIENT_ID");
        let secret = get("PARTNER_CENTER_CLIENT_SECRET");
        let refresh = get("PARTNER_CENTER_REFRESH_TOKEN");
        if tenant.is_none() && client.is_none() && secret.is_none() && refresh.is_none() {
            return Err(CredentialsError::Missing);
        }
        let authority =
            get("PARTNER_CENTER_AUTHORITY").unwrap_or_else(|| DEFAULT_AUTHORITY.to_string());
        super::endpoint::check_authority(&authority)?;
        Ok(Credentials::Client {
            tenant_id: tenant.ok_or(CredentialsError::Incomplete("PARTNER_CENTER_TENANT_ID"))?,
            client_id: client.ok_or(CredentialsError::Incomplete("PARTNER_CENTER_CLIENT_ID"))?,
            client_secret: Secret::new(
                secret.ok_or(CredentialsError::Incomplete("PARTNER_CENTER_CLIENT_SECRET"))?,
            ),
            refresh_token: refresh.map(Secret::new),
            authority,
            resource: DEFAULT_RESOURCE.to_string(),
        })
    }

    /// App-only client credentials.
    pub fn app_only(
        tenant_id: &str,
        client_id: &str,
        client_secret: Secret,
        authority: &str,
    ) -> Self {
        Credentials::Client {
            tenant_id: tenant_id.to_string(),
            client_id: client_id.to_string(),
            client_secret,
            refresh_token: None,
            authority: authority.to_string(),
            resource: DEFAULT_RESOURCE.to_string(),
        }
    }

    /// App+User credentials (refresh token).
    pub fn app_user(
        tenant_id: &str,
        client_id: &str,
        client_secret: Secret,
        refresh_token: Secret,
        authority: &str,
    ) -> Self {
        Credentials::Client {
            tenant_id: tenant_id.to_string(),
            client_id: client_id.to_string(),
            client_secret,
            refresh_token: Some(refresh_token),
            authority: authority.to_string(),
            resource: DEFAULT_RESOURCE.to_string(),
        }
    }

    /// Sets the token audience (`resource`), e.g. [`CHINA_RESOURCE`] for the 21Vianet cloud.
    /// No effect on a ready access token.
    pub fn with_resource(mut self, new_resource: &str) -> Self {
        if let Credentials::Client { resource, .. } = &mut self {
            *resource = new_resource.to_string();
        }
        self
    }

    /// What these credentials can do.
    /// The partner tenant the token is (or will be) issued for: the configured tenant id, or the
    /// `tid` claim of a ready access token (a JWT; `None` when it is not one).
    pub fn partner_tenant(&self) -> Option<String> {
        match self {
            Credentials::Client { tenant_id, .. } => Some(tenant_id.clone()),
            Credentials::AccessToken(t) => jwt_tenant(t.expose()),
        }
    }

    pub fn kind(&self) -> CredentialsKind {
        match self {
            Credentials::AccessToken(_) => CredentialsKind::Token,
            Credentials::Client {
                refresh_token: Some(_),
                ..
            } => CredentialsKind::AppUser,
            Credentials::Client { .. } => CredentialsKind::AppOnly,
        }
    }
}

/// The `tid` claim of a JWT access token, without checking its signature (only named in
/// outputs and compared with a saved plan's, never trusted for access).
fn jwt_tenant(token: &str) -> Option<String> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("tid")?.as_str().map(str::to_owned)
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    #[serde(default, deserialize_with = "super::wire::common::opt_i64")]
    expires_in: Option<i64>,
    #[serde(default, deserialize_with = "super::wire::common::opt_i64")]
    expires_on: Option<i64>,
    refresh_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

struct Cached {
    token: Secret,
    /// Clock time after which the token is no longer used.
    refresh_at: Duration,
}

struct AuthState {
    cached: Option<Cached>,
    /// Latest refresh token (rotated ones replace the configured one).
    refresh_token: Option<Secret>,
}

/// Hands out access tokens for requests, caching them. Shared by all clones of the client.
#[derive(Clone)]
pub(crate) struct TokenSource {
    creds: Arc<Credentials>,
    state: Arc<Mutex<AuthState>>,
    clock: Arc<dyn Clock>,
    /// Tokens are cached at least this long (see [`super::Limits::min_token_lifetime`]).
    min_lifetime: Duration,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("kind", &self.creds.kind())
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    pub(crate) fn new(creds: Credentials, clock: Arc<dyn Clock>, min_lifetime: Duration) -> Self {
        let refresh_token = match &creds {
            Credentials::Client { refresh_token, .. } => refresh_token.clone(),
            Credentials::AccessToken(_) => None,
        };
        TokenSource {
            creds: Arc::new(creds),
            state: Arc::new(Mutex::new(AuthState {
                cached: None,
                refresh_token,
            })),
            clock,
            min_lifetime,
        }
    }

    pub(crate) fn kind(&self) -> CredentialsKind {
        self.creds.kind()
    }

    /// A valid token; `stale` is the token a 401 was received with (dropped from the cache if
    /// still there). Returns whether a token request was made. `http` must follow no redirect:
    /// the form carries the client secret and refresh token. Errors are scrubbed.
    pub(crate) async fn token(
        &self,
        http: &reqwest::Client,
        stale: Option<&Secret>,
        timeout: Duration,
        max_body_bytes: u64,
    ) -> Result<(Secret, bool), ApiError> {
        self.token_unscrubbed(http, stale, timeout, max_body_bytes)
            .await
            .map_err(ApiError::scrubbed)
    }

    async fn token_unscrubbed(
        &self,
        http: &reqwest::Client,
        stale: Option<&Secret>,
        timeout: Duration,
        max_body_bytes: u64,
    ) -> Result<(Secret, bool), ApiError> {
        let (tenant_id, client_id, client_secret, authority, resource) = match &*self.creds {
            Credentials::AccessToken(t) => return Ok((t.clone(), false)),
            Credentials::Client {
                tenant_id,
                client_id,
                client_secret,
                authority,
                resource,
                ..
            } => (tenant_id, client_id, client_secret, authority, resource),
        };
        let mut st = self.state.lock().await;
        let now = self.clock.now();
        if let Some(c) = &st.cached {
            let is_stale = stale.is_some_and(|s| s == &c.token);
            if !is_stale && now < c.refresh_at {
                return Ok((c.token.clone(), false));
            }
        }
        st.cached = None;
        let url = format!(
            "{}/{}/oauth2/token",
            authority.trim_end_matches('/'),
            tenant_id
        );
        let mut form: Vec<(&str, &str)> = vec![
            ("client_id", client_id),
            ("client_secret", client_secret.expose()),
            ("resource", resource),
        ];
        let refresh = st.refresh_token.clone();
        match &refresh {
            Some(rt) => {
                form.push(("grant_type", "refresh_token"));
                form.push(("refresh_token", rt.expose()));
                form.push(("scope", "openid"));
            }
            None => form.push(("grant_type", "client_credentials")),
        }
        let auth_err =
            |message: String, status: Option<u16>, source: Option<BoxError>| ApiError::Auth {
                authority: authority.clone(),
                message,
                status,
                retryable: status.is_none_or(|s| s == 408 || s == 429 || s >= 500),
                source,
            };
        let req = http
            .post(&url)
            .header("Accept", "application/json")
            .form(&form);
        let answer = match transfer::send(req, timeout, max_body_bytes).await {
            Ok(a) => a,
            Err(Failure::NoAnswer(e)) => {
                return Err(auth_err(transfer::describe(&e), None, Some(Box::new(e))));
            }
            Err(Failure::BodyBroken { status, error }) => {
                return Err(auth_err(
                    format!("HTTP {status}: {}", transfer::describe(&error)),
                    None,
                    Some(Box::new(error)),
                ));
            }
            Err(Failure::NoHeadersInTime | Failure::BodyTooSlow { .. }) => {
                return Err(auth_err(
                    format!(
                        "timed out: no complete answer within {}",
                        humantime::format_duration(timeout)
                    ),
                    None,
                    Some(Box::new(transfer::DeadlineExceeded(timeout))),
                ));
            }
            Err(Failure::TooLarge { status }) => {
                return Err(ApiError::Auth {
                    authority: authority.clone(),
                    message: format!(
                        "HTTP {status}: the answer is larger than {max_body_bytes} bytes"
                    ),
                    status: Some(status),
                    retryable: false,
                    source: None,
                });
            }
        };
        let status = answer.status;
        if (300..400).contains(&status) {
            let base = url::Url::parse(&url).ok();
            let location = answer.headers.get("location").and_then(|v| v.to_str().ok());
            let target = base
                .map(|b| super::limits::redirect_target(&b, location))
                .unwrap_or_else(|| "an unknown place".into());
            return Err(ApiError::Auth {
                authority: authority.clone(),
                message: format!(
                    "POST /{tenant_id}/oauth2/token: HTTP {status} redirect to {target} refused; the token endpoint's redirects are never followed (the request carries the client secret)"
                ),
                status: Some(status),
                retryable: false,
                source: None,
            });
        }
        let body = answer.body;
        let parsed: Option<TokenResponse> = serde_json::from_slice(&body).ok();
        let parsed = match parsed {
            Some(p) if (200..300).contains(&status) && p.access_token.is_some() => p,
            Some(p) => {
                let what = [p.error, p.error_description]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": ");
                let what = if what.is_empty() {
                    "no access token in the answer".to_string()
                } else {
                    what
                };
                return Err(auth_err(
                    format!("HTTP {status}: {what}"),
                    Some(status),
                    None,
                ));
            }
            None => {
                return Err(auth_err(
                    format!("HTTP {status}: the answer is not a token response"),
                    Some(status),
                    None,
                ));
            }
        };
        let token = Secret::new(parsed.access_token.unwrap_or_default());
        let lifetime = match (parsed.expires_in, parsed.expires_on) {
            (Some(s), _) => Duration::from_secs(s.max(0) as u64),
            (None, Some(on)) => {
                // An absolute expiry is read against the clock's wall time.
                let unix_now = self.clock.wall().timestamp();
                Duration::from_secs((on - unix_now).max(0) as u64)
            }
            (None, None) => Duration::from_secs(3600),
        };
        let buffer = EXPIRY_BUFFER.min(lifetime / 2);
        // A server announcing a tiny lifetime must not make every call fetch a token: cache it
        // at least `min_lifetime` (a 401 still drops it and fetches a new one).
        let cached_for = (lifetime - buffer).max(self.min_lifetime);
        st.cached = Some(Cached {
            token: token.clone(),
            refresh_at: now + cached_for,
        });
        if let Some(rt) = parsed.refresh_token.filter(|r| !r.is_empty()) {
            st.refresh_token = Some(Secret::new(rt));
        }
        Ok((token, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let v: Vec<(String, String)> = pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        move |k| v.iter().find(|(a, _)| a == k).map(|(_, b)| b.clone())
    }

    #[test]
    fn partner_tenant_from_the_tenant_id_or_the_token_claim() {
        use base64::Engine as _;
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"tid":"t-42"}"#);
        let jwt = format!("eyJhbGciOiJub25lIn0.{claims}.sig");
        let c = Credentials::from_lookup(env(&[("PARTNER_CENTER_ACCESS_TOKEN", &jwt)])).unwrap();
        assert_eq!(c.partner_tenant().as_deref(), Some("t-42"));
        let c =
            Credentials::from_lookup(env(&[("PARTNER_CENTER_ACCESS_TOKEN", "opaque")])).unwrap();
        assert_eq!(c.partner_tenant(), None);
        let c = Credentials::app_only("tenant-1", "c", Secret::new("s".to_owned()), "https://a");
        assert_eq!(c.partner_tenant().as_deref(), Some("tenant-1"));
    }

    #[test]
    fn kinds_from_env() {
        let c = Credentials::from_lookup(env(&[("PARTNER_CENTER_ACCESS_TOKEN", "tok-secret")]))
            .unwrap();
        assert_eq!(c.kind(), CredentialsKind::Token);
        assert!(!format!("{c:?}").contains("tok-secret"));
        let base = [
            ("PARTNER_CENTER_TENANT_ID", "t"),
            ("PARTNER_CENTER_CLIENT_ID", "c"),
            ("PARTNER_CENTER_CLIENT_SECRET", "shh-secret"),
        ];
        let c = Credentials::from_lookup(env(&base)).unwrap();
        assert_eq!(c.kind(), CredentialsKind::AppOnly);
        let mut more = base.to_vec();
        more.push(("PARTNER_CENTER_REFRESH_TOKEN", "rt-secret"));
        more.push(("PARTNER_CENTER_AUTHORITY", "http://127.0.0.1:9/"));
        let c = Credentials::from_lookup(env(&more)).unwrap();
        assert_eq!(c.kind(), CredentialsKind::AppUser);
        let dbg = format!("{c:?}");
        assert!(
            !dbg.contains("shh-secret") && !dbg.contains("rt-secret"),
            "{dbg}"
        );
        assert!(
            matches!(c, Credentials::Client { ref authority, .. } if authority == "http://127.0.0.1:9/")
        );
        assert_eq!(
            Credentials::from_lookup(env(&[])).unwrap_err(),
            CredentialsError::Missing
        );
        assert_eq!(
            Credentials::from_lookup(env(&base[..2])).unwrap_err(),
            CredentialsError::Incomplete("PARTNER_CENTER_CLIENT_SECRET")
        );
        let mut insecure = base.to_vec();
        insecure.push(("PARTNER_CENTER_AUTHORITY", "http://login.example.com"));
        let e = Credentials::from_lookup(env(&insecure)).unwrap_err();
        assert!(
            matches!(
                e,
                CredentialsError::Authority(super::super::EndpointError::InsecureAuthority(_))
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("PARTNER_CENTER_AUTHORITY"), "{e}");
    }
}
