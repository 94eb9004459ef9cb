//! Unit tests of holdings from documented entitlement and order payloads.

use super::*;
use crate::manifest::{ReservationType, Scope, Term};
use crate::partner_center::wire::Order;
use crate::plan::HoldingKind;
use serde_json::json;

fn catalog() -> Catalog {
    let url = url::Url::parse("http://127.0.0.1:9").expect("url");
    let creds =
        crate::partner_center::Credentials::AccessToken(crate::partner_center::Secret::new("t"));
    let client =
        crate::partner_center::Client::new(crate::partner_center::ClientConfig::new(url, creds))
            .expect("client");
    Catalog::new(Reader::new(&client))
}

fn entitlements() -> Vec<Entitlement> {
    serde_json::from_value(json!([
        { "referenceOrder": { "id": "o1", "lineItemId": "1" }, "productId": "dzh318z0aaaa",
          "skuId": "0002", "quantity": 3, "entitlementType": "reservedinstance",
          "dynamicAttributes": { "reservationType": "virtualmachines" },
          "expiryDate": "2027-01-01T00:00:00" },
        { "referenceOrder": { "id": "o1", "lineItemId": "7" }, "productId": "DZH318Z0AAAA",
          "skuId": "0002", "quantity": 1, "entitlementType": "reservedInstance" },
        { "referenceOrder": { "id": "o2", "lineItemId": "0" }, "productId": "DG7GMGF0DWM3",
          "skuId": "0002", "quantity": 5, "entitlementType": "software" },
    ]))
    .expect("entitlements")
}

fn order() -> OrderSummary {
    let o: Order = serde_json::from_value(json!({
        "id": "o1", "status": "completed", "lineItems": [
            { "lineItemNumber": 0, "offerId": "DZH318Z0BBBB:0001:A", "quantity": 9,
              "provisioningContext": { "subscriptionId": "other", "scope": "single", "duration": "1Year" } },
            { "lineItemNumber": 1, "offerId": "DZH318Z0AAAA:0002:A", "quantity": 3,
              "friendlyName": "web", "termDuration": "P3Y",
              "provisioningContext": { "subscriptionId": "9A51D0E2", "scope": "Shared" } },
        ]
    }))
    .expect("order");
    OrderSummary::from_wire(&o)
}

#[test]
fn reservations_are_attributed_through_the_order_line_they_reference() {
    let ents = entitlements();
    assert_eq!(
        orders_to_attribute(&ents),
        BTreeSet::from(["o1".to_owned()])
    );
    let orders = BTreeMap::from([("o1".to_owned(), order())]);
    let all = from_entitlements("c", &ents, &orders, &catalog()).expect("holdings");
    assert!(all.uncertain.is_empty(), "{:?}", all.uncertain);
    let h = all.list;
    assert_eq!(h.len(), 3);
    let HoldingKind::Reservation(a) = &h[0].kind else {
        panic!("reservation expected: {h:?}");
    };
    assert_eq!(a.subscription_id.as_deref(), Some("9a51d0e2"));
    assert_eq!(
        a.term,
        Some(Term::P3Y),
        "termDuration when the context has no duration"
    );
    assert_eq!(a.scope, Some(Scope::Shared));
    assert_eq!(a.reservation_type, Some(ReservationType::Vm));
    assert_eq!(h[0].product_id, "DZH318Z0AAAA");
    assert_eq!(h[0].quantity, 3);
    assert_eq!(h[0].title.as_deref(), Some("web"));
    assert_eq!(h[0].expiry.as_deref(), Some("2027-01-01T00:00:00Z"));
    // Line 7 does not exist: the line with the same product and SKU is used.
    let HoldingKind::Reservation(b) = &h[1].kind else {
        panic!("reservation expected");
    };
    assert_eq!(b.subscription_id.as_deref(), Some("9a51d0e2"));
    assert_eq!(h[2].kind, HoldingKind::Software);
}

#[test]
fn without_the_order_a_reservation_is_not_attributed() {
    let all =
        from_entitlements("c", &entitlements(), &BTreeMap::new(), &catalog()).expect("holdings");
    assert_eq!(all.uncertain.len(), 2, "both reservations are uncertain");
    assert_eq!(all.uncertain[0].why, "order o1 has no line 1");
    let h = all.list;
    let HoldingKind::Reservation(a) = &h[0].kind else {
        panic!("reservation expected");
    };
    assert_eq!(
        (a.subscription_id.as_ref(), a.term, a.scope),
        (None, None, None)
    );
}

