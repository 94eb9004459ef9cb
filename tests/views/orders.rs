//! `reservoir orders` and `orders show`.

use super::common::{CONTOSO, CONTOSO_PLAN, Sandbox, csv_records, days_ago};

#[test]
fn orders_list_every_customers_orders_in_text_json_and_csv() {
    let f = Sandbox::views();
    // Fitted to 120 columns by default (the subscription column is left out, and named).
    let fitted = f.reservoir(&["orders"]);
    assert_eq!(fitted.code, Some(0), "{}", fitted.stderr);
    let table: Vec<&str> = fitted
        .stdout
        .lines()
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(
        table
            .iter()
            .all(|l| l.chars().count() <= 120 || l.starts_with("(not shown")),
        "{}",
        fitted.stdout
    );
    assert!(
        fitted
            .stdout
            .lines()
            .any(|l| l.starts_with("(not shown") && l.contains("subscription")),
        "{}",
        fitted.stdout
    );
    let text = f.reservoir(&["orders", "--wide"]);
    assert_eq!(text.code, Some(0), "{}", text.stderr);
    for want in [
        "Contoso",
        "Fabrikam",
        "Standard_D2s_v5 eastus",
        CONTOSO_PLAN,
        "15 minutes",
    ] {
        assert!(
            text.stdout.contains(want),
            "missing {want}:\n{}",
            text.stdout
        );
    }
    let header = text.stdout.lines().next().expect("header");
    let rule = text.stdout.lines().nth(1).expect("rule");
    assert_eq!(
        header.find("order"),
        rule.find(" -").map(|i| i + 1),
        "columns line up"
    );

    let json = f.reservoir(&["orders", "--format", "json"]).json();
    assert!(json["note"].as_str().expect("note").contains("15 minutes"));
    let orders = json["orders"].as_array().expect("orders");
    assert_eq!(orders.len(), 3, "the demo world's three seed orders");
    let vm = orders
        .iter()
        .find(|o| o["lines"][0]["term_duration"] == "P1Y")
        .expect("the contoso VM order");
    assert_eq!(vm["customer_id"], CONTOSO);
    assert_eq!(vm["status"], "completed");
    assert_eq!(vm["billing_cycle"], "one_time");
    assert_eq!(vm["lines"][0]["quantity"], 2);
    assert_eq!(vm["lines"][0]["scope"], "shared");

    let csv = f.reservoir(&["orders", "--format", "csv"]);
    assert_eq!(csv.code, Some(0));
    let records = csv_records(&csv.stdout);
    assert!(
        records[0].starts_with("customer,order,created,status"),
        "{}",
        records[0]
    );
    assert_eq!(records.len(), 4, "header + one record per order line");
    assert!(
        csv.stderr.contains("15 minutes"),
        "CSV keeps the note on stderr"
    );
}

#[test]
fn orders_filter_by_customer_since_and_billing_cycle() {
    let f = Sandbox::views();
    let recent = f.add_vm(3, 2, "shared");
    let json = f
        .reservoir(&[
            "orders",
            "--customer",
            "CONTOSO",
            "--since",
            &days_ago(10),
            "--format",
            "json",
        ])
        .json();
    let ids: Vec<&str> = json["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    assert_eq!(ids, vec![recent.as_str()]);

    let one_time = f
        .reservoir(&[
            "orders",
            "--customer",
            CONTOSO,
            "--billing-cycle",
            "one_time",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(one_time["orders"].as_array().expect("orders").len(), 3);
    let monthly = f
        .reservoir(&["orders", "--billing-cycle", "monthly", "--format", "json"])
        .json();
    assert!(monthly["orders"].as_array().expect("orders").is_empty());

    let unknown = f.reservoir(&["orders", "--customer", "initech"]);
    assert_eq!(unknown.code, Some(1));
    assert!(unknown.stderr.contains("\"initech\""), "{}", unknown.stderr);
}

#[test]
fn orders_show_reads_one_order_with_provisioning_status() {
    let f = Sandbox::views();
    let id = f.add_vm(2, 1, "single");
    let json = f
        .reservoir(&["orders", "show", "contoso", &id, "--format", "json"])
        .json();
    assert_eq!(json["id"], id.as_str());
    let line = &json["lines"][0];
    assert_eq!(
        line["provisioning_status"]
            .as_str()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("fulfilled")
    );
    assert_eq!(line["scope"], "single");

    let text = f.reservoir(&["orders", "show", "contoso", &id]);
    assert_eq!(text.code, Some(0), "{}", text.stderr);
    assert!(text.stdout.contains("provisioning"), "{}", text.stdout);
    assert!(
        text.stdout.to_ascii_lowercase().contains("fulfilled"),
        "{}",
        text.stdout
    );

    let csv = f.reservoir(&["orders", "show", CONTOSO, &id, "--format", "csv"]);
    assert_eq!(csv_records(&csv.stdout).len(), 2);

    let missing = f.reservoir(&["orders", "show", "contoso", "no-such-order"]);
    assert_eq!(missing.code, Some(1));
    assert!(
        missing.stderr.contains("no-such-order"),
        "{}",
        missing.stderr
    );
}

#[test]
fn app_only_credentials_show_the_order_without_provisioning_status() {
    let f = Sandbox::views();
    let id = f.add_software(1, 1);
    let mut cmd = f.std_command(false);
    cmd.env_remove("PARTNER_CENTER_REFRESH_TOKEN")
        .args(["orders", "show", "contoso", &id, "--format", "json"]);
    let out = super::common::run(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let json = out.json();
    assert_eq!(json["id"], id.as_str());
    assert!(
        json["lines"][0].get("provisioning_status").is_none(),
        "{json}"
    );

    let mut cmd = f.std_command(false);
    cmd.env_remove("PARTNER_CENTER_REFRESH_TOKEN")
        .arg("entitlements");
    let out = super::common::run(&mut cmd);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.contains("PARTNER_CENTER_REFRESH_TOKEN"),
        "{}",
        out.stderr
    );
}

#[test]
fn text_views_name_the_endpoint_and_partner_tenant_and_machine_formats_do_not() {
    let f = Sandbox::views();
    for args in [
        &["orders"][..],
        &["entitlements"][..],
        &["invoices", "list"][..],
        &["reconcile", "--since", "2026-01-01"][..],
    ] {
        let text = f.reservoir(args);
        let last = text.stdout.trim_end().lines().last().unwrap_or_default();
        assert!(
            last.starts_with("Endpoint: ")
                && last.contains(" · partner tenant ")
                && last.ends_with("sandbox: nothing real is bought"),
            "{args:?}: {}",
            text.stdout
        );
    }
    let json = f.reservoir(&["orders", "--format", "json"]);
    assert!(
        serde_json::from_str::<serde_json::Value>(&json.stdout).is_ok(),
        "{}",
        json.stdout
    );
    let csv = f.reservoir(&["orders", "--format", "csv"]);
    assert!(!csv.stdout.contains("Endpoint: "), "{}", csv.stdout);
}
