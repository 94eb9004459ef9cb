//! `reservoir invoices`: balance, summaries, list (paged), show, lines (multi-page), pdf.

use super::common::{Sandbox, csv_records};
use serde_json::Value;

/// The id of the USD invoice of the current billing period (holds the orders added "now").
fn current_usd_invoice(f: &Sandbox) -> String {
    let list = f
        .reservoir(&["invoices", "list", "--format", "json"])
        .json();
    list.as_array()
        .expect("list")
        .iter()
        .filter(|i| i["currency"] == "USD")
        .max_by_key(|i| i["period_start"].as_str().unwrap_or("").to_string())
        .and_then(|i| i["id"].as_str())
        .expect("a USD invoice")
        .to_string()
}

#[test]
fn balance_and_summaries_in_every_format() {
    let f = Sandbox::views();
    let b = f
        .reservoir(&["invoices", "balance", "--format", "json"])
        .json();
    assert_eq!(b["currency"], "USD");
    assert!(
        b["balance"]
            .as_str()
            .is_some_and(|s| s.parse::<f64>().is_ok_and(|v| v > 0.0)),
        "{b}"
    );
    assert!(b["by_type"].as_array().is_some_and(|t| t.len() == 2));

    let text = f.reservoir(&["invoices", "balance"]);
    assert_eq!(text.code, Some(0), "{}", text.stderr);
    assert!(
        text.stdout.starts_with("currency  balance"),
        "{}",
        text.stdout
    );

    let s = f
        .reservoir(&["invoices", "summaries", "--format", "json"])
        .json();
    let currencies: Vec<&str> = s
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|x| x["currency"].as_str())
        .collect();
    assert_eq!(
        currencies,
        vec!["USD", "GBP"],
        "contoso pays in USD, fabrikam in GBP"
    );
    let csv = f.reservoir(&["invoices", "summaries", "--format", "csv"]);
    assert_eq!(csv_records(&csv.stdout).len(), 3);
}

#[test]
fn list_reads_every_page_and_show_reads_one() {
    let f = Sandbox::views();
    let paged = f
        .reservoir(&["invoices", "list", "--page-size", "1", "--format", "json"])
        .json();
    let ids: Vec<String> = paged
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(ids.len(), 2, "{paged}");
    assert!(
        f.requests_matching("/v1/invoices") >= 2,
        "one request per page"
    );
    let whole = f
        .reservoir(&["invoices", "list", "--format", "json"])
        .json();
    assert_eq!(paged, whole);

    let one = f
        .reservoir(&["invoices", "show", &ids[0], "--format", "json"])
        .json();
    assert_eq!(one["id"], ids[0].as_str());
    assert_eq!(one["invoice_type"], "OneTime");
    assert_eq!(one["line_item_sets"][0], "one_time/billing_line_items");
    let text = f.reservoir(&["invoices", "show", &ids[0]]);
    assert!(text.stdout.contains("billing period:"), "{}", text.stdout);

    let missing = f.reservoir(&["invoices", "show", "G000000000"]);
    assert_eq!(missing.code, Some(1));
    assert!(missing.stderr.contains("G000000000"), "{}", missing.stderr);
}

#[test]
fn lines_are_read_completely_across_continuation_pages() {
    let f = Sandbox::views();
    let orders = [
        f.add_vm(1, 0, "shared"),
        f.add_vm(2, 0, "shared"),
        f.add_software(7, 0),
    ];
    let id = current_usd_invoice(&f);
    let before = f.requests_matching("/lineitems");
    let out = f.reservoir(&[
        "invoices",
        "lines",
        &id,
        "--page-size",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let lines = out.json();
    let lines = lines.as_array().expect("lines");
    assert!(
        f.requests_matching("/lineitems") - before >= 2,
        "more than one page was read"
    );
    for o in &orders {
        let l = lines
            .iter()
            .find(|l| l["order_id"] == o.as_str())
            .unwrap_or_else(|| panic!("order {o} charged"));
        assert_eq!(l["currency"], "USD");
        assert!(
            l["unit_price"].is_string() && l["subtotal"].is_string(),
            "money as decimal strings: {l}"
        );
    }
    let vm = lines
        .iter()
        .find(|l| l["order_id"] == orders[1].as_str())
        .expect("vm line");
    assert_eq!(vm["quantity"], "2");
    assert!(
        vm["reservation_order_id"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    let sw = lines
        .iter()
        .find(|l| l["order_id"] == orders[2].as_str())
        .expect("software line");
    assert_eq!(sw["quantity"], "7");

    let one_page = f
        .reservoir(&[
            "invoices",
            "lines",
            &id,
            "--provider",
            "one_time",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(one_page.as_array().expect("lines").len(), lines.len());

    let csv = f.reservoir(&[
        "invoices",
        "lines",
        &id,
        "--page-size",
        "1",
        "--format",
        "csv",
    ]);
    let records = csv_records(&csv.stdout);
    assert_eq!(records.len(), lines.len() + 1);
    assert!(
        records
            .iter()
            .any(|r| r.contains("\"Reserved VM Instance, ")),
        "quoted commas: {records:?}"
    );

    let text = f.reservoir(&["invoices", "lines", &id]);
    assert!(
        text.stdout
            .contains(&format!("{} line item(s) on invoice {id}", lines.len())),
        "{}",
        text.stdout
    );
}

#[test]
fn pdf_is_written_and_never_overwritten_without_force() {
    let f = Sandbox::views();
    let list: Value = f
        .reservoir(&["invoices", "list", "--format", "json"])
        .json();
    let id = list[0]["id"].as_str().expect("id").to_string();
    let out = f.dir.path().join("statement.pdf");
    let first = f.reservoir(&[
        "invoices",
        "pdf",
        &id,
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert!(first.stdout.is_empty());
    let bytes = std::fs::read(&out).expect("pdf written");
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(
        String::from_utf8_lossy(&bytes)
            .trim_end()
            .ends_with("%%EOF")
    );

    std::fs::write(&out, b"keep me").expect("overwrite by hand");
    let again = f.reservoir(&[
        "invoices",
        "pdf",
        &id,
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(again.code, Some(1));
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    assert_eq!(std::fs::read(&out).expect("file"), b"keep me");

    let forced = f.reservoir(&[
        "invoices",
        "pdf",
        &id,
        "--out",
        out.to_str().expect("utf-8"),
        "--force",
    ]);
    assert_eq!(forced.code, Some(0), "{}", forced.stderr);
    assert!(std::fs::read(&out).expect("file").starts_with(b"%PDF-"));
}
