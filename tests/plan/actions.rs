//! Each action and each blocked reason, the round trip, exit codes and the customer filter.

use super::support::*;

#[test]
fn a_world_that_matches_the_manifests_plans_empty() {
    let sb = Sandbox::start();
    let run = sb.plan(MATCHING, &["--detailed-exitcode", "--format", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let plan = run.json();
    assert_eq!(plan["summary"]["to_buy"], 0);
    assert_eq!(plan["summary"]["ok"], 3);
    for item in ["web-tier", "windows-server", "sql"] {
        assert_eq!(row(&plan, item)["action"], "ok", "{item}");
    }
    assert_eq!(plan["summary"]["unmanaged"], 0, "{plan:#}");
}

const EVERY_ACTION: &str = r#"
version: 1
customers:
  - id: 4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01
    name: contoso
    subscriptions:
      - id: 9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10
        kind: azure-plan
        reservations:
          - { name: web-tier, type: vm, sku: Standard_D2s_v5, region: eastus, term: P1Y, scope: shared, quantity: 2 }
          - { name: batch, type: vm, sku: Standard_D4s_v5, region: eastus, term: P3Y, scope: shared, quantity: 4 }
          - { name: typo, type: vm, sku: Standard_D4s_v6, region: eastus, term: P3Y, scope: shared, quantity: 1 }
          - { name: wrong-region, type: vm, sku: Standard_D4s_v5, region: brazilsouth, term: P3Y, scope: shared, quantity: 1 }
      - id: 3c8e2f10-5a6b-4d7c-9e8f-0a1b2c3d4e11
        kind: azure-plan
        reservations:
          - { name: wrong-kind, type: vm, sku: Standard_D2s_v5, region: eastus, term: P1Y, scope: shared, quantity: 1 }
  - id: 7d2a9c61-4e8b-4f3a-b1c5-6e0d2f8a9b02
    name: fabrikam
    subscriptions:
      - id: b4d6f8a0-2c4e-4f6a-8b0c-1d3e5f7a9b12
        kind: azure-plan
        reservations:
          - { name: sql, type: sql, sku: SQLDB_GP_Compute_Gen5, region: uksouth, term: P3Y, scope: shared, quantity: 3 }
      - id: c5e7a9b1-3d5f-4a7b-9c1d-2e4f6a8b0c13
        kind: azure-plan
        reservations:
          - { name: on-suspended, type: vm, sku: Standard_D2s_v5, region: uksouth, term: P1Y, scope: shared, quantity: 1 }
      - id: 00000000-0000-4000-8000-000000000000
        kind: azure-plan
        reservations:
          - { name: on-missing, type: vm, sku: Standard_D2s_v5, region: uksouth, term: P1Y, scope: shared, quantity: 1 }
  - id: 2c9e4b7a-1f6d-4a8e-9b3c-5d7f0e1a2b03
    name: northwind
    subscriptions:
      - id: d6f8b0c2-4e6a-4b8c-a0d2-3f5a7b9c1d14
        kind: azure-plan
        reservations:
          - { name: app, type: vm, sku: Standard_D8s_v5, region: germanywestcentral, term: P3Y, scope: shared, quantity: 3 }
  - id: 8e3f5a1b-6c2d-4e9f-a0b4-7c1d3e5f6a04
    name: adatum
    subscriptions:
      - id: f8b0d2e4-6a8c-4d0e-8c2f-5b7c9d1e3f16
        kind: azure-plan
        reservations:
          - { name: gpu, type: vm, sku: Standard_NC6s_v3, region: japanwest, term: P1Y, scope: shared, quantity: 1 }
          - { name: gpu-east, type: vm, sku: Standard_NC6s_v3, region: japaneast, term: P1Y, scope: shared, quantity: 1 }
  - id: 1a7b3c5d-9e0f-4a2b-8c4d-6e8f0a2b4c05
    name: tailspin
    subscriptions:
      - id: 0a1c3e5f-7b9d-4e1f-9d3a-6c8d0e2f4a17
        kind: azure-plan
        reservations:
          - { name: baseline, type: vm, sku: Standard_D2s_v5, region: westeurope, term: P1Y, scope: shared, quantity: 2 }
"#;

#[test]
fn every_action_and_every_blocked_reason() {
    let sb = Sandbox::start();
    let run = sb.plan(EVERY_ACTION, &["--format", "json"]);
    assert_eq!(
        run.code,
        Some(1),
        "blocked rows make the exit code 1\n{}",
        run.stderr
    );
    let plan = run.json();
    let action = |item: &str| {
        row(&plan, item)["action"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let reason = |item: &str| {
        row(&plan, item)["reason"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };

    assert_eq!(action("web-tier"), "ok");
    assert_eq!(action("batch"), "purchase");
    assert_eq!(row(&plan, "batch")["to_buy"], 4);
    assert_eq!(row(&plan, "batch")["irreversible"], true);
    assert_eq!(action("sql"), "surplus");

    // Issue 16 item 4: not in the customer's catalog is a manifest mistake, an `error` row
    // located in the manifest (it was a `blocked` row without a location before).
    assert_eq!(action("typo"), "error");
    let r = reason("typo");
    assert!(
        r.contains(".yaml:"),
        "names the manifest file and line: {r}"
    );
    assert!(
        r.contains("AzureReservationsVM, Azure plan, country US"),
        "{r}"
    );
    assert!(r.contains("Standard_D4s_v6 in eastus for 3Years"), "{r}");
    assert!(
        r.contains("Standard_D4s_v5 in eastus"),
        "suggests the close name: {r}"
    );
    let r = reason("wrong-region");
    assert!(r.contains("brazilsouth"), "{r}");
    assert!(
        r.contains("Standard_D4s_v5 in eastus or germanywestcentral or "),
        "suggests other regions: {r}"
    );

    assert_eq!(action("wrong-kind"), "blocked");
    assert!(
        reason("wrong-kind").contains("legacy"),
        "{}",
        reason("wrong-kind")
    );
    assert_eq!(action("on-suspended"), "blocked");
    assert!(reason("on-suspended").contains("suspended"));
    assert_eq!(action("on-missing"), "blocked");
    assert!(reason("on-missing").contains("not found"));

    assert_eq!(action("app"), "purchase");
    let register: Vec<_> = plan["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["action"] == "register")
        .collect();
    assert_eq!(
        register.len(),
        1,
        "only northwind's Azure plan needs registering"
    );
    assert_eq!(
        register[0]["subscription_id"],
        "d6f8b0c2-4e6a-4b8c-a0d2-3f5a7b9c1d14"
    );

    assert_eq!(action("gpu"), "blocked");
    assert!(
        reason("gpu").contains("inventory is restricted"),
        "{}",
        reason("gpu")
    );
    assert_eq!(
        action("gpu-east"),
        "purchase",
        "inventory is only restricted in japanwest"
    );

    assert_eq!(action("baseline"), "blocked");
    assert!(reason("baseline").contains("RU"), "{}", reason("baseline"));
}

#[test]
fn a_market_unavailable_customer_costs_no_catalog_call() {
    let sb = Sandbox::start();
    let tailspin_only = EVERY_ACTION;
    sb.reset_requests();
    let run = sb.plan(
        tailspin_only,
        &["--customer", "tailspin", "--format", "json"],
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let catalog = sb
        .requests()
        .iter()
        .filter(|r| r["category"] == "catalog" || r["category"] == "inventory")
        .count();
    assert_eq!(catalog, 0);
}

#[test]
fn detailed_exitcode_is_0_without_changes_2_with_changes_1_when_blocked() {
    let sb = Sandbox::start();
    assert_eq!(sb.plan(MATCHING, &["--detailed-exitcode"]).code, Some(0));
    let more = MATCHING.replace("quantity: 5", "quantity: 7");
    let run = sb.plan(&more, &["--detailed-exitcode"]);
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        sb.plan(&more, &[]).code,
        Some(0),
        "changes alone exit 0 without the flag"
    );
    assert!(
        run.stdout.contains("purchase 2 × windows-server"),
        "{}",
        run.stdout
    );
    assert_eq!(
        sb.plan(EVERY_ACTION, &["--detailed-exitcode"]).code,
        Some(1)
    );
}

#[test]
fn customer_filter_limits_the_run_and_rejects_unknown_names() {
    let sb = Sandbox::start();
    let run = sb.plan(EVERY_ACTION, &["--customer", "contoso", "--format", "json"]);
    let plan = run.json();
    let customers: Vec<&str> = plan["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(customers, vec!["contoso"]);
    let run = sb.plan(
        EVERY_ACTION,
        &[
            "--customer",
            "8E3F5A1B-6C2D-4E9F-A0B4-7C1D3E5F6A04",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        run.json()["customers"][0]["name"],
        "adatum",
        "ids match case-insensitively"
    );
    let run = sb.plan(EVERY_ACTION, &["--customer", "nobody"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("nobody"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn invalid_manifests_are_reported_and_nothing_is_contacted() {
    let sb = Sandbox::start();
    sb.reset_requests();
    let run = sb.plan("version: 1\ncustomers:\n  - id: not-a-guid\n", &[]);
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("m.yaml"), "{}", run.stderr);
    assert!(sb.requests().is_empty(), "no call reached the sandbox");
}
