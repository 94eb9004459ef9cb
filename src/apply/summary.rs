//! [`ApplyReport`]: what a whole `apply` run did — per customer the engine's receipt
//! ([`CustomerOutcome`]) plus why a customer was not (fully) acted on, the plan hash, totals, the
//! exit code and the one-line summary. Serialized as the `--receipt` JSON.

use super::receipt::{CustomerOutcome, OrderOutcomeStatus, RegistrationResult};
use crate::plan::Plan;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// How one customer's apply ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerStatus {
    /// Everything planned for the customer was done.
    Done,
    /// The plan had nothing to do for the customer (and nothing was unfinished).
    Unchanged,
    /// Some rows were blocked (or could not be observed); the rest was done.
    Blocked,
    /// Something failed: a line, a registration, the lock, the re-plan, or the journal.
    Failed,
}

/// One customer in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerReport {
    #[serde(flatten)]
    pub outcome: CustomerOutcome,
    pub status: CustomerStatus,
    /// Why the customer was not acted on at all (lock busy, stale saved plan, observe failed).
    pub error: Option<String>,
    /// Rows of the shown plan that were blocked or errors, as `label: reason`.
    pub blocked: Vec<String>,
}

impl CustomerReport {
    pub fn new(customer_id: &str, customer_name: Option<&str>) -> Self {
        CustomerReport {
            outcome: CustomerOutcome::new(customer_id, customer_name),
            status: CustomerStatus::Unchanged,
            error: None,
            blocked: Vec::new(),
        }
    }

    /// Sets `status` from what happened; `acted` says whether the customer had anything to do.
    pub fn settle_status(&mut self, acted: bool) {
        self.status = if self.error.is_some() || !self.outcome.is_success() {
            CustomerStatus::Failed
        } else if !self.blocked.is_empty() {
            CustomerStatus::Blocked
        } else if acted
            || self
                .outcome
                .orders
                .iter()
                .any(|o| o.status == OrderOutcomeStatus::Placed)
            || !self.outcome.carts.is_empty()
        {
            CustomerStatus::Done
        } else {
            CustomerStatus::Unchanged
        };
    }
}

/// Totals over the run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunTotals {
    pub customers: u32,
    pub done: u32,
    pub unchanged: u32,
    pub blocked: u32,
    pub failed: u32,
    /// Orders placed by this run for new purchases (not resumed, not confirmations).
    pub orders_placed: u32,
    pub units_ordered: u32,
    /// Orders this run placed to finish intents an interrupted earlier run started.
    pub orders_resumed: u32,
    pub units_resumed: u32,
    /// Orders an earlier run placed, read back by id and confirmed by this run.
    pub orders_confirmed: u32,
    pub units_confirmed: u32,
    pub subscriptions_registered: u32,
    pub failed_lines: u32,
    /// Lines whose purchase outcome stayed unknown (pending for the next run).
    pub unknown_lines: u32,
    /// Orders named by a checkout answer that did not add up, not counted as placed: they stay
    /// pending until confirmed by id.
    pub unconfirmed_orders: u32,
    pub unconfirmed_units: u32,
    /// Answers from Partner Center that did not add up (see each customer's `anomalies`).
    pub anomalies: u32,
}

/// The whole run: the `--receipt` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplyReport {
    /// [`plan_hash`] of the plan that was shown (or the saved plan applied).
    pub plan_hash: String,
    pub manifest_hash: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub customers: Vec<CustomerReport>,
    pub totals: RunTotals,
}

impl ApplyReport {
    /// Builds the report and its totals.
    pub fn new(
        plan_hash: String,
        manifest_hash: String,
        started_at: DateTime<Utc>,
        finished_at: DateTime<Utc>,
        mut customers: Vec<CustomerReport>,
    ) -> Self {
        customers.sort_by(|a, b| a.outcome.customer_id.cmp(&b.outcome.customer_id));
        let mut t = RunTotals {
            customers: customers.len() as u32,
            ..RunTotals::default()
        };
        for c in &customers {
            match c.status {
                CustomerStatus::Done => t.done += 1,
                CustomerStatus::Unchanged => t.unchanged += 1,
                CustomerStatus::Blocked => t.blocked += 1,
                CustomerStatus::Failed => t.failed += 1,
            }
            let o = &c.outcome;
            for order in &o.orders {
                let units: u32 = order.lines.iter().map(|l| l.quantity).sum();
                match order.status {
                    OrderOutcomeStatus::Placed if order.resumed => {
                        t.orders_resumed += 1;
                        t.units_resumed += units;
                    }
                    OrderOutcomeStatus::Placed => t.orders_placed += 1,
                    OrderOutcomeStatus::Confirmed => {
                        t.orders_confirmed += 1;
                        t.units_confirmed += units;
                    }
                    _ => {}
                }
            }
            t.units_ordered += o.units_placed();
            t.subscriptions_registered += o
                .registrations
                .iter()
                .filter(|r| r.status == RegistrationResult::Registered)
                .count() as u32;
            t.failed_lines += o.failures.len() as u32;
            t.unknown_lines += o.unknown.iter().map(|u| u.lines.len() as u32).sum::<u32>();
            for order in o
                .orders
                .iter()
                .filter(|o| o.status == OrderOutcomeStatus::Unconfirmed)
            {
                t.unconfirmed_orders += 1;
                t.unconfirmed_units += order.lines.iter().map(|l| l.quantity).sum::<u32>();
            }
            t.anomalies += o.anomalies.len() as u32;
        }
        ApplyReport {
            plan_hash,
            manifest_hash,
            started_at,
            finished_at,
            customers,
            totals: t,
        }
    }

