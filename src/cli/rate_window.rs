//! The partner-wide rate window, carried from one command to the next on this machine: Partner
//! Center counts the requests of the last minute whoever sent them, so a command started right
//! after another one (a `plan` job directly followed by `apply`, say) counts the sends of the
//! previous one that are still in the window instead of meeting 429s.
//!
//! Kept in the state directory's cache (`<state-dir>/cache/ratelimit/<key>.json`; the key is a
//! digest of the endpoint and the partner tenant, never a credential), whatever the state store:
//! commands on other machines are not seen here (runners sharing a PostgreSQL store share a live
//! window there, [`crate::partner_center::SharedBudget`]; other 429s are still waited out).
//! Like every cache, it is an optimisation: a missing, stale or unreadable entry counts as no
//! earlier sends, and a failed write is ignored.

use crate::partner_center::RateLimiter;
use crate::store::cache::{Cache, CacheEntry, hashed_name};
use crate::store::dir::DirCache;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

const NAMESPACE: &str = "ratelimit";
/// How long an entry is worth keeping after its last send (the window is a minute).
const KEEP: chrono::Duration = chrono::Duration::seconds(61);
/// At most this many sends are kept (a window never holds more than the budget).
const MAX_SENDS: usize = 100_000;

/// Where one partner's window is kept.
#[derive(Debug, Clone)]
pub struct RateWindow {
    state_dir: PathBuf,
    key: String,
}

impl RateWindow {
    /// The window of `partner_tenant` at `endpoint`, in `state_dir`.
    pub fn new(state_dir: &Path, endpoint: &str, partner_tenant: &str) -> Self {
        let text = format!(
            "{}\n{}",
            endpoint.trim_end_matches('/').to_ascii_lowercase(),
            partner_tenant.to_ascii_lowercase()
        );
        RateWindow {
            state_dir: state_dir.to_owned(),
            key: hashed_name("r", &text),
        }
    }

    /// The partner's key: a digest of the endpoint and the partner tenant.
    pub fn key(&self) -> &str {
        &self.key
    }

    fn cache(&self) -> DirCache {
        DirCache::new(&self.state_dir)
    }

    async fn read(&self, now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        match self.cache().get(NAMESPACE, &self.key, now).await {
            Ok(Some(v)) => serde_json::from_value(v).unwrap_or_default(),
            Ok(None) => Vec::new(),
            Err(e) => {
                tracing::debug!("the rate window of earlier commands is not readable: {e}");
                Vec::new()
            }
        }
    }

    /// Counts the earlier commands' sends still in the window in `limiter`.
    pub async fn restore(&self, limiter: &RateLimiter, now: DateTime<Utc>) {
        let sends = self.read(now).await;
        if !sends.is_empty() {
            tracing::debug!(
                "{} request(s) of earlier commands are still in the rate window",
                sends.len()
            );
            limiter.count_earlier_sends(&sends);
        }
    }

    /// Keeps this command's sends still in the window, added to those of the commands that saved
    /// before (the limiter's own sends only: what it counted from them is not written twice).
    pub async fn save(&self, limiter: &RateLimiter, now: DateTime<Utc>) {
        let mut sends = self.read(now).await;
        sends.extend(limiter.recent_sends());
        sends.retain(|t| now - *t < KEEP);
        sends.sort_unstable();
        let drop = sends.len().saturating_sub(MAX_SENDS);
        sends.drain(..drop);
        let Some(last) = sends.last().copied() else {
            return;
        };
        let entry = CacheEntry {
            expires_at: Some(last + KEEP),
            value: serde_json::to_value(&sends).unwrap_or_default(),
        };
        if let Err(e) = self.cache().put(NAMESPACE, &self.key, &entry).await {
            tracing::debug!("the rate window was not kept for the next command: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partner_center::RateLimits;
    use crate::time::{Clock, ManualClock};
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test]
    async fn the_next_command_counts_what_the_last_one_sent_within_the_minute() {
        let dir = tempfile::tempdir().expect("tempdir");
        let limits = RateLimits::new(10, 10_000);
        let window = RateWindow::new(dir.path(), "https://api.partnercenter.microsoft.com", "T");

        let clock = ManualClock::new();
        let first = RateLimiter::new(limits, Arc::new(clock.clone()));
        for _ in 0..9 {
            first.acquire(None).await;
        }
        window.save(&first, clock.wall()).await;

        // Another partner (or endpoint) has its own window.
        let other = RateWindow::new(dir.path(), "https://api.partnercenter.microsoft.com", "U");
        assert!(other.read(clock.wall()).await.is_empty());

        // The next command, 30 s later: 9 of 9.9 are still in the window.
        clock.advance(Duration::from_secs(30));
        let next = RateLimiter::new(limits, Arc::new(clock.clone()));
        window.restore(&next, clock.wall()).await;
        let before = clock.now();
        next.acquire(None).await;
        assert!(clock.now() - before >= Duration::from_secs(29));
        // It keeps the first command's 9 and its own 1, each once.
        window.save(&next, clock.wall()).await;
        assert_eq!(window.read(clock.wall()).await.len(), 10);

        // A command a minute later finds nothing left.
        clock.advance(Duration::from_secs(62));
        let later = RateLimiter::new(limits, Arc::new(clock.clone()));
        window.restore(&later, clock.wall()).await;
        let before = clock.now();
        for _ in 0..9 {
            later.acquire(None).await;
        }
        assert_eq!(clock.now(), before, "nothing to wait for");
    }

    #[tokio::test]
    async fn an_unreadable_entry_counts_as_no_earlier_sends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let window = RateWindow::new(dir.path(), "e", "t");
        let path = dir
            .path()
            .join("cache")
            .join(NAMESPACE)
            .join(format!("{}.json", window.key));
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, "{ not json").expect("write");
        let clock = ManualClock::new();
        let limiter = RateLimiter::new(RateLimits::new(10, 10), Arc::new(clock.clone()));
        window.restore(&limiter, clock.wall()).await;
        assert!(window.read(clock.wall()).await.is_empty());
        // And saving replaces it.
        limiter.acquire(None).await;
        window.save(&limiter, clock.wall()).await;
        assert_eq!(window.read(clock.wall()).await.len(), 1);
    }
}
