//! The views area's part of the harness: holdings added through the admin API, request counts,
//! CSV records and dates. The sandbox (its world in a file of its temp dir) and the binary come
//! from the shared [`crate::support`].

pub(crate) use crate::support::world::{CONTOSO, CONTOSO_PLAN};
pub(crate) use crate::support::{Sandbox, reservoir, run};
use serde_json::json;

impl Sandbox {
    /// A sandbox of the demo world kept in a world file, as the views tests use.
    pub(crate) fn views() -> Sandbox {
        Sandbox::builder().world_file().start()
    }

    /// The catalog item id of the first seed order line of `customer` whose id starts with
    /// `product_prefix` (e.g. "DG7" for software, "DZH" for reservations).
    pub(crate) fn seed_item(&self, customer: &str, product_prefix: &str) -> String {
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
    pub(crate) fn add_vm(&self, quantity: i64, days_ago: i64, scope: &str) -> String {
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
    pub(crate) fn add_software(&self, quantity: i64, days_ago: i64) -> String {
        let item = self.seed_item(CONTOSO, "DG7");
        let o = self.admin_post(
            "/_sandbox/holdings",
            json!({"customerId": CONTOSO, "catalogItemId": item, "quantity": quantity, "daysAgo": days_ago}),
        );
        o["id"].as_str().expect("order id").to_string()
    }

    /// Request-log paths the sandbox saw, matching `needle`.
    pub(crate) fn requests_matching(&self, needle: &str) -> usize {
        let log = self.admin_get("/_sandbox/requests");
        log["log"]
            .as_array()
            .expect("log")
            .iter()
            .filter(|r| r["path"].as_str().is_some_and(|p| p.contains(needle)))
            .count()
    }
}
/// Records of a CSV document (no line breaks inside fields in these tests).
pub(crate) fn csv_records(s: &str) -> Vec<&str> {
    assert!(s.is_empty() || s.ends_with("\r\n"), "CSV ends with CRLF");
    s.split("\r\n").filter(|l| !l.is_empty()).collect()
}

/// `YYYY-MM-DD` of now minus `days`.
pub(crate) fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}
