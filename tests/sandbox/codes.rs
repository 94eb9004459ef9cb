//! Fidelity, round two (issue 17 items 6–9): checkout concurrency and repeat codes, inactive
//! and non-Azure subscriptions, quantity bounds, `pending_po_upload`, InventoryCheck on every
//! reservation SKU, the retired Graph audience, provisioning-status and entitlement shapes.

use super::common::*;
use reservoir::sandbox::Knobs;
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

async fn cart_for(s: &Sbx, customer: &str, lines: Value) -> Value {
    let r = s
        .post(
            &format!("/v1/customers/{customer}/carts"),
            json!({ "lineItems": lines }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

fn checkout_path(customer: &str, cart: &Value) -> String {
    format!(
        "/v1/customers/{customer}/carts/{}/checkout",
        cart["id"].as_str().unwrap()
    )
}

#[tokio::test]
async fn a_concurrent_checkout_of_the_same_cart_gets_409_800064() {
    let s = start_knobs(Knobs {
        checkout_processing_ms: 800,
        ..Knobs::default()
    })
    .await;
    let item = d2s(&s).await;
    let cart = cart_for(
        &s,
        CONTOSO,
        json!([reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years")]),
    )
    .await;
    let path = checkout_path(CONTOSO, &cart);
    let before = s.order_count().await;
    let (a, b) = tokio::join!(s.post(&path, Value::Null), async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        s.post(&path, Value::Null).await
    });
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!((b.status, b.body["code"].as_i64()), (409, Some(800064)));
    assert_eq!(s.order_count().await, before + 1);
    // Once processed, a checkout again answers the first result.
    let again = s.post(&path, Value::Null).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body["orders"][0]["id"], a.body["orders"][0]["id"]);
}

#[tokio::test]
async fn a_second_checkout_can_answer_400_800065() {
    let s = start_knobs(Knobs {
        repeat_checkout_fails: true,
        ..Knobs::default()
    })
    .await;
    let item = d2s(&s).await;
    let cart = cart_for(
        &s,
        CONTOSO,
        json!([reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years")]),
    )
    .await;
    let path = checkout_path(CONTOSO, &cart);
    assert_eq!(s.post(&path, Value::Null).await.status, 201);
    let before = s.order_count().await;
    let again = s.post(&path, Value::Null).await;
    assert_eq!(
        (again.status, again.body["code"].as_i64()),
        (400, Some(800065))
    );
    assert_eq!(s.order_count().await, before);
}

#[tokio::test]
async fn inactive_and_non_azure_subscriptions_fail_with_their_codes() {
    let s = start().await;
    let fab = s
        .reservation_item(
            "GB",
            "AzureReservationsVM",
            "Standard_D2s_v5",
            "uksouth",
            "1Year",
            false,
        )
        .await;
    let cart = cart_for(
        &s,
        FABRIKAM,
        json!([reservation_line(
            0,
            &fab,
            1,
            "P1Y",
            FABRIKAM_SUSPENDED,
            "1Year"
        )]),
    )
    .await;
    assert_eq!(cart["lineItems"][0]["error"]["errorCode"], 10007);
    let co = s.post(&checkout_path(FABRIKAM, &cart), Value::Null).await;
    assert_eq!((co.status, co.body["code"].as_i64()), (400, Some(800012)));

    let m365 = s
        .admin_post(
            "/_sandbox/subscriptions",
            json!({ "customerId": CONTOSO, "kind": "nonAzure" }),
        )
        .await["subscriptionId"]
        .as_str()
        .unwrap()
        .to_string();
    let listed = s
        .get(&format!("/v1/customers/{CONTOSO}/subscriptions/{m365}"))
        .await;
    assert_eq!(listed.body["billingType"], "license");
    let reg = s
        .post(
            &format!("/v1/customers/{CONTOSO}/subscriptions/{m365}/registrations"),
            Value::Null,
        )
        .await;
    assert_eq!((reg.status, reg.body["code"].as_i64()), (400, Some(800011)));
    let item = d2s(&s).await;
    let cart = cart_for(
        &s,
        CONTOSO,
        json!([reservation_line(0, &item, 1, "P3Y", &m365, "3Years")]),
    )
    .await;
    let before = s.order_count().await;
    let co = s.post(&checkout_path(CONTOSO, &cart), Value::Null).await;
    assert_eq!((co.status, co.body["code"].as_i64()), (400, Some(800011)));
    assert_eq!(s.order_count().await, before);
}

#[tokio::test]
async fn quantities_outside_the_sku_bounds_are_refused() {
    let s = start().await;
    let sw = s.software_item("US", "DG7GMGF0DWM3", "0002").await;
    let sku = s
        .get("/v1/products/DG7GMGF0DWM3/skus/0002?country=US")
        .await;
    let max = sku.body["maximumQuantity"].as_i64().unwrap();
    let neg = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": [{ "id": 0, "catalogItemId": sw, "quantity": -2, "billingCycle": "one_time" }] }),
        )
        .await;
    assert_eq!(neg.status, 400, "{}", neg.body);
    let text = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": [{ "id": 0, "catalogItemId": sw, "quantity": "lots", "billingCycle": "one_time" }] }),
        )
        .await;
    assert_eq!(text.status, 400);
    let cart = cart_for(
        &s,
        CONTOSO,
        json!([{ "id": 0, "catalogItemId": sw, "quantity": max + 1, "billingCycle": "one_time" }]),
    )
    .await;
    assert_eq!(cart["lineItems"][0]["error"]["errorCode"], 10010);
    let co = s.post(&checkout_path(CONTOSO, &cart), Value::Null).await;
    assert_eq!(co.status, 400);
}

#[tokio::test]
async fn orders_can_be_held_for_a_purchase_order_upload() {
    let s = start_knobs(Knobs {
        pending_po_upload: true,
        order_list_delay_secs: 0,
        ..Knobs::default()
    })
    .await;
    let item = d2s(&s).await;
    let cart = cart_for(
        &s,
        CONTOSO,
        json!([reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years")]),
    )
    .await;
    let co = s.post(&checkout_path(CONTOSO, &cart), Value::Null).await;
    let id = co.body["orders"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(co.body["orders"][0]["status"], "pending_po_upload");
    s.advance(86_400).await;
    let got = s.get(&format!("/v1/customers/{CONTOSO}/orders/{id}")).await;
    assert_eq!(
        got.body["status"], "pending_po_upload",
        "held, never fulfilled"
    );
    let ents = s
        .get(&format!("/v1/customers/{CONTOSO}/entitlements"))
        .await;
    assert!(
        !ents.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["referenceOrder"]["id"] == id.as_str())
    );
}

#[tokio::test]
async fn every_reservation_sku_asks_for_an_inventory_check() {
    let s = start().await;
    let products = s
        .get("/v1/products?country=US&targetView=AzureReservations&reservationScope=AzurePlan")
        .await;
    let mut skus = 0;
    for p in products.body["items"].as_array().unwrap() {
        let id = p["id"].as_str().unwrap();
        let list = s
            .get(&format!(
                "/v1/products/{id}/skus?country=US&reservationScope=AzurePlan"
            ))
            .await;
        for sku in list.body["items"].as_array().unwrap() {
            skus += 1;
            let pre = sku["purchasePrerequisites"].as_array().unwrap();
            assert!(pre.contains(&json!("InventoryCheck")), "{}", sku["id"]);
            assert_eq!(
                sku["inventoryVariables"],
                json!(["CustomerId", "AzureSubscriptionId", "ArmRegionName"])
            );
        }
    }
    assert!(skus > 100);
    // Restrictions stay limited to the documented case.
    let item = d2s(&s).await;
    let product = item.split(':').next().unwrap();
    let r = s
        .post(
            "/v1/extensions/product/checkinventory?country=JP",
            json!({ "targetItems": [{ "productId": product }],
                    "inventoryContext": { "customerId": ADATUM, "azureSubscriptionId": ADATUM_PLAN, "armRegionName": "japanwest" } }),
        )
        .await;
    assert!(
        r.body
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["isRestricted"] == false)
    );
}

#[tokio::test]
async fn the_graph_audience_is_refused() {
    let s = start().await;
    let c = s.sandbox.credentials();
    let r = s
        .send(
            s.http
                .post(s.url(&format!("/{}/oauth2/token", c.tenant_id)))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", c.client_id.as_str()),
                    ("client_secret", c.client_secret.as_str()),
                    ("resource", "https://graph.windows.net"),
                ]),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"], "invalid_resource");
    assert!(r.body.get("access_token").is_none());
}

#[tokio::test]
async fn provisioning_status_and_software_entitlements_have_the_documented_shapes() {
    let s = start_instant().await;
    let item = d2s(&s).await;
    let datacenter = s.software_item("US", "DG7GMGF0DWM3", "0003").await;
    let sub = s.software_item("US", "DG7GMGF0FLR0", "0002").await;
    let cart = cart_for(
        &s,
        CONTOSO,
        json!([
            reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years"),
            { "id": 1, "catalogItemId": datacenter, "quantity": 4, "billingCycle": "one_time" },
            { "id": 2, "catalogItemId": sub, "quantity": 2, "billingCycle": "one_time", "termDuration": "P1Y" },
        ]),
    )
    .await;
    let co = s.post(&checkout_path(CONTOSO, &cart), Value::Null).await;
    let oid = co.body["orders"][0]["id"].as_str().unwrap();
    let ps = s
        .get(&format!(
            "/v1/customers/{CONTOSO}/orders/{oid}/provisioningstatus"
        ))
        .await;
    for line in ps.body["items"].as_array().unwrap() {
        assert!(line["orderLineItemId"].is_i64(), "{line}");
    }
    let ents = s
        .get(&format!(
            "/v1/customers/{CONTOSO}/entitlements?entitlementType=software"
        ))
        .await;
    let items = ents.body["items"].as_array().unwrap();
    let dc = items
        .iter()
        .find(|e| e["skuId"] == "0003" && e["referenceOrder"]["id"] == oid)
        .unwrap();
    let nested = dc["includedEntitlements"].as_array().unwrap();
    assert_eq!(nested.len(), 1);
    assert_eq!(nested[0]["skuId"], "0002");
    assert_eq!(nested[0]["quantity"], 4);
    let subscription = items
        .iter()
        .find(|e| e["productId"] == "DG7GMGF0FLR0" && e["referenceOrder"]["id"] == oid)
        .unwrap();
    assert!(
        subscription["expiryDate"].is_string(),
        "without showExpiry too"
    );
}
