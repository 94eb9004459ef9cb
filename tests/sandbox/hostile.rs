//! Scripted hostile answers: inconsistent carts, malformed entitlements, cross-host redirects,
//! endless paging, slow bodies, secret echo, wrong checkout answers and §19 error codes. Each
//! test also checks what was (or was not) bought, with `/_sandbox/orders`.

use super::common::*;
use serde_json::{Value, json};

async fn d2s(s: &Sbx) -> String {
    s.reservation_item(
        "US",
        "AzureReservationsVM",
        "Standard_D2s_v5",
        "eastus",
        "3Years",
        false,
    )
    .await
}

async fn cart(s: &Sbx, item: &str, qty: i64) -> Value {
    let r = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": [reservation_line(0, item, qty, "P3Y", CONTOSO_PLAN, "3Years")] }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

fn checkout_path(cart: &Value) -> String {
    format!(
        "/v1/customers/{CONTOSO}/carts/{}/checkout",
        cart["id"].as_str().unwrap()
    )
}

async fn admin_orders(s: &Sbx) -> Vec<Value> {
    s.admin_get("/_sandbox/orders").await["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn cart_answers_can_differ_from_the_request_and_checkout_buys_what_the_cart_holds() {
    let s = start().await;
    let item = d2s(&s).await;
    s.fault(json!({ "kind": "cart_mismatch", "mode": "double_quantity", "count": 1 }))
        .await;
    let c = cart(&s, &item, 2).await;
    assert_eq!(c["lineItems"][0]["quantity"], 4, "the answer doubles");
    let co = s.post(&checkout_path(&c), Value::Null).await;
    assert_eq!(co.status, 201);
    let orders = admin_orders(&s).await;
    let last = orders.last().unwrap();
    assert_eq!(
        last["lines"][0]["quantity"], 4,
        "the stored cart is what gets bought"
    );

    s.fault(json!({ "kind": "cart_mismatch", "mode": "other_item", "count": 1 }))
        .await;
    let c = cart(&s, &item, 1).await;
    let answered = c["lineItems"][0]["catalogItemId"].as_str().unwrap();
    assert_ne!(answered, item);
    assert_eq!(
        answered.split(':').next(),
        item.split(':').next(),
        "another SKU of the same product"
    );
    assert!(
        c["lineItems"][0]["error"].is_null(),
        "a valid, buyable item"
    );
    // Only the next cart write is affected; an update follows the request again.
    let mut edited = c.clone();
    edited["lineItems"] = json!([reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years")]);
    let put = s
        .put(
            &format!(
                "/v1/customers/{CONTOSO}/carts/{}",
                c["id"].as_str().unwrap()
            ),
            edited,
        )
        .await;
    assert_eq!(put.body["lineItems"][0]["catalogItemId"], item.as_str());
}

#[tokio::test]
async fn entitlement_lists_can_be_malformed() {
    let s = start().await;
    let path = format!("/v1/customers/{CONTOSO}/entitlements");
    let clean = s.get(&path).await.body["items"].as_array().unwrap().clone();
    assert!(!clean.is_empty(), "the demo world has holdings");
    for (mode, check) in [
        ("negative_quantity", "quantity<0"),
        ("missing_quantity", "quantity"),
        ("missing_product", "productId"),
        ("missing_sku", "skuId"),
        ("missing_order", "referenceOrder"),
        ("duplicate_id", "duplicate"),
    ] {
        s.fault(json!({ "kind": "malformed_entitlements", "mode": mode, "count": 1 }))
            .await;
        let items = s.get(&path).await.body["items"].as_array().unwrap().clone();
        let first = &items[0];
        match check {
            "quantity<0" => assert!(first["quantity"].as_i64().unwrap() < 0),
            "duplicate" => {
                assert_eq!(items.len(), clean.len() + 1);
                let dupes = items
                    .iter()
                    .filter(|e| {
                        e["referenceOrder"] == first["referenceOrder"]
                            && e["productId"] == first["productId"]
                    })
                    .count();
                assert_eq!(dupes, 2, "the same entitlement twice");
            }
            key => assert!(first.get(key).is_none(), "{mode}: {first}"),
        }
    }
    assert_eq!(
        s.get(&path).await.body["items"].as_array().unwrap().len(),
        clean.len(),
        "counted rules expire"
    );
}

#[tokio::test]
async fn routes_and_the_token_endpoint_can_redirect_to_another_host() {
    let s = start().await;
    let item = d2s(&s).await;
    let c = cart(&s, &item, 1).await;
    s.fault(json!({ "method": "POST", "path": "*/checkout", "kind": "redirect", "count": 1 }))
        .await;
    let before = s.order_count().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = http
        .post(s.url(&checkout_path(&c)))
        .bearer_auth(&s.app_user)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        loc.starts_with("http://redirected.invalid/v1/customers/"),
        "{loc}"
    );
    assert_eq!(s.order_count().await, before, "a redirect acts on nothing");

    let tenant = s.sandbox.credentials().tenant_id;
    s.fault(
        json!({ "path": "*/oauth2/*", "kind": "redirect", "status": 307,
                    "location": "http://127.0.0.2:9/steal", "count": 1 }),
    )
    .await;
    let creds = s.sandbox.credentials();
    let r = http
        .post(s.url(&format!("/{tenant}/oauth2/token")))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", creds.client_id.as_str()),
            ("client_secret", creds.client_secret.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 307);
    assert_eq!(r.headers()["location"], "http://127.0.0.2:9/steal");
    assert_eq!(s.token("client_credentials").await.status, 200, "once only");
}

#[tokio::test]
async fn a_list_can_page_forever() {
    let s = start().await;
    s.fault(json!({ "method": "GET", "path": "*/entitlements", "kind": "endless_paging" }))
        .await;
    let mut uri = format!("/v1/customers/{CONTOSO}/entitlements");
    for _ in 0..5 {
        let page = s.get(&uri).await;
        assert_eq!(page.status, 200);
        let next = &page.body["links"]["next"];
        assert_eq!(next["headers"][0]["key"], "MS-ContinuationToken");
        uri = format!("/v1{}", next["uri"].as_str().unwrap());
        assert_eq!(uri, format!("/v1/customers/{CONTOSO}/entitlements"));
    }
    s.send(s.http.delete(s.url("/_sandbox/faults"))).await;
    assert!(s.get(&uri).await.body["links"].get("next").is_none());
}

#[tokio::test]
async fn a_body_can_trickle() {
    let s = start().await;
    s.fault(json!({ "path": "/v1/customers/*", "kind": "slow_body", "chunkBytes": 64, "chunkDelayMs": 40, "count": 1 }))
        .await;
    let t0 = std::time::Instant::now();
    let r = s.get(&format!("/v1/customers/{CONTOSO}")).await;
    let took = t0.elapsed();
    assert_eq!(r.status, 200);
    assert_eq!(r.body["id"], CONTOSO, "the body arrives whole");
    let len = r.body.to_string().len() as u32;
    let min = std::time::Duration::from_millis(40) * (len / 64).saturating_sub(1);
    assert!(took >= min, "{took:?} < {min:?}");
}

#[tokio::test]
async fn error_bodies_can_echo_secrets() {
    let s = start().await;
    s.fault(json!({ "path": "/v1/customers/*", "kind": "echo_secret", "count": 1 }))
        .await;
    let r = s.get(&format!("/v1/customers/{CONTOSO}")).await;
    assert_eq!(r.status, 500);
    assert!(
        r.body.to_string().contains(&s.app_user),
        "the bearer token is echoed"
    );

    s.fault(json!({ "path": "*/oauth2/token", "kind": "echo_secret", "status": 400, "count": 1 }))
        .await;
    let r = s.token("refresh_token").await;
    assert_eq!(r.status, 400);
    let text = r.body.to_string();
    let creds = s.sandbox.credentials();
    assert!(text.contains(&creds.client_secret));
    assert!(text.contains(&creds.refresh_token));
}

#[tokio::test]
async fn checkout_can_answer_wrongly_after_placing_the_order() {
    let s = start().await;
    let item = d2s(&s).await;

    s.fault(json!({ "kind": "checkout_answer", "mode": "other_customer", "count": 1 }))
        .await;
    let c = cart(&s, &item, 1).await;
    let co = s.post(&checkout_path(&c), Value::Null).await;
    assert_eq!(co.status, 201);
    assert_ne!(co.body["orders"][0]["referenceCustomerId"], CONTOSO);
    let placed = admin_orders(&s).await;
    assert_eq!(placed.last().unwrap()["customerId"], CONTOSO);
    assert_eq!(
        placed.last().unwrap()["orderId"],
        co.body["orders"][0]["id"]
    );

    s.fault(json!({ "kind": "checkout_answer", "mode": "duplicate_order", "count": 1 }))
        .await;
    let before = s.order_count().await;
    let c = cart(&s, &item, 1).await;
    let co = s.post(&checkout_path(&c), Value::Null).await;
    let orders = co.body["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 2);
    assert_eq!(orders[0], orders[1]);
    assert_eq!(s.order_count().await, before + 1, "one order placed");

    s.fault(json!({ "kind": "checkout_answer", "mode": "empty", "count": 1 }))
        .await;
    let c = cart(&s, &item, 1).await;
    let co = s.post(&checkout_path(&c), Value::Null).await;
    assert_eq!(co.status, 201);
    assert!(co.body.is_null(), "an empty 201");
    assert_eq!(s.order_count().await, before + 2, "placed all the same");
    // A retry of the same cart gets the true first result, and buys nothing more.
    let again = s.post(&checkout_path(&c), Value::Null).await;
    assert_eq!(again.body["orders"].as_array().unwrap().len(), 1);
    assert_eq!(s.order_count().await, before + 2);
}

#[tokio::test]
async fn documented_error_codes_can_be_scripted() {
    let s = start().await;
    let item = d2s(&s).await;
    for (status, code) in [
        (403, 800023),
        (400, 800025),
        (403, 900121),
        (403, 800073),
        (403, 800020),
    ] {
        s.fault(json!({ "method": "POST", "path": "*/checkout", "kind": "api_error", "status": status, "code": code, "count": 1 }))
            .await;
        let before = s.order_count().await;
        let c = cart(&s, &item, 1).await;
        let co = s.post(&checkout_path(&c), Value::Null).await;
        assert_eq!((co.status, co.body["code"].as_i64()), (status, Some(code)));
        assert_eq!(s.order_count().await, before, "nothing bought");
    }
}
