//! `ApiError`: what a Partner Center call can fail with. Every variant names the method and path;
//! none ever carries a token or secret. [`ApiError::outcome_unknown`] tells the apply engine
//! whether a write may have been committed (resume instead of repeat).

use std::fmt;

/// A boxed error cause.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A failed Partner Center call.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The service answered with an error status.
    #[error("{method} {path}: HTTP {status}{}{} (after {attempts} attempt{})",
        code.as_deref().map(|c| format!(", Partner Center code {c}")).unwrap_or_default(),
        description.as_deref().map(|d| format!(": {d}")).unwrap_or_default(),
        plural(*attempts))]
    Http {
        method: String,
        path: String,
        status: u16,
        code: Option<String>,
        description: Option<String>,
        attempts: u32,
        /// The call was a write and the status (5xx, 408) leaves its outcome open.
        outcome_unknown: bool,
    },
    /// 403 with code 900329: the resource refuses app-only tokens.
    #[error(
        "{method} {path}: Partner Center refuses app-only credentials here (403, code 900329); set PARTNER_CENTER_REFRESH_TOKEN to use App+User credentials"
    )]
    AppUserRequired { method: String, path: String },
    /// Still throttled (429) when the attempts ran out.
    #[error(
        "{method} {path}: throttled by Partner Center (HTTP 429) on all {attempts} attempts; lower --rate-limit or --parallelism"
    )]
    Throttled {
        method: String,
        path: String,
        attempts: u32,
        retry_after_secs: Option<u64>,
    },
    /// No usable response (connection, timeout, body read).
    #[error("{method} {path}: {what} (after {attempts} attempt{})", plural(*attempts))]
    Transport {
        method: String,
        path: String,
        attempts: u32,
        what: String,
        /// The request may have reached the server (a write whose outcome is open).
        outcome_unknown: bool,
        #[source]
        source: BoxError,
    },
    /// Getting an access token failed.
    #[error("cannot get a Partner Center access token from {authority}: {message}")]
    Auth {
        authority: String,
        message: String,
        status: Option<u16>,
        /// A transient failure (network, timeout, 5xx, 429) worth retrying.
        retryable: bool,
    },
    /// The response could not be read as the documented shape.
    #[error("{method} {path}: unexpected response (HTTP {status}): {message}")]
    Decode {
        method: String,
        path: String,
        status: u16,
        message: String,
    },
    /// A caller-supplied value cannot go into a request.
    #[error("invalid {what} {value:?}: {reason}")]
    InvalidInput {
        what: &'static str,
        value: String,
        reason: String,
    },
    /// The client cannot be built or used (bad base URL, TLS setup, paging loop).
    #[error("partner center client: {0}")]
    Config(String),
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl ApiError {
    /// HTTP status, when the service answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } | ApiError::Decode { status, .. } => Some(*status),
            ApiError::AppUserRequired { .. } => Some(403),
            ApiError::Throttled { .. } => Some(429),
            ApiError::Auth { status, .. } => *status,
            _ => None,
        }
    }

    /// Partner Center error code (`code` of the error body), when present.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Http { code, .. } => code.as_deref(),
            ApiError::AppUserRequired { .. } => Some("900329"),
            _ => None,
        }
    }

    /// True when a write may have been committed although no success was seen: a timeout or a
    /// dropped connection after the request was sent, or a 5xx/408 on a write. The caller must
    /// resume (same `MS-RequestId`, re-read) rather than repeat.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ApiError::Http {
                outcome_unknown, ..
            }
            | ApiError::Transport {
                outcome_unknown, ..
            } => *outcome_unknown,
            _ => false,
        }
    }

    /// True for 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
}

/// A transport failure with a message that never includes headers.
#[derive(Debug)]
pub struct Message(pub String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_everything_the_user_needs() {
        let e = ApiError::Http {
            method: "POST".into(),
            path: "/v1/customers/c/carts".into(),
            status: 400,
            code: Some("800013".into()),
            description: Some("Subscription x is not enabled".into()),
            attempts: 1,
            outcome_unknown: false,
        };
        let s = e.to_string();
        for part in [
            "POST",
            "/v1/customers/c/carts",
            "400",
            "800013",
            "not enabled",
            "1 attempt",
        ] {
            assert!(s.contains(part), "{s}");
        }
        assert_eq!(e.code(), Some("800013"));
        assert_eq!(e.status(), Some(400));
        assert!(!e.outcome_unknown());
        let e = ApiError::AppUserRequired {
            method: "GET".into(),
            path: "/v1/x".into(),
        };
        assert!(e.to_string().contains("App+User"));
    }
}
