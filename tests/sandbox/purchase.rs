//! Carts, checkout, orders and entitlements.

use super::common::*;
use serde_json::{Value, json};

async fn d2s_item(s: &Sbx) -> String {
    s.reservation_item(
        "US",
        "AzureReservationsVM",
        "Standard_D4s_v5",
        "westus2",
        "3Years",
        false,
    )
    .await
}

#[tokio::test]
async fn cart_lines_carry_errors_and_order_groups() {
    let s = start().await;
    let item = d2s_item(&s).await;
    let legacy_item = s
        .reservation_item(
            "US",
            "AzureReservationsVM",
            "Standard_D4s_v5",
            "westus2",
            "3Years",
            true,
        )
        .await;
    let sw = s.software_item("US", "DG7GMGF0DWM3", "0002").await;
    // PascalCase property names are accepted.
    let body = json!({ "LineItems": [
        { "Id": 0, "CatalogItemId": item, "Quantity": 2, "BillingCycle": "one_time", "TermDuration": "P3Y",
          "ProvisioningContext": { "subscriptionId": CONTOSO_PLAN, "scope": "shared", "duration": "3Years" } },
        { "id": 1, "catalogItemId": sw, "quantity": 3, "billingCycle": "one_time" },
        { "id": 2, "catalogItemId": "NOPE:0001:NOPE", "quantity": 1, "billingCycle": "one_time" },
        reservation_line(3, &legacy_item, 1, "P3Y", CONTOSO_LEGACY, "3Years"),
        reservation_line(4, &item, 0, "P3Y", CONTOSO_PLAN, "3Years"),
        reservation_line(5, &item, 1, "P3Y", CONTOSO_LEGACY, "3Years"),
    ]});
    let r = s
        .post(&format!("/v1/customers/{CONTOSO}/carts"), body)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let lines = r.body["lineItems"].as_array().unwrap();
    assert!(lines[0]["error"].is_null());
    assert!(lines[1]["error"].is_null());
    // One-time lines (a reservation and perpetual software) share an order group.
    assert_eq!(lines[0]["orderGroup"], lines[1]["orderGroup"]);
    assert_eq!(lines[0]["currencyCode"], "USD");
    assert_eq!(lines[2]["error"]["errorCode"], 10001);
    assert_eq!(lines[3]["error"]["errorCode"], 10011);
    assert_eq!(lines[4]["error"]["errorCode"], 10010);
    assert_eq!(lines[5]["error"]["errorCode"], 10007);
    assert_eq!(r.body["status"], "Active");
    assert_eq!(r.body["attributes"]["objectType"], "Cart");
    let created =
        chrono::DateTime::parse_from_rfc3339(r.body["creationTimestamp"].as_str().unwrap())
            .unwrap();
    let expires =
        chrono::DateTime::parse_from_rfc3339(r.body["expirationTimestamp"].as_str().unwrap())
            .unwrap();
    assert_eq!((expires - created).num_days(), 7);

    // A cart with bad lines cannot be checked out.
    let id = r.body["id"].as_str().unwrap();
    let co = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts/{id}/checkout"),
            Value::Null,
        )
        .await;
    assert_eq!(co.status, 400);
    assert_eq!(co.body["code"], 800009);

    // Suspended subscription, inventory restriction.
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
    let r = s.post(&format!("/v1/customers/{FABRIKAM}/carts"), json!({ "lineItems": [reservation_line(0, &fab, 1, "P1Y", FABRIKAM_SUSPENDED, "1Year")] })).await;
    assert_eq!(r.body["lineItems"][0]["error"]["errorCode"], 10007);
    let nc = s
        .reservation_item(
            "JP",
            "AzureReservationsVM",
            "Standard_NC6s_v3",
            "japanwest",
            "1Year",
            false,
        )
        .await;
    let r = s
        .post(
            &format!("/v1/customers/{ADATUM}/carts"),
            json!({ "lineItems": [reservation_line(0, &nc, 1, "P1Y", ADATUM_PLAN, "1Year")] }),
        )
        .await;
    assert_eq!(r.body["lineItems"][0]["error"]["errorCode"], 10003);
    assert_eq!(r.body["lineItems"][0]["currencyCode"], "JPY");
}

