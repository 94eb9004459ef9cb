//! Customers, subscriptions and registration.

use super::common::*;
use serde_json::Value;

#[tokio::test]
async fn customer_list_pages_with_continuation_tokens() {
    let s = start().await;
    let mut ids = vec![];
    let mut r = s.get("/v1/customers?size=2").await;
    loop {
        assert_eq!(r.status, 200);
        for c in r.body["items"].as_array().unwrap() {
            assert!(c["companyProfile"]["companyName"].is_string());
            assert!(c["billingProfile"]["defaultAddress"]["country"].is_string());
            ids.push(c["id"].as_str().unwrap().to_string());
        }
        let Some(next) = r.body["links"].get("next").cloned() else {
            break;
        };
        assert_eq!(r.body["continuationToken"], next["headers"][0]["value"]);
        let mut req = s
            .http
            .get(s.url(&format!("/v1{}", next["uri"].as_str().unwrap())))
            .bearer_auth(&s.app_user);
        for h in next["headers"].as_array().unwrap() {
            req = req.header(h["key"].as_str().unwrap(), h["value"].as_str().unwrap());
        }
        r = s.send(req).await;
    }
    ids.sort();
    let mut want = vec![CONTOSO, FABRIKAM, NORTHWIND, ADATUM, TAILSPIN];
    want.sort();
    assert_eq!(ids, want);
}

#[tokio::test]
async fn customer_and_subscriptions_have_the_documented_shape() {
    let s = start().await;
    let c = s.get(&format!("/v1/customers/{TAILSPIN}")).await;
    assert_eq!(c.status, 200);
    assert_eq!(c.body["billingProfile"]["defaultAddress"]["country"], "RU");
    assert_eq!(c.body["attributes"]["objectType"], "Customer");
    assert_eq!(
        s.get("/v1/customers/00000000-0000-0000-0000-000000000000")
            .await
            .status,
        404
    );

    let subs = s
        .get(&format!("/v1/customers/{CONTOSO}/subscriptions"))
        .await;
    let items = subs.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let legacy = items.iter().find(|x| x["id"] == CONTOSO_LEGACY).unwrap();
    assert_eq!(legacy["offerId"], "MS-AZR-0145P");
    let plan = s
        .get(&format!(
            "/v1/customers/{CONTOSO}/subscriptions/{CONTOSO_PLAN}"
        ))
        .await;
    assert!(
        plan.body["offerId"]
            .as_str()
            .unwrap()
            .starts_with("DZH318Z0BPS6:0001:")
    );
    assert_eq!(plan.body["status"], "active");
    let suspended = s
        .get(&format!(
            "/v1/customers/{FABRIKAM}/subscriptions/{FABRIKAM_SUSPENDED}"
        ))
        .await;
    assert_eq!(suspended.body["status"], "suspended");
}

#[tokio::test]
async fn registration_completes_after_the_delay() {
    let s = start().await;
    let status_path =
        format!("/v1/customers/{NORTHWIND}/subscriptions/{NORTHWIND_PLAN}/registrationstatus");
    assert_eq!(s.get(&status_path).await.body["status"], "NotRegistered");
    let r = s
        .post(
            &format!("/v1/customers/{NORTHWIND}/subscriptions/{NORTHWIND_PLAN}/registrations"),
            Value::Null,
        )
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(r.body, Value::Null);
    let location = r.header("location").unwrap();
    assert_eq!(
        location,
        format!("/customers/{NORTHWIND}/subscriptions/{NORTHWIND_PLAN}/registrationstatus")
    );
    let st = s.get(&format!("/v1{location}")).await;
    assert_eq!(st.body["status"], "Registering");
    assert_eq!(
        st.body["attributes"]["objectType"],
        "SubscriptionRegistrationStatus"
    );
    s.advance(60).await;
    assert_eq!(s.get(&status_path).await.body["status"], "Registered");
    // Registering again answers 202 with the same Location.
    let again = s
        .post(
            &format!("/v1/customers/{NORTHWIND}/subscriptions/{NORTHWIND_PLAN}/registrations"),
            Value::Null,
        )
        .await;
    assert_eq!(again.status, 202);
    assert_eq!(again.header("location").unwrap(), location);
}

#[tokio::test]
async fn generated_world_of_5000_customers_answers() {
    let w = reservoir::sandbox::generate_world(5000, 7);
    assert_eq!(w.customers.len(), 5000);
    let again = reservoir::sandbox::generate_world(5000, 7);
    assert_eq!(
        w.customers.keys().collect::<Vec<_>>(),
        again.customers.keys().collect::<Vec<_>>()
    );
    let some_id = w.customers.keys().nth(2500).unwrap().clone();
    let s = start_world(reservoir::sandbox::WorldSource::Generated {
        customers: 5000,
        seed: 7,
    })
    .await;
    let c = s.get(&format!("/v1/customers/{some_id}")).await;
    assert_eq!(c.status, 200);
    let subs = s
        .get(&format!("/v1/customers/{some_id}/subscriptions"))
        .await;
    let n = subs.body["items"].as_array().unwrap().len();
    assert!((1..=3).contains(&n));
    let page = s.get("/v1/customers?size=500").await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 500);
    assert!(page.body["links"]["next"].is_object());
}
