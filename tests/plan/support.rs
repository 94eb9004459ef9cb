//! Test harness: a sandbox served from this test process (demo world, in memory), the real
//! `reservoir` binary pointed at it, and helpers to shape the world (buy through the client,
//! edit the world, faults) and read the sandbox's request log.

use assert_cmd::Command;
use reservoir::catalog::{Buyer, Catalog, Freshness};
use reservoir::manifest::{
    DesiredReservation, ReservationTarget, ReservationType, Scope, SourceRef, SubscriptionKind,
    Term,
};
use reservoir::partner_center::Reader;
use reservoir::partner_center::wire::{BillingCycle, CartLineItemRequest, CartRequest};
use reservoir::partner_center::{Client, ClientConfig, Credentials, RequestId, Secret};
use reservoir::plan::Resolution;
use reservoir::sandbox::{FaultRule, RunningSandbox, SandboxOptions};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub const CONTOSO: &str = "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";
pub const CONTOSO_PLAN: &str = "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10";
pub const FABRIKAM: &str = "7d2a9c61-4e8b-4f3a-b1c5-6e0d2f8a9b02";

/// Manifest whose items match exactly what the demo world owns.
pub const MATCHING: &str = r#"
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
    software:
      - name: windows-server
        product: DG7GMGF0DWM3
        sku: "0002"
        quantity: 5
  - id: 7d2a9c61-4e8b-4f3a-b1c5-6e0d2f8a9b02
    name: fabrikam
    subscriptions:
      - id: b4d6f8a0-2c4e-4f6a-8b0c-1d3e5f7a9b12
        kind: azure-plan
        reservations:
          - name: sql
            type: sql
            sku: SQLDB_GP_Compute_Gen5
            region: uksouth
            term: P3Y
            scope: shared
            quantity: 4
"#;

pub struct Sandbox {
    rt: tokio::runtime::Runtime,
    sb: Option<RunningSandbox>,
    pub url: String,
    pub dir: tempfile::TempDir,
    http: reqwest::Client,
}

