//! Paths, query parameters, headers and lenient decoding of individual operations.

use super::mock::*;
use reservoir::partner_center::wire::{
    CartStatus, EntitlementType, InventoryCheckRequest, InventoryTarget, OrderBillingType,
    OrderStatus, RegistrationState, ReservationScope, TargetView,
};
use reservoir::partner_center::{ApiError, RequestId};
use serde_json::json;

#[tokio::test]
async fn register_returns_location_and_tolerates_comma_joined_echoes() {
    let mock = Mock::start().await;
    let base = format!("/customers/{CUSTOMER}/subscriptions/{SUBSCRIPTION}");
    let rid = RequestId::new();
    let echo = format!("{rid},{rid}");
    mock.on(
        "POST",
        &v1(&format!("{base}/registrations")),
        vec![
            Canned::empty(202)
                .header("Location", &format!("{base}/registrationstatus"))
                .header("MS-RequestId", &echo),
        ],
    );
    mock.on("GET", &v1(&format!("{base}/registrationstatus")), vec![
        Canned::json(200, json!({"subscriptionId": SUBSCRIPTION, "status": "notregistered"})),
        Canned::json(200, json!({"SubscriptionId": SUBSCRIPTION, "Status": "REGISTERED", "attributes": {"objectType": "SubscriptionRegistrationStatus"}})),
    ]);
    let (client, _) = client(&mock, app_only(&mock));
    let accepted = client
        .register_subscription(CUSTOMER, SUBSCRIPTION, rid.clone())
        .await
        .unwrap();
    assert_eq!(
        accepted.location.as_deref(),
        Some(format!("{base}/registrationstatus").as_str())
    );
    let reg = mock.api_requests()[0].clone();
    assert_eq!(reg.method, "POST");
    assert_eq!(reg.header("ms-requestid").as_deref(), Some(rid.as_str()));
    assert!(reg.body.is_empty());
    let s1 = client
        .get_registration_status(CUSTOMER, SUBSCRIPTION)
        .await
        .unwrap();
    assert_eq!(s1.status, RegistrationState::NotRegistered);
    let s2 = client
        .get_registration_status(CUSTOMER, SUBSCRIPTION)
        .await
        .unwrap();
    assert_eq!(s2.status, RegistrationState::Registered);
}

#[tokio::test]
async fn every_request_carries_the_standard_headers() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}")),
        vec![Canned::json(200, json!({"id": CUSTOMER}))],
    );
    let (client, _) = client(&mock, app_only(&mock));
    client.get_customer(CUSTOMER).await.unwrap();
    client.get_customer(CUSTOMER).await.unwrap();
    let reqs = mock.api_requests();
    for r in &reqs {
        assert_eq!(r.header("accept").as_deref(), Some("application/json"));
        assert!(
            r.header("ms-partnercenter-client")
                .unwrap()
                .starts_with("reservoir/")
        );
        assert!(uuid::Uuid::parse_str(&r.header("ms-correlationid").unwrap()).is_ok());
        assert!(uuid::Uuid::parse_str(&r.header("ms-requestid").unwrap()).is_ok());
    }
    assert_ne!(
        reqs[0].header("ms-requestid"),
        reqs[1].header("ms-requestid"),
        "a new id per operation"
    );
}

#[tokio::test]
async fn ids_are_validated_and_percent_encoded() {
    let mock = Mock::start().await;
    let (client, _) = client(&mock, app_only(&mock));
    let err = client.get_customer("../../invoices").await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::InvalidInput {
                what: "customer id",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("../../invoices"));
    let err = client
        .list_products("USA", &TargetView::Software, None)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ApiError::InvalidInput {
            what: "country",
            ..
        }
    ));
    assert!(mock.api_requests().is_empty());

    let _ = client.get_product("A/B?x", "US", None).await;
    let r = &mock.api_requests()[0];
    assert_eq!(r.path, "/v1/products/A%2FB%3Fx");
    assert_eq!(r.query.as_deref(), Some("country=US"));
}

