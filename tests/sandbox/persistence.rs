//! World files, the admin world API, and `reservoir sandbox serve`.

use super::common::*;
use reservoir::sandbox::WorldSource;
use serde_json::{Value, json};
use std::io::BufRead;

#[tokio::test]
async fn world_file_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let s = start_world(WorldSource::File(
        dir.path().join("sandbox").join("world.json"),
    ))
    .await;
    let path = format!("/v1/customers/{NORTHWIND}/subscriptions/{NORTHWIND_PLAN}");
    assert_eq!(
        s.post(&format!("{path}/registrations"), Value::Null)
            .await
            .status,
        202
    );
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
    s.sandbox.shutdown().await;

    let s = reservoir::sandbox::embedded(dir.path()).await.unwrap();
    let t = start_world(WorldSource::File(
        dir.path().join("sandbox").join("world.json"),
    ))
    .await;
    assert_ne!(
        t.get(&format!("{path}/registrationstatus")).await.body["status"],
        "NotRegistered"
    );
    assert_eq!(
        t.get(&format!("/v1/customers/{CONTOSO}/orders/{order_id}"))
            .await
            .status,
        200
    );
    s.shutdown().await;
    t.sandbox.shutdown().await;
}

#[tokio::test]
async fn world_can_be_dumped_and_replaced() {
    let s = start().await;
    let mut w = s.admin_get("/_sandbox/world").await;
    assert_eq!(w["customers"].as_object().unwrap().len(), 5);
    w["customers"].as_object_mut().unwrap().remove(TAILSPIN);
    s.admin_put("/_sandbox/world", w).await;
    assert_eq!(
        s.get(&format!("/v1/customers/{TAILSPIN}")).await.status,
        404
    );
    assert_eq!(s.get(&format!("/v1/customers/{CONTOSO}")).await.status, 200);
    assert_eq!(
        s.get(&format!("/v1/customers/{CONTOSO}/entitlements"))
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn serve_prints_one_json_line() {
    let mut child = crate::support::reservoir()
        .args([
            "sandbox",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--order-list-delay",
            "0",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let v: Value = serde_json::from_str(&line).unwrap();
    let endpoint = v["endpoint"].as_str().unwrap().to_string();
    assert!(endpoint.starts_with("http://127.0.0.1:"));
    assert_eq!(v["authority"], endpoint.as_str());
    assert_eq!(v["tenant_id"], "5e1c0a42-7f3b-4d9e-8c21-000000000001");
    assert_eq!(v["client_id"], "6f2d1b53-8a4c-4e0f-9d32-000000000002");
    assert_eq!(v["client_secret"], "sandbox-demo-client-secret");
    assert_eq!(v["refresh_token"], "sandbox-demo-refresh-token");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        let http = client();
        let r = http
            .post(format!(
                "{endpoint}/{}/oauth2/token",
                v["tenant_id"].as_str().unwrap()
            ))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", v["client_id"].as_str().unwrap()),
                ("client_secret", v["client_secret"].as_str().unwrap()),
            ])
            .send()
            .await
            .unwrap();
        r.status().as_u16()
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn holdings_can_be_added_through_the_admin_api() {
    let s = start().await;
    let item = s
        .reservation_item(
            "DE",
            "AzureReservationsVM",
            "Standard_E8s_v5",
            "germanywestcentral",
            "3Years",
            true,
        )
        .await;
    let order = s
        .admin_post(
            "/_sandbox/holdings",
            json!({ "customerId": NORTHWIND, "catalogItemId": item, "quantity": 3,
                    "provisioningContext": { "subscriptionId": "e7a9c1d3-5f7b-4c9d-b1e3-4a6b8c0d2e15", "scope": "shared", "duration": "3Years" } }),
        )
        .await;
    assert_eq!(order["lineItems"][0]["termDuration"], "P3Y");
    let list = s.get(&format!("/v1/customers/{NORTHWIND}/orders")).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    let ents = s
        .get(&format!(
            "/v1/customers/{NORTHWIND}/entitlements?entitlementType=reservedInstance"
        ))
        .await;
    assert_eq!(ents.body["items"][0]["quantity"], 3);
    assert_eq!(ents.body["items"][0]["referenceOrder"]["id"], order["id"]);
}
