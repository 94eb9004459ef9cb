//! The purchase flow of docs/partner-center.md §14, end to end through the client: an Azure plan
//! subscription and a legacy one, from registration to the invoice PDF.

use super::common::*;
use reservoir::partner_center::Client;
use reservoir::partner_center::wire::{
    Availability, BillingCycle, CartLineItemRequest, CartRequest, CartStatus, EntitlementType,
    OrderBillingType, OrderStatus, Product, ProvisioningState, RegistrationState, ReservationScope,
    Sku, TargetView,
};
use reservoir::partner_center::{ApiError, RequestId};
use reservoir::sandbox::Knobs;
use std::collections::BTreeMap;

/// Finds the reservation SKU for (armSkuName, region, duration) by walking products → SKUs.
pub async fn find_reservation(
    client: &Client,
    country: &str,
    scope: Option<&ReservationScope>,
    arm_sku: &str,
    region: &str,
    duration: &str,
) -> (Product, Sku, Availability) {
    let products = client
        .list_products(country, &TargetView::AzureReservationsVm, scope)
        .await
        .expect("products");
    assert!(
        !products.is_empty(),
        "no VM reservation products in {country}"
    );
    for p in &products {
        let skus = client.list_skus(&p.id, country, scope).await.expect("skus");
        if let Some(s) = skus.into_iter().find(|s| {
            s.dynamic_str("armSkuName").as_deref() == Some(arm_sku)
                && s.dynamic_str("armRegionName").as_deref() == Some(region)
                && s.dynamic_str("duration").as_deref() == Some(duration)
        }) {
            let avs = client
                .list_availabilities(&p.id, &s.id, country, scope)
                .await
                .expect("availabilities");
            let a = avs.into_iter().next().expect("one availability");
            return (p.clone(), s, a);
        }
    }
    panic!("no SKU {arm_sku} {region} {duration} in {country}");
}

fn reservation_line(id: i64, a: &Availability, sub: &str, qty: i64) -> CartLineItemRequest {
    CartLineItemRequest {
        purchase_commitment: None,
        id,
        catalog_item_id: a.catalog_item_id.clone(),
        friendly_name: Some(format!("line {id}")),
        quantity: qty,
        billing_cycle: BillingCycle::OneTime,
        term_duration: Some("P1Y".into()),
        provisioning_context: BTreeMap::from([
            ("subscriptionId".to_string(), sub.to_string()),
            ("scope".to_string(), "shared".to_string()),
            ("duration".to_string(), "1Year".to_string()),
        ]),
        participants: vec![],
        attestation_accepted: None,
    }
}

/// Registers `sub` and walks NotRegistered → Registering → Registered on the sandbox clock.
async fn register(env: &Env, customer: &str, sub: &str) {
    let c = &env.client;
    let before = c
        .get_registration_status(customer, sub)
        .await
        .expect("status");
    assert_eq!(before.status, RegistrationState::NotRegistered);
    let accepted = c
        .register_subscription(customer, sub, RequestId::new())
        .await
        .expect("register");
    let location = accepted.location.expect("202 carries a Location");
    assert!(
        location
            .to_ascii_lowercase()
            .ends_with(&format!("/subscriptions/{sub}/registrationstatus")),
        "{location}"
    );
    let during = c
        .get_registration_status(customer, sub)
        .await
        .expect("status");
    assert_eq!(during.status, RegistrationState::Registering);
    env.sandbox
        .advance_clock(env.sandbox.knobs().registration_delay_secs + 1);
    let after = c
        .get_registration_status(customer, sub)
        .await
        .expect("status");
    assert_eq!(after.status, RegistrationState::Registered);
    assert_eq!(after.subscription_id.as_deref(), Some(sub));
}

/// What one flow bought, for the billing checks.
pub struct Bought {
    pub reservation_order_ids: Vec<String>,
    pub quantity_by_reservation: BTreeMap<String, i64>,
}