#[tokio::test]
async fn catalog_calls_send_their_query_and_parse_leniently() {
    let mock = Mock::start().await;
    mock.on("GET", "/v1/products", vec![Canned::json(200, json!({"totalCount": 1, "items": [
        {"Id": "DZH318Z0BQ3Q", "Title": "Reserved VM Instances", "ProductType": {"Id": "Azure", "DisplayName": "Azure"},
         "newCommerceField": {"x": 1}, "links": {"skus": {"uri": "/products/DZH318Z0BQ3Q/skus?country=US"}}}
    ]}))]);
    mock.on("GET", "/v1/products/DZH318Z0BQ3Q/skus", vec![Canned::json(200, json!({"items": [
        {"id": "00G1", "productId": "DZH318Z0BQ3Q", "minimumQuantity": "1", "maximumQuantity": 999999999,
         "supportedBillingCycles": ["OneTime", "biennial_plus"], "purchasePrerequisites": ["InventoryCheck", "AzureSubscriptionRegistration"],
         "inventoryVariables": ["CustomerId", "AzureSubscriptionId", "ArmRegionName"],
         "dynamicAttributes": {"armSkuName": "Standard_D4s_v5", "armRegionName": "eastus", "duration": "3Years", "cores": 4}}
    ]}))]);
    mock.on("GET", "/v1/products/DZH318Z0BQ3Q/skus/00G1/availabilities", vec![Canned::json(200, json!({"items": [
        {"id": "DZH318XZXVNF", "catalogItemId": "DZH318Z0BQ3Q:00G1:DZH318XZXVNF", "defaultCurrency": {"code": "USD", "symbol": "$"},
         "terms": [{"duration": "P3Y", "description": "3 Years Prepaid"}]}
    ]}))]);
    mock.on("POST", "/v1/extensions/product/checkinventory", vec![Canned::json(200, json!([
        {"productId": "DZH318Z0BQ3Q", "skuId": "00G1", "isRestricted": true,
         "restrictions": [{"reasonCode": "NotAvailableForSubscription", "properties": {"type": "Location", "values": "japanwest"}}]}
    ]))]);
    let (client, _) = client(&mock, app_only(&mock));
    let scope = ReservationScope::AzurePlan;
    let products = client
        .list_products("US", &TargetView::AzureReservationsVm, Some(&scope))
        .await
        .unwrap();
    assert_eq!(products[0].id, "DZH318Z0BQ3Q");
    assert_eq!(
        products[0]
            .product_type
            .as_ref()
            .and_then(|t| t.id.as_deref()),
        Some("Azure")
    );
    let skus = client
        .list_skus("DZH318Z0BQ3Q", "US", Some(&scope))
        .await
        .unwrap();
    let sku = &skus[0];
    assert_eq!(sku.minimum_quantity, Some(1));
    assert_eq!(
        sku.dynamic_str("armskuname").as_deref(),
        Some("Standard_D4s_v5")
    );
    assert_eq!(sku.dynamic_str("cores").as_deref(), Some("4"));
    assert!(sku.requires("inventorycheck"));
    assert_eq!(
        sku.supported_billing_cycles[0],
        reservoir::partner_center::wire::BillingCycle::OneTime
    );
    assert!(matches!(
        sku.supported_billing_cycles[1],
        reservoir::partner_center::wire::BillingCycle::Unknown(_)
    ));
    let avail = client
        .list_availabilities("DZH318Z0BQ3Q", "00G1", "US", None)
        .await
        .unwrap();
    assert_eq!(avail[0].catalog_item_id, "DZH318Z0BQ3Q:00G1:DZH318XZXVNF");
    assert_eq!(
        avail[0]
            .default_currency
            .as_ref()
            .and_then(|c| c.code.as_deref()),
        Some("USD")
    );
    let inv = client
        .check_inventory(
            "US",
            &InventoryCheckRequest {
                target_items: vec![InventoryTarget {
                    product_id: "DZH318Z0BQ3Q".into(),
                    sku_id: Some("00G1".into()),
                }],
                inventory_context: [
                    ("customerId".to_string(), CUSTOMER.to_string()),
                    ("armRegionName".to_string(), "japanwest".to_string()),
                ]
                .into(),
            },
        )
        .await
        .unwrap();
    assert!(inv[0].is_restricted);

    let reqs = mock.api_requests();
    assert_eq!(
        reqs[0].query.as_deref(),
        Some("country=US&targetView=AzureReservationsVM&reservationScope=AzurePlan")
    );
    assert_eq!(
        reqs[1].query.as_deref(),
        Some("country=US&reservationScope=AzurePlan")
    );
    assert_eq!(reqs[2].query.as_deref(), Some("country=US"));
    let body: serde_json::Value = serde_json::from_slice(&reqs[3].body).unwrap();
    assert_eq!(body["targetItems"][0]["productId"], "DZH318Z0BQ3Q");
    assert_eq!(body["inventoryContext"]["armRegionName"], "japanwest");
    assert_eq!(client.stats().by_category.get("catalog"), Some(&4));
}

