//! Scripted faults, rate limits, request counters.

use super::common::*;
use reservoir::sandbox::Knobs;
use serde_json::{Value, json};

#[tokio::test]
async fn n_server_errors_then_success() {
    let s = start().await;
    s.fault(json!({ "method": "GET", "path": "/v1/customers/*", "kind": "server_error", "status": 503, "count": 2 })).await;
    let path = format!("/v1/customers/{CONTOSO}");
    assert_eq!(s.get(&path).await.status, 503);
    assert_eq!(s.get(&path).await.status, 503);
    assert_eq!(s.get(&path).await.status, 200);
}

#[tokio::test]
async fn scripted_429_carries_retry_after_and_the_documented_body() {
    let s = start().await;
    s.fault(json!({ "path": "*/subscriptions", "kind": "rate_limit", "retryAfterSeconds": 7, "count": 1 })).await;
    let r = s
        .get(&format!("/v1/customers/{CONTOSO}/subscriptions"))
        .await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after").as_deref(), Some("7"));
    assert_eq!(
        r.body,
        json!({ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 7 seconds." })
    );
    assert_eq!(
        s.get(&format!("/v1/customers/{CONTOSO}/subscriptions"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn commit_then_drop_performs_the_write_without_answering() {
    let s = start().await;
    let item = s
        .reservation_item(
            "US",
            "AzureReservationsVM",
            "Standard_D2s_v5",
            "eastus",
            "1Year",
            false,
        )
        .await;
    let cart = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": [reservation_line(0, &item, 1, "P1Y", CONTOSO_PLAN, "1Year")] }),
        )
        .await;
    let path = format!(
        "/v1/customers/{CONTOSO}/carts/{}/checkout",
        cart.body["id"].as_str().unwrap()
    );
    s.fault(
        json!({ "method": "POST", "path": "*/checkout", "kind": "commit_then_drop", "count": 1 }),
    )
    .await;
    let before = s.order_count().await;
    let err = s
        .http
        .post(s.url(&path))
        .bearer_auth(&s.app_user)
        .header("MS-RequestId", "rid-drop")
        .send()
        .await;
    let err = err.expect_err("the connection is dropped");
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    assert_eq!(s.order_count().await, before + 1, "the order was placed");
    // Retrying with the same request id answers with the first result and places nothing.
    let retry = s.post_with_id(&path, Value::Null, "rid-drop").await;
    assert_eq!(retry.status, 201);
    assert_eq!(retry.body["orders"].as_array().unwrap().len(), 1);
    assert_eq!(s.order_count().await, before + 1);
}

#[tokio::test]
async fn a_hang_times_the_client_out() {
    let s = start().await;
    s.fault(json!({ "path": "/v1/invoices", "kind": "hang", "hangMs": 30000, "count": 1 }))
        .await;
    let r = s
        .http
        .get(s.url("/v1/invoices"))
        .bearer_auth(&s.app_user)
        .timeout(std::time::Duration::from_millis(300))
        .send()
        .await;
    assert!(r.expect_err("times out").is_timeout());
    assert_eq!(s.get("/v1/invoices").await.status, 200);
}

#[tokio::test]
async fn rate_limits_are_per_customer_and_per_partner() {
    let s = start_knobs(Knobs {
        customer_rate_limit: Some(3),
        ..Knobs::default()
    })
    .await;
    for _ in 0..3 {
        assert_eq!(s.get(&format!("/v1/customers/{CONTOSO}")).await.status, 200);
    }
    let r = s
        .get(&format!("/v1/customers/{CONTOSO}/subscriptions"))
        .await;
    assert_eq!(r.status, 429);
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    assert_eq!(r.body["statusCode"], 429);
    assert_eq!(
        s.get(&format!("/v1/customers/{FABRIKAM}")).await.status,
        200,
        "other customers are fine"
    );
    s.advance(61).await;
    assert_eq!(s.get(&format!("/v1/customers/{CONTOSO}")).await.status, 200);

    s.admin_put(
        "/_sandbox/knobs",
        json!({ "partnerRateLimit": 2, "customerRateLimit": null }),
    )
    .await;
    assert_eq!(s.get("/v1/invoices").await.status, 200);
    assert_eq!(s.get(&format!("/v1/customers/{ADATUM}")).await.status, 200);
    assert_eq!(
        s.get("/v1/products?country=US&targetView=Software")
            .await
            .status,
        429
    );
}

#[tokio::test]
async fn request_counters_count_by_category_and_customer() {
    let s = start().await;
    s.admin_post("/_sandbox/requests/reset", json!({})).await;
    s.get("/v1/products?country=US&targetView=Software").await;
    s.get("/v1/products/DG7GMGF0DWM3/skus?country=US").await;
    s.get(&format!("/v1/customers/{CONTOSO}/subscriptions"))
        .await;
    let c = s.admin_get("/_sandbox/requests").await;
    assert_eq!(c["byCategory"]["catalog"], 2);
    assert_eq!(c["byCustomer"][CONTOSO], 1);
    assert_eq!(c["total"], 3);
    s.admin_post("/_sandbox/requests/reset", json!({})).await;
    assert_eq!(s.admin_get("/_sandbox/requests").await["total"], 0);
}

#[tokio::test]
async fn library_handle_sets_knobs_faults_and_clock() {
    let s = start().await;
    s.sandbox.add_fault(reservoir::sandbox::FaultRule {
        method: None,
        path: "/v1/invoices".into(),
        kind: reservoir::sandbox::FaultKind::ServerError { status: 502 },
        count: Some(1),
    });
    assert_eq!(s.get("/v1/invoices").await.status, 502);
    assert_eq!(s.get("/v1/invoices").await.status, 200);
    s.sandbox.set_knobs(Knobs {
        registration_delay_secs: 100,
        ..s.sandbox.knobs()
    });
    let sub = format!("/v1/customers/{NORTHWIND}/subscriptions/{NORTHWIND_PLAN}");
    s.post(&format!("{sub}/registrations"), Value::Null).await;
    assert_eq!(
        s.get(&format!("{sub}/registrationstatus")).await.body["status"],
        "Registering"
    );
    s.sandbox.advance_clock(100);
    assert_eq!(
        s.get(&format!("{sub}/registrationstatus")).await.body["status"],
        "Registered"
    );
    assert_eq!(s.sandbox.world().customers.len(), 5);
}
