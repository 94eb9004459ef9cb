//! Carts: create (201), get, update (PUT, 201) and checkout (201, idempotent per cart). Lines
//! are validated against the catalog, the customer's market and subscriptions; bad lines carry
//! `error` objects; lines are grouped into `orderGroup`s, each becoming one order.

use super::Ctx;
use super::cart_lines::{MARKET_LINE_ERROR, lookup, parse_lines, validate_all};
use super::catalog::current_availability;
use super::customers::customer_not_found;
use super::orders::order_json;
use crate::sandbox::catalog::catalog;
use crate::sandbox::clock::ts;
use crate::sandbox::errors::api_error;
use crate::sandbox::http::{ApiRequest, ApiResponse, link};
use crate::sandbox::markets;
use crate::sandbox::world::{Cart, CartLine, Customer, Order, OrderLine, World, stable_guid};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const CART_LIFETIME_DAYS: i64 = 7;

pub fn cart_json(c: &Cart, partner_user: &str) -> Value {
    let lines: Vec<Value> = c
        .lines
        .iter()
        .map(|l| {
            let mut v = json!({
                "id": l.id,
                "catalogItemId": l.catalog_item_id,
                "quantity": l.quantity,
                "currencyCode": l.currency_code,
                "billingCycle": l.billing_cycle,
                "provisioningContext": l.provisioning_context,
                "orderGroup": l.order_group,
            });
            if let Some(t) = &l.term_duration {
                v["termDuration"] = json!(t);
            }
            if let Some(n) = &l.friendly_name {
                v["friendlyName"] = json!(n);
            }
            if let Some(c) = &l.purchase_commitment {
                v["purchaseCommitment"] =
                    json!({ "amount": c.amount, "grain": c.grain, "currency": c.currency });
            }
            if let Some(e) = &l.error {
                v["error"] = json!({ "errorCode": e.error_code, "errorDescription": e.error_description, "additionalInformation": {} });
            }
            v
        })
        .collect();
    json!({
        "id": c.id,
        "creationTimestamp": ts(c.created),
        "lastModifiedTimestamp": ts(c.modified),
        "expirationTimestamp": ts(c.expires),
        "lastModifiedUser": partner_user,
        "status": c.status,
        "lineItems": lines,
        "links": { "self": link(format!("/customers/{}/carts/{}", c.customer_id, c.id)) },
        "attributes": { "objectType": "Cart" },
    })
}

pub fn create(ctx: &mut Ctx, req: &ApiRequest, customer: &str) -> ApiResponse {
    let Some(c) = ctx.world.customer(customer) else {
        return customer_not_found(customer);
    };
    let body = match req.json() {
        Ok(b) => b,
        Err(e) => return e,
    };
    let (currency, _) = markets::currency(&c.country);
    let mut lines = match parse_lines(&body, currency) {
        Ok(l) => l,
        Err(e) => return e,
    };
    if let Some(refused) = crate::sandbox::savings::refuse_app_only(req, &lines) {
        return refused;
    }
    validate_all(
        ctx.world,
        c,
        &mut lines,
        ctx.now,
        ctx.knobs.registration_delay_secs,
    );
    let cart = Cart {
        id: uuid::Uuid::new_v4().to_string(),
        customer_id: c.id.clone(),
        created: ctx.now,
        modified: ctx.now,
        expires: ctx.now + chrono::Duration::days(CART_LIFETIME_DAYS),
        status: "Active".into(),
        lines,
        checkout_result: None,
    };
    let v = cart_json(&cart, &ctx.world.partner.client_id);
    ctx.world.carts.insert(cart.id.clone(), cart);
    ctx.mutated = true;
    ApiResponse::json(201, v)
}

fn find_cart<'w>(world: &'w World, customer: &str, id: &str) -> Result<&'w Cart, ApiResponse> {
    world
        .carts
        .get(&id.to_ascii_lowercase())
        .filter(|c| c.customer_id.eq_ignore_ascii_case(customer))
        .ok_or_else(|| api_error(404, 800008, format!("cart {id} was not found")))
}

