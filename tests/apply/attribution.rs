//! Holdings that cannot be attributed with certainty (issue 11 item 5): a reservation bought
//! elsewhere whose order line carries no `provisioningContext` could be the declared item, so
//! neither app-only runs (holdings from one-time orders) nor App+User runs (entitlements
//! attributed through their order line) may read it as "zero owned" and buy the item again.
//! The customer is an error naming the order and line, and nothing is bought for it.

use super::support::*;
use serde_json::{Value, json};

/// The catalog item the sandbox resolves contoso's `batch-tier` (D4s_v5 eastus P3Y) to.
fn batch_tier_catalog_item(sb: &Sandbox) -> String {
    let run = sb.plan(CONTOSO_YAML, &["--format", "json"]);
    let plan: Value = serde_json::from_str(&run.stdout).expect("json plan");
    plan["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["item"] == "batch-tier")
        .and_then(|r| r["resolved"]["catalog_item_id"].as_str())
        .expect("batch-tier resolved")
        .to_owned()
}

fn seed_unattributed_reservation(sb: &Sandbox) -> String {
    let item = batch_tier_catalog_item(sb);
    let v = sb.post_admin(
        "holdings",
        &json!({ "customerId": CONTOSO, "catalogItemId": item, "quantity": 4 }),
    );
    v["orderId"]
        .as_str()
        .or_else(|| v["id"].as_str())
        .unwrap_or_default()
        .to_owned()
}

fn check_blocked(sb: &Sandbox, app_only: bool) {
    let dir = sb.manifest(CONTOSO_YAML);
    let mut plan = sb.command(app_only);
    plan.arg("plan").arg(&dir);
    let run = sb.run(plan);
    let out = run.all();
    assert_ne!(run.code, Some(0), "the plan is not clean: {out}");
    assert!(out.contains("cannot be attributed"), "{out}");
    assert!(out.contains("line 0"), "names the order line: {out}");
    assert!(
        out.contains("batch-tier"),
        "names the item it could be: {out}"
    );
    let mut apply = sb.command(app_only);
    apply.arg("apply").arg(&dir).arg("--auto-approve");
    let run = sb.run(apply);
    assert_ne!(run.code, Some(0), "{}", run.all());
    assert_eq!(
        sb.units(CONTOSO),
        0,
        "nothing is bought for a customer whose holdings are uncertain: {}",
        run.all()
    );
}

#[test]
fn an_unattributed_reservation_order_line_blocks_app_only_purchases() {
    let sb = Sandbox::start();
    let order = seed_unattributed_reservation(&sb);
    check_blocked(&sb, true);
    if !order.is_empty() {
        let run = sb.plan(CONTOSO_YAML, &[]);
        assert!(run.all().contains(&order), "names the order: {}", run.all());
    }
}

#[test]
fn an_unattributed_reservation_entitlement_blocks_app_user_purchases() {
    let sb = Sandbox::start();
    seed_unattributed_reservation(&sb);
    check_blocked(&sb, false);
}