/// The purchase flow (docs/partner-center.md §14) for one customer and subscription; returns
/// what was bought.
pub async fn buy(
    env: &Env,
    customer: &str,
    sub: &str,
    scope: Option<&ReservationScope>,
    legacy: bool,
) -> Bought {
    let c = &env.client;
    // 2. Customer → country.
    let cust = c.get_customer(customer).await.expect("customer");
    assert_eq!(cust.id, customer);
    let country = cust.country().expect("country").to_string();

    // 3. The subscription, legacy or Azure plan.
    let subs = c.list_subscriptions(customer).await.expect("subscriptions");
    let s = subs
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(sub))
        .expect("listed");
    assert_eq!(s.is_legacy_azure(), legacy, "{:?}", s.offer_id);
    let one = c
        .get_subscription(customer, sub)
        .await
        .expect("subscription");
    assert_eq!(one.id.to_ascii_lowercase(), sub);

    // 4. Registration.
    register(env, customer, sub).await;

    // 5–7. Catalog discovery (by the scope that fits the subscription).
    let (p1, s1, a1) =
        find_reservation(c, &country, scope, "Standard_D2s_v5", "westeurope", "1Year").await;
    let (_, s2, a2) =
        find_reservation(c, &country, scope, "Standard_E4s_v5", "westeurope", "1Year").await;
    assert!(s1.requires("AzureSubscriptionRegistration"));
    let again = c
        .get_product(&p1.id, &country, scope)
        .await
        .expect("product");
    assert_eq!(again.id, p1.id);
    let sku = c
        .get_sku(&p1.id, &s1.id, &country, scope)
        .await
        .expect("sku");
    assert_eq!(sku.id, s1.id);
    assert_eq!(sku.supported_billing_cycles, vec![BillingCycle::OneTime]);
    let av = c
        .get_availability(&p1.id, &s1.id, &a1.id, &country, scope)
        .await
        .expect("availability");
    assert_eq!(av.catalog_item_id, a1.catalog_item_id);
    assert_eq!(
        av.catalog_item_id,
        format!("{}:{}:{}", p1.id, s1.id, a1.id),
        "catalogItemId is product:sku:availability"
    );
    assert!(
        av.terms
            .iter()
            .any(|t| t.duration.as_deref() == Some("P1Y"))
    );
    let _ = s2;

    // 8. Cart: two good lines and one bad one.
    // A bad line: quantity 0 is below the SKU's minimum.
    let bad = reservation_line(2, &a1, sub, 0);
    let request = CartRequest {
        id: None,
        line_items: vec![
            reservation_line(0, &a1, sub, 2),
            reservation_line(1, &a2, sub, 3),
            bad,
        ],
        partner_on_record_attestation_accepted: None,
    };
    let cart = c
        .create_cart(customer, &request, RequestId::new())
        .await
        .expect("create cart");
    assert_eq!(cart.status, Some(CartStatus::Active));
    assert_eq!(cart.line_items.len(), 3);
    assert!(cart.expiration_timestamp.is_some());
    let errors: Vec<_> = cart
        .line_items
        .iter()
        .filter_map(|l| l.error.as_ref().map(|e| (l.id, e.clone())))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, Some(2));
    assert_eq!(errors[0].1.error_code.as_deref(), Some("10010"));
    assert!(cart.line_items[0].order_group.is_some());

    // Checkout with a line error is refused.
    let refused = c
        .checkout_cart(customer, &cart.id, RequestId::new())
        .await
        .expect_err("a cart with line errors cannot be checked out");
    match &refused {
        ApiError::Http { status, code, .. } => {
            assert_eq!(
                (*status, code.as_deref()),
                (400, Some("800009")),
                "{refused}"
            )
        }
        other => panic!("unexpected {other:?}"),
    }

    // Update: drop the bad line.
    let fetched = c.get_cart(customer, &cart.id).await.expect("get cart");
    assert_eq!(fetched.id, cart.id);
    let mut update = request.clone();
    update.id = Some(cart.id.clone());
    update.line_items.truncate(2);
    let updated = c
        .update_cart(customer, &cart.id, &update, RequestId::new())
        .await
        .expect("update cart");
    assert_eq!(updated.line_items.len(), 2);
    assert!(updated.line_items.iter().all(|l| l.error.is_none()));

    // 9. Checkout.
    let result = c
        .checkout_cart(customer, &cart.id, RequestId::new())
        .await
        .expect("checkout");
    assert!(result.order_errors.is_empty(), "{:?}", result.order_errors);
    assert_eq!(
        result.orders.len(),
        1,
        "both reservations share order group 0"
    );
    let order = &result.orders[0];
    assert_eq!(order.line_items.len(), 2);
    let after = c.get_cart(customer, &cart.id).await.expect("cart");
    assert_eq!(after.status, Some(CartStatus::Ordered));

    // 10. The order by id at once; provisioning status; not yet in the list.
    let fulfillment = env.sandbox.knobs().fulfillment_delay_secs;
    let by_id = c.get_order(customer, &order.id).await.expect("order by id");
    assert_eq!(by_id.id, order.id);
    assert_eq!(by_id.billing_cycle, Some(BillingCycle::OneTime));
    let prov = c
        .get_order_provisioning_status(customer, &order.id)
        .await
        .expect("provisioning status");
    assert_eq!(prov.len(), 2);
    if fulfillment > 0 {
        assert_eq!(by_id.status, Some(OrderStatus::Pending));
        assert!(
            prov.iter()
                .all(|p| p.status == Some(ProvisioningState::PrefulfillmentPending))
        );
        env.sandbox.advance_clock(fulfillment + 1);
    }
    let done = c.get_order(customer, &order.id).await.expect("order by id");
    assert_eq!(done.status, Some(OrderStatus::Completed));
    let prov = c
        .get_order_provisioning_status(customer, &order.id)
        .await
        .expect("provisioning status");
    assert!(
        prov.iter()
            .all(|p| p.status == Some(ProvisioningState::Fulfilled)),
        "{prov:?}"
    );
    let listed = c.list_orders(customer).await.expect("orders");
    assert!(
        !listed.iter().any(|o| o.id == order.id),
        "a new order stays out of the list for the order-list delay"
    );
    env.sandbox
        .advance_clock(env.sandbox.knobs().order_list_delay_secs + 1);
    let listed = c.list_orders(customer).await.expect("orders");
    assert!(listed.iter().any(|o| o.id == order.id));
    let one_time = c
        .list_orders_by_billing_type(customer, &OrderBillingType::OneTime)
        .await
        .expect("orders by billing type");
    assert!(one_time.iter().any(|o| o.id == order.id));

    // 11. Entitlements → reservation order ids → reservation details.
    let ents = c
        .list_entitlements(customer, Some(&EntitlementType::ReservedInstance), true)
        .await
        .expect("entitlements");
    let mine: Vec<_> = ents
        .iter()
        .filter(|e| e.reference_order.as_ref().and_then(|r| r.id.as_deref()) == Some(&order.id))
        .collect();
    assert_eq!(mine.len(), 2, "one entitlement per order line: {ents:?}");
    let sandbox_orders = env.all_orders().await;
    let placed = sandbox_orders
        .iter()
        .find(|o| o["orderId"] == order.id.as_str())
        .expect("the sandbox knows the order");
    let mut bought = Bought {
        reservation_order_ids: vec![],
        quantity_by_reservation: BTreeMap::new(),
    };
    for e in mine {
        assert!(
            e.expiry_date.is_some(),
            "showExpiry=true gives an expiry date"
        );
        let art = e
            .entitled_artifacts
            .iter()
            .find(|a| a.is_reserved_instance())
            .expect("a reserved-instance artifact");
        let ro = art.resource_id.clone().expect("resourceId");
        assert!(
            placed["lines"]
                .as_array()
                .expect("lines")
                .iter()
                .any(|l| l["reservationOrderId"] == ro.as_str()),
            "resourceId {ro} is a reservation order id of the order"
        );
        let link = art.link.clone().expect("artifact link");
        let details = c
            .get_reservation_details(customer, &link)
            .await
            .expect("reservation details");
        assert!(!details.reservations.is_empty());
        let qty: i64 = details.reservations.iter().filter_map(|r| r.quantity).sum();
        assert_eq!(Some(qty), e.quantity);
        bought.quantity_by_reservation.insert(ro.clone(), qty);
        bought.reservation_order_ids.push(ro);
    }
    bought
}

