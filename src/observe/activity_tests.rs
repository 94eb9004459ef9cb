//! Reading `create_order` records (documented shape) and attributing them to declared items.

use super::*;
use crate::manifest::{ReservationTarget, ReservationType};
use crate::plan::{CatalogItem, HoldingKind, Inventory};
use serde_json::json;

const C: &str = "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";
const SUB: &str = "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-29T10:10:00Z")
        .expect("date")
        .with_timezone(&Utc)
}

/// A `create_order` record in the documented shape (§14), order JSON inside a string.
fn record(order_id: &str, at: &str, lines: serde_json::Value) -> AuditRecord {
    let order = json!({
        "Id": order_id, "ReferenceCustomerId": C, "BillingCycle": "one_time",
        "LineItems": lines, "CreationDate": at, "Status": "pending"
    });
    let v = json!({
        "customerId": C, "resourceType": "order", "operationType": "create_order",
        "operationDate": at, "operationStatus": "succeeded",
        "resourceNewValue": order.to_string(),
        "customizedData": [{"key": "OrderId", "value": order_id}]
    });
    serde_json::from_value(crate::partner_center::wire::common::normalize_keys(v)).expect("record")
}

fn vm_line(qty: u32, context: serde_json::Value) -> serde_json::Value {
    json!({"LineItemNumber": 0, "OfferId": "DZH318Z0BQ4T:00H3:DZH318Z0F9RM",
           "TermDuration": "P3Y", "Quantity": qty, "ProvisioningContext": context})
}

fn full_context() -> serde_json::Value {
    json!({"subscriptionId": SUB, "scope": "shared", "duration": "3Years"})
}

fn customers() -> BTreeSet<String> {
    BTreeSet::from([C.to_owned()])
}

fn vm_key(term: Term, scope: Scope) -> PurchaseKey {
    PurchaseKey::Reservation {
        customer_id: C.into(),
        subscription_id: SUB.into(),
        reservation_type: ReservationType::Vm,
        target: ReservationTarget::Arm {
            arm_sku_name: "Standard_D4s_v5".into(),
            arm_region_name: "eastus".into(),
        },
        term,
        scope,
    }
}

fn found(key: PurchaseKey, product: &str, sku: &str) -> ItemResolution {
    ItemResolution {
        key,
        resolution: Resolution::Found(CatalogItem {
            product_id: product.into(),
            sku_id: sku.into(),
            availability: Some(crate::plan::ChosenAvailability {
                id: "AV".into(),
                catalog_item_id: format!("{product}:{sku}:AV"),
            }),
            title: "t".into(),
            min_quantity: 1,
            max_quantity: 100,
            requires_registration: false,
            inventory: Inventory::NotRequired,
            billing_cycles: vec![],
        }),
    }
}

fn declared() -> Vec<ItemResolution> {
    vec![
        found(vm_key(Term::P3Y, Scope::Shared), "DZH318Z0BQ4T", "00H3"),
        found(vm_key(Term::P1Y, Scope::Shared), "DZH318Z0BQ4T", "00H3"),
        found(
            PurchaseKey::Software {
                customer_id: C.into(),
                product_id: "DG7GMGF0DWM3".into(),
                sku_id: "0002".into(),
            },
            "DG7GMGF0DWM3",
            "0002",
        ),
    ]
}

fn attribute_one(r: AuditRecord, holdings: &[Holding], journal: &BTreeSet<String>) -> Attribution {
    let log = from_records(&[r], &customers(), now());
    let known = Known {
        resolutions: &declared(),
        holdings,
        journal_orders: journal,
    };
    attribute(
        log.by_customer
            .get(C)
            .map(Vec::as_slice)
            .unwrap_or_default(),
        true,
        &known,
    )
}

#[test]
fn a_recent_order_with_a_full_provisioning_context_is_pending_for_its_declared_item() {
    let r = record(
        "Jq7uC5t2b",
        "2026-11-29T10:00:03Z",
        json!([vm_line(4, full_context())]),
    );
    let a = attribute_one(r, &[], &BTreeSet::new());
    assert_eq!(a.unattributed, vec![]);
    assert_eq!(
        a.pending,
        vec![PendingPurchase {
            order_id: Some("Jq7uC5t2b".into()),
            key: vm_key(Term::P3Y, Scope::Shared),
            product_id: "DZH318Z0BQ4T".into(),
            sku_id: "00H3".into(),
            quantity: 4,
        }]
    );
}

#[test]
fn records_outside_the_window_failed_or_of_other_customers_and_operations_are_left_out() {
    let lines = json!([vm_line(4, full_context())]);
    let old = record("old", "2026-11-29T09:39:59Z", lines.clone());
    let mut failed = record("failed", "2026-11-29T10:00:00Z", lines.clone());
    failed.operation_status = Some(crate::partner_center::wire::audit::OperationStatus::Failed);
    let mut other = record("other", "2026-11-29T10:00:00Z", lines.clone());
    other.customer_id = Some("00000000-0000-0000-0000-000000000001".into());
    let mut update = record("update", "2026-11-29T10:00:00Z", lines.clone());
    update.operation_type = Some("update_order".into());
    let future = record("skewed", "2026-11-29T10:30:00Z", lines.clone());
    let twice = record("skewed", "2026-11-29T10:30:00Z", lines);
    let log = from_records(
        &[old, failed, other, update, future, twice],
        &customers(),
        now(),
    );
    let ids: Vec<_> = log.by_customer[C]
        .iter()
        .map(|o| o.order_id.clone().unwrap_or_default())
        .collect();
    assert_eq!(ids, ["skewed"], "a future date (clock skew) counts, once");
    assert_eq!(log.orders(), 1);
}