pub fn get(ctx: &mut Ctx, customer: &str, id: &str) -> ApiResponse {
    if ctx.world.customer(customer).is_none() {
        return customer_not_found(customer);
    }
    match find_cart(ctx.world, customer, id) {
        Ok(c) => ApiResponse::ok(cart_json(c, &ctx.world.partner.client_id)),
        Err(e) => e,
    }
}

pub fn update(ctx: &mut Ctx, req: &ApiRequest, customer: &str, id: &str) -> ApiResponse {
    let Some(c) = ctx.world.customer(customer) else {
        return customer_not_found(customer);
    };
    let cart = match find_cart(ctx.world, customer, id) {
        Ok(c) => c.clone(),
        Err(e) => return e,
    };
    if cart.status != "Active" {
        return api_error(
            400,
            800065,
            format!("cart {} was already submitted", cart.id),
        );
    }
    if ctx.now > cart.expires {
        return api_error(400, 800002, format!("cart {} has expired", cart.id));
    }
    let body = match req.json() {
        Ok(b) => b,
        Err(e) => return e,
    };
    let (currency, _) = markets::currency(&c.country);
    let mut lines = match parse_lines(&body, currency) {
        Ok(l) => l,
        Err(e) => return e,
    };
    validate_all(
        ctx.world,
        c,
        &mut lines,
        ctx.now,
        ctx.knobs.registration_delay_secs,
    );
    let cart = Cart {
        lines,
        modified: ctx.now,
        ..cart
    };
    let v = cart_json(&cart, &ctx.world.partner.client_id);
    ctx.world.carts.insert(cart.id.clone(), cart);
    ctx.mutated = true;
    ApiResponse::json(201, v)
}

pub fn checkout(ctx: &mut Ctx, req: &ApiRequest, customer: &str, id: &str) -> ApiResponse {
    let Some(c) = ctx.world.customer(customer).cloned() else {
        return customer_not_found(customer);
    };
    let mut cart = match find_cart(ctx.world, customer, id) {
        Ok(c) => c.clone(),
        Err(e) => return e,
    };
    if let Some(result) = &cart.checkout_result {
        if ctx.knobs.repeat_checkout_fails {
            return api_error(
                400,
                800065,
                format!("cart {} was already submitted", cart.id),
            );
        }
        return ApiResponse::json(201, result.clone());
    }
    if ctx.now > cart.expires {
        return api_error(400, 800002, format!("cart {} has expired", cart.id));
    }
    for l in &cart.lines {
        if let Some((p, s, false)) = lookup(ctx.world, &l.catalog_item_id) {
            return api_error(
                404,
                400019,
                format!(
                    "availability in catalog item {} was not found (current: {}:{}:{})",
                    l.catalog_item_id,
                    p.id,
                    s.id,
                    current_availability(ctx.world, &p.id, &s.id)
                ),
            );
        }
    }
    validate_all(
        ctx.world,
        &c,
        &mut cart.lines,
        ctx.now,
        ctx.knobs.registration_delay_secs,
    );
    if cart.lines.iter().any(|l| l.error.is_some()) {
        let market = cart.lines.iter().any(|l| {
            l.error
                .as_ref()
                .is_some_and(|e| e.error_code == MARKET_LINE_ERROR && e.checkout_code.is_none())
        });
        let special = cart
            .lines
            .iter()
            .filter_map(|l| l.error.as_ref())
            .find_map(|e| e.checkout_code.map(|c| (c, e.error_description.clone())));
        ctx.world.carts.insert(cart.id.clone(), cart);
        ctx.mutated = true;
        return match (market, special) {
            (true, _) => api_error(
                400,
                800070,
                format!("offer not available in the country/region {}", c.country),
            ),
            (false, Some((code, text))) => {
                api_error(if code == 800020 { 403 } else { 400 }, code, text)
            }
            (false, None) => api_error(
                400,
                800009,
                "error in cart item(s); see each line item's error",
            ),
        };
    }
    let mut groups: BTreeMap<String, Vec<&CartLine>> = BTreeMap::new();
    for l in &cart.lines {
        groups.entry(l.order_group.clone()).or_default().push(l);
    }
    let mut orders = vec![];
    let mut errors = vec![];
    for (group, lines) in groups {
        let items: Vec<&str> = lines.iter().map(|l| l.catalog_item_id.as_str()).collect();
        if let Some((code, description)) = ctx.faults.take_group_failure(&items) {
            errors.push(json!({
                "orderGroupId": group,
                "code": code,
                "description": description.unwrap_or_else(|| "Quantity not available for the catalog item.".into()),
            }));
            continue;
        }
        let mut o = place_order(&c, &cart.id, &lines, ctx.now);
        o.set_timings(ctx.now, ctx.knobs);
        o.correlation_id = req.header("ms-correlationid").map(str::to_string);
        if ctx.knobs.pending_po_upload {
            o.status = "pending_po_upload".into();
        }
        orders.push(o);
    }
    let order_values: Vec<Value> = orders
        .iter()
        .map(|o| order_json(o, super::orders::status(o, ctx.now)))
        .collect();
    let result = json!({
        "orders": order_values,
        "orderErrors": errors,
        "links": { "self": link(format!("/customers/{}/carts/{}/checkout", c.id, cart.id)) },
        "attributes": { "objectType": "CartCheckoutResult" },
    });
    if !orders.is_empty() {
        cart.status = "Ordered".into();
        cart.checkout_result = Some(result.clone());
        cart.modified = ctx.now;
        for o in orders {
            ctx.world.insert_order(o);
        }
    }
    ctx.world.carts.insert(cart.id.clone(), cart);
    ctx.mutated = true;
    ApiResponse::json(201, result)
}