#[test]
fn orders_fallback_skips_cancelled_orders_and_tells_reservations_from_software() {
    let mut cancelled = order();
    cancelled.id = "o9".into();
    cancelled.status = "cancelled".into();
    let software: Order = serde_json::from_value(json!({
        "id": "o2", "status": "completed",
        "lineItems": [{ "lineItemNumber": 0, "offerId": "DG7GMGF0DWM3:0002:X", "quantity": 5 }]
    }))
    .expect("order");
    let orders = distinct_orders(
        "c",
        vec![order(), cancelled, OrderSummary::from_wire(&software)],
    )
    .expect("orders");
    // The software line has no provisioning context: its product's catalog type tells.
    let kinds = BTreeMap::from([("DG7GMGF0DWM3".to_owned(), Some(Kind::Software))]);
    let all = from_orders("c", &orders, &catalog(), &kinds).expect("holdings");
    assert!(all.uncertain.is_empty(), "{:?}", all.uncertain);
    let h = all.list;
    assert_eq!(
        h.len(),
        3,
        "two reservation lines and one software line: {h:?}"
    );
    assert!(h.iter().all(|x| x.order_id != "o9"));
    assert_eq!(h[2].kind, HoldingKind::Software);
    assert_eq!(h[2].quantity, 5);
    let HoldingKind::Reservation(a) = &h[0].kind else {
        panic!("reservation expected");
    };
    assert_eq!((a.term, a.scope), (Some(Term::P1Y), Some(Scope::Single)));
}

fn ents(v: serde_json::Value) -> Vec<Entitlement> {
    serde_json::from_value(v).expect("entitlements")
}

fn malformed_problem(r: Result<Holdings, HoldingsError>) -> (String, String) {
    match r {
        Err(HoldingsError::Malformed { call, problem, .. }) => (call, problem),
        other => panic!("malformed expected: {other:?}"),
    }
}

/// Issue 11 item 4: these used to count as zero (or as owned with a guessed quantity), so plan
/// bought the full quantity.
#[test]
fn a_malformed_entitlement_is_an_error_naming_the_call_and_the_field() {
    let good = json!({ "referenceOrder": { "id": "o2", "lineItemId": "0" },
        "productId": "DG7GMGF0DWM3", "skuId": "0002", "quantity": 5, "entitlementType": "software" });
    let cases = [
        ("quantity", json!(-2), "has a negative quantity (-2)"),
        ("quantity", json!(null), "has no quantity"),
        ("productId", json!(null), "has no productId"),
        ("productId", json!(" "), "has no productId"),
        ("skuId", json!(null), "has no skuId"),
        ("referenceOrder", json!(null), "has no referenceOrder.id"),
        (
            "referenceOrder",
            json!({ "lineItemId": "0" }),
            "has no referenceOrder.id",
        ),
    ];
    for (field, value, want) in cases {
        let mut e = good.clone();
        e["referenceOrder"]["lineItemId"] = json!("1");
        e[field] = value;
        let (call, problem) = malformed_problem(from_entitlements(
            "c1",
            &ents(json!([good.clone(), e])),
            &BTreeMap::new(),
            &catalog(),
        ));
        assert_eq!(call, "GET /v1/customers/c1/entitlements", "{field}");
        assert_eq!(problem, want, "{field}");
    }
    let mut e = good.clone();
    e.as_object_mut().expect("object").remove("quantity");
    let err = from_entitlements("c1", &ents(json!([e])), &BTreeMap::new(), &catalog())
        .expect_err("missing quantity");
    let msg = err.to_string();
    assert!(
        msg.starts_with("GET /v1/customers/c1/entitlements: entitlement 1 (referenceOrder o2 line 0, product DG7GMGF0DWM3, sku 0002) has no quantity;"),
        "{msg}"
    );
    assert!(msg.contains("nothing is bought"), "{msg}");
    // A zero quantity is possible (every unit transferred): owned 0, not an error.
    let mut e = good.clone();
    e["quantity"] = json!(0);
    let h = from_entitlements("c1", &ents(json!([e])), &BTreeMap::new(), &catalog())
        .expect("zero is possible");
    assert_eq!(h.list[0].quantity, 0);
}

