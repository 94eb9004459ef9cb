//! The partner activity log (`GET /v1/auditrecords`): the lag, the PascalCase order inside
//! `resourceNewValue`, portal purchases (admin holdings), filters, paging and bad input.

use super::common::*;
use reservoir::sandbox::Knobs;
use serde_json::{Value, json};

/// Places a one-line reservation order for Contoso; returns the order id.
async fn buy(s: &Sbx, qty: i64, correlation: &str) -> String {
    let item = s
        .reservation_item(
            "US",
            "AzureReservationsVM",
            "Standard_D2s_v5",
            "eastus",
            "3Years",
            false,
        )
        .await;
    let cart = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": [reservation_line(0, &item, qty, "P3Y", CONTOSO_PLAN, "3Years")] }),
        )
        .await;
    let co = s
        .send(
            s.http
                .post(s.url(&format!(
                    "/v1/customers/{CONTOSO}/carts/{}/checkout",
                    cart.body["id"].as_str().unwrap()
                )))
                .bearer_auth(&s.app_user)
                .header("MS-CorrelationId", correlation),
        )
        .await;
    assert_eq!(co.status, 201, "{}", co.body);
    co.body["orders"][0]["id"].as_str().unwrap().to_string()
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

async fn records(s: &Sbx, query: &str) -> Vec<Value> {
    let r = s.get_app_only(&format!("/v1/auditrecords?{query}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

fn for_order<'a>(items: &'a [Value], order: &str) -> Option<&'a Value> {
    items.iter().find(|r| {
        serde_json::from_str::<Value>(r["resourceNewValue"].as_str().unwrap_or("{}"))
            .is_ok_and(|v| v["Id"] == order)
    })
}

#[tokio::test]
async fn checkout_orders_show_in_the_activity_log_after_the_lag() {
    let s = start_knobs(Knobs {
        audit_lag_secs: 10,
        ..Knobs::default()
    })
    .await;
    let order = buy(&s, 4, "0b8f5d8e-5b3a-4c1e-9d77-2a1c4e6f8a90").await;
    let q = format!("startDate={}", today());
    assert!(
        for_order(&records(&s, &q).await, &order).is_none(),
        "not before the lag"
    );
    s.advance(11).await;
    let items = records(&s, &q).await;
    let r = for_order(&items, &order).expect("the order's record");
    assert_eq!(r["resourceType"], "order");
    assert_eq!(r["operationType"], "create_order");
    assert_eq!(r["operationStatus"], "succeeded");
    assert_eq!(r["customerId"], CONTOSO);
    assert_eq!(r["customerName"], "Contoso");
    assert_eq!(
        r["originalCorrelationId"],
        "0b8f5d8e-5b3a-4c1e-9d77-2a1c4e6f8a90"
    );
    assert_eq!(r["attributes"]["objectType"], "AuditRecord");
    // The order as a PascalCase JSON document inside a string, as it was when placed.
    let v: Value = serde_json::from_str(r["resourceNewValue"].as_str().unwrap()).unwrap();
    assert_eq!(v["ReferenceCustomerId"], CONTOSO);
    assert_eq!(v["BillingCycle"], "one_time");
    assert_eq!(v["Status"], "pending");
    let line = &v["LineItems"][0];
    assert_eq!(line["Quantity"], 4);
    assert_eq!(line["TermDuration"], "P3Y");
    assert!(line["OfferId"].as_str().unwrap().contains(':'));
    assert_eq!(line["ProvisioningContext"]["subscriptionId"], CONTOSO_PLAN);
    assert!(line["SubscriptionId"].is_null(), "not provisioned yet");
    let data = r["customizedData"].as_array().unwrap();
    assert!(data.contains(&json!({ "key": "OrderId", "value": order })));
    assert!(data.contains(&json!({ "key": "Quantity-0", "value": "4" })));
}

#[tokio::test]
async fn admin_holdings_are_recorded_as_portal_purchases() {
    let s = start_knobs(Knobs {
        audit_lag_secs: 0,
        ..Knobs::default()
    })
    .await;
    let item = s.software_item("US", "DG7GMGF0DWM3", "0002").await;
    let order = s
        .admin_post(
            "/_sandbox/holdings",
            json!({ "customerId": CONTOSO, "catalogItemId": item, "quantity": 6, "daysAgo": 0, "minutesAgo": 1 }),
        )
        .await;
    let oid = order["id"].as_str().unwrap();
    // Placed a minute ago, still inside the fulfilment window: pending, not an entitlement.
    assert_eq!(order["status"], "pending");
    let items = records(&s, &format!("startDate={}", today())).await;
    let r = for_order(&items, oid).expect("the portal purchase is in the log");
    assert!(r["applicationId"].is_null());
    assert!(r["userPrincipalName"].as_str().unwrap().contains('@'));
    let v: Value = serde_json::from_str(r["resourceNewValue"].as_str().unwrap()).unwrap();
    assert_eq!(v["LineItems"][0]["Quantity"], 6);
    assert_eq!(v["LineItems"][0]["OfferId"], item.as_str());
}

#[tokio::test]
async fn filters_select_by_customer_company_and_resource_type() {
    let s = start_knobs(Knobs {
        audit_lag_secs: 0,
        ..Knobs::default()
    })
    .await;
    let mine = buy(&s, 1, "c1").await;
    let item = s.software_item("US", "DG7GMGF0DWM3", "0002").await;
    let other = s
        .admin_post(
            "/_sandbox/holdings",
            json!({ "customerId": NORTHWIND, "catalogItemId": item, "quantity": 1, "daysAgo": 0 }),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let base = format!("startDate={}", today());
    let filter = |f: Value| format!("{base}&filter={}", urlencode(&f.to_string()));

    let by_customer = records(
        &s,
        &filter(
            json!({ "Field": "CustomerId", "Value": CONTOSO.to_uppercase(), "Operator": "equals" }),
        ),
    )
    .await;
    assert!(for_order(&by_customer, &mine).is_some());
    assert!(for_order(&by_customer, &other).is_none());
    assert!(by_customer.iter().all(|r| r["customerId"] == CONTOSO));

    let by_name = records(
        &s,
        &filter(json!({ "Field": "CompanyName", "Value": "NORTHW", "Operator": "substring" })),
    )
    .await;
    assert!(for_order(&by_name, &other).is_some());
    assert!(for_order(&by_name, &mine).is_none());

    let orders = records(
        &s,
        &filter(json!({ "Field": "ResourceType", "Value": "Order", "Operator": "equals" })),
    )
    .await;
    assert!(for_order(&orders, &mine).is_some() && for_order(&orders, &other).is_some());
    let subs = records(
        &s,
        &filter(json!({ "Field": "ResourceType", "Value": "Subscription", "Operator": "equals" })),
    )
    .await;
    assert!(subs.is_empty());
}

#[tokio::test]
async fn pages_follow_the_continuation_token_and_visit_every_record_once() {
    let s = start_knobs(Knobs {
        audit_lag_secs: 0,
        ..Knobs::default()
    })
    .await;
    for i in 0..3 {
        buy(&s, i + 1, &format!("c{i}")).await;
    }
    let start = (chrono::Utc::now() - chrono::Duration::days(89))
        .format("%Y-%m-%d")
        .to_string();
    let all = records(&s, &format!("startDate={start}")).await;
    assert!(all.len() >= 3);
    let mut seen = vec![];
    let mut next = Some((
        format!("/v1/auditrecords?startDate={start}&size=2"),
        None::<String>,
    ));
    while let Some((uri, token)) = next.take() {
        let mut req = s.http.get(s.url(&uri)).bearer_auth(&s.app_only);
        if let Some(t) = &token {
            req = req.header("MS-ContinuationToken", t);
        }
        let page = s.send(req).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|r| r["id"].clone()));
        if let Some(n) = page.body["links"].get("next") {
            let uri = n["uri"].as_str().unwrap();
            assert!(!uri.starts_with("/v1"), "links are written without /v1");
            let header = &n["headers"][0];
            assert_eq!(header["key"], "MS-ContinuationToken");
            next = Some((
                format!("/v1{uri}"),
                Some(header["value"].as_str().unwrap().to_string()),
            ));
        }
        assert!(seen.len() <= all.len(), "paging never repeats");
    }
    let ids: Vec<Value> = all.iter().map(|r| r["id"].clone()).collect();
    assert_eq!(seen, ids);
}

#[tokio::test]
async fn bad_activity_log_queries_are_refused() {
    let s = start().await;
    let old = (chrono::Utc::now() - chrono::Duration::days(120))
        .format("%Y-%m-%d")
        .to_string();
    for q in [
        format!("startDate={old}"),
        "startDate=yesterday".to_string(),
        format!("startDate={}&filter=notjson", today()),
        format!(
            "startDate={}&filter={}",
            today(),
            urlencode(r#"{"Field":"Colour","Value":"x","Operator":"equals"}"#)
        ),
        format!(
            "startDate={}&filter={}",
            today(),
            urlencode(r#"{"Field":"CustomerId","Value":"x","Operator":"substring"}"#)
        ),
        format!("startDate={}&size=0", today()),
    ] {
        let r = s.get(&format!("/v1/auditrecords?{q}")).await;
        assert_eq!(r.status, 400, "{q}: {}", r.body);
        assert!(r.body["description"].as_str().is_some());
    }
    // A date-time in the docs' US format is accepted.
    let us = chrono::Utc::now()
        .format("%m/%d/%Y 12:00:00 AM")
        .to_string();
    let r = s
        .get(&format!("/v1/auditrecords?startDate={}", urlencode(&us)))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