#[test]
fn a_unit_counts_once_the_journal_and_holdings_already_report_it() {
    let r = record(
        "o1",
        "2026-11-29T10:00:03Z",
        json!([vm_line(4, full_context())]),
    );
    let journal = BTreeSet::from(["o1".to_owned()]);
    assert_eq!(
        attribute_one(r.clone(), &[], &journal),
        Attribution::default()
    );
    let holding = Holding {
        kind: HoldingKind::Software,
        product_id: "DZH318Z0BQ4T".into(),
        sku_id: "00H3".into(),
        quantity: 4,
        order_id: "O1".into(),
        expiry: None,
        title: None,
    };
    assert_eq!(
        attribute_one(r, &[holding], &BTreeSet::new()),
        Attribution::default(),
        "the order line is an entitlement already"
    );
}

#[test]
fn an_order_for_an_undeclared_subscription_or_product_is_not_pending() {
    let other_sub = json!({"subscriptionId": "11111111-1111-1111-1111-111111111111",
                           "scope": "shared", "duration": "3Years"});
    let r = record("o1", "2026-11-29T10:00:03Z", json!([vm_line(4, other_sub)]));
    assert_eq!(
        attribute_one(r, &[], &BTreeSet::new()),
        Attribution::default()
    );
    let r = record(
        "o2",
        "2026-11-29T10:00:03Z",
        json!([{"OfferId": "CFQ7TTC0LH18:0001:X", "Quantity": 3}]),
    );
    assert_eq!(
        attribute_one(r, &[], &BTreeSet::new()),
        Attribution::default()
    );
}

#[test]
fn an_order_line_without_scope_blocks_only_the_possibly_matching_items() {
    let ctx = json!({"subscriptionId": SUB, "duration": "3Years"});
    let r = record("o1", "2026-11-29T10:00:03Z", json!([vm_line(4, ctx)]));
    let a = attribute_one(r, &[], &BTreeSet::new());
    assert_eq!(a.pending, vec![]);
    assert_eq!(a.unattributed.len(), 1);
    let doubt = &a.unattributed[0];
    assert!(doubt.why.contains("scope"), "{doubt:?}");
    let why = crate::plan::InFlightUnknown::Unattributed {
        orders: a.unattributed.clone(),
    };
    assert!(why.blocks("dzh318z0bq4t", "00H3"));
    assert!(
        !why.blocks("DG7GMGF0DWM3", "0002"),
        "software is not blocked"
    );
}

#[test]
fn an_unreadable_record_blocks_every_purchase_of_the_customer() {
    let mut r = record("o1", "2026-11-29T10:00:03Z", json!([]));
    r.resource_new_value = Some(serde_json::Value::String("{truncated".into()));
    let a = attribute_one(r, &[], &BTreeSet::new());
    assert_eq!(a.unattributed.len(), 1);
    assert_eq!(
        a.unattributed[0].order_id.as_deref(),
        Some("o1"),
        "from customizedData"
    );
    let why = crate::plan::InFlightUnknown::Unattributed {
        orders: a.unattributed,
    };
    assert!(why.blocks("DG7GMGF0DWM3", "0002"));
    assert!(why.blocks("ANY", "1"));
}

#[test]
fn software_is_attributed_by_product_and_sku_and_a_missing_quantity_is_a_doubt() {
    let r = record(
        "s1",
        "2026-11-29T10:05:00Z",
        json!([{"OfferId": "DG7GMGF0DWM3:0002:AB", "Quantity": "6", "TermDuration": "P1Y"}]),
    );
    let a = attribute_one(r, &[], &BTreeSet::new());
    assert_eq!(a.pending.len(), 1);
    assert_eq!(a.pending[0].quantity, 6);
    assert!(matches!(a.pending[0].key, PurchaseKey::Software { .. }));
    let r = record(
        "s2",
        "2026-11-29T10:05:00Z",
        json!([{"OfferId": "DG7GMGF0DWM3:0002:AB"}]),
    );
    let a = attribute_one(r, &[], &BTreeSet::new());
    assert!(a.unattributed[0].why.contains("quantity"));
}

#[test]
fn a_record_naming_no_customer_is_a_doubt_for_every_customer_never_a_pending_unit() {
    let mut r = record(
        "o1",
        "2026-11-29T10:00:03Z",
        json!([vm_line(4, full_context())]),
    );
    r.customer_id = None;
    r.resource_new_value = Some(serde_json::Value::String(
        json!({"Id": "o1", "LineItems": [vm_line(4, full_context())]}).to_string(),
    ));
    let log = from_records(&[r], &customers(), now());
    assert!(log.by_customer.is_empty());
    assert_eq!(log.unassigned.len(), 1);
    let known = Known {
        resolutions: &declared(),
        holdings: &[],
        journal_orders: &BTreeSet::new(),
    };
    let a = attribute(&log.unassigned, false, &known);
    assert_eq!(a.pending, vec![]);
    assert!(a.unattributed[0].why.contains("names no customer"));
}