/// Step 12: billing for what was bought, reading every page.
pub async fn billing(env: &Env, bought: &Bought, line_page: u32) {
    let c = &env.client;
    let summary = c.get_invoice_summary().await.expect("invoice summary");
    assert!(summary.currency_code.is_some());
    let summaries = c.list_invoice_summaries().await.expect("summaries");
    assert!(!summaries.is_empty());

    env.reset_requests().await;
    let invoices = c.list_invoices(1).await.expect("invoices");
    assert!(invoices.len() >= 2, "{invoices:?}");
    let pages = env.requests_to("GET", "/v1/invoices").await.len();
    assert_eq!(pages, invoices.len(), "one page per invoice at size 1");
    let mut ids: Vec<_> = invoices.iter().map(|i| i.id.clone()).collect();
    ids.dedup();
    assert_eq!(ids.len(), invoices.len(), "no invoice read twice");

    let mut found = BTreeMap::new();
    let mut most_pages = 0;
    for inv in &invoices {
        env.reset_requests().await;
        let lines = c
            .list_onetime_line_items(&inv.id, line_page)
            .await
            .expect("line items");
        let calls = env
            .requests_to("GET", &format!("/invoices/{}/lineitems", inv.id))
            .await
            .len();
        let page = line_page as usize;
        assert_eq!(calls, lines.len().div_ceil(page).max(1), "{}", inv.id);
        most_pages = most_pages.max(calls);
        for l in &lines {
            if let Some(ro) = l.reservation_order_id.as_deref()
                && bought.reservation_order_ids.iter().any(|b| b == ro)
            {
                found.insert(ro.to_string(), (inv.id.clone(), l.clone()));
            }
        }
    }
    assert!(
        most_pages >= 2,
        "some invoice's line items span several pages"
    );
    assert_eq!(found.len(), bought.reservation_order_ids.len(), "{found:?}");
    for (ro, (_, line)) in &found {
        let q = bought.quantity_by_reservation[ro];
        assert_eq!(line.quantity, Some(q.into()));
        assert!(line.unit_price.is_some_and(|p| p > 0.into()));
        assert_eq!(line.billing_provider.as_deref(), Some("one_time"));
    }
    let (invoice_id, _) = found.values().next().expect("an invoice");
    let inv = c.get_invoice(invoice_id).await.expect("invoice by id");
    assert_eq!(&inv.id, invoice_id);
    assert!(inv.total_charges.is_some_and(|t| t > 0.into()));
    let pdf = c.get_invoice_statement(invoice_id).await.expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"), "{:?}", &pdf[..pdf.len().min(16)]);
    let trimmed = pdf.trim_ascii_end();
    assert!(trimmed.ends_with(b"%%EOF"));
    let legacy = c
        .list_invoice_line_items(invoice_id, "azure", "billinglineitems", 10)
        .await
        .expect("legacy line items (size/offset paging)");
    assert!(
        legacy.is_empty(),
        "the sandbox has no azure-provider line items"
    );
}

