//! Fidelity, round two (issue 17 items 1–5): pending orders by default, knobs never undoing
//! state, `sandbox serve` throttle flags apart from the client's, segments, order groups by
//! billing cycle.

use super::common::*;
use serde_json::{Value, json};
use std::io::BufRead;

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

async fn buy(s: &Sbx, lines: Value) -> Value {
    let cart = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": lines }),
        )
        .await;
    assert_eq!(cart.status, 201, "{}", cart.body);
    let co = s
        .post(
            &format!(
                "/v1/customers/{CONTOSO}/carts/{}/checkout",
                cart.body["id"].as_str().unwrap()
            ),
            Value::Null,
        )
        .await;
    assert_eq!(co.status, 201, "{}", co.body);
    co.body
}

async fn entitled(s: &Sbx, order: &str) -> bool {
    s.get(&format!("/v1/customers/{CONTOSO}/entitlements"))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["referenceOrder"]["id"] == order)
}

#[tokio::test]
async fn orders_are_pending_without_subscription_ids_by_default() {
    let s = start().await;
    assert!(s.sandbox.knobs().fulfillment_delay_secs > 0);
    let item = d2s(&s).await;
    let co = buy(
        &s,
        json!([reservation_line(0, &item, 2, "P3Y", CONTOSO_PLAN, "3Years")]),
    )
    .await;
    let order = &co["orders"][0];
    let id = order["id"].as_str().unwrap();
    assert_eq!(order["status"], "pending");
    assert!(order["lineItems"][0].get("subscriptionId").is_none());
    let got = s.get(&format!("/v1/customers/{CONTOSO}/orders/{id}")).await;
    assert_eq!(got.body["status"], "pending");
    assert!(got.body["lineItems"][0].get("subscriptionId").is_none());
    assert!(!entitled(&s, id).await, "not an entitlement while pending");
    let ps = s
        .get(&format!(
            "/v1/customers/{CONTOSO}/orders/{id}/provisioningstatus"
        ))
        .await;
    assert_eq!(ps.body["items"][0]["status"], "PrefulfillmentPending");

    s.advance(s.sandbox.knobs().fulfillment_delay_secs as i64 + 1)
        .await;
    let got = s.get(&format!("/v1/customers/{CONTOSO}/orders/{id}")).await;
    assert_eq!(got.body["status"], "completed");
    assert!(got.body["lineItems"][0]["subscriptionId"].is_string());
    assert!(entitled(&s, id).await);
}

