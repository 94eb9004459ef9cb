//! Throttling, 5xx and lost responses: the client waits out `Retry-After` (on a manual clock),
//! retries with the same `MS-RequestId`, and a dropped checkout response yields exactly one order.

use super::common::*;
use super::purchase::find_reservation;
use reservoir::partner_center::wire::{
    BillingCycle, CartLineItemRequest, CartRequest, ReservationScope,
};
use reservoir::partner_center::{ApiError, Clock, RequestId};
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
            purchase_commitment: None,
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
    let slept_before = env.clock.sleeps().len();
    let t0 = env.clock.now();
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
    let sleeps = env.clock.sleeps()[slept_before..].to_vec();
    assert!(
        sleeps.iter().any(|d| *d >= Duration::from_secs(7)),
        "waited at least Retry-After: {sleeps:?}"
    );
    assert!(env.clock.now() - t0 >= Duration::from_secs(7));
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

#[tokio::test]
async fn the_sandbox_rate_limit_is_waited_out_on_its_own_clock() {
    let env = start_knobs(reservoir::sandbox::Knobs {
        customer_rate_limit: Some(3),
        ..reservoir::sandbox::Knobs::default()
    })
    .await;
    let clock = SandboxClock::new(&env.sandbox);
    let mut cfg = reservoir::partner_center::ClientConfig::new(
        env.sandbox.endpoint(),
        app_user(&env.sandbox),
    );
    cfg.clock = std::sync::Arc::new(clock.clone());
    let client = reservoir::partner_center::Client::new(cfg).expect("client");
    for _ in 0..8 {
        client
            .get_customer(FABRIKAM)
            .await
            .expect("customer, eventually");
    }
    let log = env.requests_to("GET", FABRIKAM).await;
    let throttled = log.iter().filter(|r| r["status"] == 429).count();
    let ok = log.iter().filter(|r| r["status"] == 200).count();
    assert_eq!(ok, 8);
    assert!(throttled >= 1, "{log:?}");
    assert_eq!(client.stats().throttled, throttled as u64);
    assert!(clock.manual.sleeps().iter().any(|d| d.as_secs() >= 1));
}

#[tokio::test]
async fn a_timed_out_read_is_retried() {
    let env = start().await;
    let mut cfg = reservoir::partner_center::ClientConfig::new(
        env.sandbox.endpoint(),
        app_user(&env.sandbox),
    );
    cfg.clock = std::sync::Arc::new(env.clock.clone());
    cfg.request_timeout = Duration::from_millis(300);
    let client = reservoir::partner_center::Client::new(cfg).expect("client");
    client.get_customer(CONTOSO).await.expect("warm the token");
    env.fault(
        "GET",
        "/v1/customers/*",
        FaultKind::Hang { hang_ms: 5_000 },
        1,
    );
    let c = client
        .get_customer(CONTOSO)
        .await
        .expect("customer after a timeout");
    assert_eq!(c.id, CONTOSO);
    assert_eq!(client.stats().retries, 1);
}

#[tokio::test]
async fn commit_then_drop_on_cart_create_yields_one_cart() {
    let env = start().await;
    let cart = contoso_cart(&env).await;
    let before = env.sandbox.world().carts.len();
    env.fault(
        "POST",
        "/v1/customers/*/carts",
        FaultKind::CommitThenDrop,
        1,
    );
    let rid = RequestId::new();
    let created = env
        .client
        .create_cart(CONTOSO, &cart, rid.clone())
        .await
        .expect("the retry is answered from the first attempt");
    let world = env.sandbox.world();
    assert_eq!(world.carts.len(), before + 1, "exactly one cart");
    assert!(world.carts.contains_key(&created.id));
    assert_eq!(env.client.stats().retries, 1);
}