#[tokio::test]
async fn carts_orders_and_checkout_decode() {
    let mock = Mock::start().await;
    let cpath = v1(&format!("/customers/{CUSTOMER}/carts/cart-1"));
    mock.on("GET", &cpath, vec![Canned::json(200, json!({"id": "cart-1", "status": "active",
        "creationTimestamp": "2024-05-01T10:00:00.1234567", "expirationTimestamp": "2024-05-08T10:00:00Z",
        "lineItems": [{"id": "0", "catalogItemId": "p:s:a", "quantity": 2, "orderGroup": 0,
            "error": {"errorCode": 10008, "errorDescription": "not enabled for RI", "additionalInformation": {}}}]}))]);
    mock.on("POST", &format!("{cpath}/checkout"), vec![Canned::json(201, json!({
        "orders": [{"id": "ord-1", "referenceCustomerId": CUSTOMER, "billingCycle": "one_time", "status": "Completed",
            "creationDate": "2024-05-01T10:01:00Z",
            "lineItems": [{"lineItemNumber": 0, "offerId": "p:s:a", "quantity": 2, "termDuration": "P3Y",
                "provisioningContext": {"SubscriptionId": SUBSCRIPTION, "scope": "shared"}}]}],
        "orderErrors": [{"orderGroupId": "1", "code": 800013, "description": "not enabled"}],
        "attributes": {"objectType": "CartCheckoutResult"}}))]);
    mock.on("GET", &v1(&format!("/customers/{CUSTOMER}/orders")), vec![Canned::json(200, json!({"items": [
        {"id": "ord-1", "status": "pending_review"}, {"id": "ord-2", "status": "Weird New Status"}]}))]);
    let (client, _) = client(&mock, app_only(&mock));
    let cart = client.get_cart(CUSTOMER, "cart-1").await.unwrap();
    assert_eq!(cart.status, Some(CartStatus::Active));
    assert!(cart.creation_timestamp.is_some());
    assert_eq!(cart.line_items[0].id, Some(0));
    assert_eq!(cart.line_items[0].order_group.as_deref(), Some("0"));
    assert_eq!(
        cart.line_items[0]
            .error
            .as_ref()
            .unwrap()
            .error_code
            .as_deref(),
        Some("10008")
    );
    assert_eq!(
        cart.line_items[0].error.as_ref().unwrap().code_number(),
        Some(10008)
    );

    let result = client
        .checkout_cart(CUSTOMER, "cart-1", RequestId::new())
        .await
        .unwrap();
    assert_eq!(result.orders[0].status, Some(OrderStatus::Completed));
    assert_eq!(
        result.orders[0].line_items[0]
            .context("subscriptionid")
            .as_deref(),
        Some(SUBSCRIPTION)
    );
    assert_eq!(result.order_errors[0].code.as_deref(), Some("800013"));
    assert_eq!(result.order_errors[0].code_number(), Some(800013));

    let orders = client
        .list_orders_by_billing_type(CUSTOMER, &OrderBillingType::OneTime)
        .await
        .unwrap();
    assert_eq!(orders[0].status, Some(OrderStatus::PendingReview));
    assert_eq!(
        orders[1].status,
        Some(OrderStatus::Unknown("Weird New Status".into()))
    );
    assert_eq!(
        mock.api_requests()[2].query.as_deref(),
        Some("billingType=OneTime")
    );
}

