//! Single operations: customer list paging, catalog scopes, inventory, software entitlements,
//! App+User-only refusals, and the odd-but-documented payload shapes the sandbox sends.

use super::common::*;
use super::purchase::find_reservation;
use reservoir::partner_center::wire::{
    BillingCycle, CartLineItemRequest, CartRequest, EntitlementType, InventoryCheckRequest,
    InventoryTarget, RegistrationState, ReservationScope, SubscriptionStatus, TargetView,
};
use reservoir::partner_center::{ApiError, CredentialsKind, ManualClock, RequestId};
use std::collections::BTreeMap;

#[tokio::test]
async fn customer_list_is_read_across_every_page() {
    let env = start().await;
    env.reset_requests().await;
    let customers = env.client.list_customers(Some(2)).await.expect("customers");
    let mut ids: Vec<_> = customers.iter().map(|c| c.id.clone()).collect();
    ids.sort();
    let mut want: Vec<_> = ALL_CUSTOMERS.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(ids, want);
    let pages = env.requests_to("GET", "/v1/customers").await.len();
    assert!(
        pages >= 3,
        "5 customers at 2 per page need 3 pages, saw {pages}"
    );
}

#[tokio::test]
async fn customers_and_subscriptions_parse() {
    let env = start().await;
    let c = env.client.get_customer(FABRIKAM).await.expect("customer");
    assert_eq!(c.country(), Some("GB"));
    let subs = env.client.list_subscriptions(FABRIKAM).await.expect("subs");
    assert_eq!(subs.len(), 2);
    assert!(
        subs.iter()
            .any(|s| s.status == Some(SubscriptionStatus::Suspended))
    );
    let plan = env
        .client
        .get_subscription(CONTOSO, CONTOSO_PLAN)
        .await
        .expect("sub");
    assert!(!plan.is_legacy_azure());
    let legacy = env
        .client
        .get_subscription(CONTOSO, CONTOSO_LEGACY)
        .await
        .expect("sub");
    assert!(legacy.is_legacy_azure());
    // A registered subscription reads as such; an unknown one is a 404 with the documented code.
    let st = env
        .client
        .get_registration_status(CONTOSO, CONTOSO_PLAN)
        .await
        .expect("status");
    assert_eq!(st.status, RegistrationState::Registered);
    let err = env
        .client
        .get_subscription(CONTOSO, "00000000-0000-4000-8000-000000000000")
        .await
        .expect_err("unknown subscription");
    assert!(
        matches!(&err, ApiError::Http { status: 404, code: Some(c), .. } if c == "20003"),
        "{err:?}"
    );
}

#[tokio::test]
async fn reservation_scope_selects_a_separate_catalog() {
    let env = start().await;
    let c = &env.client;
    let legacy = c
        .list_products("US", &TargetView::AzureReservationsVm, None)
        .await
        .expect("products");
    let plan = c
        .list_products(
            "US",
            &TargetView::AzureReservationsVm,
            Some(&ReservationScope::AzurePlan),
        )
        .await
        .expect("products");
    assert!(!legacy.is_empty() && !plan.is_empty());
    assert!(
        legacy.iter().all(|p| plan.iter().all(|q| q.id != p.id)),
        "Azure plan products are separate from legacy ones"
    );
    let sql = c
        .list_products("US", &TargetView::AzureReservationsSql, None)
        .await
        .expect("sql products");
    assert!(!sql.is_empty());
    let software = c
        .list_products("US", &TargetView::Software, None)
        .await
        .expect("software");
    assert!(software.iter().any(|p| p.id == "DG7GMGF0DWM3"));
    // An unavailable market has no products.
    let none = c
        .list_products("RU", &TargetView::AzureReservationsVm, None)
        .await
        .expect("products");
    assert!(none.is_empty());
    // Unknown product: 404/400013.
    let err = c
        .get_product("NOSUCHPRODUC", "US", None)
        .await
        .expect_err("unknown product");
    assert!(
        matches!(&err, ApiError::Http { status: 404, code: Some(c), .. } if c == "400013"),
        "{err:?}"
    );
}

