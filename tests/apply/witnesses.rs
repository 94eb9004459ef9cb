//! The partner activity log as the second witness of recent purchases, counted on the sandbox
//! (`/_sandbox/orders`): runners with separate or stale state dirs inside the fulfilment window
//! never buy twice, and an activity log that cannot be read blocks every purchase (fail closed).

use super::lost_journal::{LOG_LAG_SECS, wait_out_the_log_lag};
use super::support::*;
use serde_json::{Value, json};
use std::path::Path;

/// contoso's manifest with 6 more software units.
fn more_software() -> String {
    CONTOSO_YAML.replace("quantity: 3", "quantity: 9")
}

/// `reservoir apply` as another runner would run it: checkouts wait out the activity log's lag
/// (the harness turns that wait off for tests without other runners).
fn apply_as_runner(sb: &Sandbox, yaml: &str) -> Run {
    let dir = sb.manifest(yaml);
    sb.cli("apply", &dir, &["--auto-approve"])
}

/// Copies a directory tree (`cp -a`).
fn copy_dir(from: &Path, to: &Path) {
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .expect("cp runs");
    assert!(
        status.success(),
        "cp -a {} {}",
        from.display(),
        to.display()
    );
}

/// Moves the current state dir aside to `name` and puts `with` (when given) in its place.
fn swap_state(sb: &Sandbox, name: &str, with: Option<&str>) {
    let state = sb.state_dir();
    std::fs::rename(&state, sb.dir.path().join(name)).expect("move the state dir aside");
    if let Some(w) = with {
        std::fs::rename(sb.dir.path().join(w), &state).expect("restore a state dir");
    }
}

#[test]
fn a_second_runner_with_its_own_state_dir_inside_the_fulfilment_window_buys_nothing() {
    let sb = Sandbox::start();
    if !sb.dir_store_only() {
        return;
    }
    sb.knobs(json!({"fulfillmentDelaySecs": 600, "auditLagSecs": LOG_LAG_SECS}));
    let first = apply_as_runner(&sb, CONTOSO_YAML);
    assert_eq!(first.code, Some(0), "{}", first.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);
    let orders = sb.orders().len();

    // Runner B: its own (empty) state dir, same manifest, seconds later.
    swap_state(&sb, "state-runner-a", None);
    let second = apply_as_runner(&sb, CONTOSO_YAML);
    assert_eq!(
        sb.orders().len(),
        orders,
        "no second order: {}",
        second.all()
    );
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);
    // Either B's re-plan already saw A's orders (pending, nothing to do), or they showed in the
    // activity log only while B waited out its lag before checkout (B abandons its cart).
    let pending = second.code == Some(0) && second.stdout.contains("pending");
    let vetoed = second.code == Some(1)
        && second
            .stdout
            .contains("not checked out: the partner activity log shows order");
    assert!(pending || vetoed, "{}", second.all());

    // Later in the window, B's plan shows A's units as pending.
    wait_out_the_log_lag();
    let plan = sb.plan(CONTOSO_YAML, &["--format", "json", "--detailed-exitcode"]);
    assert_eq!(plan.code, Some(0), "{}", plan.all());
    let json: Value = serde_json::from_str(&plan.stdout).expect("JSON plan");
    assert_eq!(row(&json, "batch-tier")["action"], "pending", "{json:#}");
}

#[test]
fn a_stale_copy_of_the_state_dir_does_not_buy_the_increase_again() {
    // The reproduction of the issue: apply m1 with A; cp -a A A-old; apply m2 with A (buys 6
    // software units); apply m2 with A-old → no second order for the same 6 units.
    let sb = Sandbox::start();
    if !sb.dir_store_only() {
        return;
    }
    sb.knobs(json!({"fulfillmentDelaySecs": 600, "auditLagSecs": LOG_LAG_SECS}));
    let m1 = apply_as_runner(&sb, CONTOSO_YAML);
    assert_eq!(m1.code, Some(0), "{}", m1.all());
    copy_dir(&sb.state_dir(), &sb.dir.path().join("state-old"));
    let m2 = apply_as_runner(&sb, &more_software());
    assert_eq!(m2.code, Some(0), "{}", m2.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS + 6);
    let orders = sb.orders().len();

    swap_state(&sb, "state-a", Some("state-old"));
    wait_out_the_log_lag();
    let plan = sb.plan(
        &more_software(),
        &["--format", "json", "--detailed-exitcode"],
    );
    assert_eq!(plan.code, Some(0), "{}", plan.all());
    let json: Value = serde_json::from_str(&plan.stdout).expect("JSON plan");
    let sql = row(&json, "sql-server-perpetual");
    assert_eq!(sql["action"], "pending", "{sql:#}");
    assert_eq!(
        sql["pending"], 9,
        "3 from the journal, 6 from the activity log: {sql:#}"
    );

    let stale = apply_as_runner(&sb, &more_software());
    assert_eq!(stale.code, Some(0), "{}", stale.all());
    assert_eq!(
        sb.orders().len(),
        orders,
        "no second order: {}",
        stale.all()
    );
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS + 6);
}