#[tokio::test]
async fn entitlements_and_reservation_details() {
    let mock = Mock::start().await;
    mock.on("GET", &v1(&format!("/customers/{CUSTOMER}/entitlements")), vec![Canned::json(200, json!({"items": [{
        "productId": "DZH318Z0BQ3Q", "skuId": "00G1", "quantity": 2, "entitlementType": "reservedinstance",
        "referenceOrder": {"id": "ord-1", "lineItemId": 0}, "expiryDate": "2027-05-01T00:00:00",
        "entitledArtifacts": [{"artifactType": "reservedinstance", "resourceId": "ro-1",
            "link": {"uri": format!("/customers/{CUSTOMER}/artifacts/reservedinstance/groups/g/lineitems/l/resource/ro-1"), "method": "GET", "headers": []},
            "dynamicAttributes": {"reservationType": "virtualmachines"}}]}]}))]);
    mock.on("GET", &v1(&format!("/customers/{CUSTOMER}/artifacts/reservedinstance/groups/g/lineitems/l/resource/ro-1")), vec![
        Canned::json(200, json!({"type": "reservedinstance", "virtualMachineReservations": [
            {"reservationId": "r-1", "scopeType": "Shared", "quantity": 2, "expiryDateTime": "2027-05-01T00:00:00Z"}]})),
    ]);
    let (client, _) = client(&mock, app_user(&mock));
    let ents = client
        .list_entitlements(CUSTOMER, Some(&EntitlementType::ReservedInstance), true)
        .await
        .unwrap();
    assert_eq!(
        mock.api_requests()[0].query.as_deref(),
        Some("entitlementType=reservedInstance&showExpiry=true")
    );
    let e = &ents[0];
    assert_eq!(e.entitlement_type, Some(EntitlementType::ReservedInstance));
    assert_eq!(
        e.reference_order
            .as_ref()
            .and_then(|r| r.line_item_id.as_deref()),
        Some("0")
    );
    assert!(e.expiry_date.is_some());
    let art = &e.entitled_artifacts[0];
    assert!(art.is_reserved_instance());
    let details = client
        .get_reservation_details(CUSTOMER, art.link.as_ref().unwrap())
        .await
        .unwrap();
    assert_eq!(
        details.reservations[0].reservation_id.as_deref(),
        Some("r-1")
    );
}

#[tokio::test]
async fn billing_summary_and_statement_pdf() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        "/v1/invoices/summary",
        vec![Canned::json(
            200,
            json!({
        "balanceAmount": 751094.39, "currencyCode": "USD", "accountingDate": "0001-01-01T00:00:00",
        "latestInvoiceDate": "2018-03-16T00:00:00", "lastPaymentDate": "2018-03-01T00:00:00-08:00",
        "details": [{"invoiceType": "OneTime", "summary": {"balanceAmount": "12.00"}}]}),
        )],
    );
    mock.on(
        "GET",
        "/v1/invoices/G1/documents/statement",
        vec![Canned {
            status: 200,
            headers: vec![("content-type".into(), "application/pdf".into())],
            body: b"%PDF-1.7 fake".to_vec(),
            trickle: None,
        }],
    );
    let (client, _) = client(&mock, app_user(&mock));
    let s = client.get_invoice_summary().await.unwrap();
    assert_eq!(
        s.balance_amount.map(|d| d.to_string()).as_deref(),
        Some("751094.39")
    );
    assert_eq!(s.accounting_date, None);
    assert_eq!(
        s.latest_invoice_date.map(|d| d.to_rfc3339()).as_deref(),
        Some("2018-03-16T00:00:00+00:00")
    );
    assert_eq!(
        s.last_payment_date.map(|d| d.to_rfc3339()).as_deref(),
        Some("2018-03-01T08:00:00+00:00")
    );
    assert_eq!(
        s.details[0]
            .summary
            .as_ref()
            .and_then(|x| x.balance_amount)
            .map(|d| d.to_string())
            .as_deref(),
        Some("12.00")
    );
    let pdf = client.get_invoice_statement("G1").await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(
        mock.api_requests()[1].header("accept").as_deref(),
        Some("application/pdf")
    );
}

