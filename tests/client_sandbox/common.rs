//! Shared helpers: a sandbox per test, clients on a manual clock, and the admin API.

use crate::support::admin::Admin;
use reservoir::partner_center::{Client, ManualClock};
use reservoir::sandbox::{FaultKind, FaultRule, Knobs, RunningSandbox, SandboxOptions};
use serde_json::Value;

pub(crate) use crate::support::creds::{app_only, app_user, client_with};
pub(crate) use crate::support::world::*;

/// A running sandbox, an App+User client on a manual clock, and an admin HTTP client.
pub struct Env {
    pub sandbox: RunningSandbox,
    pub client: Client,
    pub clock: ManualClock,
    admin: Admin,
}

pub async fn start() -> Env {
    start_knobs(Knobs::default()).await
}

pub async fn start_knobs(knobs: Knobs) -> Env {
    let sandbox = reservoir::sandbox::start(SandboxOptions {
        knobs,
        ..SandboxOptions::default()
    })
    .await
    .expect("the sandbox starts");
    let clock = ManualClock::new();
    let client = client_with(&sandbox, app_user(&sandbox), &clock);
    reservoir::partner_center::install_crypto_provider();
    let admin = Admin::new(sandbox.endpoint().as_str());
    Env {
        sandbox,
        client,
        clock,
        admin,
    }
}

impl Env {
    /// The sandbox's request log (`/_sandbox/requests` → `log`).
    pub async fn request_log(&self) -> Vec<Value> {
        self.admin.requests().await
    }

    pub async fn reset_requests(&self) {
        self.admin.reset_requests().await;
    }

    /// Logged requests whose path contains `needle` (case-insensitive).
    pub async fn requests_to(&self, method: &str, needle: &str) -> Vec<Value> {
        let n = needle.to_ascii_lowercase();
        self.request_log()
            .await
            .into_iter()
            .filter(|r| {
                r["method"] == method
                    && r["path"]
                        .as_str()
                        .is_some_and(|p| p.to_ascii_lowercase().contains(&n))
            })
            .collect()
    }

    /// Every order the sandbox ever placed (`/_sandbox/orders`).
    pub async fn all_orders(&self) -> Vec<Value> {
        self.admin.all_orders().await
    }

    pub fn fault(&self, method: &str, path: &str, kind: FaultKind, count: u32) {
        self.sandbox.add_fault(FaultRule {
            method: Some(method.to_string()),
            path: path.to_string(),
            kind,
            count: Some(count),
        });
    }
}

/// A clock for tests against the sandbox's own rate limits: `sleep` records the wait (like
/// [`ManualClock`]) and moves the sandbox clock forward by it (rounded up to whole seconds), so
/// the client's waits pass on the server too, without sleeping.
#[derive(Clone)]
pub struct SandboxClock {
    pub manual: ManualClock,
    advance_url: String,
    http: reqwest::Client,
}

impl SandboxClock {
    pub fn new(s: &RunningSandbox) -> Self {
        SandboxClock {
            manual: ManualClock::new(),
            advance_url: format!(
                "{}/_sandbox/clock/advance",
                s.endpoint().as_str().trim_end_matches('/')
            ),
            http: reqwest::Client::new(),
        }
    }
}

impl reservoir::partner_center::Clock for SandboxClock {
    fn now(&self) -> std::time::Duration {
        reservoir::partner_center::Clock::now(&self.manual)
    }
    fn sleep(&self, d: std::time::Duration) -> futures::future::BoxFuture<'static, ()> {
        let recorded = reservoir::partner_center::Clock::sleep(&self.manual, d);
        let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
        let req = self
            .http
            .post(self.advance_url.clone())
            .json(&serde_json::json!({ "seconds": secs }));
        Box::pin(async move {
            recorded.await;
            if secs > 0 {
                req.send().await.expect("advance the sandbox clock");
            }
        })
    }
}
