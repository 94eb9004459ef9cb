//! Retries on a simulated clock: 429 waits at least Retry-After and keeps the MS-RequestId,
//! 5xx and 408 are retried with backoff, other 4xx are final, writes report an open outcome.

use super::mock::*;
use reservoir::partner_center::wire::{BillingCycle, CartLineItemRequest, CartRequest};
use reservoir::partner_center::{ApiError, RequestId};
use serde_json::json;
use std::time::Duration;

fn cart_request() -> CartRequest {
    CartRequest {
        id: None,
        line_items: vec![CartLineItemRequest {
            purchase_commitment: None,
            id: 0,
            catalog_item_id: "DZH318Z0BQ3V:00G1:DZH318Z0DV2K".into(),
            friendly_name: None,
            quantity: 2,
            billing_cycle: BillingCycle::OneTime,
            term_duration: Some("P3Y".into()),
            provisioning_context: [("subscriptionId".to_string(), SUBSCRIPTION.to_string())].into(),
            participants: vec![],
            attestation_accepted: None,
        }],
        partner_on_record_attestation_accepted: None,
    }
}

fn cart_body() -> serde_json::Value {
    json!({"id": "c1a2b3", "status": "Active", "lineItems": [{"id": 0, "catalogItemId": "DZH318Z0BQ3V:00G1:DZH318Z0DV2K", "quantity": 2, "billingCycle": "one_time", "orderGroup": "0"}]})
}

#[tokio::test]
async fn throttled_write_waits_retry_after_and_reuses_the_request_id() {
    let mock = Mock::start().await;
    let path = v1(&format!("/customers/{CUSTOMER}/carts"));
    mock.on("POST", &path, vec![
        Canned::json(429, json!({"statusCode": 429, "message": "Rate limit is exceeded. Try again in 23 seconds."}))
            .header("Retry-After", "23"),
        Canned::json(201, cart_body()),
    ]);
    let (client, clock) = client(&mock, app_only(&mock));
    let rid = RequestId::new();
    let cart = client
        .create_cart(CUSTOMER, &cart_request(), rid.clone())
        .await
        .unwrap();
    assert_eq!(cart.id, "c1a2b3");
    let total: Duration = clock.sleeps().iter().sum();
    assert!(total >= Duration::from_secs(23), "waited only {total:?}");
    let reqs = mock.api_requests();
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_eq!(r.header("ms-requestid").as_deref(), Some(rid.as_str()));
    }
    assert_ne!(
        reqs[0].header("ms-correlationid"),
        reqs[1].header("ms-correlationid")
    );
    let stats = client.stats();
    assert_eq!((stats.throttled, stats.retries), (1, 1));
    assert_eq!(stats.by_category.get("cart"), Some(&2));
    // the shared limiter slowed down for this customer
    assert!(client.rate_limiter().factor(Some(CUSTOMER)) < 1.0);
    // the body went out in camelCase
    let body: serde_json::Value = serde_json::from_slice(&reqs[0].body).unwrap();
    assert_eq!(
        body["lineItems"][0]["catalogItemId"],
        "DZH318Z0BQ3V:00G1:DZH318Z0DV2K"
    );
    assert_eq!(body["lineItems"][0]["billingCycle"], "one_time");
    assert_eq!(
        body["lineItems"][0]["provisioningContext"]["subscriptionId"],
        SUBSCRIPTION
    );
}

#[tokio::test]
async fn persistent_429_ends_in_throttled_after_bounded_attempts() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}")),
        vec![Canned::json(429, json!({})).header("Retry-After", "5")],
    );
    let (client, clock) = client(&mock, app_only(&mock));
    let err = client.get_customer(CUSTOMER).await.unwrap_err();
    assert!(
        matches!(err, ApiError::Throttled { attempts: 4, .. }),
        "{err:?}"
    );
    assert_eq!(mock.api_requests().len(), 4);
    assert!(
        clock
            .sleeps()
            .iter()
            .filter(|d| **d >= Duration::from_secs(5))
            .count()
            >= 3
    );
    assert!(!err.outcome_unknown());
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff() {
    let mock = Mock::start().await;
    mock.on("GET", &v1(&format!("/customers/{CUSTOMER}/subscriptions")), vec![
        Canned::error(503, json!(0), "unavailable"),
        Canned::empty(408),
        Canned::json(200, json!({"totalCount": 1, "items": [{"id": SUBSCRIPTION, "offerId": "MS-AZR-0145P", "status": "Active"}]})),
    ]);
    let (client, clock) = client(&mock, app_only(&mock));
    let subs = client.list_subscriptions(CUSTOMER).await.unwrap();
    assert_eq!(subs.len(), 1);
    assert!(subs[0].is_legacy_azure());
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_secs(1), Duration::from_secs(2)]
    );
    assert_eq!(client.stats().retries, 2);
}

