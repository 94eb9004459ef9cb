//! Documented shapes and request forms (issue 17, client side): `orderLineItemId` as an integer,
//! the full cart on update, the documented first invoice line-item page, views that read only
//! the customers asked for.

use super::mock::*;
use reservoir::partner_center::RequestId;
use reservoir::partner_center::wire::{BillingCycle, CartLineItemRequest, CartRequest};
use serde_json::json;

#[tokio::test]
async fn provisioning_status_with_an_integer_line_item_id_parses() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        &v1(&format!(
            "/customers/{CUSTOMER}/orders/ord-1/provisioningstatus"
        )),
        vec![Canned::json(
            200,
            json!({"totalCount": 1, "items": [
            {"lineItemNumber": 0, "orderLineItemId": 0, "status": "fulfilled",
             "quantityProvisioningInformation": [{"quantity": 1, "status": "fulfilled"}]}],
            "attributes": {"objectType": "Collection"}}),
        )],
    );
    let (client, _) = client(&mock, app_user(&mock));
    let lines = client
        .get_order_provisioning_status(CUSTOMER, "ord-1")
        .await
        .expect("documented payload parses");
    assert_eq!(lines[0].order_line_item_id.as_deref(), Some("0"));
    assert_eq!(lines[0].line_item_number, Some(0));
}

#[tokio::test]
async fn a_cart_update_sends_the_full_cart() {
    let mock = Mock::start().await;
    let path = v1(&format!("/customers/{CUSTOMER}/carts/cart-7"));
    let current = json!({"id": "cart-7", "creationTimestamp": "2026-01-01T10:00:00Z",
        "lastModifiedTimestamp": "2026-01-01T10:00:00Z", "expirationTimestamp": "2026-01-08T10:00:00Z",
        "lastModifiedUser": "user-1", "status": "Active",
        "lineItems": [{"id": 0, "catalogItemId": "OLD:0001:0001", "quantity": 9, "billingCycle": "one_time", "orderGroup": "0"}],
        "links": {"self": {"uri": "/v1/customers/x/carts/cart-7", "method": "GET", "headers": []}},
        "attributes": {"objectType": "Cart"}});
    mock.on("GET", &path, vec![Canned::json(200, current)]);
    mock.on(
        "PUT",
        &path,
        vec![Canned::json(
            201,
            json!({"id": "cart-7", "status": "Active"}),
        )],
    );
    let (client, _) = client(&mock, app_user(&mock));
    let update = CartRequest {
        id: Some("cart-7".into()),
        line_items: vec![CartLineItemRequest {
            purchase_commitment: None,
            id: 0,
            catalog_item_id: "NEW:0001:0002".into(),
            friendly_name: None,
            quantity: 2,
            billing_cycle: BillingCycle::OneTime,
            term_duration: Some("P1Y".into()),
            provisioning_context: [("subscriptionId".to_string(), SUBSCRIPTION.to_string())].into(),
            participants: vec![],
            attestation_accepted: None,
        }],
        partner_on_record_attestation_accepted: None,
    };
    let cart = client
        .update_cart(CUSTOMER, "cart-7", &update, RequestId::new())
        .await
        .unwrap();
    assert_eq!(cart.id, "cart-7");
    let reqs = mock.api_requests();
    let put = reqs.iter().find(|r| r.method == "PUT").expect("a PUT");
    let body: serde_json::Value = serde_json::from_slice(&put.body).unwrap();
    for key in [
        "id",
        "creationTimestamp",
        "lastModifiedTimestamp",
        "expirationTimestamp",
        "lastModifiedUser",
        "status",
        "links",
        "attributes",
    ] {
        assert!(body.get(key).is_some(), "{key} missing from {body}");
    }
    assert_eq!(body["id"], "cart-7");
    let lines = body["lineItems"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "the line items are replaced: {body}");
    assert_eq!(lines[0]["catalogItemId"], "NEW:0001:0002");
    assert_eq!(lines[0]["quantity"], 2);
    assert_eq!(
        lines[0]["provisioningContext"]["subscriptionId"],
        SUBSCRIPTION
    );
}

#[tokio::test]
async fn views_with_customer_ids_read_only_those_customers() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}")),
        vec![Canned::json(
            200,
            json!({"id": CUSTOMER, "companyProfile": {"companyName": "Contoso"}}),
        )],
    );
    let (client, _) = client(&mock, app_user(&mock));
    let picked = reservoir::views::customers::select(
        &reservoir::partner_center::Reader::new(&client),
        &[CUSTOMER.to_uppercase()],
    )
    .await
    .unwrap();
    assert_eq!(picked.len(), 1);
    assert_eq!(picked[0].name, "Contoso");
    let reqs = mock.api_requests();
    assert!(
        reqs.iter().all(|r| r.path != "/v1/customers"),
        "the whole customer list was read: {reqs:?}"
    );
    assert_eq!(reqs.len(), 1);

    // an unknown id is named
    let other = "7d2a9c61-4e8b-4f3a-b1c5-6e0d2f8a9b02";
    let err = reservoir::views::customers::select(
        &reservoir::partner_center::Reader::new(&client),
        &[other.into()],
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains(other), "{err}");
}

#[tokio::test]
async fn cart_expiry_is_recognised_by_the_cart_timestamp_not_the_wording() {
    use reservoir::apply::{Commerce, CommerceError, PartnerCenterCommerce};
    let mock = Mock::start().await;
    let cart = v1(&format!("/customers/{CUSTOMER}/carts/cart-old"));
    mock.on(
        "GET",
        &cart,
        vec![Canned::json(
            200,
            json!({"id": "cart-old", "status": "Active",
        "expirationTimestamp": "2020-01-08T10:00:00Z", "lineItems": []}),
        )],
    );
    // a wording the sandbox never uses
    mock.on(
        "POST",
        &format!("{cart}/checkout"),
        vec![Canned::error(
            400,
            json!(800002),
            "The request is not valid.",
        )],
    );
    let fresh = v1(&format!("/customers/{CUSTOMER}/carts/cart-new"));
    mock.on(
        "GET",
        &fresh,
        vec![Canned::json(
            200,
            json!({"id": "cart-new", "status": "Active",
        "expirationTimestamp": "2999-01-08T10:00:00Z", "lineItems": []}),
        )],
    );
    mock.on(
        "POST",
        &format!("{fresh}/checkout"),
        vec![Canned::error(
            400,
            json!(800002),
            "cart cart-new has expired",
        )],
    );
    let (client, _) = client(&mock, app_user(&mock));
    let catalog = reservoir::catalog::Catalog::new(reservoir::partner_center::Reader::new(&client));
    let desired = reservoir::manifest::DesiredState {
        customers: vec![],
        limits: Default::default(),
        manifest_hash: String::new(),
    };
    let commerce = PartnerCenterCommerce::new(&client, &catalog, &desired);
    let rid = RequestId::new().to_string();
    let err = commerce
        .checkout(CUSTOMER, "cart-old", &rid)
        .await
        .unwrap_err();
    assert_eq!(err, CommerceError::CartExpired);
    // the sandbox's wording on a cart that has not expired by its own timestamp proves nothing
    let err = commerce
        .checkout(CUSTOMER, "cart-new", &rid)
        .await
        .unwrap_err();
    assert!(matches!(err, CommerceError::Definite { .. }), "{err:?}");
}