#[tokio::test]
async fn malformed_response_is_a_decode_error_naming_the_call() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        &v1(&format!(
            "/customers/{CUSTOMER}/subscriptions/{SUBSCRIPTION}/registrationstatus"
        )),
        vec![Canned::json(200, json!({"subscriptionId": SUBSCRIPTION}))],
    );
    let (client, _) = client(&mock, app_only(&mock));
    let err = client
        .get_registration_status(CUSTOMER, SUBSCRIPTION)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Decode { status: 200, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("registrationstatus"), "{err}");
}

#[tokio::test]
async fn remaining_operations_use_the_documented_paths() {
    let mock = Mock::start().await;
    let cust = format!("/customers/{CUSTOMER}");
    mock.on("GET", &v1(&format!("{cust}/subscriptions/{SUBSCRIPTION}")), vec![Canned::json(200, json!({"id": SUBSCRIPTION, "status": "active", "billingCycle": "OneTime", "commitmentEndDate": "9999-12-10T00:00:00Z"}))]);
    mock.on(
        "GET",
        &v1(&format!("{cust}/carts/cart-1")),
        vec![Canned::json(
            200,
            json!({"id": "cart-1", "status": "Active"}),
        )],
    );
    mock.on(
        "PUT",
        &v1(&format!("{cust}/carts/cart-1")),
        vec![Canned::json(
            201,
            json!({"id": "cart-1", "status": "Active"}),
        )],
    );
    mock.on("GET", &v1(&format!("{cust}/orders/ord-1/provisioningstatus")), vec![Canned::json(200, json!({"items": [
        {"lineItemNumber": 0, "status": "fulfilled", "quantityProvisioningInformation": [{"quantity": 2, "status": "Fulfilled"}]}]}))]);
    mock.on(
        "GET",
        "/v1/products/P1",
        vec![Canned::json(200, json!({"id": "P1"}))],
    );
    mock.on(
        "GET",
        "/v1/products/P1/skus/S1",
        vec![Canned::json(200, json!({"id": "S1"}))],
    );
    mock.on(
        "GET",
        "/v1/products/P1/skus/S1/availabilities/A1",
        vec![Canned::json(
            200,
            json!({"id": "A1", "catalogItemId": "P1:S1:A1"}),
        )],
    );
    mock.on(
        "GET",
        "/v1/invoices/summaries",
        vec![Canned::json(
            200,
            json!({"items": [{"currencyCode": "USD"}, {"currencyCode": "EUR"}]}),
        )],
    );
    mock.on("GET", "/v1/invoices/G1", vec![Canned::json(200, json!({"id": "G1", "invoiceType": "OneTime", "pdfDownloadLink": "/invoices/G1/documents/statement"}))]);
    mock.on("GET", "/v1/invoices/D1/lineitems/Azure/BillingLineItems", vec![
        Canned::json(200, json!({"items": [{"a": 1}], "links": {"next": {"uri": "/invoices/D1/lineitems/Azure/BillingLineItems?size=1&offset=1"}}})),
        Canned::json(200, json!({"items": [{"a": 2}]})),
    ]);
    let (client, _) = client(&mock, app_user(&mock));
    let sub = client
        .get_subscription(CUSTOMER, SUBSCRIPTION)
        .await
        .unwrap();
    assert_eq!(
        sub.billing_cycle,
        Some(reservoir::partner_center::wire::BillingCycle::OneTime)
    );
    let cart = client
        .update_cart(
            CUSTOMER,
            "cart-1",
            &reservoir::partner_center::wire::CartRequest::default(),
            RequestId::new(),
        )
        .await
        .unwrap();
    assert_eq!(cart.id, "cart-1");
    let prov = client
        .get_order_provisioning_status(CUSTOMER, "ord-1")
        .await
        .unwrap();
    assert_eq!(
        prov[0].status,
        Some(reservoir::partner_center::wire::ProvisioningState::Fulfilled)
    );
    assert_eq!(
        client
            .get_product("P1", "us", Some(&ReservationScope::AzurePlan))
            .await
            .unwrap()
            .id,
        "P1"
    );
    assert_eq!(
        client.get_sku("P1", "S1", "US", None).await.unwrap().id,
        "S1"
    );
    assert_eq!(
        client
            .get_availability("P1", "S1", "A1", "US", None)
            .await
            .unwrap()
            .catalog_item_id,
        "P1:S1:A1"
    );
    assert_eq!(client.list_invoice_summaries().await.unwrap().len(), 2);
    assert_eq!(
        client
            .get_invoice("G1")
            .await
            .unwrap()
            .invoice_type
            .as_deref(),
        Some("OneTime")
    );
    let legacy = client
        .list_invoice_line_items("D1", "Azure", "BillingLineItems", 1)
        .await
        .unwrap();
    assert_eq!(legacy, vec![json!({"a": 1}), json!({"a": 2})]);
    let reqs = mock.api_requests();
    // the update reads the cart, then sends it back whole
    assert_eq!(reqs[1].method, "GET");
    assert_eq!(reqs[2].method, "PUT");
    assert_eq!(
        reqs[4].query.as_deref(),
        Some("country=us&reservationScope=AzurePlan")
    );
    let last = reqs.last().unwrap();
    assert_eq!(last.query.as_deref(), Some("size=1&offset=1"));
}

