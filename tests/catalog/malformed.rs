//! Malformed holdings (issue 11 item 4) through `observe` and `diff` against a scripted Partner
//! Center: the embedded sandbox has no fault producing malformed entitlements yet, so these are
//! library-level tests. An entitlement with a negative or missing quantity, or without product,
//! SKU or order reference, makes the customer an error row naming the call and the field — no
//! purchase row — where the lenient reading counted it as zero owned and bought the full quantity.

use crate::client::mock::{CUSTOMER, Canned, Mock, app_user, client, v1};
use reservoir::catalog::Catalog;
use reservoir::observe::{NoJournal, ObserveOptions, Reader, observe};
use reservoir::plan::{Action, CustomerObservation};
use serde_json::{Value, json};
use std::path::Path;

fn manifest() -> String {
    format!(
        "version: 1\ncustomers:\n  - id: {CUSTOMER}\n    name: contoso\n    software:\n      \
         - name: office\n        product: DG7GMGF0DWM3\n        sku: \"0002\"\n        quantity: 5\n"
    )
}

fn software_entitlement() -> Value {
    json!({ "includedEntitlements": [], "referenceOrder": { "id": "o2", "lineItemId": "0" },
            "productId": "DG7GMGF0DWM3", "skuId": "0002", "quantity": 5,
            "entitlementType": "software", "entitledArtifacts": [], "dynamicAttributes": {} })
}

async fn run(entitlements: Vec<Value>) -> (CustomerObservation, reservoir::plan::Plan) {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}")),
        vec![Canned::json(
            200,
            json!({ "id": CUSTOMER, "companyProfile": { "companyName": "contoso" },
                    "billingProfile": { "defaultAddress": { "country": "US" } } }),
        )],
    );
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}/entitlements")),
        vec![Canned::json(
            200,
            json!({ "totalCount": entitlements.len(), "items": entitlements,
                    "attributes": { "objectType": "Collection" } }),
        )],
    );
    let (c, _clock) = client(&mock, app_user(&mock));
    let reader = Reader::new(&c);
    let catalog = Catalog::new(reader.clone());
    let text = manifest();
    let desired = reservoir::manifest::load_str(&[(Path::new("m.yaml"), text.as_str())])
        .expect("manifest")
        .desired;
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = ObserveOptions::with_dir(1, dir.path());
    let obs = observe(&desired, &reader, &catalog, &NoJournal, &opts).await;
    let plan = reservoir::plan::diff(&desired, &obs);
    (obs.customers[0].clone(), plan)
}

#[tokio::test]
async fn a_malformed_entitlement_makes_the_customer_an_error_and_nothing_is_bought() {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("quantity", json!(-5), "has a negative quantity (-5)"),
        ("quantity", Value::Null, "has no quantity"),
        ("productId", Value::Null, "has no productId"),
        ("skuId", Value::Null, "has no skuId"),
        ("referenceOrder", Value::Null, "has no referenceOrder.id"),
    ];
    for (field, value, want) in cases {
        let mut e = software_entitlement();
        e[field] = value;
        let (oc, plan) = run(vec![e]).await;
        let CustomerObservation::Failed { error, .. } = &oc else {
            panic!("{field}: the customer is an error, not observed: {oc:?}");
        };
        assert!(
            error.contains(&format!("GET /v1/customers/{CUSTOMER}/entitlements"))
                && error.contains(want),
            "{field}: {error}"
        );
        assert!(!plan.rows.is_empty());
        assert!(
            plan.rows.iter().all(|r| r.action == Action::Error),
            "{field}: no purchase row: {:?}",
            plan.rows
        );
    }
}

#[tokio::test]
async fn the_same_entitlement_twice_counts_once() {
    let (oc, _plan) = run(vec![software_entitlement(), software_entitlement()]).await;
    let CustomerObservation::Observed(o) = &oc else {
        panic!("observed expected: {oc:?}");
    };
    assert_eq!(o.holdings.len(), 1);
    assert_eq!(o.holdings[0].quantity, 5);
}
