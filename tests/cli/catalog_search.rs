//! `reservoir catalog search` (issue 16 item 2) against the embedded sandbox: what one customer
//! can buy, filtered by type, region and text, with a manifest item per offer that validates and
//! plans as a purchase when pasted. Snapshots of the whole text and JSON answers.

use super::{reservoir, run};

use crate::support::world::CONTOSO;
const SUB: &str = "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10";

fn search(state: &std::path::Path, args: &[&str]) -> super::Run {
    run(reservoir(state)
        .args(["catalog", "search", "--customer", "contoso"])
        .args(args))
}

#[test]
fn vm_offers_in_a_region_with_terms_inventory_and_a_manifest_item() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = search(dir.path(), &["--type", "vm", "--region", "eastus", "D4s"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    insta::assert_snapshot!("catalog_search_vm_eastus", out.stdout);
}

#[test]
fn software_as_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = search(dir.path(), &["--type", "software", "--format", "json"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["customer_id"], CONTOSO);
    assert!(
        v["offers"].as_array().is_some_and(|o| !o.is_empty()),
        "{}",
        out.stdout
    );
    insta::assert_snapshot!("catalog_search_software_json", out.stdout);
}

#[test]
fn a_pasted_item_validates_and_plans_as_a_purchase() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = search(
        dir.path(),
        &[
            "--type",
            "vm",
            "--region",
            "westeurope",
            "--format",
            "json",
            "Standard_D8s_v5",
        ],
    );
    assert_eq!(out.code, Some(0), "{}", out.all());
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let item = v["offers"][0]["manifest_item"].as_str().expect("an offer");
    let indented: String = item.lines().map(|l| format!("          {l}\n")).collect();
    let manifest = format!(
        "version: 1\ncustomers:\n  - id: {CONTOSO}\n    subscriptions:\n      - id: {SUB}\n        \
         kind: azure-plan\n        reservations:\n{indented}"
    );
    let m = dir.path().join("m.yaml");
    std::fs::write(&m, &manifest).expect("write");
    let out = run(reservoir(dir.path()).arg("validate").arg(&m));
    assert_eq!(out.code, Some(0), "{manifest}\n{}", out.all());
    let out = run(reservoir(dir.path())
        .args(["plan", "--format", "json"])
        .arg(&m));
    assert_eq!(out.code, Some(0), "{manifest}\n{}", out.all());
    let plan: serde_json::Value = serde_json::from_str(&out.stdout).expect("json plan");
    assert_eq!(plan["rows"][0]["action"], "purchase", "{plan:#}");
    assert_eq!(plan["rows"][0]["to_buy"], 1, "{plan:#}");
}

#[test]
fn bad_input_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(reservoir(dir.path()).args(["catalog", "search"]));
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stderr.contains("exactly one --customer"),
        "{}",
        out.all()
    );
    let out = search(dir.path(), &["--region", "East US"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stderr.contains("not an ARM region name"),
        "{}",
        out.all()
    );
    let out = search(dir.path(), &["--type", "vm", "NoSuchSku"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("Nothing matches."), "{}", out.all());
}

#[test]
fn an_inventory_restriction_is_shown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = search(dir.path(), &["--type", "vm", "--region", "japanwest", "NC"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(
        out.stdout.contains("inventory restricted ("),
        "{}",
        out.all()
    );
}

/// `--type savings-plan`: the savings-plan SKUs read by customer, with terms, billing plans and
/// the minimum hourly commitment, and a `savings_plans:` item that validates and plans as a
/// purchase of that commitment when pasted.
#[test]
fn savings_plans_with_their_minimum_commitment_and_a_pasteable_item() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = search(dir.path(), &["--type", "savings-plan"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(
        out.stdout.contains(
            "terms P1Y, P3Y · billing one_time, monthly · minimum commitment 0.001 USD/h"
        ),
        "{}",
        out.all()
    );
    insta::assert_snapshot!("catalog_search_savings_plan", out.stdout);

    let out = search(dir.path(), &["--type", "savings-plan", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["offers"][0]["type"], "savings_plan");
    assert_eq!(
        v["offers"][0]["sku_ids"],
        serde_json::json!(["0001", "0002"])
    );
    let item = v["offers"][0]["manifest_item"].as_str().expect("an offer");
    let indented: String = item.lines().map(|l| format!("      {l}\n")).collect();
    let manifest =
        format!("version: 1\ncustomers:\n  - id: {CONTOSO}\n    savings_plans:\n{indented}");
    let m = dir.path().join("m.yaml");
    std::fs::write(&m, &manifest).expect("write");
    let out = run(reservoir(dir.path()).arg("validate").arg(&m));
    assert_eq!(out.code, Some(0), "{manifest}\n{}", out.all());
    let out = run(reservoir(dir.path())
        .args(["plan", "--format", "json"])
        .arg(&m));
    assert_eq!(out.code, Some(0), "{manifest}\n{}", out.all());
    let plan: serde_json::Value = serde_json::from_str(&out.stdout).expect("json plan");
    assert_eq!(plan["rows"][0]["action"], "purchase", "{plan:#}");
    assert_eq!(plan["rows"][0]["to_buy"], 1, "0.001 per hour: {plan:#}");
}
