//! Link resolution (§1.3: relative URIs gain `/v1` unless they have it) and reading whole
//! collections across pages (§1.4: follow `links.next` with the headers it lists, which covers
//! both seek paging with `MS-ContinuationToken` and size/offset paging).

use super::Client;
use super::error::ApiError;
use super::http::{Call, RequestId};
use super::wire::common::{Collection, Link};
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use url::Url;

/// Resolves a link URI against the base URL. Relative paths without a `/v1` prefix get one;
/// absolute URLs are accepted only on the base URL's origin (the bearer token must not leak).
pub fn resolve_link(base: &Url, uri: &str) -> Result<Url, ApiError> {
    let uri = uri.trim();
    let invalid = |reason: &str| ApiError::InvalidInput {
        what: "link",
        value: uri.to_string(),
        reason: reason.to_string(),
    };
    if uri.is_empty() {
        return Err(invalid("empty link"));
    }
    if let Ok(abs) = Url::parse(uri) {
        if abs.origin() != base.origin() {
            return Err(invalid(
                "the link points to another host; refusing to send credentials there",
            ));
        }
        return Ok(abs);
    }
    let rel = if uri.starts_with('/') {
        uri.to_string()
    } else {
        format!("/{uri}")
    };
    let (path, rest) = match rel.find(['?', '#']) {
        Some(i) => rel.split_at(i),
        None => (rel.as_str(), ""),
    };
    let lower = path.to_ascii_lowercase();
    let path = if lower == "/v1" || lower.starts_with("/v1/") {
        path.to_string()
    } else {
        format!("/v1{path}")
    };
    let prefix = base.path().trim_end_matches('/');
    let mut out = base.clone();
    out.set_query(None);
    out.set_fragment(None);
    let joined = format!("{prefix}{path}{rest}");
    out.join(&joined).map_err(|e| invalid(&e.to_string()))
}

impl Client {
    /// Reads every page of a collection, starting with `first`. A next link or continuation
    /// token seen before, too many pages, too many items or a run of empty pages that still
    /// announce a next one end the read with [`ApiError::Paging`].
    pub(crate) async fn collect_pages<T: DeserializeOwned>(
        &self,
        first: Call,
    ) -> Result<Vec<T>, ApiError> {
        self.collect_pages_unscrubbed(first)
            .await
            .map_err(ApiError::scrubbed)
    }

    async fn collect_pages_unscrubbed<T: DeserializeOwned>(
        &self,
        first: Call,
    ) -> Result<Vec<T>, ApiError> {
        let limits = &self.inner.limits;
        let fail = |call: &Call, reason: String| ApiError::Paging {
            method: call.method.to_string(),
            path: first.path(),
            reason: format!("{reason} (last page read: {})", call.path()),
        };
        let mut items = Vec::new();
        let mut call = first.clone();
        let mut seen_links: HashSet<(String, Vec<(String, String)>)> = HashSet::new();
        let mut seen_tokens: HashSet<String> = HashSet::new();
        let mut empty_run = 0usize;
        for page_no in 1..=limits.max_pages.max(1) {
            let reply = self.execute(&call).await?;
            let page: Collection<T> = reply.json()?;
            if page.items.is_empty() {
                empty_run += 1;
            } else {
                empty_run = 0;
            }
            items.extend(page.items);
            if items.len() > limits.max_items {
                return Err(fail(
                    &call,
                    format!(
                        "the collection has more than {} items; refusing to read further",
                        limits.max_items
                    ),
                ));
            }
            let Some(next) = page.links.and_then(|l| l.next) else {
                return Ok(items);
            };
            if page_no == limits.max_pages.max(1) {
                break;
            }
            if empty_run >= limits.max_empty_pages.max(1) {
                return Err(fail(
                    &call,
                    format!(
                        "{empty_run} empty pages in a row still announce a next page; the server's paging does not end"
                    ),
                ));
            }
            let next_call = self.next_page_call(&call, &next)?;
            let key = (next_call.url.to_string(), next_call.headers.clone());
            if !seen_links.insert(key) {
                return Err(fail(
                    &call,
                    "the server's next-page link repeats an earlier page".into(),
                ));
            }
            let token = next_call
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("ms-continuationtoken"))
                .map(|(_, v)| v.clone());
            if let Some(t) = token
                && !seen_tokens.insert(t)
            {
                return Err(fail(
                    &call,
                    "the server's continuation token repeats an earlier one".into(),
                ));
            }
            call = next_call;
        }
        Err(fail(
            &call,
            format!(
                "more than {} pages; the server's paging does not end",
                limits.max_pages
            ),
        ))
    }

    fn next_page_call(&self, prev: &Call, next: &Link) -> Result<Call, ApiError> {
        let url = resolve_link(&self.inner.base_url, &next.uri)?;
        let headers = next
            .headers
            .iter()
            .filter(|h| !h.key.is_empty() && !is_reserved_header(&h.key))
            .map(|h| (h.key.clone(), h.value.clone()))
            .collect();
        Ok(Call {
            url,
            headers,
            request_id: RequestId::new(),
            ..prev.clone()
        })
    }
}

/// Headers a link may not override.
fn is_reserved_header(name: &str) -> bool {
    [
        "authorization",
        "host",
        "content-length",
        "ms-requestid",
        "ms-correlationid",
    ]
    .iter()
    .any(|h| h.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_gain_v1_unless_present() {
        let base = Url::parse("https://api.partnercenter.microsoft.com").unwrap();
        let u = resolve_link(&base, "/products/DZH318Z0BQ3Q/skus?country=US").unwrap();
        assert_eq!(
            u.as_str(),
            "https://api.partnercenter.microsoft.com/v1/products/DZH318Z0BQ3Q/skus?country=US"
        );
        let u = resolve_link(&base, "/v1/customers/c/carts/x").unwrap();
        assert_eq!(u.path(), "/v1/customers/c/carts/x");
        let u = resolve_link(&base, "customers/c/subscriptions/s/registrationstatus").unwrap();
        assert_eq!(
            u.path(),
            "/v1/customers/c/subscriptions/s/registrationstatus"
        );
        let u = resolve_link(&base, "/v1").unwrap();
        assert_eq!(u.path(), "/v1");
        let u = resolve_link(&base, "/v1products").unwrap();
        assert_eq!(u.path(), "/v1/v1products");
    }

    #[test]
    fn links_keep_a_base_path_prefix_and_refuse_other_hosts() {
        let base = Url::parse("http://127.0.0.1:8080/pc/").unwrap();
        let u = resolve_link(&base, "/invoices?size=2&offset=2").unwrap();
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:8080/pc/v1/invoices?size=2&offset=2"
        );
        assert!(resolve_link(&base, "https://evil.example/v1/x").is_err());
        assert!(resolve_link(&base, "http://127.0.0.1:8080/pc/v1/x").is_ok());
    }
}
