//! The cache seam: [`Cache`] stores keyed JSON blobs with an optional expiry, grouped in
//! namespaces (`orders/<customer>`, …). A cache is an optimisation: callers treat any failure as a
//! miss.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One cached entry's address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CacheKey {
    /// `/`-separated segments, each a plain name (`[A-Za-z0-9_-]`, at most 100 characters).
    pub namespace: String,
    /// A plain name, as a namespace segment.
    pub key: String,
}

/// A stored value and when it stops being valid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheEntry {
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    pub value: serde_json::Value,
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cache name {0:?} is not a plain name")]
    InvalidName(String),
    #[error("cannot use the cache entry {what}")]
    Store {
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// A cache backend.
#[async_trait::async_trait]
pub trait Cache: Send + Sync {
    /// The entry's value, unless it is missing or expired at `now` (derived from [`Cache::entry`]
    /// for every backend).
    async fn get(
        &self,
        namespace: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<serde_json::Value>, CacheError> {
        Ok(self
            .entry(namespace, key)
            .await?
            .filter(|e| live(e, now))
            .map(|e| e.value))
    }
    async fn put(&self, namespace: &str, key: &str, entry: &CacheEntry) -> Result<(), CacheError>;
    /// Every entry in `namespace` and the namespaces under it (`""`: all), sorted.
    async fn list(&self, namespace: &str) -> Result<Vec<CacheKey>, CacheError>;
    /// The raw entry (expired or not), for copying a store.
    async fn entry(&self, namespace: &str, key: &str) -> Result<Option<CacheEntry>, CacheError>;
}

/// A plain name: what both a key and each namespace segment must be.
pub fn is_plain_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A key for `text` whatever it holds: `<prefix>-` and 32 hex digits of its SHA-256.
pub fn hashed_name(prefix: &str, text: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(text.as_bytes());
    let hex: String = d[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{hex}")
}

/// `id` itself when it is a plain name, else [`hashed_name`] with the prefix `h`.
pub fn plain_or_hashed(id: &str) -> String {
    if is_plain_name(id) {
        id.to_owned()
    } else {
        hashed_name("h", id)
    }
}

/// Checks a namespace (`a/b/c`) and a key.
pub fn check_address(namespace: &str, key: &str) -> Result<(), CacheError> {
    for seg in namespace.split('/').chain(std::iter::once(key)) {
        if !is_plain_name(seg) {
            return Err(CacheError::InvalidName(seg.to_owned()));
        }
    }
    Ok(())
}

/// An entry is live when it has no expiry or expires after `now`.
pub fn live(entry: &CacheEntry, now: DateTime<Utc>) -> bool {
    entry.expires_at.is_none_or(|t| t > now)
}

/// A cache that holds nothing (a store that could not be opened): every read misses, every
/// write is dropped.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCache;

#[async_trait::async_trait]
impl Cache for NoCache {
    async fn put(&self, _: &str, _: &str, _: &CacheEntry) -> Result<(), CacheError> {
        Ok(())
    }
    async fn list(&self, _: &str) -> Result<Vec<CacheKey>, CacheError> {
        Ok(Vec::new())
    }
    async fn entry(&self, _: &str, _: &str) -> Result<Option<CacheEntry>, CacheError> {
        Ok(None)
    }
}
