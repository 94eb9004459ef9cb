//! Runtime knobs: latency, registration, fulfilment, order-list and activity-log delays, checkout
//! behaviours, the "documented shapes" mode and the server's throttle; plus the sliding-window
//! rate limiter. Scripted faults live in `faults.rs`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};

/// Behaviour settings, on `sandbox serve` flags and `GET/PUT /_sandbox/knobs`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Knobs {
    /// Added to every API call.
    pub latency_ms: u64,
    /// Time from `register` to `Registered`.
    pub registration_delay_secs: u64,
    /// Time before a new order shows in the customer's order list.
    pub order_list_delay_secs: u64,
    /// Time a new order stays `pending` before it is `completed` (and entitled); its lines carry
    /// no `subscriptionId` until then.
    pub fulfillment_delay_secs: u64,
    /// Time before a new order's `create_order` record shows in the activity log.
    pub audit_lag_secs: u64,
    /// How long a checkout is "being processed": another checkout of the same cart meanwhile
    /// gets 409/800064.
    pub checkout_processing_ms: u64,
    /// A second checkout of an ordered cart answers 400/800065 instead of the first result.
    pub repeat_checkout_fails: bool,
    /// New orders are held as `pending_po_upload` (never fulfilled while held).
    pub pending_po_upload: bool,
    /// Answer with the shapes the documentation shows (numbers as strings, PascalCase keys,
    /// zone-less timestamps, `0001-01-01T00:00:00`, comma-joined echoed headers, `code` as a
    /// string or a number) instead of the sandbox's own regular ones.
    pub documented_shapes: bool,
    /// Requests per minute for the partner tenant (all API calls); None = unlimited.
    pub partner_rate_limit: Option<u32>,
    /// Requests per minute per partner + customer; None = unlimited.
    pub customer_rate_limit: Option<u32>,
}

/// The default fulfilment delay: orders stay `pending` this long (a few minutes in Partner Center).
pub const DEFAULT_FULFILLMENT_DELAY_SECS: u64 = 120;

/// The published Partner Center limit (requests per minute per tenant) for `--partner-center-limits`.
pub const PARTNER_CENTER_LIMIT_PER_MINUTE: u32 = 500;

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            latency_ms: 0,
            registration_delay_secs: 3,
            order_list_delay_secs: 15 * 60,
            fulfillment_delay_secs: DEFAULT_FULFILLMENT_DELAY_SECS,
            audit_lag_secs: 3,
            checkout_processing_ms: 0,
            repeat_checkout_fails: false,
            pending_po_upload: false,
            documented_shapes: false,
            partner_rate_limit: None,
            customer_rate_limit: None,
        }
    }
}

/// Sliding one-minute windows per key (partner tenant, or partner + customer): a request is
/// refused when `limit` requests were already accepted for the key in the 60 seconds before it,
/// so no 60-second span ever holds more than `limit` accepted requests (a fixed window would
/// allow twice that across a boundary). On the sandbox clock so tests can advance past a window.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: HashMap<String, VecDeque<DateTime<Utc>>>,
}

impl RateLimiter {
    /// Counts a request for `key`; Err(seconds to wait) when over `limit` per minute.
    pub fn check(&mut self, key: &str, limit: u32, now: DateTime<Utc>) -> Result<(), u64> {
        let window = chrono::Duration::seconds(60);
        let w = match self.windows.get_mut(key) {
            Some(w) => w,
            None => self.windows.entry(key.to_string()).or_default(),
        };
        while w.front().is_some_and(|t| *t + window <= now || *t > now) {
            w.pop_front();
        }
        if w.len() >= limit.max(1) as usize {
            let oldest = w.front().copied().unwrap_or(now);
            let wait_ms = (oldest + window - now).num_milliseconds().max(0);
            return Err(((wait_ms + 999) / 1000).clamp(1, 60) as u64);
        }
        w.push_back(now);
        Ok(())
    }
    pub fn reset(&mut self) {
        self.windows.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_window_never_accepts_more_than_the_limit_in_any_minute() {
        let mut rl = RateLimiter::default();
        let t0 = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        let ms = |n: i64| t0 + chrono::Duration::milliseconds(n);
        // 10 at the very end of one minute, then a burst just after: only what leaves the
        // window frees room.
        for i in 0..10 {
            assert!(rl.check("k", 10, ms(59_000 + i)).is_ok());
        }
        assert_eq!(rl.check("k", 10, ms(60_500)), Err(59));
        assert!(rl.check("k", 10, ms(119_000)).is_ok());
        assert!(rl.check("k", 10, ms(119_001)).is_ok());
        assert!(rl.check("k", 10, ms(119_001)).is_err());
        assert!(rl.check("other", 10, ms(119_001)).is_ok());
    }
}
