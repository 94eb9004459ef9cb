//! Holdings: attribution to subscriptions, the app-only fallback to orders, the completed-order
//! cache and the call budget of a no-change plan, and that plan never writes.

use super::support::*;
use reservoir::manifest::{SubscriptionKind, Term};
use serde_json::Value;

const SECOND_PLAN: &str = "11111111-2222-4333-8444-555555555555";

/// Gives contoso a second (registered, active) Azure plan.
fn add_second_plan(sb: &Sandbox) {
    let mut w = sb.world_json();
    let subs = w["customers"][CONTOSO]["subscriptions"]
        .as_array_mut()
        .expect("subscriptions");
    let mut second = subs
        .iter()
        .find(|s| s["id"] == CONTOSO_PLAN)
        .expect("contoso's plan")
        .clone();
    second["id"] = Value::from(SECOND_PLAN);
    subs.push(second);
    sb.put_world(&w);
}

fn two_plans(first: u32, second: u32) -> String {
    format!(
        r#"
version: 1
customers:
  - id: {CONTOSO}
    name: contoso
    subscriptions:
      - id: {CONTOSO_PLAN}
        kind: azure-plan
        reservations:
          - {{ name: first, type: vm, sku: Standard_D2s_v5, region: eastus, term: P1Y, scope: shared, quantity: {first} }}
      - id: {SECOND_PLAN}
        kind: azure-plan
        reservations:
          - {{ name: second, type: vm, sku: Standard_D2s_v5, region: eastus, term: P1Y, scope: shared, quantity: {second} }}
"#
    )
}