#[test]
fn an_unreadable_activity_log_blocks_every_purchase_and_names_the_call() {
    let sb = Sandbox::start();
    sb.fault(json!({"path": "/v1/auditrecords*", "kind": "server_error", "status": 503}));
    let plan = sb.plan(CONTOSO_YAML, &["--format", "json"]);
    assert_eq!(plan.code, Some(1), "{}", plan.all());
    let json: Value = serde_json::from_str(&plan.stdout).expect("JSON plan");
    let batch = row(&json, "batch-tier");
    assert_eq!(batch["action"], "blocked", "{batch:#}");
    let why = batch["reason"].as_str().unwrap_or_default();
    assert!(why.contains("GET /v1/auditrecords"), "{why}");
    assert_eq!(json["witnesses"]["activity_log"]["status"], "failed");

    let apply = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(apply.code, Some(1), "{}", apply.all());
    assert_eq!(sb.units(CONTOSO), 0, "nothing bought");
    assert!(
        apply.stdout.contains("partner activity log"),
        "{}",
        apply.all()
    );
}

/// The catalog item a plan resolved for a declared item.
fn catalog_item(sb: &Sandbox, item: &str) -> String {
    let plan = sb.plan(CONTOSO_YAML, &["--format", "json"]);
    let json: Value = serde_json::from_str(&plan.stdout).expect("JSON plan");
    row(&json, item)["resolved"]["catalog_item_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{item} not resolved: {json:#}"))
        .to_owned()
}

/// A colleague buys contoso's 4 batch-tier units in the portal, `minutes` ago. Returns the
/// catalog item bought (once they are pending, the plan reads no availability for them).
fn portal_purchase_of_batch_tier(sb: &Sandbox, minutes: i64) -> String {
    let item = catalog_item(sb, "batch-tier");
    sb.portal_purchase(json!({
        "customerId": CONTOSO, "catalogItemId": item, "quantity": 4, "termDuration": "P3Y",
        "provisioningContext": {"subscriptionId": "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10",
                                "scope": "shared", "duration": "3Years"},
        "daysAgo": 0, "minutesAgo": minutes
    }));
    item
}

#[test]
fn a_portal_purchase_minutes_ago_is_pending_and_not_bought_again() {
    let sb = Sandbox::start();
    sb.knobs(json!({"fulfillmentDelaySecs": 3600, "auditLagSecs": LOG_LAG_SECS}));
    let batch_product = portal_purchase_of_batch_tier(&sb, 5)
        .split(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    // Admin-API orders are `seed` orders, which the harness's counts leave out: from here on
    // they count what reservoir bought.
    assert_eq!(sb.units_of(CONTOSO, &batch_product), 0);

    let plan = sb.plan(CONTOSO_YAML, &["--format", "json"]);
    let json: Value = serde_json::from_str(&plan.stdout).expect("JSON plan");
    let batch = row(&json, "batch-tier");
    assert_eq!(batch["action"], "pending", "{batch:#}");
    assert_eq!(
        (batch["pending"].as_u64(), batch["to_buy"].as_u64()),
        (Some(4), Some(0))
    );
    assert_eq!(row(&json, "sql-server-perpetual")["action"], "purchase");

    let apply = apply_as_runner(&sb, CONTOSO_YAML);
    assert_eq!(apply.code, Some(0), "{}", apply.all());
    assert_eq!(
        sb.units_of(CONTOSO, &batch_product),
        0,
        "batch-tier not bought again: {}",
        apply.all()
    );
    assert_eq!(
        sb.units_of(CONTOSO, "DG7GMGF0FKZV"),
        3,
        "the software is bought"
    );
}

#[test]
fn an_order_placed_while_apply_prepares_its_cart_abandons_the_checkout() {
    let sb = Sandbox::start();
    sb.knobs(json!({"fulfillmentDelaySecs": 3600, "auditLagSecs": 0, "latencyMs": 300}));
    let item = catalog_item(&sb, "batch-tier");
    let dir = sb.manifest(CONTOSO_YAML);
    let mut cmd = sb.command(false);
    // The check before checkout reads the log 3 s after the customer was re-read.
    cmd.env("RESERVOIR_ACTIVITY_LOG_LAG", "3s")
        .arg("apply")
        .arg(dir)
        .arg("--auto-approve");
    let apply = std::thread::spawn(move || cmd.output().expect("runs"));

    // As soon as apply has created its cart, a colleague buys in the portal.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let carts = sb.requests().iter().any(|r| {
            r["method"] == "POST" && r["path"].as_str().is_some_and(|p| p.ends_with("/carts"))
        });
        if carts {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "apply never created a cart"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    sb.portal_purchase(json!({
        "customerId": CONTOSO, "catalogItemId": item, "quantity": 1, "termDuration": "P3Y",
        "provisioningContext": {"subscriptionId": "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10",
                                "scope": "shared", "duration": "3Years"},
        "daysAgo": 0, "minutesAgo": 0
    }));
    let out = apply.join().expect("apply thread");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("not checked out: the partner activity log shows order"),
        "{stdout}"
    );
    assert_eq!(
        sb.orders().len(),
        0,
        "reservoir ordered nothing (the portal order is a seed order): {stdout}"
    );
}
