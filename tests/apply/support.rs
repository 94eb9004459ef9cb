//! The apply area's part of the harness: its manifests, and sandbox shortcuts to count what was
//! ordered (`/_sandbox/orders`), buy outside reservoir, crash a run and read the journal. The
//! sandbox, the binary and the state store (a state dir, or PostgreSQL under
//! `RESERVOIR_TEST_STATE`) come from the shared [`crate::support`].

pub(crate) use crate::support::world::{CONTOSO, NORTHWIND};
pub(crate) use crate::support::{Run, Sandbox, row};
use serde_json::Value;

/// contoso: 4 × D4s_v5 P3Y (new), 2 × D2s_v5 P1Y (owned), 3 software units (new).
pub(crate) const CONTOSO_YAML: &str = r#"
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
pub(crate) const CONTOSO_NEW_UNITS: u64 = 7;

/// northwind: an Azure plan that is NotRegistered, 3 × D8s_v5 P3Y on it.
pub(crate) const NORTHWIND_YAML: &str = r#"
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

impl Sandbox {
    /// What the purchase journal holds, as text, one entry per place it is stored: the journal
    /// files of the state dir, or the rows of the PostgreSQL store's journal table.
    pub(crate) fn journal_texts(&self) -> Vec<(String, String)> {
        if let Some(url) = &self.postgres {
            return self.block_on(async {
                crate::support::postgres::client(url)
                    .await
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

    /// `reservoir apply`, aborting at a test crash point (a binary built with `fault-injection`;
    /// used by `tests/kills.rs` only).
    #[allow(dead_code)]
    pub(crate) fn apply_crashing(&self, yaml: &str, point: &str) -> Run {
        let dir = self.manifest(yaml);
        let mut cmd = self.command(false);
        cmd.env("RESERVOIR_TEST_CRASH_AFTER", point)
            .arg("apply")
            .arg(dir)
            .arg("--auto-approve");
        self.run(cmd)
    }

    /// Units ordered for a customer (all lines of all non-seed orders).
    pub(crate) fn units(&self, customer: &str) -> u64 {
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
    pub(crate) fn units_of(&self, customer: &str, product: &str) -> u64 {
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

    /// A purchase made outside reservoir (`POST /_sandbox/holdings`: it stands for a portal
    /// purchase and shows in the activity log).
    pub(crate) fn portal_purchase(&self, body: Value) -> Value {
        self.admin_post("holdings", body)
    }

    /// New availability ids for every SKU (`POST /_sandbox/availabilities/rotate`).
    pub(crate) fn rotate_availabilities(&self) {
        self.admin_post("availabilities/rotate", Value::Null);
    }
}

/// Requests in `log` (`/_sandbox/requests`) with `method` whose path, query string left out and
/// in lower case, ends with `suffix` (`""`: every request with that method).
pub(crate) fn count(log: &[Value], method: &str, suffix: &str) -> usize {
    log.iter()
        .filter(|r| r["method"] == method)
        .filter(|r| {
            r["path"]
                .as_str()
                .unwrap_or_default()
                .split('?')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
                .ends_with(suffix)
        })
        .count()
}
