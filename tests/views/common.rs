//! Test fixture: a sandbox served in-process (its world in a temp dir), the binary pointed at it
//! with `--endpoint URL` and the sandbox's credentials in `PARTNER_CENTER_*`, and admin-API
//! shortcuts to add holdings.

#![allow(dead_code)]

use reservoir::sandbox::{RunningSandbox, SandboxOptions, WorldSource};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

pub const CONTOSO: &str = "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";
pub const FABRIKAM: &str = "7d2a9c61-4e8b-4f3a-b1c5-6e0d2f8a9b02";
pub const CONTOSO_PLAN: &str = "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10";

/// What a run of the binary gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

pub struct Fixture {
    rt: tokio::runtime::Runtime,
    sandbox: Option<RunningSandbox>,
    pub dir: tempfile::TempDir,
    http: reqwest::Client,
    pub base: String,
}

impl Fixture {
    /// A sandbox with the demo world.
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let world = dir.path().join("world.json");
        Fixture::with_world(dir, world)
    }

    fn with_world(dir: tempfile::TempDir, world: PathBuf) -> Fixture {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let sandbox = rt
            .block_on(reservoir::sandbox::start(SandboxOptions {
                world: WorldSource::File(world),
                ..SandboxOptions::default()
            }))
            .expect("sandbox");
        let base = sandbox
            .endpoint()
            .as_str()
            .trim_end_matches('/')
            .to_string();
        let _ = rustls::crypto::ring::default_provider().install_default();
        Fixture {
            rt,
            sandbox: Some(sandbox),
            dir,
            http: reqwest::Client::new(),
            base,
        }
    }

    /// A sandbox whose world is the embedded one of `state_dir` (for preparing it); stop it
    /// with [`Fixture::stop`] before running the binary on the default endpoint.
    pub fn embedded_world(state_dir: &Path) -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        Fixture::with_world(dir, state_dir.join("sandbox").join("world.json"))
    }

    /// Stops the sandbox (its world is saved).
    pub fn stop(&mut self) {
        if let Some(s) = self.sandbox.take() {
            self.rt.block_on(s.shutdown());
        }
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// The binary with `--endpoint` and credentials for this sandbox.
    pub fn cmd(&self) -> assert_cmd::Command {
        let creds = self
            .sandbox
            .as_ref()
            .expect("sandbox running")
            .credentials();
        let mut c = bare_cmd();
        c.arg("--endpoint")
            .arg(&self.base)
            .arg("--state-dir")
            .arg(self.state_dir())
            .env("PARTNER_CENTER_TENANT_ID", &creds.tenant_id)
            .env("PARTNER_CENTER_CLIENT_ID", &creds.client_id)
            .env("PARTNER_CENTER_CLIENT_SECRET", &creds.client_secret)
            .env("PARTNER_CENTER_REFRESH_TOKEN", &creds.refresh_token)
            .env("PARTNER_CENTER_AUTHORITY", &self.base);
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run(self.cmd().args(args))
    }

    pub fn admin_get(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.base);
        self.rt.block_on(async {
            self.http
                .get(url)
                .send()
                .await
                .expect("admin get")
                .json()
                .await
                .expect("admin json")
        })
    }

    pub fn admin_post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        self.rt.block_on(async {
            let r = self
                .http
                .post(url)
                .json(&body)
                .send()
                .await
                .expect("admin post");
            assert!(r.status().is_success(), "admin {path}: {}", r.status());
            r.json().await.expect("admin json")
        })
    }

    /// The catalog item id of the first seed order line of `customer` whose id starts with
    /// `product_prefix` (e.g. "DG7" for software, "DZH" for reservations).
    pub fn seed_item(&self, customer: &str, product_prefix: &str) -> String {
        let orders = self.admin_get("/_sandbox/orders");
        orders["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|o| o["customerId"] == customer)
            .flat_map(|o| o["lines"].as_array().cloned().unwrap_or_default())
            .filter_map(|l| l["catalogItemId"].as_str().map(str::to_string))
            .find(|id| id.starts_with(product_prefix))
            .expect("seed item")
    }

    /// Adds a completed contoso VM reservation order placed `days_ago` days ago; returns its id.
    pub fn add_vm(&self, quantity: i64, days_ago: i64, scope: &str) -> String {
        let item = self.seed_item(CONTOSO, "DZH");
        let o = self.admin_post(
            "/_sandbox/holdings",
            json!({
                "customerId": CONTOSO,
                "catalogItemId": item,
                "quantity": quantity,
                "termDuration": "P1Y",
                "provisioningContext": {"subscriptionId": CONTOSO_PLAN, "scope": scope, "duration": "1Year"},
                "daysAgo": days_ago,
            }),
        );
        o["id"].as_str().expect("order id").to_string()
    }

    /// Adds a completed contoso software order; returns its id.
    pub fn add_software(&self, quantity: i64, days_ago: i64) -> String {
        let item = self.seed_item(CONTOSO, "DG7");
        let o = self.admin_post(
            "/_sandbox/holdings",
            json!({"customerId": CONTOSO, "catalogItemId": item, "quantity": quantity, "daysAgo": days_ago}),
        );
        o["id"].as_str().expect("order id").to_string()
    }

    /// Request-log paths the sandbox saw, matching `needle`.
    pub fn requests_matching(&self, needle: &str) -> usize {
        let log = self.admin_get("/_sandbox/requests");
        log["log"]
            .as_array()
            .expect("log")
            .iter()
            .filter(|r| r["path"].as_str().is_some_and(|p| p.contains(needle)))
            .count()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The binary with no endpoint settings from the environment.
pub fn bare_cmd() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("reservoir"));
    for v in [
        "RESERVOIR_ENDPOINT",
        "RESERVOIR_STATE_DIR",
        "RESERVOIR_LOG",
        "PARTNER_CENTER_ACCESS_TOKEN",
        "PARTNER_CENTER_TENANT_ID",
        "PARTNER_CENTER_CLIENT_ID",
        "PARTNER_CENTER_CLIENT_SECRET",
        "PARTNER_CENTER_REFRESH_TOKEN",
        "PARTNER_CENTER_AUTHORITY",
    ] {
        c.env_remove(v);
    }
    c
}

pub fn run(cmd: &mut assert_cmd::Command) -> Run {
    let out = cmd.output().expect("run reservoir");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Records of a CSV document (no line breaks inside fields in these tests).
pub fn csv_records(s: &str) -> Vec<&str> {
    assert!(s.is_empty() || s.ends_with("\r\n"), "CSV ends with CRLF");
    s.split("\r\n").filter(|l| !l.is_empty()).collect()
}

/// `YYYY-MM-DD` of now minus `days`.
pub fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}
