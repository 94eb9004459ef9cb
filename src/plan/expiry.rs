//! The mark on a row whose holdings expire soon (issue 16): without `renew_before`, units that
//! expire within 60 days ([`crate::kinds::renewal::WARN_WITHIN_DAYS`]) still count as owned,
//! and their row says so — with the first expiry date, the units, the orders and what to do —
//! in text, Markdown and JSON.

use crate::kinds::renewal::ExpiringUnits;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Units of a row's holdings that expire within 60 days, with no renewal window set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiryMark {
    /// Units that expire soon.
    pub units: u32,
    /// The first of their expiry dates, `YYYY-MM-DD`.
    pub expires: String,
    /// Days from the observation to that date, when the observation was timed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_days: Option<i64>,
    /// In words: which orders expire when, and what to do about it.
    pub message: String,
}

impl ExpiryMark {
    /// The mark for `soon` (none when nothing expires soon), observed at `now`.
    pub fn of(soon: &ExpiringUnits, now: Option<DateTime<Utc>>) -> Option<ExpiryMark> {
        if soon.units() == 0 {
            return None;
        }
        let first = soon.first_expiry()?;
        let in_days = now.map(|n| (first - n).num_days().max(0));
        let when = in_days
            .map(|d| format!(" (in {d} days)"))
            .unwrap_or_default();
        Some(ExpiryMark {
            units: soon.units(),
            expires: first.format("%Y-%m-%d").to_string(),
            in_days,
            message: format!(
                "{}{when}; add `renew_before` (e.g. 30d) to renew them before the gap opens",
                soon.describe()
            ),
        })
    }

    /// The short form shown beside the action: `expires 2026-12-19`.
    pub fn short(&self) -> String {
        format!("expires {}", self.expires)
    }
}
