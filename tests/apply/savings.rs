//! Azure savings plans end to end (issue 14 item 4): the real binary against the sandbox. A
//! declared hourly commitment converges (plan → apply → plan buys nothing, one order), a raised
//! one buys exactly the difference, a lowered one is surplus, app-only credentials buy nothing,
//! and the cart line Partner Center receives carries the commitment, billing cycle, term and
//! provisioning context.

use super::support::*;
use serde_json::{Value, json};

const SUBSCRIPTION: &str = "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10";

/// contoso's savings plan of `hourly` USD per hour, one year, shared, paid `billing`.
fn manifest(hourly: &str, billing: &str) -> String {
    format!(
        r#"
version: 1
customers:
  - id: {CONTOSO}
    name: contoso
    savings_plans:
      - name: compute
        subscription: {SUBSCRIPTION}
        scope: shared
        term: P1Y
        billing: {billing}
        hourly_commitment: "{hourly}"
        currency: USD
"#
    )
}

fn json_plan(sb: &Sandbox, yaml: &str) -> Value {
    sb.plan(yaml, &["--format", "json"]).json()
}

/// The savings-plan lines ordered for contoso, as the sandbox recorded them.
fn plan_lines(sb: &Sandbox) -> Vec<Value> {
    sb.orders()
        .iter()
        .flat_map(|o| o["lines"].as_array().cloned().unwrap_or_default())
        .filter(|l| {
            l["catalogItemId"]
                .as_str()
                .is_some_and(|c| c.starts_with("DZH318Z09V6F:"))
        })
        .collect()
}

#[test]
fn a_savings_plan_converges_plan_apply_plan_with_exactly_one_order() {
    let sb = Sandbox::start();
    sb.knobs(json!({"fulfillmentDelaySecs": 0}));
    let yaml = manifest("5.00", "upfront");
    let plan = json_plan(&sb, &yaml);
    let r = row(&plan, "compute");
    assert_eq!(r["action"], "purchase", "{r:#}");
    assert_eq!(r["kind"], "savings_plan", "{r:#}");
    assert_eq!(r["to_buy"], 5000, "thousandths per hour: {r:#}");
    assert_eq!(r["money"]["currency"], "USD");
    assert_eq!(
        r["money"]["commitment"]
            .as_str()
            .map(|s| s.trim_end_matches('0').trim_end_matches('.')),
        Some("43800"),
        "5.00/h × 8,760 h: {r:#}"
    );
    let text = sb.plan(&yaml, &[]);
    assert!(
        text.stdout
            .contains("purchase 5.00/h × compute: savings plan USD shared P1Y upfront")
            && text
                .stdout
                .contains("USD 43,800.00 (USD 5.00/h × 8,760 h, upfront)")
            && text
                .stdout
                .contains("final: a savings plan cannot be cancelled"),
        "{}",
        text.all()
    );

    let applied = sb.apply(&yaml, &[]);
    assert_eq!(applied.code, Some(0), "{}", applied.all());
    let lines = plan_lines(&sb);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["quantity"], 1, "one plan: {:#}", lines[0]);
    assert_eq!(lines[0]["purchaseCommitment"]["amount"], 5.0);

    let after = sb.plan(&yaml, &["--detailed-exitcode"]);
    assert_eq!(after.code, Some(0), "{}", after.all());
    assert!(
        after.stdout.contains("Plan: buy nothing"),
        "{}",
        after.all()
    );
    assert!(
        after
            .stdout
            .contains("ok compute: savings plan USD shared P1Y upfront (5.00/h owned)"),
        "{}",
        after.all()
    );
    let again = sb.apply(&yaml, &[]);
    assert_eq!(again.code, Some(0), "{}", again.all());
    assert_eq!(plan_lines(&sb).len(), 1, "a re-run buys nothing");
}

#[test]
fn the_cart_line_carries_the_commitment_billing_cycle_term_and_provisioning_context() {
    let sb = Sandbox::start();
    let applied = sb.apply(&manifest("0.25", "monthly"), &[]);
    assert_eq!(applied.code, Some(0), "{}", applied.all());
    let orders = sb.orders();
    assert_eq!(orders.len(), 1, "{orders:#?}");
    let cart_id = orders[0]["cartId"].as_str().expect("cart id").to_owned();
    let client = sb.client();
    let cart = sb
        .block_on(client.get_cart(CONTOSO, &cart_id))
        .expect("the recorded cart");
    assert_eq!(cart.line_items.len(), 1);
    let l = &cart.line_items[0];
    assert_eq!(l.quantity, Some(1));
    assert_eq!(
        l.billing_cycle.as_ref().map(|b| b.as_str()),
        Some("monthly")
    );
    assert_eq!(l.term_duration.as_deref(), Some("P1Y"));
    assert_eq!(l.provisioning_context["scope"], "shared");
    assert_eq!(l.provisioning_context["subscriptionId"], SUBSCRIPTION);
    let c = l.purchase_commitment.as_ref().expect("purchaseCommitment");
    assert_eq!(c.amount, Some(rust_decimal::Decimal::new(25, 2)));
    assert_eq!(c.grain.as_deref(), Some("hourly"));
    assert_eq!(c.currency.as_deref(), Some("usd"));
    assert_eq!(orders[0]["billingCycle"], "monthly");
}

