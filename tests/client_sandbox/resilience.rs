//! Throttling, 5xx and lost responses: the client waits out `Retry-After` (on a manual clock),
//! retries with the same `MS-RequestId`, and a dropped checkout response yields exactly one order.

use super::common::*;
use super::purchase::find_reservation;
use reservoir::partner_center::wire::{
    BillingCycle, CartLineItemRequest, CartRequest, ReservationScope,
};
use reservoir::partner_center::{ApiError, RequestId};
use reservoir::sandbox::FaultKind;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

async fn contoso_cart(env: &Env) -> CartRequest {
    let (_, _, a) = find_reservation(
        &env.client,
        "US",
        Some(&ReservationScope::AzurePlan),
        "Standard_D8s_v5",
        "eastus",
        "1Year",
    )
    .await;
    CartRequest {
        line_items: vec![CartLineItemRequest {
            id: 0,
            catalog_item_id: a.catalog_item_id,
            friendly_name: None,
            quantity: 1,
            billing_cycle: BillingCycle::OneTime,
            term_duration: Some("P1Y".into()),
            provisioning_context: BTreeMap::from([
                ("subscriptionId".into(), CONTOSO_PLAN.into()),
                ("scope".into(), "shared".into()),
                ("duration".into(), "1Year".into()),
            ]),
            participants: vec![],
            attestation_accepted: None,
        }],
        ..CartRequest::default()
    }
}

fn ids(log: &[Value]) -> Vec<Option<String>> {
    log.iter()
        .map(|r| r["requestId"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn retry_after_is_waited_out_and_the_retry_carries_the_same_request_id() {
    let env = start().await;
    let cart = contoso_cart(&env).await;
    env.fault(
        "POST",
        "/v1/customers/*/carts",
        FaultKind::RateLimit {
            retry_after_seconds: 7,
        },
        1,
    );
    env.reset_requests().await;
    let rid = RequestId::new();
    let created = env
        .client
        .create_cart(CONTOSO, &cart, rid.clone())
        .await
        .expect("created after the 429");
    assert!(!created.id.is_empty());
    let log = env.requests_to("POST", "/carts").await;
    let statuses: Vec<_> = log.iter().map(|r| r["status"].as_u64()).collect();
    assert_eq!(statuses, vec![Some(429), Some(201)]);
    assert_eq!(
        ids(&log),
        vec![Some(rid.to_string()), Some(rid.to_string())],
        "both attempts carry the caller's MS-RequestId"
    );
    let sleeps = env.clock.sleeps();
    assert!(
        sleeps.iter().any(|d| *d >= Duration::from_secs(7)),
        "waited at least Retry-After: {sleeps:?}"
    );
    let stats = env.client.stats();
    assert_eq!((stats.throttled, stats.retries), (1, 1));

    // A read throttled by the sandbox's own rate limit is waited out as well.
    env.fault(
        "GET",
        "/v1/customers/*",
        FaultKind::RateLimit {
            retry_after_seconds: 3,
        },
        2,
    );
    let before = env.clock.sleeps().len();
    env.client.get_customer(CONTOSO).await.expect("customer");
    let waits = &env.clock.sleeps()[before..];
    // Two 429 waits of at least Retry-After; the limiter may add pacing of its own after a 429
    // (it halves the customer's rate), which only makes the total longer.
    let long = waits
        .iter()
        .filter(|d| **d >= Duration::from_secs(3))
        .count();
    assert!(long >= 2, "{waits:?}");
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff() {
    let env = start().await;
    let cart = contoso_cart(&env).await;
    let created = env
        .client
        .create_cart(CONTOSO, &cart, RequestId::new())
        .await
        .expect("cart");
    env.fault(
        "POST",
        "/v1/customers/*/carts/*/checkout",
        FaultKind::ServerError { status: 503 },
        2,
    );
    env.reset_requests().await;
    let rid = RequestId::new();
    let res = env
        .client
        .checkout_cart(CONTOSO, &created.id, rid.clone())
        .await
        .expect("checkout after two 503s");
    assert_eq!(res.orders.len(), 1);
    let log = env.requests_to("POST", "/checkout").await;
    let statuses: Vec<_> = log.iter().map(|r| r["status"].as_u64()).collect();
    assert_eq!(statuses, vec![Some(503), Some(503), Some(201)]);
    assert!(ids(&log).iter().all(|i| i.as_deref() == Some(rid.as_str())));
    let sleeps = env.clock.sleeps();
    assert_eq!(sleeps.len(), 2, "{sleeps:?}");
    assert!(
        sleeps[1] >= sleeps[0],
        "backoff does not shrink: {sleeps:?}"
    );

    // A read also survives a 500 and a 502.
    env.fault(
        "GET",
        "/v1/invoices/summary",
        FaultKind::ServerError { status: 500 },
        1,
    );
    env.fault(
        "GET",
        "/v1/invoices/summary",
        FaultKind::ServerError { status: 502 },
        1,
    );
    env.client.get_invoice_summary().await.expect("summary");

    // When the 5xx outlasts the attempts, the error says the write's outcome is open.
    env.fault(
        "PUT",
        "/v1/customers/*/carts/*",
        FaultKind::ServerError { status: 503 },
        100,
    );
    let err = env
        .client
        .update_cart(CONTOSO, &created.id, &cart, RequestId::new())
        .await
        .expect_err("still failing");
    assert!(err.outcome_unknown(), "{err:?}");
    assert!(matches!(err, ApiError::Http { status: 503, .. }));
}

#[tokio::test]
async fn commit_then_drop_on_checkout_yields_exactly_one_order() {
    let env = start().await;
    let cart = contoso_cart(&env).await;
    let created = env
        .client
        .create_cart(CONTOSO, &cart, RequestId::new())
        .await
        .expect("cart");
    let before = env.all_orders().await.len();
    env.fault(
        "POST",
        "/v1/customers/*/carts/*/checkout",
        FaultKind::CommitThenDrop,
        1,
    );
    env.reset_requests().await;
    let rid = RequestId::new();
    let res = env
        .client
        .checkout_cart(CONTOSO, &created.id, rid.clone())
        .await
        .expect("the retry returns the first checkout's result");
    assert_eq!(res.orders.len(), 1);
    let orders = env.all_orders().await;
    assert_eq!(orders.len(), before + 1, "exactly one new order");
    let for_cart: Vec<_> = orders
        .iter()
        .filter(|o| o["cartId"] == created.id.as_str())
        .collect();
    assert_eq!(for_cart.len(), 1);
    assert_eq!(for_cart[0]["orderId"], res.orders[0].id.as_str());
    let log = env.requests_to("POST", "/checkout").await;
    assert_eq!(log.len(), 2, "the dropped attempt and its retry: {log:?}");
    assert!(ids(&log).iter().all(|i| i.as_deref() == Some(rid.as_str())));
    assert_eq!(env.client.stats().retries, 1);

    // Checking out the same cart again (a resumed apply) still gives one order.
    let again = env
        .client
        .checkout_cart(CONTOSO, &created.id, RequestId::new())
        .await
        .expect("repeat checkout");
    assert_eq!(again.orders[0].id, res.orders[0].id);
    assert_eq!(env.all_orders().await.len(), before + 1);
}