#[test]
fn an_entitlement_listed_twice_is_counted_once_and_contradictions_are_errors() {
    let e = json!({ "referenceOrder": { "id": "o2", "lineItemId": "0" },
        "productId": "DG7GMGF0DWM3", "skuId": "0002", "quantity": 5, "entitlementType": "software" });
    let h = from_entitlements("c", &ents(json!([e, e])), &BTreeMap::new(), &catalog())
        .expect("holdings");
    assert_eq!(h.list.len(), 1);
    assert_eq!(h.list.iter().map(|x| x.quantity).sum::<u32>(), 5);
    let mut other = e.clone();
    other["quantity"] = json!(7);
    let (_, problem) = malformed_problem(from_entitlements(
        "c",
        &ents(json!([e, other])),
        &BTreeMap::new(),
        &catalog(),
    ));
    assert_eq!(problem, "contradicts entitlement 1 for the same order line");
}

fn one_time(lines: serde_json::Value) -> OrderSummary {
    let o: Order =
        serde_json::from_value(json!({ "id": "o5", "status": "completed", "lineItems": lines }))
            .expect("order");
    OrderSummary::from_wire(&o)
}

#[test]
fn a_malformed_order_line_is_an_error_when_orders_are_the_holdings_source() {
    let kinds = BTreeMap::from([("DG7GMGF0DWM3".to_owned(), Some(Kind::Software))]);
    let cases = [
        (
            json!({ "lineItemNumber": 0, "offerId": "DG7GMGF0DWM3:0002:X" }),
            "has no quantity",
        ),
        (
            json!({ "lineItemNumber": 0, "offerId": "DG7GMGF0DWM3:0002:X", "quantity": -1 }),
            "has a negative quantity (-1)",
        ),
        (
            json!({ "lineItemNumber": 0, "offerId": "DG7GMGF0DWM3:0002:X", "quantity": 0 }),
            "has a quantity of 0, which an order line cannot have",
        ),
        (
            json!({ "lineItemNumber": 0, "quantity": 2 }),
            "has no offerId naming a product and SKU",
        ),
        (
            json!({ "lineItemNumber": 0, "offerId": "DG7GMGF0DWM3", "quantity": 2 }),
            "has no offerId naming a product and SKU",
        ),
    ];
    for (line, want) in cases {
        let err = from_orders("c1", &[one_time(json!([line]))], &catalog(), &kinds)
            .expect_err("malformed");
        let HoldingsError::Malformed {
            call,
            which,
            problem,
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!(call, "GET /v1/customers/c1/orders?billingType=OneTime");
        assert_eq!(which, "order o5 line 0");
        assert_eq!(problem, want);
    }
    // The same order twice (e.g. across pages) counts once; two answers for one id are an error.
    let o =
        one_time(json!([{ "lineItemNumber": 0, "offerId": "DG7GMGF0DWM3:0002:X", "quantity": 2 }]));
    let once = distinct_orders("c1", vec![o.clone(), o.clone()]).expect("distinct");
    assert_eq!(once.len(), 1);
    let mut other = o.clone();
    other.lines[0].quantity = Some(4);
    assert!(distinct_orders("c1", vec![o, other]).is_err());
}

/// Issue 11 item 5: the documented reservation order line (docs/partner-center.md §10)
/// carries neither `provisioningContext` nor a term; it was classified as software, so the
/// reservation looked unowned.
#[test]
fn a_reservation_line_is_classified_by_the_product_type_and_left_uncertain() {
    let o = one_time(
        json!([{ "lineItemNumber": 0, "offerId": "DZH318Z0BQ3Q:0001:DZH318XZXVNF",
        "friendlyName": "Reserved VM", "quantity": 2, "transactionType": "New" }]),
    );
    let kinds = BTreeMap::from([("DZH318Z0BQ3Q".to_owned(), Some(Kind::Reservation))]);
    let h = from_orders("c1", std::slice::from_ref(&o), &catalog(), &kinds).expect("holdings");
    assert!(
        matches!(h.list[0].kind, HoldingKind::Reservation(_)),
        "{:?}",
        h.list
    );
    assert_eq!(h.uncertain.len(), 1);
    assert_eq!(h.uncertain[0].kind, Some(Kind::Reservation));
    assert_eq!(h.uncertain[0].which, "order o5 line 0");
    assert!(
        h.uncertain[0].why.contains("no subscription"),
        "{}",
        h.uncertain[0].why
    );
    // Nothing tells the kind: not listed as owned, and uncertain with an unknown kind.
    let h = from_orders("c1", &[o], &catalog(), &BTreeMap::new()).expect("holdings");
    assert!(h.list.is_empty());
    assert_eq!(h.uncertain[0].kind, None);
}

#[test]
fn product_types_name_the_kind() {
    let t = |id: &str| crate::partner_center::wire::ItemType {
        id: Some(id.into()),
        display_name: None,
        sub_type: None,
    };
    assert_eq!(
        kinds::kind_of_product_type(&t("Azure")),
        Some(Kind::Reservation)
    );
    assert_eq!(
        kinds::kind_of_product_type(&t("software")),
        Some(Kind::Software)
    );
    assert_eq!(kinds::kind_of_product_type(&t("OnlineServicesNCE")), None);
}

fn declared(sub: &str, product: &str) -> crate::manifest::DesiredCustomer {
    use crate::manifest::{
        DesiredCustomer, DesiredReservation, DesiredSubscription, ReservationTarget,
        SubscriptionKind,
    };
    let at = |line| crate::manifest::SourceRef {
        file: "fleet/c1.yaml".into(),
        line,
        column: 11,
    };
    DesiredCustomer {
        savings_plans: Vec::new(),
        id: "c1".into(),
        name: None,
        subscriptions: vec![DesiredSubscription {
            id: sub.into(),
            kind: SubscriptionKind::AzurePlan,
            reservations: vec![DesiredReservation {
                renew_before: None,
                name: "web".into(),
                reservation_type: ReservationType::Vm,
                target: ReservationTarget::Pinned {
                    product_id: product.into(),
                    sku_id: "0001".into(),
                },
                term: Term::P1Y,
                scope: Scope::Shared,
                quantity: 2,
                billing: Default::default(),
                source: at(12),
                blocked_ok: None,
            }],
            source: at(8),
        }],
        software: Vec::new(),
        source: at(3),
    }
}

/// An uncertain holding blocks the customer when, and only when, it could be a declared item.
#[test]
fn an_uncertain_holding_that_could_be_a_declared_item_is_an_error() {
    let o = one_time(
        json!([{ "lineItemNumber": 0, "offerId": "DZH318Z0BQ3Q:0001:DZH318XZXVNF",
        "quantity": 2 }]),
    );
    for kind in [Some(Kind::Reservation), None] {
        let kinds = BTreeMap::from([("DZH318Z0BQ3Q".to_owned(), kind)]);
        let h = from_orders("c1", std::slice::from_ref(&o), &catalog(), &kinds).expect("holdings");
        let dc = declared("sub1", "DZH318Z0BQ3Q");
        let err = first_conflict(&h.uncertain, &kinds::items(&dc), "c1", &[])
            .expect("could be the declared reservation");
        let msg = err.to_string();
        assert!(
            msg.starts_with("GET /v1/customers/c1/orders?billingType=OneTime: order o5 line 0 cannot be attributed ("),
            "{msg}"
        );
        assert!(msg.contains("item \"web\" (fleet/c1.yaml:12:11)"), "{msg}");
        // Another product: it cannot be the declared item, and it does not block.
        let other = declared("sub1", "DZH318Z0CCCC");
        assert_eq!(
            first_conflict(&h.uncertain, &kinds::items(&other), "c1", &[]),
            None
        );
    }
    // With its subscription known (and another one), it is not the declared item either.
    let o = one_time(
        json!([{ "lineItemNumber": 0, "offerId": "DZH318Z0BQ3Q:0001:DZH318XZXVNF",
        "quantity": 2, "provisioningContext": { "subscriptionId": "sub2" } }]),
    );
    let h = from_orders("c1", &[o], &catalog(), &BTreeMap::new()).expect("holdings");
    assert_eq!(h.uncertain.len(), 1, "no term or scope");
    let dc = declared("sub1", "DZH318Z0BQ3Q");
    assert_eq!(
        first_conflict(&h.uncertain, &kinds::items(&dc), "c1", &[]),
        None
    );
}