#[tokio::test]
async fn client_errors_are_final_and_named() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}/orders/ord-1")),
        vec![Canned::error(404, json!("800008"), "Order not found")],
    );
    let (client, clock) = client(&mock, app_only(&mock));
    let err = client.get_order(CUSTOMER, "ord-1").await.unwrap_err();
    assert_eq!(mock.api_requests().len(), 1);
    assert!(clock.sleeps().is_empty());
    assert_eq!((err.status(), err.code()), (Some(404), Some("800008")));
    let s = err.to_string();
    for part in [
        "GET",
        "/v1/customers/",
        "/orders/ord-1",
        "404",
        "800008",
        "Order not found",
        "1 attempt",
    ] {
        assert!(s.contains(part), "{s}");
    }
}

#[tokio::test]
async fn write_that_keeps_failing_with_5xx_has_an_open_outcome() {
    let mock = Mock::start().await;
    mock.on(
        "POST",
        &v1(&format!("/customers/{CUSTOMER}/carts/c1/checkout")),
        vec![Canned::error(500, json!(0), "boom")],
    );
    let (client, _) = client(&mock, app_only(&mock));
    let rid = RequestId::new();
    let err = client
        .checkout_cart(CUSTOMER, "c1", rid.clone())
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert!(err.to_string().contains("4 attempts"), "{err}");
    assert!(
        mock.api_requests()
            .iter()
            .all(|r| r.header("ms-requestid").as_deref() == Some(rid.as_str()))
    );

    // the same failure on a read is simply an error
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}/carts/c1")),
        vec![Canned::error(500, json!(0), "boom")],
    );
    let err = client.get_cart(CUSTOMER, "c1").await.unwrap_err();
    assert!(!err.outcome_unknown());
}

#[tokio::test]
async fn dropped_connection_on_a_write_is_an_open_outcome_but_refused_connect_is_not() {
    // a server that reads the request and closes the connection without answering
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 8192];
            let _ = sock.read(&mut buf).await;
            drop(sock);
        }
    });
    let mut mock = Mock::start().await; // serves tokens only
    let token_authority = mock.authority();
    mock.base = format!("http://{addr}");
    let creds = reservoir::partner_center::Credentials::app_only(
        TENANT,
        "client-id",
        reservoir::partner_center::Secret::new(CLIENT_SECRET),
        &token_authority,
    );
    let (client, _) = client(&mock, creds.clone());
    let err = client
        .checkout_cart(CUSTOMER, "c1", RequestId::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Transport { attempts: 4, .. }),
        "{err:?}"
    );
    assert!(err.outcome_unknown(), "{err}");

    // nothing listens here: the request never left
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    mock.base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let (client, _) = super::mock::client(&mock, creds);
    let err = client
        .checkout_cart(CUSTOMER, "c1", RequestId::new())
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Transport { .. }), "{err:?}");
    assert!(!err.outcome_unknown(), "{err}");
}

#[tokio::test]
async fn a_write_that_times_out_has_an_open_outcome() {
    // a server that accepts and never answers
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    let tokens = Mock::start().await;
    let creds = app_only(&tokens);
    let mut cfg = reservoir::partner_center::ClientConfig::new(
        url::Url::parse(&format!("http://{addr}")).unwrap(),
        creds,
    );
    let clock = reservoir::partner_center::ManualClock::new();
    cfg.clock = std::sync::Arc::new(clock.clone());
    cfg.retry.max_attempts = 2;
    cfg.request_timeout = Duration::from_millis(100);
    let client = reservoir::partner_center::Client::new(cfg).unwrap();
    let err = client
        .create_cart(CUSTOMER, &cart_request(), RequestId::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Transport { attempts: 2, .. }),
        "{err:?}"
    );
    assert!(err.outcome_unknown());
    assert!(err.to_string().contains("timed out"), "{err}");
}
