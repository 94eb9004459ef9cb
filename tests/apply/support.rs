//! Test harness: a sandbox served from this test process (demo world, in memory, so it
//! survives a killed `reservoir`), the real binary pointed at it, and helpers to count what was
//! ordered (`/_sandbox/orders`), script faults and turn knobs.
//!
//! The state store is the state dir, unless `RESERVOIR_TEST_STATE` names a PostgreSQL server
//! (`postgres://…`): then every sandbox gets a fresh database on it and the binary runs with
//! `--state <that database>` (`.ci/run` runs the apply tests a second time so). Tests that look
//! inside the state dir itself skip under PostgreSQL ([`Sandbox::dir_store_only`]).

use assert_cmd::Command;
use reservoir::sandbox::{RunningSandbox, SandboxOptions};
use serde_json::{Value, json};
use std::path::PathBuf;

pub const CONTOSO: &str = "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";
pub const NORTHWIND: &str = "2c9e4b7a-1f6d-4a8e-9b3c-5d7f0e1a2b03";

/// contoso: 4 × D4s_v5 P3Y (new), 2 × D2s_v5 P1Y (owned), 3 software units (new).
pub const CONTOSO_YAML: &str = r#"
version: 1
customers:
  - id: 4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01
    name: contoso
    subscriptions:
      - id: 9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10
        kind: azure-plan
        reservations:
          - name: web-tier
            type: vm
            sku: Standard_D2s_v5
            region: eastus
            term: P1Y
            scope: shared
            quantity: 2
          - name: batch-tier
            type: vm
            sku: Standard_D4s_v5
            region: eastus
            term: P3Y
            scope: shared
            quantity: 4
    software:
      - name: sql-server-perpetual
        product: DG7GMGF0FKZV
        sku: "0001"
        quantity: 3
"#;

/// Units contoso's manifest asks to buy.
pub const CONTOSO_NEW_UNITS: u64 = 7;

/// northwind: an Azure plan that is NotRegistered, 3 × D8s_v5 P3Y on it.
pub const NORTHWIND_YAML: &str = r#"
version: 1
customers:
  - id: 2c9e4b7a-1f6d-4a8e-9b3c-5d7f0e1a2b03
    name: northwind
    subscriptions:
      - id: d6f8b0c2-4e6a-4b8c-a0d2-3f5a7b9c1d14
        kind: azure-plan
        reservations:
          - name: app-servers
            type: vm
            sku: Standard_D8s_v5
            region: germanywestcentral
            term: P3Y
            scope: shared
            quantity: 3
"#;

pub struct Sandbox {
    rt: tokio::runtime::Runtime,
    sb: Option<RunningSandbox>,
    pub url: String,
    pub dir: tempfile::TempDir,
    http: reqwest::Client,
    /// The PostgreSQL store of this sandbox's runs, when `RESERVOIR_TEST_STATE` asks for one.
    pub postgres: Option<String>,
}

/// The env var naming a PostgreSQL server to run the apply tests' state store on.
pub const STATE_ENV: &str = "RESERVOIR_TEST_STATE";

/// A fresh database on the server `RESERVOIR_TEST_STATE` names, or `None` (state dir).
fn postgres_store(rt: &tokio::runtime::Runtime) -> Option<String> {
    let server = std::env::var(STATE_ENV)
        .ok()
        .filter(|u| !u.trim().is_empty())?;
    assert!(
        server.starts_with("postgres://") || server.starts_with("postgresql://"),
        "{STATE_ENV} must be a postgres:// URL"
    );
    Some(rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
            .await
            .expect("connect to the RESERVOIR_TEST_STATE server");
        tokio::spawn(conn);
        let name = format!("ra_{}", uuid::Uuid::new_v4().simple());
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create database");
        let mut url = url::Url::parse(&server).expect("server url");
        url.set_path(&format!("/{name}"));
        url.to_string()
    }))
}

/// What a run of the binary gave.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

impl Sandbox {
    pub fn start() -> Self {
        reservoir::partner_center::install_crypto_provider();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let sb = rt
            .block_on(reservoir::sandbox::start(SandboxOptions::default()))
            .expect("sandbox starts");
        let url = sb.endpoint().as_str().trim_end_matches('/').to_owned();
        let postgres = postgres_store(&rt);
        Sandbox {
            rt,
            sb: Some(sb),
            url,
            dir: tempfile::tempdir().expect("tempdir"),
            http: reqwest::Client::new(),
            postgres,
        }
    }

