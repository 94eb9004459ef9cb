//! The same reservation declared twice — once by ARM names (`sku` + `region`), once by catalog ids
//! (`product` + `sku`) — in one file or in two: the purchase keys differ, so only the catalog
//! shows they buy the same thing. The plan is an error naming both declarations, and nothing is
//! bought for that customer, whatever the number of applies.

use super::support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const SUB: &str = "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10";

fn arm_item() -> String {
    "          - name: batch-tier\n            type: vm\n            sku: Standard_D4s_v5\n            \
     region: eastus\n            term: P3Y\n            scope: shared\n            quantity: 4\n"
        .to_owned()
}

fn pinned_item(product: &str, sku: &str) -> String {
    format!(
        "          - name: batch-pinned\n            type: vm\n            product: {product}\n            \
         sku: \"{sku}\"\n            term: P3Y\n            scope: shared\n            quantity: 4\n"
    )
}

fn customer(items: &str) -> String {
    format!(
        "version: 1\ncustomers:\n  - id: {CONTOSO}\n    name: contoso\n    subscriptions:\n      \
         - id: {SUB}\n        kind: azure-plan\n        reservations:\n{items}"
    )
}

/// The catalog ids the sandbox resolves Standard_D4s_v5 / eastus / P3Y to.
fn catalog_ids(sb: &Sandbox) -> (String, String) {
    let run = sb.plan(&customer(&arm_item()), &["--format", "json"]);
    let plan: Value = serde_json::from_str(&run.stdout).expect("json plan");
    let row = plan["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["item"] == "batch-tier")
        .expect("batch-tier row")
        .clone();
    (
        row["resolved"]["product_id"]
            .as_str()
            .expect("product")
            .to_owned(),
        row["resolved"]["sku_id"].as_str().expect("sku").to_owned(),
    )
}

/// The 1-based line of `- name: {name}` in a file.
fn line_of(path: &Path, name: &str) -> usize {
    let text = std::fs::read_to_string(path).expect("read manifest");
    text.lines()
        .position(|l| l.trim() == format!("- name: {name}"))
        .expect("item in file")
        + 1
}

/// Writes the files (replacing any manifests) and returns the folder.
fn write(sb: &Sandbox, files: &[(&str, String)]) -> PathBuf {
    let dir = sb.dir.path().join("manifests");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write manifest");
    }
    dir
}

fn check(sb: &Sandbox, dir: &Path, arm: (&str, usize), pinned: (&str, usize)) {
    let names_both = |out: &str| {
        out.contains(&format!("{}:{}:", arm.0, arm.1))
            && out.contains(&format!("{}:{}:", pinned.0, pinned.1))
    };
    let mut plan = sb.command(false);
    plan.arg("plan").arg(dir);
    let run = sb.run(plan);
    assert_eq!(run.code, Some(1), "the plan is an error: {}", run.all());
    assert!(
        names_both(&run.stdout),
        "names both file:line: {}",
        run.all()
    );
    assert!(
        run.stdout.contains("declared more than once"),
        "{}",
        run.all()
    );
    assert!(
        !run.stdout.contains("+ purchase"),
        "no purchase row: {}",
        run.all()
    );
    for _ in 0..2 {
        let mut apply = sb.command(false);
        apply.arg("apply").arg(dir).arg("--auto-approve");
        let run = sb.run(apply);
        assert_eq!(run.code, Some(1), "{}", run.all());
        assert!(
            names_both(&run.all()),
            "names both file:line: {}",
            run.all()
        );
        assert_eq!(sb.units(CONTOSO), 0, "nothing bought: {}", run.all());
    }
    assert!(sb.orders().is_empty(), "no order at all: {:?}", sb.orders());
}

#[test]
fn the_same_reservation_by_arm_names_and_by_catalog_ids_in_two_files_buys_nothing() {
    let sb = Sandbox::start();
    let (product, sku) = catalog_ids(&sb);
    let dir = write(
        &sb,
        &[
            ("a.yaml", customer(&arm_item())),
            ("b.yaml", customer(&pinned_item(&product, &sku))),
        ],
    );
    let arm = line_of(&dir.join("a.yaml"), "batch-tier");
    let pinned = line_of(&dir.join("b.yaml"), "batch-pinned");
    check(&sb, &dir, ("a.yaml", arm), ("b.yaml", pinned));
}

#[test]
fn the_same_reservation_declared_twice_in_one_file_buys_nothing_for_that_customer() {
    let sb = Sandbox::start();
    let (product, sku) = catalog_ids(&sb);
    // The customer also declares software, which would be bought without the duplicate.
    let text = customer(&(arm_item() + &pinned_item(&product, &sku)))
        + "    software:\n      - name: sql-server-perpetual\n        product: DG7GMGF0FKZV\n        \
           sku: \"0001\"\n        quantity: 3\n";
    let dir = write(&sb, &[("m.yaml", text)]);
    let arm = line_of(&dir.join("m.yaml"), "batch-tier");
    let pinned = line_of(&dir.join("m.yaml"), "batch-pinned");
    check(&sb, &dir, ("m.yaml", arm), ("m.yaml", pinned));
}