fn place_order(
    c: &Customer,
    cart_id: &str,
    lines: &[&CartLine],
    now: chrono::DateTime<chrono::Utc>,
) -> Order {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (currency, _) = markets::currency(&c.country);
    let lines_cycle = lines
        .first()
        .map(|l| super::cart_lines::canonical_cycle(&l.billing_cycle))
        .unwrap_or_else(|| "one_time".into());
    let lines = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let (p, s) = catalog()
                .product(l.catalog_item_id.split(':').next().unwrap_or(""))
                .and_then(|p| Some((p, p.sku(l.catalog_item_id.split(':').nth(1)?)?)))
                .map_or((false, 0.0), |(p, s)| (p.is_reservation(), s.price_usd));
            // A savings plan costs its commitment: hourly × 8,760 × years, in USD.
            let plan_price = l
                .purchase_commitment
                .as_ref()
                .map(|c| crate::sandbox::savings::price(c.amount, l.term_duration.as_deref()));
            OrderLine {
                line_item_number: i as i64,
                catalog_item_id: l.catalog_item_id.clone(),
                quantity: l.quantity,
                term_duration: l.term_duration.clone(),
                provisioning_context: l.provisioning_context.clone(),
                friendly_name: l.friendly_name.clone(),
                unit_price: plan_price.unwrap_or_else(|| markets::convert(s, currency)),
                purchase_commitment: l.purchase_commitment.clone(),
                reservation_order_id: p.then(|| uuid::Uuid::new_v4().to_string()),
                reservation_id: p.then(|| uuid::Uuid::new_v4().to_string()),
                line_item_guid: stable_guid(&format!("li|{id}|{i}")),
                subscription_id: p.then(|| uuid::Uuid::new_v4().to_string()),
            }
        })
        .collect();
    Order {
        alternate_id: id[..12].to_string(),
        id,
        customer_id: c.id.clone(),
        cart_id: Some(cart_id.to_string()),
        created: now,
        status: "completed".into(),
        currency_code: currency.into(),
        lines,
        seed: false,
        billing_cycle: lines_cycle,
        fulfilled_at: None,
        listed_at: None,
        recorded_at: None,
        correlation_id: None,
    }
}
