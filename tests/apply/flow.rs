//! The happy paths: plan → apply → plan converges immediately; registration is awaited; the
//! receipt says what was bought; app-only credentials count the journal as pending.

use super::support::*;
use serde_json::Value;

#[test]
fn plan_apply_plan_is_empty_immediately_with_the_default_order_list_delay() {
    let sb = Sandbox::start();
    let before = sb.plan(CONTOSO_YAML, &["--detailed-exitcode"]);
    assert_eq!(before.code, Some(2), "{}", before.all());

    let applied = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(applied.code, Some(0), "{}", applied.all());
    assert!(
        applied.stdout.contains("purchase 4 × batch-tier"),
        "{}",
        applied.all()
    );
    assert!(
        applied.stdout.contains("Apply: ordered 7 units"),
        "{}",
        applied.all()
    );
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);

    let after = sb.plan(CONTOSO_YAML, &["--detailed-exitcode"]);
    assert_eq!(after.code, Some(0), "plan after apply: {}", after.all());
    assert!(
        after.stdout.contains("Plan: buy nothing"),
        "{}",
        after.all()
    );

    let again = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(again.code, Some(0), "{}", again.all());
    assert_eq!(
        sb.units(CONTOSO),
        CONTOSO_NEW_UNITS,
        "a second apply buys nothing"
    );
}

#[test]
fn with_app_only_credentials_the_journal_keeps_the_next_plan_from_buying_again() {
    let sb = Sandbox::start();
    let dir = sb.manifest(CONTOSO_YAML);
    let mut cmd = sb.command(true);
    cmd.arg("apply").arg(&dir).arg("--auto-approve");
    let applied = sb.run(cmd);
    assert_eq!(applied.code, Some(0), "{}", applied.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);

    // The order list lags 15 minutes: only the journal knows about the orders.
    let mut cmd = sb.command(true);
    cmd.arg("plan").arg(&dir).arg("--detailed-exitcode");
    let plan = sb.run(cmd);
    assert_eq!(plan.code, Some(0), "{}", plan.all());
    assert!(plan.stdout.contains("pending"), "{}", plan.all());

    let mut cmd = sb.command(true);
    cmd.arg("apply").arg(&dir).arg("--auto-approve");
    let again = sb.run(cmd);
    assert_eq!(again.code, Some(0), "{}", again.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "nothing bought twice");
}

#[test]
fn registration_still_pending_at_first_is_awaited_then_bought() {
    let sb = Sandbox::start();
    sb.knobs(serde_json::json!({"registrationDelaySecs": 1}));
    let applied = sb.apply(NORTHWIND_YAML, &["--registration-timeout", "2m"]);
    assert_eq!(applied.code, Some(0), "{}", applied.all());
    assert!(
        applied
            .stdout
            .contains("registration of d6f8b0c2-4e6a-4b8c-a0d2-3f5a7b9c1d14: registered"),
        "{}",
        applied.all()
    );
    assert_eq!(sb.units(NORTHWIND), 3);
    let log = sb.requests();
    let polls = log
        .iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("/registrationstatus"))
        })
        .count();
    assert!(
        polls >= 2,
        "registration status was polled until Registered"
    );
}

#[test]
fn the_receipt_names_orders_lines_catalog_items_cart_request_ids_and_the_plan_hash() {
    let sb = Sandbox::start();
    let receipt = sb.dir.path().join("receipt.json");
    let applied = sb.apply(
        CONTOSO_YAML,
        &["--receipt", receipt.to_str().expect("utf-8 path")],
    );
    assert_eq!(applied.code, Some(0), "{}", applied.all());
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(&receipt).expect("receipt written"))
            .expect("receipt is JSON");
    assert!(
        r["plan_hash"].as_str().is_some_and(|h| h.len() >= 16),
        "{r:#}"
    );
    assert_eq!(r["totals"]["units_ordered"], 7, "{r:#}");
    let c = &r["customers"][0];
    assert_eq!(c["customer_id"], CONTOSO);
    assert_eq!(c["status"], "done");
    let placed: Vec<String> = sb
        .orders()
        .iter()
        .map(|o| o["orderId"].as_str().unwrap_or_default().to_owned())
        .collect();
    let orders = c["orders"].as_array().expect("orders");
    assert_eq!(orders.len(), placed.len());
    for o in orders {
        assert!(placed.contains(&o["order_id"].as_str().unwrap_or_default().to_owned()));
        assert!(o["cart_id"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(o["checkout_request_id"].as_str().is_some());
        for l in o["lines"].as_array().expect("lines") {
            assert!(
                l["catalog_item_id"]
                    .as_str()
                    .is_some_and(|s| s.contains(':'))
            );
            assert!(l["quantity"].as_u64().is_some_and(|q| q > 0));
        }
    }
    let cart = &c["carts"][0];
    assert!(cart["create_request_id"].as_str().is_some(), "{r:#}");
    assert_eq!(c["plan_hashes"][0], r["plan_hash"]);
}
