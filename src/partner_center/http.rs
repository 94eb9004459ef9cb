//! Sending one logical operation: headers (§4), the rate limiter, tokens (one refresh on a
//! 401), and the retry loop (network errors, timeouts, 408 and 5xx with backoff; 429 waits at
//! least `Retry-After`, up to a cap; other 4xx final; attempts bounded). Every attempt of an
//! operation carries the same `MS-RequestId` and a fresh `MS-CorrelationId`. A redirect off the
//! configured host, a body larger than the limit and a body that does not complete in time are
//! final errors.

use super::Client;
use super::error::{ApiError, BoxError};
use super::limits;
use super::secret::scrub;
use super::transfer::{self, Failure};
use super::wire::common::{first_header_value, normalize_keys, opt_string_or_number};
use bytes::Bytes;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::time::Duration;
use url::Url;

/// Value of the client identification header (`MS-PartnerCenter-Client`) and User-Agent.
pub const CLIENT_NAME: &str = concat!("reservoir/", env!("CARGO_PKG_VERSION"));

/// The `MS-RequestId` of one logical operation (a GUID). Writes take one from the caller so it
/// can be persisted before the request is sent and reused when resuming.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct RequestId(String);

impl RequestId {
    /// A fresh random id.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        RequestId(uuid::Uuid::new_v4().to_string())
    }

    /// Parses a persisted id; it must be a GUID.
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        uuid::Uuid::parse_str(s.trim())
            .map(|u| RequestId(u.to_string()))
            .map_err(|_| ApiError::InvalidInput {
                what: "request id",
                value: s.to_string(),
                reason: "an MS-RequestId must be a GUID".into(),
            })
    }

    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Retry policy: total attempts per operation (first try included) and the delays between them.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub backoff: crate::time::Backoff,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            backoff: crate::time::Backoff::default(),
        }
    }
}

/// Request category for statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Customer,
    Catalog,
    Cart,
    Order,
    Entitlement,
    Invoice,
    /// The partner price sheet and FX rates (another host and token audience).
    Prices,
    Auth,
}

impl Category {
    /// Lower-case name (`"catalog"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Customer => "customer",
            Category::Catalog => "catalog",
            Category::Cart => "cart",
            Category::Order => "order",
            Category::Entitlement => "entitlement",
            Category::Invoice => "invoice",
            Category::Prices => "prices",
            Category::Auth => "auth",
        }
    }
}

/// One logical operation to send.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub method: Method,
    pub url: Url,
    pub category: Category,
    /// Customer tenant the call concerns (per-customer rate limit key).
    pub customer: Option<String>,
    pub body: Option<Vec<u8>>,
    pub headers: Vec<(String, String)>,
    pub accept: &'static str,
    pub request_id: RequestId,
    /// A write: its outcome may be open after a timeout or 5xx.
    pub write: bool,
}

impl Call {
    pub(crate) fn get(url: Url, category: Category, customer: Option<&str>) -> Self {
        Call {
            method: Method::GET,
            url,
            category,
            customer: customer.map(str::to_string),
            body: None,
            headers: Vec::new(),
            accept: "application/json",
            request_id: RequestId::new(),
            write: false,
        }
    }

    pub(crate) fn path(&self) -> String {
        match self.url.query() {
            Some(q) => format!("{}?{}", self.url.path(), q),
            None => self.url.path().to_string(),
        }
    }
}

/// A successful response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub method: String,
    pub path: String,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(first_header_value)
            .map(str::to_string)
    }

    /// Decodes the JSON body leniently (PascalCase keys folded, unknown fields ignored).
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        let err = |message: String| {
            ApiError::Decode {
                method: self.method.clone(),
                path: self.path.clone(),
                status: self.status,
                message,
            }
            .scrubbed()
        };
        let v: serde_json::Value = serde_json::from_slice(&self.body)
            .map_err(|e| err(format!("the body is not JSON ({e})")))?;
        serde_json::from_value(normalize_keys(v)).map_err(|e| err(e.to_string()))
    }
}

/// Partner Center error body (`code` number or string; 429 bodies use `message`).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ErrorBody {
    #[serde(deserialize_with = "opt_string_or_number")]
    code: Option<String>,
    description: Option<String>,
    message: Option<String>,
}

