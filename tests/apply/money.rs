//! Money at apply: the receipt keeps the plan's estimate (price sheet) next to the price each
//! order line carries (the binding one); money guardrails refuse a run over the limit.

use super::support::*;
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

fn dec(v: &Value) -> Decimal {
    match v {
        Value::String(s) => Decimal::from_str(s).expect("decimal"),
        Value::Number(n) => Decimal::from_str(&n.to_string()).expect("decimal"),
        other => panic!("not an amount: {other}"),
    }
}

#[test]
fn the_receipt_carries_the_estimate_and_the_order_price() {
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
    let lines: Vec<&Value> = r["customers"][0]["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .flat_map(|o| o["lines"].as_array().expect("lines"))
        .collect();
    assert!(!lines.is_empty(), "{r:#}");
    for l in lines {
        let est = &l["estimate"];
        assert_eq!(est["price"], "known", "{l:#}");
        let ordered = &l["order_price"];
        assert_eq!(ordered["currency"], est["currency"], "{l:#}");
        assert_eq!(
            dec(&ordered["unit_price"]),
            dec(&est["unit_price"]),
            "{l:#}"
        );
        assert_eq!(
            dec(&ordered["extended_price"]),
            dec(&est["commitment"]),
            "the sandbox's orders agree with its price sheet: {l:#}"
        );
    }
    assert!(
        applied.stdout.contains(" at USD ") && applied.stdout.contains("(estimated USD "),
        "{}",
        applied.all()
    );
}

const MONTHLY: &str = r#"
version: 1
customers:
  - id: 4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01
    name: contoso
    subscriptions:
      - id: 9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10
        kind: azure-plan
        reservations:
          - { name: memory, type: vm, sku: Standard_E4s_v5, region: eastus, term: P3Y, scope: shared, quantity: 2, billing: monthly }
"#;

#[test]
fn a_monthly_reservation_is_bought_with_billing_cycle_monthly_and_converges() {
    let sb = Sandbox::start();
    let plan = sb.plan(MONTHLY, &["--format", "json"]);
    let v: Value = serde_json::from_str(&plan.stdout).expect("json plan");
    let row = v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["item"] == "memory")
        .expect("memory row");
    assert_eq!(row["action"], "purchase", "{row:#}");
    assert_eq!(row["resolved"]["billing_cycle"], "monthly");
    assert_eq!(row["money"]["billing"], "monthly");
    assert_eq!(
        dec(&row["money"]["monthly"]),
        (dec(&row["money"]["commitment"]) / Decimal::from(36)).round_dp(2),
        "the monthly amount is the commitment over the term's 36 months: {row:#}"
    );
    let text = sb.plan(MONTHLY, &[]);
    assert!(text.stdout.contains("; monthly USD "), "{}", text.all());

    let applied = sb.apply(MONTHLY, &[]);
    assert_eq!(applied.code, Some(0), "{}", applied.all());
    let orders = sb.orders();
    assert_eq!(orders.len(), 1, "{orders:#?}");
    let cycle = orders[0]["billingCycle"]
        .as_str()
        .or_else(|| orders[0]["billing_cycle"].as_str());
    assert_eq!(cycle, Some("monthly"), "{:#}", orders[0]);
    let after = sb.plan(MONTHLY, &["--detailed-exitcode"]);
    assert_eq!(after.code, Some(0), "{}", after.all());
    assert!(
        after.stdout.contains("Plan: buy nothing"),
        "{}",
        after.all()
    );
}

#[test]
fn a_billing_plan_the_sku_does_not_offer_is_blocked_naming_the_supported_ones() {
    let sb = Sandbox::start();
    let yaml = MONTHLY.replace("Standard_E4s_v5", "Standard_D4s_v5");
    let plan = sb.plan(&yaml, &[]);
    assert_eq!(plan.code, Some(1), "{}", plan.all());
    assert!(
        plan.stdout.contains(
            "billing: monthly is not offered for this SKU; it supports upfront \
             (its supportedBillingCycles)"
        ),
        "{}",
        plan.all()
    );
    let applied = sb.apply(&yaml, &[]);
    assert_eq!(applied.code, Some(1), "{}", applied.all());
    assert!(sb.orders().is_empty(), "nothing bought");
}

#[test]
fn a_money_limit_refuses_the_run_naming_the_rows_and_buys_nothing() {
    let sb = Sandbox::start();
    let refused = sb.apply(CONTOSO_YAML, &["--max-commitment", "1000USD"]);
    assert_eq!(refused.code, Some(1), "{}", refused.all());
    assert!(
        refused
            .stderr
            .contains("refusing to apply: the plan would commit USD "),
        "{}",
        refused.all()
    );
    assert!(
        refused
            .stderr
            .contains("more than --max-commitment (USD 1,000.00): contoso / ")
            && refused.stderr.contains("batch-tier (USD ")
            && refused.stderr.contains("nothing was done"),
        "{}",
        refused.all()
    );
    assert!(sb.orders().is_empty(), "nothing bought");
    let within = sb.apply(CONTOSO_YAML, &["--max-commitment", "1,000,000 USD"]);
    assert_eq!(within.code, Some(0), "{}", within.all());
    assert!(!sb.orders().is_empty());
}

#[test]
fn an_unknown_price_fails_a_money_limit_closed() {
    let sb = Sandbox::start();
    sb.fault(serde_json::json!({
        "path": "/v1.0/sales/*", "kind": "api_error", "status": 403, "code": 800043,
    }));
    let yaml = format!(
        "{}limits:\n  max_commitment: {{ amount: 1000000, currency: USD }}\n",
        CONTOSO_YAML
    );
    let refused = sb.apply(&yaml, &[]);
    assert_eq!(refused.code, Some(1), "{}", refused.all());
    assert!(
        refused
            .stderr
            .contains("limits.max_commitment (USD 1,000,000.00) cannot be checked"),
        "{}",
        refused.all()
    );
    assert!(
        refused.stderr.contains("800043"),
        "the reason says why the price is unknown: {}",
        refused.all()
    );
    assert!(sb.orders().is_empty(), "never bought on a guess");
}

#[test]
fn a_per_customer_money_limit_blocks_that_customers_purchases_in_the_plan() {
    let sb = Sandbox::start();
    let yaml = format!(
        "{}limits:\n  max_commitment_per_customer: {{ amount: 100, currency: usd }}\n",
        CONTOSO_YAML
    );
    let plan = sb.plan(&yaml, &[]);
    assert_eq!(plan.code, Some(1), "{}", plan.all());
    // (Text rows wrap at 120 columns: compared with line breaks as spaces.)
    assert!(
        crate::support::flat(&plan.stdout).contains(
            "for this customer, more than limits.max_commitment_per_customer (USD 100.00)"
        ),
        "{}",
        plan.all()
    );
    assert!(plan.stdout.contains("Plan: buy nothing"), "{}", plan.all());
}

#[test]
fn monthly_billing_is_blocked_when_holdings_come_from_one_time_orders() {
    let sb = Sandbox::start();
    let mut cmd = sb.command(true);
    cmd.arg("plan").arg(sb.manifest(MONTHLY));
    let plan = sb.run(cmd);
    assert_eq!(plan.code, Some(1), "{}", plan.all());
    assert!(
        plan.stdout
            .contains("billing: monthly needs App+User credentials"),
        "{}",
        plan.all()
    );
}
