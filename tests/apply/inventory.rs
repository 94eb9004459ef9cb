//! Who checks inventory when apply buys (issue 13, docs/partner-center.md §8): the cart. apply
//! sends no `checkinventory` for what it buys; a restricted line comes back from the cart with
//! error 10003, is taken out of the cart, fails with its code and reason, and the rest of the
//! cart is bought. An item that acknowledges a known block (`blocked_ok`) is still checked before
//! its cart, so an acknowledged restriction stays a `blocked` row and never reaches a cart.
//!
//! adatum (JP): the sandbox restricts `Standard_NC6s_v3` in japanwest; `Standard_D2s_v5` in
//! japaneast is available.

use super::support::*;
use crate::support::world::ADATUM;
use serde_json::Value;

fn adatum(gpu_extra: &str) -> String {
    format!(
        r#"
version: 1
customers:
  - id: {ADATUM}
    name: adatum
    subscriptions:
      - id: f8b0d2e4-6a8c-4d0e-8c2f-5b7c9d1e3f16
        kind: azure-plan
        reservations:
          - {{ name: baseline, type: vm, sku: Standard_D2s_v5, region: japaneast, term: P1Y, scope: shared, quantity: 2 }}
          - {{ name: gpu-training, type: vm, sku: Standard_NC6s_v3, region: japanwest, term: P1Y, scope: shared, quantity: 1{gpu_extra} }}
"#
    )
}

#[test]
fn a_restricted_line_is_refused_by_the_cart_and_only_the_rest_is_bought() {
    let sb = Sandbox::start();
    let yaml = adatum("");
    sb.reset_requests();
    let run = sb.apply(&yaml, &[]);
    assert_eq!(
        run.code,
        Some(1),
        "a line that failed fails the run: {}",
        run.all()
    );
    assert_eq!(sb.units(ADATUM), 2, "the baseline alone: {}", run.all());
    let log = sb.requests();
    assert_eq!(
        count(&log, "POST", "checkinventory"),
        0,
        "apply leaves the inventory check to the cart"
    );
    assert_eq!(count(&log, "POST", "/carts"), 1, "one cart");
    assert_eq!(count(&log, "POST", "/checkout"), 1, "one checkout");
    assert_eq!(
        count(&log, "PUT", ""),
        1,
        "the restricted line is taken out of the cart"
    );
    let all = run.all();
    assert!(all.contains("gpu-training"), "{all}");
    assert!(all.contains("10003"), "the cart's code is shown: {all}");

    // Again: the baseline is owned, the GPU is refused again, nothing else is bought.
    sb.reset_requests();
    let again = sb.apply(&yaml, &[]);
    assert_eq!(again.code, Some(1), "{}", again.all());
    assert_eq!(sb.units(ADATUM), 2, "nothing bought twice: {}", again.all());
    assert_eq!(
        count(&sb.requests(), "POST", "/checkout"),
        0,
        "{}",
        again.all()
    );
}

#[test]
fn an_acknowledged_restriction_is_checked_before_the_cart_and_never_reaches_one() {
    let sb = Sandbox::start();
    let yaml = adatum(", blocked_ok: \"capacity request open\"");
    sb.reset_requests();
    let run = sb.apply(&yaml, &[]);
    assert_eq!(run.code, Some(0), "acknowledged: {}", run.all());
    assert_eq!(sb.units(ADATUM), 2, "{}", run.all());
    let log = sb.requests();
    assert_eq!(
        count(&log, "POST", "checkinventory"),
        1,
        "the item with blocked_ok is checked, the baseline is not"
    );
    assert_eq!(count(&log, "PUT", ""), 0, "no line was refused by a cart");
    assert!(
        !run.all().contains("inventory not checked"),
        "leaving the check to the cart is how apply works, not a note on every row: {}",
        run.all()
    );
}

#[test]
fn a_saved_plan_whose_check_said_available_is_applied_without_a_stale_refusal() {
    let sb = Sandbox::start();
    let yaml = adatum(", blocked_ok: \"capacity request open\"");
    let out = sb.dir.path().join("plan.json");
    let plan = sb.plan(
        &yaml,
        &["--out", out.to_str().expect("utf-8"), "--format", "json"],
    );
    assert_eq!(plan.code, Some(0), "{}", plan.all());
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("read")).expect("json");
    let baseline = row(&saved, "baseline");
    assert!(
        baseline["basis"]["catalog"]
            .as_str()
            .is_some_and(|c| c.contains("inventory=available")),
        "plan checks inventory: {baseline}"
    );
    let mut cmd = sb.command(false);
    cmd.arg("apply")
        .arg(sb.dir.path().join("manifests"))
        .arg("--plan")
        .arg(&out)
        .arg("--auto-approve");
    let run = sb.run(cmd);
    assert_eq!(run.code, Some(0), "{}", run.all());
    assert_eq!(sb.units(ADATUM), 2);
}

#[test]
fn with_check_inventory_a_restriction_is_a_blocked_row_and_never_reaches_a_cart() {
    let sb = Sandbox::start();
    let yaml = adatum("");
    sb.reset_requests();
    let run = sb.apply(&yaml, &["--check-inventory"]);
    assert_eq!(
        run.code,
        Some(1),
        "blocked, not acknowledged: {}",
        run.all()
    );
    assert_eq!(sb.units(ADATUM), 2, "the baseline alone: {}", run.all());
    let log = sb.requests();
    assert_eq!(
        count(&log, "POST", "checkinventory"),
        2,
        "both items are checked before the cart"
    );
    assert_eq!(count(&log, "PUT", ""), 0, "no line was refused by a cart");
    assert!(
        run.all().contains("inventory is restricted"),
        "the plan shown says why: {}",
        run.all()
    );
}
