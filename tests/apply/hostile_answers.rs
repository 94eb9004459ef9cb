//! Issue 11 items 4 and 7 and the secret scrubber, through the real binary and the sandbox's
//! scripted faults, purchases counted with `/_sandbox/orders`:
//! * malformed entitlements (`malformed_entitlements`) make the customer an `error` and nothing
//!   is bought for it;
//! * checkout answers that do not add up (`checkout_answer`: orders for another customer, the
//!   same order twice, an empty 201) are reported as such, and a re-run never opens a second cart;
//! * a server echoing the access token in an error body gets it neither into the journal nor the
//!   receipt.

use super::support::*;
use serde_json::json;

fn malformed_entitlements_buy_nothing(mode: &str) {
    let sb = Sandbox::start();
    sb.fault(json!({ "kind": "malformed_entitlements", "mode": mode }));
    let plan = sb.plan(CONTOSO_YAML, &[]);
    assert_eq!(plan.code, Some(1), "{mode}: the plan fails: {}", plan.all());
    assert!(
        plan.stdout.contains("error") && plan.stdout.contains("entitlement"),
        "{mode}: an error row naming the entitlements: {}",
        plan.all()
    );
    let run = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(run.code, Some(1), "{mode}: {}", run.all());
    assert_eq!(
        sb.units(CONTOSO),
        0,
        "{mode}: nothing is bought when holdings are uncertain: {}",
        run.all()
    );
}

#[test]
fn malformed_entitlements_make_an_error_row_and_nothing_is_bought() {
    for mode in [
        "negative_quantity",
        "missing_quantity",
        "missing_product",
        "missing_sku",
        "missing_order",
    ] {
        malformed_entitlements_buy_nothing(mode);
    }
}

#[test]
fn an_entitlement_listed_twice_is_counted_once() {
    let sb = Sandbox::start();
    sb.knobs(json!({"fulfillmentDelaySecs": 0}));
    let run = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(run.code, Some(0), "{}", run.all());
    let bought = sb.units(CONTOSO);
    sb.fault(json!({ "kind": "malformed_entitlements", "mode": "duplicate_id" }));
    let run = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(run.code, Some(0), "{}", run.all());
    assert_eq!(
        sb.units(CONTOSO),
        bought,
        "a duplicated entitlement is not a surplus, and nothing more is bought"
    );
}

/// `words`: how the run reports the answer (`None`: the run may resolve it by reading the cart
/// and the order by id, and then report the order as placed).
fn checkout_answer_stays_pending(mode: &str, words: Option<&str>) {
    let sb = Sandbox::start();
    sb.fault(json!({ "kind": "checkout_answer", "mode": mode, "count": 1 }));
    let run = sb.apply(CONTOSO_YAML, &[]);
    let out = run.all();
    let placed = sb.units(CONTOSO);
    assert_eq!(
        placed, CONTOSO_NEW_UNITS,
        "{mode}: the one checkout placed the orders: {out}"
    );
    if let Some(words) = words {
        assert!(
            out.contains(words),
            "{mode}: reported as such ({words}): {out}"
        );
        assert!(
            out.contains("did not add up"),
            "{mode}: the summary says an answer did not add up: {out}"
        );
    }
    let carts = |sb: &Sandbox| {
        sb.requests()
            .iter()
            .filter(|r| {
                r["method"] == "POST" && r["path"].as_str().is_some_and(|p| p.ends_with("/carts"))
            })
            .count()
    };
    let before = carts(&sb);
    let plan = sb.plan(CONTOSO_YAML, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&plan.stdout).expect("json plan");
    assert_eq!(
        v["summary"]["to_buy"],
        0,
        "{mode}: nothing left to buy: {}",
        plan.all()
    );
    let again = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(again.code, Some(0), "{mode}: {}", again.all());
    assert_eq!(
        sb.units(CONTOSO),
        placed,
        "{mode}: a re-run buys nothing: {}",
        again.all()
    );
    assert_eq!(
        carts(&sb),
        before,
        "{mode}: and opens no second cart: {}",
        again.all()
    );
}

#[test]
fn checkout_answers_that_do_not_add_up_are_reported_and_never_lead_to_a_second_cart() {
    checkout_answer_stays_pending("other_customer", Some("another customer"));
    checkout_answer_stays_pending("duplicate_order", Some("more than once"));
    checkout_answer_stays_pending("empty", None);
}

#[test]
fn a_secret_echoed_by_the_server_reaches_neither_the_journal_nor_the_receipt() {
    let sb = Sandbox::start();
    // Every cart creation answers 500 echoing the request's bearer token and body.
    sb.fault(json!({ "kind": "echo_secret", "method": "POST", "path": "*/carts" }));
    let receipt = sb.dir.path().join("receipt.json");
    let run = sb.apply(
        CONTOSO_YAML,
        &["--receipt", receipt.to_str().expect("utf-8")],
    );
    let out = run.all();
    assert_eq!(run.code, Some(1), "{out}");
    assert_eq!(sb.units(CONTOSO), 0, "{out}");
    let journal = sb.journal_texts();
    assert!(!journal.is_empty(), "a journal was written: {out}");
    let receipt_text = std::fs::read_to_string(&receipt).unwrap_or_default();
    let stored = journal
        .into_iter()
        .chain([(receipt.display().to_string(), receipt_text)]);
    for (place, text) in stored {
        // Sandbox access tokens look like `sbx.<hex>.<hex>`.
        assert!(
            !text.contains("sbx."),
            "{place} holds an access token:\n{text}"
        );
        assert!(
            !text.contains("sandbox-demo-"),
            "{place} holds a credential"
        );
    }
    assert!(
        !out.contains("sbx.") && !out.contains("sandbox-demo-"),
        "{out}"
    );
}

/// Issue 11 item 6: a server that ignores `targetSegment` and lists the education (and other)
/// availabilities before the commercial one: the commercial availability is bought.
#[test]
fn availabilities_of_every_segment_in_reverse_order_buy_the_commercial_one() {
    let sb = Sandbox::start();
    sb.fault(json!({ "kind": "availabilities", "mode": "all_segments_reversed" }));
    let run = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(run.code, Some(0), "{}", run.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "{}", run.all());
    let plan = sb.plan(CONTOSO_YAML, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&plan.stdout).expect("json plan");
    assert_eq!(v["summary"]["to_buy"], 0, "{}", plan.all());
}

/// Issue 11 item 6: two availabilities of the customer's segment are ambiguous: blocked, nothing
/// bought.
#[test]
fn two_commercial_availabilities_block_and_nothing_is_bought() {
    let sb = Sandbox::start();
    sb.fault(json!({ "kind": "availabilities", "mode": "two_commercial" }));
    let plan = sb.plan(CONTOSO_YAML, &[]);
    assert_eq!(plan.code, Some(1), "{}", plan.all());
    assert!(plan.stdout.contains("blocked"), "{}", plan.all());
    let run = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert_eq!(sb.units(CONTOSO), 0, "{}", run.all());
}
