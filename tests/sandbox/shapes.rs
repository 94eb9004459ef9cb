//! The "documented shapes" knob (issue 17 item 10): answers in the shapes the documentation
//! shows — zone-less timestamps, numeric strings, PascalCase provisioning-context keys, `code` as
//! a string, comma-joined echoed ids, `0001-01-01T00:00:00`.

use super::common::*;
use reservoir::sandbox::Knobs;
use serde_json::{Value, json};

#[tokio::test]
async fn documented_shapes_mode_answers_as_the_documentation_shows() {
    let s = start_knobs(Knobs {
        documented_shapes: true,
        fulfillment_delay_secs: 0,
        ..Knobs::default()
    })
    .await;
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
    let sw = s.software_item("US", "DG7GMGF0DWM3", "0002").await;
    let cart = s
        .post_with_id(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": [reservation_line(0, &item, 2, "P1Y", CONTOSO_PLAN, "1Year"),
                                  { "id": 1, "catalogItemId": sw, "quantity": 3, "billingCycle": "one_time" }] }),
            "11111111-2222-4333-8444-555555555555",
        )
        .await;
    assert_eq!(
        cart.header("ms-requestid").as_deref(),
        Some("11111111-2222-4333-8444-555555555555,11111111-2222-4333-8444-555555555555")
    );
    let created = cart.body["creationTimestamp"].as_str().unwrap();
    assert!(!created.ends_with('Z') && created.len() >= 19, "{created}");
    assert!(chrono::NaiveDateTime::parse_from_str(created, "%Y-%m-%dT%H:%M:%S%.f").is_ok());
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
    let ps = s
        .get(&format!(
            "/v1/customers/{CONTOSO}/orders/{oid}/provisioningstatus"
        ))
        .await;
    assert!(
        ps.body["items"][0]["orderLineItemId"].is_i64(),
        "{}",
        ps.body
    );
    let line = &co.body["orders"][0]["lineItems"][0];
    assert_eq!(line["provisioningContext"]["SubscriptionId"], CONTOSO_PLAN);
    assert!(line["provisioningContext"].get("subscriptionId").is_none());

    // Error codes: a string on a refused write, a number on a refused read.
    let bad = s
        .post(
            &format!("/v1/customers/{CONTOSO}/carts"),
            json!({ "lineItems": [] }),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["code"], "800002");
    let missing = s
        .get("/v1/customers/00000000-0000-4000-8000-00000000dead")
        .await;
    assert!(missing.body["code"].is_i64(), "{}", missing.body);

    // OneTime invoice line items mix numeric strings and numbers.
    let inv = s.get("/v1/invoices?size=10&offset=0").await;
    let mut items = vec![];
    for i in inv.body["items"].as_array().unwrap() {
        let id = i["id"].as_str().unwrap();
        let lines = s
            .get(&format!(
                "/v1/invoices/{id}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&size=200"
            ))
            .await;
        items.extend(lines.body["items"].as_array().cloned().unwrap_or_default());
    }
    assert!(!items.is_empty());
    assert!(
        items.iter().all(|i| i["quantity"].is_string()),
        "{}",
        items[0]
    );
    assert!(
        items
            .iter()
            .any(|i| i.as_object().unwrap().values().any(Value::is_number))
    );

    // Perpetual software "never" expires, as .NET writes it.
    let ents = s
        .get(&format!(
            "/v1/customers/{CONTOSO}/entitlements?entitlementType=software&showExpiry=true"
        ))
        .await;
    assert!(
        ents.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["expiryDate"] == "0001-01-01T00:00:00"),
        "{}",
        ents.body
    );
}