#[tokio::test]
async fn update_then_checkout_places_orders_once() {
    let s = start_instant().await;
    let item = d2s_item(&s).await;
    let sw = s.software_item("US", "DG7GMGF0FLR0", "0002").await;
    let cart = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": [reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years")] }),
        )
        .await;
    let id = cart.body["id"].as_str().unwrap().to_string();
    let got = s.get(&format!("/v1/customers/{CONTOSO}/carts/{id}")).await;
    assert_eq!(got.status, 200);
    let mut edited = got.body.clone();
    edited["lineItems"] = json!([reservation_line(0, &item, 3, "P3Y", CONTOSO_PLAN, "3Years"), { "id": 1, "catalogItemId": sw, "quantity": 2, "billingCycle": "annual", "termDuration": "P1Y" }]);
    let put = s
        .put(&format!("/v1/customers/{CONTOSO}/carts/{id}"), edited)
        .await;
    assert_eq!(put.status, 201, "{}", put.body);
    assert_eq!(put.body["lineItems"].as_array().unwrap().len(), 2);

    let before = s.order_count().await;
    let co = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts/{id}/checkout"),
            Value::Null,
        )
        .await;
    assert_eq!(co.status, 201, "{}", co.body);
    let orders = co.body["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 2, "one order per order group");
    assert_eq!(co.body["orderErrors"], json!([]));
    let ri = orders
        .iter()
        .find(|o| o["lineItems"][0]["offerId"] == item.as_str())
        .unwrap();
    assert_eq!(ri["lineItems"][0]["termDuration"], "P3Y");
    assert_eq!(ri["lineItems"][0]["quantity"], 3);
    assert_eq!(
        ri["lineItems"][0]["provisioningContext"]["subscriptionId"],
        CONTOSO_PLAN
    );
    assert_eq!(ri["status"], "completed");
    assert_eq!(ri["billingCycle"], "one_time");
    assert_eq!(s.order_count().await, before + 2);

    // Checkout again: the first result, nothing new.
    let again = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts/{id}/checkout"),
            Value::Null,
        )
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, co.body);
    assert_eq!(s.order_count().await, before + 2);
    assert_eq!(
        s.get(&format!("/v1/customers/{CONTOSO}/carts/{id}"))
            .await
            .body["status"],
        "Ordered"
    );
    // An ordered cart cannot be edited.
    let put = s
        .put(
            &format!("/v1/customers/{CONTOSO}/carts/{id}"),
            json!({ "lineItems": [reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years")] }),
        )
        .await;
    assert_eq!(put.body["code"], 800065);
}

#[tokio::test]
async fn a_repeated_request_id_replays_the_first_response() {
    let s = start().await;
    let item = d2s_item(&s).await;
    let body =
        json!({ "lineItems": [reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years")] });
    let a = s
        .post_with_id(
            &format!("/v1/customers/{CONTOSO}/carts"),
            body.clone(),
            "rid-cart-1",
        )
        .await;
    let b = s
        .post_with_id(
            &format!("/v1/customers/{CONTOSO}/carts"),
            body.clone(),
            "rid-cart-1",
        )
        .await;
    assert_eq!(a.status, 201);
    assert_eq!(a.body["id"], b.body["id"]);
    let c = s
        .post_with_id(
            &format!("/v1/customers/{CONTOSO}/carts"),
            body,
            "rid-cart-2",
        )
        .await;
    assert_ne!(a.body["id"], c.body["id"]);
    let before = s.order_count().await;
    let path = format!(
        "/v1/customers/{CONTOSO}/carts/{}/checkout",
        a.body["id"].as_str().unwrap()
    );
    let x = s.post_with_id(&path, Value::Null, "rid-co").await;
    let y = s.post_with_id(&path, Value::Null, "rid-co").await;
    assert_eq!(x.status, 201);
    assert_eq!(x.body, y.body);
    assert_eq!(s.order_count().await, before + 1);
}

#[tokio::test]
async fn orders_show_in_the_list_only_after_the_delay() {
    let s = start().await;
    let item = d2s_item(&s).await;
    let cart = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": [reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years")] }),
        )
        .await;
    let co = s
        .post(
            &format!(
                "/v1/customers/{CONTOSO}/carts/{}/checkout",
                cart.body["id"].as_str().unwrap()
            ),
            Value::Null,
        )
        .await;
    let order_id = co.body["orders"][0]["id"].as_str().unwrap().to_string();
    let by_id = s
        .get(&format!("/v1/customers/{CONTOSO}/orders/{order_id}"))
        .await;
    assert_eq!(by_id.status, 200);
    assert_eq!(by_id.body["id"], order_id.as_str());
    let ids = |r: &Resp| {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let list = s.get(&format!("/v1/customers/{CONTOSO}/orders")).await;
    assert_eq!(ids(&list).len(), 2, "the two demo orders only");
    assert!(!ids(&list).contains(&order_id));
    s.advance(15 * 60).await;
    for bt in ["OneTime", "onetime", "one_time", "4", "ONETIME"] {
        let list = s
            .get(&format!("/v1/customers/{CONTOSO}/orders?billingType={bt}"))
            .await;
        assert!(ids(&list).contains(&order_id), "{bt}");
    }
    assert!(
        ids(&s
            .get(&format!(
                "/v1/customers/{CONTOSO}/orders?billingType=Monthly"
            ))
            .await)
        .is_empty()
    );
    let ps = s
        .get(&format!(
            "/v1/customers/{CONTOSO}/orders/{order_id}/provisioningstatus"
        ))
        .await;
    assert_eq!(ps.body["items"][0]["status"], "fulfilled");
}

#[tokio::test]
async fn entitlements_cover_demo_holdings_and_new_orders() {
    let s = start_instant().await;
    let ents = s
        .get(&format!("/v1/customers/{CONTOSO}/entitlements"))
        .await;
    let items = ents.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let ri = s
        .get(&format!(
            "/v1/customers/{CONTOSO}/entitlements?entitlementType=reservedInstance&showExpiry=true"
        ))
        .await;
    let e = &ri.body["items"][0];
    assert_eq!(e["entitlementType"], "reservedinstance");
    assert_eq!(e["quantity"], 2);
    assert!(e["expiryDate"].is_string());
    let art = &e["entitledArtifacts"][0];
    assert_eq!(art["artifactType"], "reservedinstance");
    let roid = art["resourceId"].as_str().unwrap();
    let details = s
        .get(&format!("/v1{}", art["link"]["uri"].as_str().unwrap()))
        .await;
    assert_eq!(details.status, 200);
    assert_eq!(details.body["reservations"][0]["scopeType"], "Shared");
    assert_eq!(details.body["reservations"][0]["quantity"], 2);
    let order = s
        .get(&format!(
            "/v1/customers/{CONTOSO}/orders/{}",
            e["referenceOrder"]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        order.body["lineItems"][0]["provisioningContext"]["subscriptionId"],
        CONTOSO_PLAN
    );
    assert!(!roid.is_empty());
    let sw = s
        .get(&format!(
            "/v1/customers/{CONTOSO}/entitlements?entitlementtype=software"
        ))
        .await;
    assert_eq!(sw.body["items"][0]["quantity"], 5);
    assert_eq!(sw.body["items"][0]["productId"], "DG7GMGF0DWM3");

    // A new purchase adds an entitlement at once.
    let item = d2s_item(&s).await;
    let cart = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": [reservation_line(0, &item, 4, "P3Y", CONTOSO_PLAN, "3Years")] }),
        )
        .await;
    let co = s
        .post(
            &format!(
                "/v1/customers/{CONTOSO}/carts/{}/checkout",
                cart.body["id"].as_str().unwrap()
            ),
            Value::Null,
        )
        .await;
    let oid = co.body["orders"][0]["id"].as_str().unwrap();
    let ents = s
        .get(&format!(
            "/v1/customers/{CONTOSO}/entitlements?entitlementType=reservedinstance"
        ))
        .await;
    let new = ents.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["referenceOrder"]["id"] == oid)
        .expect("new entitlement");
    assert_eq!(new["quantity"], 4);
    assert_eq!(new["referenceOrder"]["lineItemId"], "0");
}

