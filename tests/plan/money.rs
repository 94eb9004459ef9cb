//! Money in the plan: purchase rows priced from the sandbox's price sheet (totals per currency,
//! never added across currencies), read once per market and view and then cached; no access to
//! prices (app-only, 403/800043) makes the price unknown with the reason, never a guess.

use super::support::*;
use reservoir::prices::{Lookup, PriceBook, PriceSheet, SheetObservation};
use reservoir::sandbox::routes::prices::sheet_csv;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::str::FromStr;

fn examples() -> String {
    format!("{}/examples", env!("CARGO_MANIFEST_DIR"))
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(
        v.as_str()
            .unwrap_or_else(|| panic!("an amount string: {v}")),
    )
    .expect("decimal")
}

fn purchases(plan: &Value) -> Vec<&Value> {
    plan["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["action"] == "purchase")
        .collect()
}

#[test]
fn the_demo_plan_totals_per_currency_match_the_sandbox_price_sheet() {
    let sb = Sandbox::start();
    let run = sb.reservoir(&["plan", &examples(), "--format", "json"]);
    let plan = run.json();
    let countries: BTreeMap<String, String> = plan["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .map(|c| {
            let id = c["id"].as_str().expect("id").to_owned();
            (id, c["country"].as_str().expect("country").to_owned())
        })
        .collect();
    let mut book = PriceBook::default();
    for country in countries.values() {
        for view in ["azure_reservations", "software"] {
            let csv = sheet_csv(country, view).expect("a sheet");
            let sheet = PriceSheet::parse(&csv).expect("parse");
            book.insert(country, view, SheetObservation::Read { sheet });
        }
    }
    let mut expected: BTreeMap<String, Decimal> = BTreeMap::new();
    let rows = purchases(&plan);
    assert!(rows.len() >= 8, "{plan:#}");
    for r in rows {
        // A savings plan prices itself: hourly commitment × 8,760 hours a year, in its currency.
        if r["kind"] == "savings_plan" {
            let years = if r["term"] == "P3Y" { 3 } else { 1 };
            let thousandths = Decimal::from(r["to_buy"].as_u64().expect("to_buy"));
            let commitment = thousandths * Decimal::new(8_760 * years, 3);
            assert_eq!(dec(&r["money"]["commitment"]), commitment, "{r:#}");
            let currency = r["money"]["currency"]
                .as_str()
                .expect("currency")
                .to_owned();
            *expected.entry(currency).or_default() += commitment;
            continue;
        }
        let view = if r["kind"] == "software" {
            "software"
        } else {
            "azure_reservations"
        };
        let country = &countries[r["customer_id"].as_str().expect("customer")];
        let Lookup::Found(e) = book.lookup(
            country,
            view,
            r["resolved"]["product_id"].as_str().expect("product"),
            r["resolved"]["sku_id"].as_str().expect("sku"),
            r["term"].as_str(),
        ) else {
            panic!("no price for {r:#}");
        };
        let to_buy = Decimal::from(r["to_buy"].as_u64().expect("to_buy"));
        assert_eq!(r["money"]["price"], "known", "{r:#}");
        assert_eq!(dec(&r["money"]["unit_price"]), e.unit_price, "{r:#}");
        assert_eq!(r["money"]["currency"], e.currency.as_str());
        assert_eq!(dec(&r["money"]["commitment"]), to_buy * e.unit_price);
        *expected.entry(e.currency.clone()).or_default() += to_buy * e.unit_price;
    }
    let got: BTreeMap<String, Decimal> = plan["summary"]["commitment"]["by_currency"]
        .as_object()
        .expect("totals per currency")
        .iter()
        .map(|(k, v)| (k.clone(), dec(v)))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(
        got.keys().cloned().collect::<Vec<_>>(),
        ["EUR", "GBP", "JPY", "USD"],
        "the demo has customers in four currencies, never added together"
    );
    let text = sb.reservoir(&["plan", &examples()]).stdout;
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.ends_with(
            // USD: the reservations' 23,802.88 plus contoso's savings plan, 2.50/h × 8,760 h.
            "Estimated commitment: EUR 23,030.61, GBP 5,793.66, JPY 179,880, USD 45,702.88."
        ),
        "{last}"
    );
}

