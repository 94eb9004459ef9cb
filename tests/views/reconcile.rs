//! `reservoir reconcile`: one-time charges against the journal and receipts.

use super::common::{CONTOSO, Sandbox, days_ago};
use serde_json::{Value, json};

/// The charged line items of `orders` on the invoices since `since`: (order, catalog item,
/// quantity, unit price).
fn charged(f: &Sandbox, orders: &[String]) -> Vec<(String, String, String, String)> {
    let list = f
        .reservoir(&["invoices", "list", "--format", "json"])
        .json();
    let mut out = Vec::new();
    for inv in list.as_array().expect("list") {
        let id = inv["id"].as_str().expect("id");
        let lines = f
            .reservoir(&["invoices", "lines", id, "--format", "json"])
            .json();
        for l in lines.as_array().expect("lines") {
            let o = l["order_id"].as_str().unwrap_or("").to_string();
            if orders.contains(&o) {
                out.push((
                    o,
                    format!(
                        "{}:{}:{}",
                        l["product_id"].as_str().unwrap_or(""),
                        l["sku_id"].as_str().unwrap_or(""),
                        l["availability_id"].as_str().unwrap_or("")
                    ),
                    l["quantity"].as_str().unwrap_or("").to_string(),
                    l["unit_price"].as_str().unwrap_or("").to_string(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn receipt(lines: &[(String, String, String, String)], with_price: bool) -> Value {
    let orders: Vec<Value> = lines
        .iter()
        .map(|(o, item, qty, price)| {
            let mut line =
                json!({"catalog_item_id": item, "quantity": qty.parse::<u32>().expect("qty")});
            if with_price {
                line["unit_price"] = json!(price);
            }
            json!({"order_id": o, "status": "placed", "lines": [line]})
        })
        .collect();
    json!({"customers": [{"customer_id": CONTOSO, "orders": orders}]})
}

fn write_receipt(f: &Sandbox, name: &str, v: &Value) -> std::path::PathBuf {
    let dir = f.dir.path().join(name);
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("receipt.json"),
        serde_json::to_vec_pretty(v).expect("json"),
    )
    .expect("write");
    dir
}

fn rows_with(report: &Value, status: &str) -> Vec<Value> {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["status"] == status)
        .cloned()
        .collect()
}

#[test]
fn reconcile_reports_a_charge_reservoir_did_not_place_and_exits_2_only_when_strict() {
    let f = Sandbox::views();
    let mine = vec![f.add_vm(2, 1, "shared"), f.add_software(3, 1)];
    let stranger = f.add_vm(1, 1, "shared");
    let known = charged(&f, &mine);
    assert_eq!(known.len(), 2);
    let dir = write_receipt(&f, "receipts", &receipt(&known, true));
    let since = days_ago(5);
    let out = f.reservoir(&[
        "reconcile",
        "--since",
        &since,
        "--receipts",
        dir.to_str().expect("utf-8"),
        "--format",
        "json",
        "--strict",
    ]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    let report = out.json();
    assert_eq!(report["counts"]["matched"], 2, "{report:#}");
    assert_eq!(report["counts"]["unexpected"], 1, "{report:#}");
    assert_eq!(report["counts"]["mismatch"], 0);
    assert_eq!(report["counts"]["not_charged"], 0);
    let unexpected = rows_with(&report, "unexpected");
    assert_eq!(unexpected[0]["order_id"], stranger.as_str());
    assert!(
        unexpected[0]["reservation_order_ids"][0]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );

    let text = f.reservoir(&[
        "reconcile",
        "--since",
        &since,
        "--receipts",
        dir.to_str().expect("utf-8"),
    ]);
    // By default an order reservoir did not place is reported, not fatal.
    assert_eq!(text.code, Some(0), "{}{}", text.stdout, text.stderr);
    assert!(
        text.stdout
            .contains("1 charged but not placed by reservoir"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("--strict makes them fail the run"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains(&stranger), "{}", text.stdout);

    let csv = f.reservoir(&[
        "reconcile",
        "--since",
        &since,
        "--receipts",
        dir.to_str().expect("utf-8"),
        "--format",
        "csv",
        "--strict",
    ]);
    assert_eq!(csv.code, Some(2));
    assert!(
        csv.stdout.starts_with("status,customer,order"),
        "{}",
        csv.stdout
    );
}

#[test]
fn reconcile_against_the_journal_matches_an_invoice_and_exits_0() {
    let f = Sandbox::views();
    let orders = vec![f.add_vm(4, 0, "shared"), f.add_software(1, 0)];
    let lines = charged(&f, &orders);
    let journal = f.state_dir().join("journal");
    std::fs::create_dir_all(&journal).expect("journal dir");
    let record = json!({
        "type": "checkout_result",
        "at": chrono::Utc::now().to_rfc3339(),
        "intent_id": "i-1",
        "cart_id": "c-1",
        "orders": lines.iter().map(|(o, item, qty, _)| json!({
            "order_id": o,
            "lines": [{"line": 0, "catalog_item_id": item, "quantity": qty.parse::<u32>().expect("qty")}],
        })).collect::<Vec<_>>(),
        "order_errors": [],
    });
    std::fs::write(
        journal.join(format!("{CONTOSO}.jsonl")),
        format!("{record}\n"),
    )
    .expect("journal");
    let list = f
        .reservoir(&["invoices", "list", "--format", "json"])
        .json();
    let invoice = list
        .as_array()
        .expect("list")
        .iter()
        .filter(|i| i["currency"] == "USD")
        .max_by_key(|i| i["period_start"].as_str().unwrap_or("").to_string())
        .and_then(|i| i["id"].as_str())
        .expect("current USD invoice")
        .to_string();
    let out = f.reservoir(&["reconcile", "--invoice", &invoice, "--format", "json"]);
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_eq!(report["counts"]["matched"], 2, "{report:#}");
    assert_eq!(report["invoices_read"][0], invoice.as_str());
}

#[test]
fn reconcile_reports_quantity_and_amount_mismatches_and_uncharged_orders() {
    let f = Sandbox::views();
    let orders = vec![f.add_vm(2, 1, "shared"), f.add_software(3, 1)];
    let mut lines = charged(&f, &orders);
    // The VM line claims 5 units, the software line a different price.
    let vm = lines
        .iter()
        .position(|l| l.1.starts_with("DZH"))
        .expect("vm");
    lines[vm].2 = "5".into();
    let sw = 1 - vm;
    lines[sw].3 = "1.00".into();
    let mut r = receipt(&lines, true);
    r["customers"][0]["orders"]
        .as_array_mut()
        .expect("orders")
        .push(json!({
            "order_id": "never-charged-order",
            "placed_at": chrono::Utc::now().to_rfc3339(),
            "lines": [{"catalog_item_id": lines[vm].1, "quantity": 1}],
        }));
    let dir = write_receipt(&f, "r", &r);
    let out = f.reservoir(&[
        "--customer",
        "contoso",
        "reconcile",
        "--since",
        &days_ago(5),
        "--receipts",
        dir.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    let report = out.json();
    let mismatches = rows_with(&report, "mismatch");
    assert_eq!(mismatches.len(), 2, "{report:#}");
    assert!(
        mismatches.iter().any(|m| m["detail"]
            .as_str()
            .is_some_and(|d| d.contains("quantity charged 2 but 5 placed"))),
        "{report:#}"
    );
    assert!(
        mismatches.iter().any(|m| m["detail"]
            .as_str()
            .is_some_and(|d| d.contains("amount charged"))),
        "{report:#}"
    );
    let missing = rows_with(&report, "not_charged");
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0]["order_id"], "never-charged-order");
}

#[test]
fn reconcile_needs_an_invoice_or_a_date() {
    let f = Sandbox::views();
    let out = f.reservoir(&["reconcile"]);
    assert_ne!(out.code, Some(0));
    assert!(
        out.stderr.contains("--invoice") || out.stderr.contains("--since"),
        "{}",
        out.stderr
    );
}
