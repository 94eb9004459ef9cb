//! `reservoir entitlements`, including `--expiring-within` and the embedded sandbox.

use super::common::{CONTOSO, CONTOSO_PLAN, Sandbox, csv_records, reservoir, run};
use serde_json::Value;

fn items(v: &Value) -> Vec<Value> {
    v["entitlements"].as_array().expect("entitlements").clone()
}

#[test]
fn entitlements_are_attributed_and_follow_the_reservation_link() {
    let f = Sandbox::views();
    let json = f
        .reservoir(&["entitlements", "--customer", "contoso", "--format", "json"])
        .json();
    let all = items(&json);
    assert_eq!(all.len(), 2, "contoso's VM reservation and software");
    let vm = all
        .iter()
        .find(|e| e["entitlement_type"] == "reservedInstance")
        .expect("reservation");
    assert_eq!(vm["quantity"], 2);
    assert_eq!(vm["subscription_id"], CONTOSO_PLAN);
    assert_eq!(vm["term"], "P1Y");
    assert_eq!(vm["scope"], "shared");
    assert!(
        vm["expiry"].as_str().is_some_and(|s| s.ends_with('Z')),
        "{vm}"
    );
    assert!(
        vm["reservation_order_id"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    let r = &vm["reservations"][0];
    assert!(
        r["reservation_id"].as_str().is_some_and(|s| !s.is_empty()),
        "{vm}"
    );
    assert_eq!(r["scope_type"], "Shared");
    assert_eq!(r["provisioning_state"], "Created");

    let sw = f
        .reservoir(&[
            "entitlements",
            "--customer",
            CONTOSO,
            "--type",
            "software",
            "--format",
            "json",
        ])
        .json();
    let sw = items(&sw);
    assert_eq!(sw.len(), 1);
    assert_eq!(sw[0]["entitlement_type"], "software");
    assert!(sw[0]["reservations"].as_array().expect("list").is_empty());

    let text = f.reservoir(&["entitlements"]);
    assert_eq!(text.code, Some(0), "{}", text.stderr);
    assert!(
        text.stdout.contains("Fabrikam") && text.stdout.contains("P3Y"),
        "{}",
        text.stdout
    );
    let csv = f.reservoir(&["entitlements", "--format", "csv"]);
    let records = csv_records(&csv.stdout);
    assert!(
        records[0].starts_with("customer,type,product,sku"),
        "{}",
        records[0]
    );
    assert_eq!(records.len(), 4, "header + contoso's two + fabrikam's one");
}

#[test]
fn single_scope_reservations_show_their_applied_scope() {
    let f = Sandbox::views();
    let id = f.add_vm(1, 5, "single");
    let json = f
        .reservoir(&[
            "entitlements",
            "--customer",
            "contoso",
            "--type",
            "reservedInstance",
            "--format",
            "json",
        ])
        .json();
    let e = items(&json)
        .into_iter()
        .find(|e| e["order_id"] == id.as_str())
        .expect("the new reservation");
    assert_eq!(e["scope"], "single");
    assert_eq!(e["reservations"][0]["scope_type"], "Single");
    assert_eq!(
        e["reservations"][0]["applied_scopes"][0],
        format!("/subscriptions/{CONTOSO_PLAN}").as_str()
    );
}

#[test]
fn expiring_within_finds_reservations_to_renew_and_exits_2() {
    let f = Sandbox::views();
    let old = f.add_vm(3, 300, "shared");
    let found = f.reservoir(&[
        "entitlements",
        "--expiring-within",
        "90d",
        "--format",
        "json",
    ]);
    assert_eq!(found.code, Some(2), "{}", found.stderr);
    let list = items(&found.json());
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["order_id"], old.as_str());
    assert_eq!(list[0]["quantity"], 3);

    let text = f.reservoir(&["entitlements", "--expiring-within", "90d"]);
    assert_eq!(text.code, Some(2));
    assert!(
        text.stdout.contains("1 entitlement(s) expire on or before"),
        "{}",
        text.stdout
    );

    let none = f.reservoir(&[
        "entitlements",
        "--expiring-within",
        "30d",
        "--format",
        "csv",
    ]);
    assert_eq!(none.code, Some(0), "{}", none.stderr);
    assert_eq!(csv_records(&none.stdout).len(), 1, "header only");

    let bad = f.reservoir(&["entitlements", "--expiring-within", "soon"]);
    assert_ne!(bad.code, Some(0));
    assert!(bad.stderr.contains("90d"), "{}", bad.stderr);
}

#[test]
fn the_embedded_sandbox_serves_the_views_by_default() {
    let state = tempfile::tempdir().expect("tempdir");
    let mut prep = Sandbox::embedded_world(state.path());
    prep.add_vm(1, 340, "shared");
    prep.stop();
    let mut cmd = reservoir();
    cmd.arg("--state-dir").arg(state.path()).args([
        "entitlements",
        "--customer",
        "contoso",
        "--expiring-within",
        "60d",
        "--format",
        "json",
    ]);
    let out = run(&mut cmd);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert_eq!(items(&out.json()).len(), 1);
}