#[test]
fn price_sheets_are_read_once_per_market_and_view_then_cached() {
    let sb = Sandbox::start();
    sb.reset_requests();
    let run = sb.reservoir(&["plan", &examples(), "--format", "json"]);
    assert!(run.stdout.contains("\"commitment\""), "{}", run.stderr);
    let sheets = |reqs: Vec<Value>| -> Vec<String> {
        reqs.iter()
            .filter_map(|r| r["path"].as_str())
            .filter(|p| p.starts_with("/v1.0/sales/pricesheets"))
            .map(str::to_owned)
            .collect()
    };
    let first = sheets(sb.requests());
    // US (reservations + software), DE, GB, JP (reservations only); none for RU, where nothing
    // is sold.
    assert_eq!(first.len(), 5, "{first:#?}");
    let mut unique = first.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), first.len(), "each sheet once: {first:#?}");
    sb.reset_requests();
    let again = sb
        .reservoir(&["plan", &examples(), "--format", "json"])
        .json();
    assert!(
        sheets(sb.requests()).is_empty(),
        "the month's sheets come from the cache"
    );
    assert!(again["summary"]["commitment"]["by_currency"]["USD"].is_string());
}

#[test]
fn app_only_credentials_give_price_unknown_and_why() {
    let sb = Sandbox::start();
    let manifest = MATCHING.replace("quantity: 5", "quantity: 8");
    let run = sb.plan_app_only(&manifest, &["--format", "json"]);
    let plan = run.json();
    let r = row(&plan, "windows-server");
    assert_eq!(r["action"], "purchase", "{r:#}");
    assert_eq!(r["money"]["price"], "unknown");
    assert!(
        r["money"]["reason"]
            .as_str()
            .is_some_and(|s| s.contains("App+User")),
        "{r:#}"
    );
    assert_eq!(plan["summary"]["commitment"]["unpriced"], 1);
    let text = sb.plan_app_only(&manifest, &[]).stdout;
    assert!(
        text.contains("price unknown: the price sheet needs App+User credentials"),
        "{text}"
    );
    assert!(
        text.contains("Estimated commitment: unknown (1 row without a price)."),
        "{text}"
    );
}

#[test]
fn a_refused_price_sheet_403_800043_gives_price_unknown_and_why() {
    let sb = Sandbox::start();
    sb.fault(json!({
        "path": "/v1.0/sales/*", "kind": "api_error", "status": 403, "code": 800043,
    }));
    let manifest = MATCHING.replace("quantity: 5", "quantity: 8");
    let plan = sb.plan(&manifest, &["--format", "json"]).json();
    let r = row(&plan, "windows-server");
    assert_eq!(r["money"]["price"], "unknown", "{r:#}");
    let reason = r["money"]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("800043"), "{reason}");
    assert!(reason.contains("pricing information"), "{reason}");
    assert!(
        r["money"].get("commitment").is_none(),
        "never a guess: {r:#}"
    );
}

#[test]
fn each_purchase_row_says_what_cannot_be_undone_from_the_table() {
    use reservoir::kinds::irreversible::RULES;
    let sb = Sandbox::start();
    let plan = sb
        .reservoir(&["plan", &examples(), "--format", "json"])
        .json();
    let (exchange, refund, final_plan) = (RULES[0].text, RULES[1].text, RULES[2].text);
    for r in purchases(&plan) {
        let said: Vec<&str> = r["cannot_undo"]
            .as_array()
            .map(|v| v.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let expected: Vec<&str> = match (r["kind"].as_str(), r["key"]["reservation_type"].as_str())
        {
            (Some("reservation"), Some("vm")) => vec![exchange, refund],
            (Some("reservation"), _) => vec![refund],
            (Some("savings_plan"), _) => vec![final_plan],
            _ => vec![],
        };
        assert_eq!(said, expected, "{r:#}");
    }
    let text = sb.reservoir(&["plan", &examples()]).stdout;
    // The line starts under its row and wraps at 120 columns (compared with breaks as spaces).
    assert!(text.contains("      cannot be undone: "), "{text}");
    assert!(
        crate::support::flat(&text).contains(&format!("cannot be undone: {exchange}; {refund}")),
        "{text}"
    );
    let md = sb
        .reservoir(&["plan", &examples(), "--format", "markdown"])
        .stdout;
    assert!(
        md.contains(&format!(
            "> - Cannot be undone: {refund} — {}.",
            RULES[1].source
        )),
        "{md}"
    );
}