#[tokio::test]
async fn unavailable_market_purchase_fails_with_800070() {
    let s = start().await;
    let item = s
        .reservation_item(
            "US",
            "AzureReservationsVM",
            "Standard_D2s_v5",
            "westeurope",
            "1Year",
            false,
        )
        .await;
    let r = s
        .post(
            &format!("/v1/customers/{TAILSPIN}/carts"),
            json!({ "lineItems": [reservation_line(0, &item, 1, "P1Y", TAILSPIN_PLAN, "1Year")] }),
        )
        .await;
    assert_eq!(r.status, 201);
    assert!(
        r.body["lineItems"][0]["error"]["errorDescription"]
            .as_str()
            .unwrap()
            .contains("country/region")
    );
    let co = s
        .post(
            &format!(
                "/v1/customers/{TAILSPIN}/carts/{}/checkout",
                r.body["id"].as_str().unwrap()
            ),
            Value::Null,
        )
        .await;
    assert_eq!(co.status, 400);
    assert_eq!(co.body["code"], 800070);
}

#[tokio::test]
async fn a_failing_order_group_gives_orders_and_order_errors() {
    let s = start().await;
    let item = d2s_item(&s).await;
    // An annual software subscription goes to another order group than the reservation.
    let sw = s.software_item("US", "DG7GMGF0FLR0", "0002").await;
    s.fault(json!({ "kind": "fail_order_group", "catalogItem": "DG7GMGF0FLR0:0002", "code": 800017, "count": 1 })).await;
    let cart = s.post(&format!("/v1/customers/{CONTOSO}/carts"), json!({ "lineItems": [reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years"), { "id": 1, "catalogItemId": sw, "quantity": 1, "billingCycle": "annual", "termDuration": "P1Y" }] })).await;
    let sw_group = cart.body["lineItems"][1]["orderGroup"].clone();
    let co = s
        .post(
            &format!(
                "/v1/customers/{CONTOSO}/carts/{}/checkout",
                cart.body["id"].as_str().unwrap()
            ),
            Value::Null,
        )
        .await;
    assert_eq!(co.status, 201);
    assert_eq!(co.body["orders"].as_array().unwrap().len(), 1);
    assert_eq!(co.body["orderErrors"][0]["code"], 800017);
    assert_eq!(co.body["orderErrors"][0]["orderGroupId"], sw_group);
}

#[tokio::test]
async fn rotated_availability_fails_checkout_with_400019() {
    let s = start().await;
    let item = d2s_item(&s).await;
    let cart = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": [reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years")] }),
        )
        .await;
    let product = item.split(':').next().unwrap();
    s.admin_post(
        "/_sandbox/availabilities/rotate",
        json!({ "productId": product }),
    )
    .await;
    let co = s
        .post(
            &format!(
                "/v1/customers/{CONTOSO}/carts/{}/checkout",
                cart.body["id"].as_str().unwrap()
            ),
            Value::Null,
        )
        .await;
    assert_eq!(co.status, 404);
    assert_eq!(co.body["code"], 400019);
    let fresh = d2s_item(&s).await;
    assert_ne!(fresh, item);
}

