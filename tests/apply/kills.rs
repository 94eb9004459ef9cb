//! The process killed after each step of the purchase protocol, then apply run again: exactly
//! the declared units are ordered, never more. The "Partner Center" (the sandbox in the test
//! process) survives the kill, as the real one would.

use super::support::*;

fn killed_then_resumed(point: &str) {
    let sb = Sandbox::start();
    let killed = sb.apply_crashing(CONTOSO_YAML, point);
    assert_eq!(
        killed.code,
        None,
        "{point}: the process was killed: {}",
        killed.all()
    );
    assert!(
        sb.units(CONTOSO) <= CONTOSO_NEW_UNITS,
        "{point}: never more than declared"
    );
    let resumed = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(resumed.code, Some(0), "{point}: {}", resumed.all());
    assert_eq!(
        sb.units(CONTOSO),
        CONTOSO_NEW_UNITS,
        "{point}: exactly the declared units: {}",
        resumed.all()
    );
    let plan = sb.plan(CONTOSO_YAML, &["--detailed-exitcode"]);
    assert_eq!(plan.code, Some(0), "{point}: {}", plan.all());
}

#[test]
fn killed_after_the_intent_is_written() {
    killed_then_resumed("intent");
}

#[test]
fn killed_after_the_cart_was_created_but_before_it_was_journalled() {
    killed_then_resumed("cart_sent");
}

#[test]
fn killed_after_the_cart_is_journalled() {
    killed_then_resumed("cart_created");
}

#[test]
fn killed_after_checkout_started_is_written() {
    killed_then_resumed("checkout_started");
}

#[test]
fn killed_after_the_checkout_was_answered_but_before_it_was_journalled() {
    killed_then_resumed("checkout_sent");
}

#[test]
fn killed_after_the_checkout_result_is_journalled() {
    killed_then_resumed("checkout_result");
}

#[test]
fn a_lock_left_by_a_killed_apply_is_taken_over() {
    let sb = Sandbox::start();
    if !sb.dir_store_only() {
        return;
    }
    let killed = sb.apply_crashing(CONTOSO_YAML, "checkout_started");
    assert_eq!(killed.code, None, "{}", killed.all());
    let sidecar = sb
        .state_dir()
        .join("locks")
        .join(format!("{CONTOSO}.holder.json"));
    assert!(
        sidecar.exists(),
        "the dead process left its holder record behind"
    );
    // The OS released the dead holder's lock: the next apply takes it at once.
    let resumed = sb.apply(CONTOSO_YAML, &["--lock-timeout", "0s"]);
    assert_eq!(resumed.code, Some(0), "{}", resumed.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);
    assert!(!sidecar.exists(), "released cleanly afterwards");
}

#[test]
fn availability_rotated_between_cart_and_checkout_is_re_resolved_without_overbuying() {
    let sb = Sandbox::start();
    let killed = sb.apply_crashing(CONTOSO_YAML, "cart_created");
    assert_eq!(killed.code, None, "{}", killed.all());
    sb.rotate_availabilities();
    // The resumed checkout meets 400019: nothing was bought through that cart. The shown plan
    // counted those lines as pending (not as purchases), so this run does not buy them anew.
    let run = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(
        run.stdout
            .contains("400019 the catalog item is no longer available"),
        "{}",
        run.all()
    );
    assert_eq!(sb.units(CONTOSO), 0);
    // The next run plans them again, resolved fresh.
    let run = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(run.code, Some(0), "{}", run.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "{}", run.all());
}

/// contoso's savings plan of USD 5.00 per hour (issue 14 item 4).
const SAVINGS_YAML: &str = r#"
version: 1
customers:
  - id: 4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01
    name: contoso
    savings_plans:
      - { name: compute, subscription: 9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10, hourly_commitment: "5.00", currency: USD }
"#;

/// A savings plan killed at `point` then applied again: one plan of exactly the declared hourly
/// commitment, never a second one.
fn savings_plan_killed_then_resumed(point: &str) {
    let sb = Sandbox::start();
    let killed = sb.apply_crashing(SAVINGS_YAML, point);
    assert_eq!(killed.code, None, "{point}: killed: {}", killed.all());
    let resumed = sb.apply(SAVINGS_YAML, &[]);
    assert_eq!(resumed.code, Some(0), "{point}: {}", resumed.all());
    let again = sb.apply(SAVINGS_YAML, &[]);
    assert_eq!(again.code, Some(0), "{point}: {}", again.all());
    let lines: Vec<serde_json::Value> = sb
        .orders()
        .iter()
        .flat_map(|o| o["lines"].as_array().cloned().unwrap_or_default())
        .collect();
    assert_eq!(lines.len(), 1, "{point}: one plan: {lines:#?}");
    assert_eq!(lines[0]["purchaseCommitment"]["amount"], 5.0, "{point}");
    let plan = sb.plan(SAVINGS_YAML, &["--detailed-exitcode"]);
    assert_eq!(plan.code, Some(0), "{point}: {}", plan.all());
}

#[test]
fn a_savings_plan_killed_after_the_cart_was_created_is_bought_once() {
    savings_plan_killed_then_resumed("cart_sent");
}

#[test]
fn a_savings_plan_killed_after_the_checkout_was_answered_is_bought_once() {
    savings_plan_killed_then_resumed("checkout_sent");
}
