//! Unit tests of the pure reconciliation ([`super::reconcile`]) and of the exit policy.

use super::*;
use crate::views::placed::PlacedLine;

fn charge(order: &str, qty: i64, subtotal: i64) -> LineItemView {
    LineItemView {
        invoice: Some("G1".into()),
        customer_id: Some("c1".into()),
        customer_name: None,
        order_id: Some(order.into()),
        order_date: None,
        product_id: Some("P".into()),
        sku_id: Some("0001".into()),
        availability_id: None,
        product_name: None,
        sku_name: None,
        charge_type: Some("New".into()),
        quantity: Some(Decimal::from(qty)),
        unit_price: None,
        subtotal: Some(Decimal::from(subtotal)),
        tax: None,
        total: None,
        currency: Some("USD".into()),
        subscription_id: None,
        term_and_billing_cycle: None,
        reservation_order_id: Some("ro".into()),
    }
}

fn placed(order: &str, qty: i64, price: Option<i64>) -> PlacedOrder {
    PlacedOrder {
        customer_id: "c1".into(),
        order_id: order.into(),
        placed_at: None,
        source: "t".into(),
        lines: vec![PlacedLine::new(
            "P:0001:AV",
            Decimal::from(qty),
            price.map(Decimal::from),
        )],
    }
}

fn statuses(rows: &[Row]) -> Vec<(&str, Status)> {
    rows.iter()
        .map(|r| (r.order_id.as_str(), r.status))
        .collect()
}

#[test]
fn every_kind_of_row() {
    let charges = vec![
        charge("ok", 2, 20),
        charge("qty", 3, 30),
        charge("price", 1, 12),
        charge("stranger", 1, 10),
    ];
    let placed = vec![
        placed("ok", 2, Some(10)),
        placed("qty", 2, None),
        placed("price", 1, Some(10)),
        placed("late", 4, None),
    ];
    let rows = reconcile(&charges, &placed);
    assert_eq!(
        statuses(&rows),
        vec![
            ("stranger", Status::Unexpected),
            ("price", Status::Mismatch),
            ("qty", Status::Mismatch),
            ("late", Status::NotCharged),
            ("ok", Status::Matched),
        ]
    );
    assert!(
        rows[1].detail.contains("amount charged 12.00 but 10.00"),
        "{}",
        rows[1].detail
    );
    assert!(
        rows[2].detail.contains("quantity charged 3 but 2"),
        "{}",
        rows[2].detail
    );
}

#[test]
fn a_charged_line_missing_from_a_placed_order_is_a_mismatch() {
    let mut c = charge("o", 1, 10);
    c.sku_id = Some("0009".into());
    let rows = reconcile(&[c], &[placed("O", 1, None)]);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].status, Status::Mismatch);
    assert_eq!(rows[0].order_id, "O");
    assert_eq!(rows[1].status, Status::NotCharged);
}

fn report(rows: Vec<Row>) -> ReconcileReport {
    ReconcileReport {
        invoice: None,
        since: None,
        invoices_read: vec!["G1".into()],
        charges_read: rows.len(),
        orders_placed: 0,
        counts: counts(&rows),
        rows,
    }
}

#[test]
fn orders_reservoir_did_not_place_fail_only_when_strict() {
    let only_strangers = report(reconcile(&[charge("stranger", 1, 10)], &[]));
    assert!(only_strangers.passes(false));
    assert!(!only_strangers.passes(true));
    let note = unexpected_note(&only_strangers, false).expect("a note");
    assert!(
        note.contains("1 charge line(s)") && note.contains("--strict"),
        "{note}"
    );
    assert_eq!(unexpected_note(&only_strangers, true), None);

    let mismatch = report(reconcile(&[charge("o", 3, 30)], &[placed("o", 2, None)]));
    assert!(!mismatch.passes(false), "a mismatch always fails");
    let uncharged = report(reconcile(&[], &[placed("late", 1, None)]));
    assert!(!uncharged.passes(false), "an order not charged yet fails");
}

#[test]
fn apply_receipts_compare_charges_with_the_order_price_and_the_estimate() {
    let receipt = r#"{"customers": [{"customer_id": "c1", "orders": [
        {"order_id": "exact", "status": "placed", "lines": [{"catalog_item_id": "P:0001:AV",
          "quantity": 2, "estimate": {"price": "known", "unit_price": "10", "currency": "USD",
          "billing": "upfront", "commitment": "20"},
          "order_price": {"currency": "USD", "unit_price": "10", "extended_price": "20"}}]},
        {"order_id": "repriced", "status": "placed", "lines": [{"catalog_item_id": "P:0001:AV",
          "quantity": 1, "estimate": {"price": "known", "unit_price": "9", "currency": "USD",
          "billing": "upfront", "commitment": "9"},
          "order_price": {"currency": "USD", "unit_price": "10", "extended_price": "10"}}]}
    ]}]}"#;
    let placed = crate::views::placed::receipt_orders(receipt, "r.json").expect("receipt");
    let rows = reconcile(
        &[charge("exact", 2, 20), charge("repriced", 1, 10)],
        &placed,
    );
    let exact = rows.iter().find(|r| r.order_id == "exact").expect("row");
    assert_eq!(exact.status, Status::Matched);
    assert_eq!(exact.expected_amount, Some(Decimal::from(20)));
    assert_eq!(exact.estimated_amount, Some(Decimal::from(20)));
    assert!(exact.detail.is_empty(), "{}", exact.detail);
    let repriced = rows.iter().find(|r| r.order_id == "repriced").expect("row");
    assert_eq!(
        repriced.status,
        Status::Matched,
        "the order's price is binding: {}",
        repriced.detail
    );
    assert_eq!(repriced.estimated_amount, Some(Decimal::from(9)));
    assert!(
        repriced.detail.contains("the plan estimated 9.00"),
        "{}",
        repriced.detail
    );
    let wrong = reconcile(&[charge("exact", 2, 25)], &placed);
    assert_eq!(wrong[0].status, Status::Mismatch, "{}", wrong[0].detail);
}