#[tokio::test]
async fn carts_expire_after_seven_days() {
    let s = start().await;
    let item = d2s_item(&s).await;
    let cart = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": [reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years")] }),
        )
        .await;
    s.advance(8 * 24 * 3600).await;
    let co = s
        .post(
            &format!(
                "/v1/customers/{CONTOSO}/carts/{}/checkout",
                cart.body["id"].as_str().unwrap()
            ),
            Value::Null,
        )
        .await;
    assert_eq!(co.status, 400);
    assert!(co.body["description"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn orders_stay_pending_during_the_fulfillment_delay() {
    let s = start_knobs(reservoir::sandbox::Knobs {
        fulfillment_delay_secs: 120,
        ..Default::default()
    })
    .await;
    let item = d2s_item(&s).await;
    let cart = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": [reservation_line(0, &item, 1, "P3Y", CONTOSO_PLAN, "3Years")] }),
        )
        .await;
    let co = s
        .post(
            &format!(
                "/v1/customers/{CONTOSO}/carts/{}/checkout",
                cart.body["id"].as_str().unwrap()
            ),
            Value::Null,
        )
        .await;
    assert_eq!(co.body["orders"][0]["status"], "pending");
    let oid = co.body["orders"][0]["id"].as_str().unwrap().to_string();
    let count = |r: &Resp| r.body["items"].as_array().unwrap().len();
    let ents = format!("/v1/customers/{CONTOSO}/entitlements?entitlementType=reservedInstance");
    assert_eq!(count(&s.get(&ents).await), 1, "only the demo holding");
    assert_eq!(
        s.get(&format!(
            "/v1/customers/{CONTOSO}/orders/{oid}/provisioningstatus"
        ))
        .await
        .body["items"][0]["status"],
        "PrefulfillmentPending"
    );
    s.advance(121).await;
    assert_eq!(
        s.get(&format!("/v1/customers/{CONTOSO}/orders/{oid}"))
            .await
            .body["status"],
        "completed"
    );
    assert_eq!(count(&s.get(&ents).await), 2);
}

#[tokio::test]
async fn customer_scoped_catalog_takes_the_country_from_the_customer() {
    let s = start().await;
    let products = s.get(&format!("/v1/customers/{FABRIKAM}/products?targetView=AzureReservationsSQL&reservationScope=AzurePlan")).await;
    let pid = products.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let skus = s
        .get(&format!(
            "/v1/customers/{FABRIKAM}/products/{pid}/skus?reservationScope=AzurePlan"
        ))
        .await;
    assert_eq!(skus.status, 200);
    let sid = skus.body["items"][0]["id"].as_str().unwrap().to_string();
    let av = s
        .get(&format!(
            "/v1/customers/{FABRIKAM}/products/{pid}/skus/{sid}/availabilities"
        ))
        .await;
    assert_eq!(av.body["items"][0]["country"], "GB");
    assert_eq!(av.body["items"][0]["defaultCurrency"]["code"], "GBP");
}