#[test]
fn the_same_sku_in_two_subscriptions_counts_for_each_separately() {
    let sb = Sandbox::start();
    // The setup purchase is owned at once (the sandbox default keeps orders pending).
    sb.handle().set_knobs(reservoir::sandbox::Knobs {
        fulfillment_delay_secs: 0,
        ..reservoir::sandbox::Knobs::default()
    });
    add_second_plan(&sb);
    sb.buy(
        CONTOSO,
        "US",
        SECOND_PLAN,
        SubscriptionKind::AzurePlan,
        "Standard_D2s_v5",
        "eastus",
        Term::P1Y,
        3,
    );
    let run = sb.plan(
        &two_plans(2, 3),
        &["--detailed-exitcode", "--format", "json"],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let plan = run.json();
    assert_eq!(row(&plan, "first")["owned"], 2);
    assert_eq!(row(&plan, "second")["owned"], 3);

    let plan = sb.plan(&two_plans(1, 4), &["--format", "json"]).json();
    assert_eq!(row(&plan, "first")["action"], "surplus");
    assert_eq!(row(&plan, "first")["surplus"], 1);
    assert_eq!(row(&plan, "second")["action"], "purchase");
    assert_eq!(
        row(&plan, "second")["to_buy"],
        1,
        "the first plan's units do not count"
    );
}

#[test]
fn app_only_credentials_read_holdings_from_orders_and_say_so() {
    let sb = Sandbox::start();
    let run = sb.plan_app_only(MATCHING, &["--detailed-exitcode", "--format", "json"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let plan = run.json();
    for c in plan["customers"].as_array().expect("customers") {
        assert_eq!(c["holdings_source"], "orders");
        assert_eq!(c["credentials"], "app-only");
        let notes = c["notes"].to_string();
        assert!(notes.contains("last 15 minutes"), "{notes}");
    }
    assert_eq!(row(&plan, "web-tier")["action"], "ok");
    assert_eq!(row(&plan, "sql")["action"], "ok");
    let text = sb.plan_app_only(MATCHING, &[]).stdout;
    assert!(text.contains("holdings from orders"), "{text}");
}

fn customer_calls(log: &[Value], customer: &str) -> usize {
    log.iter().filter(|r| r["customerId"] == customer).count()
}

#[test]
fn a_repeat_no_change_plan_stays_within_two_plus_two_calls_per_subscription() {
    let sb = Sandbox::start();
    sb.reset_requests();
    assert_eq!(sb.plan(MATCHING, &["--detailed-exitcode"]).code, Some(0));
    let first = sb.requests();
    assert!(
        first.iter().any(|r| r["category"] == "orders"),
        "the first plan reads the orders that attribute reservations"
    );
    sb.reset_requests();
    assert_eq!(sb.plan(MATCHING, &["--detailed-exitcode"]).code, Some(0));
    let second = sb.requests();
    // One declared subscription each: at most 2 + 2·1 calls.
    assert!(customer_calls(&second, CONTOSO) <= 4, "{second:#?}");
    assert!(customer_calls(&second, FABRIKAM) <= 4, "{second:#?}");
    assert!(
        !second.iter().any(|r| r["category"] == "orders"),
        "completed orders come from the cache: {second:#?}"
    );
    let cached = sb.state_dir().join("cache/orders").join(CONTOSO);
    assert!(
        cached.is_dir(),
        "completed orders are cached under the state dir"
    );
}

#[test]
fn plan_sends_no_write_to_partner_center() {
    let sb = Sandbox::start();
    sb.reset_requests();
    let manifest = format!(
        r#"
version: 1
customers:
  - id: {CONTOSO}
    subscriptions:
      - id: {CONTOSO_PLAN}
        kind: azure-plan
        reservations:
          - {{ name: web, type: vm, sku: Standard_D2s_v5, region: eastus, term: P1Y, scope: shared, quantity: 9 }}
          - {{ name: gpu, type: vm, sku: Standard_NC6s_v3, region: eastus, term: P1Y, scope: shared, quantity: 1 }}
          - {{ name: big, type: vm, sku: Standard_D8s_v5, region: westus2, term: P3Y, scope: shared, quantity: 2 }}
      - id: 3c8e2f10-5a6b-4d7c-9e8f-0a1b2c3d4e11
        kind: legacy
        reservations:
          - {{ name: legacy, type: vm, sku: Standard_D2s_v5, region: eastus, term: P1Y, scope: shared, quantity: 1 }}
    software:
      - {{ name: sql, product: DG7GMGF0FKZV, sku: "0001", quantity: 2 }}
"#
    );
    let run = sb.plan(&manifest, &["--format", "json"]);
    assert!(
        run.json()["summary"]["to_buy"].as_u64().unwrap_or(0) > 0,
        "{}",
        run.stdout
    );
    let log = sb.requests();
    assert!(
        log.iter().any(|r| r["category"] == "inventory"),
        "the GPU SKU needs the check"
    );
    let writes: Vec<&Value> = log
        .iter()
        .filter(|r| r["method"] != "GET")
        .filter(|r| r["category"] != "inventory" && r["category"] != "token")
        .collect();
    assert!(writes.is_empty(), "plan wrote: {writes:#?}");
    assert!(
        sb.world_json()["carts"]
            .as_object()
            .is_none_or(|c| c.is_empty())
    );
}

#[test]
fn journalled_purchases_show_as_pending_and_a_broken_journal_blocks_buying() {
    use reservoir::store::{Journal, PurchaseLine, Record};
    let sb = Sandbox::start();
    let manifest = MATCHING.replace("quantity: 2", "quantity: 5");
    let desired = reservoir::manifest::load_str(&[(std::path::Path::new("m.yaml"), &manifest)])
        .expect("manifest")
        .desired;
    let c = desired
        .customers
        .iter()
        .find(|c| c.id == CONTOSO)
        .expect("contoso");
    let s = &c.subscriptions[0];
    let key = s.reservations[0].purchase_key(&c.id, &s.id);
    let journal = Journal::open(&sb.state_dir()).expect("journal");
    let record = Record::Intent {
        at: chrono::Utc::now(),
        intent_id: "i-1".into(),
        plan_hash: "h".into(),
        lines: vec![PurchaseLine {
            commitment: None,
            key,
            item_name: "web-tier".into(),
            catalog_item_id: "DZH318Z0AAAA:0001:AV".into(),
            product_id: "DZH318Z0AAAA".into(),
            sku_id: "0001".into(),
            quantity: 3,
            billing_cycle: "one_time".into(),
            term_duration: Some("P1Y".into()),
            provisioning_context: Default::default(),
            friendly_name: None,
            estimate: None,
        }],
        create_request_id: "r-1".into(),
    };
    futures::executor::block_on(journal.append(CONTOSO, &record)).expect("append");
    let plan = sb.plan(&manifest, &["--format", "json"]).json();
    let web = row(&plan, "web-tier");
    assert_eq!(web["action"], "pending", "{web:#}");
    assert_eq!(
        (web["owned"].as_u64(), web["pending"].as_u64()),
        (Some(2), Some(3))
    );

    let file = sb
        .state_dir()
        .join("journal")
        .join(format!("{CONTOSO}.jsonl"));
    std::fs::write(&file, "not json\n{}\n").expect("corrupt the journal");
    let more = manifest.replace("quantity: 5", "quantity: 9");
    let run = sb.plan(&more, &["--format", "json"]);
    assert_eq!(run.code, Some(1));
    let web = row(&run.json(), "web-tier").clone();
    assert_eq!(web["action"], "blocked");
    assert!(
        web["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("15 minutes"),
        "{web:#}"
    );
}

#[test]
fn a_plan_without_a_journal_proposes_purchases_and_names_the_witnesses_it_consulted() {
    let sb = Sandbox::start();
    let more = MATCHING.replace("quantity: 2", "quantity: 5");
    assert!(!sb.state_dir().join("journal").exists());
    // The activity log stands in for the missing journal: nothing blocked.
    let run = sb.plan(&more, &["--format", "json", "--detailed-exitcode"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let json = run.json();
    let web = row(&json, "web-tier").clone();
    assert_eq!(web["action"], "purchase", "{web:#}");
    assert_eq!(json["witnesses"]["journal"], "missing", "{json:#}");
    assert_eq!(
        json["witnesses"]["activity_log"]["status"], "read",
        "{json:#}"
    );
    assert_eq!(json["witnesses"]["activity_log"]["minutes"], 30, "{json:#}");
    for format in ["text", "markdown"] {
        let run = sb.plan(&more, &["--format", format]);
        assert!(
            run.stdout.contains(
                "Recent purchases checked with: the purchase journal (none in this state dir), \
                 0 orders fetched by id, the partner activity log (0 orders in the last 30 minutes)."
            ),
            "{format}: {}",
            run.stdout
        );
    }

    // --fresh-state is a deprecated no-op: a note on stderr, the same plan.
    let run = sb.plan(&more, &["--format", "json", "--fresh-state"]);
    assert!(run.stderr.contains("--fresh-state"), "{}", run.stderr);
    assert!(run.stderr.contains("deprecated"), "{}", run.stderr);
    assert_eq!(row(&run.json(), "web-tier")["action"], "purchase");
    assert!(
        !sb.state_dir().join("journal").exists(),
        "plan creates no journal"
    );
}
