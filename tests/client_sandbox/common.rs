//! Shared helpers: a sandbox per test, clients on a manual clock, and the admin API.

use reservoir::partner_center::{Client, ClientConfig, Credentials, ManualClock, Secret};
use reservoir::sandbox::{FaultKind, FaultRule, Knobs, RunningSandbox, SandboxOptions};
use serde_json::Value;
use std::sync::Arc;

pub const CONTOSO: &str = "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";
pub const FABRIKAM: &str = "7d2a9c61-4e8b-4f3a-b1c5-6e0d2f8a9b02";
pub const NORTHWIND: &str = "2c9e4b7a-1f6d-4a8e-9b3c-5d7f0e1a2b03";
pub const ADATUM: &str = "8e3f5a1b-6c2d-4e9f-a0b4-7c1d3e5f6a04";
pub const TAILSPIN: &str = "1a7b3c5d-9e0f-4a2b-8c4d-6e8f0a2b4c05";
pub const CONTOSO_PLAN: &str = "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10";
pub const CONTOSO_LEGACY: &str = "3c8e2f10-5a6b-4d7c-9e8f-0a1b2c3d4e11";
pub const NORTHWIND_PLAN: &str = "d6f8b0c2-4e6a-4b8c-a0d2-3f5a7b9c1d14";
pub const ADATUM_PLAN: &str = "f8b0d2e4-6a8c-4d0e-8c2f-5b7c9d1e3f16";
pub const TAILSPIN_PLAN: &str = "0a1c3e5f-7b9d-4e1f-9d3a-6c8d0e2f4a17";
pub const ALL_CUSTOMERS: [&str; 5] = [CONTOSO, FABRIKAM, NORTHWIND, ADATUM, TAILSPIN];

/// A running sandbox, an App+User client on a manual clock, and an admin HTTP client.
pub struct Env {
    pub sandbox: RunningSandbox,
    pub client: Client,
    pub clock: ManualClock,
    admin: reqwest::Client,
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
    Env {
        sandbox,
        client,
        clock,
        admin: reqwest::Client::new(),
    }
}

pub fn app_user(s: &RunningSandbox) -> Credentials {
    let c = s.credentials();
    Credentials::app_user(
        &c.tenant_id,
        &c.client_id,
        Secret::new(c.client_secret),
        Secret::new(c.refresh_token),
        s.authority().as_str().trim_end_matches('/'),
    )
}

pub fn app_only(s: &RunningSandbox) -> Credentials {
    let c = s.credentials();
    Credentials::app_only(
        &c.tenant_id,
        &c.client_id,
        Secret::new(c.client_secret),
        s.authority().as_str().trim_end_matches('/'),
    )
}

/// A client with the given credentials whose waits go to `clock`.
pub fn client_with(s: &RunningSandbox, creds: Credentials, clock: &ManualClock) -> Client {
    let mut cfg = ClientConfig::new(s.endpoint(), creds);
    cfg.clock = Arc::new(clock.clone());
    Client::new(cfg).expect("the client builds")
}

impl Env {
    fn url(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.sandbox.endpoint().as_str().trim_end_matches('/'),
            path
        )
    }

    pub async fn admin_get(&self, path: &str) -> Value {
        self.admin
            .get(self.url(path))
            .send()
            .await
            .expect("admin call")
            .json()
            .await
            .expect("admin json")
    }

    pub async fn admin_post(&self, path: &str, body: Value) -> Value {
        self.admin
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("admin call")
            .json()
            .await
            .expect("admin json")
    }

    /// The sandbox's request log (`/_sandbox/requests` → `log`).
    pub async fn request_log(&self) -> Vec<Value> {
        self.admin_get("/_sandbox/requests").await["log"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub async fn reset_requests(&self) {
        self.admin_post("/_sandbox/requests/reset", Value::Null)
            .await;
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
        self.admin_get("/_sandbox/orders").await["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
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
