//! Money at apply: the receipt keeps the plan's estimate (price sheet) next to the price each
//! order line carries (the binding one); money guardrails refuse a run over the limit.

use crate::support::*;
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

fn dec(v: &Value) -> Decimal {
    match v {
        Value::String(s) => Decimal::from_str(s).expect("decimal"),
        Value::Number(n) => Decimal::from_str(&n.to_string()).expect("decimal"),
        other => panic!("not an amount: {other}"),
    }
}

#[test]
fn the_receipt_carries_the_estimate_and_the_order_price() {
    let sb = Sandbox::start();
    let receipt = sb.dir.path().join("receipt.json");
    let applied = sb.apply(
        CONTOSO_YAML,
        &["--receipt", receipt.to_str().expect("utf-8 path")],
    );
    assert_eq!(applied.code, Some(0), "{}", applied.all());
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(&receipt).expect("receipt written"))
            .expect("receipt is JSON");
    let lines: Vec<&Value> = r["customers"][0]["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .flat_map(|o| o["lines"].as_array().expect("lines"))
        .collect();
    assert!(!lines.is_empty(), "{r:#}");
    for l in lines {
        let est = &l["estimate"];
        assert_eq!(est["price"], "known", "{l:#}");
        let ordered = &l["order_price"];
        assert_eq!(ordered["currency"], est["currency"], "{l:#}");
        assert_eq!(
            dec(&ordered["unit_price"]),
            dec(&est["unit_price"]),
            "{l:#}"
        );
        assert_eq!(
            dec(&ordered["extended_price"]),
            dec(&est["commitment"]),
            "the sandbox's orders agree with its price sheet: {l:#}"
        );
    }
    assert!(
        applied.stdout.contains(" at USD ") && applied.stdout.contains("(estimated USD "),
        "{}",
        applied.all()
    );
}
