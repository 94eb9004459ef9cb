//! A cart answer that differs from the request (issue 11 item 3), through the real binary and the
//! sandbox's scripted `cart_mismatch` fault: the cart is never checked out, the customer fails
//! naming the difference, and nothing is bought — not even on a second run.

use super::support::*;
use serde_json::json;

fn mismatched_cart_buys_nothing(mode: &str) {
    let sb = Sandbox::start();
    sb.fault(json!({ "kind": "cart_mismatch", "mode": mode, "count": 1 }));
    let run = sb.apply(CONTOSO_YAML, &[]);
    let out = run.all();
    assert_eq!(run.code, Some(1), "the customer fails: {out}");
    assert_eq!(
        sb.units(CONTOSO),
        0,
        "a cart that differs from the request is never checked out: {out}"
    );
    assert!(
        out.contains("cart") && (out.contains("quantity") || out.contains("catalog item")),
        "the message names the difference: {out}"
    );
    // Control: the same apply against an honest server buys what was asked, exactly once.
    sb.clear_faults();
    let again = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(again.code, Some(0), "{}", again.all());
    let bought = sb.units(CONTOSO);
    assert!(bought > 0, "{}", again.all());
    let rerun = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(rerun.code, Some(0), "{}", rerun.all());
    assert_eq!(sb.units(CONTOSO), bought, "a re-run buys nothing more");
}

#[test]
fn a_cart_answered_with_a_doubled_quantity_is_never_checked_out() {
    mismatched_cart_buys_nothing("double_quantity");
}

#[test]
fn a_cart_answered_with_another_catalog_item_is_never_checked_out() {
    mismatched_cart_buys_nothing("other_item");
}
