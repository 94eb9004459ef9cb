//! [`SharedBudget`] over PostgreSQL: the partner-wide request window every runner sharing the
//! store takes its sends from (`reservoir_rate_grant`, one call per batch of sends, decided on
//! the server's clock under a transaction-scoped advisory lock per partner; see the schema's
//! second migration).

use super::PgStore;
use crate::partner_center::{Grant, SharedBudget, SharedBudgetError};
use std::time::Duration;

/// The window: Partner Center's minute and a margin for requests that reach it later than they
/// were granted.
const WINDOW_MS: i32 = 61_000;

#[async_trait::async_trait]
impl SharedBudget for PgStore {
    async fn grant(
        &self,
        partner: &str,
        want: u32,
        per_minute: u32,
    ) -> Result<Grant, SharedBudgetError> {
        let to_i32 = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        let row = self
            .client
            .query_one(
                "SELECT granted, retry_ms FROM reservoir_rate_grant($1, $2, $3, $4)",
                &[&partner, &to_i32(want), &to_i32(per_minute), &WINDOW_MS],
            )
            .await
            .map_err(|e| SharedBudgetError(Box::new(e)))?;
        let granted: i32 = row.get(0);
        let retry_ms: i64 = row.get(1);
        Ok(Grant {
            granted: u32::try_from(granted).unwrap_or(0),
            retry_in: Duration::from_millis(u64::try_from(retry_ms).unwrap_or(0)),
        })
    }
}
