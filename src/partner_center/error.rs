//! `ApiError`: what a Partner Center call can fail with. Every variant names the method and path;
//! none ever carries a token or secret. [`ApiError::outcome_unknown`] tells the apply engine
//! whether a write may have been committed (resume instead of repeat).

/// A boxed error cause.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A failed Partner Center call. Text that comes from a server answer (descriptions, links,
/// decoding messages) is scrubbed of every known secret value ([`super::secret::scrub`]) before
/// it is stored here.
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
        /// The `code` of the error body as sent (see [`ApiError::code_number`]).
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
    /// A 429 whose `Retry-After` asks for a longer wait than the client accepts.
    #[error(
        "{method} {path}: throttled by Partner Center (HTTP 429), which asks to wait {asked_secs} s (Retry-After) — more than the {cap_secs} s reservoir waits; nothing was done, try again later"
    )]
    RetryAfterTooLong {
        method: String,
        path: String,
        asked_secs: u64,
        cap_secs: u64,
    },
    /// A redirect (3xx) the client does not follow: to another scheme, host or port, or any
    /// redirect of the token endpoint.
    #[error(
        "{method} {path}: HTTP {status} redirect to {target} refused; reservoir follows no redirect off the configured host"
    )]
    Redirect {
        method: String,
        path: String,
        status: u16,
        /// The redirect target's origin (`scheme://host:port`), or `an unknown place`.
        target: String,
        /// The call was a write (what the server did with it is not known).
        outcome_unknown: bool,
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
    /// The response body is larger than the client reads.
    #[error(
        "{method} {path}: the response (HTTP {status}) is larger than {limit_bytes} bytes; refusing to read it"
    )]
    BodyTooLarge {
        method: String,
        path: String,
        status: u16,
        limit_bytes: u64,
        /// The call was a write that the server answered (it may have been committed).
        outcome_unknown: bool,
    },
    /// A collection's paging does not end (repeated link or token, too many pages or items).
    #[error("{method} {path}: {reason}")]
    Paging {
        method: String,
        path: String,
        reason: String,
    },
    /// Getting an access token failed.
    #[error("cannot get a Partner Center access token from {authority}: {message}")]
    Auth {
        authority: String,
        message: String,
        status: Option<u16>,
        /// A transient failure (network, timeout, 5xx, 429) worth retrying.
        retryable: bool,
        /// The transport error, when there was no answer.
        #[source]
        source: Option<BoxError>,
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
    /// The client cannot be built or used (bad base URL, TLS setup, request encoding).
    #[error("partner center client: {what}")]
    Config {
        what: String,
        #[source]
        source: Option<BoxError>,
    },
}

impl ApiError {
    /// A configuration error without a cause.
    pub fn config(what: impl Into<String>) -> Self {
        ApiError::Config {
            what: what.into(),
            source: None,
        }
    }

    /// The same error with every registered secret value masked in its text fields.
    pub(crate) fn scrubbed(mut self) -> Self {
        use super::secret::scrub_in_place as s;
        match &mut self {
            ApiError::Http {
                method,
                path,
                code,
                description,
                ..
            } => {
                s(method);
                s(path);
                if let Some(c) = code {
                    s(c);
                }
                if let Some(d) = description {
                    s(d);
                }
            }
            ApiError::AppUserRequired { method, path }
            | ApiError::Throttled { method, path, .. }
            | ApiError::RetryAfterTooLong { method, path, .. }
            | ApiError::BodyTooLarge { method, path, .. } => {
                s(method);
                s(path);
            }
            ApiError::Redirect {
                method,
                path,
                target,
                ..
            } => {
                s(method);
                s(path);
                s(target);
            }
            ApiError::Transport {
                method, path, what, ..
            } => {
                s(method);
                s(path);
                s(what);
            }
            ApiError::Paging {
                method,
                path,
                reason,
            } => {
                s(method);
                s(path);
                s(reason);
            }
            ApiError::Auth {
                authority, message, ..
            } => {
                s(authority);
                s(message);
            }
            ApiError::Decode {
                method,
                path,
                message,
                ..
            } => {
                s(method);
                s(path);
                s(message);
            }
            ApiError::InvalidInput { value, reason, .. } => {
                s(value);
                s(reason);
            }
            ApiError::Config { what, .. } => s(what),
        }
        self
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl ApiError {
    /// HTTP status, when the service answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. }
            | ApiError::Decode { status, .. }
            | ApiError::Redirect { status, .. }
            | ApiError::BodyTooLarge { status, .. } => Some(*status),
            ApiError::AppUserRequired { .. } => Some(403),
            ApiError::Throttled { .. } | ApiError::RetryAfterTooLong { .. } => Some(429),
            ApiError::Auth { status, .. } => *status,
            _ => None,
        }
    }

    /// Partner Center error code (`code` of the error body) as sent, when present.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Http { code, .. } => code.as_deref(),
            ApiError::AppUserRequired { .. } => Some("900329"),
            _ => None,
        }
    }

    /// The Partner Center error code as an integer, when it is numeric (documented codes are;
    /// the text stays available through [`ApiError::code`]).
    pub fn code_number(&self) -> Option<i64> {
        self.code().and_then(|c| c.trim().parse().ok())
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
            }
            | ApiError::Redirect {
                outcome_unknown, ..
            }
            | ApiError::BodyTooLarge {
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
        assert_eq!(e.code_number(), Some(800013));
        assert_eq!(e.status(), Some(400));
        assert!(!e.outcome_unknown());
        let e = ApiError::AppUserRequired {
            method: "GET".into(),
            path: "/v1/x".into(),
        };
        assert!(e.to_string().contains("App+User"));
    }
}