    /// True (with a note) when the state store is PostgreSQL: for tests that look inside the
    /// state dir itself (its files and file locks), which then skip.
    pub fn dir_store_only(&self) -> bool {
        if self.postgres.is_some() {
            eprintln!("note: {STATE_ENV} is set; skipping a test of the directory store");
            return false;
        }
        true
    }

    /// What the purchase journal holds, as text, one entry per place it is stored: the journal
    /// files of the state dir, or the rows of the PostgreSQL store's journal table.
    pub fn journal_texts(&self) -> Vec<(String, String)> {
        if let Some(url) = &self.postgres {
            return self.rt.block_on(async {
                let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                    .await
                    .expect("connect to the test store");
                tokio::spawn(conn);
                client
                    .query(
                        "SELECT id, record::text FROM reservoir_journal ORDER BY id",
                        &[],
                    )
                    .await
                    .expect("read the journal table")
                    .iter()
                    .map(|row| (format!("journal row {}", row.get::<_, i64>(0)), row.get(1)))
                    .collect()
            });
        }
        std::fs::read_dir(self.state_dir().join("journal"))
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                        (e.path().display().to_string(), text)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// Writes the manifest to `manifests/m.yaml` (replacing earlier ones); returns the folder.
    pub fn manifest(&self, yaml: &str) -> PathBuf {
        let dir = self.dir.path().join("manifests");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("m.yaml"), yaml).expect("write manifest");
        dir
    }

    /// The binary against this sandbox (App+User unless `app_only`), with a clean environment.
    pub fn command(&self, app_only: bool) -> Command {
        Command::from_std(self.std_command(app_only))
    }