#[tokio::test]
async fn inventory_check_reports_the_japanwest_restriction() {
    let env = start().await;
    let c = &env.client;
    let scope = Some(&ReservationScope::AzurePlan);
    for (region, restricted) in [("japanwest", true), ("japaneast", false)] {
        let (p, s, _) = find_reservation(c, "JP", scope, "Standard_NC6s_v3", region, "1Year").await;
        assert!(s.requires("InventoryCheck"));
        assert!(!s.inventory_variables.is_empty());
        let req = InventoryCheckRequest {
            target_items: vec![InventoryTarget {
                product_id: p.id.clone(),
                sku_id: Some(s.id.clone()),
            }],
            inventory_context: BTreeMap::from([
                ("customerId".to_string(), ADATUM.to_string()),
                ("azureSubscriptionId".to_string(), ADATUM_PLAN.to_string()),
                ("armRegionName".to_string(), region.to_string()),
            ]),
        };
        let items = c.check_inventory("JP", &req).await.expect("inventory");
        let item = items
            .iter()
            .find(|i| i.sku_id.as_deref() == Some(s.id.as_str()))
            .expect("the SKU is evaluated");
        assert_eq!(item.is_restricted, restricted, "{region}: {items:?}");
        assert_eq!(!item.restrictions.is_empty(), restricted);
    }
}

#[tokio::test]
async fn software_entitlements_with_expiry() {
    let env = start().await;
    let ents = env
        .client
        .list_entitlements(CONTOSO, Some(&EntitlementType::Software), true)
        .await
        .expect("entitlements");
    assert!(
        ents.iter()
            .any(|e| e.product_id.as_deref() == Some("DG7GMGF0DWM3") && e.quantity == Some(5)),
        "{ents:?}"
    );
    assert!(
        ents.iter()
            .all(|e| e.entitlement_type == Some(EntitlementType::Software))
    );
    let all = env
        .client
        .list_entitlements(CONTOSO, None, false)
        .await
        .expect("all entitlements");
    assert!(
        all.len() > ents.len(),
        "the reservation holding is listed too"
    );
    assert!(
        all.iter()
            .any(|e| e.entitlement_type == Some(EntitlementType::ReservedInstance)),
        "{all:?}"
    );
}

#[tokio::test]
async fn app_user_only_calls_refuse_app_only_tokens() {
    let env = start().await;
    let clock = ManualClock::new();
    let app = client_with(&env.sandbox, app_only(&env.sandbox), &clock);
    assert_eq!(app.credentials_kind(), CredentialsKind::AppOnly);
    // Calls that accept app-only tokens work.
    app.get_customer(CONTOSO)
        .await
        .expect("customer with app-only");
    let orders = app
        .list_orders(CONTOSO)
        .await
        .expect("orders with app-only");
    let order = orders.first().expect("a seeded order").id.clone();
    app.get_invoice_summary()
        .await
        .expect("balance with app-only");
    let invoices = app.list_invoices(50).await.expect("invoices with app-only");
    let invoice = invoices.first().expect("an invoice").id.clone();

    let refused = |r: Result<(), ApiError>, what: &str| match r {
        Err(ApiError::AppUserRequired { .. }) => {}
        other => panic!("{what}: expected the app-only refusal, got {other:?}"),
    };
    refused(
        app.list_entitlements(CONTOSO, None, false).await.map(drop),
        "entitlements",
    );
    refused(
        app.get_order_provisioning_status(CONTOSO, &order)
            .await
            .map(drop),
        "provisioning status",
    );
    refused(app.list_invoice_summaries().await.map(drop), "summaries");
    refused(app.get_invoice(&invoice).await.map(drop), "invoice by id");
    refused(
        app.get_invoice_statement(&invoice).await.map(drop),
        "invoice pdf",
    );
    // The refusal is final: no retries, no waits.
    assert!(clock.sleeps().is_empty(), "{:?}", clock.sleeps());
    assert_eq!(app.stats().retries, 0);
}