fn parse_error_body(body: &[u8]) -> (Option<String>, Option<String>) {
    let v: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let Some(v) = v.map(normalize_keys) else {
        return (None, None);
    };
    let e: ErrorBody = serde_json::from_value(v).unwrap_or_default();
    // Scrub before cutting, so that a secret cut in half cannot survive.
    let mut description = e.description.or(e.message).map(|d| scrub(&d).into_owned());
    if let Some(d) = &mut description
        && d.len() > 1024
    {
        let mut cut = 1024;
        while !d.is_char_boundary(cut) {
            cut -= 1;
        }
        d.truncate(cut);
    }
    (
        e.code
            .filter(|c| !c.is_empty())
            .map(|c| scrub(&c).into_owned()),
        description,
    )
}

/// `Retry-After` in seconds as asked (HTTP dates are not used by Partner Center); the caller
/// compares it with its cap.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let raw = headers.get("retry-after")?.to_str().ok()?;
    let first = first_header_value(raw)?;
    first
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(1e9)))
}

impl Client {
    /// Sends one logical operation with retries; returns the first 2xx response. Every error
    /// returned is scrubbed of known secret values.
    pub(crate) async fn execute(&self, call: &Call) -> Result<Reply, ApiError> {
        self.execute_unscrubbed(call)
            .await
            .map_err(ApiError::scrubbed)
    }