    /// [`Sandbox::command`] as a `std::process::Command`, for runs that are spawned and
    /// signalled.
    pub fn std_command(&self, app_only: bool) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_reservoir"));
        for (k, _) in std::env::vars() {
            if k.starts_with("PARTNER_CENTER_") || k.starts_with("RESERVOIR_") || k == "NO_COLOR" {
                cmd.env_remove(k);
            }
        }
        cmd.env(
            "PARTNER_CENTER_TENANT_ID",
            "5e1c0a42-7f3b-4d9e-8c21-000000000001",
        )
        .env(
            "PARTNER_CENTER_CLIENT_ID",
            "6f2d1b53-8a4c-4e0f-9d32-000000000002",
        )
        .env("PARTNER_CENTER_CLIENT_SECRET", "sandbox-demo-client-secret")
        .env("PARTNER_CENTER_AUTHORITY", &self.url)
        // Each test owns its sandbox: no other runner buys, so checkouts need not wait for the
        // activity log's lag (tests of other runners set it back).
        .env("RESERVOIR_ACTIVITY_LOG_LAG", "0s");
        if !app_only {
            cmd.env("PARTNER_CENTER_REFRESH_TOKEN", "sandbox-demo-refresh-token");
        }
        cmd.arg("--endpoint")
            .arg(&self.url)
            .arg("--state-dir")
            .arg(self.state_dir());
        if let Some(pg) = &self.postgres {
            // A killed run's lease is not released by the OS as a file lock is: a short lease
            // lets the next run take over in seconds instead of a minute.
            cmd.arg("--state")
                .arg(pg)
                .env("RESERVOIR_TEST_LEASE_SECS", "5");
        }
        cmd.args([
            "--rate-limit",
            "60000",
            "--customer-rate-limit",
            "60000",
            "--no-color",
        ]);
        cmd
    }

    pub fn run(&self, mut cmd: Command) -> Run {
        let out = cmd.output().expect("runs");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `reservoir apply <manifest> --auto-approve <args>`.
    pub fn apply(&self, yaml: &str, args: &[&str]) -> Run {
        let dir = self.manifest(yaml);
        let mut cmd = self.command(false);
        cmd.arg("apply").arg(dir).arg("--auto-approve").args(args);
        self.run(cmd)
    }

    /// The same, aborting at a test crash point (a binary built with `fault-injection`; used
    /// by `tests/kills.rs`).
    #[allow(dead_code)]
    pub fn apply_crashing(&self, yaml: &str, point: &str) -> Run {
        let dir = self.manifest(yaml);
        let mut cmd = self.command(false);
        cmd.env("RESERVOIR_TEST_CRASH_AFTER", point)
            .arg("apply")
            .arg(dir)
            .arg("--auto-approve");
        self.run(cmd)
    }

    /// `reservoir plan <manifest> <args>`.
    pub fn plan(&self, yaml: &str, args: &[&str]) -> Run {
        let dir = self.manifest(yaml);
        let mut cmd = self.command(false);
        cmd.arg("plan").arg(dir).args(args);
        self.run(cmd)
    }

    fn admin(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Value {
        let url = format!("{}/_sandbox/{path}", self.url);
        self.rt.block_on(async {
            let mut req = self.http.request(method, &url);
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = req.send().await.expect("admin call");
            assert!(resp.status().is_success(), "{url}: {}", resp.status());
            let text = resp.text().await.expect("admin body");
            serde_json::from_str(&text).unwrap_or(Value::Null)
        })
    }

    /// Every order placed since the world was created (seed orders excluded).
    pub fn orders(&self) -> Vec<Value> {
        let v = self.admin(reqwest::Method::GET, "orders", None);
        v["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|o| o["seed"] != json!(true))
            .collect()
    }

    /// Units ordered for a customer (all lines of all non-seed orders).
    pub fn units(&self, customer: &str) -> u64 {
        self.orders()
            .iter()
            .filter(|o| {
                o["customerId"]
                    .as_str()
                    .is_some_and(|c| c.eq_ignore_ascii_case(customer))
            })
            .flat_map(|o| o["lines"].as_array().cloned().unwrap_or_default())
            .map(|l| l["quantity"].as_u64().unwrap_or(0))
            .sum()
    }

    /// Units ordered for a customer whose catalog item starts with `product`.
    pub fn units_of(&self, customer: &str, product: &str) -> u64 {
        self.orders()
            .iter()
            .filter(|o| {
                o["customerId"]
                    .as_str()
                    .is_some_and(|c| c.eq_ignore_ascii_case(customer))
            })
            .flat_map(|o| o["lines"].as_array().cloned().unwrap_or_default())
            .filter(|l| {
                l["catalogItemId"]
                    .as_str()
                    .is_some_and(|c| c.starts_with(product))
            })
            .map(|l| l["quantity"].as_u64().unwrap_or(0))
            .sum()
    }

    /// `POST /_sandbox/<path>` with a JSON body.
    pub fn post_admin(&self, path: &str, body: &Value) -> Value {
        self.admin(reqwest::Method::POST, path, Some(body))
    }

    /// A purchase made outside reservoir (`POST /_sandbox/holdings`: it stands for a portal
    /// purchase and shows in the activity log).
    pub fn portal_purchase(&self, body: Value) -> Value {
        self.admin(reqwest::Method::POST, "holdings", Some(&body))
    }

    pub fn fault(&self, rule: Value) {
        self.admin(reqwest::Method::POST, "faults", Some(&rule));
    }

    pub fn clear_faults(&self) {
        self.admin(reqwest::Method::DELETE, "faults", None);
    }

    pub fn knobs(&self, knobs: Value) {
        self.admin(reqwest::Method::PUT, "knobs", Some(&knobs));
    }

    /// New availability ids for every SKU (`POST /_sandbox/availabilities/rotate`).
    pub fn rotate_availabilities(&self) {
        self.admin(reqwest::Method::POST, "availabilities/rotate", None);
    }

    /// A Partner Center client (App+User) against this sandbox.
    pub fn client(&self) -> reservoir::partner_center::Client {
        use reservoir::partner_center::{Client, ClientConfig, Credentials, Secret};
        let creds = Credentials::app_user(
            "5e1c0a42-7f3b-4d9e-8c21-000000000001",
            "6f2d1b53-8a4c-4e0f-9d32-000000000002",
            Secret::new("sandbox-demo-client-secret"),
            Secret::new("sandbox-demo-refresh-token"),
            &self.url,
        );
        let base = url::Url::parse(&self.url).expect("url");
        Client::new(ClientConfig::new(base, creds)).expect("client")
    }

    /// Runs a future on the harness runtime.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The request log (`GET /_sandbox/requests`).
    pub fn requests(&self) -> Vec<Value> {
        let v = self.admin(reqwest::Method::GET, "requests", None);
        v["log"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(sb) = self.sb.take() {
            self.rt.block_on(sb.shutdown());
        }
    }
}