#[tokio::test]
async fn raising_a_delay_knob_never_undoes_state_reached() {
    let s = start_knobs(reservoir::sandbox::Knobs {
        fulfillment_delay_secs: 0,
        order_list_delay_secs: 0,
        ..Default::default()
    })
    .await;
    let item = d2s(&s).await;
    let co = buy(
        &s,
        json!([reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years")]),
    )
    .await;
    let id = co["orders"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(co["orders"][0]["status"], "completed");
    // Registration reached under a short delay.
    let reg = s
        .post(
            &format!("/v1/customers/{CONTOSO}/subscriptions/{CONTOSO_LEGACY}/registrations"),
            Value::Null,
        )
        .await;
    assert_eq!(reg.status, 202);
    s.advance(5).await;
    let status_path =
        format!("/v1/customers/{CONTOSO}/subscriptions/{CONTOSO_LEGACY}/registrationstatus");
    assert_eq!(s.get(&status_path).await.body["status"], "Registered");

    s.admin_put(
        "/_sandbox/knobs",
        json!({ "fulfillmentDelaySecs": 86400, "orderListDelaySecs": 86400, "registrationDelaySecs": 86400 }),
    )
    .await;
    let got = s.get(&format!("/v1/customers/{CONTOSO}/orders/{id}")).await;
    assert_eq!(got.body["status"], "completed", "still completed");
    assert!(entitled(&s, &id).await, "still an entitlement");
    let list = s.get(&format!("/v1/customers/{CONTOSO}/orders")).await;
    assert!(
        list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == id.as_str()),
        "still listed"
    );
    assert_eq!(s.get(&status_path).await.body["status"], "Registered");
    // The new delay applies to orders placed from now on.
    let co = buy(
        &s,
        json!([reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years")]),
    )
    .await;
    assert_eq!(co["orders"][0]["status"], "pending");
}

/// `reservoir sandbox serve` with the given args and environment; returns (child, endpoint).
fn serve(args: &[&str], env: &[(&str, &str)]) -> (std::process::Child, String) {
    let mut cmd = crate::support::reservoir();
    cmd.args(["sandbox", "serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let v: Value = serde_json::from_str(&line).unwrap();
    (child, v["endpoint"].as_str().unwrap().to_string())
}

fn knobs_of(endpoint: &str) -> Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        client()
            .get(format!("{endpoint}/_sandbox/knobs"))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    })
}

#[test]
fn serve_is_unthrottled_whatever_the_client_rate_limit_settings() {
    let (mut child, endpoint) = serve(
        &["--customer-rate-limit", "7", "--rate-limit", "9"],
        &[
            ("RESERVOIR_CUSTOMER_RATE_LIMIT", "5"),
            ("RESERVOIR_RATE_LIMIT", "5"),
        ],
    );
    let k = knobs_of(&endpoint);
    let _ = child.kill();
    let _ = child.wait();
    assert!(k["partnerRateLimit"].is_null(), "{k}");
    assert!(k["customerRateLimit"].is_null(), "{k}");
    assert!(k["fulfillmentDelaySecs"].as_u64().unwrap() > 0);

    let (mut child, endpoint) = serve(
        &["--partner-center-limits", "--throttle-customer", "50"],
        &[],
    );
    let k = knobs_of(&endpoint);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(k["partnerRateLimit"], 500);
    assert_eq!(
        k["customerRateLimit"], 50,
        "an explicit value wins over the preset"
    );
}

#[tokio::test]
async fn skus_have_availabilities_per_segment() {
    let s = start().await;
    let item = d2s(&s).await;
    let mut parts = item.split(':');
    let (p, k) = (parts.next().unwrap(), parts.next().unwrap());
    let base = format!("/v1/products/{p}/skus/{k}/availabilities?country=US");
    let all = s.get(&base).await.body["items"].as_array().unwrap().clone();
    let segments: Vec<&str> = all.iter().map(|a| a["segment"].as_str().unwrap()).collect();
    assert_eq!(
        segments,
        ["commercial", "education", "government"],
        "nonprofit only when asked"
    );
    let ids: std::collections::BTreeSet<&str> =
        all.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 3, "distinct availability ids");
    let np = s.get(&format!("{base}&targetSegment=nonprofit")).await;
    assert_eq!(np.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(np.body["items"][0]["segment"], "nonprofit");
    let edu = s.get(&format!("{base}&targetSegment=Education")).await;
    assert_eq!(edu.body["items"][0]["segment"], "education");
    // By id.
    let edu_id = edu.body["items"][0]["id"].as_str().unwrap();
    let one = s
        .get(&format!(
            "/v1/products/{p}/skus/{k}/availabilities/{edu_id}?country=US"
        ))
        .await;
    assert_eq!(one.body["segment"], "education");
    // Products and SKUs honour targetSegment too: no software for governments.
    let gov = s
        .get("/v1/products?country=US&targetView=SoftwarePerpetual&targetSegment=government")
        .await;
    assert_eq!(gov.body["items"], json!([]));
    let com = s
        .get("/v1/products?country=US&targetView=SoftwarePerpetual&targetSegment=commercial")
        .await;
    assert!(!com.body["items"].as_array().unwrap().is_empty());
    let skus = s
        .get("/v1/products/DG7GMGF0FLR0/skus?country=US&targetSegment=nonprofit")
        .await;
    assert_eq!(skus.body["items"], json!([]));
    // A commercial customer cannot buy the education availability.
    let edu_item = edu.body["items"][0]["catalogItemId"].as_str().unwrap();
    let cart = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": [reservation_line(0, edu_item, 1, "P3Y", CONTOSO_PLAN, "3Years")] }),
        )
        .await;
    assert!(cart.body["lineItems"][0]["error"].is_object());
    let before = s.order_count().await;
    let co = s
        .post(
            &format!(
                "/v1/customers/{CONTOSO}/carts/{}/checkout",
                cart.body["id"].as_str().unwrap()
            ),
            Value::Null,
        )
        .await;
    assert_eq!((co.status, co.body["code"].as_i64()), (403, Some(800020)));
    assert_eq!(s.order_count().await, before);
}

#[tokio::test]
async fn one_time_lines_share_an_order_group_and_recurring_ones_do_not() {
    let s = start_knobs(reservoir::sandbox::Knobs {
        order_list_delay_secs: 0,
        ..Default::default()
    })
    .await;
    let item = d2s(&s).await;
    let perpetual = s.software_item("US", "DG7GMGF0DWM3", "0002").await;
    let annual = s.software_item("US", "DG7GMGF0FLR0", "0002").await;
    let sku = s
        .get("/v1/products/DG7GMGF0FLR0/skus/0002?country=US")
        .await;
    assert_eq!(
        sku.body["supportedBillingCycles"],
        json!(["one_time", "annual"])
    );
    let co = buy(
        &s,
        json!([
            reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years"),
            { "id": 1, "catalogItemId": perpetual, "quantity": 1, "billingCycle": "one_time" },
            { "id": 2, "catalogItemId": annual, "quantity": 1, "billingCycle": "annual", "termDuration": "P1Y" },
        ]),
    )
    .await;
    let orders = co["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 2, "{co}");
    let one_time = orders
        .iter()
        .find(|o| o["billingCycle"] == "one_time")
        .unwrap();
    assert_eq!(one_time["lineItems"].as_array().unwrap().len(), 2);
    let yearly = orders
        .iter()
        .find(|o| o["billingCycle"] == "annual")
        .unwrap();
    assert_eq!(yearly["lineItems"][0]["offerId"], annual.as_str());
    let listed = s
        .get(&format!(
            "/v1/customers/{CONTOSO}/orders?billingType=Annual"
        ))
        .await;
    let ids: Vec<&Value> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| &o["id"])
        .collect();
    assert_eq!(ids, [&yearly["id"]]);
    // A cycle the SKU does not support is a line error.
    let cart = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": [{ "id": 0, "catalogItemId": perpetual, "quantity": 1, "billingCycle": "annual" }] }),
        )
        .await;
    assert_eq!(cart.body["lineItems"][0]["error"]["errorCode"], 10010);
}