    async fn execute_unscrubbed(&self, call: &Call) -> Result<Reply, ApiError> {
        let inner = &self.inner;
        let method = call.method.to_string();
        let path = call.path();
        let max_attempts = inner.retry.max_attempts.max(1);
        let mut backoff = inner.retry.backoff.clone();
        let mut attempts = 0u32;
        let mut refreshed_after_401 = false;
        let mut stale_token = None;
        loop {
            attempts += 1;
            if attempts > 1 {
                inner.stats.retry();
            }
            inner.limiter.acquire(call.customer.as_deref()).await;
            let tokens = if call.category == Category::Prices {
                &inner.price_tokens
            } else {
                &inner.tokens
            };
            let token_call = tokens.token(
                &inner.token_http,
                stale_token.as_ref(),
                inner.request_timeout,
                inner.limits.max_body_bytes,
            );
            let (token, fetched) = match token_call.await {
                Ok(t) => t,
                Err(ApiError::Auth {
                    retryable: true, ..
                }) if attempts < max_attempts => {
                    inner.stats.request(Category::Auth);
                    let d = backoff.next().unwrap_or_default();
                    inner.clock.sleep(d).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            if fetched {
                inner.stats.request(super::Category::Auth);
            }
            let mut req = inner
                .http
                .request(call.method.clone(), call.url.clone())
                .bearer_auth(token.expose())
                .header("Accept", call.accept)
                .header("MS-RequestId", call.request_id.as_str())
                .header("MS-CorrelationId", uuid::Uuid::new_v4().to_string())
                .header("MS-Contract-Version", "v1")
                .header("MS-PartnerCenter-Client", CLIENT_NAME)
                .header("X-Locale", "en-US");
            for (k, v) in &call.headers {
                req = req.header(k.as_str(), v.as_str());
            }
            if let Some(body) = &call.body {
                req = req
                    .header("Content-Type", "application/json")
                    .body(body.clone());
            } else if call.method == Method::POST || call.method == Method::PUT {
                req = req.header("Content-Length", "0");
            }
            inner.stats.request(call.category);
            tracing::debug!(method = %method, path = %scrub(&path), attempt = attempts, request_id = %call.request_id, "partner center request");
            let sent =
                transfer::send(req, inner.request_timeout, inner.limits.max_body_bytes).await;
            let transport =
                |what: String, outcome_unknown: bool, source: BoxError| ApiError::Transport {
                    method: method.clone(),
                    path: path.clone(),
                    attempts,
                    what,
                    outcome_unknown,
                    source,
                };
            let timeout = inner.request_timeout;
            let (status, headers, body) = match sent {
                Ok(a) => (a.status, a.headers, a.body),
                Err(Failure::TooLarge { status }) => {
                    return Err(ApiError::BodyTooLarge {
                        method,
                        path,
                        status,
                        limit_bytes: inner.limits.max_body_bytes,
                        outcome_unknown: call.write,
                    });
                }
                Err(Failure::BodyTooSlow { status }) => {
                    // The server answers but too slowly: not retried (a retry would wait as long).
                    return Err(transport(
                        format!(
                            "timed out: the answer (HTTP {status}) did not complete within {} (raise --timeout if the service is just slow)",
                            humantime::format_duration(timeout)
                        ),
                        call.write,
                        Box::new(transfer::DeadlineExceeded(timeout)),
                    ));
                }
                Err(failure) => {
                    let (what, outcome_unknown, source): (String, bool, BoxError) = match failure {
                        Failure::NoHeadersInTime => (
                            format!(
                                "timed out: no answer within {}",
                                humantime::format_duration(timeout)
                            ),
                            call.write,
                            Box::new(transfer::DeadlineExceeded(timeout)),
                        ),
                        Failure::NoAnswer(e) => (
                            transfer::describe(&e),
                            call.write && !e.is_connect(),
                            Box::new(e),
                        ),
                        Failure::BodyBroken { error, .. } => {
                            (transfer::describe(&error), call.write, Box::new(error))
                        }
                        Failure::TooLarge { .. } | Failure::BodyTooSlow { .. } => {
                            unreachable!("handled above")
                        }
                    };
                    tracing::debug!(method = %method, path = %scrub(&path), attempt = attempts, "transport error: {what}");
                    if attempts < max_attempts {
                        let d = backoff.next().unwrap_or_default();
                        inner.clock.sleep(d).await;
                        continue;
                    }
                    return Err(transport(what, outcome_unknown, source));
                }
            };
            if (300..400).contains(&status) {
                // Same-origin redirects were followed by the HTTP client; this one leaves it.
                let location = headers.get("location").and_then(|v| v.to_str().ok());
                return Err(ApiError::Redirect {
                    target: limits::redirect_target(&call.url, location),
                    method,
                    path,
                    status,
                    outcome_unknown: call.write,
                });
            }
            if status == 429 {
                inner.stats.throttled();
                let ra = retry_after(&headers);
                let cap = inner.limits.max_retry_after;
                if let Some(asked) = ra.filter(|d| *d > cap) {
                    inner.limiter.throttled(call.customer.as_deref(), cap);
                    return Err(ApiError::RetryAfterTooLong {
                        method,
                        path,
                        asked_secs: asked.as_secs_f64().ceil() as u64,
                        cap_secs: cap.as_secs(),
                    });
                }
                let wait = ra
                    .unwrap_or(Duration::ZERO)
                    .max(backoff.next().unwrap_or_default())
                    .min(cap);
                inner
                    .limiter
                    .throttled(call.customer.as_deref(), ra.unwrap_or(wait));
                if attempts < max_attempts {
                    tracing::debug!(method = %method, path = %scrub(&path), "throttled; waiting {wait:?}");
                    inner.clock.sleep(wait).await;
                    continue;
                }
                return Err(ApiError::Throttled {
                    method,
                    path,
                    attempts,
                    retry_after_secs: ra.map(|d| d.as_secs()),
                });
            }
            inner.limiter.succeeded(call.customer.as_deref());
            if (200..300).contains(&status) {
                return Ok(Reply {
                    status,
                    headers,
                    body,
                    method,
                    path,
                });
            }
            let (code, description) = parse_error_body(&body);
            if status == 401
                && !refreshed_after_401
                && inner.tokens.kind() != super::CredentialsKind::Token
            {
                refreshed_after_401 = true;
                stale_token = Some(token);
                // Exactly one refresh-and-retry, even when the attempt budget is spent.
                continue;
            }
            if status == 403 && code.as_deref() == Some("900329") {
                return Err(ApiError::AppUserRequired { method, path });
            }
            let retryable = status == 408 || status >= 500;
            if retryable && attempts < max_attempts {
                let d = backoff.next().unwrap_or_default();
                inner.clock.sleep(d).await;
                continue;
            }
            return Err(ApiError::Http {
                method,
                path,
                status,
                code,
                description,
                attempts,
                outcome_unknown: call.write && retryable,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_code_number_or_string() {
        let (c, d) = parse_error_body(
            br#"{"code":800013,"description":"nope","data":[],"source":"PartnerFD"}"#,
        );
        assert_eq!((c.as_deref(), d.as_deref()), (Some("800013"), Some("nope")));
        let (c, _) = parse_error_body(br#"{"Code":"900329","Description":"app only"}"#);
        assert_eq!(c.as_deref(), Some("900329"));
        let (c, d) = parse_error_body(br#"{"statusCode":429,"message":"Rate limit is exceeded."}"#);
        assert_eq!((c, d.as_deref()), (None, Some("Rate limit is exceeded.")));
        assert_eq!(parse_error_body(b"<html>"), (None, None));
    }

    #[test]
    fn retry_after_seconds_and_joined() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "23".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(23)));
        h.insert("retry-after", "5, 5".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(5)));
        // the wait asked is reported as is (the caller caps it)
        h.insert("retry-after", "86400".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(86400)));
    }

    #[test]
    fn request_ids_are_guids() {
        assert!(RequestId::parse(RequestId::new().as_str()).is_ok());
        assert!(RequestId::parse("not-a-guid").is_err());
    }
}
