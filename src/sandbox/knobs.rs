//! Runtime knobs: latency, registration and order-list delays, rate limits, and scripted faults
//! (N× 5xx, N× 429, hangs, commit-then-drop, failing a checkout order group).

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
    /// Time a new order stays `pending` before it is `completed` (and entitled).
    pub fulfillment_delay_secs: u64,
    /// Requests per minute for the partner tenant (all API calls); None = unlimited.
    pub partner_rate_limit: Option<u32>,
    /// Requests per minute per partner + customer; None = unlimited.
    pub customer_rate_limit: Option<u32>,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            latency_ms: 0,
            registration_delay_secs: 3,
            order_list_delay_secs: 15 * 60,
            fulfillment_delay_secs: 0,
            partner_rate_limit: None,
            customer_rate_limit: None,
        }
    }
}

/// What a fault rule does to a matching request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FaultKind {
    /// Answer with this 5xx status (default 503) without acting.
    ServerError {
        #[serde(default = "default_5xx")]
        status: u16,
    },
    /// Answer 429 with `Retry-After` without acting.
    RateLimit {
        #[serde(default = "default_retry", rename = "retryAfterSeconds")]
        retry_after_seconds: u64,
    },
    /// Hold the request this long, then answer 504 without acting.
    Hang {
        #[serde(default = "default_hang", rename = "hangMs")]
        hang_ms: u64,
    },
    /// Perform the write, then drop the connection without a response.
    CommitThenDrop,
    /// At checkout, fail the order group holding a line whose catalog item id contains
    /// `catalogItem` (case-insensitive) with `code`.
    FailOrderGroup {
        #[serde(rename = "catalogItem")]
        catalog_item: String,
        #[serde(default = "default_group_code")]
        code: i64,
        #[serde(default)]
        description: Option<String>,
    },
}

fn default_5xx() -> u16 {
    503
}
fn default_retry() -> u64 {
    5
}
fn default_hang() -> u64 {
    120_000
}
fn default_group_code() -> i64 {
    800017
}

/// A scripted fault: matched by method and path pattern (`*` wildcards, case-insensitive,
/// against the path without query), applied `count` times (None = until cleared).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default = "default_path")]
    pub path: String,
    #[serde(flatten)]
    pub kind: FaultKind,
    #[serde(default)]
    pub count: Option<u32>,
}

fn default_path() -> String {
    "*".into()
}

/// Glob match with `*` (any run of characters), case-insensitive.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// The active fault rules.
#[derive(Debug, Default)]
pub struct Faults {
    pub rules: Vec<FaultRule>,
}

impl Faults {
    /// Takes (consumes one use of) the first request-level rule matching `method` + `path`.
    /// `commit_then_drop` rules only match writes (POST, PUT, PATCH, DELETE).
    pub fn take(&mut self, method: &str, path: &str) -> Option<FaultKind> {
        let write = ["POST", "PUT", "PATCH", "DELETE"]
            .iter()
            .any(|m| m.eq_ignore_ascii_case(method));
        let i = self.rules.iter().position(|r| {
            !matches!(r.kind, FaultKind::FailOrderGroup { .. })
                && (write || r.kind != FaultKind::CommitThenDrop)
                && r.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && glob(&r.path, path)
        })?;
        Some(self.consume(i))
    }

    /// Takes the first order-group rule whose catalog item matches one of `items`.
    pub fn take_group_failure(&mut self, items: &[&str]) -> Option<(i64, Option<String>)> {
        let i = self.rules.iter().position(|r| match &r.kind {
            FaultKind::FailOrderGroup { catalog_item, .. } => items.iter().any(|it| {
                it.to_ascii_lowercase()
                    .contains(&catalog_item.to_ascii_lowercase())
            }),
            _ => false,
        })?;
        match self.consume(i) {
            FaultKind::FailOrderGroup {
                code, description, ..
            } => Some((code, description)),
            _ => None,
        }
    }

    fn consume(&mut self, i: usize) -> FaultKind {
        let kind = self.rules[i].kind.clone();
        if let Some(c) = self.rules[i].count.as_mut() {
            *c = c.saturating_sub(1);
            if *c == 0 {
                self.rules.remove(i);
            }
        }
        kind
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
    fn glob_matches() {
        assert!(glob("*", "/v1/customers"));
        assert!(glob(
            "/v1/customers/*/carts/*/checkout",
            "/v1/customers/ab/carts/cd/checkout"
        ));
        assert!(glob("*/CHECKOUT", "/v1/customers/ab/carts/cd/checkout"));
        assert!(!glob("/v1/products*", "/v1/customers"));
    }

    #[test]
    fn counted_rules_expire() {
        let mut f = Faults::default();
        f.rules.push(FaultRule {
            method: Some("GET".into()),
            path: "/v1/products*".into(),
            kind: FaultKind::ServerError { status: 500 },
            count: Some(2),
        });
        assert!(f.take("POST", "/v1/products").is_none());
        assert!(f.take("get", "/v1/products").is_some());
        assert!(f.take("get", "/v1/products/X").is_some());
        assert!(f.take("get", "/v1/products").is_none());
    }

    #[test]
    fn commit_then_drop_waits_for_a_write() {
        let mut f = Faults::default();
        f.rules.push(FaultRule {
            method: None,
            path: "*".into(),
            kind: FaultKind::CommitThenDrop,
            count: Some(1),
        });
        assert!(f.take("GET", "/v1/customers").is_none());
        assert_eq!(
            f.take("POST", "/v1/customers/x/carts"),
            Some(FaultKind::CommitThenDrop)
        );
    }

    #[test]
    fn rule_json_shape() {
        let r: FaultRule = serde_json::from_str(
            r#"{"method":"POST","path":"*/checkout","kind":"fail_order_group","catalogItem":"0002","code":800017}"#,
        )
        .unwrap();
        assert!(matches!(
            r.kind,
            FaultKind::FailOrderGroup { code: 800017, .. }
        ));
    }

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