    /// 0 when everything planned was done; 1 when anything failed or was blocked.
    pub fn exit_code(&self) -> crate::exit::ExitStatus {
        crate::exit::ExitStatus::failed_if(self.totals.failed > 0 || self.totals.blocked > 0)
    }

    /// The final one-line summary, e.g.
    /// `Apply: ordered 4 units in 1 order, registered 1 subscription; 2 customers done, 1 failed.`
    pub fn summary_line(&self) -> String {
        let t = &self.totals;
        // "4 units in 1 order".
        let units_in = |units: u32, orders: u32| {
            format!(
                "{} in {}",
                crate::plan::model::plural(units, "unit", "units"),
                crate::plan::model::plural(orders, "order", "orders"),
            )
        };
        let mut s = format!(
            "Apply: ordered {}",
            units_in(t.units_ordered, t.orders_placed)
        );
        if t.orders_resumed > 0 {
            s.push_str(&format!(
                ", finished {} an interrupted run had started (resumed, not new)",
                units_in(t.units_resumed, t.orders_resumed)
            ));
        }
        if t.orders_confirmed > 0 {
            s.push_str(&format!(
                ", confirmed {} an earlier run placed",
                units_in(t.units_confirmed, t.orders_confirmed)
            ));
        }
        if t.unconfirmed_orders > 0 {
            s.push_str(&format!(
                ", and {} named by a checkout answer that did not add up (unconfirmed)",
                units_in(t.unconfirmed_units, t.unconfirmed_orders)
            ));
        }
        if t.subscriptions_registered > 0 {
            s.push_str(&format!(
                ", registered {}",
                crate::plan::model::plural(
                    t.subscriptions_registered,
                    "subscription",
                    "subscriptions"
                )
            ));
        }
        let mut parts = vec![format!("{} done", t.done)];
        if t.unchanged > 0 {
            parts.push(format!("{} unchanged", t.unchanged));
        }
        if t.blocked > 0 {
            parts.push(format!("{} blocked", t.blocked));
        }
        if t.failed > 0 {
            parts.push(format!("{} failed", t.failed));
        }
        s.push_str(&format!(
            "; {}: {}",
            crate::plan::model::plural(t.customers, "customer", "customers"),
            parts.join(", ")
        ));
        if t.anomalies > 0 {
            s.push_str(&format!(
                "; {} from Partner Center did not add up (see above): nothing was bought on \
                 their account and what they concern stays pending until confirmed",
                crate::plan::model::plural(t.anomalies, "answer", "answers"),
            ));
        }
        if t.unknown_lines > 0 {
            s.push_str(&format!(
                "; {} line(s) with an unconfirmed outcome stay pending and are resumed by the next apply",
                t.unknown_lines
            ));
        }
        s.push('.');
        s
    }

    /// Writes the report as pretty JSON to `path`, atomically (temporary file, then rename).
    pub fn write(&self, path: &std::path::Path) -> std::io::Result<()> {
        use std::io::Write;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => std::path::Path::new("."),
        };
        // Scrubbed of known secret values: a server echoing one must not get it into a file.
        let mut value = serde_json::to_value(self).map_err(std::io::Error::other)?;
        crate::partner_center::secret::scrub_json(&mut value);
        let mut text = serde_json::to_string_pretty(&value).map_err(std::io::Error::other)?;
        text.push('\n');
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(text.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// A short hex SHA-256 of a plan's JSON: the identity of the plan an apply acted on.
pub fn plan_hash(plan: &Plan) -> String {
    let bytes = serde_json::to_vec(plan).unwrap_or_default();
    Sha256::digest(&bytes)[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_receipt_is_scrubbed_of_known_secrets() {
        let secret = "receipt-test-secret-4f1c9e";
        crate::partner_center::secret::register(secret);
        let report = ApplyReport {
            plan_hash: format!("echoed: {secret}"),
            manifest_hash: "m".into(),
            started_at: Utc::now(),
            finished_at: Utc::now(),
            customers: Vec::new(),
            totals: RunTotals::default(),
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("receipt.json");
        report.write(&path).expect("written");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(!text.contains(secret), "{text}");
        assert!(text.contains("echoed: ***"), "{text}");
    }
}