#[tokio::test]
async fn clones_share_the_rate_limiter_and_stats() {
    use reservoir::partner_center::Clock;
    let mock = Mock::start().await;
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}")),
        vec![Canned::json(200, json!({"id": CUSTOMER}))],
    );
    let clock = reservoir::partner_center::ManualClock::new();
    let mut cfg = reservoir::partner_center::ClientConfig::new(
        url::Url::parse(&mock.base).unwrap(),
        app_only(&mock),
    );
    cfg.clock = std::sync::Arc::new(clock.clone());
    cfg.rate_limits = reservoir::partner_center::RateLimits {
        partner_per_minute: 600,
        customer_per_minute: 60,
    };
    let client = reservoir::partner_center::Client::new(cfg).unwrap();
    let other = client.clone();
    for i in 0..70 {
        let c = if i % 2 == 0 { &client } else { &other };
        c.get_customer(CUSTOMER).await.unwrap();
    }
    // 60/min per customer spent as a budget over a sliding minute: 35 calls per clone would fit,
    // 70 through one shared limiter cannot — the rest wait for the first minute to pass.
    assert!(
        clock.now() >= std::time::Duration::from_secs(60),
        "{:?}",
        clock.now()
    );
    assert_eq!(client.stats().by_category.get("customer"), Some(&70));
    assert_eq!(other.stats(), client.stats());
}

#[tokio::test]
async fn a_failing_token_endpoint_is_retried_when_transient() {
    let mock = Mock::start().await;
    mock.on(
        "POST",
        &format!("/{TENANT}/oauth2/token"),
        vec![
            Canned::empty(503),
            Canned::json(200, json!({"access_token": "tok", "expires_in": "3599"})),
        ],
    );
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}")),
        vec![Canned::json(200, json!({"id": CUSTOMER}))],
    );
    let (client, clock) = client(&mock, app_only(&mock));
    client.get_customer(CUSTOMER).await.unwrap();
    assert_eq!(mock.token_requests().len(), 2);
    assert_eq!(clock.sleeps().len(), 1);
}