#[tokio::test]
async fn azure_plan_purchase_end_to_end() {
    let env = start_knobs(Knobs {
        fulfillment_delay_secs: 120,
        ..Knobs::default()
    })
    .await;
    let bought = buy(
        &env,
        NORTHWIND,
        NORTHWIND_PLAN,
        Some(&ReservationScope::AzurePlan),
        false,
    )
    .await;
    // More orders so the invoice has several line-item pages.
    let more = buy_more(&env).await;
    let mut all = bought;
    all.reservation_order_ids.extend(more.reservation_order_ids);
    all.quantity_by_reservation
        .extend(more.quantity_by_reservation);
    billing(&env, &all, 1).await;
}

#[tokio::test]
async fn legacy_subscription_purchase_end_to_end() {
    let env = start().await;
    let bought = buy(&env, CONTOSO, CONTOSO_LEGACY, None, true).await;
    billing(&env, &bought, 1).await;
}

/// Two more plain orders for Northwind's Azure plan (already registered), to fill pages.
async fn buy_more(env: &Env) -> Bought {
    let c = &env.client;
    let scope = Some(&ReservationScope::AzurePlan);
    let mut out = Bought {
        reservation_order_ids: vec![],
        quantity_by_reservation: BTreeMap::new(),
    };
    for (i, arm) in ["Standard_D4s_v5", "Standard_F4s_v2"]
        .into_iter()
        .enumerate()
    {
        let (_, _, a) = find_reservation(c, "DE", scope, arm, "germanywestcentral", "1Year").await;
        let req = CartRequest {
            line_items: vec![reservation_line(0, &a, NORTHWIND_PLAN, i as i64 + 1)],
            ..CartRequest::default()
        };
        let cart = c
            .create_cart(NORTHWIND, &req, RequestId::new())
            .await
            .expect("cart");
        let res = c
            .checkout_cart(NORTHWIND, &cart.id, RequestId::new())
            .await
            .expect("checkout");
        assert_eq!(res.orders.len(), 1);
        env.sandbox
            .advance_clock(env.sandbox.knobs().fulfillment_delay_secs + 1);
        let placed = env.all_orders().await;
        let o = placed
            .iter()
            .find(|o| o["orderId"] == res.orders[0].id.as_str())
            .expect("placed");
        let ro = o["lines"][0]["reservationOrderId"]
            .as_str()
            .expect("ro")
            .to_string();
        out.quantity_by_reservation.insert(ro.clone(), i as i64 + 1);
        out.reservation_order_ids.push(ro);
    }
    out
}