#[tokio::test]
async fn odd_but_documented_shapes_parse() {
    let env = start().await;
    let c = &env.client;
    // Registration status casing, cart line error codes as integers, zone-less dates and
    // "0001-01-01T00:00:00" in line items, numbers that may be strings: all read through the
    // typed models without a decode error.
    let invoices = c.list_invoices(10).await.expect("invoices");
    for inv in &invoices {
        let lines = c.list_onetime_line_items(&inv.id, 5).await.expect("lines");
        assert!(!lines.is_empty());
        for l in &lines {
            assert!(
                l.charge_start_date.is_some(),
                "zone-less date parsed: {l:?}"
            );
            assert!(l.quantity.is_some());
        }
    }
    let summary = c.get_invoice_summary().await.expect("summary");
    assert!(summary.balance_amount.is_some());
    // Zone-less dates read as UTC; .NET's minimum date ("0001-01-01T00:00:00") reads as none.
    assert!(summary.accounting_date.is_some(), "{summary:?}");
    assert_eq!(summary.last_payment_date, None, "{summary:?}");
    let recurring = summary
        .details
        .iter()
        .find(|d| d.invoice_type.as_deref() == Some("Recurring"))
        .and_then(|d| d.summary.as_ref())
        .expect("a Recurring detail");
    assert_eq!(recurring.latest_invoice_date, None);
    // Invoice dates without a zone.
    assert!(invoices.iter().all(|i| i.invoice_date.is_some()));
    // A cart line error comes back as an integer code.
    let cart = c
        .create_cart(
            CONTOSO,
            &reservoir::partner_center::wire::CartRequest {
                line_items: vec![reservoir::partner_center::wire::CartLineItemRequest {
                    purchase_commitment: None,
                    id: 0,
                    catalog_item_id: "DG7GMGF0DWM3:0002:NOPE".into(),
                    friendly_name: None,
                    quantity: 1,
                    billing_cycle: reservoir::partner_center::wire::BillingCycle::OneTime,
                    term_duration: None,
                    provisioning_context: BTreeMap::new(),
                    participants: vec![],
                    attestation_accepted: None,
                }],
                ..Default::default()
            },
            RequestId::new(),
        )
        .await
        .expect("cart");
    let err = cart.line_items[0].error.as_ref().expect("line error");
    assert_eq!(err.error_code.as_deref(), Some("10001"));
}

#[tokio::test]
async fn a_failed_order_group_comes_back_next_to_the_placed_order() {
    let env = start().await;
    let c = &env.client;
    let (_, _, ri) = find_reservation(
        c,
        "US",
        Some(&ReservationScope::AzurePlan),
        "Standard_D2s_v5",
        "eastus",
        "1Year",
    )
    .await;
    // One-time lines share an order group (issue 17): the software line is an annual software
    // subscription, so it goes to a group of its own.
    let avs = c
        .list_availabilities("DG7GMGF0FLR0", "0002", "US", None)
        .await
        .expect("software availability");
    let sw = avs.first().expect("one").catalog_item_id.clone();
    let line = |id, item: &str, reservation: bool| CartLineItemRequest {
        purchase_commitment: None,
        id,
        catalog_item_id: item.to_string(),
        friendly_name: None,
        quantity: 1,
        billing_cycle: if reservation {
            BillingCycle::OneTime
        } else {
            BillingCycle::Annual
        },
        term_duration: Some("P1Y".to_string()),
        provisioning_context: if reservation {
            BTreeMap::from([
                ("subscriptionId".into(), CONTOSO_PLAN.into()),
                ("scope".into(), "shared".into()),
                ("duration".into(), "1Year".into()),
            ])
        } else {
            BTreeMap::new()
        },
        participants: vec![],
        attestation_accepted: None,
    };
    let cart = c
        .create_cart(
            CONTOSO,
            &CartRequest {
                line_items: vec![line(0, &ri.catalog_item_id, true), line(1, &sw, false)],
                ..CartRequest::default()
            },
            RequestId::new(),
        )
        .await
        .expect("cart");
    let groups: Vec<_> = cart
        .line_items
        .iter()
        .map(|l| l.order_group.clone())
        .collect();
    assert_eq!(groups, vec![Some("0".into()), Some("2".into())]);
    env.sandbox.add_fault(reservoir::sandbox::FaultRule {
        method: None,
        path: "*".into(),
        kind: reservoir::sandbox::FaultKind::FailOrderGroup {
            catalog_item: "DG7GMGF0FLR0:0002".into(),
            code: 800017,
            description: None,
        },
        count: Some(1),
    });
    let res = c
        .checkout_cart(CONTOSO, &cart.id, RequestId::new())
        .await
        .expect("checkout with a failed group is still a 201");
    assert_eq!(res.orders.len(), 1);
    assert_eq!(res.order_errors.len(), 1);
    let e = &res.order_errors[0];
    assert_eq!(e.order_group_id.as_deref(), Some("2"));
    assert_eq!(e.code.as_deref(), Some("800017"));
}