#[test]
fn a_shortfall_buys_exactly_the_difference_and_more_owned_is_surplus() {
    let sb = Sandbox::start();
    sb.knobs(json!({"fulfillmentDelaySecs": 0}));
    assert_eq!(sb.apply(&manifest("5.00", "upfront"), &[]).code, Some(0));

    let raised = manifest("7.50", "upfront");
    let plan = json_plan(&sb, &raised);
    let r = row(&plan, "compute");
    assert_eq!(
        (r["owned"].as_u64(), r["to_buy"].as_u64()),
        (Some(5000), Some(2500)),
        "{r:#}"
    );
    let applied = sb.apply(&raised, &[]);
    assert_eq!(applied.code, Some(0), "{}", applied.all());
    let lines = plan_lines(&sb);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert_eq!(
        lines[1]["purchaseCommitment"]["amount"], 2.5,
        "the difference only"
    );
    assert_eq!(lines[1]["unitPrice"], 21_900.0, "2.50/h × 8,760 h");
    let after = sb.plan(&raised, &["--detailed-exitcode"]);
    assert_eq!(after.code, Some(0), "{}", after.all());
    assert!(after.stdout.contains("(7.50/h owned)"), "{}", after.all());

    let lowered = sb.plan(&manifest("3.00", "upfront"), &[]);
    assert!(
        lowered.stdout.contains("surplus 4.50/h × compute")
            && lowered.stdout.contains("reservoir never cancels"),
        "{}",
        lowered.all()
    );
    assert_eq!(plan_lines(&sb).len(), 2, "nothing more bought");
}

#[test]
fn app_only_credentials_block_a_savings_plan_and_buy_nothing() {
    let sb = Sandbox::start();
    let dir = sb.manifest(&manifest("5.00", "upfront"));
    let mut cmd = sb.command(true);
    cmd.arg("plan").arg(&dir);
    let plan = sb.run(cmd);
    assert_eq!(plan.code, Some(1), "{}", plan.all());
    assert!(
        plan.stdout.contains("blocked compute")
            && plan.stdout.contains("needs App+User credentials"),
        "{}",
        plan.all()
    );
    let mut cmd = sb.command(true);
    cmd.arg("apply").arg(&dir).arg("--auto-approve");
    let applied = sb.run(cmd);
    assert_ne!(applied.code, Some(0), "{}", applied.all());
    assert!(sb.orders().is_empty(), "nothing bought");
}

#[test]
fn a_savings_plan_on_a_legacy_subscription_is_blocked_azure_plan_customers_only() {
    let sb = Sandbox::start();
    let legacy = "3c8e2f10-5a6b-4d7c-9e8f-0a1b2c3d4e11";
    let yaml = manifest("5.00", "upfront").replace(SUBSCRIPTION, legacy);
    let plan = sb.plan(&yaml, &[]);
    assert_eq!(plan.code, Some(1), "{}", plan.all());
    assert!(
        plan.stdout.contains(&format!(
            "subscription {legacy} is declared azure-plan but Partner Center says legacy"
        )),
        "{}",
        plan.all()
    );
    assert_eq!(sb.apply(&yaml, &[]).code, Some(1));
    assert!(sb.orders().is_empty(), "nothing bought");
}

#[test]
fn the_documented_doubled_t_in_commitment_end_date_is_read_and_the_plan_still_converges() {
    let sb = Sandbox::start();
    sb.knobs(json!({"fulfillmentDelaySecs": 0, "documentedShapes": true}));
    let yaml = manifest("1.25", "upfront");
    assert_eq!(sb.apply(&yaml, &[]).code, Some(0));
    let after = sb.plan(&yaml, &["--detailed-exitcode"]);
    assert_eq!(after.code, Some(0), "{}", after.all());
    assert!(after.stdout.contains("(1.25/h owned)"), "{}", after.all());
    assert_eq!(plan_lines(&sb).len(), 1);
}

#[test]
fn a_cart_answered_with_a_doubled_commitment_is_never_checked_out() {
    let sb = Sandbox::start();
    sb.fault(json!({ "kind": "cart_mismatch", "mode": "double_commitment", "count": 1 }));
    let run = sb.apply(&manifest("5.00", "upfront"), &[]);
    let out = run.all();
    assert_eq!(run.code, Some(1), "the customer fails: {out}");
    assert!(plan_lines(&sb).is_empty(), "nothing is bought: {out}");
    assert!(
        out.contains("commitment USD 10/hourly, asked USD 5.00/h"),
        "the message names the difference: {out}"
    );
    sb.clear_faults();
    let again = sb.apply(&manifest("5.00", "upfront"), &[]);
    assert_eq!(again.code, Some(0), "{}", again.all());
    let lines = plan_lines(&sb);
    assert_eq!(lines.len(), 1, "bought once, as asked: {lines:#?}");
    assert_eq!(lines[0]["purchaseCommitment"]["amount"], 5.0);
}