/// What a run of the binary gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// The row of a JSON plan for a declared item name.
pub fn row<'a>(plan: &'a Value, item: &str) -> &'a Value {
    plan["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["item"] == item))
        .unwrap_or_else(|| panic!("no row for {item} in {plan:#}"))
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
        Sandbox {
            rt,
            sb: Some(sb),
            url,
            dir: tempfile::tempdir().expect("tempdir"),
            http: reqwest::Client::new(),
        }
    }

    pub fn handle(&self) -> &RunningSandbox {
        self.sb.as_ref().expect("running")
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// Writes the manifest to `manifests/<name>.yaml` (replacing earlier ones) and returns the
    /// folder.
    pub fn manifest(&self, yaml: &str) -> PathBuf {
        let dir = self.dir.path().join("manifests");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("m.yaml"), yaml).expect("write manifest");
        dir
    }

    fn command(&self, app_user: bool) -> Command {
        let mut cmd = Command::cargo_bin("reservoir").expect("binary");
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
        .env("PARTNER_CENTER_AUTHORITY", &self.url);
        if app_user {
            cmd.env("PARTNER_CENTER_REFRESH_TOKEN", "sandbox-demo-refresh-token");
        }
        cmd.arg("--endpoint")
            .arg(&self.url)
            .arg("--state-dir")
            .arg(self.state_dir())
            .args([
                "--rate-limit",
                "60000",
                "--customer-rate-limit",
                "60000",
                "--no-color",
            ]);
        cmd
    }

    fn run(&self, mut cmd: Command) -> Run {
        let out = cmd.output().expect("runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `reservoir plan <manifest> <args>` with App+User credentials.
    pub fn plan(&self, yaml: &str, args: &[&str]) -> Run {
        let dir = self.manifest(yaml);
        let mut cmd = self.command(true);
        cmd.arg("plan").arg(dir).args(args);
        self.run(cmd)
    }

    /// The same with app-only credentials.
    pub fn plan_app_only(&self, yaml: &str, args: &[&str]) -> Run {
        let dir = self.manifest(yaml);
        let mut cmd = self.command(false);
        cmd.arg("plan").arg(dir).args(args);
        self.run(cmd)
    }

    /// Any other reservoir command against this sandbox.
    pub fn reservoir(&self, args: &[&str]) -> Run {
        let mut cmd = self.command(true);
        cmd.args(args);
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
            resp.json::<Value>().await.expect("admin json")
        })
    }

    /// The request log since the last reset (`GET /_sandbox/requests`).
    pub fn requests(&self) -> Vec<Value> {
        let v = self.admin(reqwest::Method::GET, "requests", None);
        v["log"].as_array().cloned().unwrap_or_default()
    }

    pub fn reset_requests(&self) {
        self.admin(reqwest::Method::POST, "requests/reset", None);
    }

    pub fn world(&self) -> Value {
        self.admin(reqwest::Method::GET, "world", None)
    }

    pub fn put_world(&self, w: &Value) {
        self.admin(reqwest::Method::PUT, "world", Some(w));
    }

    pub fn add_fault(&self, rule: Value) {
        let rule: FaultRule = serde_json::from_value(rule).expect("fault rule");
        self.handle().add_fault(rule);
    }

    /// Buys a reservation through the client, as apply would.
    #[allow(clippy::too_many_arguments)]
    pub fn buy(
        &self,
        customer: &str,
        country: &str,
        subscription: &str,
        kind: SubscriptionKind,
        sku: &str,
        region: &str,
        term: Term,
        quantity: u32,
    ) {
        let base = url::Url::parse(&self.url).expect("url");
        let creds = Credentials::app_user(
            "5e1c0a42-7f3b-4d9e-8c21-000000000001",
            "6f2d1b53-8a4c-4e0f-9d32-000000000002",
            Secret::new("sandbox-demo-client-secret"),
            Secret::new("sandbox-demo-refresh-token"),
            &self.url,
        );
        let client = Client::new(ClientConfig::new(base, creds)).expect("client");
        let r = DesiredReservation {
            renew_before: None,
            name: "setup".into(),
            reservation_type: ReservationType::Vm,
            target: ReservationTarget::Arm {
                arm_sku_name: sku.into(),
                arm_region_name: region.into(),
            },
            term,
            scope: Scope::Shared,
            quantity,
            billing: Default::default(),
            source: SourceRef {
                file: PathBuf::from("setup.yaml"),
                line: 1,
                column: 1,
            },
            blocked_ok: None,
        };
        self.rt.block_on(async {
            let catalog = Catalog::new(Reader::new(&client));
            let buyer = Buyer {
                customer_id: customer,
                country,
            };
            let res = catalog
                .resolve_reservation(buyer, subscription, kind, &r, Freshness::Fresh)
                .await;
            let Resolution::Found(ci) = res else {
                panic!("cannot resolve {sku} {region}: {res:?}");
            };
            let cart = CartRequest {
                id: None,
                line_items: vec![CartLineItemRequest {
                    purchase_commitment: None,
                    id: 0,
                    catalog_item_id: ci.catalog_item_id.clone(),
                    friendly_name: None,
                    quantity: i64::from(quantity),
                    billing_cycle: BillingCycle::OneTime,
                    term_duration: Some(term.as_str().into()),
                    provisioning_context: BTreeMap::from([
                        ("subscriptionId".to_owned(), subscription.to_owned()),
                        ("scope".to_owned(), "shared".to_owned()),
                        ("duration".to_owned(), term.duration().to_owned()),
                    ]),
                    participants: vec![],
                    attestation_accepted: None,
                }],
                partner_on_record_attestation_accepted: None,
            };
            let created = client
                .create_cart(customer, &cart, RequestId::new())
                .await
                .expect("cart");
            let result = client
                .checkout_cart(customer, &created.id, RequestId::new())
                .await
                .expect("checkout");
            assert_eq!(result.orders.len(), 1, "one order placed");
        });
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(sb) = self.sb.take() {
            self.rt.block_on(sb.shutdown());
        }
    }
}