#[tokio::test]
async fn an_unavailable_market_cannot_buy() {
    let env = start().await;
    let c = &env.client;
    let cust = c.get_customer(TAILSPIN).await.expect("customer");
    assert_eq!(cust.country(), Some("RU"));
    let (_, _, a) = find_reservation(
        c,
        "US",
        Some(&ReservationScope::AzurePlan),
        "Standard_D2s_v5",
        "eastus",
        "1Year",
    )
    .await;
    let cart = c
        .create_cart(
            TAILSPIN,
            &CartRequest {
                line_items: vec![CartLineItemRequest {
                    purchase_commitment: None,
                    id: 0,
                    catalog_item_id: a.catalog_item_id.clone(),
                    friendly_name: None,
                    quantity: 1,
                    billing_cycle: BillingCycle::OneTime,
                    term_duration: Some("P1Y".into()),
                    provisioning_context: BTreeMap::from([
                        ("subscriptionId".into(), TAILSPIN_PLAN.into()),
                        ("scope".into(), "shared".into()),
                        ("duration".into(), "1Year".into()),
                    ]),
                    participants: vec![],
                    attestation_accepted: None,
                }],
                ..CartRequest::default()
            },
            RequestId::new(),
        )
        .await
        .expect("cart");
    let err = cart.line_items[0].error.as_ref().expect("line error");
    assert_eq!(err.error_code.as_deref(), Some("10006"));
    let e = c
        .checkout_cart(TAILSPIN, &cart.id, RequestId::new())
        .await
        .expect_err("refused");
    assert!(matches!(&e, ApiError::Http { status: 400, .. }), "{e:?}");
}

#[tokio::test]
async fn legacy_vm_entitlements_and_billing_type_filter() {
    let env = start().await;
    let c = &env.client;
    let legacy = c
        .list_entitlements(
            CONTOSO,
            Some(&EntitlementType::VirtualMachineReservedInstance),
            false,
        )
        .await
        .expect("legacy VM entitlements");
    let e = legacy.first().expect("the D2s_v5 holding");
    assert_eq!(
        e.entitlement_type,
        Some(EntitlementType::VirtualMachineReservedInstance)
    );
    let art = e
        .entitled_artifacts
        .iter()
        .find(|a| a.is_reserved_instance())
        .expect("the legacy artifact type counts as a reserved instance");
    let details = c
        .get_reservation_details(CONTOSO, art.link.as_ref().expect("link"))
        .await
        .expect("details");
    assert_eq!(
        details
            .reservations
            .iter()
            .filter_map(|r| r.quantity)
            .sum::<i64>(),
        2
    );
    let monthly = c
        .list_orders_by_billing_type(
            CONTOSO,
            &reservoir::partner_center::wire::OrderBillingType::Monthly,
        )
        .await
        .expect("monthly orders");
    assert!(monthly.is_empty());
    let one_time = c
        .list_orders_by_billing_type(
            CONTOSO,
            &reservoir::partner_center::wire::OrderBillingType::OneTime,
        )
        .await
        .expect("one-time orders");
    assert_eq!(one_time.len(), 2, "the two seeded orders");
}
