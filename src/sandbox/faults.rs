//! Scripted faults (`POST /_sandbox/faults`): rules matched by method and path glob, applied
//! `count` times. Kinds: 5xx, 429, hangs, commit-then-drop, failing a checkout order group,
//! Partner Center error codes, and the hostile answers (`hostile.rs` applies them): redirects,
//! secret echo, slow bodies, endless paging, inconsistent carts, malformed entitlements,
//! wrong checkout answers and wrong availability lists.

use serde::{Deserialize, Serialize};

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
    /// Answer this status with a Partner Center error `code` without acting: the §19 codes
    /// (credit limit 403/800023 or 400/800025 or 900121, customer under review 403/800073,
    /// not eligible 403/800020 or 800022, ...).
    ApiError {
        #[serde(default = "default_403")]
        status: u16,
        code: i64,
        #[serde(default)]
        description: Option<String>,
    },
    /// Answer a redirect (302 by default; 307 for the token endpoint in the docs' examples) to
    /// `location` (default: the same path on another host) without acting.
    Redirect {
        #[serde(default = "default_302")]
        status: u16,
        #[serde(default)]
        location: Option<String>,
    },
    /// Answer an error whose body echoes the request's bearer token (and, on the token endpoint,
    /// the form with the client secret and refresh token) without acting.
    EchoSecret {
        #[serde(default = "default_500")]
        status: u16,
    },
    /// Act normally, then send the body `chunkBytes` at a time every `chunkDelayMs`.
    SlowBody {
        #[serde(default = "default_chunk", rename = "chunkBytes")]
        chunk_bytes: usize,
        #[serde(default = "default_chunk_delay", rename = "chunkDelayMs")]
        chunk_delay_ms: u64,
    },
    /// A GET collection answers with a `links.next` (and `continuationToken`) that leads back to
    /// the same page; every page served consumes one use (`count` absent: endless).
    EndlessPaging,
    /// Cart create (POST) or update (PUT): the cart stored and answered differs from the request.
    CartMismatch { mode: CartMismatch },
    /// The next entitlement list carries a malformed entry.
    MalformedEntitlements { mode: EntitlementDefect },
    /// Checkout places the orders as usual, then answers wrongly.
    CheckoutAnswer { mode: CheckoutDefect },
    /// An availability list (GET …/availabilities) answered wrongly.
    Availabilities { mode: AvailabilityDefect },
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
fn default_403() -> u16 {
    403
}
fn default_302() -> u16 {
    302
}
fn default_500() -> u16 {
    500
}
fn default_chunk() -> usize {
    16
}
fn default_chunk_delay() -> u64 {
    200
}

/// How a scripted cart answer differs from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CartMismatch {
    /// Every line's quantity doubled.
    DoubleQuantity,
    /// The first line's catalog item replaced by another SKU of the same product.
    OtherItem,
    /// Every savings-plan line's `purchaseCommitment.amount` doubled (quantity stays 1).
    DoubleCommitment,
}

/// What is wrong with the first entitlement of a scripted entitlement list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntitlementDefect {
    NegativeQuantity,
    MissingQuantity,
    MissingProduct,
    MissingSku,
    MissingOrder,
    /// The same entitlement (same order and line) listed twice.
    DuplicateId,
}

/// How a scripted checkout answer is wrong (the orders are placed all the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckoutDefect {
    /// The orders name another customer.
    OtherCustomer,
    /// The first order is listed twice.
    DuplicateOrder,
    /// `201 Created` with an empty body.
    Empty,
}

/// How a scripted availability list is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AvailabilityDefect {
    /// `targetSegment` ignored: the availability of every segment the product is sold in, in
    /// reverse order of the documented list (commercial last).
    AllSegmentsReversed,
    /// The commercial availability listed twice, under two ids.
    TwoCommercial,
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

/// Whether a rule of this kind can act on the request: write-only kinds wait for a write,
/// cart/checkout/entitlement kinds for their operation, paging for a GET.
pub fn applies(kind: &FaultKind, method: &str, path: &str) -> bool {
    let is = |m: &str| m.eq_ignore_ascii_case(method);
    let write = is("POST") || is("PUT") || is("PATCH") || is("DELETE");
    let segs: Vec<String> = path
        .trim_end_matches('/')
        .split('/')
        .map(str::to_ascii_lowercase)
        .collect();
    let last = |n: usize| segs.len().checked_sub(n + 1).map(|i| segs[i].as_str());
    match kind {
        FaultKind::FailOrderGroup { .. } => false,
        FaultKind::CommitThenDrop => write,
        FaultKind::CartMismatch { .. } => {
            (is("POST") && last(0) == Some("carts")) || (is("PUT") && last(1) == Some("carts"))
        }
        FaultKind::CheckoutAnswer { .. } => is("POST") && last(0) == Some("checkout"),
        FaultKind::Availabilities { .. } => is("GET") && last(0) == Some("availabilities"),
        FaultKind::MalformedEntitlements { .. } => is("GET") && last(0) == Some("entitlements"),
        FaultKind::EndlessPaging => is("GET"),
        _ => true,
    }
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
    /// Takes (consumes one use of) the first request-level rule matching `method` + `path`
    /// (an API path, `/v1/...`) and applicable to that request (see [`applies`]).
    pub fn take(&mut self, method: &str, path: &str) -> Option<FaultKind> {
        let i = self.rules.iter().position(|r| {
            applies(&r.kind, method, path)
                && r.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && glob(&r.path, path)
        })?;
        Some(self.consume(i))
    }

    /// Takes the first rule for the token endpoint: only rules whose path names `oauth2`
    /// explicitly (so `*` rules meant for the API never hit authentication).
    pub fn take_token(&mut self, path: &str) -> Option<FaultKind> {
        let i = self.rules.iter().position(|r| {
            r.path.to_ascii_lowercase().contains("oauth2")
                && !matches!(r.kind, FaultKind::FailOrderGroup { .. })
                && r.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case("POST"))
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
    fn hostile_kinds_wait_for_their_operation() {
        let mut f = Faults::default();
        for kind in [
            r#"{"kind":"cart_mismatch","mode":"double_quantity","count":1}"#,
            r#"{"kind":"checkout_answer","mode":"empty","count":1}"#,
            r#"{"kind":"malformed_entitlements","mode":"duplicate_id","count":1}"#,
        ] {
            f.rules.push(serde_json::from_str(kind).unwrap());
        }
        assert!(f.take("GET", "/v1/customers/a/carts/b").is_none());
        assert!(f.take("POST", "/v1/customers/a/carts/b/checkout").is_some());
        assert!(f.take("GET", "/v1/customers/a/entitlements").is_some());
        assert!(f.take("PUT", "/v1/customers/a/carts/b").is_some());
        assert!(f.rules.is_empty());
        f.rules.push(FaultRule {
            method: None,
            path: "*".into(),
            kind: FaultKind::Redirect {
                status: 302,
                location: None,
            },
            count: None,
        });
        assert!(
            f.take_token("/t/oauth2/token").is_none(),
            "needs an oauth2 path"
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
}
