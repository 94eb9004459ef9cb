//! A plan reads availabilities (and prices) only for items it wants to buy (issue 13): a fleet
//! that owns what it declares is planned `ok` without them, even when buying that item would
//! not be possible; a row with a shortfall still reads its availability and says why it cannot
//! be bought.

use super::support::*;
use serde_json::{Value, json};

/// The paths of the logged calls containing `fragment`.
fn paths(log: &[Value], fragment: &str) -> Vec<String> {
    log.iter()
        .filter_map(|r| r["path"].as_str())
        .filter(|p| p.to_ascii_lowercase().contains(fragment))
        .map(str::to_owned)
        .collect()
}

#[test]
fn an_owned_item_plans_ok_without_its_availability_and_a_shortfall_still_reads_it() {
    let sb = Sandbox::start();
    sb.reset_requests();
    let run = sb.plan(MATCHING, &["--detailed-exitcode"]);
    assert_eq!(run.code, Some(0), "nothing to change: {}", run.all());
    let log = sb.requests();
    assert_eq!(paths(&log, "/availabilities"), Vec::<String>::new());
    assert_eq!(
        paths(&log, "pricesheets"),
        Vec::<String>::new(),
        "nothing is bought, so nothing is priced"
    );
    assert_eq!(paths(&log, "checkinventory"), Vec::<String>::new());

    // The catalog now lists two commercial availabilities for every SKU: which one to buy is
    // ambiguous. What is owned is still owned: the plan is unchanged and says nothing of it.
    sb.fault(json!({
        "path": "/v1/products/*/skus/*/availabilities",
        "kind": "availabilities",
        "mode": "two_commercial",
    }));
    let again = sb.plan(MATCHING, &["--detailed-exitcode"]);
    assert_eq!(again.code, Some(0), "{}", again.all());
    assert_eq!(again.stdout, run.stdout, "the same plan, word for word");
    let plan = sb.plan(MATCHING, &["--format", "json"]).json();
    for item in ["web-tier", "windows-server", "sql"] {
        let r = row(&plan, item);
        assert_eq!(r["action"], "ok", "{item}: {r:#}");
        assert_eq!(
            r["resolved"]["catalog_item_id"],
            Value::Null,
            "{item}: {r:#}"
        );
        assert!(r["resolved"]["product_id"].is_string(), "{item}: {r:#}");
    }

    let web_product = row(&plan, "web-tier")["resolved"]["product_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let web_sku = row(&plan, "web-tier")["resolved"]["sku_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    // One more unit of web-tier: its row reads the availability and is blocked, naming why.
    let more = MATCHING.replace("quantity: 2", "quantity: 3");
    sb.reset_requests();
    let plan = sb.plan(&more, &["--format", "json"]).json();
    let web = row(&plan, "web-tier");
    assert_eq!(web["action"], "blocked", "{web:#}");
    assert!(
        web["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("ambiguous"),
        "{web:#}"
    );
    let log = sb.requests();
    let read = paths(&log, "/availabilities");
    assert_eq!(read.len(), 1, "web-tier's SKU alone: {read:?}");
    let sku_path = format!("/products/{web_product}/skus/{web_sku}/availabilities");
    assert!(
        read[0]
            .to_ascii_lowercase()
            .contains(&sku_path.to_ascii_lowercase()),
        "{read:?} vs {sku_path}"
    );
    assert_eq!(row(&plan, "windows-server")["action"], "ok");

    // The catalog sells it again: the one unit is bought, at a known price.
    sb.clear_faults();
    sb.reset_requests();
    let plan = sb.plan(&more, &["--format", "json"]).json();
    let web = row(&plan, "web-tier");
    assert_eq!(web["action"], "purchase", "{web:#}");
    assert_eq!(web["to_buy"], 1);
    assert!(web["resolved"]["catalog_item_id"].is_string(), "{web:#}");
    assert_eq!(web["money"]["price"], "known", "{web:#}");
    let log = sb.requests();
    assert_eq!(paths(&log, "/availabilities").len(), 1);
    assert_eq!(
        paths(&log, "pricesheets").len(),
        1,
        "the one market a purchase is in: {:?}",
        paths(&log, "pricesheets")
    );
}

/// A customer owning the savings plan it declares: the first plan after apply lists the
/// savings-plan SKUs of its catalog at most once and reads no availability; a repeat reads
/// its subscriptions and entitlements and nothing else (the SKUs come from the state store).
#[test]
fn a_repeat_plan_of_an_owned_savings_plan_costs_two_calls_and_reads_no_catalog() {
    let sb = Sandbox::start();
    sb.knobs(json!({"fulfillmentDelaySecs": 0}));
    let yaml = format!(
        r#"
version: 1
customers:
  - id: {CONTOSO}
    name: contoso
    savings_plans:
      - name: compute
        subscription: {CONTOSO_PLAN}
        scope: shared
        term: P1Y
        billing: upfront
        hourly_commitment: "5.00"
        currency: USD
"#
    );
    let applied = sb.apply(&yaml, &[]);
    assert_eq!(applied.code, Some(0), "{}", applied.all());

    sb.reset_requests();
    let first = sb.plan(&yaml, &["--detailed-exitcode"]);
    assert_eq!(first.code, Some(0), "{}", first.all());
    let log = sb.requests();
    assert_eq!(paths(&log, "/availabilities"), Vec::<String>::new());
    assert!(
        paths(&log, "/skus").len() <= 1,
        "{:?}",
        paths(&log, "/skus")
    );

    sb.reset_requests();
    let again = sb.plan(&yaml, &["--detailed-exitcode"]);
    assert_eq!(again.code, Some(0), "{}", again.all());
    assert_eq!(again.stdout, first.stdout, "the same plan, word for word");
    let log = sb.requests();
    let contoso: Vec<&str> = log
        .iter()
        .filter(|r| r["customerId"] == CONTOSO)
        .filter_map(|r| r["path"].as_str())
        .collect();
    assert_eq!(
        contoso.len(),
        2,
        "subscriptions and entitlements only: {contoso:?}"
    );
    assert_eq!(paths(&log, "/products"), Vec::<String>::new());
    assert_eq!(paths(&log, "pricesheets"), Vec::<String>::new());
}
