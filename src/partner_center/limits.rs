//! Bounds that keep a hostile or broken server from holding a run hostage or stealing
//! credentials: the longest `Retry-After` honoured, how many pages and items one collection may
//! have, the largest body read, the shortest token lifetime cached, and the redirect policy
//! (same scheme, host and port only).

use std::time::Duration;

/// Bounds applied by the client (see the module doc). `Default` gives the production values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The longest `Retry-After` waited for on a 429; a server asking for more fails the call
    /// with [`ApiError::RetryAfterTooLong`](super::ApiError::RetryAfterTooLong).
    pub max_retry_after: Duration,
    /// Pages read for one collection before giving up.
    pub max_pages: usize,
    /// Items read for one collection before giving up.
    pub max_items: usize,
    /// Consecutive empty pages that still carry a `next` link before giving up.
    pub max_empty_pages: usize,
    /// The largest response body read (streamed; the read stops at the limit).
    pub max_body_bytes: u64,
    /// A token is cached at least this long, whatever `expires_in` says (a 401 still refreshes
    /// it), so `expires_in: 0` cannot cause one token request per call.
    pub min_token_lifetime: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_retry_after: Duration::from_secs(120),
            max_pages: 1_000,
            max_items: 500_000,
            max_empty_pages: 10,
            max_body_bytes: 32 * 1024 * 1024,
            min_token_lifetime: Duration::from_secs(60),
        }
    }
}

/// Redirects are followed only to the same scheme, host and port as the request they answer
/// (at most 10 in a row); anything else is handed back as the 3xx answer, which the client
/// turns into an error. Credentials therefore never travel to another host.
pub(crate) fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same = attempt
            .previous()
            .last()
            .is_some_and(|prev| prev.origin() == attempt.url().origin());
        if same && attempt.previous().len() <= 10 {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// `scheme://host[:port]` of a redirect target (never its path or query, which may carry
/// anything), or a placeholder when it cannot be read.
pub(crate) fn redirect_target(base: &url::Url, location: Option<&str>) -> String {
    location
        .and_then(|l| base.join(l.trim()).ok())
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
        .unwrap_or_else(|| "an unknown place".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_targets_show_the_origin_only() {
        let base = url::Url::parse("http://127.0.0.1:8080/v1/x").unwrap();
        assert_eq!(
            redirect_target(&base, Some("https://evil.example/steal?token=abc")),
            "https://evil.example"
        );
        assert_eq!(
            redirect_target(&base, Some("/v1/y")),
            "http://127.0.0.1:8080"
        );
        assert_eq!(redirect_target(&base, None), "an unknown place");
    }
}
