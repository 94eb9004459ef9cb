//! The partner-wide budget shared by every run of the partner, on any machine (the PostgreSQL
//! state store keeps it): Partner Center counts one partner's requests per minute whoever sends
//! them, so runners sharing a store take their sends from one sliding window instead of each
//! spending the whole budget and meeting 429s.
//!
//! The limiter ([`super::RateLimiter`]) still paces each run with its own window; with a shared
//! budget it also needs a grant for every partner-wide send. Grants are taken a few at a time
//! ([`batch`]), so the store sees one call per batch, not one per request. A store that fails to
//! answer, or takes longer than [`DEADLINE`], turns sharing off for the rest of the run (logged
//! once): the run is then paced alone, as without a shared store, and a 429 is still waited out.

use std::time::Duration;

/// What the shared window gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// Sends granted now (0 ..= asked).
    pub granted: u32,
    /// When nothing was granted: how long until the window's oldest grant leaves it.
    pub retry_in: Duration,
}

/// Why the shared window could not answer.
#[derive(Debug, thiserror::Error)]
#[error("the shared request budget is not available")]
pub struct SharedBudgetError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

/// A partner-wide sliding window of sends shared between runs.
#[async_trait::async_trait]
pub trait SharedBudget: Send + Sync {
    /// Up to `want` sends for `partner` now, keeping every 60-second span of all runs' grants
    /// within `per_minute`.
    async fn grant(
        &self,
        partner: &str,
        want: u32,
        per_minute: u32,
    ) -> Result<Grant, SharedBudgetError>;
}

/// How long a grant may take before sharing is turned off for the run.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// How many sends to ask for at once: a twenty-fifth of the minute's budget, between 1 and 50
/// (about 25 store calls per minute at most; grants a run leaves unused are at most a batch).
pub fn batch(per_minute: u32) -> u32 {
    (per_minute / 25).clamp(1, 50)
}

/// How long to wait before asking again after an empty grant: what the store said, within
/// 50 ms and 5 s (another run may have left grants unused).
pub fn pause(retry_in: Duration) -> Duration {
    retry_in.clamp(Duration::from_millis(50), Duration::from_secs(5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_a_small_share_of_the_minute() {
        assert_eq!(batch(500), 20);
        assert_eq!(batch(10), 1);
        assert_eq!(batch(60_000), 50);
        assert_eq!(pause(Duration::ZERO), Duration::from_millis(50));
        assert_eq!(pause(Duration::from_secs(40)), Duration::from_secs(5));
    }
}

#[cfg(test)]
#[path = "shared_budget_tests.rs"]
mod limiter_tests;
